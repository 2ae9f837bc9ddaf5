"""The worker's wallet: her keys and the credentials issued to them, in a directory of its own.

    <wallet>/keys/<name>.json          her identities (keystore.py's format, under HER passphrase)
    <wallet>/credentials/<id>.json     each credential as a holder file (usable by `registry verify`)

A credential's id is the first 12 hex digits of its hash (formats/credential.credential_hash), so
the same credential is never held twice and an id names the same credential in every wallet.
Files are written atomically (0600, in 0700 directories). An import is checked whole before any
file is written: one file that is not hers or damaged refuses the lot, with a one-line error naming
that file; a credential already held is left as it is and named, the others imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from registry.durable import advice, write_json_atomic
from registry.errors import InputError, KeyStoreError, StateError
from registry.files import MIB, read_capped, without_bom
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.merkle.proofs import keccak256, verify_proof
from registry.keystore import Identity, KeyStore, new_natural_person
from registry.text import short_did

ID_DIGITS = 12
MAX_CREDENTIALS = 10_000


class Checked(NamedTuple):
    """A credential an import takes: its id, its holder file and where it came from (the file, and
    its number in a passport)."""

    id: str
    holder_file: vcfmt.HolderFile
    where: str


@dataclass(frozen=True)
class Entry:
    id: str
    path: Path
    holder_file: vcfmt.HolderFile

    @property
    def subject(self) -> str | None:
        return subject_of(self.holder_file.credential)


def credential_id(token: str) -> str:
    return vcfmt.credential_hash(token).hex()[:ID_DIGITS]


def vc_of(token: str) -> dict[str, Any]:
    """The credential object of either profile (VCDM 1.1 `vc` claim, or the vc+jwt payload)."""
    payload = jwt.parse(token).payload
    claim = payload.get("vc")
    vc = claim if isinstance(claim, dict) else payload
    return vc if isinstance(vc, dict) else {}


def subject_of(token: str) -> str | None:
    subject = vc_of(token).get("credentialSubject")
    found = subject.get("id") if isinstance(subject, dict) else None
    return found if isinstance(found, str) else None


class Wallet:
    def __init__(self, directory: Path, warn: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self.keys = KeyStore(directory / "keys", warn)
        self.credentials_dir = directory / "credentials"

    # Keys

    def dids(self) -> dict[str, str]:
        """Each key's name -> its did:key."""
        return {name: str(self.keys.public_info(name)["did"]) for name in self.keys.names()}

    def require_keys(self) -> dict[str, str]:
        found = self.dids()
        if not found:
            raise KeyStoreError(
                f"the wallet {self.directory} holds no key: run `registry wallet create`, or import the key a "
                "centre handed you with `registry wallet import-key FILE`"
            )
        return found

    def create(self, passphrase: str, name: str = "own") -> tuple[Identity, Path]:
        if self.keys.exists(name):
            raise KeyStoreError(
                f"the wallet {self.directory} already holds a key named {name} ({self.dids()[name]}); "
                "give another --name to make a second one"
            )
        identity = new_natural_person(name)
        return identity, self.keys.save(identity, passphrase)

    def add_key(self, identity: Identity, passphrase: str, name: str | None = None) -> tuple[str, Path]:
        """Keep a key made elsewhere (a centre's handover), re-encrypted under the wallet passphrase."""
        held = self.dids()
        for existing, did in held.items():
            if did == identity.did:
                raise KeyStoreError(f"the wallet already holds this key, as {existing} ({did})")
        name = name or identity.name
        base, n = name, 1
        while name in held:
            n += 1
            name = f"{base}-{n}"
        return name, self.keys.save(replace(identity, name=name), passphrase)

    def _wrong_passphrase(self, name: str, passphrase: str) -> KeyStoreError:
        """The passphrase does not open key `name`. When it opens another of the wallet's keys, `name`
        came from a backup made under the passphrase the wallet had then: say so, not "wrong passphrase"."""
        for other in self.keys.names():
            if other == name:
                continue
            try:
                self.keys.load(other, passphrase)
            except KeyStoreError:
                continue
            return KeyStoreError(
                f"the wallet passphrase opens the key {other} in {self.directory} but not {name}, the key your "
                "credentials name: a key restored from a backup keeps the passphrase its wallet had then; give "
                "that one (REGISTRY_WALLET_PASSPHRASE, or typed when asked)"
            )
        return KeyStoreError(
            f"wrong wallet passphrase for {self.directory}: give the one you chose for this wallet "
            "(REGISTRY_WALLET_PASSPHRASE, or typed when asked)"
        )

    def identity_for(self, did: str, passphrase: str) -> Identity:
        for name, held in self.dids().items():
            if held == did:
                try:
                    return self.keys.load(name, passphrase)
                except KeyStoreError as exc:
                    if not str(exc).startswith("wrong passphrase"):
                        raise
                    raise self._wrong_passphrase(name, passphrase) from exc
        raise KeyStoreError(
            f"the wallet {self.directory} holds no key for {short_did(did)} (none of its key files in "
            f"{self.keys.directory} is that key): a lost key comes back from your wallet backup (`registry "
            "wallet import-backup FILE`) or the centre's handover file (`registry wallet import-key FILE`)"
        )

    @staticmethod
    def signer_of(entries: list[Entry]) -> str:
        """The one key `entries` were issued to: a passport is signed by one key. DIDs are shown by
        start and end (did:keys of one curve share their first 50 characters)."""
        dids = sorted({str(e.subject) for e in entries})
        if len(dids) > 1:
            raise InputError(
                f"these credentials were issued to {len(dids)} of your keys ({', '.join(map(short_did, dids))}); "
                "a passport is signed by one key: name the credentials of one key by id"
            )
        return dids[0]

    # Credentials

    def entries(self) -> list[Entry]:
        if not self.credentials_dir.is_dir():
            return []
        found = []
        for path in sorted(self.credentials_dir.glob("*.json")):
            content = read_capped(path, vcfmt.MAX_FILE_BYTES + 1, f"wallet credential {path}")
            found.append(Entry(path.stem, path, vcfmt.load_holder_file(content, str(path))))
        return found

    def find(self, wanted: str) -> Entry:
        """The credential whose id starts with `wanted` (at least 4 digits, one match)."""
        wanted = wanted.strip().lower()
        if len(wanted) < 4 or any(c not in "0123456789abcdef" for c in wanted):
            raise InputError(f"{wanted[:20]!r} is not a credential id (4+ of the hex digits `wallet list` shows)")
        matches = [e for e in self.entries() if e.id.startswith(wanted)]
        if not matches:
            raise InputError(f"no credential {wanted} in the wallet {self.directory} (see `registry wallet list`)")
        if len(matches) > 1:
            raise InputError(f"{wanted} names {len(matches)} credentials; give more of the id")
        return matches[0]

    def check_imports(self, sources: list[tuple[str, bytes]]) -> tuple[list[Checked], list[Checked]]:
        """Every credential the files hold, each checked (readable, about one of her keys): those new
        to the wallet (each once), and those it holds already (left as they are, after a partial
        restore say). The first refusal names its file; nothing is written."""
        from registry.ops.passport import check_holder_signature, is_passport, load_passport

        mine = set(self.require_keys().values())
        held = {e.id for e in self.entries()}
        taken: list[Checked] = []
        already: list[Checked] = []
        for source, content in sources:
            if is_passport(content):
                passport = load_passport(content, source)
                problem = check_holder_signature(passport)
                if problem:
                    raise InputError(f"{source} is a damaged passport: {problem}")
                found = [(f"{source} credential {n}", f) for n, f in enumerate(passport.credentials, 1)]
            else:
                found = [(source, vcfmt.load_holder_file(content, source))]
            for where, holder_file in found:
                _check_credential(where, holder_file, mine)
                cid = credential_id(holder_file.credential)
                if cid not in held:
                    held.add(cid)
                    taken.append(Checked(cid, holder_file, where))
                elif all(c.id != cid for c in taken + already):  # given twice in one import: taken once
                    already.append(Checked(cid, holder_file, where))
        if len(held) > MAX_CREDENTIALS:
            raise InputError(f"a wallet holds at most {MAX_CREDENTIALS} credentials")
        return taken, already

    def add(self, checked: list[Checked]) -> list[Entry]:
        """Each credential into its own file, whole. A write that fails (a full disk) says which of
        them were kept: running the same import again takes the others and leaves those as they are."""
        self.credentials_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        added: list[Entry] = []
        for cid, holder_file, _ in checked:
            path = self.credentials_dir / f"{cid}.json"
            try:
                write_json_atomic(path, holder_file.to_json(), mode=0o600)
            except OSError as exc:
                raise StateError(_stopped(exc, path, [c.where for c in checked[: len(added)]], len(checked))) from exc
            added.append(Entry(cid, path, holder_file))
        return added


def _stopped(exc: OSError, path: Path, imported: list[str], wanted: int) -> str:
    """An import a failed write stopped: the file, the cause, what was imported before it, and what to do."""
    if not imported:
        kept = "nothing was imported"
    else:
        named = ", ".join(imported[:3]) + (f" and {len(imported) - 3} more" if len(imported) > 3 else "")
        kept = f"imported {len(imported)} of {wanted} credentials ({named}), not the rest"
    then = advice(exc) or "; run the command again once it can be written"
    return f"cannot write {path}: {exc.strerror or exc}; {kept}{then} (what is already in the wallet is left as it is)"


def _check_credential(where: str, holder_file: vcfmt.HolderFile, mine: set[str]) -> None:
    """Damaged (not a signed JWT credential, or a cohort proof that leads nowhere), or not hers."""
    try:
        signed = bool(jwt.parse(holder_file.credential).signature)
        subject = subject_of(holder_file.credential)
    except (InputError, ValueError) as exc:
        raise InputError(f"{where} is damaged: {exc}") from exc
    if not signed or subject is None:
        raise InputError(f"{where} is damaged: it is not a signed credential about anyone")
    cohort = holder_file.cohort
    if cohort is not None:
        leaf = keccak256(keccak256(vcfmt.credential_hash(holder_file.credential)))
        if not verify_proof(cohort.root, leaf, cohort.proof):
            raise InputError(f"{where} is damaged: its Merkle proof does not lead to its cohort root")
    if subject not in mine:
        keys = ", ".join(short_did(did) for did in sorted(mine))
        raise InputError(
            f"{where} is not yours: it was issued to {short_did(subject)}, and this wallet holds {keys}; "
            "nothing was imported"
        )


def read_sources(paths: list[Path]) -> list[tuple[str, bytes]]:
    """The files named, each sized before it is read."""
    return [(str(p), without_bom(read_capped(p, MIB, f"{p}"))) for p in paths]
