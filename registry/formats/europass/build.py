"""Our Europass credentials: an ELM 3.2 European Digital Credential over VCDM 2.0, secured as a
`vc+jwt` like the vcdm2 profile. The holder (a `Person`) has one claim, a `LearningAchievement`
awarded by the issuer (the awarding body, named by its accredited legal name), specified by a
`Qualification` when it has an EQF level (ELM puts the level there) or else a
`LearningAchievementSpecification`, with one learning outcome per ESCO skill, the credit points
(ECTS) where given, and the ESCO occupations it entitles to as a `LearningEntitlement`.

It passes EBSI's EDC schema (tests/formats/test_europass.py) and our own schema, which the
credential names (registry/service/data/europass-credential.schema.json).
"""

from __future__ import annotations

import re
from typing import Any

from registry.errors import InputError
from registry.formats.credential import Achievement, CredentialDraft, StatusEntry, iso
from registry.formats.did import check_did
from registry.formats.europass.display import display_parameter
from registry.formats.europass.vocab import (
    CREDIT_SCHEME,
    ECTS,
    EDC_CONTEXT,
    EDC_STATUS_TYPE,
    EDC_TYPES,
    ENTITLEMENT_ACTUAL,
    ENTITLEMENT_STATUS_SCHEME,
    EQF_SCHEME,
    ESCO_OCCUPATIONS_SCHEME,
    ESCO_SKILLS_SCHEME,
    GENERIC_PROFILE,
    PROFILE_SCHEME,
    concept,
    lang,
    note,
    urn,
)
from registry.formats.vcdm2.context import VC_V2_CONTEXT

# ECTS credits as ELM writes them (a string): a whole or decimal number, at most 999.99.
CREDITS = re.compile(r"(?:0|[1-9][0-9]{0,2})(?:\.[0-9]{1,2})?")


def check_credits(value: str) -> str:
    text = value.strip()
    if not CREDITS.fullmatch(text):
        raise InputError(f"--credits must be a number of ECTS credits such as 5 or 7.5, not {value[:20]!r}")
    return text


def edc_status_entry(entry: StatusEntry) -> dict[str, Any]:
    """ELM's credentialStatus (`id` and `type` only): the list URL, `#`, the index."""
    return {"id": f"{entry.list_url}#{entry.index}", "type": EDC_STATUS_TYPE}


def _outcome(uri: str, label: str) -> dict[str, Any]:
    return {
        "type": "LearningOutcome",
        "title": lang(label),
        "relatedESCOSkill": [concept(uri, label, ESCO_SKILLS_SCHEME)],
    }


def _specification(achievement: Achievement) -> dict[str, Any]:
    kind = "Qualification" if achievement.eqf_level is not None else "LearningAchievementSpecification"
    spec: dict[str, Any] = {"type": kind, "title": lang(achievement.name, achievement.translated("name"))}
    if achievement.description and achievement.description != achievement.name:
        spec["description"] = lang(achievement.description, achievement.translated("description"))
    outcomes = []
    for skill in achievement.skills:
        skill.alignment()  # refuses what is not an ESCO skill URI
        outcomes.append(_outcome(skill.uri, skill.label))
    if outcomes:
        spec["learningOutcome"] = outcomes
    if achievement.eqf_level is not None:
        if not 1 <= achievement.eqf_level <= 8:
            raise InputError(f"EQF level must be 1 to 8, not {achievement.eqf_level}")
        level = achievement.eqf_level
        spec["eqfLevel"] = concept(f"http://data.europa.eu/snb/eqf/{level}", f"Level {level}", EQF_SCHEME)
    if achievement.credits is not None:
        framework = concept(ECTS, "European Credit Transfer System", CREDIT_SCHEME)
        point = check_credits(achievement.credits)
        spec["creditPoint"] = [{"type": "CreditPoint", "framework": framework, "point": point}]
    return spec


def _entitlement(achievement: Achievement, awarded: dict[str, Any]) -> dict[str, Any]:
    """The occupations the achievement prepares for, as ELM's entitlement to work in them."""
    occupations = []
    for occupation in achievement.occupations:
        occupation.alignment()  # refuses what is not an ESCO occupation URI
        occupations.append(concept(occupation.uri, occupation.label, ESCO_OCCUPATIONS_SCHEME))
    title = lang("Prepares for: " + ", ".join(o.label for o in achievement.occupations))
    return {
        "type": "LearningEntitlement",
        "title": title,
        "awardedBy": awarded,
        "specifiedBy": {
            "type": "LearningEntitlementSpecification",
            "title": title,
            # Labelled only: the entitlement-type vocabulary id for "occupation" is in none of
            # the sources we hold (EBSI's examples name only "learning opportunity").
            "dcType": concept(None, "occupation"),
            "entitlementStatus": concept(ENTITLEMENT_ACTUAL, "actual", ENTITLEMENT_STATUS_SCHEME),
            "limitOccupation": occupations,
        },
    }


def _achievement(draft: CredentialDraft, issued_at: int, awarding_name: str | None) -> dict[str, Any]:
    achievement = draft.achievement
    # An Agent, not an Organisation: ELM's Organisation needs a location (an address with a
    # country), which the registry does not hold for an issuer.
    body: dict[str, Any] = {"id": draft.issuer, "type": "Agent"}
    if awarding_name:
        body["prefLabel"] = lang(awarding_name)
    awarded = {"type": "AwardingProcess", "awardingBody": [body], "awardingDate": iso(issued_at)}
    claim: dict[str, Any] = {
        "id": urn(),
        "type": "LearningAchievement",
        "title": lang(achievement.name, achievement.translated("name")),
        "awardedBy": awarded,
        "specifiedBy": _specification(achievement),
    }
    if achievement.description and achievement.description != achievement.name:
        claim["description"] = lang(achievement.description, achievement.translated("description"))
    if achievement.criteria:
        claim["additionalNote"] = [note(achievement.criteria, achievement.translated("criteria"))]
    if achievement.occupations:
        claim["entitlesTo"] = [_entitlement(achievement, awarded)]
    return claim


def _subject(draft: CredentialDraft, claim: dict[str, Any]) -> dict[str, Any]:
    subject: dict[str, Any] = {"id": draft.holder, "type": "Person"}
    if draft.achievement.holder_name:
        subject["fullName"] = lang(draft.achievement.holder_name)
    if draft.achievement.holder_document:
        reference = {"type": "Identifier", "notation": draft.achievement.holder_document}
        subject["identifier"] = [{**reference, "schemeName": "identity document"}]
    subject["hasClaim"] = [claim]
    return subject


def _card_lines(draft: CredentialDraft, issued_at: int, awarding_name: str | None) -> list[str]:
    achievement = draft.achievement
    lines = [f"Awarded to {achievement.holder_name or draft.holder}", f"by {awarding_name or draft.issuer}"]
    level = f"EQF level {achievement.eqf_level}" if achievement.eqf_level is not None else ""
    credits = f"{achievement.credits} ECTS credits" if achievement.credits is not None else ""
    if level or credits:
        lines.append(", ".join(part for part in (level, credits) if part))
    lines.append(f"on {iso(issued_at)[:10]}")
    return lines


def build_edc(draft: CredentialDraft, issued_at: int, awarding_name: str | None = None) -> dict[str, Any]:
    """The credential as an ELM 3.2 European Digital Credential (VCDM 2.0); `awarding_name` is
    the issuer's legal name as its accreditation states it, if known."""
    check_did(draft.issuer)
    check_did(draft.holder)
    if draft.extra_types:
        raise InputError(
            "a europass credential's types are fixed by ELM (VerifiableCredential, VerifiableAttestation, "
            "EuropeanDigitalCredential): leave out --credential-type"
        )
    vc: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, EDC_CONTEXT],
        "id": urn(),
        "type": list(EDC_TYPES),
        "issuer": draft.issuer,
        "validFrom": iso(draft.valid_from),
        "issued": iso(issued_at),
        "credentialProfiles": [concept(GENERIC_PROFILE, "Generic", PROFILE_SCHEME)],
        "displayParameter": display_parameter(draft.achievement.name, _card_lines(draft, issued_at, awarding_name)),
        "credentialSubject": _subject(draft, _achievement(draft, issued_at, awarding_name)),
    }
    if draft.valid_until is not None:
        vc["validUntil"] = iso(draft.valid_until)
    if draft.schema_url:
        vc["credentialSchema"] = [{"id": draft.schema_url, "type": "JsonSchema"}]
    if draft.status:
        vc["credentialStatus"] = [edc_status_entry(s) for s in draft.status]
    if draft.terms_of_use:
        vc["termsOfUse"] = [{"id": draft.terms_of_use, "type": "TermsOfUse"}]
    return vc
