"""A skills passport as a summary of competencies: what its valid credentials certify, grouped.

The passport's report is a verdict per credential; the summary is what an employer reads first:
the ESCO skills and occupations certified, each with the highest EQF level a credential aligned to
it gives, the programmes (each credential by its name, issuer by name, dates and verdict), the
accredited issuers (a work-experience attestation's employer, a name it gives itself, only on its
programme's line with its assurance), and the highest EQF level overall. Only VALID credentials count
toward the competencies; every other one is still listed, with its verdict, so nothing is hidden.
When any of the passport's own checks fails (not signed by its holder, a credential about someone
else, expired, made for another audience or challenge, a credential twice), the passport is INVALID
and nothing counts: nothing in it is shown as certified, each credential is listed with its own
verdict, not counted.

Built from the reports' JSON (`shapes.VerifyReport`, each with what it certifies, read by
formats/certified.py): pure, the same for a local verification and for a service's answer, so the
CLI summarises an earlier service's report that carried none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

from registry.ops.verify.shapes import (
    Area,
    Competencies,
    HolderName,
    HolderWriting,
    Party,
    Programme,
    Verdict,
    VerifyReport,
)

_AREAS = (("skill", "skills"), ("occupation", "occupations"))
# A work-experience attestation (`assurance`: a registered organisation, not an accredited awarding
# body) attests the work done, its occupation: the skills and the EQF level it may also name are its
# issuer's word, never certified, so they count for nothing (anyone may register a DID and sign one).
_ATTESTED_AREAS = (("occupation", "occupations"),)


def summarise(credentials: Sequence[VerifyReport], holder: str | None, checks: Sequence[Any] = ()) -> Competencies:
    """The summary of a passport whose credentials' reports are `credentials` and whose own checks
    (as JSON, `name` and `outcome`) are `checks`: when one of those failed, nothing counts."""
    refused = [c.get("name") for c in checks if isinstance(c, dict) and c.get("outcome") == "fail"]
    programmes = [_programme(n, report, not refused) for n, report in enumerate(credentials, 1)]
    counted: list[tuple[Programme, dict[str, Any]]] = [
        (p, _certified(credentials[p["number"] - 1])) for p in programmes if p["counted"]
    ]
    areas: dict[tuple[str, str], Area] = {}
    issuers: dict[tuple[str | None, str | None], Party] = {}
    for programme, certified in counted:
        for kind, key in _AREAS if "assurance" not in programme else _ATTESTED_AREAS:
            for entry in certified.get(key) or []:
                _add_area(areas, kind, entry, programme)  # type: ignore[arg-type]
        party = programme["issuer"]
        if "assurance" not in programme:  # an attestation's employer names itself: only on its own line, badged
            issuers.setdefault((party["did"], party["name"]), party)
    levels = [p["eqf_level"] for p, _ in counted if p["eqf_level"] is not None]
    names = _holder_names(counted)
    summary: Competencies = {
        "holder": {"did": holder, "name": names[0]["name"] if names else None, "document": None},
        "highest_eqf_level": max(levels) if levels else None,
        "skills": _sorted([a for a in areas.values() if a["kind"] == "skill"]),
        "occupations": _sorted([a for a in areas.values() if a["kind"] == "occupation"]),
        "issuers": list(issuers.values()),
        "programmes": programmes,
        "counted": len(counted),
        "note": _note(len(counted), len(programmes), refused),
    }
    if len(names) > 1 or any("written" in n for n in names):  # one person, by her DID, named differently
        summary["holder_names"] = names
    if any("recognition" in report for report in credentials):
        summary["national_equivalents"] = _equivalents(credentials, [p["number"] for p, _ in counted])
    return summary


def _holder_names(counted: list[tuple[Programme, dict[str, Any]]]) -> list[HolderName]:
    """Each name the counted credentials give their holder, with the credentials giving it, in order;
    the writings of one name (`same_name`: spacing, letter case, Unicode form) are one entry, each
    writing said in its `written`. Nothing else is merged: another letter, a look-alike of another
    script or an invisible character makes another name."""
    return holder_names(
        [(programme["number"], (certified.get("holder") or {}).get("name")) for programme, certified in counted]
    )


def holder_names(given: Sequence[tuple[int, Any]]) -> list[HolderName]:
    """`_holder_names` of (credential number, the name it gives) pairs: also what `passport create`
    says of the credentials it puts in a passport, as `verify` will say it."""
    names: dict[str, HolderName] = {}
    writings: dict[str, dict[str, HolderWriting]] = {}
    for number, name in given:
        if not isinstance(name, str) or not name:
            continue
        key = same_name(name)
        names.setdefault(key, {"name": name, "credentials": []})["credentials"].append(number)
        writings.setdefault(key, {}).setdefault(name, {"name": name, "credentials": []})["credentials"].append(number)
    for key, entry in names.items():
        if len(writings[key]) > 1:
            entry["written"] = list(writings[key].values())
            entry["differences"] = _differences(list(writings[key]))
    return list(names.values())


def same_name(name: str) -> str:
    """What two writings of one name share: NFC, runs of white space as one space, letter case folded."""
    return unicodedata.normalize("NFC", " ".join(unicodedata.normalize("NFC", name).split()).casefold())


def _differences(writings: list[str]) -> list[str]:
    """How the writings of one name differ: "Unicode form" (composed or decomposed accents), "spacing",
    "letter case"."""
    composed = {unicodedata.normalize("NFC", w) for w in writings}
    spaced = {" ".join(w.split()) for w in composed}
    found = []
    if len(composed) < len(set(writings)):
        found.append("Unicode form")
    if len(spaced) < len(composed):
        found.append("spacing")
    if len({w.casefold() for w in spaced}) < len(spaced):
        found.append("letter case")
    return found


def _equivalents(credentials: Sequence[VerifyReport], counted: list[int]) -> list[dict[str, Any]]:
    """The national qualifications the counted credentials are recognised as (ops/recognition/apply.py)."""
    found = []
    for number in counted:
        for decision in (credentials[number - 1].get("recognition") or {}).get("decisions") or []:
            found.append({"credential": number, **{k: decision.get(k) for k in
                          ("qualification", "level", "framework_name", "conditions", "id")}})  # fmt: skip
    return found


def _certified(report: VerifyReport) -> dict[str, Any]:
    certified = report.get("certifies")
    return dict(certified) if isinstance(certified, dict) else {}


def _programme(number: int, report: VerifyReport, holder_ok: bool) -> Programme:
    certified = _certified(report)
    credential = report.get("credential") or {}
    issuer = certified.get("issuer") or {"did": credential.get("issuer"), "name": None}
    verdict = Verdict(report["verdict"]) if report.get("verdict") in set(Verdict) else Verdict.INDETERMINATE
    assurance = _assurance(report)
    eqf = certified.get("eqf_level") if assurance is None else None  # an attestation awards no EQF level
    programme: Programme = {
        "number": number,
        "name": certified.get("name") or credential.get("achievement"),
        "verdict": verdict,
        "counted": holder_ok and verdict is Verdict.VALID,
        "issuer": {"did": issuer.get("did"), "name": issuer.get("name")},
        "issued": certified.get("issued") or credential.get("issued"),
        "valid_until": certified.get("valid_until"),
        "eqf_level": eqf if isinstance(eqf, int) else None,
    }
    if assurance:
        programme["assurance"] = assurance
    return programme


def _assurance(report: VerifyReport) -> str | None:
    """What stands in for an accreditation (a work-experience attestation's passing `assurance` check:
    "registered organisation", ops/verify/attestations.py), else None."""
    for check in report.get("checks") or []:
        if isinstance(check, dict) and check.get("name") == "assurance" and check.get("outcome") == "pass":
            value = (check.get("evidence") or {}).get("assurance")
            return value if isinstance(value, str) else None
    return None


def _add_area(
    areas: dict[tuple[str, str], Area], kind: Literal["skill", "occupation"], entry: Any, programme: Programme
) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("uri"), str):
        return
    area = areas.setdefault(
        (kind, entry["uri"]),
        {"kind": kind, "uri": entry["uri"], "label": entry.get("label"), "eqf_level": None, "credentials": []},
    )
    area["label"] = area["label"] or entry.get("label")
    area["credentials"].append(programme["number"])
    level = programme["eqf_level"]
    if level is not None and (area["eqf_level"] is None or level > area["eqf_level"]):
        area["eqf_level"] = level


def _sorted(areas: list[Area]) -> list[Area]:
    """Highest EQF level first, then by label: what an employer looks for first."""
    return sorted(areas, key=lambda a: (-(a["eqf_level"] or 0), (a["label"] or a["uri"]).casefold()))


def _note(counted: int, total: int, refused: list[Any]) -> str:
    if refused:
        return f"nothing counts: the passport failed its {', '.join(map(str, refused))} check"
    if counted == total:
        return f"all {total} credentials are valid and count" if total > 1 else "its credential is valid and counts"
    return f"{counted} of {total} credentials are valid and count; the others are listed with their verdict"
