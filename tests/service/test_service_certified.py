"""POST /verify says what a credential certifies (`certifies`), the OpenAPI document describes it
field by field, and `registry verify --service` prints it as the local verifier does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from registry.config import Settings
from registry.formats import jwt
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from tests.cli.test_cli import run
from tests.conftest import WELDING
from tests.helpers.certified import (
    ACADEMY,
    DOCUMENT,
    HOLDER_NAME,
    WELDER,
    academy,
    europass_academy,
    named_certificate,
    written_elsewhere,
)
from tests.service.test_service_openapi import mismatches

pytest_plugins = ("tests.helpers.service_fixtures",)
__all__ = ["academy", "europass_academy"]  # the fixtures


def test_the_report_says_what_is_certified_as_the_document_describes_it(
    http: httpx.Client, service: str, academy: Issuer, holder: Identity
) -> None:
    holder_file = academy.issue_single(holder.did, named_certificate()).holder_file
    answer = http.post("/verify", json={"credential": holder_file.dumps()})
    report = answer.json()
    assert report["verdict"] == "valid", report["summary"]
    certifies = report["certifies"]
    assert certifies["issuer"] == {"did": academy.identity.did, "name": ACADEMY}
    assert certifies["holder"] == {"did": holder.did, "name": HOLDER_NAME, "document": DOCUMENT}
    assert certifies["skills"] == [{"uri": WELDING.uri, "label": WELDING.label}]
    assert certifies["occupations"] == [{"uri": WELDER.uri, "label": WELDER.label}]
    assert certifies["eqf_level"] == 4 and certifies["name"] == "MIG/MAG welding, level 2"

    document: dict[str, Any] = httpx.get(f"{service}/openapi.json", timeout=30).json()
    assert mismatches(document, "post", "/verify", answer) == []
    schemas = document["components"]["schemas"]
    described = schemas["Certified"]["properties"]
    assert {"name", "description", "criteria", "achievement_type", "skills", "occupations", "eqf_level", "issued",
            "valid_from", "valid_until", "issuer", "holder"} <= set(described)  # fmt: skip
    assert "certifies" in schemas["VerifyReport"]["properties"]
    assert schemas["VerifyReport"]["properties"]["certifies"].get("description")
    # A credential that does not parse certifies nothing, and the document allows that too.
    broken = http.post("/verify", json={"credential": "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"})
    assert broken.json()["certifies"] is None and mismatches(document, "post", "/verify", broken) == []
    assert report["warnings"] == [] and broken.json()["warnings"] == []
    # Signed elsewhere: a look-alike holder name (a Cyrillic A) and a bidi override in the title are
    # flagged, each naming its field, as the document describes them; the verdict stands (formats/flags.py).
    lookalike = written_elsewhere(named_certificate(), name="Welding\u202e", holder_name="\u0410mina Haddad")
    answer = http.post("/verify", json={"credential": academy.issue_single(holder.did, lookalike).holder_file.dumps()})
    flagged = answer.json()
    assert flagged["verdict"] == "valid" and mismatches(document, "post", "/verify", answer) == []
    assert [(w["field"], w["problem"], w["character"] or w["word"]) for w in flagged["warnings"]] == [
        ("holder name", "mixed scripts", "\u0410mina"),
        ("achievement name", "hidden character", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ]
    assert schemas["VerifyReport"]["properties"]["warnings"].get("description")


def test_verify_through_the_service_prints_what_is_certified(
    settings: Settings, service: str, academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    path = tmp_path / "amina.json"
    lookalike = written_elsewhere(named_certificate(), holder_name="\u0410mina Haddad")  # a Cyrillic A
    path.write_text(academy.issue_single(holder.did, lookalike).holder_file.dumps())
    local = run(settings, "verify", str(path))
    via = run(settings, "verify", "--service", service, str(path))
    assert via.returncode == 0, via.stdout + via.stderr
    wanted = [line for line in local.stdout.splitlines()[1:] if not line.startswith(("  ✔", "  -", "      "))]
    assert wanted[0] == "  MIG/MAG welding, level 2 (Certificate) — EQF level 4" and len(wanted) == 10, local.stdout
    assert wanted[-2].startswith('  ! warning: holder name "\u0410mina Haddad": the word "\u0410mina" mixes Latin and '
                                 "Cyrillic letters, which look alike")  # fmt: skip
    assert wanted[-1] == "  accreditation policy: issuance"  # named through the service too
    assert all(line in via.stdout.splitlines() for line in wanted), via.stdout


def test_a_europass_credential_says_what_elm_certifies_through_the_service(
    http: httpx.Client, service: str, europass_academy: Issuer, holder: Identity
) -> None:
    achievement = replace(named_certificate(), credits="7.5")
    holder_file = europass_academy.issue_single(holder.did, achievement).holder_file
    answer = http.post("/verify", json={"credential": holder_file.dumps()})
    report = answer.json()
    assert report["verdict"] == "valid", report["summary"]
    certifies = report["certifies"]
    assert (certifies["name"], certifies["achievement_type"], certifies["eqf_level"]) == (
        "MIG/MAG welding, level 2",
        "Qualification",
        4,
    )
    assert certifies["credits"] == [{"points": "7.5", "framework": "European Credit Transfer System"}]
    assert certifies["awarding_body"] == {"did": europass_academy.identity.did, "name": ACADEMY}
    assert certifies["issuer"] == {"did": europass_academy.identity.did, "name": ACADEMY}
    assert certifies["holder"] == {"did": holder.did, "name": HOLDER_NAME, "document": DOCUMENT}
    assert certifies["skills"] == [{"uri": WELDING.uri, "label": WELDING.label}]
    assert certifies["occupations"] == [{"uri": WELDER.uri, "label": WELDER.label}]
    document: dict[str, Any] = httpx.get(f"{service}/openapi.json", timeout=30).json()
    assert mismatches(document, "post", "/verify", answer) == []
    # The schema it names is served by this service's trusted schemas registry.
    schema_url = jwt.parse(holder_file.credential).payload["credentialSchema"][0]["id"]
    path = schema_url.split("/trusted-schemas-registry/", 1)[1]
    assert http.get(f"/trusted-schemas-registry/{path}").json()["title"] == "Europass skills credential"
