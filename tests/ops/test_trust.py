"""The accreditation chain on-chain, checked end to end as a cross-border authority does."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from registry.errors import InputError
from registry.formats.accreditation import Scope
from registry.formats.credential import iso
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry, did_hash
from registry.ops.trust import (
    AttrStatus,
    IssuerType,
    Link,
    Need,
    Revision,
    Trust,
    TrustList,
    evaluate,
)
from registry.ops.verify import Outcome, Verdict, Verifier
from registry.text import short_did
from tests.conftest import GOVERNANCE, ONE_YEAR, PASSPHRASE, WELDING_SCOPE, Chain, next_second, welding_certificate


def check(trust: Trust, did: str, at: int | None = None, trust_list: TrustList | None = None):  # type: ignore[no-untyped-def]
    chain = trust.fetch([did])[did]
    return evaluate(chain, at if at is not None else int(time.time()) + 1, trust_list)


def trust_list_of(tmp_path: Path, *dids: str) -> TrustList:
    path = tmp_path / "trusted-roots.json"
    path.write_text(json.dumps({"name": "Destination country authority", "roots": [{"did": d} for d in dids]}))
    return TrustList.load(path)


def test_full_chain_from_training_centre_to_trusted_root(chain: Chain, trust: Trust, tmp_path: Path) -> None:
    report = check(trust, chain.ti.did, trust_list=trust_list_of(tmp_path, chain.root.did))
    assert report.ok, report.summary
    assert report.root == chain.root.did
    assert report.trusted_root is True
    assert [link.issuer_type for link in report.path] == ["TI", "TAO", "RootTAO"]
    assert [link.did for link in report.path] == [chain.ti.did, chain.tao.did, chain.root.did]
    # Nobody accredits itself (a TAO as its own TI, a root as its own TAO): its accreditor does (it was written).
    with pytest.raises(InputError, match=r"accreditation-body \(did:ebsi:\w+\) cannot accredit itself"):
        trust.accredit(chain.tao, chain.tao_attribute, chain.tao.did, IssuerType.TI, [WELDING_SCOPE])
    # Asked after it ends: when it expired, said (it read "not within its validity period on <then>").
    ends = trust.attribute(chain.ti.did, chain.ti_attribute).valid_until
    expired = check(trust, chain.ti.did, at=ends + 60)
    assert not expired.ok and f"TI link {chain.ti.did}: accreditation expired on {iso(ends)}, before" in expired.summary


def test_root_missing_from_the_trust_list_is_refused(chain: Chain, trust: Trust, tmp_path: Path) -> None:
    report = check(trust, chain.ti.did, trust_list=trust_list_of(tmp_path, "did:ebsi:zOtherCountryRoot1111111"))
    assert not report.ok
    assert report.trusted_root is False
    assert "not in the trust list" in report.summary


def test_trust_list_as_plain_text(tmp_path: Path, chain: Chain) -> None:
    path = tmp_path / "roots.txt"
    path.write_text(f"# roots we accept\n{chain.root.did}  # home-country vocational authority\n")
    assert TrustList.load(path).roots == {chain.root.did}


def test_revoked_tao_breaks_the_chain_from_that_moment(chain: Chain, trust: Trust) -> None:
    before = int(time.time())
    next_second()
    trust.set_status(chain.root, chain.tao.did, chain.tao_attribute, AttrStatus.REVOKED, reason=2)
    now = int(time.time()) + 1
    after = check(trust, chain.ti.did, at=now)
    assert not after.ok
    assert "TAO link" in after.summary and "revoked" in after.summary
    earlier = check(trust, chain.ti.did, at=before)
    assert earlier.ok, earlier.summary
    tao_link = earlier.path[1]
    assert "revoked later" in tao_link.message


def test_suspended_then_reinstated(chain: Chain, trust: Trust) -> None:
    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.SUSPENDED, reason=3)
    suspended = check(trust, chain.ti.did)
    assert not suspended.ok and "suspended" in suspended.summary
    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.ACTIVE, reason=4)
    assert check(trust, chain.ti.did).ok


def test_revocation_is_final(chain: Chain, trust: Trust) -> None:
    from registry.errors import TransactionReverted

    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.REVOKED)
    with pytest.raises(TransactionReverted) as refused:
        trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.ACTIVE)
    assert refused.value.error_name == "InvalidStatusChange"


def test_broken_chain_when_the_root_is_revoked_by_governance(chain: Chain, trust: Trust) -> None:
    trust.set_root_status(GOVERNANCE, chain.root.did, chain.root_attribute, AttrStatus.REVOKED, reason=2)
    report = check(trust, chain.ti.did)
    assert not report.ok
    assert report.path[-1].issuer_type == "RootTAO"
    assert "revoked" in report.summary


def test_a_looping_chain_is_refused(chain: Chain, trust: Trust) -> None:
    # The contract cannot hold a loop (each accreditation pins an existing parent attribute and
    # attribute ids are unique), so the loop is built in memory from the real chain data: the
    # TAO's accreditation re-pointed at the TI's own. The verifier must still refuse it.
    data = trust.fetch([chain.ti.did])[chain.ti.did]
    tao_key = (did_hash(chain.tao.did), chain.tao_attribute)
    original = data.links[tao_key]
    data.links[tao_key] = Link(
        **{**vars(original), "parent_did_hash": did_hash(chain.ti.did), "parent_attribute_id": chain.ti_attribute}
    )
    report = evaluate(data, int(time.time()) + 1, None)
    assert not report.ok
    assert "loops back" in report.summary


def test_scope_mismatch_welding_centre_issuing_a_nursing_licence(
    chain: Chain,
    registry: Registry,
    settings,
    holder: Identity,  # type: ignore[no-untyped-def]
) -> None:
    issuer = Issuer(registry, chain.ti, settings)
    welding = issuer.issue_single(holder.did, welding_certificate(), extra_types=("WeldingCertificate",))
    nursing = issuer.issue_single(holder.did, welding_certificate(), extra_types=("NursingLicence",))
    verifier = Verifier(registry)
    assert verifier.verify("welding", welding.holder_file.dumps()).verdict is Verdict.VALID
    report = verifier.verify("nursing", nursing.holder_file.dumps())
    assert report.verdict is Verdict.INVALID
    accreditation = report.check("accreditation")
    assert accreditation is not None and accreditation.outcome is Outcome.FAIL
    assert "not accredited for" in accreditation.message and "NursingLicence" in accreditation.message


def test_a_tao_cannot_grant_more_than_it_holds(chain: Chain, trust: Trust, make_issuer) -> None:  # type: ignore[no-untyped-def]
    wider = make_issuer("diploma-mill")
    until = int(time.time()) + ONE_YEAR
    # `accredit` refuses this now (below); recorded unchecked, as another client could, verification refuses it.
    trust._record_accreditation(
        chain.tao, chain.tao_attribute, wider.did, IssuerType.TI, [Scope(types=("PilotLicence",))], until
    )
    report = check(trust, wider.did)
    assert not report.ok
    assert "scope it does not hold" in report.summary


def test_revoked_accreditation_invalidates_credentials_issued_after_revocation_only(
    chain: Chain,
    registry: Registry,
    trust: Trust,
    settings,
    holder: Identity,  # type: ignore[no-untyped-def]
) -> None:
    issuer = Issuer(registry, chain.ti, settings)
    before = issuer.issue_single(holder.did, welding_certificate())
    issued_at = registry.block_timestamp()
    next_second()
    trust.set_status(chain.root, chain.tao.did, chain.tao_attribute, AttrStatus.REVOKED, reason=1)
    next_second()
    after = issuer.issue_single(holder.did, welding_certificate())
    verifier = Verifier(registry)
    early = verifier.verify("before", before.holder_file.dumps())
    assert early.verdict is Verdict.VALID, early.summary
    note = early.check("accreditation")
    assert (
        note is not None and "was revoked on" in note.message and "what was issued before stays valid" in note.message
    )
    # Under the policy "now", asked about its issuance: it passes, and the note draws that policy's consequence,
    # not "what was issued before stays valid" (which "now" does not keep).
    then = Verifier(registry, accreditation_policy="now").verify("before", before.holder_file.dumps(), at=issued_at)
    note = then.check("accreditation")
    assert then.verdict is Verdict.VALID and note is not None, then.summary
    assert "was revoked on" in note.message and "refused from then on" in note.message, note.message
    assert "stays valid" not in note.message and "stays valid" not in note.evidence["note"]
    late = verifier.verify("after", after.holder_file.dumps())
    assert late.verdict is Verdict.INVALID
    accreditation = late.check("accreditation")
    assert accreditation is not None and accreditation.outcome is Outcome.FAIL
    assert "revoked" in accreditation.message


def test_key_rotation_keeps_old_signatures_and_refuses_new_ones_by_the_old_key(
    chain: Chain,
    registry: Registry,
    settings,
    holder: Identity,  # type: ignore[no-untyped-def]
) -> None:
    from registry.formats import keys as keyfmt

    issuer = Issuer(registry, chain.ti, settings)
    signed_before = issuer.issue_single(holder.did, welding_certificate())
    next_second()
    new_key = keyfmt.generate(keyfmt.KeyType.P256)
    registry.rotate_signing_key(chain.ti, new_key)
    # The old key signs again, after the rotation: must be refused.
    stale = issuer.issue_single(holder.did, welding_certificate(), issued_at=int(time.time()) + 2)
    verifier = Verifier(registry)
    assert verifier.verify("before", signed_before.holder_file.dumps()).verdict is Verdict.VALID
    report = verifier.verify("stale", stale.holder_file.dumps())
    assert report.verdict is Verdict.INVALID
    key = report.check("signing key")
    assert key is not None and key.outcome is Outcome.FAIL and "not valid when" in key.message
    # The new key works.
    chain.ti.signing_key = new_key
    fresh = Issuer(registry, chain.ti, settings).issue_single(holder.did, welding_certificate())
    assert verifier.verify("fresh", fresh.holder_file.dumps()).verdict is Verdict.VALID


def test_did_document_resolves_as_of_a_past_time(chain: Chain, registry: Registry) -> None:
    from registry.formats import keys as keyfmt
    from registry.ops.documents import document_from_state

    old_kid = chain.ti.kid
    next_second()
    t_before = int(time.time()) - 1
    next_second()
    registry.rotate_signing_key(chain.ti, keyfmt.generate(keyfmt.KeyType.P256))
    state = registry.resolve(chain.ti.did)
    then = document_from_state(state, t_before)
    now = document_from_state(state, int(time.time()) + 1)
    assert old_kid in then["assertionMethod"]
    assert old_kid not in now["assertionMethod"]
    assert len(now["assertionMethod"]) == 1
    assert then["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]


def test_issuer_check_needs_a_fixed_number_of_round_trips_whatever_the_history(chain: Chain, trust: Trust) -> None:
    requests: list[int] = []
    provider = trust.client._provider
    original_single, original_batch = provider.make_request, provider.make_batch_request

    def counting_single(method, params):  # type: ignore[no-untyped-def]
        requests.append(1)
        return original_single(method, params)

    def counting_batch(calls):  # type: ignore[no-untyped-def]
        requests.append(len(calls))
        return original_batch(calls)

    provider.make_request, provider.make_batch_request = counting_single, counting_batch  # type: ignore[method-assign]
    try:
        check(trust, chain.ti.did)
        short = len(requests)
        for _ in range(5):
            provider.make_request, provider.make_batch_request = original_single, original_batch  # type: ignore[method-assign]
            trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.SUSPENDED)
            trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.ACTIVE)
            provider.make_request, provider.make_batch_request = counting_single, counting_batch  # type: ignore[method-assign]
        requests.clear()
        report = check(trust, chain.ti.did)
        assert report.ok
        assert len(requests) == short == 2
    finally:
        provider.make_request, provider.make_batch_request = original_single, original_batch  # type: ignore[method-assign]


def test_status_at_time_from_revisions() -> None:
    link = Link(
        did_hash=b"\x01" * 32, attribute_id=b"\x02" * 32, parent_did_hash=b"\x03" * 32,
        parent_attribute_id=b"\x04" * 32, root_did_hash=b"\x05" * 32, body_hash=b"\x00" * 32,
        issuer_type=IssuerType.TI, status=AttrStatus.ACTIVE, valid_from=100, valid_until=10_000, body_block=1,
        revisions=(
            Revision(AttrStatus.ACTIVE, 0, 100, 1), Revision(AttrStatus.SUSPENDED, 3, 200, 2),
            Revision(AttrStatus.ACTIVE, 4, 300, 3), Revision(AttrStatus.REVOKED, 1, 400, 4),
        ),
    )  # fmt: skip
    assert link.revision_at(99) is None
    assert [link.revision_at(t).status for t in (150, 250, 350, 450)] == [  # type: ignore[union-attr]
        AttrStatus.ACTIVE, AttrStatus.SUSPENDED, AttrStatus.ACTIVE, AttrStatus.REVOKED,
    ]  # fmt: skip


def test_a_revocation_for_cause_voids_from_its_date_on() -> None:
    """Revoked at 400 for cause from 250: in force until 249 (the later revocation noted, with its
    date), void from 250 on, the second itself included; revoked ordinarily, it held until 399."""
    from registry.ops.trust import ChainData, link_status

    revisions = (Revision(AttrStatus.ACTIVE, 0, 100, 1), Revision(AttrStatus.REVOKED, 2, 400, 4))
    link = Link(
        did_hash=b"\x01" * 32, attribute_id=b"\x02" * 32, parent_did_hash=b"\x03" * 32,
        parent_attribute_id=b"\x04" * 32, root_did_hash=b"\x05" * 32, body_hash=b"\x00" * 32,
        issuer_type=IssuerType.TI, status=AttrStatus.REVOKED, valid_from=100, valid_until=10_000, body_block=1,
        revisions=revisions, cause_from=250,
    )  # fmt: skip
    chain = ChainData("did:ebsi:zTI", {link.key: link}, {}, {})
    held = link_status(chain, link, 249)
    assert held.active and held.void_from == 250 and held.later is revisions[1]
    assert "revoked for cause later" in held.message and held.evidence["revokedForCauseFrom"] == iso(250)
    for at in (250, 399, 400, 500):
        void = link_status(chain, link, at)
        assert not void.active and void.message.startswith(f"accreditation revoked for cause from {iso(250)}: fraud")
    ordinary = Link(**{**link.__dict__, "cause_from": 0})
    assert link_status(chain, ordinary, 399).active and not link_status(chain, ordinary, 400).active
    # Asked in the very second of the revocation (the policy "now" without --at asks at the newest block,
    # the revocation's own): not "revoked on T, before T"; a later time is "before" it, and so is an
    # expiry.
    revoked = f"accreditation revoked on {iso(400)}"
    assert link_status(chain, ordinary, 400).message == f"{revoked}, the very second asked (reason: fraud)"
    assert link_status(chain, ordinary, 401).message.startswith(f"{revoked}, before {iso(401)}")
    lapsed = Link(**{**ordinary.__dict__, "revisions": revisions[:1], "valid_until": 300})
    assert link_status(chain, lapsed, 300).message == f"accreditation expired on {iso(300)}, the very second asked"
    assert link_status(chain, lapsed, 301).message == f"accreditation expired on {iso(300)}, before {iso(301)}"
    from registry import i18n
    from registry.i18n.trustwords import link_message

    i18n.use("fr")
    try:  # `issuer check` in French reads the new wording back as it reads the others
        said = link_message(link_status(chain, ordinary, 400).message)
    finally:
        i18n.use(i18n.DEFAULT)
    assert said == f"accréditation révoquée le {iso(400)}, à la seconde même demandée (motif\u00a0: fraude)", said


@pytest.mark.parametrize("who", ["tao", "root"])
def test_a_tao_or_root_checked_for_a_credential_type_is_called_what_it_is(
    chain: Chain,
    trust: Trust,
    settings,
    who: str,  # type: ignore[no-untyped-def]
) -> None:
    did = chain.tao.did if who == "tao" else chain.root.did
    report = evaluate(trust.fetch([did])[did], int(time.time()) + 1, None, Need(types=("SkillsCredential",)))
    assert not report.ok
    role = "a TAO" if who == "tao" else "a Root TAO"
    assert report.summary == (
        f"{did} is accredited as {role}, which accredits others but does not attest credentials: "
        "only a TI's credentials are accredited"
    )
    # The repro: `registry issuer check <tao-name> --type NursingLicence`.
    name = chain.tao.name if who == "tao" else chain.root.name
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), "issuer", "check", name,
            "--type", "NursingLicence", "--json", "--rpc", settings.rpc_url,
            "--deployment", str(settings.deployment_file)]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"accredited as {role}" in json.loads(result.stdout)["summary"]


def test_someone_with_no_accreditation_is_still_said_to_hold_none(trust: Trust, make_issuer) -> None:  # type: ignore[no-untyped-def]
    nobody = make_issuer("unaccredited")
    report = evaluate(trust.fetch([nobody.did])[nobody.did], int(time.time()) + 1, None, Need(types=("X",)))
    assert not report.ok and report.summary == f"{nobody.did} holds no accreditation in the trusted issuers registry"


def test_a_suspension_after_the_time_in_question_is_noted_while_it_lasts(
    chain: Chain,
    registry: Registry,
    trust: Trust,
    settings,
    holder: Identity,  # type: ignore[no-untyped-def]
) -> None:
    issued = Issuer(registry, chain.ti, settings).issue_single(holder.did, welding_certificate())
    before = int(time.time())
    next_second()
    trust.set_status(chain.root, chain.tao.did, chain.tao_attribute, AttrStatus.SUSPENDED, reason=3)
    earlier = check(trust, chain.ti.did, at=before)
    assert earlier.ok, earlier.summary
    assert "suspended later" in earlier.path[1].message
    assert [n for n in earlier.notes if "suspended on" in n and f"after {iso(before)}" in n and "TAO" in n]
    assert not check(trust, chain.ti.did).ok  # now: suspended
    # The verifier's report says so, while the verdict at issuance stays valid.
    report = Verifier(registry).verify("before", issued.holder_file.dumps())
    assert report.verdict is Verdict.VALID, report.summary
    accreditation = report.check("accreditation")
    assert accreditation is not None and "suspended on" in accreditation.evidence["note"]
    assert "suspended on" in accreditation.message  # in the line a reader sees, not only in the evidence
    # Reinstated: nothing in force to mention any more.
    trust.set_status(chain.root, chain.tao.did, chain.tao_attribute, AttrStatus.ACTIVE, reason=4)
    reinstated = check(trust, chain.ti.did, at=before)
    assert reinstated.ok and not [n for n in reinstated.notes if "suspended" in n]


@pytest.mark.parametrize("content", ["", "\n# nobody yet\n", '{"roots": []}', "[]"])
def test_a_trust_list_naming_no_root_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "roots.json"
    path.write_text(content)
    with pytest.raises(InputError, match=r"^trust list .*roots\.json names no root"):
        TrustList.load(path)


def test_a_trust_list_as_a_json_array(tmp_path: Path, chain: Chain) -> None:
    path = tmp_path / "roots.json"
    path.write_text(json.dumps([chain.root.did]))
    assert TrustList.load(path).roots == {chain.root.did}
    path.write_text(json.dumps([{"did": chain.root.did, "name": "Home country vocational authority"}]))
    assert TrustList.load(path).roots == {chain.root.did}
    path.write_text(json.dumps([{"name": "no DID"}]))
    with pytest.raises(InputError, match="every root needs a DID"):
        TrustList.load(path)


def test_the_trust_list_is_named_in_sentences_that_read_well(chain: Chain, trust: Trust, tmp_path: Path) -> None:
    other = "did:ebsi:zOtherCountryRoot1111111"
    from_file = trust_list_of(tmp_path, other)
    assert check(trust, chain.ti.did, trust_list=from_file).summary.endswith(
        'which is not in the trust list "Destination country authority"'  # by its name (docs/TRUST-LISTS.md)
    )
    trusted = trust_list_of(tmp_path, chain.root.did)
    assert check(trust, chain.ti.did, trust_list=trusted).summary.endswith(
        'which the trust list "Destination country authority" trusts'
    )
    unnamed = dataclasses.replace(trusted, title=None)  # a list that gives itself no name: by its file
    assert check(trust, chain.ti.did, trust_list=unnamed).summary.endswith(
        f"which the trust list {trusted.source} trusts"
    )
    described = TrustList(frozenset({other}), "the request's trust list")
    assert check(trust, chain.ti.did, trust_list=described).summary.endswith("which is not in the request's trust list")
    described = TrustList(frozenset({chain.root.did}), "the request's trust list")
    assert check(trust, chain.ti.did, trust_list=described).summary.endswith("which the request's trust list trusts")
    labelled = TrustList(frozenset({other}), '"trustList" of the request')
    assert check(trust, chain.ti.did, trust_list=labelled).summary.endswith(
        'which is not in the trust list "trustList" of the request'
    )


# -- accredit refuses what verification would refuse ------------------------------------------


def _run_cli(settings, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), *args, "--rpc", settings.rpc_url,
            "--deployment", str(settings.deployment_file)]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def test_accredit_refuses_types_the_parent_does_not_hold_before_sending(
    chain: Chain,
    trust: Trust,
    make_issuer,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    plumber = make_issuer("plumbing-school")
    with pytest.raises(InputError, match="cannot accredit for Plumbing: its own accreditation in force covers only"):
        trust.accredit(
            chain.tao, chain.tao_attribute, plumber.did, IssuerType.TI, [Scope(types=("SkillsCredential", "Plumbing"))]
        )
    assert trust.attribute_ids(plumber.did) == []
    # The tester's repro, through the command line: a one-line error, exit 1, nothing recorded.
    result = _run_cli(settings, "trust", "accredit", "--parent", chain.tao.name, "--child", plumber.did,
                      "--as", "ti", "--types", "Plumbing")  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot accredit for Plumbing" in lines[0], result.stderr
    assert f"{chain.tao.name} ({short_did(chain.tao.did)}) cannot accredit" in lines[0]  # named, DID beside
    assert trust.attribute_ids(plumber.did) == []
    # What it holds it may still grant.
    trust.accredit(chain.tao, chain.tao_attribute, plumber.did, IssuerType.TI, [Scope(types=("NursingLicence",))])
    assert check(trust, plumber.did).ok


def test_accredit_refuses_a_validity_beyond_the_parents_own(trust: Trust, make_issuer, settings) -> None:  # type: ignore[no-untyped-def]
    root, child = make_issuer("short-lived-root"), make_issuer("long-lived-body")
    root_end = int(time.time()) + ONE_YEAR // 2
    root_attribute = trust.onboard_root(
        GOVERNANCE, root, [Scope(types=("NursingLicence",))], root_end, name="Short-Lived Authority"
    )
    nursing = [Scope(types=("NursingLicence",))]
    named = rf"later than the one Short-Lived Authority \({root.did}\) holds itself \(until {iso(root_end)}\)"
    with pytest.raises(InputError, match=named):
        trust.accredit(root, root_attribute, child.did, IssuerType.TAO, nursing, root_end + 1)
    assert trust.attribute_ids(child.did) == []
    # The tester's repro: --valid-until 2099-01-01, far past the root's end.
    result = _run_cli(settings, "trust", "accredit", "--parent", root.name, "--child", child.did, "--as", "tao",
                      "--types", "NursingLicence", "--valid-until", "2099-01-01")  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"(until {iso(root_end)})" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert trust.attribute_ids(child.did) == []
    # No end given (the CLI's default, a year): capped at the parent's end rather than refused.
    result = _run_cli(settings, "trust", "accredit", "--parent", root.name, "--child", child.name, "--as", "tao",
                      "--types", "NursingLicence")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # Both parties by name and DID: the child by this home's name (it has no legal name), the root by the legal
    # name its onboarding states (not this home's name for it).
    assert f"{child.name} ({child.did}) accredited as TAO by Short-Lived Authority ({root.did})" in result.stdout
    (attribute,) = trust.attribute_ids(child.did)
    assert trust.attribute(child.did, attribute).valid_until == root_end
    other = make_issuer("another-body")
    capped = trust.accredit(root, root_attribute, other.did, IssuerType.TAO, nursing, name="Another Body Ltd")
    assert trust.attribute(other.did, capped).valid_until == root_end
    assert check(trust, other.did).ok
    # Asked again: "unchanged", nothing written (a second, alike accreditation would outlive the first's
    # suspension). Asked without --name, the child is named by the legal name its accreditation states, not
    # by this home's name for it.
    again = _run_cli(settings, "trust", "accredit", "--parent", root.name, "--child", other.name, "--as", "tao",
                     "--types", "NursingLicence")  # fmt: skip
    assert again.returncode == 0 and again.stdout.startswith("unchanged: ") and capped.hex() in again.stdout
    assert f"unchanged: Another Body Ltd ({other.did}) already holds" in again.stdout, again.stdout
    assert trust.attribute_ids(other.did) == [capped]


@pytest.mark.parametrize(
    ("schema", "jurisdiction", "refusal"),
    [
        ("not a url", None, "schema id 'not a url' is not an absolute URI"),
        ("", None, "schema id '' is not an absolute URI"),
        (None, "notauri", "jurisdiction 'notauri' is not an absolute URI"),
        (None, "", "jurisdiction '' is not an absolute URI"),
    ],
)
def test_accredit_refuses_a_schema_or_jurisdiction_that_is_not_an_absolute_uri(
    chain: Chain, trust: Trust, make_issuer, schema: str | None, jurisdiction: str | None, refusal: str
) -> None:  # type: ignore[no-untyped-def]
    child = make_issuer("sloppy-school")
    scope = Scope(types=("WeldingCertificate",), schema_id=schema, jurisdiction=jurisdiction)
    with pytest.raises(InputError, match=refusal):
        trust.accredit(chain.tao, chain.tao_attribute, child.did, IssuerType.TI, [scope], int(time.time()) + 3600)
    assert trust.attribute_ids(child.did) == []


def test_accredit_keeps_to_the_schema_and_jurisdiction_the_parent_is_limited_to(trust: Trust, make_issuer) -> None:  # type: ignore[no-untyped-def]
    schema, land = "https://schemas.example/welding/v1", "https://publications.europa.eu/resource/authority/atu/DEU"
    until = int(time.time()) + ONE_YEAR
    root, tao = make_issuer("limited-root"), make_issuer("limited-body")
    root_attr = trust.onboard_root(
        GOVERNANCE, root, [Scope(types=("WeldingCertificate",), schema_id=schema, jurisdiction=land)], until
    )
    for wider in (Scope(types=("WeldingCertificate",)), Scope(types=("WeldingCertificate",), schema_id=schema)):
        with pytest.raises(InputError, match=f"holds WeldingCertificate only for schema {schema} and jurisdiction"):
            trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [wider], until)
    same = Scope(types=("WeldingCertificate",), schema_id=schema, jurisdiction=land)
    trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [same], until)
    assert check(trust, tao.did).ok


def test_accredit_hangs_the_link_under_the_parents_accreditation_that_holds_the_scope(
    trust: Trust, make_issuer
) -> None:  # type: ignore[no-untyped-def]
    until = int(time.time()) + ONE_YEAR
    root, tao, ti = make_issuer("two-scope-root"), make_issuer("two-scope-body"), make_issuer("nursing-school")
    root_attr = trust.onboard_root(GOVERNANCE, root, [Scope(types=("WeldingCertificate", "NursingLicence"))], until)
    welding = trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [Scope(types=("WeldingCertificate",))], until)
    nursing = trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [Scope(types=("NursingLicence",))], until)
    # The CLI passes the parent's first active accreditation (welding): the union of both counts.
    attribute = trust.accredit(tao, welding, ti.did, IssuerType.TI, [Scope(types=("NursingLicence",))], until)
    assert trust.attribute(ti.did, attribute).parent_attribute_id == nursing
    report = evaluate(trust.fetch([ti.did])[ti.did], int(time.time()) + 1, None, Need(types=("NursingLicence",)))
    assert report.ok, report.summary


def test_accredit_refuses_a_parent_whose_own_chain_no_longer_holds(chain: Chain, trust: Trust, make_issuer) -> None:  # type: ignore[no-untyped-def]
    trust.set_root_status(GOVERNANCE, chain.root.did, chain.root_attribute, AttrStatus.REVOKED)
    child = make_issuer("orphan-school")
    with pytest.raises(InputError, match=r"own accreditation is not in force now: RootTAO link .*revoked"):
        trust.accredit(chain.tao, chain.tao_attribute, child.did, IssuerType.TI, [Scope(types=("WeldingCertificate",))],
                       int(time.time()) + 3600)  # fmt: skip
    assert trust.attribute_ids(child.did) == []


# -- several accreditations: the report shows the one that matters ----------------------------


def _two_accreditations(trust: Trust, make_issuer):  # type: ignore[no-untyped-def]
    """A school holding a Plumbing accreditation, then a NursingLicence one (both from one TAO)."""
    until = int(time.time()) + ONE_YEAR
    everything = Scope(types=("SkillsCredential", "WeldingCertificate", "NursingLicence", "Plumbing"))
    root, tao, school = make_issuer("broad-root"), make_issuer("broad-body"), make_issuer("other-school")
    root_attr = trust.onboard_root(GOVERNANCE, root, [everything], until)
    tao_attr = trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [everything], until)
    plumbing = trust.accredit(tao, tao_attr, school.did, IssuerType.TI, [Scope(types=("SkillsCredential", "Plumbing"))],
                              until)  # fmt: skip
    nursing = trust.accredit(tao, tao_attr, school.did, IssuerType.TI, [Scope(types=("SkillsCredential",
                             "NursingLicence"))], until, name="Care School")  # fmt: skip
    return tao, tao_attr, school, plumbing, nursing


def test_of_several_accreditations_the_one_covering_the_type_explains_the_refusal(trust: Trust, make_issuer) -> None:  # type: ignore[no-untyped-def]
    tao, _, school, _, nursing = _two_accreditations(trust, make_issuer)
    trust.set_status(tao, school.did, nursing, AttrStatus.REVOKED, reason=9)  # a code without words
    need = Need(types=("SkillsCredential", "NursingLicence"))
    report = evaluate(trust.fetch([school.did])[school.did], int(time.time()) + 1, None, need)
    assert not report.ok
    assert report.path[0].attribute_id == nursing.hex()
    # By the legal name its accreditation states beside the DID (the DID alone, before), and the
    # code said once (it read "(reason: reason 9)").
    assert report.summary.startswith(f"TI link Care School ({school.did}): accreditation revoked on ")
    assert " (reason 9)" in report.summary
    assert "looked at the 2 accreditations" in report.summary
    assert "this one is for SkillsCredential, NursingLicence" in report.summary
    assert f"the other: for SkillsCredential, Plumbing: {school.did} is not accredited for" in report.summary
    # Active again elsewhere (a Plumbing credential): that one is ok, whatever the other.
    assert evaluate(trust.fetch([school.did])[school.did], int(time.time()) + 1, None, Need(types=("Plumbing",))).ok


def test_of_several_accreditations_one_covering_the_type_fails_for_its_parents_scope(trust: Trust, make_issuer) -> None:  # type: ignore[no-untyped-def]
    until = int(time.time()) + ONE_YEAR
    root, tao, school = make_issuer("root-p"), make_issuer("plumbing-body"), make_issuer("other-school")
    root_attr = trust.onboard_root(GOVERNANCE, root, [Scope(types=("SkillsCredential", "Plumbing"))], until)
    tao_attr = trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [Scope(types=("SkillsCredential", "Plumbing"))],
                              until)  # fmt: skip
    trust.accredit(tao, tao_attr, school.did, IssuerType.TI, [Scope(types=("SkillsCredential", "Plumbing"))], until)
    # Recorded unchecked (`accredit` refuses it): a NursingLicence scope its TAO does not hold.
    nursing = trust._record_accreditation(
        tao, tao_attr, school.did, IssuerType.TI, [Scope(types=("SkillsCredential", "NursingLicence"))], until
    )
    need = Need(types=("SkillsCredential", "NursingLicence"))
    report = evaluate(trust.fetch([school.did])[school.did], int(time.time()) + 1, None, need)
    assert not report.ok
    assert report.path[0].attribute_id == nursing.hex()
    assert report.summary.startswith(f"TAO link {tao.did} granted its child a scope it does not hold")


def test_of_several_failing_accreditations_a_status_failure_comes_before_a_scope_one(trust: Trust, make_issuer) -> None:  # type: ignore[no-untyped-def]
    tao, _, school, _, nursing = _two_accreditations(trust, make_issuer)
    trust.set_status(tao, school.did, nursing, AttrStatus.SUSPENDED, reason=3)
    # Neither covers a welding certificate: the suspended one's reason comes first, then the scope one.
    need = Need(types=("WeldingCertificate",))
    report = evaluate(trust.fetch([school.did])[school.did], int(time.time()) + 1, None, need)
    assert not report.ok
    assert report.path[0].attribute_id == nursing.hex()
    assert "suspended" in report.summary.split(" (looked at")[0]


def test_a_schema_limited_issuer_is_not_accredited_for_a_credential_without_that_schema(  # type: ignore[no-untyped-def]
    chain: Chain, trust: Trust, make_issuer, registry: Registry, settings, holder: Identity
) -> None:
    # The scope says "only credentials of this schema"; a credential declaring no schema is not
    # shown to follow it (it used to pass as if the limit were not there).
    limited = make_issuer("schema-limited-school")
    schema = "https://example.org/schemas/welding-certificate/1"
    trust.accredit(chain.tao, chain.tao_attribute, limited.did, IssuerType.TI,
                   [Scope(types=("SkillsCredential", "WeldingCertificate"), schema_id=schema)])  # fmt: skip
    issued = Issuer(registry, limited, settings).issue_single(
        holder.did, welding_certificate(), extra_types=("WeldingCertificate",)
    )
    report = Verifier(registry).verify("c", issued.holder_file.dumps())
    accreditation = report.check("accreditation")
    assert report.verdict is Verdict.INVALID and accreditation is not None
    assert accreditation.outcome is Outcome.FAIL


def test_a_history_revision_says_a_reason_without_words_once() -> None:
    """`issuer history` printed "reason 6 (reason 6)" for a code without words; one with words keeps its code."""
    from registry.cli.commands.issuer import _why
    from registry.ops.trust import Change

    def change(reason: int) -> Change:
        return Change(2, "suspended", AttrStatus.SUSPENDED, reason, 0, 1, "did:ebsi:zParent", None)

    assert _why(change(6)) == ": reason 6"
    assert _why(change(3)) == ": audit pending (reason 3)"
