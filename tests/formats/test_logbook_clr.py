"""A logbook summary as a 1EdTech CLR 2.0 credential has the structure of 1EdTech's CLR 2.0 validator
fixtures (../shared/vectors/ob3/1edtech-clr20/): the members they all carry, with the same JSON
types, the ClrSubject's verifiableCredential/achievement/association as CLR 2.0 requires them; the
AchievementCredentials it holds pass the OB 3.0 JSON schema; its JWT form mirrors `simple.jwt`.

No CLR 2.0 JSON schema is among the vectors, so the ClrCredential itself is compared with the
fixtures, not validated against 1EdTech's schema."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from registry.formats import jwt
from registry.formats.did import new_ebsi_did
from registry.formats.jwt import b64url_decode
from registry.formats.logbook import parse_programme
from registry.formats.logbook.clr import CLR_CONTEXT, build_clr, sign_clr
from registry.formats.schemas import SchemaSet
from registry.keystore import new_natural_person
from tests.helpers.vectors import VECTORS, load_json

SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"
LEARNER = new_natural_person("amina").did
FIXTURES = ("simple.json", "complex.json", "simple-noproof.json", "simple_v1.json", "simple_old_safesigned.json")
ASSOCIATION_TYPES = {"exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo", "precedes",
                     "replacedBy"}  # fmt: skip


def _clr() -> dict[str, Any]:
    programme = parse_programme({
        "id": "urn:programme:mig-welding", "version": 2, "title": "MIG welding", "provider": new_ebsi_did(),
        "eqfLevel": 4, "durationMonths": 18, "backdatingDays": 7,
        "units": [{"id": "U1", "title": "Prepare joints", "skills": [SKILL], "hours": 6},
                  {"id": "U2", "title": "Weld plate", "skills": [SKILL], "hours": 2, "signer": "assessor"}],
    })  # fmt: skip
    summary = {"id": "urn:uuid:6a1c3f0e-1d2b-4c5d-8e9f-0a1b2c3d4e5f", "programme": programme.ref,
               "root": "0x" + "ab" * 32,
               "entries": 4, "hours": 8.0, "from": "2026-11-01", "until": "2026-12-01",
               "units": [{"id": "U1", "entries": 3, "hours": 6.0},
                         {"id": "U2", "entries": 1, "hours": 2.0}]}  # fmt: skip
    return build_clr(programme, "Welding centre", LEARNER, summary, "urn:uuid:qualification", 1_790_000_000)


def _kind(value: Any) -> str:
    return type(value).__name__


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load_json(f"ob3/1edtech-clr20/{name}")
    return data


def test_the_clr_carries_every_member_the_fixtures_all_carry_with_the_types_of_the_vcdm2_fixture() -> None:
    clr = _clr()
    common = set.intersection(*(set(_fixture(n)) for n in FIXTURES)) - {"proof"}  # ours is a VC-JWT, as simple.jwt
    assert common == {"@context", "id", "type", "issuer", "name", "credentialSubject"}
    simple = _fixture("simple.json")
    for member in sorted(set(simple) - {"proof"}):
        assert member in clr and _kind(clr[member]) == _kind(simple[member]), member
    assert clr["@context"][:2] == simple["@context"][:2] == ["https://www.w3.org/ns/credentials/v2", CLR_CONTEXT]
    assert "ClrCredential" in clr["type"] and "VerifiableCredential" in clr["type"]
    assert clr["issuer"]["type"] == simple["issuer"]["type"] == ["Profile"]
    assert clr["credentialSchema"][0]["type"] == simple["credentialSchema"][0]["type"]
    assert clr["credentialSchema"][0]["id"] == simple["credentialSchema"][0]["id"]


def test_the_clr_subject_is_a_clr_subject_as_the_fixtures() -> None:
    subject = _clr()["credentialSubject"]
    simple = _fixture("simple.json")["credentialSubject"]
    for name in FIXTURES:
        assert set(_fixture(name)["credentialSubject"]) <= set(subject), name
    for member, value in simple.items():
        assert _kind(subject[member]) == _kind(value), member
    assert subject["type"] == ["ClrSubject"] and subject["id"] == LEARNER
    for achievement in subject["achievement"]:
        assert {"id", "type", "name", "description", "criteria"} <= set(achievement) and "Achievement" in achievement[
            "type"
        ]
        assert achievement["creator"]["type"] == ["Profile"]
    ids = {a["id"] for a in subject["achievement"]}
    for association in subject["association"]:
        assert set(association) == set(simple["association"][0])
        assert association["type"] == "Association" and association["associationType"] in ASSOCIATION_TYPES
        assert association["sourceId"] in ids and association["targetId"] in ids
    assert len(subject["association"]) == 2  # each unit isChildOf the programme


@pytest.mark.parametrize("n", [0, 1])
def test_the_achievement_credentials_it_holds_pass_the_ob3_schema(n: int) -> None:
    held = _clr()["credentialSubject"]["verifiableCredential"][n]
    fixture = _fixture("simple.json")["credentialSubject"]["verifiableCredential"][0]
    assert SchemaSet(VECTORS).validate_ob3(held) == []
    assert SchemaSet(VECTORS).validate_ob3(fixture) == []  # the same schema takes 1EdTech's own
    assert held["credentialSubject"]["id"] == LEARNER and held["credentialSubject"]["type"] == ["AchievementSubject"]


def test_the_jwt_form_mirrors_1edtechs_simple_jwt() -> None:
    clr, person = _clr(), new_natural_person("provider")
    header, payload = (VECTORS / "ob3/1edtech-clr20/simple.jwt").read_text().strip().split(".")[:2]
    theirs = SimpleNamespace(header=json.loads(b64url_decode(header)), payload=json.loads(b64url_decode(payload)))
    ours = jwt.parse(sign_clr(clr, person.signing_key, person.kid, 1_790_000_000))
    assert set(theirs.payload) <= set(ours.payload) and ours.header["typ"] == theirs.header["typ"] == "JWT"
    assert ours.payload["vc"] == clr and ours.payload["sub"] == LEARNER and ours.payload["jti"] == clr["id"]
    assert set(theirs.payload["vc"]) - {"issuanceDate"} <= set(clr)  # VCDM 2.0 says validFrom
