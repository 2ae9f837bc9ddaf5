"""What a skills credential certifies, read from it as data: the achievement (name, description,
criteria, type), its ESCO skills and occupations and EQF level with the labels the issuer signed,
the credential's dates, and the holder's name and document reference where the issuer put them.

A verifier shows this beside its verdict, so an employer sees what was certified and not only that
a signature holds. It is read only when a report is rendered (`Report.certifies`), never in the
verification loop, and from either Open Badge profile (EBSI VCDM 1.1 `vc` claim, VCDM 2.0 payload):
both carry an Open Badges 3.0 `AchievementSubject`. A Europass (ELM) credential is read into the same
shape by `formats/europass/read.py` (`certified_edc`), with its learning outcomes, credit points and
awarding body besides. Everything here is the issuer's text, untrusted: values are
kept only when they have the expected JSON type, and are printed through registry/text.py.

Labels come from the credential's own `targetName` (the issuer signs them). The ESCO vectors in
../shared/vectors/esco hold the first 80 characters of label-and-description text, not preferred
labels, so they are no source for a label to show; the URI is always shown beside it.

The holder's name and document reference travel as Open Badges 3.0 `IdentityObject`s in
`credentialSubject.identifier` (identityType `name` and `identifier`, `hashed: false`), in the
credential only: the chain holds its hash, which nobody can link back to them.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from registry.errors import InputError
from registry.formats.credential import EQF_PREFIX, ESCO_OCCUPATION_PREFIXES, ESCO_SKILL_PREFIX, iso, parse_time

# More than any real credential aligns to; a stranger's file cannot make a report huge.
MAX_ALIGNMENTS = 200


class Aligned(TypedDict):
    """An ESCO skill or occupation: its URI, and the label the issuer gave it (None: none given)."""

    uri: str
    label: str | None


class Party(TypedDict):
    did: str | None
    name: str | None
    """the issuer: the legal name its accreditation gives it; the holder: the name the credential gives"""


class Holder(Party):
    document: str | None
    """a document reference (passport or ID number, ...) the issuer put in the credential"""


class Credit(TypedDict):
    """Credit points (ELM `CreditPoint`): how many, and in which framework (ECTS, ...)."""

    points: str
    framework: str | None


class Certified(TypedDict):
    """What a credential certifies, as the issuer signed it (all text is the issuer's, untrusted).
    The last three are what a Europass (ELM) credential says beyond an Open Badge; empty for one."""

    name: str | None
    description: str | None
    criteria: str | None
    achievement_type: str | None
    skills: list[Aligned]
    occupations: list[Aligned]
    eqf_level: int | None
    issued: str | None
    """when it was issued (awarded), ISO 8601 UTC"""
    valid_from: str | None
    valid_until: str | None
    """None: no expiry date"""
    issuer: Party
    holder: Holder
    learning_outcomes: list[str]
    """the titles of the learning outcomes"""
    credits: list[Credit]
    awarding_body: Party | None
    """who awarded it (ELM's awarding body: its id and the name the credential gives it)"""
    translations: dict[str, dict[str, str]]
    """the name, description and criteria in the languages the credential gives beside English
    (language -> field -> text; a Europass credential's language maps); empty for an Open Badge"""


MAX_OWN_NAME = 200  # as `attest --employer-name` allows


def text_of(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def date_of(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return iso(parse_time(value))
    except InputError:
        return None


def _criteria(value: Any) -> str | None:
    if isinstance(value, dict):
        return text_of(value.get("narrative")) or text_of(value.get("id"))
    return text_of(value)


def _alignments(achievement: dict[str, Any]) -> tuple[list[Aligned], list[Aligned], int | None]:
    """(skills, occupations, EQF level) from the achievement's `alignment` list."""
    skills: list[Aligned] = []
    occupations: list[Aligned] = []
    eqf: int | None = None
    entries = achievement.get("alignment")
    for entry in entries[:MAX_ALIGNMENTS] if isinstance(entries, list) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("targetUrl"), str):
            continue
        url, label = entry["targetUrl"], text_of(entry.get("targetName"))
        if url.startswith(ESCO_SKILL_PREFIX):
            skills.append({"uri": url, "label": label})
        elif url.startswith(ESCO_OCCUPATION_PREFIXES):
            occupations.append({"uri": url, "label": label})
        elif url.startswith(EQF_PREFIX) and url.removeprefix(EQF_PREFIX) in {str(n) for n in range(1, 9)}:
            eqf = int(url.removeprefix(EQF_PREFIX))
    return skills, occupations, eqf


def _identities(subject: dict[str, Any]) -> dict[str, str]:
    """The subject's plain (not hashed) identity objects, by identityType (the first of each)."""
    found: dict[str, str] = {}
    entries = subject.get("identifier")
    for entry in entries[:MAX_ALIGNMENTS] if isinstance(entries, list) else ():
        if isinstance(entry, dict) and entry.get("hashed") is False:
            kind, value = entry.get("identityType"), text_of(entry.get("identityHash"))
            if isinstance(kind, str) and value is not None:
                found.setdefault(kind, value)
    return found


def own_name(vc: Any) -> str | None:
    """The name the issuer gives itself in the credential (`issuer.name`: a work-experience
    attestation's employer, `attest --employer-name`), if it is a short text: its own word, read
    where no accreditation names the issuer."""
    issuer = vc.get("issuer") if isinstance(vc, dict) else None
    name = text_of(issuer.get("name")) if isinstance(issuer, dict) else None
    return name.strip() or None if name is not None and len(name) <= MAX_OWN_NAME else None


def certified(vc: Any, issuer_name: str | None = None) -> Certified:
    """What `vc` (the credential object of either profile) certifies; `issuer_name` is the
    issuer's legal name as the registry records it (its accreditation), if known."""
    vc = vc if isinstance(vc, dict) else {}
    subject = vc.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    skills, occupations, eqf = _alignments(achievement)
    identities = _identities(subject)
    issuer = vc.get("issuer")
    issuer_did = issuer.get("id") if isinstance(issuer, dict) else issuer
    return {
        "name": text_of(achievement.get("name")),
        "description": text_of(achievement.get("description")),
        "criteria": _criteria(achievement.get("criteria")),
        "achievement_type": text_of(achievement.get("achievementType")),
        "skills": skills,
        "occupations": occupations,
        "eqf_level": eqf,
        "issued": date_of(vc.get("awardedDate", vc.get("issued"))),
        "valid_from": date_of(vc.get("validFrom", vc.get("issuanceDate"))),
        "valid_until": date_of(vc.get("validUntil", vc.get("expirationDate"))),
        "issuer": {"did": text_of(issuer_did), "name": issuer_name},
        "holder": {
            "did": text_of(subject.get("id")),
            "name": identities.get("name"),
            "document": identities.get("identifier"),
        },
        "learning_outcomes": [],
        "credits": [],
        "awarding_body": None,
        "translations": {},
    }
