"""DID syntax: did:ebsi identifiers for legal entities, parsing of DID URLs."""

from __future__ import annotations

import re
import secrets

from registry.errors import InputError
from registry.formats.multibase import b58decode, b58encode

_EBSI = re.compile(r"^did:ebsi:z[1-9A-HJ-NP-Za-km-z]{16,40}$")
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")


def new_ebsi_did() -> str:
    """A fresh legal-entity DID: `did:ebsi:` + base58btc multibase of 0x01 and 16 random bytes."""
    return "did:ebsi:z" + b58encode(b"\x01" + secrets.token_bytes(16))


def check_ebsi_did(did: str) -> str:
    if not _EBSI.match(did):
        raise InputError(f"not a did:ebsi identifier: {did[:80]!r}")
    raw = b58decode(did[len("did:ebsi:z") :])
    if len(raw) != 17 or raw[0] != 1:
        raise InputError(f"not a did:ebsi legal-entity identifier (version byte 0x01 + 16 bytes): {did[:80]!r}")
    return did


def check_did(did: str) -> str:
    if len(did) > 2048 or not _DID.match(did):
        raise InputError(f"not a DID: {did[:80]!r}")
    return did


def check_party_did(did: str) -> str:
    """A DID someone typed to name a party (an issuer, a root, an authority): its syntax, and a
    did:ebsi must be a well-formed legal-entity identifier, so that a character missing or mistyped
    is refused as such, never answered as "holds no accreditation" or "not trusted" about a DID
    that nobody has."""
    check_did(did)
    if did.startswith("did:ebsi:"):
        try:
            check_ebsi_did(did)
        except InputError as exc:
            raise InputError(f"{exc}: a character missing or mistyped? Copy the DID whole, as its owner "
                             "published it") from exc  # fmt: skip
    return did


def split_did_url(did_url: str) -> tuple[str, str]:
    """`did:x:y#frag` -> (`did:x:y`, `frag`); the fragment is required."""
    did, sep, fragment = did_url.partition("#")
    if not sep or not fragment:
        raise InputError(f"key id {did_url[:80]!r} has no #fragment")
    return check_did(did), fragment
