"""The roots a verifying authority accepts: its trust list, read from a file it controls.

Its own module, light to import: the CLI reads the list before it touches the chain, so a bad
file is refused in one line without loading anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from registry.errors import InputError
from registry.files import MIB, read_capped
from registry.formats import safejson
from registry.formats.did import check_did

MAX_TRUST_LIST_BYTES = MIB


@dataclass(frozen=True)
class TrustList:
    """The roots a verifying authority accepts, from a file it controls (or given some other way).

    `source` is the file's path, or a label naming where the roots came from; `name` is how the
    verifier's sentences call the list.
    """

    roots: frozenset[str]
    source: str
    from_file: bool = False

    @property
    def name(self) -> str:
        """The list as a noun phrase: "the trust list roots.json" for a file; a label that already
        reads as one ("the request's trust list") as it is, any other label after "the trust list"."""
        if not self.from_file and "trust list" in self.source.lower():
            return self.source
        return f"the trust list {self.source}"

    @classmethod
    def load(cls, path: Path) -> TrustList:
        raw = read_capped(path, MAX_TRUST_LIST_BYTES, f"trust list {path}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"trust list {path} is not UTF-8 text") from exc
        roots = _roots(text, path)
        if not roots:
            raise InputError(f"trust list {path} names no root: it would refuse every issuer")
        for did in roots:
            check_did(did)
        return cls(frozenset(roots), str(path), from_file=True)


def _roots(text: str, path: Path) -> list[str]:
    """The DIDs a list names: JSON ({"roots": [...]} or the list itself, of DIDs or {"did": ...}),
    else one DID a line with # comments."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
        return [r for r in lines if r]
    data = safejson.loads(stripped, f"trust list {path}")
    entries = data.get("roots") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f"trust list {path} has no `roots` list")
    roots: list[str] = []
    for entry in entries:
        did = entry.get("did") if isinstance(entry, dict) else entry
        if not isinstance(did, str):
            raise InputError(f"trust list {path}: every root needs a DID")
        roots.append(did)
    return roots
