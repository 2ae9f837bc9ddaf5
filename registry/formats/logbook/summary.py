"""A logbook's root and summary, as the qualification credential names them (pure).

The logbook root is an OpenZeppelin StandardMerkleTree root over the day leaves (`day_leaf`) of the
entries the qualification counts: the same leaves the day roots were built from, so an entry shown
with its day proof proves itself in the logbook root with the same leaf. StandardMerkleTree sorts
its leaves, so whoever holds the entries recomputes the same root in any order.

The summary (`credentialSubject.logbook`, schema `logbook-qualification.schema.json`) says what
those entries add up to: per unit, entries and hours; in all, entries, hours and the period
(`from`, `until`: the first and last entry dates). The tree file `qualification-tree.json` in the
learner's logbook keeps each counted entry's proof against the root, for `logbook share`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.errors import InputError
from registry.formats.logbook.programme import Programme
from registry.formats.logbook.records import LEAF_ENCODING, EntryFile, day_leaf
from registry.formats.merkle import StandardMerkleTree, leaf_hash, process_proof

TREE_FILE = "skills-logbook-tree/1"


def leaf_of(f: EntryFile) -> list[Any]:
    """The day leaf of an anchored, countersigned entry."""
    if f.anchor is None or f.countersignature is None:
        raise InputError(f"entry {f.id} is not anchored")
    return day_leaf(f.entry, f.countersignature, int(f.anchor["list"]), int(f.anchor["index"]))


def logbook_tree(files: Sequence[EntryFile]) -> StandardMerkleTree:
    if not files:
        raise InputError("a logbook root needs at least one entry")
    return StandardMerkleTree.of([leaf_of(f) for f in files], LEAF_ENCODING)


def root_from_proof(f: EntryFile, proof: Sequence[str]) -> str | None:
    """The root an entry's proof leads to ("0x..."), None when the proof is malformed."""
    try:
        nodes = [bytes.fromhex(str(p).removeprefix("0x")) for p in proof]
        return "0x" + process_proof(leaf_hash(leaf_of(f), LEAF_ENCODING), nodes).hex()
    except (ValueError, TypeError, KeyError, InputError):
        return None


@dataclass(frozen=True)
class Counted:
    """One entry as the summary counts it."""

    unit: str
    hours: float
    date: str


def summarise(programme: Programme, logbook: str, root: str, counted: Sequence[Counted]) -> dict[str, Any]:
    """The `logbook` member of the qualification's subject."""
    units = []
    for unit in programme.units:
        mine = [c for c in counted if c.unit == unit.id]
        units.append({"id": unit.id, "entries": len(mine), "hours": sum(c.hours for c in mine)})
    dates = sorted(c.date for c in counted)
    return {"id": logbook, "programme": programme.ref, "root": root, "entries": len(counted),
            "hours": sum(c.hours for c in counted), "from": dates[0], "until": dates[-1],
            "units": units}  # fmt: skip


@dataclass(frozen=True)
class Summary:
    logbook: str
    programme: str
    root: str
    entries: int
    hours: float
    period: tuple[str, str]
    units: dict[str, tuple[int, float]]  # unit id -> (entries, hours)


def parse_summary(data: Any) -> Summary:
    """The summary a qualification carries (its schema checked it; this reads it)."""
    if not isinstance(data, dict):
        raise InputError("the qualification carries no logbook summary")
    try:
        units = {str(u["id"]): (int(u["entries"]), float(u["hours"])) for u in data["units"]}
        return Summary(str(data["id"]), str(data["programme"]), str(data["root"]).lower(), int(data["entries"]),
                       float(data["hours"]), (str(data["from"]), str(data["until"])), units)  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the qualification's logbook summary is malformed ({exc})") from exc


def missing_hours(programme: Programme, counted: Sequence[Counted]) -> list[str]:
    """What the standard still needs, per unit ("U1: 2 h"); empty when it is met."""
    missing = []
    for unit in programme.units:
        done = sum(c.hours for c in counted if c.unit == unit.id)
        if done < unit.hours:
            missing.append(f"{unit.id}: {unit.hours - done:g} h")
    return missing
