"""The verdict "root not trusted", derived from codes (registry/ops/verify/report.py): a failed
`trusted root` check alone makes it; any other failure, a revocation or an unanswered check says
what it says first. A passport of valid and root-not-trusted credentials is root-not-trusted.
End to end (CLI, service, page): tests/cli/test_trust_lists.py, tests/service/test_service_browser.py."""

from __future__ import annotations

from registry.ops.trust import TrustList
from registry.ops.trust.evaluation import _at_root
from registry.ops.trust.model import LinkCheck
from registry.ops.verify.presentation import _passport_verdict
from registry.ops.verify.report import Code, Outcome, Report, Verdict, verdict_of

PASS = [(Code.SIGNATURE, Outcome.PASS, "ok", {}), (Code.ACCREDITATION, Outcome.PASS, "accredited", {})]
UNTRUSTED = (Code.TRUSTED_ROOT, Outcome.FAIL, "the issuer is accredited under Root TAO did:ebsi:zX, which ...", {})


def test_a_failed_trusted_root_check_alone_is_root_not_trusted_with_exit_code_1() -> None:
    verdict, summary = verdict_of([*PASS, UNTRUSTED])
    assert verdict is Verdict.UNTRUSTED_ROOT and verdict.exit_code == 1
    assert (
        summary
        == "ROOT NOT TRUSTED: genuine and anchored; the issuer is accredited under Root TAO did:ebsi:zX, which ..."
    )
    assert verdict_of(PASS)[0] is Verdict.VALID


def test_other_answers_come_first() -> None:
    assert verdict_of([(Code.SIGNATURE, Outcome.FAIL, "bad", {}), UNTRUSTED])[0] is Verdict.INVALID
    assert verdict_of([*PASS, (Code.REVOCATION_STATUS, Outcome.FAIL, "revoked", {}), UNTRUSTED])[0] is Verdict.REVOKED
    assert verdict_of([*PASS, (Code.ANCHOR, Outcome.UNKNOWN, "node behind", {}), UNTRUSTED])[0] is Verdict.INDETERMINATE


def test_a_passport_of_valid_and_root_not_trusted_credentials() -> None:
    valid = Report("a", Verdict.VALID, "VALID")
    untrusted = Report("b", Verdict.UNTRUSTED_ROOT, "ROOT NOT TRUSTED")
    invalid = Report("c", Verdict.INVALID, "INVALID")
    verdict, summary = _passport_verdict([], [valid, untrusted])
    assert verdict is Verdict.UNTRUSTED_ROOT and summary.startswith("ROOT NOT TRUSTED: 1 of 2 credentials valid")
    assert _passport_verdict([], [valid, valid])[0] is Verdict.VALID
    assert _passport_verdict([], [untrusted, invalid])[0] is Verdict.INVALID


def test_a_root_no_trust_list_names_is_shown_with_the_name_it_gave_itself_marked_as_such() -> None:
    """Without a trust list (or one that leaves the root out), the root is named by the name its
    own onboarding accreditation states, marked as self-declared; a root that gave none by its DID."""
    root, ti = "did:ebsi:zRootRootRootRootRoot1", "did:ebsi:zTiTiTiTiTiTiTiTiTi11"
    named = [LinkCheck(ti, "aa", "TI", True, ""), LinkCheck(root, "bb", "RootTAO", True, "", {"name": "Autorité"})]
    label = f'{root} (self-declared name "Autorité", not from a trust list)'
    report, _ = _at_root(ti, root, 0, named, [], None)
    assert report.ok and report.summary == f"accredited through an unbroken chain to Root TAO {label}"
    listed = TrustList(frozenset({"did:ebsi:zOtherOtherOtherOther1"}), "the trust list ours")
    refused, _ = _at_root(ti, root, 0, named, [], listed)
    assert refused.summary == f"the chain ends at Root TAO {label}, which is not in the trust list ours"
    bare, _ = _at_root(ti, root, 0, [LinkCheck(ti, "aa", "TI", True, ""), LinkCheck(root, "bb", "RootTAO", True, "")],
                       [], None)  # fmt: skip
    assert bare.root_label == root and bare.summary.endswith(f"Root TAO {root}")
