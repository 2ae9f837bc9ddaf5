"""How `registry logbook verify` prints its report (registry/ops/logbook/reports.py's
`ExtractReport`): the verdict line with a tally, the learner, programme and provider by name, the
qualification's line, then each entry."""

from __future__ import annotations

from typing import Any

from registry.cli.output import count, out
from registry.text import shown


def _tally(entries: list[Any]) -> str:
    """ "4 valid, 1 not valid" (in the order met)."""
    found: dict[str, int] = {}
    for e in entries:
        found[e.verdict] = found.get(e.verdict, 0) + 1
    return ", ".join(f"{n} {verdict}" for verdict, n in found.items())


def print_report(report: Any) -> None:
    mixed = len({e.verdict for e in report.entries}) > 1
    out.print(f"{report.verdict}: {count(report.count, 'entry')} of logbook {shown(report.logbook)}"
              + (f" ({_tally(report.entries)})" if mixed else ""))  # fmt: skip
    names = report.names
    if report.learner:
        out.print(f"  learner: {shown(names.get('learner') or report.learner)}")
    if names.get("title"):
        out.print(f"  programme: {shown(names['title'])} ({shown(report.programme)})")
    if names.get("providerDid"):
        did = shown(names["providerDid"])
        out.print(f"  provider: {shown(names['provider'])} ({did})" if names.get("provider") else f"  provider: {did}")
    if report.qualification is not None:
        _print_against(report)
    for problem in report.problems + report.unknown:
        out.print(f"  {shown(problem)}")
    for note in report.notes:
        out.print(f"  note: {shown(note)}")
    for e in report.entries:
        why = "; ".join(e.to_json()["reasons"] + e.notes)
        out.print(f"  {shown(e.date)} {shown(e.unit)} {e.hours:g} h: {e.verdict}" + (f" ({shown(why)})" if why else ""))


def _print_against(report: Any) -> None:
    """The qualification's line, and when only entries it did not count make the verdict, that."""
    q = report.qualification
    outside = [e for e in report.entries if any(n.startswith("not counted by the qualification") for n in e.notes)]
    line = f"  against the qualification: {q['shown']} of its {q['entries']} entries shown, root {q['root']}"
    out.print(line + (f"; {len(outside)} shown that it did not count ({_tally(outside)})" if outside else ""))
    counted = [e for e in report.entries if e not in outside]
    if (
        report.verdict != "valid"
        and not report.problems + report.unknown
        and all(e.verdict == "valid" for e in counted)
    ):
        out.print(
            "  the qualification stands, and every entry shown that it counted is valid: the verdict comes from "
            "entries shown that it did not count (`registry logbook share` without --all or --entry leaves them out)"
        )
