"""What a Europass credential (ELM 3.2 European Digital Credential) certifies, read as data: the
holder's first `LearningAchievement` (its title, description, the note we write its criteria in,
its awarding body), the specification it follows (learning outcomes and their ESCO skills, EQF
level, credit points), the ESCO occupations it entitles to, the dates, and the holder's name and
first identifier. Read from ours and from other issuers' EDCs alike (tests/formats/test_europass.py
reads EBSI's examples): the same shape `formats/certified.py` gives an Open Badge.

Everything is the issuer's text, untrusted: values are kept only when they have the expected JSON
type, lists are cut at `MAX_ALIGNMENTS`. ELM language strings map a language to a text or a list
of texts; English is shown when present, else the first language given.
"""

from __future__ import annotations

from typing import Any

from registry.formats.certified import MAX_ALIGNMENTS, Aligned, Certified, Credit, Party, date_of, text_of
from registry.formats.credential import EQF_PREFIX, ESCO_OCCUPATION_PREFIXES, ESCO_SKILL_PREFIX
from registry.formats.europass.vocab import EDC_TYPE, LANGUAGE


def is_edc(vc: Any) -> bool:
    """Is `vc` (a credential object) a European Digital Credential?"""
    types = vc.get("type") if isinstance(vc, dict) else None
    return isinstance(types, list) and EDC_TYPE in types


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[dict[str, Any]]:
    """ELM's "one or many": an object or a list of objects, as a (bounded) list of objects."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values[:MAX_ALIGNMENTS] if isinstance(v, dict)]


def lang_text(value: Any) -> str | None:
    """The text of an ELM language string: English when given, else the first language's."""
    if not isinstance(value, dict) or not value:
        return text_of(value)
    chosen = value.get(LANGUAGE, next(iter(value.values())))
    if isinstance(chosen, list):
        chosen = chosen[0] if chosen else None
    return text_of(chosen)


# Languages and texts read from one language map, at most: a stranger's file cannot make a report huge.
MAX_LANGUAGES = 24


def lang_texts(value: Any) -> dict[str, str]:
    """Every language of an ELM language string but English (language -> its first text)."""
    if not isinstance(value, dict):
        return {}
    found: dict[str, str] = {}
    for language, text in list(value.items())[:MAX_LANGUAGES]:
        first = text[0] if isinstance(text, list) and text else text
        if language != LANGUAGE and isinstance(language, str) and text_of(first):
            found[language] = first
    return found


def _translations(claim: dict[str, Any], spec: dict[str, Any], note: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The name, description and criteria in each language beside English."""
    fields = {
        "name": claim.get("title") or spec.get("title"),
        "description": claim.get("description") or spec.get("description"),
        "criteria": note.get("noteLiteral"),
    }
    found: dict[str, dict[str, str]] = {}
    for field, value in fields.items():
        for language, text in lang_texts(value).items():
            found.setdefault(language, {})[field] = text
    return found


def _concepts(nodes: list[dict[str, Any]], key: str, prefixes: str | tuple[str, ...]) -> list[Aligned]:
    found: list[Aligned] = []
    for node in nodes:
        for item in _items(node.get(key)):
            uri = item.get("id")
            if isinstance(uri, str) and uri.startswith(prefixes):
                found.append({"uri": uri, "label": lang_text(item.get("prefLabel"))})
    return found


def _eqf(spec: dict[str, Any]) -> int | None:
    uri = _dict(spec.get("eqfLevel")).get("id")
    if isinstance(uri, str) and uri.startswith(EQF_PREFIX) and uri.removeprefix(EQF_PREFIX) in set("12345678"):
        return int(uri.removeprefix(EQF_PREFIX))
    return None


def _credits(*nodes: Any) -> list[Credit]:
    credits: list[Credit] = []
    for node in nodes:
        if isinstance(node, dict | list):
            for item in _items(node):
                points = text_of(item.get("point"))
                if points is not None:
                    framework = lang_text(_dict(item.get("framework")).get("prefLabel"))
                    credits.append({"points": points, "framework": framework})
    return credits


def _main_claim(subject: dict[str, Any]) -> dict[str, Any]:
    claims = _items(subject.get("hasClaim"))
    return next((c for c in claims if c.get("type") == "LearningAchievement"), claims[0] if claims else {})


def _awarding_body(claim: dict[str, Any]) -> Party | None:
    bodies = _items(_dict(claim.get("awardedBy")).get("awardingBody"))
    if not bodies:
        return None
    body = bodies[0]
    name = lang_text(body.get("legalName")) or lang_text(body.get("prefLabel"))
    return {"did": text_of(body.get("id")), "name": name}


def _holder_name(subject: dict[str, Any]) -> str | None:
    full = lang_text(subject.get("fullName"))
    if full:
        return full
    parts = [lang_text(subject.get("givenName")), lang_text(subject.get("familyName"))]
    return " ".join(p for p in parts if p) or None


def edc_title(vc: dict[str, Any]) -> str | None:
    """The title of the holder's (first) learning achievement: what a report names the credential by."""
    claim = _main_claim(_dict(vc.get("credentialSubject")))
    return lang_text(claim.get("title")) or lang_text(_dict(claim.get("specifiedBy")).get("title"))


def certified_edc(vc: dict[str, Any], issuer_name: str | None = None) -> Certified:
    """What the European Digital Credential `vc` certifies; `issuer_name` is the issuer's legal
    name as the registry records it (its accreditation), if known."""
    subject = _dict(vc.get("credentialSubject"))
    claim = _main_claim(subject)
    spec = _dict(claim.get("specifiedBy"))
    outcomes = _items(spec.get("learningOutcome"))
    entitlements = [_dict(e.get("specifiedBy")) for e in _items(claim.get("entitlesTo"))]
    notes = _items(claim.get("additionalNote"))
    issuer = vc.get("issuer")
    identifiers = _items(subject.get("identifier"))
    return {
        "name": edc_title(vc),
        "description": lang_text(claim.get("description")) or lang_text(spec.get("description")),
        "criteria": lang_text(notes[0].get("noteLiteral")) if notes else None,
        "achievement_type": text_of(spec.get("type")),
        "skills": _concepts(outcomes, "relatedESCOSkill", ESCO_SKILL_PREFIX),
        "occupations": _concepts(entitlements, "limitOccupation", ESCO_OCCUPATION_PREFIXES),
        "eqf_level": _eqf(spec),
        "issued": date_of(vc.get("issued", _dict(claim.get("awardedBy")).get("awardingDate"))),
        "valid_from": date_of(vc.get("validFrom")),
        "valid_until": date_of(vc.get("validUntil")),
        "issuer": {"did": text_of(issuer.get("id") if isinstance(issuer, dict) else issuer), "name": issuer_name},
        "holder": {
            "did": text_of(subject.get("id")),
            "name": _holder_name(subject),
            "document": text_of(identifiers[0].get("notation")) if identifiers else None,
        },
        "learning_outcomes": [t for t in (lang_text(o.get("title")) for o in outcomes) if t],
        "credits": _credits(spec.get("creditPoint"), claim.get("creditReceived")),
        "awarding_body": _awarding_body(claim),
        "translations": _translations(claim, spec, notes[0] if notes else {}),
    }
