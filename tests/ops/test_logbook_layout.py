"""The logbook report laid out for people (ops/logbook/layout.py): each of the verifier's reasons
lands on the check it belongs to, a check not reached is skipped, a reason it cannot place is shown
in the verifier's words, and the qualification's check appears only when there is a qualification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from registry.ops.logbook.layout import entry_checks


def _report(verdict: str, reasons: list[str], notes: list[str] | None = None) -> dict[str, Any]:
    return {"verdict": verdict, "reasons": reasons, "notes": notes or []}


def outcomes(report: dict[str, Any], qualified: bool = False) -> dict[str, str]:
    return {c["name"]: c["outcome"] for c in entry_checks(report, qualified)}


def test_each_reason_lands_on_its_check_and_later_checks_are_skipped() -> None:
    moved = outcomes(_report("not valid", ["the entry belongs to another learner's logbook, not this one"]))
    assert moved["logbook"] == "fail" and moved["learner signature"] == "pass"
    assert {moved[n] for n in ("countersignature", "authorisation", "day anchor", "status")} == {"skipped"}
    cause = outcomes(_report("not valid", ["the signer's authorisation was revoked for cause: her sign-offs from "
                                           "2026-12-08 are not trusted"]))  # fmt: skip
    assert cause["authorisation"] == "fail" and cause["day anchor"] == "pass"
    proof = outcomes(_report("not valid", ["the entry's proof does not lead to a day root its provider anchored"]))
    assert proof["day anchor"] == "fail" and proof["status"] == "skipped" and proof["authorisation"] == "pass"
    unsure = outcomes(_report("could not determine", ["the signer's authorisation was revoked for cause (fraud): "
                                                      "ask the provider for its revocation record"]))  # fmt: skip
    assert unsure["authorisation"] == "unknown"


def test_notes_and_the_qualification() -> None:
    backdated = _report("valid", [], ["backdated: dated more than 7 days before its day anchor"])
    assert outcomes(backdated)["backdating"] == "note" and outcomes(backdated)["day anchor"] == "pass"
    assert "qualification" not in outcomes(backdated)
    uncounted = _report("valid", [], ["not counted by the qualification (no proof against its logbook root)"])
    assert outcomes(uncounted, qualified=True)["qualification"] == "note"
    outside = _report("not valid", ["the entry lies outside what the qualification summarises (its period or units)"])
    assert outcomes(outside, qualified=True)["qualification"] == "fail"
    odd = entry_checks(_report("not valid", ["something new the verifier says"]))
    assert odd[-1] == {"name": "entry", "outcome": "fail", "message": "something new the verifier says"}


def test_a_logbook_is_found_from_its_entries_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`registry logbook add .` run inside entries/ (or given the entries directory) means its logbook."""
    from registry.ops.logbook.book import book_directory

    (tmp_path / "book" / "entries").mkdir(parents=True)
    (tmp_path / "book" / "logbook.json").write_text("{}")
    monkeypatch.chdir(tmp_path / "book" / "entries")
    assert book_directory(Path(".")) == Path("..") and book_directory(Path("..")) == Path("..")
    assert book_directory(tmp_path / "book" / "entries") == tmp_path / "book"
    (tmp_path / "other" / "entries").mkdir(parents=True)  # an entries directory of no logbook: as given
    assert book_directory(tmp_path / "other" / "entries") == tmp_path / "other" / "entries"


def test_an_extract_s_names_and_words_signed_elsewhere_are_flagged_never_a_verdict() -> None:
    """The learner's name her enrolment gives (a look-alike: a Cyrillic A), a supervisor's and an entry's
    words written past our tools (a bidi override, a zero-width space): texts to read closely, each once,
    in the report's JSON (formats/flags.py); an activity may span lines; the verdict stays valid."""
    from registry.ops.logbook.reports import EntryReport, ExtractReport

    entries = [
        EntryReport("entry 1", activity="Fit up\nplate joints", workplace="Yard\u200b 3", signer_name="Farah\u202e"),
        EntryReport("entry 2", activity="Welds", workplace="Yard\u200b 3", signer_name="Farah\u202e"),
    ]
    names: dict[str, str | None] = {"learner": "\u0410mina Haddad", "title": "Welding", "provider": "Academy"}
    report = ExtractReport("did:key:zA", "urn:uuid:1", "urn:p@1", [], entries, names=names)
    data = report.to_json()
    assert data["verdict"] == "valid"
    assert [(w["field"], w["problem"]) for w in data["warnings"]] == [
        ("learner name", "mixed scripts"), ("supervisor name", "hidden character"), ("workplace", "hidden character"),
    ]  # fmt: skip
