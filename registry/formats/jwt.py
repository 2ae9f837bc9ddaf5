"""Compact JWS/JWT: strict parsing, signing and signature checks (jwcrypto does the crypto).

Parsing is deliberately strict and bounded: the token size is capped before anything is
decoded, each part must be canonical base64url, header and payload must be JSON objects, and
only ES256, ES256K and EdDSA are accepted (never `none`, never HMAC), so a hostile token fails
here with a one-line reason instead of somewhere deep inside a library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jwcrypto.common import JWException
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS, InvalidJWSSignature

from registry.errors import InputError
from registry.formats.multibase import b64url_decode, b64url_encode

MAX_TOKEN_BYTES = 256 * 1024
ALLOWED_ALGS = ("ES256", "ES256K", "EdDSA")
_ALG_CURVES = {"ES256": "P-256", "ES256K": "secp256k1", "EdDSA": "Ed25519"}


@dataclass(frozen=True)
class CompactJWS:
    token: str
    header: dict[str, Any]
    payload: dict[str, Any]

    @property
    def alg(self) -> str:
        return str(self.header["alg"])

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"the JWT {what} is not valid UTF-8") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"the JWT {what} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise InputError(f"the JWT {what} is not a JSON object")
    return value


def parse(token: str) -> CompactJWS:
    """Split and decode a compact JWS without checking its signature."""
    token = token.strip()
    if len(token) > MAX_TOKEN_BYTES:
        raise InputError(f"the JWT is larger than {MAX_TOKEN_BYTES // 1024} KiB")
    parts = token.split(".")
    if len(parts) != 3:
        raise InputError("not a compact JWT (expected three dot-separated parts)")
    header = _json_object(b64url_decode(parts[0]), "header")
    payload = _json_object(b64url_decode(parts[1]), "payload")
    signature = b64url_decode(parts[2])
    alg = header.get("alg")
    if alg not in ALLOWED_ALGS:
        raise InputError(f"JWT algorithm {alg!r} is not accepted (only {', '.join(ALLOWED_ALGS)})")
    expected = 64
    if len(signature) != expected:
        raise InputError(f"the {alg} signature is {len(signature)} bytes, not {expected}")
    return CompactJWS(token=token, header=header, payload=payload)


def sign(header: dict[str, Any], payload: dict[str, Any], key: JWK) -> str:
    """Sign `payload` with `key`; `header` must name the algorithm."""
    alg = header.get("alg")
    if alg not in ALLOWED_ALGS:
        raise InputError(f"cannot sign with algorithm {alg!r}")
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    jws = JWS(body)
    jws.add_signature(key, alg=alg, protected=json.dumps(header, separators=(",", ":")))
    result: str = jws.serialize(compact=True)
    return result


def verify(parsed: CompactJWS, public_jwk: dict[str, Any]) -> bool:
    """True when the signature verifies with `public_jwk` under the header's algorithm."""
    if public_jwk.get("crv") != _ALG_CURVES[parsed.alg]:
        return False
    try:
        key = JWK(**public_jwk)
        jws = JWS()
        jws.deserialize(parsed.token)
        jws.verify(key, alg=parsed.alg)
    except (InvalidJWSSignature, JWException, ValueError, TypeError):
        return False
    return True


def encode_segment(data: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(data, separators=(",", ":")).encode())
