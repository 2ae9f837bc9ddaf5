"""did:key against the w3c-ccg did-method-key vectors and EBSI's jwk_jcs-pub example."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from registry.errors import InputError
from registry.formats.canonical import canonicalize
from registry.formats.didkey import (
    decode_did_key,
    did_key_from_jwk,
    did_key_from_public_bytes,
    ed25519_to_x25519,
    jwk_from_did_key,
    resolve_did_key,
)
from registry.formats.multibase import (
    b58decode,
    b58encode,
    b64url_decode,
    b64url_encode,
    multibase_encode_b58,
    varint_decode,
    varint_encode,
)
from tests.helpers.vectors import load_json

MULTICODEC_FILES = ["secp256k1.json", "nist-curves.json", "ed25519-x25519.json"]
BASE58_TYPES = {
    "EcdsaSecp256k1VerificationKey2019": "secp256k1-pub",
    "P256Key2021": "p256-pub",
    "Ed25519VerificationKey2018": "ed25519-pub",
}


def _entries() -> list[Any]:
    params = []
    for name in MULTICODEC_FILES:
        for did, entry in load_json(f"didkey/{name}").items():
            params.append(pytest.param(did, entry, id=f"{name}:{did[8:20]}"))
    return params


ENTRIES = _entries()
# Only Ed25519 entries carry a separate (derived X25519) key-agreement key.
AGREEMENT_ENTRIES = [p for p in ENTRIES if "keyAgreementKeyPair" in p.values[1]]
EBSI = [pytest.param(v, id=v["did"][8:24]) for v in load_json("didkey/ebsi-jwk-jcs.json")["vectors"]]


def _key_pair(entry: dict[str, Any]) -> dict[str, Any]:
    # secp256k1/Ed25519 files call it verificationKeyPair, the NIST file verificationMethod.
    pair = entry.get("verificationKeyPair") or entry["verificationMethod"]
    assert isinstance(pair, dict)
    return pair


def _style(entry: dict[str, Any]) -> str:
    return "jwk" if "publicKeyJwk" in entry["didDocument"]["verificationMethod"][0] else "base58"


def test_vector_counts() -> None:
    assert len(ENTRIES) == 18
    assert len(AGREEMENT_ENTRIES) == 5
    assert len(EBSI) == 1


# --- multicodec vectors, both directions -------------------------------------------------------


@pytest.mark.parametrize(("did", "entry"), ENTRIES)
def test_key_material_to_did(did: str, entry: dict[str, Any]) -> None:
    pair = _key_pair(entry)
    if "publicKeyJwk" in pair:
        assert did_key_from_jwk(pair["publicKeyJwk"], form="multicodec") == did
        # A private JWK gives the same DID: only its public members count.
        assert did_key_from_jwk(pair["privateKeyJwk"], form="multicodec") == did
    else:
        codec = BASE58_TYPES[pair["type"]]
        assert did_key_from_public_bytes(codec, b58decode(pair["publicKeyBase58"])) == did


@pytest.mark.parametrize(("did", "entry"), ENTRIES)
def test_did_to_document(did: str, entry: dict[str, Any]) -> None:
    assert resolve_did_key(did, style=_style(entry)) == entry["didDocument"]  # type: ignore[arg-type]


@pytest.mark.parametrize(("did", "entry"), ENTRIES)
def test_did_to_key(did: str, entry: dict[str, Any]) -> None:
    pair = _key_pair(entry)
    jwk = jwk_from_did_key(did)
    if "publicKeyJwk" in pair:
        assert jwk == pair["publicKeyJwk"]
    else:
        assert decode_did_key(did).payload == b58decode(pair["publicKeyBase58"])
    # The decompressed JWK leads back to the same DID.
    assert did_key_from_jwk(jwk, form="multicodec") == did


@pytest.mark.parametrize(("did", "entry"), AGREEMENT_ENTRIES)
def test_key_agreement_key(did: str, entry: dict[str, Any]) -> None:
    agreement = entry["keyAgreementKeyPair"]
    derived = ed25519_to_x25519(decode_did_key(did).payload)
    if "publicKeyJwk" in agreement:
        assert b64url_encode(derived) == agreement["publicKeyJwk"]["x"]
    else:
        assert b58encode(derived) == agreement["publicKeyBase58"]
    assert agreement["id"].endswith("#" + multibase_encode_b58(b"\xec\x01" + derived))


@pytest.mark.parametrize(("did", "entry"), ENTRIES)
def test_jwk_jcs_form_round_trip(did: str, entry: dict[str, Any]) -> None:
    # Every vector key can also be written in EBSI's form and read back unchanged.
    jwk = jwk_from_did_key(did)
    ebsi_did = did_key_from_jwk(jwk)
    assert decode_did_key(ebsi_did).codec_name == "jwk_jcs-pub"
    assert jwk_from_did_key(ebsi_did) == jwk
    doc = resolve_did_key(ebsi_did)
    assert doc["verificationMethod"][0]["publicKeyJwk"] == jwk
    assert "keyAgreement" not in doc


# --- EBSI jwk_jcs-pub ------------------------------------------------------------------------


@pytest.mark.parametrize("vector", EBSI)
def test_ebsi_jwk_to_did(vector: dict[str, Any]) -> None:
    assert did_key_from_jwk(vector["publicKeyJwk"]) == vector["did"]
    assert did_key_from_jwk(vector["publicKeyJwk"], form="jwk_jcs-pub") == vector["did"]
    assert canonicalize(jwk_from_did_key(vector["did"])).decode() == vector["jcsCanonicalJwk"]


@pytest.mark.parametrize("vector", EBSI)
def test_ebsi_did_to_document(vector: dict[str, Any]) -> None:
    decoded = decode_did_key(vector["did"])
    assert decoded.codec == int(vector["multicodec"]["code"], 16)
    assert decoded.codec_name == vector["multicodec"]["name"]
    assert decoded.multibase == vector["multibaseValue"]
    assert varint_encode(decoded.codec).hex() == vector["multicodec"]["varintHex"]
    assert (varint_encode(decoded.codec) + decoded.payload).hex() == vector["decodedBytesHex"]
    assert decoded.jwk == vector["publicKeyJwk"]
    assert resolve_did_key(vector["did"]) == vector["expectedResolution"]["didDocument"]


# --- negative cases --------------------------------------------------------------------------

SECP_DID = "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"
SECP_KEY = b58decode("23o6Sau8NxxzXcgSc3PLcNxrzrZpbLeBn1izfv3jbKhuv")  # SECP_DID's key
EBSI_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "ngy44T1vxAT6Di4nr-UaM9K3Tlnz9pkoksDokKFkmNc",
    "y": "QCRfOKlSM31GTkb4JHx3nXB4G_jSPMsbdjzlkT_UpPc",
}


def _did(codec: int, payload: bytes) -> str:
    return "did:key:" + multibase_encode_b58(varint_encode(codec) + payload)


def _x_off_curve(curve: ec.EllipticCurve, size: int) -> bytes:
    """Smallest x (as a compressed point) for which no curve point exists."""
    for x in range(1, 1000):
        encoded = b"\x02" + x.to_bytes(size, "big")
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(curve, encoded)
        except ValueError:
            return encoded
    raise AssertionError("no off-curve x found")


def _ed25519_off_curve() -> bytes:
    p = 2**255 - 19
    d = (-121665 * pow(121666, -1, p)) % p
    for y in range(2, 1000):
        x2 = (y * y - 1) * pow(d * y * y + 1, -1, p) % p
        if pow(x2, (p - 1) // 2, p) not in (0, 1):  # not a square: no x
            return y.to_bytes(32, "little")
    raise AssertionError("no off-curve y found")


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:web:example.com", "not a did:key"),
        ("did:key:", "not a did:key"),
        ("did:key:f01ed", "not a did:key"),
        ("did:key:z", "varint is truncated"),
        (SECP_DID.replace("Q3sh", "Q3s0"), "invalid base58 character '0'"),
        (SECP_DID[:-1] + "l", "invalid base58 character 'l'"),
        # Cutting base58 text changes the leading bytes too, so the codec no longer parses.
        (SECP_DID[:-4], "unsupported multicodec"),
        (SECP_DID + "2", "unsupported multicodec"),
        (_did(0xE7, SECP_KEY[:-1]), "33-byte compressed point"),
        (_did(0xE7, SECP_KEY + b"\0"), "33-byte compressed point"),
        (_did(0x1300, b"\x02" * 33), "unsupported multicodec 0x1300"),
        (_did(0xEC, b"\x01" * 32), "unsupported multicodec 0xec"),
        (_did(0x1200, b"\x04" + b"\x01" * 64), "33-byte compressed point"),
        (_did(0x1200, b"\x05" + b"\x01" * 32), "33-byte compressed point"),
        (_did(0xE7, _x_off_curve(ec.SECP256K1(), 32)), "not a valid point on secp256k1"),
        (_did(0x1200, _x_off_curve(ec.SECP256R1(), 32)), "not a valid point on P-256"),
        (_did(0x1201, _x_off_curve(ec.SECP384R1(), 48)), "not a valid point on P-384"),
        (_did(0xED, b"\x01" * 31), "must be 32 bytes"),
        (_did(0xED, _ed25519_off_curve()), "not a point on the curve"),
        (_did(0xED, (1).to_bytes(32, "little")), "identity point"),
        (_did(0xED, b"\xff" * 31 + b"\x7f"), "not canonically encoded"),
        ("did:key:z" + b58encode(b"\xe7\x80\x00" + b"\x02" * 33), "not minimally encoded"),
        (_did(0xEB51, b"\xff\xfe"), "not UTF-8"),
        (_did(0xEB51, b"[1, 2]"), "JWK must be a JSON object"),
        (_did(0xEB51, json.dumps(EBSI_JWK).encode()), "not the canonical JWK"),
        (_did(0xEB51, canonicalize({**EBSI_JWK, "kid": "k1"})), "not the canonical JWK"),
        (
            _did(0xEB51, canonicalize({**EBSI_JWK, "y": EBSI_JWK["x"]})),
            "not a valid point on P-256",
        ),
        (_did(0xEB51, canonicalize({"kty": "RSA", "n": "AQAB", "e": "AQAB"})), "unsupported JWK"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_bad_did_refused(did: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        jwk_from_did_key(did)
    with pytest.raises(InputError):
        resolve_did_key(did)


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "unsupported JWK"),
        ({"kty": "EC", "crv": "P-256", "x": EBSI_JWK["x"]}, "'y' is missing"),
        ({**EBSI_JWK, "x": EBSI_JWK["x"][:-3]}, "must be 32 bytes each"),
        ({**EBSI_JWK, "y": EBSI_JWK["x"]}, "not a valid point on P-256"),
        ({**EBSI_JWK, "x": EBSI_JWK["x"] + "="}, "invalid base64url"),
        ({"kty": "OKP", "crv": "X25519", "x": "A" * 43}, "unsupported JWK"),
        ("not a dict", "JWK must be a JSON object"),
    ],
)
def test_bad_jwk_refused(jwk: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        did_key_from_jwk(jwk)
    with pytest.raises(InputError, match=message):
        did_key_from_jwk(jwk, form="multicodec")


def test_bad_options_refused() -> None:
    with pytest.raises(InputError, match="unknown did:key form"):
        did_key_from_jwk(EBSI_JWK, form="raw")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown DID document style"):
        resolve_did_key(SECP_DID, style="multikey")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="only resolve to JsonWebKey2020"):
        resolve_did_key(did_key_from_jwk(EBSI_JWK), style="base58")
    with pytest.raises(InputError, match="unsupported key codec"):
        did_key_from_public_bytes("jwk_jcs-pub", b"{}")
    with pytest.raises(InputError, match="33-byte compressed point"):
        did_key_from_public_bytes("p256-pub", b"\x02" * 32)


# --- encodings used above --------------------------------------------------------------------


def test_base58_known_values() -> None:
    assert b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert b58encode(b"\0\0\x01") == "112"
    assert b58encode(b"") == ""
    assert b58decode("112") == b"\0\0\x01"
    assert b58decode("2NEpo7TZRRrLZSi2U") == b"Hello World!"
    for bad in ("0", "O", "I", "l", "+", " ", "é"):
        with pytest.raises(InputError, match="invalid base58 character"):
            b58decode("2NE" + bad)


def test_varint() -> None:
    for value, encoded in [(0, "00"), (0x7F, "7f"), (0xED, "ed01"), (0xEB51, "d1d603")]:
        assert varint_encode(value).hex() == encoded
        assert varint_decode(bytes.fromhex(encoded) + b"rest") == (value, len(encoded) // 2)
    with pytest.raises(InputError, match="truncated"):
        varint_decode(b"\x80")
    with pytest.raises(InputError, match="longer than 9 bytes"):
        varint_decode(b"\xff" * 10)
    with pytest.raises(InputError, match="negative"):
        varint_encode(-1)


def test_b64url() -> None:
    assert b64url_encode(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"
    assert b64url_decode("") == b""
    for bad in ("-_8=", "+/8", "a b", "A", "-_9"):
        with pytest.raises(InputError, match="invalid base64url"):
            b64url_decode(bad)
