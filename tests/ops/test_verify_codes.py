"""Checks carry codes: the verdict and the label follow from the code, never from the wording.

Pure (no chain): the report types alone, as the verifier's hot loop fills them.
"""

from __future__ import annotations

from registry.ops.registry import Purpose
from registry.ops.verify import Check, Code, Outcome, Report, Verdict
from registry.ops.verify.report import verdict_of


def test_a_failed_status_check_gives_its_verdict_whatever_its_message_says() -> None:
    rows = [
        (Code.FORMAT, Outcome.PASS, "fine", {}),
        (Code.SUSPENSION_STATUS, Outcome.FAIL, "revoked on a Tuesday", {}),  # wording says revoked
        (Code.REVOCATION_STATUS, Outcome.PASS, "not revoked", {}),
    ]
    assert verdict_of(rows) == (Verdict.SUSPENDED, "SUSPENDED: revoked on a Tuesday")
    rows.append((Code.REVOCATION_STATUS, Outcome.FAIL, "x", {}))
    assert verdict_of(rows)[0] is Verdict.REVOKED  # revocation outranks suspension
    assert verdict_of([(Code.ANCHOR, Outcome.FAIL, "revocation status", {})]) == (
        Verdict.INVALID,
        "INVALID: anchor: revocation status",
    )
    assert verdict_of([(Code.ANCHOR, Outcome.UNKNOWN, "could not check: x", {})])[0] is Verdict.INDETERMINATE
    assert verdict_of([(Code.ANCHOR, Outcome.PASS, "ok", {})]) == (Verdict.VALID, "VALID: every check passed")


def test_labels_come_from_codes_and_render_as_before() -> None:
    assert Code.status(Purpose.REVOCATION) is Code.REVOCATION_STATUS
    assert Code.status(Purpose.SUSPENSION).label == "suspension status"
    check = Check(Code.SIGNING_KEY, Outcome.FAIL, "retired", {"notAfter": "2026-01-01T00:00:00Z"})
    assert check.name == "signing key"
    assert check.to_json() == {
        "name": "signing key",
        "outcome": "fail",
        "message": "retired",
        "evidence": {"notAfter": "2026-01-01T00:00:00Z"},
    }


def test_a_report_makes_its_checks_only_when_read_and_keeps_changes_to_them() -> None:
    rows = [(Code.FORMAT, Outcome.PASS, "fine", {"alg": "ES256"}), (Code.ANCHOR, Outcome.UNKNOWN, "later", {})]
    report = Report("c", Verdict.INDETERMINATE, "COULD NOT DETERMINE: later", None, {"id": "x"}, "t", rows=rows)
    checks = report.checks
    assert [c.code for c in checks] == [Code.FORMAT, Code.ANCHOR] and report.checks is checks
    anchor = report.check("anchor")
    assert anchor is not None
    anchor.message = "could not check: the service's chain node"  # as the service rewrites it
    report.checks.append(Check(Code.QUORUM, Outcome.SKIPPED, "one node"))
    data = report.to_json()
    assert list(data) == [
        "source", "verdict", "summary", "checks", "credential", "certifies", "warnings", "checked_at",
        "accreditation_policy",
    ]  # fmt: skip
    assert data["certifies"] is None and data["warnings"] == []  # given no credential object: nothing to say
    assert [c["name"] for c in data["checks"]] == ["format", "anchor", "quorum"]
    assert data["checks"][1]["message"] == "could not check: the service's chain node"


def test_asked_about_a_time_before_it_was_anchored_is_not_yet_issued_never_invalid() -> None:
    """A genuine credential asked about before its anchor: NOT_YET_ISSUED (exit 1), not INVALID
    (the validity period, which starts at issuance, fails with it); anything else wrong with it is
    INVALID first; a passport of valid and not-yet-issued credentials is not yet issued as a whole."""
    from registry.ops.verify.presentation import _passport_verdict

    later = (Code.TIME_ASKED, Outcome.FAIL, "not valid on 2001-01-01T23:59:59Z: issued later, anchored on X", {})
    early = (Code.VALIDITY_PERIOD, Outcome.FAIL, "not valid before 2026-05-01T10:00:00Z", {})
    rows = [(Code.SIGNATURE, Outcome.PASS, "ok", {}), (Code.ANCHOR, Outcome.PASS, "anchored", {}), early, later]
    verdict, summary = verdict_of(rows)
    assert verdict is Verdict.NOT_YET_ISSUED and verdict.exit_code == 1
    assert summary == f"NOT YET ISSUED: {later[2]}" and "INVALID" not in summary
    assert verdict_of([*rows, (Code.ACCREDITATION, Outcome.UNKNOWN, "?", {})])[0] is Verdict.NOT_YET_ISSUED
    assert verdict_of([*rows, (Code.SIGNATURE, Outcome.FAIL, "forged", {})])[0] is Verdict.INVALID
    assert verdict_of([early])[0] is Verdict.INVALID  # not valid yet, without the time asked predating it
    valid, not_yet = Report("a", Verdict.VALID, "VALID"), Report("b", Verdict.NOT_YET_ISSUED, "NOT YET ISSUED")
    verdict, summary = _passport_verdict([], [valid, not_yet])
    assert verdict is Verdict.NOT_YET_ISSUED and summary.startswith("NOT YET ISSUED: 1 of 2 credentials valid")


def test_a_recognition_finding_s_names_and_words_are_flagged_as_the_credential_s_are() -> None:
    """`verify --recognised-in`: the authority's name (a look-alike: a Cyrillic O) and a decision's words
    written past our tools (a zero-width space) are texts to read closely (formats/flags.py), never a verdict;
    a decision's conditions may span lines."""
    report = Report("c", Verdict.VALID, "VALID", rows=[(Code.FORMAT, Outcome.PASS, "fine", {})])
    decision = {"qualification": "Schwei\u200bßer/in", "level": "4", "conditions": "a\nb"}
    report.recognition = {"outcome": "recognised", "authority_name": "Federal Recognition \u041effice",
                          "decisions": [decision]}  # fmt: skip
    warnings = report.to_json()["warnings"]
    assert [(w["field"], w["problem"]) for w in warnings] == [
        ("recognition authority name", "mixed scripts"), ("recognised qualification", "hidden character"),
    ]  # fmt: skip
    assert report.verdict is Verdict.VALID
