"""The VCDM 2.0 profile (`vc+jwt`) against the W3C VCDM 2.0 and VC-JOSE-COSE test-suite vectors.

vcdm2-suite/ (README suffix rules): `-ok` inputs are issued with our issuer and verified with
our verifier; `-fail` inputs are refused at one of the two; `-fail-or-inject` inputs are either
refused or come out with the missing context. vc-jose-cose/expected.json: every compact-JWS
verification case verifies or fails as expected with its key; SD-JWT and COSE tokens (formats we
do not implement) are refused with a clear reason.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jwcrypto.jwk import JWK

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.schemas import SchemaSet, error_paths, validate_vc2
from registry.formats.vcdm2 import (
    BASE_CONTEXT_TYPES,
    PROFILE_VCDM20,
    VC_V2_CONTEXT,
    ContextLoader,
    check_vc2,
    detect_profile,
    parse_vc2,
    sign_vc2,
    verify_vc2,
)
from tests.helpers.vectors import VECTORS, load_json

SUITE = VECTORS / "vcdm" / "vcdm2-suite"
JOSE_COSE = VECTORS / "vcdm" / "jose-cose"
ISSUER = "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1"
KID = f"{ISSUER}#key-1"
OFFLINE_CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "vcdm/contexts/credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "vcdm/contexts/credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "vcdm/contexts/credentials-examples-v2.jsonld",
    "https://www.w3.org/2018/credentials/examples/v1": "vcdm/contexts/credentials-examples-v1.jsonld",
    **{
        f"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.{n}.json": f"ob3/contexts/context-3.0.{n}.json"
        for n in (1, 2, 3)
    },
}
PRESENTATION_REASON = (
    "our issuer secures credentials only; holder presentations (vp+jwt) are not modelled, so it refuses them"
)


def vector_loader(url: str) -> Mapping[str, Any] | None:
    """The offline JSON-LD document loader of vectors/README.md."""
    relative = OFFLINE_CONTEXTS.get(url)
    return None if relative is None else load_json(relative)


LOADERS: dict[str, ContextLoader | None] = {"offline-contexts": vector_loader, "no-loader": None}


@pytest.fixture(scope="module")
def issuer_key() -> JWK:
    return JWK.generate(kty="EC", crv="P-256")


def _suite_files() -> list[Path]:
    return sorted(SUITE.rglob("*.json"))


def _outcome(path: Path) -> str | None:
    for suffix in ("-fail-or-inject", "-ok", "-fail"):
        if path.stem.endswith(suffix):
            return suffix[1:]
    return None


def _prepare(document: dict[str, Any]) -> dict[str, Any]:
    """What the suite does before issuing: fill the date placeholders and add the issuer's id."""
    now = datetime.now(UTC).replace(microsecond=0)
    dates = {
        "PAST DATE": (now - timedelta(days=365)).isoformat().replace("+00:00", "Z"),
        "FUTURE DATE": (now + timedelta(days=365)).isoformat().replace("+00:00", "Z"),
    }
    credential = copy.deepcopy(document)
    for member in ("validFrom", "validUntil"):
        if credential.get(member) in dates:
            credential[member] = dates[credential[member]]
    if "issuer" not in credential:
        credential["issuer"] = ISSUER
    elif isinstance(credential["issuer"], dict) and "id" not in credential["issuer"]:
        credential["issuer"] = {**credential["issuer"], "id": ISSUER}
    return credential


def _issue_and_verify(credential: dict[str, Any], key: JWK, loader: ContextLoader | None) -> dict[str, Any]:
    token = sign_vc2(credential, key, KID, loader=loader)
    assert detect_profile(token) == PROFILE_VCDM20
    return verify_vc2(token, key.export_public(as_dict=True), loader=loader)


def _suite_cases() -> list[Any]:
    cases = []
    for path in _suite_files():
        outcome = _outcome(path)
        if outcome is None:
            continue
        name = str(path.relative_to(SUITE))
        for loader_id in LOADERS:
            marks = []
            if outcome == "ok" and path.name.startswith("presentation-"):
                marks.append(pytest.mark.xfail(raises=InputError, strict=True, reason=PRESENTATION_REASON))
            cases.append(pytest.param(path, outcome, loader_id, id=f"{name}-{loader_id}", marks=marks))
    return cases


def test_suite_inventory() -> None:
    files = _suite_files()
    unclassified = sorted(p.name for p in files if _outcome(p) is None)
    assert unclassified == [
        "presentation-self-asserted-vc-holder-mismatch.json",
        "presentation-self-asserted-vc-issuer-mismatch.json",
        "presentation-self-asserted-vc-no-holder.json",
    ]
    assert len(files) == 96 + 24


@pytest.mark.parametrize(("path", "outcome", "loader_id"), _suite_cases())
def test_vcdm2_suite(path: Path, outcome: str, loader_id: str, issuer_key: JWK) -> None:
    loader = LOADERS[loader_id]
    credential = _prepare(json.loads(path.read_text(encoding="utf-8")))
    if outcome == "ok":
        assert _issue_and_verify(credential, issuer_key, loader) == credential
    elif outcome == "fail":
        with pytest.raises(InputError):
            _issue_and_verify(credential, issuer_key, loader)
    else:  # fail-or-inject: refusing is allowed; an issued credential must carry the base context
        try:
            issued = _issue_and_verify(credential, issuer_key, loader)
        except InputError as exc:
            assert "@context" in str(exc)
        else:
            assert issued["@context"][0] == VC_V2_CONTEXT


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        ("credential-type-unmapped-fail.json", "not defined by @context"),
        ("credential-redef-type-fail.json", "redefines the protected term 'VerifiableCredential'"),
        ("credential-redef-type2-fail.json", "redefines the protected term 'ExampleVerifiableCredential'"),
        ("credential-type-mapped-nonurl-fail.json", "not an IRI"),
        ("credential-context-combo3-fail.json", "is not a URL"),
        ("credential-missing-required-type-fail.json", "must include VerifiableCredential"),
        ("credential-validUntil-validFrom-fail.json", "validUntil is earlier than validFrom"),
        ("credential-validfrom-invalid-fail.json", "validFrom is not an XML Schema dateTimeStamp"),
        ("credential-subject-no-claims-fail.json", "at least one claim"),
        ("credential-issuer-no-url-fail.json", "issuer id must be a single URL"),
        ("names-and-descriptions/credential-name-extra-prop-en-fail.json", "unexpected members: url"),
    ],
)
def test_suite_failures_are_refused_for_the_right_reason(file: str, reason: str) -> None:
    credential = _prepare(load_json(f"vcdm/vcdm2-suite/{file}"))
    with pytest.raises(InputError, match=reason):
        check_vc2(credential, loader=None)


def test_base_context_type_terms_match_the_published_context() -> None:
    context = load_json(OFFLINE_CONTEXTS[VC_V2_CONTEXT])["@context"]
    assert context["@protected"] is True
    classes = {term: value for term, value in context.items() if term[:1].isupper()}
    assert {term: value if isinstance(value, str) else value["@id"] for term, value in classes.items()} == (
        BASE_CONTEXT_TYPES
    )


def test_a_vc_claim_in_the_credential_is_refused_at_issuance(issuer_key: JWK) -> None:
    credential = _prepare(load_json("vcdm/vcdm2-suite/credential-ok.json"))
    with pytest.raises(InputError, match="must not have a 'vc' claim"):
        sign_vc2({**credential, "vc": {}}, issuer_key, KID)


def test_a_tampered_token_does_not_verify(issuer_key: JWK) -> None:
    credential = _prepare(load_json("vcdm/vcdm2-suite/credential-ok.json"))
    token = sign_vc2(credential, issuer_key, KID)
    header, _, signature = token.split(".")
    forged = f"{header}.{jwt.encode_segment({**credential, 'issuer': 'did:example:mallory'})}.{signature}"
    with pytest.raises(InputError, match="does not verify"):
        verify_vc2(forged, issuer_key.export_public(as_dict=True))


# -- VC-JOSE-COSE ------------------------------------------------------------------------------


def _jose_cose_cases() -> list[Any]:
    cases = []
    for entry in load_json("vcdm/jose-cose/expected.json"):
        if entry["fn"] != "verify":
            continue
        marks = []
        if entry["number"] == 7:
            marks.append(
                pytest.mark.xfail(
                    raises=InputError,
                    strict=True,
                    reason="ES384 vp+jwt: neither ES384 nor presentations are in our profile",
                )
            )
        cases.append(pytest.param(entry, id=f"{entry['number']}-{entry['file']}", marks=marks))
    return cases


def _token(entry: dict[str, Any]) -> str:
    return (JOSE_COSE / entry["file"]).read_text(encoding="utf-8").strip()


def _public_jwk(entry: dict[str, Any]) -> dict[str, Any]:
    jwk: dict[str, Any] = load_json(f"vcdm/jose-cose/{entry['key']}")["publicKeyJwk"]
    return jwk


@pytest.mark.parametrize("entry", _jose_cose_cases())
def test_vc_jose_cose_verification(entry: dict[str, Any]) -> None:
    token, key = _token(entry), _public_jwk(entry)
    if "-sdjwt-" in entry["file"]:
        for parse in (parse_vc2, detect_profile):
            with pytest.raises(InputError, match=r"SD-JWT credentials \(with ~ disclosures\) are not supported"):
                parse(token)
    elif "-cose-" in entry["file"] or entry["file"].endswith(".json"):
        for parse in (parse_vc2, detect_profile):
            with pytest.raises(InputError, match="not a compact JWS"):
                parse(token)
    elif entry["expected"] == "verify":
        credential = verify_vc2(token, key, loader=vector_loader)
        assert credential == jwt.parse(token).payload
    else:
        with pytest.raises(InputError):
            verify_vc2(token, key, loader=vector_loader)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (9, "JWT algorithm 'ES512' is not accepted"),
        (12, "signature of the vc\\+jwt does not verify"),
        (13, "typ is 'bad\\+typ', not 'vc\\+jwt'"),
        (14, "typ is 'bad\\+typ', not 'vc\\+jwt'"),
        (15, "must not have a 'vc' claim"),
        (16, "typ is 'vp\\+jwt', not 'vc\\+jwt'"),
    ],
)
def test_vc_jose_cose_failures_are_refused_for_the_stated_reason(number: int, reason: str) -> None:
    entry = next(e for e in load_json("vcdm/jose-cose/expected.json") if e["number"] == number)
    assert entry["expected"] == "fail"
    with pytest.raises(InputError, match=reason):
        verify_vc2(_token(entry), _public_jwk(entry), loader=vector_loader)


def test_vc_jose_cose_bad_media_type_fails_even_though_the_signature_is_valid() -> None:
    entry = next(e for e in load_json("vcdm/jose-cose/expected.json") if e["number"] == 13)
    assert entry["key"] in entry["signatureVerifiesWith"]
    assert jwt.verify(jwt.parse(_token(entry)), _public_jwk(entry))


def test_vc_jose_cose_issue_minimal_credential_with_p256() -> None:
    entry = next(e for e in load_json("vcdm/jose-cose/expected.json") if e["number"] == 1)
    assert (entry["fn"], entry["expected"]) == ("issue", "verify")
    keys = load_json(f"vcdm/jose-cose/{entry['key']}")
    credential = load_json(f"vcdm/jose-cose/{entry['file']}")
    token = sign_vc2(credential, JWK(**keys["secretKeyJwk"]), keys["id"], loader=vector_loader)
    parsed, _ = parse_vc2(token)
    assert parsed.header == {"alg": "ES256", "typ": "vc+jwt", "kid": keys["id"]}
    assert "vc" not in parsed.payload and "vp" not in parsed.payload
    assert verify_vc2(token, keys["publicKeyJwk"], loader=vector_loader) == credential


def test_vc_jose_cose_inventory() -> None:
    entries = load_json("vcdm/jose-cose/expected.json")
    verify = [e for e in entries if e["fn"] == "verify"]
    by_format = {
        "jose": [e for e in verify if "-sdjwt-" not in e["file"] and "-cose-" not in e["file"]],
        "sdjwt": [e for e in verify if "-sdjwt-" in e["file"]],
        "cose": [e for e in verify if "-cose-" in e["file"]],
    }
    assert {k: len(v) for k, v in by_format.items()} == {"jose": 11, "sdjwt": 7, "cose": 7}


# -- JSON Schemas (W3C VC/VP 2.0, EBSI ELM/EDC) ------------------------------------------------------


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet(VECTORS)


@pytest.mark.parametrize(
    "path", sorted((VECTORS / "vcdm/schema/verifiable-credential").glob("example-*.json")), ids=str
)
def test_w3c_vc_schema_accepts_its_examples(path: Path, schemas: SchemaSet) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    assert schemas.validate_vc2(example) == []
    assert validate_vc2(example, VECTORS) == []
    assert "(root)" in error_paths(schemas.validate_vc2({k: v for k, v in example.items() if k != "issuer"}))


@pytest.mark.parametrize(
    "path", sorted((VECTORS / "vcdm/schema/verifiable-presentation").glob("example-*.json")), ids=str
)
def test_w3c_vp_schema_accepts_its_examples(path: Path, schemas: SchemaSet) -> None:
    assert schemas.validate_vp2(json.loads(path.read_text(encoding="utf-8"))) == []


def test_w3c_vp_schema_checks_embedded_credentials_through_the_local_vc_schema(schemas: SchemaSet) -> None:
    credential = load_json("vcdm/schema/verifiable-credential/example-1.json")
    presentation = {
        "@context": [VC_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [credential],
    }
    assert schemas.validate_vp2(presentation) == []
    broken = {k: v for k, v in credential.items() if k != "credentialSubject"}
    assert schemas.validate_vp2({**presentation, "verifiableCredential": [broken]}) != []


@pytest.mark.parametrize("path", sorted((VECTORS / "elm/examples").glob("*.json")), ids=lambda p: p.name)
def test_ebsi_edc_schema_accepts_the_examples_through_the_attestation_schema(path: Path, schemas: SchemaSet) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    assert schemas.validate_edc(example) == []
    assert schemas.validate_attestation(example) == []
    # credentialSchema is required by the attestation schema only, so this proves the allOf $ref resolves.
    assert "(root)" in error_paths(schemas.validate_edc({k: v for k, v in example.items() if k != "credentialSchema"}))
