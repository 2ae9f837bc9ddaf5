"""The trust package's own promises: importing it is light, a report carries later revocations and
suspensions as data beside its notes, and checked accreditation signatures are kept by the client
(so a service's per-request clients share them), not by a module-global cache."""

from __future__ import annotations

import subprocess
import sys
import time

from registry.chain.client import ChainClient
from registry.ops.registry import Registry
from registry.ops.trust import AttrStatus, LaterChange, Relevance, Trust, evaluate
from registry.service.chain import BlockCache, Head, PinnedClient
from tests.conftest import Chain, next_second


def test_importing_the_package_or_its_pure_names_loads_no_chain_machinery() -> None:
    """`import registry.ops.trust` cost 240-340 ms, most of it eth_utils through the chain client;
    the names a command needs before it reads the chain must not load it."""
    probe = (
        "import sys\n"
        "import registry.ops.trust\n"
        "from registry.ops.trust import TrustList, Need, AttrStatus, IssuerType, CLOCK_SKEW_S\n"
        "heavy = [m for m in ('eth_utils', 'eth_abi', 'registry.chain.client', 'registry.ops.registry') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "", f"loaded at import: {result.stdout.strip()}"


def test_later_suspension_then_revocation_are_data_as_well_as_notes(chain: Chain, trust: Trust) -> None:
    before = int(time.time())
    next_second()
    trust.set_status(chain.root, chain.tao.did, chain.tao_attribute, AttrStatus.SUSPENDED, reason=3)
    report = evaluate(trust.fetch([chain.ti.did])[chain.ti.did], before, None)
    assert report.ok, report.summary
    (suspended,) = report.changed_later
    assert isinstance(suspended, LaterChange)
    assert (suspended.did, suspended.issuer_type, suspended.attribute_id, suspended.status) == (
        chain.tao.did,
        "TAO",
        chain.tao_attribute.hex(),
        AttrStatus.SUSPENDED,
    )
    assert suspended.timestamp > before and suspended.block > 0
    # The sentence the verifier used to find by parsing is the note, unchanged.
    assert [c.note for c in report.changed_later] == [n for n in report.notes if "suspended on" in n]

    trust.set_status(chain.root, chain.tao.did, chain.tao_attribute, AttrStatus.REVOKED, reason=2)
    report = evaluate(trust.fetch([chain.ti.did])[chain.ti.did], before, None)
    assert report.ok, report.summary
    (revoked,) = report.changed_later
    assert revoked.status is AttrStatus.REVOKED and revoked.block >= suspended.block
    assert revoked.note in report.notes and "was revoked on" in revoked.note
    # Nothing changed later: no data, no note.
    now = evaluate(trust.fetch([chain.root.did])[chain.root.did], int(time.time()) + 1, None)
    assert now.ok and now.changed_later == []


def test_failures_are_ranked_by_a_named_order() -> None:
    assert sorted(Relevance) == [Relevance.ROOT_UNTRUSTED, Relevance.STATUS, Relevance.OTHER, Relevance.SCOPE]


def test_checked_accreditations_are_kept_by_the_client_and_shared_with_pinned_clients(
    chain: Chain, registry: Registry
) -> None:
    trust = Trust(registry, "")
    assert Trust(registry, "").body_checks is trust.body_checks  # one per client, not per Trust
    assert Trust(Registry(ChainClient(registry.client.rpc_url), registry.deployment), "").body_checks is not (
        trust.body_checks
    )
    data = trust.fetch([chain.ti.did])[chain.ti.did]
    assert data.body_checks is trust.body_checks
    assert evaluate(data, int(time.time()) + 1, None).ok
    kept = len(trust.body_checks)
    assert kept >= 3  # the TI's, the TAO's and the root's accreditations, checked once
    again = trust.fetch([chain.ti.did])[chain.ti.did]  # a new read (a plain client memoizes nothing)
    assert again is not data and not again.checked
    assert evaluate(again, int(time.time()) + 1, None).ok
    assert len(trust.body_checks) == kept  # answered from what the client kept
    # A service's per-request client pinned from this one shares what it checked.
    header = registry.client.request("eth_getBlockByNumber", ["latest", False])
    head = Head(int(header["number"], 16), str(header["hash"]), int(header["timestamp"], 16))
    pinned = Registry(PinnedClient(registry.client, BlockCache(), head), registry.deployment)
    assert Trust(pinned, "").body_checks is trust.body_checks


def test_every_exported_name_resolves_from_the_package() -> None:
    """The lazy re-exports (`__getattr__`) and `__all__` name the same things, and each loads."""
    import registry.ops.trust as package

    assert set(package.__all__) == set(package._MODULE_OF)
    for name in package.__all__:
        assert getattr(package, name) is not None, name
