"""A programme: the competency standard a provider publishes (title, EQF level, duration, units
with their ESCO skills, the hours each needs, who signs it off, and how far back an entry may be
dated before its anchor). Published as a signed JWS whose hash is anchored; a new version is a new
document with the same id and a higher version, never an edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.errors import InputError
from registry.formats.visible import check_visible

ROLES = ("supervisor", "assessor")
ESCO_SKILL = "http://data.europa.eu/esco/skill/"
MAX_UNITS = 200


@dataclass(frozen=True)
class Unit:
    id: str
    title: str
    skills: tuple[str, ...]
    hours: int
    signer: str  # supervisor | assessor

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "skills": list(self.skills), "hours": self.hours,
                "signer": self.signer}  # fmt: skip


@dataclass(frozen=True)
class Programme:
    id: str
    version: int
    title: str
    provider: str
    eqf_level: int
    duration_months: int
    backdating_days: int
    units: tuple[Unit, ...]

    @property
    def ref(self) -> str:
        """The id and version an enrolment and an authorisation name."""
        return f"{self.id}@{self.version}"

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "version": self.version, "title": self.title, "provider": self.provider,
            "eqfLevel": self.eqf_level, "durationMonths": self.duration_months,
            "backdatingDays": self.backdating_days, "units": [u.to_json() for u in self.units],
        }  # fmt: skip


def _text(data: dict[str, Any], key: str, where: str, limit: int = 200) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InputError(f"{where}: {key!r} must be a non-empty text of at most {limit} characters")
    return value.strip()


def _int(data: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InputError(f"{where}: {key!r} must be a whole number from {low} to {high}")
    return value


def _unit(data: Any, n: int) -> Unit:
    where = f"unit {n + 1}"
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a JSON object")
    skills = data.get("skills")
    if not isinstance(skills, list) or not skills:
        raise InputError(f"{where}: 'skills' must list at least one ESCO skill URI")
    for skill in skills:
        if not isinstance(skill, str) or not skill.startswith(ESCO_SKILL) or len(skill) > 200:
            raise InputError(f"{where}: {str(skill)[:80]!r} is not an ESCO skill URI ({ESCO_SKILL}...)")
    signer = data.get("signer", "supervisor")
    if signer not in ROLES:
        raise InputError(f"{where}: 'signer' must be supervisor or assessor")
    return Unit(_text(data, "id", where, 64), _text(data, "title", where), tuple(skills),
                _int(data, "hours", where, 1, 10_000), signer)  # fmt: skip


def parse_programme(data: Any, provider: str | None = None) -> Programme:
    """A programme from its JSON (as written by hand, or as signed: then `provider` is its own).
    Bad input is an InputError naming the field."""
    if not isinstance(data, dict):
        raise InputError("a programme must be a JSON object")
    where = "the programme"
    units = data.get("units")
    if not isinstance(units, list) or not 1 <= len(units) <= MAX_UNITS:
        raise InputError(f"{where}: 'units' must list 1 to {MAX_UNITS} units")
    parsed = tuple(_unit(u, n) for n, u in enumerate(units))
    if len({u.id for u in parsed}) != len(parsed):
        raise InputError(f"{where}: two units share an id")
    owner = provider if provider is not None else data.get("provider")
    if not isinstance(owner, str) or not owner.startswith("did:"):
        raise InputError(f"{where}: 'provider' must be the provider's DID")
    return Programme(
        id=_text(data, "id", where, 100),
        version=_int(data, "version", where, 1, 1_000_000),
        title=_text(data, "title", where),
        provider=owner,
        eqf_level=_int(data, "eqfLevel", where, 1, 8),
        duration_months=_int(data, "durationMonths", where, 1, 120),
        backdating_days=_int(data, "backdatingDays", where, 0, 3650),
        units=parsed,
    )


def check_publishable(programme: Programme) -> Programme:
    """`programme` if a provider may publish it: its id and title, and each unit's id and title,
    read as written (one line, no control, bidi-override or invisible character: formats/visible.py);
    a logbook's qualification names the units' titles as its skill labels. A programme signed
    elsewhere is read as it is (and shown inert)."""
    check_visible(programme.id, "the programme's id", limit=100)
    check_visible(programme.title, "the programme's title", limit=200)
    for n, unit in enumerate(programme.units, start=1):
        check_visible(unit.id, f"unit {n}'s id", limit=64)
        check_visible(unit.title, f"unit {n}'s title", limit=200)
    return programme
