"""The published OpenAPI document says what the service really answers: /verify's two report
shapes, and every error as the problem+json it is (never FastAPI's default 422 validation error,
which this service never sends). Answers from the real server are checked against it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from registry.chain.client import Call
from registry.formats.did import new_ebsi_did
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport
from registry.ops.registry import Purpose, Registry
from tests.conftest import Chain, welding_certificate

pytest_plugins = ("tests.helpers.service_fixtures",)

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def document(service: str) -> dict[str, Any]:
    return httpx.get(f"{service}/openapi.json", timeout=30).json()


def mismatches(document: dict[str, Any], method: str, template: str, answer: httpx.Response) -> list[str]:
    """What in `answer` the document does not promise for this operation: its status, its media
    type, or its body's shape. Empty when the answer is one the document describes."""
    responses = document["paths"][template][method]["responses"]
    declared = responses.get(str(answer.status_code))
    if declared is None:
        return [f"status {answer.status_code} is not documented (only {sorted(responses)})"]
    media_type = answer.headers["content-type"].split(";")[0]
    content = declared.get("content", {})
    if media_type not in content:
        return [f"{media_type} is not documented for {answer.status_code} (only {sorted(content)})"]
    schema = content[media_type].get("schema")
    if not schema:
        return [f"{answer.status_code} {media_type} has no schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer.json())]


def test_no_operation_documents_a_validation_error_the_service_never_sends(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert "HTTPValidationError" not in text and "#/components/schemas/ValidationError" not in text
    for template, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in responses, (method, template)
            for status, response in responses.items():
                if status[0] in "45":
                    assert response["content"] == {
                        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }, (
                        method,
                        template,
                        status,
                    )
            if not template.startswith("/api/transactions/"):
                assert "422" not in responses, (method, template)  # only the contract's refusal is a 422


def test_verify_answers_match_the_published_schema(
    http: httpx.Client, document: dict[str, Any], issuer: Issuer, holder: Identity
) -> None:
    """Both shapes /verify answers (one credential's report, a passport's) are in the document, and
    each real answer is exactly one of them."""
    files = [issuer.issue_single(holder.did, welding_certificate()).holder_file for _ in range(2)]
    issuer.change_status([files[1].credential], Purpose.REVOCATION, set_=True, reason=2)
    answers = {
        "credential": http.post("/verify", json={"credential": files[0].dumps()}),
        "not a credential": http.post("/verify", json={"credential": "hello"}),
        "passport": http.post("/verify", json={"credential": create_passport(holder, files)}),
    }
    assert answers["passport"].json()["kind"] == "passport"
    schema = document["paths"]["/verify"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    branches = schema.get("anyOf") or schema.get("oneOf")
    assert branches and len(branches) == 2
    for name, answer in answers.items():
        assert answer.status_code == 200, name
        assert mismatches(document, "post", "/verify", answer) == [], name
        matching = [
            b
            for b in branches
            if Draft202012Validator({**b, "components": document["components"]}).is_valid(answer.json())
        ]
        assert len(matching) == 1, (name, matching)


def test_error_answers_match_the_published_responses(
    http: httpx.Client, document: dict[str, Any], chain: Chain, issuer: Issuer, registry: Registry
) -> None:
    owner = issuer.identity
    anchored = os.urandom(32)
    build = {"from": owner.account.address, "did": owner.did, "hash": "0x" + anchored.hex()}
    registry.client.transact(
        owner.account, Call(registry.credential_address, "CredentialRegistry", "anchor", (anchored,))
    )
    nonce = int(registry.client.request("eth_getTransactionCount", [owner.account.address, "pending"]), 16)
    ahead = dict(http.post("/api/transactions/anchor", json={**build, "hash": "0x" + os.urandom(32).hex()}).json())
    ahead["transaction"]["nonce"] = nonce + 5
    gap = "0x" + bytes(owner.account.sign_transaction(ahead["transaction"]).raw_transaction).hex()
    dids = "/did-registry/v5/identifiers"
    anchor, send = "/api/transactions/anchor", "/api/transactions/send"
    cases: list[tuple[str, str, int, httpx.Response]] = [
        ("get", dids, 400, http.get(dids, params={"page[size]": 0})),
        ("get", dids + "/{did}", 400, http.get(f"{dids}/did:ebsi:zz")),
        ("get", dids + "/{did}", 404, http.get(f"{dids}/{new_ebsi_did()}")),
        ("get", dids + "/{did}", 406, http.get(f"{dids}/{chain.ti.did}", headers={"Accept": "text/html"})),
        ("post", "/verify", 400, http.post("/verify", json={"credentials": "x"})),
        ("post", "/verify", 400, http.post("/verify", content=b"{", headers={"content-type": "application/json"})),
        ("post", "/verify", 413, http.post("/verify", json={"credential": "x" * 3_000_000})),
        ("post", anchor, 400, http.post(anchor, json={**build, "hash": "0x1"})),
        ("post", anchor, 403, http.post(anchor, json={**build, "did": chain.root.did})),
        ("post", anchor, 422, http.post(anchor, json=build)),  # already anchored: the contract refuses
        ("post", send, 400, http.post(send, json={"signedRawTransaction": "0x00"})),
        ("post", send, 409, http.post(send, json={"signedRawTransaction": gap, "did": owner.did})),
    ]
    for method, template, status, answer in cases:
        assert answer.status_code == status, (template, answer.text)
        assert mismatches(document, method, template, answer) == [], (template, status)
