"""The verifier's fast parsing paths accept and refuse exactly what the plain paths did.

base64url goes through pybase64 (SIMD), a holder file is parsed without first being copied
stripped, a JWT is split from both ends, and a verified credential keeps its JWS without the
decoded payload. Each is checked here against the plain standard-library reading it replaced.
"""

from __future__ import annotations

import base64
import binascii
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import jwt, safejson
from registry.formats.multibase import b64url_decode, b64url_encode

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# No per-example deadline (hypothesis's default is 200 ms): these tests compare answers, not speed,
# and `make test` runs them beside two anvils and CLI processes on two cores, where one example
# can wait that long for the CPU (hypothesis then fails the test as "unreliable test timings").


def _reference(text: str) -> bytes | None:
    """Strict unpadded base64url with the standard library alone; None where it must be refused."""
    if not text.isascii() or any(c not in _ALPHABET for c in text) or len(text) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        return None
    return raw if b64url_encode(raw) == text else None  # canonical: re-encodes to the same text


def _decoded(text: str) -> bytes | None:
    try:
        return b64url_decode(text)
    except InputError:
        return None


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_ALPHABET + "+/= \n.é", max_size=400))
def test_base64url_matches_the_standard_library(text: str) -> None:
    assert _decoded(text) == _reference(text)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=3000))
def test_base64url_round_trips_short_and_long_values(raw: bytes) -> None:
    text = b64url_encode(raw)
    assert b64url_decode(text) == raw
    for bad in ("+", "/", "=", " "):  # the url-safe SIMD decoder takes some of these: refused first
        assert _decoded(text[: len(text) // 2] + bad + text[len(text) // 2 :]) is None


def test_base64url_refuses_padding_and_non_canonical_bits() -> None:
    for text in ("AB==", "AB=", "AC", "AAB", "A", "é" * 4):
        assert _decoded(text) is None, text
    assert b64url_decode("AA") == b"\x00"


def test_a_truncated_holder_file_names_the_line_of_its_stripped_text() -> None:
    """Parsed unstripped first for speed, a bad file is parsed again stripped, so its error names
    the same line as ever (a trailing newline would otherwise move it)."""
    text = '{\n  "format": "skills-credential/1",\n  "credential": \n\n\n'
    with pytest.raises(InputError) as error:
        vcfmt.load_holder_file(text, "f.json")
    with pytest.raises(InputError) as stripped:
        vcfmt.load_holder_file(text.strip(), "f.json")
    assert str(error.value) == str(stripped.value)
    assert "line 3" in str(error.value)


def test_a_holder_file_with_surrounding_space_still_loads() -> None:
    token = "eyJhbGciOiJFUzI1NiJ9.e30." + "A" * 86
    body = json.dumps({"format": vcfmt.HOLDER_FILE_FORMAT, "credential": token, "anchor": {"type": "single"}})
    for text in (body, body + "\n", "\n " + body + " \n"):
        assert vcfmt.load_holder_file(text).credential == token


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d", "...", "abc", "a.b.c.", ".a.b.c"])
def test_a_jwt_needs_exactly_three_parts(token: str) -> None:
    with pytest.raises(InputError, match="three dot-separated parts"):
        jwt.parse(token)


def test_a_jws_without_its_payload_still_verifies() -> None:
    from jwcrypto.jwk import JWK

    key = JWK.generate(kty="EC", crv="P-256")
    token = jwt.sign({"alg": "ES256", "kid": "k"}, {"iss": "me", "n": list(range(50))}, key)
    parsed = jwt.parse(token)
    slim = parsed.without_payload()
    assert slim.payload == {} and slim.token == token and slim.header == parsed.header
    assert jwt.verify(slim, key.export_public(as_dict=True))


def test_a_key_built_once_judges_signatures_as_verify_does() -> None:
    """The verifier builds each issuer key's object once (`public_key`) and checks every credential
    with it (`verify_with`): the same answers as `verify` with the JWK, wrong curves and all."""
    from jwcrypto.jwk import JWK

    p256, k1 = JWK.generate(kty="EC", crv="P-256"), JWK.generate(kty="EC", crv="secp256k1")
    good = jwt.parse(jwt.sign({"alg": "ES256", "kid": "k"}, {"iss": "me"}, p256))
    other = jwt.parse(jwt.sign({"alg": "ES256", "kid": "k"}, {"iss": "you"}, JWK.generate(kty="EC", crv="P-256")))
    tampered = jwt.parse(good.token.rsplit(".", 1)[0] + "." + other.token.rsplit(".", 1)[1])
    for jwk in (p256.export_public(as_dict=True), k1.export_public(as_dict=True), {"kty": "EC"}):
        key = jwt.public_key("ES256", jwk)
        for parsed in (good, other, tampered):
            assert jwt.verify_with(parsed, key) == jwt.verify(parsed, jwk)
    assert jwt.verify_with(good, jwt.public_key("ES256", p256.export_public(as_dict=True)))
    assert jwt.public_key("ES256", k1.export_public(as_dict=True)) is None  # another curve
    assert jwt.public_key("HS256", p256.export_public(as_dict=True)) is None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(alphabet='[]{}\\"ab', max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text("[]{ab", max_size=3), inner, max_size=3),
    max_leaves=40,
)


@settings(max_examples=1500, deadline=None)
@given(_JSON, st.integers(min_value=0, max_value=8))
def test_the_depth_of_a_parsed_value_is_the_bracket_depth_of_its_text(value: object, limit: int) -> None:
    """Documents orjson accepts, text or bytes (a JWT's payload), are judged by the depth of the
    value it built: the same answer as the bracket depth of the text outside its strings (brackets
    inside strings too)."""
    text = json.dumps(value)
    assert safejson.depth_within(value, limit) == (safejson.nesting_depth(text) <= limit)
    refused = safejson.nesting_depth(text) > limit
    for document in (text, text.encode()):
        try:
            assert safejson.loads(document, "doc", limit) == value and not refused
        except InputError as error:
            assert refused and str(error) == f"doc nests JSON deeper than {limit} levels"


@pytest.mark.parametrize("depth", [64, 65, 1000, 1025, 100_000])
def test_deep_text_and_bytes_are_judged_alike(depth: int) -> None:
    for text in ("[" * depth + "]" * depth, "[" * depth + "1" + "]" * (depth - 1)):  # valid, then truncated
        answers = []
        for document in (text, text.encode()):
            try:
                answers.append(("ok", safejson.loads(document, "doc")))
            except InputError as error:
                answers.append(("refused", str(error)))
        assert answers[0] == answers[1]
        assert answers[0][0] == ("ok" if depth <= 64 and text.endswith("]" * depth) else "refused")


def _cohort_file(root: str, proof: list[object]) -> str:
    anchor = {"type": "cohort", "root": root, "proof": proof, "size": 2}
    return json.dumps({"format": vcfmt.HOLDER_FILE_FORMAT, "credential": "a.b.c", "anchor": anchor})


def test_proof_nodes_decoded_once_are_the_same_bytes_and_a_bad_node_beside_them_is_still_refused() -> None:
    """Proof elements are decoded in one pass (`holderfile._hex32_list`): a node met again gives the
    same bytes, and a file holding good nodes and one malformed element is refused as before."""
    good = ["0x" + (bytes([n]) * 32).hex() for n in range(3)]
    first = vcfmt.load_holder_file(_cohort_file(good[0], good[1:]))
    again = vcfmt.load_holder_file(_cohort_file(good[0], good[1:]))
    assert first.cohort == again.cohort
    assert first.cohort is not None and first.cohort.proof == tuple(bytes([n]) * 32 for n in (1, 2))
    for bad in ("0x" + "zz" * 32, "0x" + "ab" * 31, "0X" + "ab" * 32, "0x" + "ab" * 31 + " a", 7, None, ["0x"]):
        with pytest.raises(InputError, match="proof element is not a 32-byte hex value"):
            vcfmt.load_holder_file(_cohort_file(good[0], [*good[1:], bad]))
    with pytest.raises(InputError, match="cohort root is not a 32-byte hex value"):
        vcfmt.load_holder_file(_cohort_file(good[1][:-2], good[1:]))


def test_a_registry_locator_equal_but_for_a_number_typed_otherwise_is_not_taken_as_ours() -> None:
    """`Here.named_by` decides most files by one dict comparison; True and 1.0 equal 1 in Python,
    so a chain id or block written so must not pass as this registry's locator."""
    from registry.formats.locator import Locator
    from registry.ops.verify.registries import Here

    addresses, hashes = ("0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20), ("0x" + "44" * 32,) * 3
    here = Here(Locator(1, 5, "0x" + "55" * 32, addresses, hashes))  # type: ignore[arg-type]
    ours = here.locator.to_json()
    assert here.named_by(dict(ours))
    assert not here.named_by({**ours, "chainId": True})
    assert not here.named_by({**ours, "deploymentBlock": 5.0})
    assert not here.named_by({**ours, "didRegistry": "0x" + "66" * 20})
    assert not here.named_by(None)


@pytest.mark.parametrize(
    "header",
    [
        b'{"alg":"ES256","alg":"none","typ":"JWT"}',  # the last wins here, the first in other readers
        b'{"alg":"none" ,"typ":"JWT","alg" : "ES256"}',
        b'{"alg":"ES256","jwk":{"kty":"EC","kty":"oct"}}',
    ],
)
def test_a_jwt_header_naming_a_member_twice_is_refused(header: bytes) -> None:
    """Readers differ on which of two `alg` (or `kid`, `crit`) counts, so one header could mean one
    thing to us and another to the next verifier: refused (RFC 7515 section 5.2 allows it)."""
    token = b64url_encode(header) + "." + b64url_encode(b'{"iss":"x"}') + "." + b64url_encode(bytes(64))
    with pytest.raises(InputError, match=r"names '(alg|kty)' twice"):
        jwt.parse(token)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"iss":"did:ebsi:a","sub":"x","iss":"did:ebsi:b"}',  # the last wins here, the first in other readers
        b'{"iss":"did:ebsi:a","\\u0069ss":"did:ebsi:b"}',
        b'{"vc":{"id":"urn:a","id":"urn:b"}}',
        b'{"vc":{"id":"urn:a"}, "iss":"x", "iss":"y"}',
    ],
)
def test_a_jwt_payload_naming_a_member_twice_is_refused(payload: bytes) -> None:
    """Readers differ on which of two members of a signed payload counts (RFC 7519 section 4 lets a
    parser take the last or refuse): the same signed bytes could name one issuer or subject to us and
    another to the next verifier, so they are refused, at any level. Before, the last one counted."""
    token = (
        b64url_encode(b'{"alg":"ES256","typ":"JWT"}') + "." + b64url_encode(payload) + "." + b64url_encode(bytes(64))
    )
    with pytest.raises(InputError, match=r"^the JWT payload names '(iss|id)' twice"):
        jwt.parse(token)
    assert safejson.repeated_in_token(b'{"vc":{"id":"urn:a"},"id":"urn:b"}') is None  # one per object


@pytest.mark.parametrize(
    "template",
    [
        '{{"format":"skills-credential/1","credential":"{bad}",\n"credential":"{good}"}}',
        '{{"format":"skills-credential/1","credential":"{bad}","\\u0063redential":"{good}"}}',
        '{{"format":"skills-credential/1","anchor":{{"type":"single"}},"credential":"{good}","anchor":null}}',
    ],
)
def test_a_holder_file_naming_a_member_twice_is_refused(template: str) -> None:
    """JSON parsing keeps the last of two members, other readers the first: a file with a tampered
    token first and the genuine one last would verify here and show the tampered one elsewhere."""
    text = template.format(bad="eyJh.eyJi.c2ln", good="eyJj.eyJk.c2ln")
    with pytest.raises(InputError, match=r"^f\.json names the member '(credential|anchor)' twice"):
        vcfmt.load_holder_file(text, "f.json")
    with pytest.raises(InputError, match=r"names the member '(credential|anchor)' twice"):
        vcfmt.load_holder_file(text.encode(), "f.json")


def test_names_repeated_only_below_the_top_level_or_as_values_are_not_a_member_twice() -> None:
    text = (
        '{"format":"skills-credential/1","credential":"eyJh.eyJi.c2ln","anchor":{"type":"single"},'
        '"registry":{"registry":"x","type":"format","note":"\\"credential\\""}}\n'
    )
    assert vcfmt.load_holder_file(text, "f.json").credential == "eyJh.eyJi.c2ln"
    assert safejson.repeated_member(text, json.loads(text)) is None
