"""JWS signatures against external vectors: Wycheproof (ES256, ES256K, EdDSA), RFC 7515, RFC 8037
and RFC 7638, all through registry.formats.jwt / keys (the code that verifies credentials)."""

from __future__ import annotations

from typing import Any

import pytest
from jwcrypto.jwk import JWK

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.keys import KeyType, generate, jwk_public_dict, thumbprint
from registry.formats.multibase import b64url_decode, b64url_encode
from tests.helpers.vectors import load_json

WYCHEPROOF = {
    "ES256": ("jose/ecdsa_secp256r1_sha256_p1363_test.json", "P-256"),
    "ES256K": ("jose/ecdsa_secp256k1_sha256_p1363_test.json", "secp256k1"),
    "EdDSA": ("jose/ed25519_test.json", "Ed25519"),
}


def _coordinate(hex_value: str) -> str:
    """A Wycheproof coordinate (hex, maybe with a leading 00 sign byte) as a 32-byte JWK member."""
    raw = bytes.fromhex(hex_value).lstrip(b"\0")
    assert len(raw) <= 32
    return b64url_encode(raw.rjust(32, b"\0"))


def _group_jwk(group: dict[str, Any], crv: str) -> dict[str, Any]:
    """The group's public key as a JWK: `publicKeyJwk` when given, else built from `publicKey`."""
    key = group["publicKey"]
    if crv == "Ed25519":
        built = {"kty": "OKP", "crv": crv, "x": b64url_encode(bytes.fromhex(key["pk"]))}
    else:
        built = {"kty": "EC", "crv": crv, "x": _coordinate(key["wx"]), "y": _coordinate(key["wy"])}
    given = group.get("publicKeyJwk")
    if given is not None:
        assert {k: given[k] for k in built} == built, "publicKeyJwk and publicKey disagree"
    return built


def _wycheproof_cases() -> list[Any]:
    cases = []
    for alg, (path, crv) in WYCHEPROOF.items():
        data = load_json(path)
        for group in data["testGroups"]:
            jwk = _group_jwk(group, crv)
            for test in group["tests"]:
                case = (alg, jwk, test)
                cases.append(pytest.param(*case, id=f"{alg}-{test['tcId']}"))
    return cases


@pytest.mark.parametrize(("alg", "jwk", "test"), _wycheproof_cases())
def test_wycheproof(alg: str, jwk: dict[str, Any], test: dict[str, Any]) -> None:
    assert test["result"] in ("valid", "invalid"), "these files have no 'acceptable' cases"
    message, signature = bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
    verified = jwt.verify_signature(alg, jwk, message, signature)
    assert verified is (test["result"] == "valid"), f"tcId {test['tcId']}: {test['comment']} {test['flags']}"


def test_wycheproof_covers_every_case_and_builds_keys_without_jwk() -> None:
    for alg, (path, _crv) in WYCHEPROOF.items():
        data = load_json(path)
        tests = [t for g in data["testGroups"] for t in g["tests"]]
        assert len(tests) == data["numberOfTests"], alg
        assert len({t["tcId"] for t in tests}) == len(tests), alg
    for path in (WYCHEPROOF["ES256"][0], WYCHEPROOF["ES256K"][0]):
        groups = load_json(path)["testGroups"]
        without_jwk = [g for g in groups if "publicKeyJwk" not in g]
        assert len(without_jwk) == 9
        assert sum(len(g["tests"]) for g in without_jwk) == 10


@pytest.mark.parametrize("alg", list(WYCHEPROOF))
def test_wycheproof_wrong_size_signatures_are_rejected_before_verifying(alg: str) -> None:
    path, _ = WYCHEPROOF[alg]
    tests = [t for g in load_json(path)["testGroups"] for t in g["tests"]]
    sized = [t for t in tests if len(bytes.fromhex(t["sig"])) != jwt.SIGNATURE_BYTES]
    assert sized and all(t["result"] == "invalid" for t in sized)
    flagged = [t for t in tests if "SignatureSize" in t["flags"]]
    assert len(flagged) == {"ES256": 12, "ES256K": 10, "EdDSA": 0}[alg]
    assert all(t in sized for t in flagged)
    for test in sized:
        # Through the token parser the same signature is refused with a reason, not a crash.
        header = jwt.encode_segment({"alg": alg})
        token = f"{header}.{jwt.encode_segment({})}.{b64url_encode(bytes.fromhex(test['sig']))}"
        with pytest.raises(InputError, match=r"signature is \d+ bytes, not 64"):
            jwt.parse(token)


def test_verify_refuses_a_key_of_another_curve_or_algorithm() -> None:
    es256 = JWK.generate(kty="EC", crv="P-256")
    token = jwt.sign({"alg": "ES256"}, {"sub": "x"}, es256)
    parsed = jwt.parse(token)
    public = es256.export_public(as_dict=True)
    assert jwt.verify(parsed, public)
    assert not jwt.verify(parsed, {**public, "alg": "ES256K"})
    assert not jwt.verify(parsed, {**public, "crv": "secp256k1"})
    assert not jwt.verify(parsed, JWK.generate(kty="OKP", crv="Ed25519").export_public(as_dict=True))
    assert not jwt.verify(parsed, {**public, "x": public["y"]})  # not a point on the curve
    with pytest.raises(InputError, match="cannot sign ES256K"):
        jwt.sign({"alg": "ES256K"}, {"sub": "x"}, es256)


# -- RFC 7515 ---------------------------------------------------------------------------------


def _rfc7515(section: str) -> dict[str, Any]:
    return next(v for v in load_json("jose/rfc7515.json")["vectors"] if v["section"] == section)


def _tamper(compact: str) -> str:
    """The same token with one payload letter's case flipped (the payload stays well-formed)."""
    header, payload, signature = compact.split(".")
    raw = bytearray(b64url_decode(payload))
    position = next(i for i, byte in enumerate(raw) if chr(byte).isalpha())
    raw[position] ^= 0x20
    return f"{header}.{b64url_encode(bytes(raw))}.{signature}"


def test_rfc7515_a3_es256_verifies_and_a_modified_copy_does_not() -> None:
    vector = _rfc7515("A.3")
    assert vector["expected"] == "verify"
    parsed = jwt.parse(vector["compact"])
    assert parsed.signing_input == vector["signingInput"].encode()
    assert jwt.verify(parsed, vector["publicJwk"])
    assert not jwt.verify(jwt.parse(_tamper(vector["compact"])), vector["publicJwk"])


def test_rfc7515_a4_es512_is_not_an_accepted_algorithm() -> None:
    vector = _rfc7515("A.4")
    assert vector["alg"] == "ES512"
    with pytest.raises(InputError, match=r"JWT algorithm 'ES512' is not accepted \(only ES256, ES256K, EdDSA\)"):
        jwt.parse(vector["compact"])


def test_rfc7515_a5_unsecured_jws_is_never_accepted() -> None:
    vector = _rfc7515("A.5")
    assert vector["expected"] == "reject"
    with pytest.raises(InputError, match="'none' is not accepted"):
        jwt.parse(vector["compact"])
    # Even with a 64-byte signature glued on, `none` stays refused.
    header, payload, _ = vector["compact"].split(".")
    with pytest.raises(InputError, match="'none' is not accepted"):
        jwt.parse(f"{header}.{payload}.{b64url_encode(bytes(64))}")


@pytest.mark.parametrize("section", ["A.1", "A.2"])
def test_rfc7515_hmac_and_rsa_are_refused(section: str) -> None:
    vector = _rfc7515(section)
    assert vector["alg"] in ("HS256", "RS256")
    with pytest.raises(InputError, match=f"'{vector['alg']}' is not accepted"):
        jwt.parse(vector["compact"])
    assert not jwt.verify_signature(
        vector["alg"], vector["jwk"], vector["signingInput"].encode(), b64url_decode(vector["signatureB64"])
    )
    with pytest.raises(InputError, match="cannot sign"):
        jwt.sign({"alg": vector["alg"]}, {"iss": "joe"}, JWK(**vector["jwk"]))


# -- RFC 8037 ----------------------------------------------------------------------------------


def test_rfc8037_a4_ed25519_signature_is_reproduced_exactly() -> None:
    vectors = load_json("jose/rfc8037.json")
    a4 = vectors["A.4"]
    key = JWK(**vectors["A.1"]["jwk"])
    assert b64url_encode(a4["payload"].encode()) == a4["payloadB64"]
    assert jwt.encode_segment({"alg": "EdDSA"}) == a4["protectedHeaderB64"]
    signing_input = f"{a4['protectedHeaderB64']}.{a4['payloadB64']}"
    signature = jwt.create_signature("EdDSA", key, signing_input.encode())
    assert signature.hex() == a4["signatureHex"]
    assert f"{signing_input}.{b64url_encode(signature)}" == a4["compact"]


def test_rfc8037_a5_verifies_with_the_public_key_and_a_modified_copy_does_not() -> None:
    a5 = load_json("jose/rfc8037.json")["A.5"]
    signing_input, signature = a5["compact"].rsplit(".", 1)
    assert jwt.verify_signature("EdDSA", a5["publicJwk"], signing_input.encode(), b64url_decode(signature))
    tampered_input, tampered_signature = _tamper(a5["compact"]).rsplit(".", 1)
    assert not jwt.verify_signature(
        "EdDSA", a5["publicJwk"], tampered_input.encode(), b64url_decode(tampered_signature)
    )
    # The payload is text, not a JSON claims set, so the JWT parser refuses it outright.
    with pytest.raises(InputError, match="payload is not valid JSON"):
        jwt.parse(a5["compact"])


def test_rfc8037_a3_thumbprint() -> None:
    a3 = load_json("jose/rfc8037.json")["A.3"]
    assert thumbprint(load_json("jose/rfc8037.json")["A.2"]["jwk"]) == a3["thumbprint"]


# -- RFC 7638 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(3))
def test_rfc7638_thumbprints(index: int) -> None:
    vector = load_json("jose/rfc7638.json")["vectors"][index]
    if vector["jwk"]["kty"] == "RSA":
        # We only hold EC and OKP keys; an RSA key is refused with a reason, never mis-hashed.
        with pytest.raises(InputError, match="unsupported key curve"):
            thumbprint(vector["jwk"])
    else:
        assert thumbprint(vector["jwk"]) == vector["thumbprint"]


@pytest.mark.parametrize("kind", list(KeyType))
def test_thumbprint_matches_jwcrypto(kind: KeyType) -> None:
    """Our thumbprint (canonical JSON of the required members) is jwcrypto's, key type by key type."""
    from jwcrypto.jwk import JWK

    for _ in range(5):
        key = generate(kind)
        public = jwk_public_dict(key)
        assert thumbprint(public) == JWK(**public).thumbprint()
