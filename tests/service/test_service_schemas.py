"""The service publishes ops' own report types, not copies of them (issue 12): the OpenAPI document's
report schemas are the types `to_json` is declared to return, and what `to_json` builds is exactly
what the document describes, member for member.

Pure (no chain): the document is the real app's, built from a deployment file naming contracts at
made-up addresses; the app reads that file at start-up and asks the chain only on a request, and
this test sends none.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from registry.chain.deployment import ContractRecord, Deployment
from registry.config import Settings
from registry.ops.trust.model import AttrStatus, LaterChange, LinkCheck, TrustReport
from registry.ops.verify.report import Check, Code, Outcome, PassportReport, Report, Verdict
from registry.service import schemas
from registry.service.app import create_app
from registry.text import json_text


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("schemas")
    record = ContractRecord(address="0x" + "11" * 20, artifact_sha256="0" * 64, code_keccak="0" * 64)
    names = ("DIDRegistry", "TrustedIssuersRegistry", "CredentialRegistry")
    deployment = Deployment(31337, 1, "2026-01-01T00:00:00Z", "0x" + "22" * 20, {n: record for n in names})
    deployment.save(home / "deployment.json")
    settings = Settings(home=home, rpc_urls=("http://127.0.0.1:9",), deployment_path=home / "deployment.json")
    return create_app(settings).openapi()


def wire(value: Any) -> Any:
    """What is sent: the report's JSON as the service writes it, read back."""
    return json.loads(json_text(value))


def validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


OPTIONAL = {"VerifyReport": {"accreditation_policy", "recognition", "warnings"}}  # recognition: only when asked
# Members only `registry verify` adds, on request (`--evidence DIR`): the service never sends them.
ON_REQUEST = {"VerifyReport": {"evidence"}}


def assert_described(document: dict[str, Any], name: str, value: dict[str, Any]) -> None:
    schema = document["components"]["schemas"][name]
    assert [e.message for e in validator(document, name).iter_errors(value)] == [], name
    assert set(value) == set(schema["properties"]) - ON_REQUEST.get(name, set()), name
    # Every member is required, but those that services predating them do not send (a client reads
    # their reports too); ours always sends them.
    assert set(schema["required"]) == set(value) - OPTIONAL.get(name, set()), name


def test_the_published_report_models_are_the_ops_types() -> None:
    from registry.ops.trust import shapes as trust_shapes
    from registry.ops.verify import shapes as verify_shapes

    assert schemas.Check is verify_shapes.Check
    assert schemas.VerifyReport is verify_shapes.VerifyReport
    assert schemas.PassportReport is verify_shapes.PassportReport
    assert schemas.TrustReport is trust_shapes.TrustReport
    assert schemas.LinkCheck is trust_shapes.LinkCheck


def test_what_to_json_builds_is_what_the_document_describes(document: dict[str, Any]) -> None:
    rows = [(Code.FORMAT, Outcome.PASS, "a compact JWS", {}), (Code.ANCHOR, Outcome.UNKNOWN, "no node", {"n": 1})]
    report = Report("a.json", Verdict.INDETERMINATE, "COULD NOT DETERMINE: no node", rows=rows,
                    credential={"id": "urn:x"}, checked_at="2026-01-01T00:00:00Z")  # fmt: skip
    report.recognition = {"outcome": "none", "message": "no recognition decision here", "decisions": []}
    passport = PassportReport(
        "p.json", Verdict.INVALID, "INVALID", None, [Check(Code.HOLDER_SIGNATURE, Outcome.FAIL, "bad")], [report]
    )
    link = LinkCheck("did:ebsi:zTI", "ab" * 32, "TI", True, "in force", {"scopes": []})
    later = LaterChange("did:ebsi:zTI", "TI", "ab" * 32, AttrStatus.REVOKED, 2, 9, "revoked later")
    trust = TrustReport("did:ebsi:zTI", "2026-01-01T00:00:00Z", True, "trusted", [link], "did:ebsi:zRoot", True,
                        ["revoked later"], changed_later=[later])  # fmt: skip
    assert_described(document, "VerifyReport", wire(report.to_json()))
    assert_described(document, "Check", wire(report.to_json()["checks"][1]))
    assert_described(document, "PassportReport", wire(passport.to_json()))
    assert_described(document, "TrustReport", wire(trust.to_json()))
    assert_described(document, "LinkCheck", wire(trust.to_json()["path"][0]))
    # A member the reports do not send is refused by the document, as before (additionalProperties false).
    extra = {**wire(report.to_json()), "unexpected": 1}
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/VerifyReport", "components": document["components"]}
    )
    assert not validator.is_valid(extra)
    holder = document["components"]["schemas"]["PassportReport"]["properties"]["holder"]
    assert holder["description"] == "the holder's DID, when the passport names one"
