"""Evidence the holder keeps (issue #17): Open Badges 3.0 `evidence` items referenced by a salted
hash, the holder's manifest of salts, and the check of a shown file against its item.

An evidence file (a photo of a weld, a video, a testimony) never leaves the holder: the credential
carries, per item, `saltedDigest` = "sha256-salted:" + hex(sha256(salt || file bytes)), the salt 16
random bytes the issuer drew for that item. The salts are in the holder's manifest
(`skills-evidence-manifest/1`, written beside the credential), not in the credential: whoever sees
the credential cannot test guesses of a file's content (a one-word testimony included), and the
chain holds only the credential's hash, as for every credential. To show an item, the holder gives
the file and its manifest entry (`registry rpl disclose` copies just those); a shown file matches
only if it is the very file assessed.

An RPL credential may also reference a work-experience attestation as evidence (`credentialHash`:
the attestation's anchored hash, sha256 of its JWT, which is unguessable already: a random id and a
signature). Shown, its holder file is matched by that hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import InputError

MANIFEST_FORMAT = "skills-evidence-manifest/1"
DIGEST_PREFIX = "sha256-salted:"
SALT_BYTES = 16
MAX_ITEMS = 100
MAX_TEXT = 2000
MATCHED, ALTERED, NOT_SHOWN = "matched", "altered", "not shown"


def salted_digest(salt: bytes, path: Path) -> str:
    """ "sha256-salted:" + hex sha256(salt || the file's bytes), read in chunks."""
    digest = hashlib.sha256(salt)
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"cannot read the evidence file {path}: {exc.strerror or exc}") from exc
    return DIGEST_PREFIX + digest.hexdigest()


def _text(entry: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InputError(f"{where}: `{key}` must be text of 1 to {MAX_TEXT} characters")
    return value


@dataclass(frozen=True)
class EvidenceFile:
    """One item the assessment relied on: a file the holder keeps, and what the credential says of it."""

    path: Path
    name: str
    genre: str
    description: str | None = None
    narrative: str | None = None

    @classmethod
    def from_json(cls, entry: Any, base: Path, n: int) -> EvidenceFile:
        where = f"evidence item {n}"
        if not isinstance(entry, dict):
            raise InputError(f"{where} must be an object with file, name and genre")
        file = _text(entry, "file", where)
        path = (base / str(file)).resolve()
        if not path.is_file():
            raise InputError(f"{where}: the file {path} does not exist")
        return cls(path, str(_text(entry, "name", where)), str(_text(entry, "genre", where)),
                   _text(entry, "description", where, False), _text(entry, "narrative", where, False))  # fmt: skip

    def item(self, salt: bytes) -> dict[str, Any]:
        """The OB 3.0 Evidence object the credential carries for this file."""
        body: dict[str, Any] = {"id": f"urn:uuid:{uuid.uuid4()}", "type": ["Evidence"], "name": self.name,
                                "genre": self.genre}  # fmt: skip
        if self.description:
            body["description"] = self.description
        if self.narrative:
            body["narrative"] = self.narrative
        body["saltedDigest"] = salted_digest(salt, self.path)
        return body


def attestation_item(attestation_id: str, credential_hash: bytes, name: str) -> dict[str, Any]:
    """An Evidence object referencing a work-experience attestation by its anchored hash."""
    return {"id": attestation_id, "type": ["Evidence"], "name": name, "genre": "Work experience attestation",
            "credentialHash": "0x" + credential_hash.hex()}  # fmt: skip


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def manifest(credential_id: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The holder's manifest: per item its id, its file's name and (for a file) its salt."""
    return {"format": MANIFEST_FORMAT, "credential": credential_id, "items": entries}


def load_manifest(path: Path) -> dict[str, Any] | None:
    """A manifest file, or None when `path` is not one."""
    try:
        if path.stat().st_size > 1024 * 1024:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("items"), list):
        return None
    return data


def check_file(item: dict[str, Any], entry: dict[str, Any], directory: Path) -> tuple[str, str]:
    """(state, message) of one evidence file item, its manifest `entry` given; the file in `directory`."""
    file = entry.get("file")
    if not isinstance(file, str) or Path(file).name != file or file in ("", ".", ".."):
        return NOT_SHOWN, "its manifest entry names no file in the directory"
    path = directory / file
    if not path.is_file():
        return NOT_SHOWN, f"{file} is not in the directory"
    try:
        salt = bytes.fromhex(str(entry.get("salt")))
    except ValueError:
        return NOT_SHOWN, "its manifest entry has no valid salt"
    if salted_digest(salt, path) == item.get("saltedDigest"):
        return MATCHED, f"{file} is the file assessed"
    return ALTERED, f"{file} is not the file assessed (altered or another file): this item is not valid"
