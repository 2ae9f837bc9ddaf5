"""The service's only state for logbooks, in one directory the operator configures (`registry serve
--logbook-dir`): published programmes, and boxes of entry files waiting for their next signer.

Nothing in it is trusted: a programme is served only while its hash is anchored by the provider
that signed it (checked on every read), and whoever fetches an entry file checks its signatures.
Every file is written whole under a content-derived name (a temporary file, then a rename), so any
number of service processes, on one machine or sharing the directory over a network file system,
may write and read it at once without locks: the same deposit twice is the same file.

    programmes/<sha256(id)>/<version>.<sha256(token)>.jwt
    boxes/<sha256(did)>/<sha256(entry file)>.json
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from registry.durable import advice, sync_directory, write_bytes_atomic
from registry.errors import InputError, StateError
from registry.formats import jwt
from registry.formats.credential import iso
from registry.formats.logbook import EntryFile
from registry.formats.logbook.records import carried_name, did_key_signed, sha256_hex, signed_by
from registry.keystore import Identity
from registry.text import short_did

BOX_LIMIT = 500  # entry files waiting in one box; a deposit beyond is refused
BOX_REQUEST = "logbook-box-request+jwt"
_BOX_ID = re.compile(r"[0-9a-f]{64}")
REQUEST_FRESH_S = 300  # how old (or how far ahead of the service's clock) a box request may be


class BoxFull(InputError):
    """The box holds BOX_LIMIT files already: its owner must fetch them first."""


class StoreUnavailable(StateError):
    """The logbook directory could not be read or written: a full disk, a read-only file system, a
    directory removed or replaced by a file under the running service. The service answers 503
    (its log names the directory and the cause), never 500."""


@contextlib.contextmanager
def _disk(directory: Path, doing: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise StoreUnavailable(f"cannot {doing} the logbook directory {directory}: {why}{advice(exc)}") from exc


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_once(path: Path, text: str) -> None:
    """Write `text` to `path` whole (temporary file, then rename); a file already there is the same."""
    if path.exists():
        return
    write_bytes_atomic(path, text.encode("utf-8"), mode=0o600)


def check_entry_file(data: Any, source: str) -> EntryFile:
    """An entry file as it may be queued: the learner's signature verifies, and a countersignature
    (when there is one) is its signer's over exactly this entry. The authorisation and the anchor
    are checked by whoever relies on the entry (`logbook verify`)."""
    entry = EntryFile.from_json(data, source)
    if not did_key_signed(signed_by(entry.entry, "logbook-entry+jwt")):
        raise InputError(f"{source}: the learner's signature does not verify")
    if entry.countersignature is not None:
        sig = signed_by(entry.countersignature, "logbook-countersignature+jwt")
        if not did_key_signed(sig) or sig.payload.get("entry") != sha256_hex(entry.entry):
            raise InputError(f"{source}: the countersignature is not its signer's over this entry")
    try:
        carried_name(entry)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    return entry


def deposit_refusal(owner: str, entry: EntryFile) -> str | None:
    """Why `entry` may not go into `owner`'s box (None: it may), by the ways entries travel
    (ops/logbook/sync.py): the learner's own entries back to her; an entry not yet countersigned to
    a supervisor or assessor; a countersigned one to the provider whose authorisation it carries
    (whose signature the service checks on the chain). A box is no inbox for anything else: a
    stranger's entries, countersigned or anchored, never fill a person's box, and nothing but its
    own authorisations' entries a provider's."""
    learner = signed_by(entry.entry, "logbook-entry+jwt").payload.get("iss")
    if (why := other_provider(entry)) is not None:
        return why
    if owner.startswith("did:ebsi:"):
        if entry.countersignature is None or entry.authorisation is None:
            return "a provider's box takes only entries countersigned under its own authorisations"
        authorisation = signed_by(entry.authorisation, "supervisor-authorisation+jwt").payload
        countersigned = signed_by(entry.countersignature, "logbook-countersignature+jwt").payload
        if authorisation.get("iss") != owner or authorisation.get("sub") != countersigned.get("iss"):
            return "the entry's authorisation is not this provider's, or not its countersigner's"
        if countersigned.get("authorisation") != sha256_hex(entry.authorisation):
            return "the entry carries another authorisation than the one it was countersigned under"
        return None
    if owner == learner or entry.countersignature is None:
        return None
    return "a person's box takes her own entries, or entries still to countersign"


def other_provider(entry: EntryFile, authorisation: str | None = None) -> str | None:
    """Why an entry file may go no further when the enrolment it carries was made by another provider
    than the one that authorised its signer (`authorisation`, else the one it carries): that provider
    cannot anchor it, and a verifier would find it not valid (ops/logbook/checks.py); None when they
    are one (or either is not carried)."""
    token = authorisation if authorisation is not None else entry.authorisation
    if entry.enrolment is None or token is None:
        return None
    enrolled = str(signed_by(entry.enrolment, "logbook-enrolment+jwt").payload.get("iss"))
    authorised = str(signed_by(token, "supervisor-authorisation+jwt").payload.get("iss"))
    if enrolled == authorised:
        return None
    return (f"entry {entry.id}: its learner was enrolled by {short_did(enrolled)}, and the signer is authorised by "
            f"{short_did(authorised)}: only the provider that enrolled her anchors her entries, and a verifier would "
            "find it not valid; her supervisor there signs it off")  # fmt: skip


def box_id(entry: EntryFile) -> str:
    """The id of an entry file in a box: the hash of its content, so each stage (signed,
    countersigned, anchored) is its own item and a deposit repeated is the same one."""
    return _hash(json.dumps(entry.to_json(), sort_keys=True))


def sign_box_request(identity: Identity, owner: str, done: list[str], now: int | None = None) -> str:
    """What the owner of a box signs to read it (and to remove the items in `done`, read before)."""
    payload = {"iss": identity.did, "aud": f"logbook-box:{owner}", "iat": int(now or time.time()), "done": done}
    return jwt.sign({"alg": "ES256", "typ": BOX_REQUEST, "kid": identity.kid}, payload, identity.signing_key)


def box_request(token: str, owner: str, now: float) -> tuple[jwt.CompactJWS, list[str]]:
    """The parsed request (its signature is checked by the caller: did:key here, did:ebsi against the
    DID registry) and the ids it removes. Refused when stale, for another box, or malformed."""
    parsed = signed_by(token, BOX_REQUEST)
    p = parsed.payload
    if p.get("iss") != owner or p.get("aud") != f"logbook-box:{owner}":
        raise InputError("the request is not signed by the box's owner for this box")
    iat = p.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise InputError("the request carries no time it was signed (iat): sign a new one")
    if abs(now - iat) > REQUEST_FRESH_S:
        raise InputError(_clocks_apart(iat, now))
    done = p.get("done", [])
    # Box ids only (64 lowercase hex): they name files, so nothing else may reach the file system.
    if (
        not isinstance(done, list)
        or not all(isinstance(d, str) and _BOX_ID.fullmatch(d) for d in done)
        or len(done) > 1000
    ):
        raise InputError("'done' must list the ids of items read before")
    return parsed, done


def _clocks_apart(iat: int, now: float) -> str:
    """A request signed too far from the service's clock: a replay, or (far likelier in the field) a
    device whose clock, date or time zone is wrong. `sync` signs each request afresh, so "sign a new
    one" alone sent the user round in circles: both clocks are named, and the gap."""
    gap = abs(int(now) - iat)
    if gap >= 86_400:
        apart = f"{gap // 86_400} d {gap % 86_400 // 3600} h"
    else:
        apart = f"{gap // 3600} h {gap % 3600 // 60} min" if gap >= 3600 else f"{gap // 60} min {gap % 60} s"
    side = "ahead of" if iat > now else "behind"
    return (
        f"the request was signed at {iso(iat)}, {apart} {side} this service's clock ({iso(int(now))}); they "
        f"must agree within {REQUEST_FRESH_S} s: set your device's date, time and time zone right, then sync again"
    )


def _age(path: Path) -> float:
    """When an item came into its box; one removed meanwhile (by another fetch) sorts last."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


class LogbookStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _box(self, did: str) -> Path:
        return self.directory / "boxes" / _hash(did)

    def deposit(self, owner: str, entry: EntryFile) -> str:
        """Queue `entry` for `owner` (a did:key person, or a provider's did:ebsi); its box id."""
        box = self._box(owner)
        item = box_id(entry)
        path = box / f"{item}.json"
        with _disk(self.directory, "write to"):
            if not path.exists() and box.is_dir() and sum(1 for _ in box.glob("*.json")) >= BOX_LIMIT:
                raise BoxFull(f"the box of {owner} holds {BOX_LIMIT} entries already: its owner must fetch them first")
            _write_once(path, json.dumps(entry.to_json(), sort_keys=True))
        return item

    def fetch(self, owner: str, done: list[str]) -> list[dict[str, Any]]:
        """Remove the items `done`, then the items left, oldest first: [{id, file}]."""
        box = self._box(owner)
        with _disk(self.directory, "remove what was read from"):
            for item in done:
                (box / f"{item}.json").unlink(missing_ok=True)
            if done and box.is_dir():
                sync_directory(box)  # the removal lasts: a power loss never hands the items out again
        found = []
        with _disk(self.directory, "read"):
            paths = sorted(box.glob("*.json"), key=_age) if box.is_dir() else []
        for path in paths:
            try:
                found.append({"id": path.stem, "file": json.loads(path.read_text("utf-8"))})
            except (OSError, ValueError):  # removed meanwhile by another fetch, or not ours
                continue
        return found

    # -- programmes -----------------------------------------------------------------------

    def _programme_dir(self, programme_id: str) -> Path:
        return self.directory / "programmes" / _hash(programme_id)

    def put_programme(self, programme_id: str, version: int, token: str) -> None:
        """Keep a published programme (the caller has checked its signature and its anchor)."""
        with _disk(self.directory, "write to"):
            _write_once(self._programme_dir(programme_id) / f"{version}.{sha256_hex(token)}.jwt", token)

    def programme_tokens(self, programme_id: str, version: int | None) -> list[str]:
        """The programme's documents kept here, highest version first (only `version`'s, if given)."""
        folder = self._programme_dir(programme_id)
        kept = []
        with _disk(self.directory, "read"):
            for path in folder.glob("*.jwt") if folder.is_dir() else []:
                number = path.name.split(".", 1)[0]
                if number.isdigit() and (version is None or int(number) == version):
                    with contextlib.suppress(FileNotFoundError, UnicodeDecodeError):  # gone, or not ours
                        kept.append((int(number), path.read_text("ascii").strip()))
        return [token for _, token in sorted(kept, key=lambda k: -k[0])]
