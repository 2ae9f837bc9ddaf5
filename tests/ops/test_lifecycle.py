"""The credential lifecycle on a real chain: issue, anchor, verify, revoke, verify again."""

from __future__ import annotations

import json
import time

import pytest

from registry.chain.client import ChainClient
from registry.errors import TransactionReverted
from registry.formats import jwt
from registry.formats.multibase import b64url_decode, b64url_encode
from registry.keystore import Identity, new_legal_entity
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose, Registry
from registry.ops.verify import Outcome, Verdict, Verifier
from tests.conftest import next_second, welding_certificate


def test_issued_credential_verifies_with_its_evidence(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    report = verifier.verify("cred.json", issued.holder_file.dumps())
    assert report.verdict is Verdict.VALID, report.summary
    anchor = report.check("anchor")
    assert anchor is not None and anchor.outcome is Outcome.PASS
    assert anchor.evidence["block"] == issued.receipt["blockNumber"]
    assert anchor.evidence["transaction"] == issued.receipt["transactionHash"]
    assert anchor.evidence["account"] == issuer.identity.account.address
    assert report.credential["issuer"] == issuer.identity.did
    assert report.credential["subject"] == holder.did


def test_revoked_credential_is_reported_revoked_with_reason_and_time(
    issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    (receipt,) = issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=2)
    report = verifier.verify("cred.json", issued.holder_file.dumps())
    assert report.verdict is Verdict.REVOKED
    assert report.verdict.exit_code == 1
    status = report.check("revocation status")
    assert status is not None and status.outcome is Outcome.FAIL
    assert status.evidence["reasonCode"] == 2
    assert status.evidence["block"] == receipt["blockNumber"]
    assert "fraud" in status.message


def test_a_bit_set_again_is_refused_and_the_first_reason_and_time_stand(
    issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:
    # The contract refuses to set a set bit (StatusAlreadySet): the report names the change that
    # revoked it, and a second revocation with another reason cannot replace it.
    issued = issuer.issue_single(holder.did, welding_certificate())
    token = issued.holder_file.credential
    (first,) = issuer.change_status([token], Purpose.REVOCATION, set_=True, reason=2)
    with pytest.raises(TransactionReverted) as refused:
        issuer.change_status([token], Purpose.REVOCATION, set_=True, reason=4)
    assert refused.value.error_name == "StatusAlreadySet"
    status = verifier.verify("c", token).check("revocation status")
    assert status is not None and status.outcome is Outcome.FAIL
    assert (status.evidence["reasonCode"], status.evidence["block"]) == (2, first["blockNumber"])
    # Suspended, reinstated, suspended again: the current suspension is the second one.
    issuer.change_status([token], Purpose.SUSPENSION, set_=True, reason=6)
    issuer.change_status([token], Purpose.SUSPENSION, set_=False, reason=7)
    (again,) = issuer.change_status([token], Purpose.SUSPENSION, set_=True, reason=3)
    with pytest.raises(TransactionReverted):
        issuer.change_status([token], Purpose.SUSPENSION, set_=True, reason=6)
    suspension = verifier.verify("c", token).check("suspension status")
    assert suspension is not None
    assert (suspension.evidence["reasonCode"], suspension.evidence["block"]) == (3, again["blockNumber"])


def test_suspension_is_reversible(issuer: Issuer, holder: Identity, verifier: Verifier, registry: Registry) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    token = issued.holder_file.credential
    issuer.change_status([token], Purpose.SUSPENSION, set_=True, reason=6)
    suspended = registry.block_timestamp()
    assert verifier.verify("c", token).verdict is Verdict.SUSPENDED
    next_second()  # the reinstatement in a later second than the suspension, so a time between exists
    issuer.change_status([token], Purpose.SUSPENSION, set_=False, reason=7)
    assert verifier.verify("c", token).verdict is Verdict.VALID
    # Reinstated now, but asked about a time while it was suspended: SUSPENDED then, with its reason.
    then = verifier.verify("c", token, at=suspended)
    assert then.verdict is Verdict.SUSPENDED and then.summary.endswith(": under investigation"), then.summary


def _tamper_payload(token: str, change) -> str:  # type: ignore[no-untyped-def]
    header, payload, signature = token.split(".")
    data = json.loads(b64url_decode(payload))
    change(data)
    return ".".join([header, b64url_encode(json.dumps(data).encode()), signature])


def test_tampered_credential_is_invalid(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    token = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential

    def promote(data: dict) -> None:  # type: ignore[type-arg]
        data["vc"]["credentialSubject"]["achievement"]["name"] = "Welding inspector, level 5"

    report = verifier.verify("tampered", _tamper_payload(token, promote))
    assert report.verdict is Verdict.INVALID
    failed = [c.name for c in report.checks if c.outcome is Outcome.FAIL]
    assert failed == ["signature"]


def test_credential_signed_with_a_key_that_is_not_the_issuers_is_invalid(
    issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:
    genuine = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential
    forger = new_legal_entity("forger")
    parsed = jwt.parse(genuine)
    forged = jwt.sign(parsed.header, parsed.payload, forger.signing_key)
    report = verifier.verify("forged", forged)
    assert report.verdict is Verdict.INVALID
    signature = report.check("signature")
    assert signature is not None and signature.outcome is Outcome.FAIL


def test_unanchored_credential_is_invalid(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:

    from registry.formats.credential import HolderFile

    number, index = issuer.allocator.allocate_single()
    # As the issuer's own code signs (commit 752f53e): at the chain's time when it runs ahead of the
    # wall clock, else the key registered at the chain's second is "not valid when signed".
    now = issuer.registry.signing_time()
    token = issuer.sign(issuer._draft(holder.did, welding_certificate(), number, index, now, None), now)
    # The chain moves on past the signing and past the anchoring window (1 s here): a node at its
    # head would have seen an anchor by now.
    next_second(2)
    issuer.registry.client.request("evm_mine", [])
    report = Verifier(issuer.registry, anchor_window_s=1).verify("unanchored", HolderFile(token).dumps())
    assert report.verdict is Verdict.INVALID
    anchor = report.check("anchor")
    assert anchor is not None and anchor.outcome is Outcome.FAIL and "anchoring window" in anchor.message
    # In a passport, the file's claim (a single anchor) travels with it: still INVALID there.
    from registry.ops.passport import sign_presentation

    passport = json.dumps(sign_presentation(holder, [HolderFile(token)]))
    presented = Verifier(issuer.registry, anchor_window_s=1).verify_passport("p.json", passport)
    assert [r.verdict for r in presented.credentials] == [Verdict.INVALID], presented.summary
    # Inside the window (an hour by default) the node may be behind: never INVALID on that read.
    inside = verifier.verify("unanchored", HolderFile(token).dumps())
    assert inside.verdict is Verdict.INDETERMINATE and "may be behind" in inside.summary


def test_unreachable_chain_gives_could_not_determine_never_invalid(
    issuer: Issuer, holder: Identity, registry: Registry
) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    from registry.chain.node import free_port

    dead = Registry(ChainClient(f"http://127.0.0.1:{free_port()}", timeout_s=2), registry.deployment)
    report = Verifier(dead).verify("cred.json", issued.holder_file.dumps())
    assert report.verdict is Verdict.INDETERMINATE
    assert report.verdict.exit_code == 2
    assert not [c for c in report.checks if c.outcome is Outcome.FAIL]
    # Every check that needs the chain is listed as not checked, one per status list named.
    assert [c.name for c in report.checks if c.outcome is Outcome.UNKNOWN] == [
        "issuer DID",
        "signing key",
        "signature",
        "anchor",
        "revocation status",
        "suspension status",
        "accreditation",
    ]


def test_published_status_list_reflects_the_chain_and_is_signed_by_the_issuer(
    issuer: Issuer, holder: Identity, registry: Registry
) -> None:
    from registry.formats.statuslist import decode_list, is_set
    from registry.ops.registry import DidState
    from registry.ops.statuslists import StatusLists

    issued = issuer.issue_single(holder.did, welding_certificate())
    lists = StatusLists(registry, "http://registry.test")
    account = issuer.identity.account.address
    # Published, empty, by the issuance itself, right after the anchor (issue #13): by the time
    # `issue` returns, a verifier fetching the list gets it, nothing revoked.
    first = lists.published(account, Purpose.REVOCATION, issued.list_number)
    assert first is not None and first.current
    assert issued.receipt is not None
    anchored_in = issued.receipt["blockNumber"]
    assert first.block > (int(anchored_in, 16) if isinstance(anchored_in, str) else anchored_in)
    assert not any(decode_list(jwt.parse(first.credential).payload["vc"]["credentialSubject"]["encodedList"]))
    # What it costs the issuer, once per list (revocation and suspension: two, for the first credential
    # of each 131,072): measured here, quoted in docs/INTEROP.md.
    block = registry.client.request("eth_getBlockByNumber", [hex(first.block), True])
    gas = [int(registry.client.request("eth_getTransactionReceipt", [tx["hash"]])["gasUsed"], 16)
           for tx in block["transactions"]]  # fmt: skip
    print(f"\nfirst publication of an empty status list: {gas} gas, {len(first.credential)} bytes of JWT")
    assert all(g < 150_000 for g in gas)
    issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=1, publish=True)
    publication = lists.published(account, Purpose.REVOCATION, issued.list_number)
    assert publication is not None and publication.current
    parsed = jwt.parse(publication.credential)
    state: DidState = registry.resolve(issuer.identity.did)
    method = state.method_by_thumbprint(str(parsed.kid).partition("#")[2])
    assert method is not None and jwt.verify(parsed, method.jwk)
    bits = decode_list(parsed.payload["vc"]["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == 131_072
    assert is_set(bits, issued.index)
    assert sum(bin(b).count("1") for b in bits) == 1
    # A later change without republishing makes the publication stale, and says so.
    other = issuer.issue_single(holder.did, welding_certificate())
    issuer.change_status([other.holder_file.credential], Purpose.REVOCATION, set_=True, reason=1)
    stale = lists.published(account, Purpose.REVOCATION, issued.list_number)
    assert stale is not None and not stale.current


def test_future_dated_credential_is_invalid_not_undetermined(
    issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:

    from registry.formats.credential import HolderFile

    number, index = issuer.allocator.allocate_single()
    later = int(time.time()) + 86_400
    token = issuer.sign(issuer._draft(holder.did, welding_certificate(), number, index, later, None), later)
    report = verifier.verify("future", HolderFile(token).dumps())
    assert report.verdict is Verdict.INVALID
    assert report.check("signing time") is not None


def test_a_time_the_chain_has_not_reached_is_never_answered_valid(
    issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    now = int(time.time())
    assert verifier.verify("c", issued.holder_file.dumps(), at=now).verdict is Verdict.VALID
    future = verifier.verify("c", issued.holder_file.dumps(), at=now + 365 * 24 * 3600)
    assert future.verdict is Verdict.INDETERMINATE, future.summary
    asked = future.check("time asked")
    assert asked is not None and "later than the chain's newest block" in asked.message
