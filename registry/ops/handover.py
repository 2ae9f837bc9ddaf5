"""Key handover: a person's key that a centre made, given to that person and then removed from
the centre.

A handover file (`skills-key-handover/1`) holds one natural person's identity document
(keystore.py's format: the key encrypted with scrypt + AES-128-CTR + MAC) encrypted under a
passphrase the person has: one she typed at the centre's desk (`identity handover NAME --out`,
encrypted at the keystore's full cost), or a one-time passphrase the centre generated and handed
to her on paper (the roster path, `HANDOVER_SCRYPT_N`; docs/SECURITY.md says why a lower cost is
sound there). Her wallet decrypts it and encrypts the key again under her own wallet passphrase.

Importing prints a confirmation code: an HMAC of the handover's id under the private key, which
only someone who decrypted the key can compute. The centre keeps a pending record
(<home>/handovers/NAME.json: the handover id, the DID and the code's SHA-256, never the code) and
removes its copy of the key only when the code it is given matches (`identity handover NAME
--confirm CODE`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.durable import remove_durably, write_json_atomic
from registry.errors import InputError, KeyStoreError
from registry.files import MIB, read_capped
from registry.formats import keys as keyfmt
from registry.formats import safejson
from registry.formats.holderfile import kind_of
from registry.keystore import FORMAT as IDENTITY_FORMAT
from registry.keystore import Identity, identity_document, identity_from_document
from registry.text import shown

HANDOVER_FORMAT = "skills-key-handover/1"
PENDING_FORMAT = "skills-key-handover-pending/1"
# The scrypt cost of a handover file under a one-time passphrase: 2^15 (about 0.1 s here, so a
# class of 30 takes seconds). The passphrase is 100 random bits, so no guessing is made cheaper
# by a lower cost; a passphrase a person chose gets the keystore's full cost instead.
HANDOVER_SCRYPT_N = 1 << 15
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from paper
_CODE = re.compile(r"[A-Z2-7]{5}-?[A-Z2-7]{5}")
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Z2-7]{5}-[A-Z2-7]{5}(?![A-Za-z0-9])")
MAX_NAME_CHARS = 200


def one_time_passphrase() -> str:
    """A random passphrase to hand to a person on paper: 4 groups of 5 characters (over 99 bits)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(20))
    return "-".join(chars[i : i + 5] for i in range(0, 20, 5))


def confirmation_code(identity: Identity, handover_id: str) -> str:
    """What the person's wallet shows after importing the key: only the key's holder can compute it."""
    mac = hmac.new(
        keyfmt.private_bytes(identity.signing_key), f"{HANDOVER_FORMAT}:{handover_id}".encode(), hashlib.sha256
    ).digest()
    code = base64.b32encode(mac).decode()[:10]
    return f"{code[:5]}-{code[5:]}"


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


@dataclass(frozen=True)
class Handover:
    document: dict[str, Any]
    code: str

    @property
    def id(self) -> str:
        return str(self.document["id"])


def make_handover(identity: Identity, passphrase: str, *, holder_name: str | None, n: int | None = None) -> Handover:
    """The handover document of `identity` (a person) under `passphrase`, and its confirmation code."""
    if identity.kind != "natural-person":
        raise KeyStoreError(f"{identity.name} is not a person's identity (did:key); only those are handed over")
    handover_id = str(uuid.uuid4())
    document = {
        "format": HANDOVER_FORMAT,
        "id": handover_id,
        "holderName": holder_name,
        "did": identity.did,
        "created": int(time.time()),
        "identity": identity_document(identity, passphrase, n),
    }
    return Handover(document, confirmation_code(identity, handover_id))


def read_handover(path: Path) -> dict[str, Any]:
    """A handover file, its shape checked (nothing decrypted)."""
    try:
        data = safejson.loads(read_capped(path, MIB, f"handover file {path}"), f"handover file {path}")
    except InputError as exc:
        raise InputError(f"{exc}; is it the handover file the centre gave you?") from exc
    identity = data.get("identity") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("format") != HANDOVER_FORMAT:
        kind = kind_of(data)
        raise InputError(f"{path} is not a key handover file ({HANDOVER_FORMAT})" + (f" but {kind}" if kind else ""))
    shaped = isinstance(identity, dict) and identity.get("format") == IDENTITY_FORMAT
    if not shaped or not isinstance(data.get("id"), str):
        raise InputError(f"{path} is a damaged key handover file (no identity in it)")
    assert isinstance(identity, dict)
    if identity.get("did") != data.get("did") or identity.get("kind") != "natural-person":
        raise InputError(f"{path} is a damaged key handover file (its DID and its key's differ)")
    return data


def open_handover(data: dict[str, Any], passphrase: str, source: str) -> tuple[Identity, str]:
    """The identity a handover file holds, decrypted, and the confirmation code to give the centre."""
    try:
        identity = identity_from_document(data["identity"], passphrase, f"the handover file {source}", source)
    except KeyStoreError as exc:
        as_printed = _as_printed(passphrase)
        if "wrong passphrase" in str(exc) and as_printed not in (None, passphrase):
            return open_handover(data, as_printed, source)  # typed from the sheet in small letters, without dashes
        if "wrong passphrase" in str(exc):
            raise KeyStoreError(
                f"wrong passphrase for the handover file {source}: use the one the centre gave you with it"
            ) from exc
        raise
    return identity, confirmation_code(identity, str(data["id"]))


def _as_printed(typed: str) -> str | None:
    """A one-time passphrase as the sheet prints it (`one_time_passphrase`), from what a person typed
    off paper: any case, dashes or spaces anywhere; None when it cannot be one."""
    chars = "".join(c for c in typed.upper() if c not in "- ")
    if len(chars) != 20 or any(c not in _ALPHABET for c in chars):
        return None
    return "-".join(chars[i : i + 5] for i in range(0, 20, 5))


# The centre's side: pending handovers under <home>/handovers.


def pending_path(home: Path, name: str) -> Path:
    return home / "handovers" / f"{name}.json"


def record_pending(home: Path, name: str, handover: Handover, out: Path, *, keep_copy: bool) -> Path:
    """Remember a handover until it is confirmed: its id, DID and the code's hash; with `keep_copy`
    (the roster path, where the key is in no identity file) the handover document itself, which is
    the centre's copy of the key."""
    path = pending_path(home, name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    record: dict[str, Any] = {
        "format": PENDING_FORMAT,
        "name": name,
        "did": handover.document["did"],
        "holderName": handover.document["holderName"],
        "id": handover.id,
        "codeSha256": _code_hash(handover.code),
        "file": str(out),
        "created": handover.document["created"],
    }
    if keep_copy:
        record["copy"] = handover.document
    write_json_atomic(path, record, mode=0o600)
    return path


def confirm(home: Path, keys_dir: Path, name: str, code: str) -> dict[str, Any]:
    """Remove the centre's copy of `name`'s key once `code` is the one the person's wallet showed.

    Returns the pending record (what was removed). A wrong code removes nothing."""
    path = pending_path(home, name)
    if not path.exists():
        if not (keys_dir / f"{name}.json").exists():  # confirmed already (or never made here): nothing to delete
            raise InputError(f"no handover of {name} is waiting, and this home holds no key {name}: nothing to "
                             f"delete{_waiting_for(home, name)}")  # fmt: skip
        raise InputError(f"no handover of {name} is waiting for confirmation (run `identity handover {name} --out`)")
    record = safejson.loads(read_capped(path, MIB, f"pending handover {path}"), str(path))
    if not isinstance(record, dict) or record.get("format") != PENDING_FORMAT:
        raise InputError(f"{path} is not a pending handover record")
    given = code.strip().upper()
    if not _CODE.fullmatch(given) or not hmac.compare_digest(_code_hash(given), str(record.get("codeSha256"))):
        raise InputError(
            f"{code[:20]!r} is not the confirmation code of {name}'s handover: ask for the code her wallet "
            "showed when she imported the key; nothing was removed"
        )
    # Flushed: a power loss just after "deleted" must not bring the centre's copy of her key back.
    remove_durably(keys_dir / f"{name}.json", path)
    return record


def _waiting_for(home: Path, name: str) -> str:
    """The key names of waiting handovers of a person called `name` (the sheet's holder_name, which a
    centre types for its key_name): "; waiting for Eve Adams: eve-adams-2XXqufhv"; else nothing."""
    wanted, found = " ".join(name.split()).casefold(), []
    for path in sorted((home / "handovers").glob("*.json")) if (home / "handovers").is_dir() else ():
        try:
            record = safejson.loads(read_capped(path, MIB, f"pending handover {path}"), str(path))
        except InputError:
            continue  # a damaged record is named when its own name is given
        holder = record.get("holderName") if isinstance(record, dict) else None
        if isinstance(holder, str) and " ".join(holder.split()).casefold() == wanted:
            found.append(path.stem)
    if not found:
        return ""
    return f"; waiting for {shown(name)}: {', '.join(found)} (the key_name on the sheet): confirm by that name"


def code_of(value: str) -> str:
    """A confirmation code given as such, or a file holding one (what `wallet import-key` wrote)."""
    if _CODE.fullmatch(value.strip().upper()):
        return value
    path = Path(value)
    if path.is_file():
        text = read_capped(path, 4096, f"confirmation file {path}").decode("utf-8", "replace")
        found = _CODE_IN_TEXT.findall(text)
        if len(found) == 1:
            return str(found[0])
        raise InputError(f"{path} holds {'no' if not found else 'more than one'} confirmation code (XXXXX-XXXXX)")
    raise InputError(f"{value[:20]!r} is neither a confirmation code (XXXXX-XXXXX) nor a file holding one")


def check_holder_name(name: str, where: str) -> str:
    """A person's name as a roster gives it: any script, apostrophes, spaces; visible text on one
    line (formats/credential.check_names_a_person); at most MAX_NAME_CHARS characters."""
    from registry.formats.credential import check_names_a_person

    name = name.strip()
    if not name:
        raise InputError(f"{where}: the holder's name is empty")
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"{where}: the holder's name is longer than {MAX_NAME_CHARS} characters")
    return check_names_a_person(name, f"{where}: the holder's name")


def private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
