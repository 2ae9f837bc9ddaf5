"""Recognition decisions on a real chain (issue #17): a destination authority publishes, the verifier
applies them within their scope (type, EQF level, root, dates), a suspended or revoked decision no
longer applies, `--at` answers from the history, and an authority outside the verifier's trust
list is not applied. The contract's access checks: tests/contracts/test_recognition_contract.py."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from typing import Any

import pytest

from registry.errors import InputError
from registry.formats.frameworks import find_framework
from registry.formats.recognition import DecisionDocument, Outcome, Scope
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport
from registry.ops.recognition.apply import NOT_FOR_RECOGNITION, Recogniser
from registry.ops.recognition.authority import Recognition
from registry.ops.recognition.model import DecisionStatus
from registry.ops.registry import Registry, did_hash
from registry.ops.trust import AttrStatus, Root, Trust, TrustList
from registry.ops.verify import Verdict, Verifier
from registry.text import short_attribute
from tests.conftest import GOVERNANCE, ONE_YEAR, ROOT_SCOPE, Chain, next_second, welding_certificate
from tests.helpers.recognition import destination

DQR = find_framework("de-dqr")
assert DQR is not None


@pytest.fixture
def authority(make_issuer, trust: Trust) -> Identity:  # type: ignore[no-untyped-def]
    """A destination country's recognition authority: a Root TAO of its own."""
    identity = make_issuer("recognition-office")
    trust.onboard_root(GOVERNANCE, identity, [ROOT_SCOPE], int(time.time()) + ONE_YEAR, name="Recognition Office")
    return identity


def decision(authority: Identity, root: str, **changes: object) -> DecisionDocument:
    base = DecisionDocument(
        authority=authority.did,
        scope=Scope(types=("SkillsCredential",), eqf_levels=(4,), root=root),
        outcome=Outcome("Schweißer/in (geprüft)", DQR.id, "4"),  # type: ignore[union-attr]
        valid_from=int(time.time()) - 86400,
        conditions="with a practical test",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def trusting(*dids: str) -> TrustList:
    return TrustList(frozenset(dids), "test roots", entries=tuple(Root(d, f"root {n}") for n, d in enumerate(dids)))


def test_a_decision_applies_only_within_its_scope_and_dates(
    registry: Registry, chain: Chain, issuer: Issuer, holder: Identity, verifier: Verifier, authority: Identity
) -> None:
    recognition = Recognition(registry)
    root = chain.root.did
    now = int(time.time())
    applies = recognition.publish(authority, decision(authority, root))
    other = decision(authority, root, outcome=Outcome("Other", DQR.id, "5"))  # type: ignore[union-attr]
    for doc in (
        replace(other, scope=Scope(("NursingLicence",), (4,), root)),  # another type
        replace(other, scope=Scope(("SkillsCredential",), (5,), root)),  # another EQF level
        replace(other, scope=Scope(("SkillsCredential",), (4,), authority.did)),  # another root
        replace(other, valid_from=now + ONE_YEAR // 2),  # not yet
    ):
        recognition.publish(authority, doc)
    # A root that is no Root TAO here (an issuer's DID, a typo) would apply to no credential: refused.
    with pytest.raises(InputError, match=r"root did:ebsi:\S+ is no Root TAO in this registry, so it would apply"):
        recognition.publish(authority, decision(authority, issuer.identity.did))
    # So would an issuer the scope names that holds nothing under that root (it was published).
    elsewhere = replace(
        decision(authority, root), scope=Scope(("SkillsCredential",), (4,), root, issuers=(authority.did,))
    )
    with pytest.raises(InputError, match=r"issuer did:ebsi:\S+ holds no accreditation under its root"):
        recognition.publish(authority, elsewhere)
    holder_file = issuer.issue_single(holder.did, welding_certificate()).holder_file
    report = verifier.verify("cred.json", holder_file.dumps())
    assert report.verdict is Verdict.VALID, report.summary
    recogniser = Recogniser(registry, authority.did, trusting(root, authority.did), None)
    recogniser.annotate(report)
    finding = report.recognition
    assert finding is not None and finding["outcome"] == "recognised", finding
    assert [d["id"] for d in finding["decisions"]] == ["0x" + applies.hex()]
    assert finding["message"].startswith(
        "recognised here as Schweißer/in (geprüft) (level 4 of German Qualifications Framework (DQR)), decision 0x"
    )
    assert finding["message"].endswith("conditions: with a practical test")
    assert [n["why"] for n in finding["not_applying"]] == [f"applies only from {_iso(now + ONE_YEAR // 2)}"]
    assert report.verdict is Verdict.VALID and report.to_json()["recognition"] == finding  # a finding, not a verdict
    _under_an_untrusted_root(registry, authority, holder_file, root)
    _decided_at_other_levels_only(verifier, recogniser, issuer, holder, applies)
    # A passport's summary shows the national equivalents of the credentials that count.
    passport = verifier.verify_passport("p", json.dumps(create_passport(holder, [holder_file])))
    recogniser.annotate(passport)
    (equivalent,) = passport.to_json()["competencies"]["national_equivalents"]
    assert equivalent["credential"] == 1 and equivalent["qualification"] == "Schweißer/in (geprüft)"
    assert equivalent["framework_name"] == "German Qualifications Framework (DQR)" and equivalent["level"] == "4"


def _under_an_untrusted_root(  # type: ignore[no-untyped-def]
    registry: Registry, authority: Identity, holder_file, root: str
) -> None:
    # A verifier trusting the authority alone: the credential's root is not trusted, and the finding
    # says which root and what the decision would make of it with that root trusted (not a dead end).
    untrusted = Verifier(registry, trusting(authority.did)).verify("cred.json", holder_file.dumps())
    assert untrusted.verdict is Verdict.UNTRUSTED_ROOT, untrusted.summary
    Recogniser(registry, authority.did, trusting(authority.did), None).annotate(untrusted)
    said = untrusted.recognition
    assert said is not None and said["outcome"] == "not applied" and said["decisions"] == [], said
    assert said["message"].startswith(f"not applied: the credential's Root TAO {root}"), said
    assert (
        "not in the trust list; with it there, it would be recognised here as Schweißer/in (geprüft)" in said["message"]
    )
    assert "a decision does not make a root trusted" in said["message"]


def _decided_at_other_levels_only(
    verifier: Verifier, recogniser: Recogniser, issuer: Issuer, holder: Identity, applies: bytes
) -> None:
    # One its authority decided about at other levels only: "no decision" for it, saying which and why.
    level3 = issuer.issue_single(holder.did, replace(welding_certificate(), eqf_level=3)).holder_file
    below = verifier.verify("cred3.json", level3.dumps())
    recogniser.annotate(below)
    assert below.recognition is not None and below.recognition["outcome"] == "none", below.recognition
    assert re.fullmatch(
        rf"no recognition decision here for it \(decision 0x{applies.hex()[:8]}…: EQF level 3, not 4; "
        r"decision 0x[0-9a-f]{8}…: EQF level 3, not 5\)",
        below.recognition["message"],
    ), below.recognition


def test_suspended_and_revoked_decisions_stop_applying_and_at_answers_from_history(
    registry: Registry, chain: Chain, issuer: Issuer, holder: Identity, verifier: Verifier, authority: Identity
) -> None:
    recognition = Recognition(registry)
    decision_id = recognition.publish(authority, decision(authority, chain.root.did))
    report = verifier.verify("cred.json", issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    trusted = trusting(chain.root.did, authority.did)

    def outcome(at: int | None = None) -> str:
        Recogniser(registry, "root 1", trusted, at).annotate(report)  # by its name in the trust list
        assert report.recognition is not None
        return str(report.recognition["outcome"])

    assert outcome() == "recognised"
    next_second()  # each change in a later second than the one before, so `--at` tells them apart
    recognition.set_status(authority, decision_id, DecisionStatus.SUSPENDED, 3)
    assert outcome() == "none"
    assert report.recognition is not None and "suspended on" in report.recognition["message"]
    # Said as not recognised (there is a decision), not as "no recognition decision here".
    assert report.recognition["message"].startswith("not recognised here as of "), report.recognition
    next_second()
    recognition.set_status(authority, decision_id, DecisionStatus.ACTIVE, 4)
    assert outcome() == "recognised"
    next_second()
    recognition.set_status(authority, decision_id, DecisionStatus.REVOKED, 5)
    assert outcome() == "none"
    assert report.recognition is not None and "withdrawn" in report.recognition["message"]
    history = recognition.decision(decision_id).revisions
    assert [r.status for r in history] == [DecisionStatus.ACTIVE, DecisionStatus.SUSPENDED, DecisionStatus.ACTIVE,
                                           DecisionStatus.REVOKED]  # fmt: skip
    assert [outcome(r.timestamp) for r in history] == ["recognised", "none", "recognised", "none"]
    # Recognised then, and said to be revoked since: an answer about then is not read as one about now.
    assert outcome(history[2].timestamp) == "recognised" and report.recognition is not None
    assert report.recognition["message"].endswith(
        f"(as of {_iso(history[2].timestamp)}; revoked since {_iso(history[3].timestamp)}: "
        "the national qualification was withdrawn)"
    ), report.recognition
    # Before it was published: none (or, in the second the authority itself was onboarded, not applied).
    assert outcome(history[0].timestamp - 1) in ("none", "not applied")
    # The authority itself suspended by governance (a Root TAO of the list): its decisions stop applying
    # while it lasts, as a recognition body's do (they applied: "recognised here as …").
    _while_the_authority_is_suspended(registry, authority, report, trusted, chain.root.did)


def _while_the_authority_is_suspended(  # type: ignore[no-untyped-def]
    registry: Registry, authority: Identity, report, trusted: TrustList, root: str
) -> None:
    recognition, trust = Recognition(registry), Trust(registry, "")
    recognition.publish(authority, decision(authority, root, conditions="none"))  # in force: it applies
    onboarding = trust.root_attribute(authority.did)
    next_second()
    trust.set_root_status(GOVERNANCE, authority.did, onboarding, AttrStatus.SUSPENDED, 3)
    Recogniser(registry, authority.did, trusted, None).annotate(report)
    assert report.recognition is not None and report.recognition["outcome"] == "not applied", report.recognition
    assert "its own accreditation (a Root TAO's) is not in force on" in report.recognition["message"]
    assert "suspended" in report.recognition["message"] and report.verdict is Verdict.VALID
    # Nor does it publish meanwhile, told why (it was told to "ask your Root TAO to accredit you").
    # Its accreditation named as `issuer history` lists it and `trust ... --attribute` takes it back.
    held = re.escape(
        f"accreditation to publish recognition decisions ({short_attribute(onboarding)}) is suspended since"
    )
    with pytest.raises(InputError, match=held):
        recognition.publish(authority, decision(authority, root, conditions="meanwhile"))
    before = trust.attribute(authority.did, onboarding).revisions[-1].timestamp - 1
    Recogniser(registry, authority.did, trusted, before).annotate(report)  # asked as of before the suspension
    assert report.recognition is not None and report.recognition["outcome"] == "recognised", report.recognition
    trust.set_root_status(GOVERNANCE, authority.did, onboarding, AttrStatus.ACTIVE, 4)


def test_an_authority_not_in_the_trust_list_is_not_applied(
    registry: Registry, chain: Chain, issuer: Issuer, holder: Identity, verifier: Verifier, authority: Identity
) -> None:
    recognition = Recognition(registry)
    recognition.publish(authority, decision(authority, chain.root.did))
    attribute = recognition.authority_attribute(authority.did)
    report = verifier.verify("cred.json", issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    Recogniser(registry, authority.did, trusting(chain.root.did), None).annotate(report)
    assert report.recognition is not None and report.recognition["outcome"] == "not applied"
    assert "not in your trust list" in report.recognition["message"]
    # Named as its accreditation names it (not as the list would), not by its DID alone.
    assert report.recognition["message"].startswith(
        f'decisions of {authority.did} (named "Recognition Office" in its accreditation, not in your trust list) not'
    )
    assert report.verdict is Verdict.VALID
    # No trust list at all (a worker's own home): named all the same, and told how to make one.
    Recogniser(registry, authority.did, None, None).annotate(report)
    assert report.recognition is not None and report.recognition["message"].startswith(
        f'decisions of {authority.did} (named "Recognition Office" in its accreditation, not in your trust list) not '
        f"applied: you have no trust list (make one with `registry trust-list add {authority.did} --name NAME"
    ), report.recognition
    # A document written past our tools that names another authority does not speak for this one.
    forged = decision(chain.root, chain.root.did, conditions="none")
    call = registry.recognition.publish(did_hash(authority.did), attribute, forged.text(), forged.valid_from, 2**40)
    registry.client.transact(authority.account, call)
    Recogniser(registry, authority.did, trusting(chain.root.did, authority.did), None).annotate(report)
    assert report.recognition is not None and report.recognition["outcome"] == "recognised"
    assert [n["why"] for n in report.recognition["not_applying"]] == [
        f"its document names another authority ({chain.root.did})"
    ]


def _iso(ts: int) -> str:
    from registry.formats.credential import iso

    return iso(ts)


def test_a_recognition_body_applies_while_accredited_for_recognition_and_a_tao_for_other_purposes_does_not(  # type: ignore[no-untyped-def]
    registry: Registry, chain: Chain, issuer: Issuer, holder: Identity, verifier: Verifier, trust: Trust, make_issuer
) -> None:
    """A recognition body (a TAO its Root TAO accredited for RecognitionDecision): its decisions apply
    though the list names only its root; not once that accreditation is suspended, nor when its root is
    not trusted. A TAO accredited for something else is no recognition body, and the finding says so."""
    dest = destination(make_issuer, trust)
    Recognition(registry).publish(dest.body, decision(dest.body, chain.root.did))
    report = verifier.verify("cred.json", issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    trusted = trusting(chain.root.did, dest.root.did)

    def finding(authority: str, trust_list: TrustList) -> dict[str, Any]:
        Recogniser(registry, authority, trust_list, None).annotate(report)
        assert report.recognition is not None and report.verdict is Verdict.VALID
        return report.recognition

    applied = finding(dest.body.did, trusted)
    assert applied["outcome"] == "recognised"
    assert applied["authority_name"] == "Destination Recognition Office"  # not on the list: its accredited name
    untrusted_root = finding(dest.body.did, trusting(chain.root.did))
    assert (
        untrusted_root["outcome"] == "not applied"
        and "which is not in the trust list test roots" in untrusted_root["message"]
    )
    general = finding(chain.tao.did, trusting(chain.root.did))  # accredited for issuing, by a trusted root
    assert general["outcome"] == "not applied" and general["message"].endswith(NOT_FOR_RECOGNITION)
    with pytest.raises(InputError, match="no active Root TAO onboarding nor an accreditation for recognition"):
        Recognition(registry).authority_attribute(chain.tao.did)
    trust.set_status(dest.root, dest.body.did, dest.body_attribute, AttrStatus.SUSPENDED, 3)
    suspended = finding(dest.body.did, trusted)
    assert suspended["outcome"] == "not applied" and "suspended" in suspended["message"], suspended
