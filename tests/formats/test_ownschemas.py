"""Our own JSON schemas (formats/ownschemas.py): what we issue passes them, they refuse what they
should, their ids are content addresses, and what we issue passes EBSI's own schemas too (read from
EBSI's npm packages and the shared vectors, never copied into the repository)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from registry.contracts.statusword import Purpose
from registry.formats import ownschemas
from registry.formats.credential import Achievement, CredentialDraft, Skill, StatusEntry, build_vc
from registry.formats.did import new_ebsi_did
from registry.formats.schemas import format_checker
from registry.formats.vcdm2 import build_vc2
from registry.ops.statuslists import build_status_list_vc
from tests.helpers.vectors import VECTORS

ROOT = Path(__file__).resolve().parents[2]
EBSI_PACKAGES = ROOT / "node_modules" / "@cef-ebsi"
BASE = "https://registry.example"
HOLDER = "did:key:z2dmzD81cgPx8Vki7JbuuMmFYrWPgYoytykUZ3eyqht1j9KbsEYvdrjxMjQ4tpnje9BDBTzuNDP3knn6qLZErzd4bJ5go2CChoPjd5GAH3zpFJP5fuwSk66U5Pq6EhF4nKnHzDnznEP8fX99nZGgwbAh1o7Gj1X52Tdhf7U4KTk66xsA5r"  # noqa: E501
WELDING = Skill("http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314", "apply arc welding techniques")
ISSUED = 1_700_000_000


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(ownschemas.load(name), format_checker=format_checker())


def draft(schema: str) -> CredentialDraft:
    issuer = new_ebsi_did()
    lists = f"{BASE}/trusted-issuers-registry/v5/issuers/{issuer}/proxies/0xab/credentials/status/"
    return CredentialDraft(
        issuer=issuer, holder=HOLDER,
        achievement=Achievement("Certified welder", "Arc welding", "Exam", skills=(WELDING,), eqf_level=4),
        valid_from=ISSUED, valid_until=ISSUED + 86_400,
        status=(StatusEntry("revocation", lists + "1", 7), StatusEntry("suspension", lists + "4294967297", 7)),
        schema_url=ownschemas.schema_url(BASE, schema),
        terms_of_use=f"{BASE}/trusted-issuers-registry/v5/issuers/{issuer}/attributes/{'ab' * 32}",
    )  # fmt: skip


def errors(name: str, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(document)]


def test_every_schema_is_valid_json_schema_and_its_id_is_its_content_address() -> None:
    for name in ownschemas.SCHEMA_FILES:
        Draft202012Validator.check_schema(ownschemas.load(name))
        assert ownschemas.bundled()[ownschemas.id_of(name)] == ownschemas.load(name)
    url = ownschemas.schema_url(BASE, ownschemas.SKILLS)
    assert ownschemas.id_in_url(url) == ownschemas.id_of(ownschemas.SKILLS)
    assert ownschemas.id_in_url("https://elsewhere.example/schemas/zAbc") is None


def test_what_each_profile_writes_passes_the_schema_it_names() -> None:
    v1 = build_vc(draft(ownschemas.SKILLS), ISSUED)
    assert v1["credentialSchema"] == {"id": ownschemas.schema_url(BASE, ownschemas.SKILLS),
                                      "type": "FullJsonSchemaValidator2021"}  # fmt: skip
    assert errors(ownschemas.SKILLS, v1) == []
    v2 = build_vc2(draft(ownschemas.SKILLS_VC2), ISSUED)
    assert errors(ownschemas.SKILLS_VC2, v2) == []
    words = [0] * 586
    words[0] = 1 << 7
    status = build_status_list_vc(v1["issuer"], f"{BASE}/x/status/1", Purpose.REVOCATION, words, ISSUED, BASE)
    assert status["credentialSchema"]["id"] == ownschemas.schema_url(BASE, ownschemas.STATUS_LIST)
    assert errors(ownschemas.STATUS_LIST, status) == []


def test_credential_schema_may_be_an_object_or_a_list_but_must_be_there() -> None:
    vc = build_vc(draft(ownschemas.SKILLS), ISSUED)
    as_list = {**vc, "credentialSchema": [vc["credentialSchema"]]}
    assert errors(ownschemas.SKILLS, as_list) == []
    assert errors(ownschemas.SKILLS, {k: v for k, v in vc.items() if k != "credentialSchema"})
    assert errors(ownschemas.SKILLS, {**vc, "credentialSchema": {"id": "x", "type": "Other"}})


@pytest.mark.parametrize(
    ("name", "path", "value"),
    [
        (ownschemas.SKILLS, ("type",), ["VerifiableCredential", "VerifiableAttestation"]),
        (ownschemas.SKILLS, ("credentialSubject", "achievement", "name"), ""),
        (ownschemas.SKILLS, ("issuer",), "did:web:example.com"),
        (ownschemas.SKILLS_VC2, ("@context",), ["https://www.w3.org/2018/credentials/v1"]),
        (ownschemas.SKILLS_VC2, ("credentialSubject", "achievement", "alignment", 0, "targetUrl"), "http://x.example"),
    ],
)
def test_schemas_refuse_what_we_would_never_issue(name: str, path: tuple[Any, ...], value: Any) -> None:
    vc = build_vc(draft(name), ISSUED) if name == ownschemas.SKILLS else build_vc2(draft(name), ISSUED)
    changed = copy.deepcopy(vc)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert errors(name, vc) == [] and errors(name, changed)


@pytest.mark.skipif(not EBSI_PACKAGES.is_dir(), reason="npm packages not installed: run make bootstrap")
def test_what_we_issue_passes_ebsis_own_attestation_and_status_list_schemas() -> None:
    """EBSI's VCDM 1.1 attestation and StatusList2021 schemas, as EBSI's npm packages ship them."""
    attestation = json.loads((EBSI_PACKAGES / "vcdm1.1-attestation-schema" / "schema.json").read_text())
    status_list = json.loads((EBSI_PACKAGES / "vcdm1.1-revocation-statuslist-schema" / "schema.json").read_text())
    ref = status_list["allOf"][0]["$ref"]
    registry: Registry[Any] = Registry().with_resource(
        ref, Resource.from_contents(attestation, default_specification=DRAFT202012)
    )
    vc = build_vc(draft(ownschemas.SKILLS), ISSUED)
    assert list(Draft202012Validator(attestation, format_checker=format_checker()).iter_errors(vc)) == []
    status = build_status_list_vc(vc["issuer"], f"{BASE}/x/status/1", Purpose.REVOCATION, [0], ISSUED, BASE)
    found = Draft202012Validator(status_list, registry=registry, format_checker=format_checker()).iter_errors(status)
    assert list(found) == []


def test_ebsis_vcdm2_attestation_schema_and_ours_agree_on_the_vcdm2_profile_where_they_overlap() -> None:
    """EBSI's VCDM 2.0 attestation schema (shared vectors) asks for a `VerifiableAttestation` type our
    VCDM 2.0 profile does not carry (it is an Open Badges credential, not an EBSI attestation); apart
    from that, what we write passes it."""
    ebsi = json.loads((VECTORS / "elm" / "schema" / "vcdm2.0-attestation-schema.json").read_text())
    vc = build_vc2(draft(ownschemas.SKILLS_VC2), ISSUED)
    found = {"/".join(map(str, e.absolute_path)) or "(root)" for e in Draft202012Validator(ebsi).iter_errors(vc)}
    assert found <= {"type"}, found
    assert list(Draft202012Validator(ebsi).iter_errors({**vc, "type": [*vc["type"], "VerifiableAttestation"]})) == []
