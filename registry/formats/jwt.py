"""Compact JWS/JWT: strict parsing, signing and signature checks.

Parsing is deliberately strict and bounded: the token size is capped before anything is
decoded, each part must be canonical base64url, header and payload must be JSON objects, and
only ES256, ES256K and EdDSA are accepted (never `none`, never HMAC), so a hostile token fails
here with a one-line reason instead of somewhere deep inside a library. A header with `crit` is
refused: RFC 7515 §4.1.11 says a recipient that does not understand every extension listed there
must reject the JWS, and we implement none (a signature whose meaning depends on an extension we
ignore, such as `b64: false`, would otherwise be judged on the wrong bytes).

The signature primitives are two raw functions, `create_signature` and `verify_signature`,
over the JWS signing input (`BASE64URL(header) "." BASE64URL(payload)`). Every signature of
the three algorithms is exactly 64 bytes (ECDSA as `r || s`, RFC 7518 §3.4; Ed25519 per RFC
8037), and anything else is refused before any curve arithmetic happens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from registry.errors import InputError
from registry.formats import safejson
from registry.formats.multibase import b64url_decode, b64url_encode

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

MAX_TOKEN_BYTES = 256 * 1024
ALLOWED_ALGS = ("ES256", "ES256K", "EdDSA")
SIGNATURE_BYTES = 64
_ALG_CURVES = {"ES256": "P-256", "ES256K": "secp256k1", "EdDSA": "Ed25519"}
_EC_CURVES: dict[str, type[ec.EllipticCurve]] = {"P-256": ec.SECP256R1, "secp256k1": ec.SECP256K1}
_COORDINATE_BYTES = 32
_CACHED_HEADER_CHARS = 1024  # longer headers are decoded every time, so the cache stays small
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True)
class CompactJWS:
    token: str
    header: dict[str, Any]
    payload: dict[str, Any]

    @cached_property  # read several times per credential by a verifier
    def alg(self) -> str:
        return str(self.header["alg"])

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None

    @cached_property
    def signing_input(self) -> bytes:
        """`BASE64URL(header) "." BASE64URL(payload)` exactly as it appears in the token."""
        return self.token.rsplit(".", 1)[0].encode("ascii")

    @cached_property
    def signature(self) -> bytes:
        return b64url_decode(self.token.rsplit(".", 1)[1])

    def without_payload(self, signing_input: bytes | None = None) -> CompactJWS:
        """The same token and header, the decoded payload left out: what a signature check needs,
        for a caller that has read the payload and checks the signature later. (A verifier holding
        a batch of credentials between its phases keeps the payloads' objects out of memory, and
        freeing each as soon as it is read is several times cheaper than freeing them all after.)
        The signing input is taken along, made now if not yet: the token is in the cache now, and
        may not be by the time the signature is checked (or given, by a caller that has the
        token's bytes already: their part before the last dot)."""
        return _compact(
            self.token,
            self.header,
            {},
            signing_input=self.signing_input if signing_input is None else signing_input,
            signature=self.signature,
            alg=self.alg,
        )


def _compact(token: str, header: dict[str, Any], payload: dict[str, Any], **cached: Any) -> CompactJWS:
    """A CompactJWS made without the frozen dataclass's __init__ (one `object.__setattr__` per
    field): a verifier makes two per credential. `cached` fills cached properties already known
    (`alg`, `signing_input`, `signature`), in the slots `cached_property` reads first."""
    made = object.__new__(CompactJWS)
    made.__dict__.update(cached, token=token, header=header, payload=payload)
    return made


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    value = safejson.loads(raw, f"the JWT {what}")
    if not isinstance(value, dict):
        raise InputError(f"the JWT {what} is not a JSON object")
    return value


@lru_cache(maxsize=256)
def _header(segment: str) -> dict[str, Any]:
    """The decoded, checked header. Cached: one issuer's credentials all carry the same header
    (callers get a copy, so the cached one is never changed)."""
    raw = b64url_decode(segment)
    header = _json_object(raw, "header")
    repeated = _repeated_name(raw)
    if repeated is not None:  # parsers disagree on which one counts (RFC 7515 section 5.2 lets us refuse)
        raise InputError(f"the JWT header names {repeated[:40]!r} twice: refused, as readers differ on which counts")
    alg = header.get("alg")
    if alg not in ALLOWED_ALGS:
        raise InputError(f"JWT algorithm {alg!r} is not accepted (only {', '.join(ALLOWED_ALGS)})")
    if "crit" in header:
        raise InputError(
            "the JWT header lists critical extensions (crit) this verifier does not understand, "
            "so it must be refused (RFC 7515 section 4.1.11)"
        )
    return header


def _repeated_name(raw: bytes) -> str | None:
    """A member name the header's JSON gives twice, at any level, or None (the header parsed already)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in items]
        repeated.extend(name for name in names if names.count(name) > 1)
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)
    return repeated[0] if repeated else None


def split(token: str) -> tuple[str, dict[str, Any], str, str]:
    """The token stripped, its decoded and checked header (a copy), and its payload and signature
    segments as they are (not decoded): what `parse` does first."""
    token = token.strip()
    if len(token) > MAX_TOKEN_BYTES:
        raise InputError(f"the JWT is larger than {MAX_TOKEN_BYTES // 1024} KiB")
    # Exactly two dots; found from each end, so the payload is copied once and never scanned char by char.
    first, last = token.find("."), token.rfind(".")
    if first < 0 or first == last or token.find(".", first + 1, last) >= 0:
        raise InputError("not a compact JWT (expected three dot-separated parts)")
    head = token[:first]
    header = dict(_header(head) if len(head) <= _CACHED_HEADER_CHARS else _header.__wrapped__(head))
    return token, header, token[first + 1 : last], token[last + 1 :]


def signature_of(segment: str, alg: str) -> bytes:
    """The signature segment decoded: exactly 64 bytes, or an InputError."""
    signature = b64url_decode(segment)
    if len(signature) != SIGNATURE_BYTES:
        raise InputError(f"the {alg} signature is {len(signature)} bytes, not {SIGNATURE_BYTES}")
    return signature


def parse(token: str) -> CompactJWS:
    """Split and decode a compact JWS without checking its signature."""
    token, header, body, tail = split(token)
    raw = b64url_decode(body)
    payload = _json_object(raw, "payload")
    repeated = safejson.repeated_in_token(raw, payload)
    if repeated is not None:  # parsers disagree on which one counts (RFC 7519 section 4 lets us refuse)
        raise InputError(f"the JWT payload names {repeated[:40]!r} twice: refused, as readers differ on which counts")
    signature = signature_of(tail, header["alg"])
    return _compact(token, header, payload, signature=signature, alg=header["alg"])  # an accepted alg: a str


def read_elsewhere(token: str, header: dict[str, Any], signature: bytes, signing_input: bytes) -> CompactJWS:
    """The CompactJWS of a token whose payload its caller decoded itself (after `split`): the
    payload left out, as `CompactJWS.without_payload` leaves it."""
    return _compact(token, header, {}, signing_input=signing_input, signature=signature, alg=header["alg"])


def _coordinate(public_jwk: dict[str, Any], name: str) -> int | None:
    value = public_jwk.get(name)
    if not isinstance(value, str):
        return None
    try:
        raw = b64url_decode(value)
    except InputError:
        return None
    return int.from_bytes(raw, "big") if len(raw) == _COORDINATE_BYTES else None


def _public_key(alg: str, public_jwk: dict[str, Any]) -> PublicKey | None:
    """The key `public_jwk` describes, if it is a well-formed key of `alg`'s curve; else None.

    Cached: one issuer key verifies thousands of credentials, and building the key object (with its
    on-curve check) costs as much as a third of a verification."""
    members = tuple(sorted((k, v) for k, v in public_jwk.items() if isinstance(v, str)))
    if len(members) != len(public_jwk):
        return None
    return _public_key_cached(alg, members)


@lru_cache(maxsize=1024)
def _public_key_cached(alg: str, members: tuple[tuple[str, str], ...]) -> PublicKey | None:
    public_jwk = dict(members)
    crv = _ALG_CURVES.get(alg)
    if crv is None or public_jwk.get("crv") != crv:
        return None
    if "alg" in public_jwk and public_jwk["alg"] != alg:
        return None  # RFC 7517 §4.4: a key restricted to another algorithm must not be used
    if alg == "EdDSA":
        x = public_jwk.get("x")
        if public_jwk.get("kty") != "OKP" or not isinstance(x, str):
            return None
        try:
            raw = b64url_decode(x)
            return ed25519.Ed25519PublicKey.from_public_bytes(raw) if len(raw) == _COORDINATE_BYTES else None
        except (InputError, ValueError):
            return None
    x_int, y_int = _coordinate(public_jwk, "x"), _coordinate(public_jwk, "y")
    if public_jwk.get("kty") != "EC" or x_int is None or y_int is None:
        return None
    try:
        return ec.EllipticCurvePublicNumbers(x_int, y_int, _EC_CURVES[crv]()).public_key()
    except ValueError:  # not a point on the curve
        return None


def verify_signature(alg: str, public_jwk: dict[str, Any], signing_input: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid `alg` signature of `signing_input` by `public_jwk`.

    Unknown algorithms, keys of another curve or algorithm, malformed keys and signatures that
    are not exactly 64 bytes are all simply False.
    """
    if alg not in ALLOWED_ALGS or len(signature) != SIGNATURE_BYTES:
        return False
    return _key_verifies(_public_key(alg, public_jwk), signing_input, signature)


_KINDS: dict[type, bool] = {}  # a public key's class -> whether it is an Ed25519 key
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())  # immutable: one for every ES256/ES256K check


def _key_verifies(key: PublicKey | None, signing_input: bytes, signature: bytes) -> bool:
    if key is None:
        return False
    try:
        # By the key's concrete class first: isinstance against the abstract classes costs as much as
        # a tenth of the curve arithmetic.
        kind = _KINDS.get(type(key))
        if kind is None:
            kind = _KINDS[type(key)] = isinstance(key, ed25519.Ed25519PublicKey)
        if kind:
            cast(ed25519.Ed25519PublicKey, key).verify(signature, signing_input)
        else:
            r = int.from_bytes(signature[:_COORDINATE_BYTES], "big")
            s = int.from_bytes(signature[_COORDINATE_BYTES:], "big")
            cast(ec.EllipticCurvePublicKey, key).verify(encode_dss_signature(r, s), signing_input, _ECDSA_SHA256)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key(alg: str, public_jwk: dict[str, Any]) -> PublicKey | None:
    """The key object `verify_with` takes: `public_jwk` as a key of `alg`'s curve, or None when it
    is not one (the same judgement `verify` makes on every call)."""
    return _public_key(alg, public_jwk) if alg in ALLOWED_ALGS else None


def verify_with(parsed: CompactJWS, key: PublicKey | None) -> bool:
    """`verify` with the key already built by `public_key(parsed.alg, jwk)`: a caller checking many
    signatures by one issuer key builds the key object once, not once per signature."""
    signature = parsed.signature
    if parsed.alg not in ALLOWED_ALGS or len(signature) != SIGNATURE_BYTES:
        return False
    return _key_verifies(key, parsed.signing_input, signature)


def create_signature(alg: str, key: JWK, signing_input: bytes) -> bytes:
    """The 64-byte `alg` signature of `signing_input` with the private `key`."""
    if alg not in ALLOWED_ALGS:
        raise InputError(f"cannot sign with algorithm {alg!r}")
    if not key.has_private:
        raise InputError("signing needs a private key")
    if key.get("crv") != _ALG_CURVES[alg]:
        raise InputError(f"a {key.get('crv')!r} key cannot sign {alg} (needs {_ALG_CURVES[alg]})")
    private = key.get_op_key("sign")
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return private.sign(signing_input)
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise InputError(f"cannot sign {alg} with this key")
    r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(_COORDINATE_BYTES, "big") + s.to_bytes(_COORDINATE_BYTES, "big")


def sign(header: dict[str, Any], payload: dict[str, Any], key: JWK) -> str:
    """Sign `payload` with `key`; `header` must name the algorithm."""
    alg = header.get("alg")
    if alg not in ALLOWED_ALGS:
        raise InputError(f"cannot sign with algorithm {alg!r}")
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    signing_input = f"{encode_segment(header)}.{b64url_encode(body)}"
    signature = create_signature(alg, key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def verify(parsed: CompactJWS, public_jwk: dict[str, Any]) -> bool:
    """True when the signature verifies with `public_jwk` under the header's algorithm."""
    return verify_signature(parsed.alg, public_jwk, parsed.signing_input, parsed.signature)


def encode_segment(data: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(data, separators=(",", ":")).encode())
