"""A checked extract laid out for people (the service's POST /api/logbook/verify, the page): the
programme's units in order, each with its entries (date, activity, hours, workplace, who signed it
off) and each entry's checks one by one, then the verdict.

The checks are read off the verifier's report (ops/logbook/checks.py) in the order it makes them:
the learner's signature, membership of this learner's logbook, the entry's date against the
learner's enrolment (one before it is a note: shown, never counted), the countersignature, the signer's
authorisation on the entry's date, the day anchor, the entry's status, and the backdating finding.
A check the verifier did not reach (an earlier one failed) is "skipped"; a reason this module
cannot place is shown as its own failed check, in the verifier's words, so nothing is hidden.
"""

from __future__ import annotations

from typing import Any

from registry.errors import InputError
from registry.formats.logbook import Extract, Programme
from registry.formats.logbook.records import signed_by
from registry.ops.logbook.checks import VALID, ExtractReport
from registry.ops.logbook.provider import programme_of

# (check, the phrases of the verifier's reasons that belong to it), in the verifier's order.
CHECKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("learner signature", ("learner's signature",)),
    ("logbook", ("another learner's logbook", "programme has no unit")),
    ("enrolment", ("before enrolment",)),
    ("countersignature", ("is not countersigned", "the countersignature")),
    ("authorisation", ("authoris", "signed off by an")),
    ("day anchor", ("day anchor", "day root", "anchored")),
    ("status", ("the entry was revoked",)),
    ("backdating", ("backdated",)),
    ("qualification", ("qualification",)),  # only when the extract carries one (ops/logbook/against.py)
)
_AFTER_LEARNER = ("enrolment", "countersignature", "authorisation", "day anchor", "status", "backdating")


def _category(reason: str) -> str | None:
    return next((name for name, phrases in CHECKS if any(p in reason for p in phrases)), None)


def entry_checks(report: dict[str, Any], qualified: bool = False) -> list[dict[str, Any]]:
    """[{name, outcome (pass|fail|unknown|skipped|note), message}] of one entry's report (to_json);
    `qualified`: the extract carries a qualification, against which each entry was checked too."""
    found: dict[str, tuple[str, str]] = {}
    extra = []
    for reason in report["reasons"]:
        name = _category(reason)
        outcome = "unknown" if report["verdict"] == "could not determine" else "fail"
        if name is None:
            extra.append({"name": "entry", "outcome": outcome, "message": reason})
        elif name not in found:
            found[name] = (outcome, reason)
    for note in report["notes"]:
        name = "backdating" if "backdated" in note else _category(note)
        if name is None:
            extra.append({"name": "entry", "outcome": "note", "message": note})
        else:
            found.setdefault(name, ("note", note))
    skipped: set[str] = set()
    if any(found.get(n, ("",))[0] == "fail" for n in ("learner signature", "logbook")):
        skipped.update(_AFTER_LEARNER)
    if found.get("countersignature", ("",))[0] == "fail":
        skipped.add("authorisation")
    if found.get("day anchor", ("",))[0] == "fail":
        skipped.update(("status", "backdating"))
    if found.get("day anchor", ("",))[0] == "fail" or "logbook" in skipped:
        skipped.add("qualification")
    checks = []
    for name, _ in CHECKS:
        if name == "qualification" and not qualified:
            continue
        outcome, message = found.get(name, ("skipped" if name in skipped else "pass", ""))
        checks.append({"name": name, "outcome": outcome, "message": message})
    return checks + extra


def _signer(token: str | None) -> dict[str, Any] | None:
    if token is None:
        return None
    try:
        a = signed_by(token, "supervisor-authorisation+jwt").payload
    except InputError:
        return None
    subject = a.get("vc", {}).get("credentialSubject", {}) if isinstance(a.get("vc"), dict) else {}
    name = subject.get("name") if isinstance(subject.get("name"), str) else None
    return {"did": str(a.get("sub")), "name": name, "role": subject.get("role")}


def _entry(f: Any, report: dict[str, Any] | None, qualified: bool) -> dict[str, Any]:
    try:
        p = signed_by(f.entry, "logbook-entry+jwt").payload
    except InputError:
        p = {}
    row = {key: p.get(key) for key in ("date", "unit", "activity", "hours", "workplace", "evidence")}
    row.update(id=str(p.get("jti")), supervisor=_signer(f.authorisation), counted=False)
    if report is None:
        row.update(verdict=None, reasons=[], notes=[], checks=[])
    else:
        row.update(verdict=report["verdict"], reasons=report["reasons"], notes=report["notes"],
                   checks=entry_checks(report, qualified))  # fmt: skip
    return row


def _programme(extract: Extract) -> Programme | None:
    try:
        return programme_of(extract.programme)
    except InputError:
        return None


def laid_out(extract: Extract, report: ExtractReport) -> dict[str, Any]:
    """The report (`ExtractReport.to_json()`), with `units`: each of the programme's units, its
    entries and its tally as completion counts it (`validHours`: hours of the entries that are valid,
    not backdated and not dated before the learner's enrolment, each such entry `counted`;
    `backdatedHours`: those of valid entries dated before the programme's backdating window;
    `beforeEnrolmentHours`: those of valid entries dated before her enrolment day, each
    `beforeEnrolment`: both shown, never counted); entries naming no unit of it come last."""
    result = report.to_json()
    reports = result["entries"]
    qualified = result.get("qualification") is not None
    rows = [_entry(f, reports[n] if n < len(reports) else None, qualified) for n, f in enumerate(extract.entries)]
    for row, checked in zip(rows, report.entries, strict=False):
        row["counted"] = checked.counts
        row["beforeEnrolment"] = checked.verdict == VALID and checked.before_enrolment
    programme = _programme(extract)
    units = []
    for unit in programme.units if programme is not None else ():
        mine = [r for r in rows if r["unit"] == unit.id]
        valid = sum(float(r["hours"] or 0) for r in mine if r["counted"])
        early = sum(float(r["hours"] or 0) for r in mine if r.get("beforeEnrolment"))
        late = sum(float(r["hours"] or 0) for r in mine if r["verdict"] == VALID and not r["counted"]) - early
        units.append({"id": unit.id, "title": unit.title, "hours": unit.hours, "signer": unit.signer,
                      "validHours": valid, "backdatedHours": late, "beforeEnrolmentHours": early,
                      "entries": mine})  # fmt: skip
    placed = {u["id"] for u in units}
    others = [r for r in rows if r["unit"] not in placed]
    if others:  # none of them valid: the programme has no such unit
        units.append({"id": None, "title": None, "hours": 0, "signer": None, "validHours": 0.0, "backdatedHours": 0.0,
                      "beforeEnrolmentHours": 0.0, "entries": others})  # fmt: skip
    if programme is not None:
        result["programmeTitle"] = programme.title
        result["provider"] = programme.provider
        result["backdatingDays"] = programme.backdating_days
    result["units"] = units
    return result
