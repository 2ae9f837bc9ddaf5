"""The verifier's one-pass reading of our skills credentials (formats/typedvc.py, offline._check_typed):
the same rows and fields as the general path (safejson, jsonschema-rs, fields_v1) for what it takes,
and everything it cannot prove left to the general path, which refuses hostile payloads as before.

Each hostile case was forced once against a weakened reader, and failed there: patterns ending in
`$` instead of `\\Z` (the trailing-newline ids and URLs passed the schema), unknown members skipped
instead of refused (the deep nesting and the number beyond a double were accepted), the date-time
and URI tests removed (the impossible date and the URL with a space passed)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from jwcrypto.jwk import JWK

from registry.formats import jwt, ownschemas, typedvc
from registry.formats.credential import (
    Achievement,
    CredentialDraft,
    HolderFile,
    StatusEntry,
    build_vc,
    parse_time,
)
from registry.formats.did import new_ebsi_did
from registry.formats.multibase import b64url_encode
from registry.ops.verify import offline
from registry.ops.verify.item import Item
from registry.ops.verify.report import Code, Outcome
from tests.formats.test_ownschemas import BASE, HOLDER, ISSUED, WELDING

KEY = JWK.generate(kty="EC", crv="P-256")
ACCOUNT = "0x" + "ab" * 20


def credential(**changes: Any) -> dict[str, Any]:
    """A JWT payload as `sign_vc` writes it for our skills credential, with `changes` to its `vc`."""
    issuer = new_ebsi_did()
    lists = f"{BASE}/trusted-issuers-registry/v5/issuers/{issuer}/proxies/{ACCOUNT}/credentials/status/"
    vc = build_vc(
        CredentialDraft(
            issuer=issuer, holder=HOLDER,
            achievement=Achievement("Certified welder", "Arc welding", "Exam", skills=(WELDING,), eqf_level=4),
            valid_from=ISSUED, valid_until=ISSUED + 86_400,
            status=(StatusEntry("revocation", lists + "1", 7), StatusEntry("suspension", lists + "4294967297", 7)),
            schema_url=ownschemas.schema_url(BASE, ownschemas.SKILLS),
            terms_of_use=f"{BASE}/trusted-issuers-registry/v5/issuers/{issuer}/attributes/{'ab' * 32}",
        ),
        ISSUED,
    )  # fmt: skip
    vc.update(changes)
    payload = {"iss": issuer, "sub": HOLDER, "jti": vc["id"], "iat": ISSUED, "nbf": ISSUED, "vc": vc}
    if "expirationDate" in vc and isinstance(vc["expirationDate"], str) and vc["expirationDate"]:
        payload["exp"] = parse_time(vc["expirationDate"])
    return payload


def holder_file(body: bytes, issuer: str) -> str:
    """A holder file whose JWT's payload is exactly `body`, signed."""
    header = {"alg": "ES256", "typ": "JWT", "kid": f"{issuer}#key-1"}
    signing_input = f"{jwt.encode_segment(header)}.{b64url_encode(body)}"
    signature = jwt.create_signature("ES256", KEY, signing_input.encode("ascii"))
    return HolderFile(credential=f"{signing_input}.{b64url_encode(signature)}").dumps()


def state(item: Item) -> dict[str, Any]:
    parsed = item.parsed
    seen = {name: getattr(item, name) for name in Item.__slots__ if name != "parsed"}
    if parsed is not None:
        seen["parsed"] = (parsed.token, parsed.header, parsed.payload, parsed.signing_input, parsed.signature)
    return seen


def both(content: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Item, bool]:
    """The item `check_format` makes, whether the typed path took it, and the same item by the
    general path alone (asserted equal)."""
    taken: list[bool] = []
    typed = offline._check_typed

    def watched(*args: Any) -> bool:
        taken.append(typed(*args))
        return taken[-1]

    monkeypatch.setattr(offline, "_check_typed", watched)
    item = Item("test")
    offline.check_format(item, content, {})
    monkeypatch.setattr(offline, "_check_typed", lambda *args: False)
    general = Item("test")
    offline.check_format(general, content, {})
    monkeypatch.setattr(offline, "_check_typed", typed)
    assert state(item) == state(general)
    return item, bool(taken and taken[0])


def text_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"expirationDate": "2023-11-15T22:13:20Z"},
        {"credentialSchema": [{"id": ownschemas.schema_url(BASE, ownschemas.SKILLS), "type": "JsonSchema"}]},
        {"credentialStatus": None},
        {"termsOfUse": {"id": "urn:x", "type": "IssuanceCertificate"}},
    ],
    ids=["as-issued", "expiring", "schema-list", "no-status", "terms-object"],
)
def test_our_credentials_take_the_typed_path_with_the_general_paths_results(
    changes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = credential(**changes)
    if payload["vc"].get("credentialStatus", 0) is None:
        del payload["vc"]["credentialStatus"]
    item, typed = both(holder_file(text_of(payload), payload["iss"]), monkeypatch)
    assert typed and item.format_ok
    assert [row[:2] for row in item.rows] == [(Code.FORMAT, Outcome.PASS), (Code.SCHEMA, Outcome.PASS)]


def _raw(payload: dict[str, Any], old: str, new: str, count: int = 1) -> bytes:
    text = text_of(payload).decode()
    assert old in text
    return text.replace(old, new, count).encode()


END = '"expirationDate":"2023-11-15T22:13:20Z"'
# (what is done to the payload's JSON text, a fragment of the FORMAT or SCHEMA row's message)
HOSTILE: dict[str, tuple[Any, str]] = {
    "lone-surrogate": (lambda p: _raw(p, '"Arc welding"', '"Arc \\ud800 welding"'), "lone UTF-16 surrogate"),
    "nan": (lambda p: _raw(p, '"iat":', '"note":NaN,"iat":'), "holds the number NaN"),
    "beyond-a-double": (lambda p: _raw(p, '"iat":', '"note":1e999,"iat":'), "holds the number 1e999"),
    "deep": (lambda p: _raw(p, '"iat":', '"note":' + "[" * 70 + "]" * 70 + ',"iat":'), "deeper than 64"),
    "id-newline": (lambda p: _raw(p, p["vc"]["id"] + '"', p["vc"]["id"] + '\\n"', 2), "does not conform"),
    "url-newline": (lambda p: _raw(p, 'eqf/4"', 'eqf/4\\n"'), "does not conform"),
    "impossible-date": (lambda p: _raw(p, '"issued":"2023-11-14', '"issued":"2023-02-30'), "does not conform"),
    "empty-end": (lambda p: _raw(p, END, '"expirationDate":""'), "not an ISO 8601"),
    "schema-url-space": (lambda p: _raw(p, "example/trusted-schemas", "exa mple/trusted-schemas"), "does not conform"),
    "not-skills": (lambda p: _raw(p, '"SkillsCredential"', '"OtherCredential"'), "does not conform"),
    "float-iat": (lambda p: _raw(p, f'"iat":{ISSUED}', f'"iat":{ISSUED}.0'), "iat claim"),
    "huge-iat": (lambda p: _raw(p, f'"iat":{ISSUED}', '"iat":' + "9" * 30), "iat claim"),
    "iss-mismatch": (lambda p: _raw(p, '"iss":"did:ebsi:', '"iss":"did:ebsi:zz'), "iss differs"),
    # A member given twice: both parsers kept the last (others keep the first), and it was VALID
    # by either path; now refused (forced: without the check in offline._check_typed, typed took it).
    "repeated": (lambda p: _raw(p, '"nbf":', f'"iat":{ISSUED + 5},"nbf":'), "names 'iat' twice"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_what_the_typed_path_cannot_prove_is_judged_by_the_general_path(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    change, said = HOSTILE[case]
    payload = credential()
    item, typed = both(holder_file(change(payload), payload["iss"]), monkeypatch)
    assert not typed
    failed = [row for row in item.rows if row[1] is Outcome.FAIL]
    assert failed and said in failed[0][2], item.rows


def test_unknown_members_are_refused_by_the_reader_not_skipped() -> None:
    payload = credential()
    assert typedvc.read(text_of(payload)) is not None
    payload["vc"]["evidence"] = [{"id": str(uuid.uuid4())}]
    assert typedvc.read(text_of(payload)) is None
