"""A decision's status as of a time, from its history (pure), and a passport summary's national
equivalents built from its credentials' recognition findings."""

from __future__ import annotations

from typing import Any

from registry.errors import InputError
from registry.ops.recognition.model import Decision, DecisionRevision, DecisionStatus
from registry.ops.verify.summary import summarise

A, S, R = DecisionStatus.ACTIVE, DecisionStatus.SUSPENDED, DecisionStatus.REVOKED


def test_the_status_as_of_a_time_comes_from_the_history() -> None:
    revisions = (DecisionRevision(A, 0, 100, 1), DecisionRevision(S, 3, 200, 2), DecisionRevision(A, 4, 300, 3),
                 DecisionRevision(R, 5, 400, 4))  # fmt: skip
    decision = Decision(b"\x01" * 32, b"", b"", b"", R, 50, 1000, 1, revisions)
    assert [decision.status_at(t) for t in (99, 100, 250, 300, 401)] == [DecisionStatus.NONE, A, S, A, R]
    assert decision.not_applying(150) is None and decision.not_applying(350) is None
    assert str(decision.not_applying(99)).startswith("not yet published")
    assert str(decision.not_applying(250)).startswith("suspended on") and "under review" in str(
        decision.not_applying(250)
    )
    assert "withdrawn" in str(decision.not_applying(500))
    window = Decision(b"\x02" * 32, b"", b"", b"", A, 150, 180, 1, revisions[:1])
    assert str(window.not_applying(120)).startswith("applies only from")
    assert str(window.not_applying(180)).startswith("applied until")


def _report(verdict: str, recognition: dict[str, Any] | None) -> Any:
    report: dict[str, Any] = {"source": "x", "verdict": verdict, "summary": "", "checks": [], "credential": {},
                              "certifies": None, "checked_at": ""}  # fmt: skip
    if recognition is not None:
        report["recognition"] = recognition
    return report


def test_a_passport_summary_shows_the_national_equivalents_of_what_counts() -> None:
    found = {"outcome": "recognised", "decisions": [{"qualification": "Schweißer/in", "level": "4",
             "framework_name": "German Qualifications Framework (DQR)", "conditions": None, "id": "0xab"}]}  # fmt: skip
    summary = summarise([_report("valid", found), _report("invalid", found)], None)
    assert summary["national_equivalents"] == [
        {"credential": 1, "qualification": "Schweißer/in", "level": "4",
         "framework_name": "German Qualifications Framework (DQR)", "conditions": None, "id": "0xab"}
    ]  # fmt: skip
    assert "national_equivalents" not in summarise([_report("valid", None)], None)  # not asked: not there


def test_a_decision_is_named_whole_or_by_the_start_verify_prints() -> None:
    import pytest

    from registry.ops.recognition.ids import AmbiguousDecision, UnknownDecision, decision_ref, short_id

    one, two, other = bytes.fromhex("ab12cd34" + "0" * 56), bytes.fromhex("ab12cd35" + "1" * 56), b"\x77" * 32
    for given in (short_id(one), short_id(one).removesuffix("…"), "AB12CD34...", "0x" + one.hex()):
        assert decision_ref(given).among([one, two, other], "X", "list them") == one, given
    assert short_id(one) == "0xab12cd34…"  # what `verify` prints
    with pytest.raises(AmbiguousDecision) as ambiguous:
        decision_ref("0xab12").among([one, two, other], "the office", "list them")
    # Each candidate named by as many digits as tell them apart, each one a start the commands take.
    assert str(ambiguous.value) == ("0xab12… is the start of 2 decisions of the office (0xab12cd34…, 0xab12cd35…): "
                                    "give more of its digits")  # fmt: skip
    with pytest.raises(UnknownDecision, match=r"^no recognition decision of the office starts with 0xffff…: list"):
        decision_ref("ffff").among([one], "the office", "list them")
    assert decision_ref("0x" + "9" * 64).among([], "the office", "-") == b"\x99" * 32  # whole: read as given
    for wrong in ("0xab1", "0xzz12", "0x" + "1" * 65, ""):
        with pytest.raises(InputError, match="is not a decision id: give it whole"):
            decision_ref(wrong)
