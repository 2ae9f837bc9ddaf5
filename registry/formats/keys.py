"""Public keys as JWKs and as the coordinates the DID registry stores.

The DID registry keeps each verification method as (key type, x, y) so a document is one view
call; this module converts between that and JWKs, computes RFC 7638 thumbprints (the method id
after `#` in EBSI DID documents) and derives Ethereum accounts from secp256k1 keys.
"""

from __future__ import annotations

import hashlib
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from registry.errors import InputError
from registry.formats.eth import keccak, to_checksum_address
from registry.formats.multibase import b64url_decode, b64url_encode

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK


class KeyType(IntEnum):
    """Mirrors `IDIDRegistry.KeyType`."""

    NONE = 0
    SECP256K1 = 1
    P256 = 2
    ED25519 = 3


ALGORITHMS = {KeyType.SECP256K1: "ES256K", KeyType.P256: "ES256", KeyType.ED25519: "EdDSA"}
_CURVES = {"secp256k1": KeyType.SECP256K1, "P-256": KeyType.P256, "Ed25519": KeyType.ED25519}


def key_type(jwk: dict[str, Any]) -> KeyType:
    crv = jwk.get("crv")
    if crv not in _CURVES:
        raise InputError(f"unsupported key curve {crv!r} (secp256k1, P-256 and Ed25519 are supported)")
    return _CURVES[crv]


def public_jwk(jwk: dict[str, Any]) -> dict[str, str]:
    """Only the required public members, as RFC 7638 and EBSI's did:key form want."""
    kind = key_type(jwk)
    if kind is KeyType.ED25519:
        return {"crv": jwk["crv"], "kty": "OKP", "x": jwk["x"]}
    return {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint, base64url.

    The thumbprint input is the required members only, sorted, without whitespace: for these
    string-valued members exactly their RFC 8785 canonical JSON (the test suite checks it against
    jwcrypto's `thumbprint()` and RFC 7638's own example). Not via jwcrypto here: a verifier
    needs nothing else from it, and importing it costs a tenth of `registry verify`'s start-up.
    """
    return b64url_encode(hashlib.sha256(rfc8785.dumps(public_jwk(jwk))).digest())


def to_coordinates(jwk: dict[str, Any]) -> tuple[KeyType, bytes, bytes]:
    """(key type, x, y) as stored on-chain; Ed25519 has y = 32 zero bytes."""
    kind = key_type(jwk)
    x = b64url_decode(jwk["x"])
    y = b64url_decode(jwk["y"]) if kind is not KeyType.ED25519 else bytes(32)
    if len(x) != 32 or len(y) != 32:
        raise InputError(f"a {jwk['crv']} key needs 32-byte coordinates")
    return kind, x, y


def from_coordinates(kind: KeyType | int, x: bytes, y: bytes) -> dict[str, str]:
    kind = KeyType(kind)
    if kind is KeyType.ED25519:
        return {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(x)}
    crv = "secp256k1" if kind is KeyType.SECP256K1 else "P-256"
    return {"crv": crv, "kty": "EC", "x": b64url_encode(x), "y": b64url_encode(y)}


def eth_address(x: bytes, y: bytes) -> str:
    """The Ethereum account of an uncompressed secp256k1 public key."""
    return to_checksum_address(keccak(x + y)[12:])


def generate(kind: KeyType) -> JWK:
    """A fresh private key as a jwcrypto JWK."""
    from jwcrypto.jwk import JWK

    if kind is KeyType.ED25519:
        return JWK.generate(kty="OKP", crv="Ed25519")
    return JWK.generate(kty="EC", crv="secp256k1" if kind is KeyType.SECP256K1 else "P-256")


def private_bytes(key: JWK) -> bytes:
    """The 32-byte private scalar/seed (for encrypted storage)."""
    return b64url_decode(key.export_private(as_dict=True)["d"])


def from_private_bytes(kind: KeyType, secret: bytes) -> JWK:
    from jwcrypto.jwk import JWK

    if kind is KeyType.ED25519:
        return JWK.from_pyca(ed25519.Ed25519PrivateKey.from_private_bytes(secret))
    curve: ec.EllipticCurve = ec.SECP256K1() if kind is KeyType.SECP256K1 else ec.SECP256R1()
    return JWK.from_pyca(ec.derive_private_key(int.from_bytes(secret, "big"), curve))


def jwk_public_dict(key: JWK) -> dict[str, str]:
    return public_jwk(key.export_public(as_dict=True))
