"""A wallet's backup: one file, encrypted under a passphrase the worker gives.

`skills-wallet-backup/1`: scrypt (cost `keystore.scrypt_n()`, r 8, p 1, 16-byte salt) derives a
256-bit key; AES-256-GCM (96-bit nonce, the format name as associated data) encrypts the JSON of
the wallet's key files (still encrypted under her wallet passphrase inside) and credential files.
GCM's tag tells a wrong passphrase (or a changed byte) from a good one: nothing is restored from
a backup that does not decrypt whole. Restoring merges: a key or credential already held is
skipped, a key whose name is taken gets a new name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.durable import write_json_atomic
from registry.errors import InputError, KeyStoreError
from registry.files import read_capped
from registry.formats import credential as vcfmt
from registry.formats import safejson
from registry.formats.holderfile import kind_of
from registry.keystore import FORMAT as IDENTITY_FORMAT
from registry.keystore import scrypt_n
from registry.ops.wallet.store import Checked, Wallet, credential_id

BACKUP_FORMAT = "skills-wallet-backup/1"
MAX_BACKUP_BYTES = 64 * 1024 * 1024
_MAX_N = 1 << 22


def _key(passphrase: str, salt: bytes, n: int) -> bytes:
    return hashlib.scrypt(passphrase.encode(), salt=salt, n=n, r=8, p=1, maxmem=256 * n * 8 + (1 << 20), dklen=32)


def export_backup(wallet: Wallet, passphrase: str, out: Path) -> tuple[int, int]:
    """Write the backup (atomically, 0600); (keys, credentials) it holds."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if out.exists():
        raise InputError(f"{out} already exists; not overwriting it")
    if not out.parent.is_dir():
        raise InputError(f"the directory {out.parent} does not exist")
    keys = [wallet.keys.public_info(name) for name in wallet.keys.names()]
    credentials = [e.holder_file.to_json() for e in wallet.entries()]
    if not keys and not credentials:
        raise InputError(f"the wallet {wallet.directory} is empty: nothing to back up")
    plain = json.dumps({"keys": keys, "credentials": credentials}, ensure_ascii=False).encode("utf-8")
    n, salt, nonce = scrypt_n(), os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(passphrase, salt, n)).encrypt(nonce, plain, BACKUP_FORMAT.encode())
    document = {
        "format": BACKUP_FORMAT,
        "kdf": {"name": "scrypt", "n": n, "r": 8, "p": 1, "salt": base64.b64encode(salt).decode()},
        "cipher": "AES-256-GCM",
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    write_json_atomic(out, document, mode=0o600)
    return len(keys), len(credentials)


def read_backup(path: Path, passphrase: str) -> dict[str, Any]:
    """The backup's content, decrypted and checked; a one-line error for a wrong passphrase or damage."""
    return open_backup(path, open_sealed(path), passphrase)


def open_sealed(path: Path) -> dict[str, Any]:
    """The backup file read and checked, still sealed: a file of another kind, or a damaged one, is
    named before any passphrase is asked for (InputError)."""
    data = safejson.loads(read_capped(path, MAX_BACKUP_BYTES), f"backup {path}")
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        kind = kind_of(data)
        raise InputError(f"{path} is not a wallet backup ({BACKUP_FORMAT})" + (f" but {kind}" if kind else ""))
    try:
        kdf = data["kdf"]
        n, salt = kdf["n"], base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(data["nonce"], validate=True)
        sealed = base64.b64decode(data["ciphertext"], validate=True)
        usable = kdf.get("name") == "scrypt" and kdf.get("r") == 8 and kdf.get("p") == 1 and data.get("cipher")
        if not (usable == "AES-256-GCM" and isinstance(n, int) and 2 <= n <= _MAX_N and not n & (n - 1)):
            raise ValueError("parameters")
        if len(salt) != 16 or len(nonce) != 12:
            raise ValueError("sizes")
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the backup {path} is damaged (its encryption parameters are not the ones written)") from exc
    return {"n": n, "salt": salt, "nonce": nonce, "sealed": sealed}


def open_backup(path: Path, sealed: dict[str, Any], passphrase: str) -> dict[str, Any]:
    """What `open_sealed` read, decrypted under `passphrase` and checked."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        key = _key(passphrase, sealed["salt"], sealed["n"])
        plain = AESGCM(key).decrypt(sealed["nonce"], sealed["sealed"], BACKUP_FORMAT.encode())
    except InvalidTag as exc:
        raise KeyStoreError(f"wrong passphrase for the backup {path} (or the file was changed)") from exc
    content = safejson.loads(plain, f"backup {path}")
    if not isinstance(content, dict) or not isinstance(content.get("keys"), list):
        raise InputError(f"the backup {path} is damaged (no key list)")
    if not isinstance(content.get("credentials"), list):
        raise InputError(f"the backup {path} is damaged (no credential list)")
    return content


@dataclass(frozen=True)
class Restored:
    keys: list[str]
    credentials: list[str]
    skipped: int


def restore(wallet: Wallet, content: dict[str, Any], source: str) -> Restored:
    """Merge a decrypted backup into `wallet`: everything checked first, then written."""
    held_dids = set(wallet.dids().values())
    keys: list[tuple[str, dict[str, Any]]] = []
    names = set(wallet.keys.names())
    skipped = 0
    for number, key in enumerate(content["keys"], 1):
        if not isinstance(key, dict) or key.get("format") != IDENTITY_FORMAT or key.get("kind") != "natural-person":
            raise InputError(f"the backup {source} is damaged (key {number} is not a person's identity file)")
        if key.get("did") in held_dids:
            skipped += 1
            continue
        base = name = str(key.get("name") or "key")
        again = 1
        while name in names:
            again += 1
            name = f"{base}-{again}"
        wallet.keys.path(name)  # a name the keystore accepts
        names.add(name)
        held_dids.add(str(key.get("did")))
        keys.append((name, {**key, "name": name}))
    held = {e.id for e in wallet.entries()}
    credentials: list[Checked] = []
    for number, raw in enumerate(content["credentials"], 1):
        holder_file = vcfmt.load_holder_file(json.dumps(raw), f"{source} credential {number}")
        cid = credential_id(holder_file.credential)
        if cid in held:
            skipped += 1
            continue
        held.add(cid)
        credentials.append(Checked(cid, holder_file, f"{source} credential {number}"))
    for name, key in keys:
        wallet.keys.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_json_atomic(wallet.keys.path(name), key, mode=0o600)
    wallet.add(credentials)
    return Restored([n for n, _ in keys], [c.id for c in credentials], skipped)
