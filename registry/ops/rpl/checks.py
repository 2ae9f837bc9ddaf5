"""What a verifier adds to the report of an RPL credential (issue #17): its assessor, and, with
`verify --evidence DIR`, the evidence items the holder showed.

The assessor (the `assessor` check, by `registry verify` and the service's POST /verify alike):
the authorisation the credential carries must be the issuing centre's, signed and anchored, role
assessor, naming her, in force on the assessment's date and not revoked by then
(ops/rpl/assessor.py). It fails the credential as any failed check does; a chain
that cannot be asked makes it "could not check".

The evidence (the report's `evidence`): per item, `matched` (a file shown is the very file
assessed), `altered` (a file was shown and is not: that item is not valid) or `not shown`. The
verdict rule: evidence never changes the credential's verdict, which is about the credential (a
holder may show as little as she likes, and an altered copy does not undo a genuine assessment);
an altered item is reported as not valid and makes `registry verify` exit 1, so that a script
relying on what it was shown notices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from registry.errors import ChainUnavailable, InputError
from registry.formats import credential as vcfmt
from registry.formats import rpl
from registry.formats.credential import parse_time
from registry.ops.registry import Registry
from registry.ops.verify.presentation import _passport_verdict
from registry.ops.verify.report import Check, Code, Outcome, PassportReport, Report, verdict_of
from registry.ops.verify.shapes import EvidenceItem, EvidenceReport, Verdict
from registry.text import authorised_as

MAX_FILES = 1000


def add_rpl_checks(report: Report | PassportReport, registry: Registry | None, directory: Path | None) -> bool:
    """The assessor check and (with `directory`) the evidence, for every RPL credential of the report;
    True when a shown evidence file was altered."""
    if isinstance(report, PassportReport):
        before = [inner.verdict for inner in report.credentials]
        altered = [add_rpl_checks(inner, registry, directory) for inner in report.credentials]
        if before != [inner.verdict for inner in report.credentials]:  # an assessor check failed
            report.verdict, report.summary = _passport_verdict(report.checks, report.credentials)
        return any(altered)
    # Only an RPL credential is decoded again (the service calls this for every report it sends).
    is_rpl = rpl.RPL_TYPE in (report.credential.get("types") or ())
    vc = report.vc() if (is_rpl and report.verdict is not Verdict.INVALID) or directory else None
    assessment, items = rpl.rpl_parts(vc) if is_rpl or directory else (None, [])
    if assessment is not None and report.verdict is Verdict.VALID:
        _assessor(report, vc, assessment, registry)
    if directory is None or vc is None:
        return False
    report.evidence = evidence_report(items, directory)
    changed = report.evidence["altered"]
    if changed:  # the verdict stands, and its line says at once why the command exits 1
        report.summary += f"; but {changed} of {len(items)} evidence items shown were altered (not valid)"
    return changed > 0


def _assessor(report: Report, vc: Any, assessment: dict[str, Any], registry: Registry | None) -> None:
    found = assessment.get("assessor")
    assessor: dict[str, Any] = found if isinstance(found, dict) else {}
    issuer = vc.get("issuer") if isinstance(vc, dict) else None
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    check = _assessor_check(registry, str(issuer), assessor, assessment.get("date"))
    report.checks.append(check)
    rows = [(c.code, c.outcome, c.message, c.evidence) for c in report.checks]
    report.verdict, report.summary = verdict_of(rows)
    revoked = (check.evidence or {}).get("revoked") if check.outcome is Outcome.PASS else None
    if isinstance(revoked, dict):  # her earlier assessments stand; whoever relies on this one is told
        report.summary += f"; but the assessor's authorisation was revoked on {revoked['on']} ({revoked['reason']})"


def _assessor_check(registry: Registry | None, issuer: str, assessor: dict[str, Any], date: Any) -> Check:
    # Loaded for an RPL credential only: the logbook's reads it needs are not a plain verifier's.
    from registry.ops.rpl.assessor import assessor_problem, authorised_name

    who = assessor.get("id")
    if registry is None:
        return Check(Code.ASSESSOR, Outcome.UNKNOWN, "could not check: no chain connection")
    later: list[tuple[int, int]] = []
    try:
        problem = assessor_problem(registry, issuer, assessor.get("authorisation"), who, parse_time(str(date)), later)
    except InputError as exc:
        problem = str(exc)
    except ChainUnavailable as exc:
        return Check(Code.ASSESSOR, Outcome.UNKNOWN, f"could not check: {exc}")
    if problem is not None:
        return Check(Code.ASSESSOR, Outcome.FAIL, problem, {"assessor": who})
    name = authorised_name(assessor.get("authorisation"))  # her authorisation holds: the centre's word
    message = (
        f"{authorised_as(str(who), name)} authorised by the issuing centre as an assessor on the assessment's date"
    )
    if not later:
        return Check(Code.ASSESSOR, Outcome.PASS, message, {"assessor": who, "assessorName": name})
    return _revoked_later(who, name, message, later[0])


def _revoked_later(who: Any, name: str | None, message: str, revoked: tuple[int, int]) -> Check:
    """An assessor's authorisation revoked after the assessment. For another reason than cause, what she
    assessed before stands (the centre's word then), said with the date and reason. For cause (reason 2,
    `supervisor revoke --untrusted-from`), her assessments from a day the centre's revocation record names
    are not to be trusted, and the credential does not carry that record: could not check, never valid."""
    from registry.ops.logbook.provider import FOR_CAUSE
    from registry.ops.registry import REASONS

    on = vcfmt.iso(revoked[1])[:10]
    if revoked[0] == FOR_CAUSE:
        return Check(Code.ASSESSOR, Outcome.UNKNOWN, f"could not check: the assessor's authorisation was revoked for "
                     f"cause on {on}: the issuing centre's revocation record says from which day her assessments are "
                     "not trusted, and the credential does not carry it; ask the centre",
                     {"assessor": who, "assessorName": name})  # fmt: skip
    reason = REASONS.get(revoked[0], str(revoked[0]))
    return Check(Code.ASSESSOR, Outcome.PASS, f"{message}; her authorisation was revoked later, on {on} ({reason})",
                 {"assessor": who, "assessorName": name, "revoked": {"on": on, "reason": reason}})  # fmt: skip


def _manifest_entries(directory: Path) -> dict[str, dict[str, Any]]:
    """The manifest entries found in `directory` (any `*.json` that is an evidence manifest), by item id."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json"))[:MAX_FILES]:
        data = rpl.load_manifest(path)
        for entry in data["items"] if data is not None else ():
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                entries.setdefault(entry["id"], entry)
    return entries


def _attestation_state(item: dict[str, Any], entry: dict[str, Any], directory: Path) -> tuple[str, str]:
    file = entry.get("file")
    path = directory / str(file)
    if not isinstance(file, str) or Path(file).name != file or not path.is_file():
        return rpl.NOT_SHOWN, "the attestation file is not in the directory"
    try:
        holder = vcfmt.load_holder_file(path.read_bytes(), file)
        shown = "0x" + vcfmt.credential_hash(holder.credential).hex()
    except (InputError, OSError):
        shown = ""
    if shown == item.get("credentialHash"):
        return rpl.MATCHED, f"{file} is the attestation referenced (verify it too: registry verify {path})"
    return rpl.ALTERED, f"{file} is not the attestation referenced: this item is not valid"


def evidence_report(items: list[dict[str, Any]], directory: Path) -> EvidenceReport:
    """Each evidence item against what `directory` shows of it."""
    if not directory.is_dir():
        raise InputError(f"--evidence {directory} is not a directory")
    entries = _manifest_entries(directory)
    # Without the salts (the manifest `rpl disclose` writes beside the files) no file can be matched.
    missing = "not shown" if entries else f"no evidence manifest in {directory} (`registry rpl disclose`)"
    found: list[EvidenceItem] = []
    for item in items:
        entry = entries.get(str(item.get("id")))
        if entry is None:
            state, message = rpl.NOT_SHOWN, missing
        elif "credentialHash" in item:
            state, message = _attestation_state(item, entry, directory)
        else:
            state, message = rpl.check_file(item, entry, directory)
        found.append({"id": _text(item.get("id")), "name": _text(item.get("name")), "genre": _text(item.get("genre")),
                      "state": state, "message": message})  # type: ignore[typeddict-item]  # fmt: skip
    counts = {state: sum(f["state"] == state for f in found) for state in (rpl.MATCHED, rpl.ALTERED, rpl.NOT_SHOWN)}
    summary = (
        f"{counts[rpl.MATCHED]} of {len(found)} evidence items shown and matched, {counts[rpl.ALTERED]} altered "
        f"(not valid), {counts[rpl.NOT_SHOWN]} not shown"
        if found
        else "the credential names no evidence items: nothing to match"
    )
    if found and not entries:
        summary += f" (no evidence manifest in {directory}: the holder makes it with `registry rpl disclose`)"
    return {"directory": str(directory), "summary": summary, "matched": counts[rpl.MATCHED],
            "altered": counts[rpl.ALTERED], "not_shown": counts[rpl.NOT_SHOWN], "items": found}  # fmt: skip


def _text(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) else None
