"""Qualifications frameworks referenced to the EQF: the data recognition decisions point to.

A decision says "recognised here as qualification Q, level N of framework F" and names F by its
content-addressed id, as EBSI's trusted schemas registry names schemas: the multibase base58btc
(`z` prefix) of the sha256 of the framework's RFC 8785 canonical JSON. Whoever holds the file can
recompute the id, and any change is a new id, so a decision cannot be made to point at levels its
authority did not publish. The frameworks shipped with the package are in `frameworkdata/`
(`registry-qualifications-framework/1`: key, name, jurisdiction, and each level with the EQF level
it is referenced to); the service serves them at `/recognition/frameworks/{id}`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from registry.errors import InputError
from registry.formats.canonical import canonicalize
from registry.formats.multibase import multibase_encode_b58

FORMAT = "registry-qualifications-framework/1"
FILES = ("eqf.json", "de-dqr.json", "fr-cnc.json")


@dataclass(frozen=True)
class Framework:
    id: str
    key: str
    name: str
    jurisdiction: str
    levels: tuple[tuple[str, int | None], ...]  # (level, the EQF level it is referenced to)
    data: dict[str, Any]

    def eqf_of(self, level: str) -> int | None:
        return next((eqf for name, eqf in self.levels if name == level), None)

    def has_level(self, level: str) -> bool:
        return any(name == level for name, _ in self.levels)


def framework_id(data: dict[str, Any]) -> str:
    return multibase_encode_b58(hashlib.sha256(canonicalize(data)).digest())


def parse_framework(data: Any, source: str = "framework") -> Framework:
    """A framework file's JSON, checked; an InputError naming what is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{source} is not a qualifications framework ({FORMAT})")
    key, name, where, levels = data.get("key"), data.get("name"), data.get("jurisdiction"), data.get("levels")
    if not all(isinstance(v, str) and v for v in (key, name, where)):
        raise InputError(f"{source} needs a key, a name and a jurisdiction (text)")
    if not isinstance(levels, list) or not levels:
        raise InputError(f"{source} lists no levels")
    parsed: list[tuple[str, int | None]] = []
    for entry in levels:
        level = entry.get("level") if isinstance(entry, dict) else None
        eqf = entry.get("eqf") if isinstance(entry, dict) else None
        if not isinstance(level, str) or not (eqf is None or (isinstance(eqf, int) and 1 <= eqf <= 8)):
            raise InputError(f"{source}: each level is {{'level': text, 'eqf': 1 to 8 or null}}")
        parsed.append((level, eqf))
    return Framework(framework_id(data), str(key), str(name), str(where), tuple(parsed), data)


@cache
def bundled() -> dict[str, Framework]:
    """id -> framework, for every framework shipped with the package."""
    found = {}
    for name in FILES:
        text = resources.files("registry.formats").joinpath(f"frameworkdata/{name}").read_text("utf-8")
        framework = parse_framework(json.loads(text), name)
        found[framework.id] = framework
    return found


def find_framework(word: str) -> Framework | None:
    """A shipped framework by its id or its key (`de-dqr`); None: not one of ours."""
    frameworks = bundled()
    return frameworks.get(word) or next((f for f in frameworks.values() if f.key == word), None)
