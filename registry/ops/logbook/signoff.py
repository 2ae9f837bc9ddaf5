"""What `logbook sign` checks before a supervisor or assessor countersigns an entry: what a verifier
would refuse (hours outside 0 < h <= 24, a unit another role signs off, a day outside her authorisation)
is never signed. Those another signer signs off are `NotHers`: left, and listed with why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.logbook import EntryFile, Programme
from registry.formats.logbook.records import entry_date, sha256_hex, signed_by
from registry.ops.logbook.provider import DAY
from registry.text import short_did


def _a(role: str) -> str:
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


class NotHers(InputError):
    """An entry another signer signs off: another role's unit, another workplace, a day outside her period."""


class OtherRole(NotHers):
    """An entry of a unit the signer's role does not sign off: another's to sign, never hers."""


def check_role(entry_id: str, unit_id: str, name: str, subject: dict[str, Any], programme: Programme | None) -> None:
    """The entry's unit is one the signer's role signs off: by the programme when it is at hand, else
    by the units her authorisation lists; an authorisation that lists none, without the programme,
    cannot be checked, and nothing is signed."""
    role = str(subject.get("role"))
    unit = programme.unit(unit_id) if programme is not None else None
    if unit is not None and role != unit.signer:
        raise OtherRole(f"entry {entry_id} not signed: unit {unit.id} is signed off by {_a(unit.signer)}, "
                         f"and {name} is {_a(role)}")  # fmt: skip
    if programme is not None:
        return
    units = subject.get("units")
    if not isinstance(units, list):
        raise InputError(
            f"entry {entry_id} not signed: {name}'s authorisation does not list the units {_a(role)} signs off "
            "(made before they were listed): sign in the logbook's directory, or give the programme with --programme"
        )
    if unit_id not in units:
        listed = ", ".join(str(u) for u in units) or "none"
        raise OtherRole(f"entry {entry_id} not signed: unit {unit_id[:40]} is not one {name}'s authorisation lets "
                         f"{_a(role)} sign off ({listed})")  # fmt: skip


def check_period(date: str, name: str, auth: dict[str, Any], now: int) -> None:
    """The entry's day, and now, are in the authorisation's period (as the verifier checks it): a
    sign-off outside it would never be valid, so none is made."""
    nbf, exp = int(auth.get("nbf", 0)), int(auth.get("exp", 0))
    period = f"{iso(nbf)[:10]} to {iso(exp)[:10]}"
    if now >= exp:
        raise InputError(f"{name}'s authorisation ended ({period}): ask the provider for a new one")
    day = entry_date(date)
    if day + DAY <= nbf or day >= exp:
        raise NotHers(f"the entry of {date} is outside {name}'s authorisation ({period}): not signed")


def check_hours(entry_id: str, hours: Any) -> None:
    """The entry's hours are a number more than 0 and at most 24, as `logbook add` writes them and
    `logbook verify` holds them (ops/logbook/checks.py): another tool's entry claiming more, or less,
    would be countersigned and then never valid; refused here, naming it, nothing signed."""
    if isinstance(hours, int | float) and not isinstance(hours, bool) and 0 < hours <= 24:
        return
    said = f"{hours:g}" if isinstance(hours, int | float) and not isinstance(hours, bool) else repr(hours)[:40]
    raise InputError(
        f"entry {entry_id} not signed: it claims {said} h, and an entry's hours are more than 0 and at most 24 "
        "(a verifier would find it not valid): the learner records the work again with `logbook add`"
    )


def _beside(paths: list[Path]) -> list[Path]:
    """Entry files beside those given, where the same learner's other entries of a day are kept: the
    given files' directories (her logbook's `entries/`, a supervisor's review directory) and their
    `sent/` (what a supervisor's `logbook sync` passed on)."""
    folders = {p.resolve().parent for p in paths}
    return sorted({f for d in folders for f in (*d.glob("*.json"), *(d / "sent").glob("*.json"))})


def _kept(path: Path) -> EntryFile | None:
    try:
        return EntryFile.from_json(json.loads(path.read_bytes()), str(path))
    except (InputError, OSError, ValueError):
        return None  # not an entry file: nothing of a day to count


def check_day_totals(given: list[tuple[Path, EntryFile]], signing: list[tuple[Path, EntryFile]]) -> None:
    """The entries one learner's day would then have countersigned (those about to be signed, and those
    countersigned already, given or kept beside them) claim at most 24 h in all: else a verifier finds
    none of that day's entries valid (ops/logbook/checks.py), so none is signed, and the day is named."""
    now = {sha256_hex(f.entry): path for path, f in signing}
    counted: dict[str, dict[str, Any]] = {}
    for f in [f for _, f in given] + [_kept(p) for p in _beside([p for p, _ in given])]:
        key = sha256_hex(f.entry) if f is not None else ""
        if f is None or key in counted or (f.countersignature is None and key not in now):
            continue
        try:
            counted[key] = signed_by(f.entry, "logbook-entry+jwt").payload
        except InputError:
            continue
    days: dict[tuple[str, str, str], list[str]] = {}
    for key, payload in counted.items():
        learner_day = (str(payload.get("iss")), str(payload.get("logbook")), str(payload.get("date")))
        days.setdefault(learner_day, []).append(key)
    for (learner, _, date), keys in days.items():
        total = sum(float(counted[k].get("hours", 0)) for k in keys)
        signed_now = [now[k] for k in keys if k in now]
        if total > 24 and signed_now:
            raise InputError(
                f"{signed_now[0]}: nothing signed: the entries of {short_did(learner)} dated {date} would claim "
                f"{total:g} h countersigned, more than a day's 24 h (a verifier would find none of them valid): sign "
                "only the entries of the hours worked that day, and ask the learner about the others"
            )
