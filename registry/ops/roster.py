"""Cohort rosters: who gets which credential, from CSV or JSON.

CSV columns (header row required; separated by commas, or by the semicolons or tabs a spreadsheet
saves with, whichever the header reads whole with; a BOM and a spreadsheet's empty rows are
ignored): `holder` (a DID, or a local identity name; empty for a person
who has no key yet, whose `holder_name` is then required: the centre makes her key, ops/people.py),
`name`, and optionally `description`, `criteria`, `achievement_type`, `skills` (`URI=label` pairs
separated by `|`), `eqf` (1-8), `occupations` (ESCO occupation `URI=label` pairs, as skills), and the
holder's `holder_name` and `holder_document` (a document reference), which go into that holder's
credential only, never on-chain; `credits` (ECTS points, as text: europass credentials only); and
the name, description and criteria in more languages, a column each (`name@fr`, `criteria@ar`:
europass credentials only, written as ELM language maps beside the English of the plain columns).
JSON: a list of objects with the same keys (`skills` may be a list of `{"uri", "label"}` objects).

Nothing is coerced into credential content: text fields must be text (JSON strings), `eqf` an
integer (a JSON integer, or digits), every skill needs a label, CSV quoting must be well formed
and a CSV row may not hold more fields than the header (an unquoted comma in a description would
otherwise cut it short). Every refusal names the row: "<file> line N: ..." for CSV (the line the
row starts on), "<file> entry N: ..." for JSON.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from registry.errors import InputError, KeyStoreError
from registry.files import read_capped
from registry.formats import safejson
from registry.formats.credential import Achievement, Occupation, Skill, translation
from registry.formats.europass import check_credits
from registry.ops.handover import check_holder_name
from registry.text import short_did

MAX_ROSTER_BYTES = 64 * 1024 * 1024
_TEXT_FIELDS = (
    "holder", "name", "description", "criteria", "achievement_type", "holder_name", "holder_document", "credits",
)  # fmt: skip
_DIGITS = re.compile(r"[0-9]+")


def _kind(value: Any) -> str:
    """How a JSON value is called in an error message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _text(row: dict[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}: {key} must be text, not {_kind(value)}")
    return value.strip()


def _eqf(value: Any, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    shown = repr(value) if isinstance(value, str | float) else _kind(value)
    raise InputError(f"{where}: eqf must be a whole number from 1 to 8, not {shown[:40]}")


def _skill(uri: str, label: str, where: str) -> Skill:
    uri, label = uri.strip(), label.strip()
    if not label:
        raise InputError(f"{where}: skill {uri[:80]!r} has an empty label")
    return Skill(uri, label)


def _skills(value: Any, where: str) -> tuple[Skill, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        skills = []
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get("uri"), str):
                raise InputError(f"{where}: skills must be objects with a uri")
            label = entry.get("label")
            if not isinstance(label, str):
                raise InputError(f"{where}: skill {entry['uri'][:80]!r} needs a label (text)")
            skills.append(_skill(entry["uri"], label, where))
        return tuple(skills)
    if not isinstance(value, str):
        raise InputError(f"{where}: skills must be URI=label text or a list of objects, not {_kind(value)}")
    parsed = []
    for part in value.split("|"):
        uri, sep, label = part.strip().partition("=")
        if not sep:
            raise InputError(f"{where}: skill {part[:60]!r} must be URI=label")
        parsed.append(_skill(uri, label, where))
    return tuple(parsed)


def _row(row: dict[str, Any], where: str, resolve_holder: Callable[[str], str]) -> tuple[str, Achievement]:
    text = {key: _text(row, key, where) for key in _TEXT_FIELDS}
    if not text["name"]:
        raise InputError(f"{where}: name (the qualification) is required")
    if not text["holder"] and not text["holder_name"]:
        raise InputError(f"{where}: a holder's did:key, or the holder_name of a person who has none, is required")
    if text["holder_name"]:
        text["holder_name"] = check_holder_name(text["holder_name"], where)
    skills, eqf = _skills(row.get("skills"), where), _eqf(row.get("eqf"), where)
    occupations = tuple(Occupation(s.uri, s.label) for s in _skills(row.get("occupations"), where))
    try:
        achievement = Achievement(
            name=text["name"],
            description=text["description"] or text["name"],
            criteria=text["criteria"] or "Assessed by the issuer.",
            achievement_type=text["achievement_type"] or "Certificate",
            skills=skills,
            eqf_level=eqf,
            occupations=occupations,
            holder_name=text["holder_name"] or None,
            holder_document=text["holder_document"] or None,
        )
        if text["credits"]:
            achievement = replace(achievement, credits=check_credits(text["credits"]))
        achievement = replace(achievement, translations=_translations(row, where))
        achievement.to_json()  # validates skill URIs and the EQF level now, with the row named
        holder = resolve_holder(text["holder"]) if text["holder"] else ""
    except (InputError, KeyStoreError) as exc:
        raise type(exc)(f"{where}: {exc}") from exc
    return holder, achievement


def _translations(row: dict[str, Any], where: str) -> tuple[tuple[str, str, str], ...]:
    """The row's `FIELD@LANGUAGE` columns (`name@fr`, `description@ar`, ...): an empty one is none."""
    found = []
    for key in sorted(k for k in row if isinstance(k, str) and "@" in k):
        text = _text(row, key, where)
        if text:
            field, _, language = key.partition("@")
            found.append(translation(language, field, text, f"column {key[:40]}"))
    return tuple(found)


def _csv_rows(text: str, path: Path) -> Iterator[tuple[dict[str, Any], str]]:
    """(row as a dict, "<file> line N") for each data row; strict quoting, no field beyond the header."""
    name = path.name
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text, _has_columns), strict=True)
    header: list[str] | None = None
    last = 0
    while True:
        start = last + 1
        try:
            fields = next(reader)
        except StopIteration:
            if header is None:
                raise InputError(f"roster {path} needs a header row with name and holder (or holder_name)") from None
            return
        except csv.Error as exc:
            raise InputError(f"{name} line {start}: malformed CSV ({exc})") from exc
        last = reader.line_num
        if not any(field.strip() for field in fields):  # a blank line, or a spreadsheet's empty row (";;;;")
            continue
        where = f"{name} line {start}"
        if header is None:
            header = [_column(field) for field in fields]  # "Holder, Name" as "holder,name"
            _check_header(header, path)
            continue
        if len(fields) > len(header):
            raise InputError(
                f"{where}: {len(fields)} fields where the header has {len(header)} (quote a value that holds a comma)"
            )
        yield dict(zip(header, fields, strict=False)), where


def delimiter_of(text: str, fits: Callable[[set[str]], bool]) -> str:
    """What separates a CSV's columns: a comma, else the semicolon or tab of a spreadsheet's export
    where the header reads with it into the columns it needs (`fits`: a French or Arabic Excel or
    LibreOffice saves "CSV" with semicolons), so such a file is read as saved rather than refused."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    for delimiter in (",", ";", "\t"):
        if fits({_column(field) for field in next(csv.reader([header], delimiter=delimiter), [])}):
            return delimiter
    return next((d for d in (",", ";", "\t") if d in header), ",")  # read as it seems, for the refusal


def roster_delimiter(path: Path) -> str:
    """What separates the columns of the roster at `path` (a JSON roster: a comma), for the files
    written back to the centre from it (the sheet of one-time passphrases): a roster a French or
    Arabic spreadsheet saved with semicolons gets a sheet with semicolons, which it opens in columns."""
    text = spreadsheet_text(read_capped(path, MAX_ROSTER_BYTES, f"roster {path}"), f"roster {path}")
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        return ","
    return delimiter_of(text, _has_columns)


def _has_columns(columns: set[str]) -> bool:
    return "name" in columns and bool({"holder", "holder_name"} & columns)


def _column(field: str) -> str:
    """A header's column name as a spreadsheet may write it (capitals, spaces around it); a
    translation column's language after `@` is kept as written (it must be a code: `name@fr`)."""
    name, at, language = field.strip().partition("@")
    return name.lower() + at + language


def _check_header(header: list[str], path: Path) -> None:
    """The header names `name` and `holder` (or `holder_name`): a refusal names the missing column and
    the header as read (a column named otherwise, another separator), so the fix is plain."""
    missing = [] if "name" in header else ["name"]
    if not {"holder", "holder_name"} & set(header):
        missing.append("holder (or holder_name)")
    if not missing:
        return
    found = ",".join(header)
    hint = "; columns are separated by commas (or semicolons, or tabs)" if re.search(r"[|:]", found) else ""
    raise InputError(
        f"roster {path.name}: its header row has no {' and no '.join(missing)} column "
        f"(it reads {found[:120]!r}{hint}); a roster's columns: name, holder (a did:key) and/or holder_name, "
        "and any of description, criteria, achievement_type, skills, eqf, occupations, holder_document, credits"
    )


# How a workbook file starts: .xlsx and .ods are zip files, .xls an OLE compound file.
_WORKBOOKS = (b"PK\x03\x04", bytes.fromhex("d0cf11e0a1b11ae1"))


def spreadsheet_text(raw: bytes, what: str = "the file") -> str:
    """A CSV's text: UTF-8 (a BOM, as Excel's "CSV UTF-8" writes, left out), or UTF-16 with its BOM
    (Excel's "Unicode Text", tab-separated: how older Excel saves Arabic names whole). A workbook
    (.xlsx, .ods, .xls) given as it is is refused saying how to save it as CSV."""
    if raw.startswith(_WORKBOOKS):
        raise InputError(
            f"{what} is a spreadsheet workbook (Excel or LibreOffice), not CSV: save the sheet as CSV "
            '(Save As, "CSV UTF-8"; LibreOffice: "Text CSV", character set UTF-8) and give that file'
        )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def load_roster(path: Path, resolve_holder: Callable[[str], str]) -> list[tuple[str, Achievement]]:
    raw = read_capped(path, MAX_ROSTER_BYTES, f"roster {path}")
    try:
        text = spreadsheet_text(raw, f"roster {path}")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"roster {path} is not UTF-8 text (line {raw[: exc.start].count(bytes([10])) + 1}): save it as UTF-8 "
            '(a spreadsheet\'s "CSV UTF-8"), so that names in every script are read as written'
        ) from exc
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        rows = safejson.loads(text, f"roster {path}")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputError(f"roster {path} must be a JSON list of objects")
        placed = _rows(((r, f"{path.name} entry {n}") for n, r in enumerate(rows, 1)), path.name, resolve_holder)
        if not placed:
            raise InputError(f"roster {path} is an empty list: add one object per credential with name and holder")
    elif not text.strip():
        raise InputError(f"roster {path} is empty: put a header row (name,holder) and one row per credential under it")
    else:
        placed = _rows(_csv_rows(text, path), path.name, resolve_holder)
        if not placed:
            raise InputError(f"roster {path} has a header but no rows: add one row per credential under it")
    _refuse_namesakes(placed, path.name)
    return [entry for entry, _ in placed]


MAX_ROW_PROBLEMS_SHOWN = 5


def _rows(
    rows: Iterator[tuple[dict[str, Any], str]], name: str, resolve_holder: Callable[[str], str]
) -> list[tuple[tuple[str, Achievement], str]]:
    """Every row read, and every row's problem found before any is refused: a centre fixing a roster
    of hundreds of rows sees all its mistakes at once, not one per run. (A CSV that stops parsing
    ends the reading there, its problem said with the others.)"""
    placed: list[tuple[tuple[str, Achievement], str]] = []
    problems: list[str] = []
    try:
        for row, where in rows:
            try:
                placed.append((_row(row, where, resolve_holder), where.removeprefix(f"{name} ")))
            except InputError as exc:
                problems.append(str(exc))
    except InputError as exc:
        problems.append(str(exc))
    if len(problems) == 1:
        raise InputError(problems[0])
    if problems:
        shown = "; ".join(problems[:MAX_ROW_PROBLEMS_SHOWN])
        more = len(problems) - MAX_ROW_PROBLEMS_SHOWN
        rest = f"; and {more} more" if more > 0 else ""
        raise InputError(f"roster {name}: {len(problems)} rows to fix, nothing was issued: {shown}{rest}")
    return placed


def _refuse_namesakes(placed: list[tuple[tuple[str, Achievement], str]], name: str) -> None:
    """The same did:key twice for the same credential (by name) is one row repeated. Rows naming a
    person without a did:key are one person when name and document agree (one key
    for her credentials); the same name twice for the same credential is two namesakes, not one
    person given it twice, so it is refused until a holder_document tells them apart."""
    seen: dict[tuple[str | None, str | None, str], str] = {}
    given: dict[tuple[str, str], str] = {}
    for (holder, achievement), where in placed:
        if holder:  # one did:key is one person: the same credential twice is a row repeated by mistake
            if (holder, achievement.name) in given:
                who = short_did(holder)
                who = f"{achievement.holder_name!r} ({who})" if achievement.holder_name else who
                raise InputError(
                    f"{name} {where}: {who} is also on {given[holder, achievement.name]} for the same credential "
                    f"({achievement.name[:80]!r}): a row given twice; give her the credential once"
                )
            given[holder, achievement.name] = where
            continue
        key = (*person_of(achievement), achievement.name)
        if key in seen:
            raise InputError(
                f"{name} {where}: {achievement.holder_name!r} is also on {seen[key]} for the same credential, "
                "neither with a did:key: if they are two people, tell them apart with holder_document (or "
                "their did:key); if one person, give her the credential once"
            )
        seen[key] = where


def folded(text: str | None) -> str | None:
    """A name or document as a person is told apart by: any case and spacing alike."""
    return " ".join(text.split()).casefold() if text else None


def person_of(achievement: Achievement) -> tuple[str | None, str | None]:
    """Who a row without a did:key names: her name and document as typed, in any case and spacing
    ("Amina Haddad" and "amina  haddad" are one person, one key, not two keys for one woman)."""
    return folded(achievement.holder_name), folded(achievement.holder_document)


def check_out_dir(out_dir: Path) -> None:
    """A cohort's files go into a directory of their own: new or empty, in one that exists."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file, not a directory for the credential files")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise InputError(f"{out_dir} is not empty; not mixing cohorts")
    if not out_dir.parent.is_dir():
        raise InputError(f"the directory {out_dir.parent} does not exist")


def file_names(entries: list[tuple[str, Achievement]]) -> list[str]:
    """Each holder's file name: its row number (the files sort as the roster), the holder's name
    where the roster gives it (a readable slug, in its own script), else the achievement, and the
    end of their did:key, to tell two people of one name apart."""
    width = len(str(len(entries)))
    return [
        f"{n:0{width}d}-{slug(achievement.holder_name or achievement.name, 'credential')}-{holder_did[-8:]}.json"
        for n, (holder_did, achievement) in enumerate(entries, 1)
    ]


def slug(text: str, default: str) -> str:
    """Lower-case letters and digits of any script, other runs as one '-', at most 40 characters."""
    cleaned = "".join(c.lower() if c.isalnum() or unicodedata.category(c)[0] == "M" else "-" for c in text)
    return "-".join(p for p in cleaned.split("-") if p)[:40].strip("-") or default
