"""Identities and their keys, encrypted at rest.

An identity is a DID and its private keys. A legal entity (issuer, accreditation body, root
authority) has a did:ebsi, a secp256k1 controller key (its Ethereum account signs the DID's
transactions) and a P-256 key that signs credentials. A natural person (a worker) has a
did:key over a P-256 key.

Each private key is stored in the Ethereum keyfile format (scrypt + AES-128-CTR + MAC, as
eth-account writes), so a wrong passphrase is detected, never silently accepted. Files are
created with mode 0600 in a 0700 directory. The passphrase comes from REGISTRY_PASSPHRASE or a
prompt; it is never logged and never part of an error message.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.durable import write_json_atomic
from registry.errors import InputError, KeyStoreError, SettingsError
from registry.files import MIB, read_capped
from registry.formats import keys as keyfmt
from registry.formats.did import new_ebsi_did
from registry.formats.didkey import did_key_from_jwk
from registry.formats.keys import KeyType

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from jwcrypto.jwk import JWK

FORMAT = "skills-registry-identity/1"
PASSPHRASE_ENV = "REGISTRY_PASSPHRASE"
# scrypt cost: 2^18 as geth/eth-account use. REGISTRY_SCRYPT_N lowers it for throwaway test and
# demo identities only; it never goes below 2^14.
DEFAULT_SCRYPT_N = 1 << 18
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def scrypt_n() -> int:
    value = os.environ.get("REGISTRY_SCRYPT_N")
    if not value:
        return DEFAULT_SCRYPT_N
    try:
        n = int(value)
    except ValueError as exc:
        raise SettingsError(f"REGISTRY_SCRYPT_N must be a power of two of at least 16384, not {value[:40]!r}") from exc
    if n < (1 << 14) or n & (n - 1):
        raise SettingsError(f"REGISTRY_SCRYPT_N must be a power of two of at least 16384, not {value[:40]!r}")
    return n


@dataclass
class Identity:
    name: str
    did: str
    kind: str  # "legal-entity" | "natural-person"
    signing_key: JWK
    controller_key: JWK | None = None

    @property
    def signing_jwk(self) -> dict[str, str]:
        return keyfmt.jwk_public_dict(self.signing_key)

    # kid and account are derived from the keys and asked for once per credential when issuing a
    # cohort; both cost a public-key computation, so they are remembered per key object (a key
    # rotation replaces the object, and with it the cached value).
    _derived: dict[str, tuple[JWK, Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def kid(self) -> str:
        if self.kind == "natural-person":
            return f"{self.did}#{self.did.removeprefix('did:key:')}"
        cached = self._derived.get("kid")
        if cached is None or cached[0] is not self.signing_key:
            cached = self._derived["kid"] = (self.signing_key, f"{self.did}#{keyfmt.thumbprint(self.signing_jwk)}")
        kid: str = cached[1]
        return kid

    @property
    def account(self) -> LocalAccount:
        if self.controller_key is None:
            raise KeyStoreError(f"identity {self.name} has no controller (secp256k1) key")
        cached = self._derived.get("account")
        if cached is None or cached[0] is not self.controller_key:
            from registry.chain.writer import known_as
            from registry.ethaccount import Account  # heavy import: only when a write needs the key

            account_ = Account.from_key(keyfmt.private_bytes(self.controller_key))
            known_as(account_.address, self.name)  # a writer waiting for this account's lock names it
            cached = self._derived["account"] = (self.controller_key, account_)
        account: LocalAccount = cached[1]
        return account

    @property
    def controller_jwk(self) -> dict[str, str]:
        if self.controller_key is None:
            raise KeyStoreError(f"identity {self.name} has no controller (secp256k1) key")
        return keyfmt.jwk_public_dict(self.controller_key)


def new_legal_entity(name: str) -> Identity:
    return Identity(
        name=name,
        did=new_ebsi_did(),
        kind="legal-entity",
        signing_key=keyfmt.generate(KeyType.P256),
        controller_key=keyfmt.generate(KeyType.SECP256K1),
    )


def new_natural_person(name: str) -> Identity:
    key = keyfmt.generate(KeyType.P256)
    return Identity(
        name=name,
        did=did_key_from_jwk(keyfmt.jwk_public_dict(key)),
        kind="natural-person",
        signing_key=key,
    )


class KeyStore:
    """A directory of identity files. `warn` is told, in one line, of an identity file other users
    may read when it is loaded (as ssh says of a private key file; the keys are encrypted, so the
    command goes on)."""

    def __init__(self, directory: Path, warn: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self.warn = warn

    def path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise InputError(f"identity name {name[:40]!r} must be 1-64 letters, digits, '.', '_' or '-'")
        return self.directory / f"{name}.json"

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json"))

    def save(self, identity: Identity, passphrase: str, *, overwrite: bool = False, n: int | None = None) -> Path:
        """Write `identity`'s file, its keys encrypted under `passphrase` at scrypt cost `n`
        (default: `scrypt_n()`)."""
        target = self.path(identity.name)
        if target.exists() and not overwrite:
            raise KeyStoreError(f"identity {identity.name} already exists at {target}")
        data = identity_document(identity, passphrase, n)
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        write_json_atomic(target, data, mode=0o600)
        return target

    def public_info(self, name: str) -> dict[str, Any]:
        """The identity file without decrypting anything (DID, public keys, address)."""
        target = self.path(name)
        try:
            if not target.exists():
                raise KeyStoreError(self._missing(name))
            data: dict[str, Any] = json.loads(read_capped(target, MIB, f"identity file {target}").decode("utf-8"))
        except InputError as exc:
            raise KeyStoreError(str(exc)) from exc
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise KeyStoreError(
                f"identity file {target} is unreadable or not JSON: restore it from a copy you kept (a new key "
                "would not be the one its DID and credentials name)"
            ) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise KeyStoreError(f"{target} is not an identity file")
        if data.get("name") != name:  # another's file copied or renamed over it: never act as that other
            raise KeyStoreError(
                f"{target} holds the identity {str(data.get('name'))[:64]!r} ({str(data.get('did'))[:80]}), not "
                f"{name}: it was copied or renamed; put {name}'s own file back (each identity's keys are its own)"
            )
        return data

    def _missing(self, name: str) -> str:
        """Why `name` cannot be found, and what to do: a name close to one of this home's (a typo,
        `trainingcentre`) is asked about before a new identity is offered (a new key nothing knows)."""
        import difflib

        close = difflib.get_close_matches(name.lower(), self.names(), n=2, cutoff=0.75)
        if close:
            return (f"no identity named {name} in {self.directory}: did you mean {' or '.join(close)}? "
                    "(`registry identity show NAME`)")  # fmt: skip
        return (f"no identity named {name} in {self.directory}: make it with `registry identity create {name}`, "
                "or name the home that holds it (`registry --home DIR`, or REGISTRY_HOME)")  # fmt: skip

    def load(self, name: str, passphrase: str, asked: str = "REGISTRY_PASSPHRASE") -> Identity:
        """The identity `name`; `asked`: where its passphrase comes from, named when it is not the right one."""
        document = self.public_info(name)
        if self.warn is not None and (problem := exposed(self.path(name))):
            self.warn(problem)
        try:
            return identity_from_document(document, passphrase, f"identity {name}", f"identity file {self.path(name)}")
        except KeyStoreError as exc:
            if str(exc) == f"wrong passphrase for identity {name}":
                raise KeyStoreError(
                    f"{exc}: give the passphrase its key was made under ({asked}, or typed when asked)"
                ) from exc
            raise


def exposed(path: Path) -> str | None:
    """What is wrong with who may read the key file `path` (group or others: mode 0600 is written),
    and what to do, or None."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"{path} may be read by other users (mode {mode:04o}): its keys are encrypted, but whoever copies it "
        f"can guess the passphrase offline; run `chmod 600 {path}`"
    )


def identity_document(identity: Identity, passphrase: str, n: int | None = None) -> dict[str, Any]:
    """An identity as its file holds it: public keys in the clear, private keys encrypted under
    `passphrase` (Web3 Secret Storage v3, scrypt cost `n`, default `scrypt_n()`)."""
    secret = passphrase.encode()
    n = scrypt_n() if n is None else n
    entries: list[dict[str, Any]] = [
        {"use": "assertion", "publicJwk": identity.signing_jwk, "keyfile": _encrypt(identity.signing_key, secret, n)}
    ]
    if identity.controller_key is not None:
        entries.append(
            {
                "use": "controller",
                "publicJwk": identity.controller_jwk,
                "address": identity.account.address,
                "keyfile": _encrypt(identity.controller_key, secret, n),
            }
        )
    return {"format": FORMAT, "name": identity.name, "did": identity.did, "kind": identity.kind, "keys": entries}


def identity_from_document(data: dict[str, Any], passphrase: str, who: str, where: str) -> Identity:
    """The identity an identity document holds, decrypted with `passphrase`; `who` names it in
    errors ("identity amina"), `where` is the file it came from."""
    secret = passphrase.encode()
    by_use: dict[str, JWK] = {}
    refused: str | None = None  # the use of a key the passphrase did not open
    try:
        for entry in data["keys"]:
            kind = keyfmt.key_type(entry["publicJwk"])
            problem = _keyfile_problem(entry["keyfile"])
            if problem:
                raise KeyStoreError(f"{where} is corrupt: {problem}")
            raw = _decrypt(entry["keyfile"], secret, where)
            if raw is None:
                refused = str(entry["use"])
                continue
            key = keyfmt.from_private_bytes(kind, raw)
            if keyfmt.jwk_public_dict(key) != keyfmt.public_jwk(entry["publicJwk"]):
                raise KeyStoreError(f"{who}: a stored key does not match its public key")
            by_use[entry["use"]] = key
        if refused is not None:
            # One passphrase encrypts every key of a file: one that opens another key but not this
            # one is right, and this key's bytes were changed.
            if by_use:
                raise KeyStoreError(
                    f"{where} is corrupt: its {refused} key does not open under the passphrase that opens "
                    f"its other key; put back a copy of the file (a backup)"
                )
            raise KeyStoreError(f"wrong passphrase for {who}")
        identity = Identity(
            name=data["name"],
            did=data["did"],
            kind=data["kind"],
            signing_key=by_use["assertion"],
            controller_key=by_use.get("controller"),
        )
    except (KeyError, TypeError, InputError) as exc:
        raise KeyStoreError(f"{where} is malformed") from exc
    if identity.kind == "natural-person" and identity.did != did_key_from_jwk(identity.signing_jwk):
        raise KeyStoreError(f"{where}: its DID is not the did:key of its key")
    return identity


def _decrypt(keyfile: dict[str, Any], secret: bytes, where: str) -> bytes | None:
    """The private key an encrypted key holds; None when the passphrase does not open it (its MAC
    does not match), KeyStoreError for anything else."""
    from registry.keyfiles import decode_keyfile_json

    try:
        raw: bytes = decode_keyfile_json(keyfile, secret)
    except Exception as exc:  # eth_keyfile raises its own types; only a MAC mismatch is the passphrase
        if "MAC mismatch" in str(exc):
            return None
        raise KeyStoreError(f"{where} is corrupt: {exc}") from exc
    return raw


_HEX = re.compile(r"[0-9a-fA-F]*")
# What we write (scrypt, AES-128-CTR, 32-byte keys); a cost above 2**22 would take minutes and
# gigabytes before failing, so it is refused as corrupt, not attempted.
_MAX_SCRYPT_N = 2**22


def _keyfile_problem(keyfile: Any) -> str | None:
    """What is structurally wrong with an encrypted key (Web3 Secret Storage v3), or None.

    Checked before decrypting, so that a damaged file is called damaged; once the structure is
    sound, a MAC mismatch can only mean a wrong passphrase (or bytes flipped inside the
    ciphertext, which no check can tell apart from it)."""
    if not isinstance(keyfile, dict):
        return "an encrypted key is not a JSON object"
    if keyfile.get("version") != 3:
        return f"encrypted key version {keyfile.get('version')!r} (only version 3 is read)"
    crypto = keyfile.get("crypto", keyfile.get("Crypto"))
    if not isinstance(crypto, dict):
        return "an encrypted key has no crypto section"
    params = crypto.get("kdfparams")
    if crypto.get("kdf") != "scrypt" or not isinstance(params, dict):
        return f"key derivation {crypto.get('kdf')!r} (only scrypt is read)"
    n, r, p = params.get("n"), params.get("r"), params.get("p")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)):
        return "scrypt parameters are not integers"
    assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
    if n < 2 or n > _MAX_SCRYPT_N or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
        return f"scrypt parameters out of range (n={n}, r={r}, p={p})"
    cipherparams = crypto.get("cipherparams")
    fields = {
        "salt": params.get("salt"),
        "ciphertext": crypto.get("ciphertext"),
        "mac": crypto.get("mac"),
        "iv": cipherparams.get("iv") if isinstance(cipherparams, dict) else None,
    }
    for part, value in fields.items():
        if not isinstance(value, str) or not value or len(value) % 2 or not _HEX.fullmatch(value):
            return f"its {part} is not hex"
    if crypto.get("cipher") != "aes-128-ctr" or params.get("dklen") != 32 or len(fields["iv"] or "") != 32:
        return "cipher parameters are not the ones written (aes-128-ctr, 32-byte derived key)"
    if len(fields["mac"] or "") != 64:
        return "its mac is not 32 bytes"
    if len(fields["ciphertext"] or "") != 64:  # a P-256 or secp256k1 private key: 32 bytes
        return "its ciphertext is not 32 bytes (the file was cut or edited)"
    return None


def _encrypt(key: JWK, secret: bytes, n: int) -> dict[str, Any]:
    from registry.keyfiles import create_keyfile_json

    result: dict[str, Any] = create_keyfile_json(keyfmt.private_bytes(key), secret, kdf="scrypt", iterations=n)
    return result
