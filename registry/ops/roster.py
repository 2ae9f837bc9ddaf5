"""Cohort rosters: who gets which credential, from CSV or JSON.

CSV columns (header row required): `holder` (a DID, or a local identity name), `name`, and
optionally `description`, `criteria`, `achievement_type`, `skills` (`URI=label` pairs separated
by `|`), `eqf` (1-8). JSON: a list of objects with the same keys (`skills` may be a list of
`{"uri", "label"}` objects).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.formats import safejson
from registry.formats.credential import Achievement, Skill

MAX_ROSTER_BYTES = 64 * 1024 * 1024


def _skills(value: Any, where: str) -> tuple[Skill, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, list):
        try:
            return tuple(Skill(str(v["uri"]), str(v.get("label", ""))) for v in value)
        except (TypeError, KeyError) as exc:
            raise InputError(f"{where}: skills must be objects with a uri") from exc
    skills = []
    for part in str(value).split("|"):
        uri, sep, label = part.strip().partition("=")
        if not sep:
            raise InputError(f"{where}: skill {part[:60]!r} must be URI=label")
        skills.append(Skill(uri.strip(), label.strip()))
    return tuple(skills)


def _row(row: dict[str, Any], where: str, resolve_holder: Callable[[str], str]) -> tuple[str, Achievement]:
    holder = str(row.get("holder") or "").strip()
    name = str(row.get("name") or "").strip()
    if not holder or not name:
        raise InputError(f"{where}: holder and name are required")
    eqf_text = row.get("eqf")
    try:
        eqf = int(eqf_text) if eqf_text not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: eqf must be a number from 1 to 8") from exc
    achievement = Achievement(
        name=name,
        description=str(row.get("description") or name),
        criteria=str(row.get("criteria") or "Assessed by the issuer."),
        achievement_type=str(row.get("achievement_type") or "Certificate"),
        skills=_skills(row.get("skills"), where),
        eqf_level=eqf,
    )
    achievement.to_json()  # validates skill URIs and the EQF level now, with the row named
    return resolve_holder(holder), achievement


def load_roster(path: Path, resolve_holder: Callable[[str], str]) -> list[tuple[str, Achievement]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read roster {path}: {exc.strerror}") from exc
    if len(raw) > MAX_ROSTER_BYTES:
        raise InputError(f"roster {path} is larger than 64 MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"roster {path} is not UTF-8 text") from exc
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        rows = safejson.loads(text, f"roster {path}")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputError(f"roster {path} must be a JSON list of objects")
        return [_row(r, f"{path.name} entry {n}", resolve_holder) for n, r in enumerate(rows, 1)]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "holder" not in reader.fieldnames or "name" not in reader.fieldnames:
        raise InputError(f"roster {path} needs a header row with at least holder and name")
    return [_row(r, f"{path.name} line {n}", resolve_holder) for n, r in enumerate(reader, 2)]
