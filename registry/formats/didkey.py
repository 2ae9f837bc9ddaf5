"""did:key: build a DID from a public key, recover the key, and resolve the DID document.

Two families of did:key exist and we need both:

* the multicodec forms of the did:key spec (secp256k1-pub 0xe7, p256-pub 0x1200, p384-pub 0x1201,
  p521-pub 0x1202, ed25519-pub 0xed), where EC keys are compressed points;
* EBSI's natural-person form, jwk_jcs-pub 0xeb51, whose payload is the RFC 8785 text of the
  public JWK reduced to its required members.

Every decoded key is checked to lie on its curve: a DID naming a non-point would otherwise surface
later as a confusing signature failure, or worse, be accepted by a lax verifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec

from registry.errors import InputError
from registry.formats import safejson
from registry.formats.canonical import canonicalize
from registry.formats.multibase import (
    b58encode,
    b64url_decode,
    b64url_encode,
    multibase_decode_b58,
    multibase_encode_b58,
    varint_decode,
    varint_encode,
)

DID_KEY_PREFIX = "did:key:"

SECP256K1_PUB = 0xE7
P256_PUB = 0x1200
P384_PUB = 0x1201
P521_PUB = 0x1202
ED25519_PUB = 0xED
X25519_PUB = 0xEC
JWK_JCS_PUB = 0xEB51

CODEC_NAMES: dict[int, str] = {
    SECP256K1_PUB: "secp256k1-pub",
    P256_PUB: "p256-pub",
    P384_PUB: "p384-pub",
    P521_PUB: "p521-pub",
    ED25519_PUB: "ed25519-pub",
    X25519_PUB: "x25519-pub",
    JWK_JCS_PUB: "jwk_jcs-pub",
}
_CODEC_BY_NAME = {name: code for code, name in CODEC_NAMES.items()}

DID_V1 = "https://www.w3.org/ns/did/v1"
JWS_2020 = "https://w3id.org/security/suites/jws-2020/v1"

JwkForm = Literal["jwk_jcs-pub", "multicodec"]
DocumentStyle = Literal["jwk", "base58"]


@dataclass(frozen=True)
class _Curve:
    crv: str
    codec: int
    size: int  # bytes per coordinate
    curve: ec.EllipticCurve
    # Verification-method type and JSON-LD context of the legacy publicKeyBase58 documents.
    base58_type: str
    base58_context: str


_MULTIKEY_2021 = "https://w3id.org/security/suites/multikey-2021/v1"
_EC_CURVES: dict[str, _Curve] = {
    c.crv: c
    for c in (
        _Curve(
            "secp256k1",
            SECP256K1_PUB,
            32,
            ec.SECP256K1(),
            "EcdsaSecp256k1VerificationKey2019",
            "https://w3id.org/security/suites/secp256k1-2019/v1",
        ),
        _Curve("P-256", P256_PUB, 32, ec.SECP256R1(), "P256Key2021", _MULTIKEY_2021),
        _Curve("P-384", P384_PUB, 48, ec.SECP384R1(), "P384Key2021", _MULTIKEY_2021),
        _Curve("P-521", P521_PUB, 66, ec.SECP521R1(), "P521Key2021", _MULTIKEY_2021),
    )
}
_EC_BY_CODEC = {c.codec: c for c in _EC_CURVES.values()}

_ED25519_CONTEXT = "https://w3id.org/security/suites/ed25519-2018/v1"
_X25519_CONTEXT = "https://w3id.org/security/suites/x25519-2019/v1"

# Edwards25519 constants (RFC 8032 §5.1) for point validation and the Ed25519 -> X25519 map.
_P25519 = 2**255 - 19
_D25519 = (-121665 * pow(121666, -1, _P25519)) % _P25519
_SQRT_M1 = pow(2, (_P25519 - 1) // 4, _P25519)


# --- key material ----------------------------------------------------------------------------


def _ec_point(curve: _Curve, encoded: bytes) -> tuple[bytes, bytes]:
    """Validate an SEC1 point (compressed or not) and return its fixed-width (x, y)."""
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(curve.curve, encoded)
    except ValueError:
        raise InputError(f"public key is not a valid point on {curve.crv}") from None
    nums = key.public_numbers()
    return nums.x.to_bytes(curve.size, "big"), nums.y.to_bytes(curve.size, "big")


def _ed25519_y(public: bytes) -> int:
    """Decode an Ed25519 public key far enough to prove it is a curve point; return y."""
    if len(public) != 32:
        raise InputError(f"Ed25519 public key must be 32 bytes, got {len(public)}")
    encoded = int.from_bytes(public, "little")
    y = encoded & ((1 << 255) - 1)
    sign = encoded >> 255
    if y >= _P25519:
        raise InputError("Ed25519 public key is not canonically encoded")
    # x^2 = (y^2 - 1) / (d y^2 + 1); the key is a point iff that has a square root.
    u = (y * y - 1) % _P25519
    v = (_D25519 * y * y + 1) % _P25519
    x2 = u * pow(v, -1, _P25519) % _P25519
    x = pow(x2, (_P25519 + 3) // 8, _P25519)
    if (x * x - x2) % _P25519 != 0:
        x = x * _SQRT_M1 % _P25519
    if (x * x - x2) % _P25519 != 0 or (x == 0 and sign):
        raise InputError("Ed25519 public key is not a point on the curve")
    if y == 1:
        # The neutral element: no usable key, and the X25519 map below is undefined for it.
        raise InputError("Ed25519 public key is the identity point")
    return y


def ed25519_to_x25519(public: bytes) -> bytes:
    """X25519 key of an Ed25519 key: the Edwards -> Montgomery map u = (1 + y) / (1 - y).

    did:key derives its keyAgreement method this way, so no second key has to be published.
    """
    y = _ed25519_y(public)
    u = (1 + y) * pow((1 - y) % _P25519, -1, _P25519) % _P25519
    return u.to_bytes(32, "little")


def _b64_field(jwk: dict[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InputError(f"JWK member '{name}' is missing or not a string")
    return b64url_decode(value)


def public_jwk(jwk: dict[str, Any]) -> dict[str, str]:
    """Reduce a JWK to its required public members after checking the key is valid.

    Private members ('d') and optional ones ('kid', 'alg', 'use'...) are dropped: they must not
    influence the DID, and a private key must never end up inside a DID.
    """
    if not isinstance(jwk, dict):
        raise InputError("JWK must be a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "EC" and isinstance(crv, str) and crv in _EC_CURVES:
        curve = _EC_CURVES[crv]
        x, y = _b64_field(jwk, "x"), _b64_field(jwk, "y")
        if len(x) != curve.size or len(y) != curve.size:
            raise InputError(f"{crv} JWK coordinates must be {curve.size} bytes each")
        _ec_point(curve, b"\x04" + x + y)
        return {"crv": crv, "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    if kty == "OKP" and crv == "Ed25519":
        _ed25519_y(_b64_field(jwk, "x"))
        return {"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]}
    raise InputError(f"unsupported JWK key type for did:key: kty={kty!r} crv={crv!r}")


def _multicodec_key(jwk: dict[str, str]) -> tuple[int, bytes]:
    """Multicodec code and raw key bytes (compressed point for EC) of a validated public JWK."""
    if jwk["kty"] == "OKP":
        return ED25519_PUB, b64url_decode(jwk["x"])
    curve = _EC_CURVES[jwk["crv"]]
    y = b64url_decode(jwk["y"])
    return curve.codec, bytes([2 | (y[-1] & 1)]) + b64url_decode(jwk["x"])


def _jwk_from_raw(codec: int, raw: bytes) -> dict[str, str]:
    name = CODEC_NAMES.get(codec, hex(codec))
    if codec == ED25519_PUB:
        _ed25519_y(raw)
        return {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(raw)}
    curve = _EC_BY_CODEC.get(codec)
    if curve is None:
        raise InputError(f"unsupported multicodec {name} in did:key")
    # The did:key spec mandates compressed points, so uncompressed keys are a length error.
    if len(raw) != curve.size + 1 or raw[0] not in (2, 3):
        raise InputError(f"{name} key must be a {curve.size + 1}-byte compressed point, got {len(raw)} bytes")
    x, y = _ec_point(curve, raw)
    return {"crv": curve.crv, "kty": "EC", "x": b64url_encode(x), "y": b64url_encode(y)}


# --- DID <-> key -----------------------------------------------------------------------------


def did_key_from_public_bytes(codec: str, public_key: bytes) -> str:
    """did:key from raw key bytes, e.g. ('secp256k1-pub', 33-byte compressed point)."""
    code = _CODEC_BY_NAME.get(codec)
    if code is None or code in (JWK_JCS_PUB, X25519_PUB):
        raise InputError(f"unsupported key codec for raw did:key: {codec!r}")
    _jwk_from_raw(code, public_key)  # validates length and curve membership
    return DID_KEY_PREFIX + multibase_encode_b58(varint_encode(code) + public_key)


def did_key_from_jwk(jwk: dict[str, Any], form: JwkForm = "jwk_jcs-pub") -> str:
    """did:key for a public (or private: only public members are used) JWK.

    form="jwk_jcs-pub" gives EBSI's natural-person DID; form="multicodec" gives the did:key
    spec form (compressed EC point, raw Ed25519 key).
    """
    pub = public_jwk(jwk)
    if form == "jwk_jcs-pub":
        payload = varint_encode(JWK_JCS_PUB) + canonicalize(pub)
    elif form == "multicodec":
        code, raw = _multicodec_key(pub)
        payload = varint_encode(code) + raw
    else:
        raise InputError(f"unknown did:key form {form!r}")
    return DID_KEY_PREFIX + multibase_encode_b58(payload)


@dataclass(frozen=True)
class DecodedDidKey:
    """A parsed did:key: its multibase value, multicodec, raw payload and public JWK."""

    did: str
    multibase: str
    codec: int
    payload: bytes
    jwk: dict[str, str]

    @property
    def codec_name(self) -> str:
        return CODEC_NAMES[self.codec]


def decode_did_key(did: str) -> DecodedDidKey:
    """Parse and validate a did:key; raise InputError if anything about it is wrong."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX + "z"):
        raise InputError("not a did:key DID (expected 'did:key:z...')")
    mb = did[len(DID_KEY_PREFIX) :]
    data = multibase_decode_b58(mb)
    code, used = varint_decode(data)
    payload = data[used:]
    if code == JWK_JCS_PUB:
        jwk = _jwk_from_jcs(payload)
    elif code in CODEC_NAMES and code != X25519_PUB:
        jwk = _jwk_from_raw(code, payload)
    else:
        raise InputError(f"unsupported multicodec 0x{code:x} in did:key")
    return DecodedDidKey(did=did, multibase=mb, codec=code, payload=payload, jwk=jwk)


def _jwk_from_jcs(payload: bytes) -> dict[str, str]:
    parsed = safejson.loads(payload, "the jwk_jcs-pub payload")
    jwk = public_jwk(parsed)
    # One key, one DID: refuse extra members, other key orders or whitespace.
    if canonicalize(jwk) != payload:
        raise InputError("jwk_jcs-pub payload is not the canonical JWK of required members")
    return jwk


def jwk_from_did_key(did: str) -> dict[str, str]:
    """The public JWK a did:key names (EC points decompressed)."""
    return dict(decode_did_key(did).jwk)


# --- DID documents ---------------------------------------------------------------------------


def resolve_did_key(did: str, style: DocumentStyle = "jwk") -> dict[str, Any]:
    """Build the DID document of a did:key.

    style="jwk" gives JsonWebKey2020 methods (the did:key JWK vectors). jwk_jcs-pub DIDs always
    resolve to EBSI's document, which has no keyAgreement (as @cef-ebsi/key-did-resolver does).
    style="base58" gives the older publicKeyBase58 suites: EcdsaSecp256k1VerificationKey2019,
    P-256/384/521Key2021, and Ed25519VerificationKey2018 with an X25519KeyAgreementKey2019.
    Ed25519 DIDs get a second method for the X25519 key derived from the Ed25519 key.
    """
    if style not in ("jwk", "base58"):
        raise InputError(f"unknown DID document style {style!r}")
    key = decode_did_key(did)
    vm_id = f"{did}#{key.multibase}"

    if key.codec == JWK_JCS_PUB:
        if style != "jwk":
            raise InputError("jwk_jcs-pub DIDs only resolve to JsonWebKey2020 documents")
        method = _method(vm_id, did, "JsonWebKey2020", publicKeyJwk=dict(key.jwk))
        return _document(did, [DID_V1, JWS_2020], [method], vm_id, agreement_id=None)

    if key.codec == ED25519_PUB:
        x_raw = ed25519_to_x25519(key.payload)
        x_mb = multibase_encode_b58(varint_encode(X25519_PUB) + x_raw)
        x_id = f"{did}#{x_mb}"
        if style == "jwk":
            x_jwk = {"crv": "X25519", "kty": "OKP", "x": b64url_encode(x_raw)}
            methods = [
                _method(vm_id, did, "JsonWebKey2020", publicKeyJwk=dict(key.jwk)),
                _method(x_id, did, "JsonWebKey2020", publicKeyJwk=x_jwk),
            ]
            return _document(did, [DID_V1, JWS_2020], methods, vm_id, agreement_id=x_id)
        methods = [
            _method(vm_id, did, "Ed25519VerificationKey2018", publicKeyBase58=b58encode(key.payload)),
            _method(x_id, did, "X25519KeyAgreementKey2019", publicKeyBase58=b58encode(x_raw)),
        ]
        contexts = [DID_V1, _ED25519_CONTEXT, _X25519_CONTEXT]
        return _document(did, contexts, methods, vm_id, agreement_id=x_id)

    # EC keys: one method used for every relationship, keyAgreement included (ECDH).
    if style == "jwk":
        method = _method(vm_id, did, "JsonWebKey2020", publicKeyJwk=dict(key.jwk))
        return _document(did, [DID_V1, JWS_2020], [method], vm_id, agreement_id=vm_id)
    curve = _EC_BY_CODEC[key.codec]
    method = _method(vm_id, did, curve.base58_type, publicKeyBase58=b58encode(key.payload))
    return _document(did, [DID_V1, curve.base58_context], [method], vm_id, agreement_id=vm_id)


def _method(vm_id: str, did: str, vm_type: str, **key: Any) -> dict[str, Any]:
    return {"id": vm_id, "type": vm_type, "controller": did, **key}


def _document(
    did: str,
    contexts: list[str],
    methods: list[dict[str, Any]],
    vm_id: str,
    agreement_id: str | None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": contexts,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
    if agreement_id is not None:
        doc["keyAgreement"] = [agreement_id]
    return doc
