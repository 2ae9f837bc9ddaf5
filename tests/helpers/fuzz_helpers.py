"""Hypothesis strategies of hostile input for tests/ops/test_fuzz.py.

Each strategy mixes plain noise (random bytes and text) with near-misses: values that are
well-formed up to one point (a JWT with the right shape but `alg: none`, a did:key with a valid
multicodec prefix but a point off the curve, a gzip stream that expands past the cap), which is
where parsers break.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from typing import Any

from hypothesis import strategies as st
from jwcrypto.jwk import JWK

from registry.formats import jwt
from registry.formats.credential import HOLDER_FILE_FORMAT, VC_V1_CONTEXT
from registry.formats.multibase import b64url_encode, multibase_encode_b58, varint_encode
from registry.formats.statuslist import encode_list
from registry.ops.passport import PASSPORT_FORMAT

ISSUER = "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1"
HOLDER = "did:key:z2dmzD81cgPx8Vki7JbuuMmFYrWPgYoytykUZ3eyqht1j9KbsEYvdrjxMjQ4tpnje9BDBTzuNDP3knn6qL"
ACCOUNT = "0x" + "ab" * 20
STATUS_URL = f"http://registry.test/trusted-issuers-registry/v5/issuers/{ISSUER}/proxies/{ACCOUNT}/credentials/status/"

# Keys made once: signing is the costly part of building a token, not the point of the fuzz.
KEYS = {
    "P-256": JWK.generate(kty="EC", crv="P-256"),
    "secp256k1": JWK.generate(kty="EC", crv="secp256k1"),
    "Ed25519": JWK.generate(kty="OKP", crv="Ed25519"),
    "P-384": JWK.generate(kty="EC", crv="P-384"),
}
ALG_OF = {"P-256": "ES256", "secp256k1": "ES256K", "Ed25519": "EdDSA"}


def deep(n: int, opening: str = "[", closing: str = "]") -> str:
    return opening * n + closing * n


def b64(data: bytes) -> str:
    return b64url_encode(data)


# -- JSON ----------------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=24)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=16,
)
# Nesting past Python's default recursion limit (1000). Deeper nesting (~90,000) crashes the interpreter
# once eth_account has raised that limit to 100,000 (see test_fuzz's subprocess test), so in-process
# strategies stay well inside the C stack.
deep_json = st.integers(900, 20_000).map(deep) | st.integers(900, 10_000).map(lambda n: deep(n, '{"a":', "}"))
# Text a JSON encoder can write (no lone surrogates): for values that end up inside signed tokens.
signable_text = st.text(max_size=64) | st.sampled_from(
    ["\x00", "é", "²", "\u0661\u0662\u0663", "\u202e", "\ufeff", " ", "\n", "...", "a.b.c", "{", "[]", "null"]
)
weird_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=64) | st.sampled_from(
    ["\ud800", "\x00", "é", "²", "\u0661\u0662\u0663", "\u202e", "\ufeff", " ", "\n", "...", "a.b.c", "{", "[]", "null"]
)
invalid_utf8 = st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b'{"a":"\xff"}', b"\x80"])


# -- JWTs ----------------------------------------------------------------------------------------

algs = st.sampled_from(["none", "None", "NONE", "HS256", "RS256", "ES384", "ES512", "ES256", "ES256K", "EdDSA", ""])
header_dicts = st.fixed_dictionaries(
    {"alg": algs | scalars},
    optional={
        "kid": st.sampled_from([f"{ISSUER}#key-1", ISSUER, "#", "did:x", f"{HOLDER}#z"]) | st.text(max_size=30),
        "typ": st.sampled_from(["JWT", "vc+jwt", "vp+jwt", "vc+ld+json"]) | scalars,
        "crit": st.lists(st.text(max_size=5), max_size=2),
    },
)
segments = st.one_of(
    header_dicts.map(lambda h: b64(json.dumps(h).encode())),
    json_values.map(lambda v: b64(json.dumps(v).encode())),
    st.binary(max_size=80).map(b64),
    invalid_utf8.map(b64),
    deep_json.map(lambda t: b64(t.encode())),
    st.text(max_size=20),  # not base64url at all
    st.binary(max_size=40).map(lambda d: base64.b64encode(d).decode()),  # padded standard base64
)
signatures = st.one_of(
    st.binary(min_size=64, max_size=64).map(b64),
    st.integers(0, 140).filter(lambda n: n != 64).map(lambda n: b64(b"\x01" * n)),  # wrong sizes
    st.text(max_size=10),
)


@st.composite
def raw_tokens(draw: st.DrawFn) -> str:
    parts = [draw(segments), draw(segments), draw(signatures)]
    extra = draw(st.sampled_from(["", ".", ".x", " ", "\n", "=="]))
    return ".".join(parts) + extra


@st.composite
def signed_tokens(draw: st.DrawFn) -> str:
    """A JWT properly signed with one of our keys, whose header or signature may then lie."""
    curve = draw(st.sampled_from(["P-256", "secp256k1", "Ed25519"]))
    payload = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=4))
    header = {"alg": ALG_OF[curve], "kid": f"{ISSUER}#key-1"}
    token = jwt.sign(header, payload, KEYS[curve])
    head, body, signature = token.split(".")
    lie = draw(st.sampled_from(["none", "alg", "alg-none", "signature", "truncate", "swap-body"]))
    if lie == "alg":  # claim another allowed algorithm: a key of the wrong curve must never verify it
        other = draw(st.sampled_from([a for a in ALG_OF.values() if a != header["alg"]]))
        head = b64(json.dumps({**header, "alg": other}).encode())
    elif lie == "alg-none":
        head = b64(json.dumps({**header, "alg": "none"}).encode())
    elif lie == "signature":
        signature = b64(draw(st.binary(min_size=64, max_size=64)))
    elif lie == "truncate":
        signature = signature[: draw(st.integers(0, len(signature) - 1))]
    elif lie == "swap-body":
        body = b64(json.dumps({**payload, "extra": 1}).encode())
    return f"{head}.{body}.{signature}"


tokens = raw_tokens() | signed_tokens() | weird_text | deep_json


# -- public keys ---------------------------------------------------------------------------------


@st.composite
def public_jwks(draw: st.DrawFn) -> dict[str, Any]:
    """Real public keys of every curve, with their crv/kty/alg members sometimes lying, or noise."""
    curve = draw(st.sampled_from(sorted(KEYS)))
    jwk: dict[str, Any] = KEYS[curve].export_public(as_dict=True)
    change = draw(st.sampled_from(["keep", "crv", "kty", "alg", "x", "y", "drop-y", "noise"]))
    if change == "crv":
        jwk["crv"] = draw(st.sampled_from(["P-256", "secp256k1", "Ed25519", "P-384", "X25519", ""]))
    elif change == "kty":
        jwk["kty"] = draw(st.sampled_from(["EC", "OKP", "RSA", "oct", ""]))
    elif change == "alg":
        jwk["alg"] = draw(algs)
    elif change in ("x", "y"):
        jwk[change] = draw(st.binary(max_size=70).map(b64) | st.text(max_size=10))
    elif change == "drop-y":
        jwk.pop("y", None)
    elif change == "noise":
        return draw(st.dictionaries(st.sampled_from(["kty", "crv", "x", "y", "alg", "d"]), json_values, max_size=5))
    return jwk


# -- credentials, holder files, passports --------------------------------------------------------


@st.composite
def status_entries(draw: st.DrawFn) -> Any:
    index = draw(
        st.sampled_from(["0", "131071", "131072", "-1", "²", "\u0661", "9" * 5000, "", "0x10", " 1"])
        | st.integers(0, 2**40).map(str)
        | scalars
    )
    list_id = draw(
        st.sampled_from(["0", "4294967296", str(2**33), "²", "9" * 5000, "x"]) | st.integers(0, 2**34).map(str)
    )
    url = draw(
        st.just(STATUS_URL + list_id)
        | st.just(STATUS_URL.replace(ACCOUNT, "0x12") + list_id)
        | st.just(STATUS_URL + list_id + "/extra")
        | st.text(max_size=40)
        | scalars
    )
    entry = {
        "id": "x",
        "type": "StatusList2021Entry",
        "statusPurpose": draw(st.sampled_from(["revocation", "suspension", "other"]) | scalars),
        "statusListIndex": index,
        "statusListCredential": url,
    }
    if draw(st.booleans()):
        entry.pop(draw(st.sampled_from(sorted(entry))))
    return entry


@st.composite
def credential_tokens(draw: st.DrawFn) -> str:
    """An EBSI JWT-VC (or vc+jwt) close to what we issue, with hostile claims, signed by some key."""
    times = st.integers(-(2**63), 2**63) | st.sampled_from([0, 1_700_000_000, 10**11, 2**62]) | scalars
    vc: dict[str, Any] = {
        "@context": draw(st.sampled_from([[VC_V1_CONTEXT], ["https://www.w3.org/ns/credentials/v2"], VC_V1_CONTEXT])),
        "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "type": draw(st.sampled_from([["VerifiableCredential", "VerifiableAttestation", "SkillsCredential"], "x", []])),
        "issuer": draw(st.sampled_from([ISSUER, {"id": ISSUER}, "not a did", 7])),
        "validFrom": draw(st.sampled_from(["2024-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday", ""])),
        "credentialSubject": draw(st.sampled_from([{"id": HOLDER}, {}, "x"])),
    }
    if draw(st.booleans()):
        vc["credentialStatus"] = draw(st.lists(status_entries(), max_size=3) | status_entries())
    if draw(st.booleans()):
        vc["validUntil"] = draw(st.sampled_from(["2020-01-01T00:00:00Z", "+999999-01-01", "x"]))
    if draw(st.booleans()):
        vc["awardedDate"] = draw(st.sampled_from(["2024-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "x"]))
    payload: dict[str, Any] = {"iss": ISSUER, "sub": HOLDER, "jti": vc["id"], "vc": vc}
    for claim in ("iat", "nbf", "exp"):
        if draw(st.booleans()):
            payload[claim] = draw(times)
    typ = draw(st.sampled_from(["JWT", "vc+jwt"]))
    if typ == "vc+jwt":
        payload = {**vc, "iss": ISSUER}
    curve = draw(st.sampled_from(["P-256", "secp256k1", "Ed25519"]))
    kid = draw(st.sampled_from([f"{ISSUER}#key-1", f"{ISSUER}", "did:ebsi:zOther#k", "bad kid"]))
    return jwt.sign({"alg": ALG_OF[curve], "typ": typ, "kid": kid}, payload, KEYS[curve])


hex32 = st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
proof_elements = hex32 | st.sampled_from(["0x", "0x00", "0x" + "g" * 64, "0x" + "0" * 66, ""]) | scalars


@st.composite
def holder_files(draw: st.DrawFn) -> str | bytes:
    token = draw(credential_tokens() | tokens)
    anchor = draw(
        st.none()
        | st.just({"type": "single"})
        | st.fixed_dictionaries(
            {
                "type": st.just("cohort"),
                "root": proof_elements,
                "proof": st.lists(proof_elements, max_size=70) | scalars,
                "size": st.integers(-2, 2**70) | scalars,
            }
        )
        | json_values
    )
    data: dict[str, Any] = {"format": draw(st.sampled_from([HOLDER_FILE_FORMAT, "other"])), "credential": token}
    if anchor is not None:
        data["anchor"] = anchor
    text = json.dumps(data)
    return draw(st.sampled_from([text, text.encode(), token]))


content = st.one_of(
    st.binary(max_size=200),
    invalid_utf8,
    weird_text,
    deep_json,
    json_values.map(json.dumps),
    holder_files(),
    st.just("x" * (1024 * 1024 + 1)),  # over the 1 MiB cap
    st.just(b"{" + b" " * (1024 * 1024) + b"}"),
)


@st.composite
def passports(draw: st.DrawFn) -> str | bytes:
    credentials = draw(
        st.lists(credential_tokens() | signable_text | scalars, max_size=4) | st.just(["a.b.c"] * 201) | scalars
    )
    holder = draw(st.sampled_from([HOLDER, ISSUER, "did:key:zQ3sbad", 5]))
    vp = {"holder": holder, "verifiableCredential": credentials}
    payload = {"iss": draw(st.sampled_from([holder, HOLDER])), "vp": draw(st.just(vp) | json_values)}
    presentation = jwt.sign({"alg": "ES256", "kid": f"{HOLDER}#k"}, payload, KEYS["P-256"])
    data = {
        "format": draw(st.sampled_from([PASSPORT_FORMAT, "x"])),
        "presentation": draw(st.just(presentation) | tokens | scalars),
        "cohortProofs": draw(st.dictionaries(hex32, json_values, max_size=2) | scalars),
    }
    text = json.dumps(data)
    return draw(st.sampled_from([text, text.encode()]) | content)


# -- did:key -------------------------------------------------------------------------------------

CODECS = [0xE7, 0x1200, 0x1201, 0x1202, 0xED, 0xEC, 0xEB51, 0x00, 0x1205, 2**63]


@st.composite
def did_keys(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["codec", "jcs", "text"]))
    if kind == "text":
        return "did:key:" + draw(
            weird_text | st.text(alphabet="z123456789ABCDEFGHJKLMNPQRSTUVWXYZabc0OIl", max_size=80)
        )
    codec = draw(st.sampled_from(CODECS))
    if kind == "jcs":
        codec = 0xEB51
        body = draw(
            st.integers(400, 1300).map(lambda n: deep(n).encode())  # nesting, within the base58 cap
            | json_values.map(lambda v: json.dumps(v).encode())
            | public_jwks().map(lambda j: json.dumps(j, separators=(",", ":"), sort_keys=True).encode())
            | invalid_utf8
        )
    else:
        body = draw(
            st.sampled_from([33, 65, 32, 49, 67, 0, 1]).flatmap(
                lambda n: (
                    st.binary(min_size=n, max_size=n) | st.just(bytes([2]) + b"\xff" * (n - 1) if n > 1 else b"\x02")
                )  # x beyond the field
            )
        )
    prefix = varint_encode(codec) if codec < 2**63 else b"\xff" * 10  # overlong varint
    return "did:key:" + multibase_encode_b58(prefix + body)


# -- status lists --------------------------------------------------------------------------------

_ZEROS_16M = 16 * 1024 * 1024
# A gzip bomb: 64 MiB of zeros in about 64 KiB.
_compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
_BOMB = b"".join(_compressor.compress(bytes(1 << 20)) for _ in range(64)) + _compressor.flush()
del _compressor


@st.composite
def encoded_lists(draw: st.DrawFn) -> tuple[str, int]:
    max_bytes = draw(st.sampled_from([16, 1024, 16 * 1024, _ZEROS_16M]))
    kind = draw(st.sampled_from(["bomb", "random-gzip", "truncated", "trailing", "text", "valid", "plain-base64"]))
    if kind == "bomb":
        packed = _BOMB
    elif kind == "random-gzip":
        packed = gzip.compress(draw(st.binary(max_size=3 * max_bytes if max_bytes < 10_000 else 2048)), mtime=0)
    elif kind == "truncated":
        packed = gzip.compress(b"\0" * 2048, mtime=0)
        packed = packed[: draw(st.integers(0, len(packed) - 1))]
    elif kind == "trailing":
        packed = gzip.compress(b"\0" * 16, mtime=0) + draw(st.binary(min_size=1, max_size=8))
    elif kind == "plain-base64":
        packed = draw(st.binary(max_size=64))
    elif kind == "valid":
        text = encode_list(draw(st.lists(st.integers(0, 1023), max_size=5)), 1024, multibase=draw(st.booleans()))
        return text, max_bytes
    else:
        return draw(weird_text | st.text(alphabet="uABC+/-_=", max_size=20)), max_bytes
    text = draw(
        st.sampled_from(
            [
                base64.b64encode(packed).decode(),
                "u" + base64.urlsafe_b64encode(packed).decode().rstrip("="),
                base64.b64encode(packed).decode() + "=",
            ]
        )
    )
    return text, max_bytes
