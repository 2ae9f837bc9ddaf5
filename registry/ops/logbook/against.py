"""An extract checked against the qualification that summarises its logbook.

The qualification must be the programme's provider's (signed by it, anchored by it, not revoked),
valid against the schema it names, about this learner and this logbook. Each entry shown with a
proof must lead, by the same leaf its day anchor proves, to the logbook root the qualification
names, and be dated within the summary's period; an entry shown without one is noted as not counted.
The entries proven in the root cannot add up to more than the summary says (per unit, entries and
hours; in all, entries and hours): if they do, the summary is not theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.contracts.statusword import Purpose
from registry.errors import InputError
from registry.formats import jwt, ownschemas
from registry.formats.logbook import EntryFile
from registry.formats.logbook.summary import Summary, parse_summary, root_from_proof
from registry.ops.logbook.reports import Context, EntryReport
from registry.ops.registry import REASONS
from registry.ops.statusentries import parse_status_entry, status_entries


def _schema_problem(vc: dict[str, Any]) -> tuple[str | None, str | None]:
    """(problem, could-not-determine) of the qualification against the schema it names."""
    from registry.ops.verify.schemas import named_schemas, validator_for

    wanted = ownschemas.id_of(ownschemas.QUALIFICATION)
    ids = [ownschemas.id_in_url(url) for url in named_schemas(vc)]
    if wanted not in ids:
        return "the qualification does not name the logbook qualification schema", None
    validator = validator_for(wanted, [])
    if isinstance(validator, str):
        return None, f"the qualification's schema could not be had: {validator}"
    error = next(iter(validator.iter_errors(vc)), None)
    if error is not None:
        return f"the qualification does not validate against its schema: {str(error).splitlines()[0][:200]}", None
    return None, None


def _revoked(ctx: Context, payload: dict[str, Any]) -> str | None:
    for entry in status_entries(payload):
        try:
            _did, account, purpose, number, index = parse_status_entry(entry)
        except InputError as exc:
            return f"the qualification's status entry cannot be read: {exc}"
        if purpose != Purpose.REVOCATION:
            continue
        if (found := ctx.reads.revocation(ctx.programme.provider, account, number, index)) is not None:
            return f"the qualification was revoked ({REASONS.get(found[0], f'code {found[0]}')})"
    return None


def _qualification(ctx: Context, token: str, problems: list[str], unknown: list[str]) -> Summary | None:
    """The qualification's summary when the qualification itself stands; else why not."""
    provider = ctx.programme.provider
    try:
        parsed = jwt.parse(token)
        vc = parsed.payload.get("vc")
        if not isinstance(vc, dict):
            raise InputError("it is not a JWT-VC")
        summary = parse_summary(vc.get("credentialSubject", {}).get("logbook"))
    except (InputError, AttributeError) as exc:
        problems.append(f"the qualification cannot be read: {exc}")
        return None
    if not ctx.reads.provider_signed(parsed, provider) or ctx.reads.anchored(provider, token) is None:
        problems.append("the qualification is not signed and anchored by the programme's provider")
        return None
    problem, undetermined = _schema_problem(vc)
    subject = vc.get("credentialSubject", {})
    if subject.get("id") != ctx.learner or summary.logbook != ctx.logbook or summary.programme != ctx.programme.ref:
        problem = "the qualification summarises another learner's logbook or another programme"
    problem = problem or _revoked(ctx, parsed.payload)
    if problem is not None:
        problems.append(problem)
    if undetermined is not None:
        unknown.append(undetermined)
    return summary if problem is None and undetermined is None else None


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _totals(summary: Summary, proven: list[EntryReport], problems: list[str]) -> None:
    for unit, (entries, hours) in summary.units.items():
        mine = [r for r in proven if r.unit == unit]
        shown = sum(r.hours for r in mine)
        if len(mine) > entries or shown > hours + 1e-9:
            problems.append(
                f"the entries shown claim more than the qualification's summary: unit {unit}, {_entries(len(mine))} "
                f"and {shown:g} h shown, {_entries(entries)} and {hours:g} h summarised"
            )
    if len(proven) > summary.entries or sum(r.hours for r in proven) > summary.hours + 1e-9:
        problems.append("the entries shown claim more than the qualification's summary in all")


def check_against(
    ctx: Context,
    qualification: dict[str, Any],
    files: Sequence[EntryFile],
    reports: list[EntryReport],
    problems: list[str],
    unknown: list[str],
) -> dict[str, Any] | None:
    """Check `reports` (one per file) against the qualification; the summary as the report shows it."""
    summary = _qualification(ctx, str(qualification.get("credential")), problems, unknown)
    if summary is None:
        return None
    proofs = qualification.get("proofs") or {}
    proven = []
    for f, report in zip(files, reports, strict=True):
        proof = proofs.get(report.id)
        if proof is None:
            report.notes.append("not counted by the qualification (no proof against its logbook root)")
        elif f.countersignature is None or f.anchor is None or root_from_proof(f, proof) != summary.root:
            report.invalid.append("the entry's proof does not lead to the logbook root the qualification names")
        elif not summary.period[0] <= report.date <= summary.period[1] or report.unit not in summary.units:
            report.invalid.append("the entry lies outside what the qualification summarises (its period or units)")
        else:
            proven.append(report)
    _totals(summary, proven, problems)
    return {"root": summary.root, "entries": summary.entries, "hours": summary.hours,
            "period": list(summary.period), "shown": len(proven)}  # fmt: skip
