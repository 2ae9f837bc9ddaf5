"""The europass profile, without a chain: our parser reads EBSI's three real European Digital
Credentials (../shared/vectors/elm/examples) and what they certify; the credential we build passes
EBSI's EDC schema and our own schema (the one it names), signs as a vc+jwt that our verifier's
parser reads back, and its ELM status entries parse to the lists they name."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.credential import (
    Achievement,
    CredentialDraft,
    Occupation,
    Skill,
    StatusEntry,
    load_holder_file,
)
from registry.formats.europass import EDC_TYPES, build_edc, certified_edc, check_credits, edc_title, is_edc
from registry.formats.europass.display import card_svg
from registry.formats.europass.schema import europass_schema, europass_schema_id, europass_schema_url
from registry.formats.schemas import SchemaSet
from registry.formats.vcdm2 import check_vc2, parse_vc2, sign_vc2, skills_context_loader
from registry.keystore import new_legal_entity, new_natural_person
from registry.ops.statusentries import parse_status_entry, status_entries
from registry.ops.verify.fields import fields_v2
from registry.service.trusted_schemas import trusted_schemas
from tests.helpers.vectors import VECTORS

EXAMPLES = sorted((VECTORS / "elm" / "examples").glob("*.json"))
SERVICE = "http://registry.test"
WELDING = Skill("http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314", "apply arc welding techniques")
WELDER = Occupation("http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b", "welder")


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet(VECTORS)  # EBSI's EDC schema is read where the vectors are, never copied


@pytest.fixture(scope="module")
def ours() -> Draft202012Validator:
    from registry.formats.schemas import _format_checker

    return Draft202012Validator(europass_schema(), format_checker=_format_checker())


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _walk(node: Any, key: str) -> list[Any]:
    """Every value under `key` anywhere in `node` (an independent reading of the vector)."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _walk(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _walk(v, key)]
    return []


# -- EBSI's real credentials ---------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_our_parser_reads_the_real_edc_credentials(path: Path) -> None:
    example = load(path)
    assert is_edc(example)
    assert check_vc2(example, skills_context_loader) is example  # VCDM 2.0 data model, as our verifier reads it
    certified = certified_edc(example)
    claim = next(c for c in example["credentialSubject"]["hasClaim"] if c["type"] == "LearningAchievement")
    spec = claim["specifiedBy"]
    assert certified["name"] == claim["title"]["en"][0] == edc_title(example)
    assert certified["holder"]["name"] == example["credentialSubject"]["fullName"]["en"][0]
    assert certified["holder"]["did"] == example["credentialSubject"]["id"]
    body = claim["awardedBy"]["awardingBody"][0]
    assert certified["awarding_body"] == {"did": body["id"], "name": body["legalName"]["en"][0]}
    assert certified["achievement_type"] == spec["type"]
    outcomes = spec.get("learningOutcome", [])
    assert certified["learning_outcomes"] == [o["title"]["en"][0] for o in outcomes]
    esco = [s["id"] for s in _walk(outcomes, "relatedESCOSkill") for s in s]
    assert [s["uri"] for s in certified["skills"]] == esco
    level = spec.get("eqfLevel", {}).get("id")
    assert certified["eqf_level"] == (int(level.rsplit("/", 1)[1]) if level else None)
    assert [c["points"] for c in certified["credits"]] == [c["point"] for c in spec.get("creditPoint", [])]
    assert certified["issued"] is not None and certified["valid_from"] is not None
    # Unsigned: what `registry verify` says of the file, rather than taking it for a credential file.
    with pytest.raises(InputError, match=r"an unsigned credential \(JSON, no proof\)"):
        load_holder_file(path.read_text(encoding="utf-8"), path.name)


def test_what_the_real_credentials_certify_in_figures() -> None:
    """The figures of the three examples, as a reader of the files finds them."""
    by_name = {path.name: certified_edc(load(path)) for path in EXAMPLES}
    micro = by_name["microcredential-data-and-software-business.json"]
    assert (micro["name"], micro["eqf_level"]) == ("Data and software business", None)
    assert micro["credits"] == [{"points": "5", "framework": "European Credit Transfer System"}]
    assert (
        len(micro["skills"]) == 7 and {"uri": micro["skills"][0]["uri"], "label": "think creatively"} in micro["skills"]
    )
    assert len(micro["learning_outcomes"]) == 3
    diploma = by_name["bengales-high-school-diploma.json"]
    assert (diploma["eqf_level"], diploma["credits"][0]["points"]) == (4, "0")
    digicomp = by_name["digicomp-generic.json"]
    assert (digicomp["eqf_level"], digicomp["skills"]) == (5, [])  # DigComp skills, not ESCO
    assert digicomp["learning_outcomes"] == ["Name of DigiComp Competence", "Name of DigiComp Competence 2"]
    assert {c["awarding_body"]["name"] for c in by_name.values()} == {"University of Life"}  # type: ignore[index]


def test_a_hostile_edc_yields_no_value_of_the_wrong_type() -> None:
    hostile = {
        "type": EDC_TYPES,
        "credentialSubject": {"hasClaim": [{"type": "LearningAchievement", "title": {"en": [7]}, "specifiedBy": []}]},
        "issuer": ["x"],
    }
    certified = certified_edc(hostile)
    assert certified["name"] is None and certified["skills"] == [] and certified["issuer"]["did"] is None


# -- our credential -----------------------------------------------------------------------------


def _draft(**changes: Any) -> CredentialDraft:
    issuer, holder = new_legal_entity("academy"), new_natural_person("amina")
    lists = f"{SERVICE}/trusted-issuers-registry/v5/issuers/{issuer.did}/proxies/0x{'ab' * 20}/credentials/status/"
    achievement = Achievement(
        name="MIG/MAG welding",
        description="Welds carbon steel plate.",
        criteria="Practical test on plate.",
        skills=(WELDING,),
        eqf_level=4,
        occupations=(WELDER,),
        holder_name="Amina Haddad",
        holder_document="NL-P 1234567",
        credits="7.5",
    )
    draft = CredentialDraft(
        issuer=issuer.did,
        holder=holder.did,
        achievement=achievement,
        valid_from=1_700_000_000,
        status=(StatusEntry("revocation", lists + "1", 42), StatusEntry("suspension", lists + "4294967297", 42)),
        schema_url=europass_schema_url(SERVICE),
        terms_of_use=f"{SERVICE}/trusted-issuers-registry/v5/issuers/{issuer.did}/attributes/{'00' * 32}",
    )
    return replace(draft, **changes)


def test_our_credential_passes_ebsi_edc_schema_and_our_own(schemas: SchemaSet, ours: Draft202012Validator) -> None:
    for draft in (_draft(), _draft(achievement=Achievement("First aid", "First aid", ""), valid_until=1_800_000_000)):
        vc = build_edc(draft, 1_700_000_100, "Rotterdam Welding Academy B.V.")
        assert schemas.validate_edc(vc) == []
        assert schemas.validate_attestation(vc) == []
        assert [e.message for e in ours.iter_errors(vc)] == []
        check_vc2(vc, skills_context_loader)
    # Both schemas can fail: each refuses what the other would let through.
    vc = build_edc(_draft(), 1_700_000_100)
    assert schemas.validate_edc({**vc, "type": [*EDC_TYPES, "SkillsCredential"]}) != []
    no_status = {k: v for k, v in vc.items() if k != "credentialStatus"}
    assert schemas.validate_edc(no_status) == [] and list(ours.iter_errors(no_status)) != []


def test_our_credential_names_our_schema_which_the_service_serves() -> None:
    vc = build_edc(_draft(), 1_700_000_100)
    (named,) = vc["credentialSchema"]
    assert named == {
        "id": f"{SERVICE}/trusted-schemas-registry/v3/schemas/{europass_schema_id()}",
        "type": "JsonSchema",
    }
    assert trusted_schemas()[europass_schema_id()] == europass_schema()


def test_what_our_credential_certifies_reads_back() -> None:
    vc = build_edc(_draft(), 1_700_000_100, "Rotterdam Welding Academy B.V.")
    certified = certified_edc(vc, "Rotterdam Welding Academy B.V.")
    assert (certified["name"], certified["eqf_level"], certified["achievement_type"]) == (
        "MIG/MAG welding",
        4,
        "Qualification",
    )
    assert (certified["description"], certified["criteria"]) == (
        "Welds carbon steel plate.",
        "Practical test on plate.",
    )
    assert certified["skills"] == [{"uri": WELDING.uri, "label": WELDING.label}]
    assert certified["occupations"] == [{"uri": WELDER.uri, "label": WELDER.label}]
    assert certified["learning_outcomes"] == [WELDING.label]
    assert certified["credits"] == [{"points": "7.5", "framework": "European Credit Transfer System"}]
    assert certified["awarding_body"] == {"did": vc["issuer"], "name": "Rotterdam Welding Academy B.V."}
    assert certified["holder"] == {
        "did": vc["credentialSubject"]["id"],
        "name": "Amina Haddad",
        "document": "NL-P 1234567",
    }
    assert certified["issued"] == "2023-11-14T22:15:00Z" and certified["valid_until"] is None
    # Without an EQF level the specification is not a Qualification (ELM gives only those a level).
    plain = build_edc(_draft(achievement=Achievement("First aid", "First aid", ""), valid_until=1_800_000_000), 1)
    assert certified_edc(plain)["achievement_type"] == "LearningAchievementSpecification"
    assert certified_edc(plain)["valid_until"] == "2027-01-15T08:00:00Z"


def test_texts_in_more_languages_are_elm_language_maps_that_pass_both_schemas_and_read_back(
    schemas: SchemaSet, ours: Draft202012Validator
) -> None:
    draft = _draft()
    given = (("fr", "name", "Soudage MIG/MAG"), ("ar", "name", "لحام MIG/MAG"), ("fr", "criteria", "Épreuve pratique"))
    vc = build_edc(replace(draft, achievement=replace(draft.achievement, translations=given)), 1_700_000_100)
    assert schemas.validate_edc(vc) == [] and [e.message for e in ours.iter_errors(vc)] == []
    claim = vc["credentialSubject"]["hasClaim"][0]
    assert claim["title"] == {"en": "MIG/MAG welding", "fr": "Soudage MIG/MAG", "ar": "لحام MIG/MAG"}
    assert claim["specifiedBy"]["title"] == claim["title"]
    certified = certified_edc(vc)
    assert certified["name"] == "MIG/MAG welding"  # English stays the credential's name
    assert certified["translations"] == {
        "fr": {"name": "Soudage MIG/MAG", "criteria": "Épreuve pratique"},
        "ar": {"name": "لحام MIG/MAG"},
    }


def test_the_wallet_page_is_an_svg_card_with_the_text_escaped() -> None:
    hostile = _draft(achievement=Achievement("<script>alert(1)</script> & co", "x", ""))
    vc = build_edc(hostile, 1_700_000_100)
    image = vc["displayParameter"]["individualDisplay"][0]["displayDetail"][0]["image"]
    svg = base64.b64decode(image["content"]).decode("utf-8")
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    assert "q" * 89 + "…<" in card_svg(["q" * 200]) and "q" * 90 not in card_svg(
        ["q" * 200]
    )  # a long line is cut to what the card shows


def test_signed_as_vc_jwt_our_verifier_reads_its_fields_and_status_lists() -> None:
    issuer = new_legal_entity("academy")
    draft = _draft()
    draft = replace(draft, issuer=issuer.did, status=tuple(
        replace(s, list_url=s.list_url.replace(draft.issuer, issuer.did)) for s in draft.status
    ))  # fmt: skip
    token = sign_vc2(build_edc(draft, 1_700_000_100), issuer.signing_key, issuer.kid, loader=skills_context_loader)
    parsed, vc = parse_vc2(token, loader=skills_context_loader)
    assert jwt.verify(parsed, issuer.signing_key.export_public(as_dict=True))
    fields = fields_v2(parsed, vc)
    assert (fields.issuer, fields.signed_at, fields.valid_from) == (issuer.did, 1_700_000_100, 1_700_000_000)
    assert fields.types == EDC_TYPES
    purposes = [(ref[2].label, ref[3], ref[4]) for ref in fields.statuses]
    assert purposes == [("revocation", 1, 42), ("suspension", 1, 42)]
    assert [parse_status_entry(e)[4] for e in status_entries(vc)] == [42, 42]


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"type": "CredentialStatus", "id": "https://x.test/status/1"}, "followed by #<index>"),
        ({"type": "CredentialStatus", "id": "https://x.test/status/1#1"}, "unrecognised status list URL"),
        ({"type": "CredentialStatus", "id": "#x"}, "followed by #<index>"),
    ],
)
def test_an_elm_status_entry_that_names_no_list_of_ours_is_refused(entry: dict[str, Any], why: str) -> None:
    with pytest.raises(InputError, match=why):
        parse_status_entry(entry)


def test_credits_are_a_number_of_ects_points() -> None:
    assert [check_credits(v) for v in ("5", " 7.5 ", "0", "240", "999.99")] == ["5", "7.5", "0", "240", "999.99"]
    for bad in ("-1", "1e3", "5 ECTS", "1000", "07", ""):
        with pytest.raises(InputError, match="--credits"):
            check_credits(bad)


def test_elm_fixes_the_types_so_extra_types_are_refused() -> None:
    with pytest.raises(InputError, match="types are fixed by ELM"):
        build_edc(_draft(extra_types=("WeldingCertificate",)), 1_700_000_100)


def test_the_verifier_checks_a_europass_credential_against_the_schema_it_names() -> None:
    """Through the verifier's own schema check (jsonschema-rs, formats checked): ours passes, and
    one whose ELM status entry names no list of ours fails with where it fails."""
    from registry.ops.verify import schemas as verify_schemas
    from registry.ops.verify.item import Item
    from registry.ops.verify.report import Code, Outcome

    def row(vc: dict[str, Any]) -> tuple[Any, ...]:
        item = Item("test")
        verify_schemas.check_schema(item, vc, ())  # no registry given: our schema ships in the package
        (found,) = [r for r in item.rows if r[0] is Code.SCHEMA]
        return found

    vc = build_edc(_draft(), 1_700_000_100)
    assert row(vc)[1] is Outcome.PASS
    broken = {**vc, "credentialStatus": [{"id": "https://elsewhere.example/status#1", "type": "CredentialStatus"}]}
    failed = row(broken)
    assert failed[1] is Outcome.FAIL and "credentialStatus/0/id" in failed[2], failed
