"""`logbook show --check`: a logbook's progress with every anchored entry checked on the chain as a
verifier checks it (`verify_extract`; no trust list: which roots to trust is the verifier's question,
not the learner's), so that the hours met are those completion would count. An entry revoked, not
valid or that could not be checked is left out of them and said (`revoked`, `notValid`,
`undetermined` per unit); backdated entries and those dated before the enrolment are counted as the
verifier finds them (by their anchor's time, where the files alone go by the countersignature's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.errors import InputError
from registry.formats.logbook import Extract
from registry.ops.logbook.book import Logbook, Progress, read_json
from registry.ops.logbook.checks import verify_extract
from registry.ops.logbook.completion import TREE_NAME
from registry.ops.logbook.reports import INVALID, REVOKED, UNKNOWN, VALID, EntryReport
from registry.ops.registry import Registry

# A verdict that leaves an entry's hours out, and the unit row's field that holds them.
LEFT_OUT = {REVOKED: "revoked", INVALID: "notValid", UNKNOWN: "undetermined"}


@dataclass
class CheckedProgress:
    progress: Progress
    problems: list[str] = field(default_factory=list)  # the logbook as a whole not valid (nothing counted)
    unknown: list[str] = field(default_factory=list)  # the logbook as a whole could not be checked
    left_out: list[EntryReport] = field(default_factory=list)  # the entries revoked, not valid or undetermined
    # Of those, how many the logbook's qualification (its tree file, when issued) counted: it was
    # issued with them, and a verifier of her extract finds them so.
    counted_before: int = 0

    @property
    def checked(self) -> bool:
        """Whether the entries were checked at all (else the totals are the files')."""
        return not self.problems and not self.unknown


def checked_progress(registry: Registry, book: Logbook, records: list[str]) -> CheckedProgress:
    """The logbook's progress (`Logbook.progress`), its anchored hours checked on the chain."""
    progress = book.progress()
    for row in progress.units:
        row.update({name: 0.0 for name in LEFT_OUT.values()})
    anchored = [f for f in book.entries() if f.anchor is not None]
    if not anchored:
        return CheckedProgress(progress)
    report = verify_extract(registry, Extract(book.programme_token, book.enrolment_token, anchored, []), records)
    result = CheckedProgress(progress, list(report.problems), list(report.unknown))
    if not result.checked:  # the entries were not checked one by one: the totals stay the files'
        return result
    rows, qualified = {row["unit"]: row for row in progress.units}, _qualified(book)
    for row in rows.values():
        row["backdated"] = row["beforeEnrolment"] = 0.0  # as the verifier finds them, below
    for entry in report.entries:
        if entry.unit not in rows:
            continue  # a unit the programme has not: never counted, as the files' totals leave it
        row = rows[entry.unit]
        if entry.verdict != VALID:
            row[LEFT_OUT[entry.verdict]] += entry.hours
            result.left_out.append(entry)
            result.counted_before += entry.id in qualified
        elif entry.before_enrolment:
            row["beforeEnrolment"] += entry.hours
        elif entry.backdated:
            row["backdated"] += entry.hours
    return result


def _qualified(book: Logbook) -> set[str]:
    """The ids of the entries the logbook's qualification counted (its tree file's proofs); none
    when there is no qualification, or its tree file cannot be read."""
    path = book.directory / TREE_NAME
    try:
        proofs = read_json(path, str(path)).get("proofs") if path.is_file() else None
    except (InputError, AttributeError):
        return set()
    return set(proofs) if isinstance(proofs, dict) else set()
