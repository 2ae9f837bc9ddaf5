"""The ELM 3.2 vocabulary our Europass credentials use: the EU's controlled-vocabulary concepts
(every id below appears in EBSI's EDC examples, ../shared/vectors/elm/examples, or is the ESCO or
EQF URI the issuer gives) and the small builders of ELM nodes (concepts, language strings, notes).

Every text is tagged `en` (ESCO labels in the shared vectors are English, GUIDE.md); the
achievement's name, description and criteria also carry the languages the issuer gives besides
(a roster's `name@fr` columns, `issue --translation fr:name=TEXT`), in the same language map.
"""

from __future__ import annotations

import uuid
from typing import Any

LANGUAGE = "en"
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
EDC_TYPES = ["VerifiableCredential", "VerifiableAttestation", "EuropeanDigitalCredential"]
EDC_TYPE = "EuropeanDigitalCredential"
# ELM's credentialStatus allows only `id` and `type`: the id is the status list URL and, after `#`,
# the credential's index in it (the list URL says which purpose it serves).
EDC_STATUS_TYPE = "CredentialStatus"
ESCO_SKILLS_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
ESCO_OCCUPATIONS_SCHEME = "http://data.europa.eu/esco/concept-scheme/occupations"
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
CREDIT_SCHEME = "http://data.europa.eu/snb/education-credit/25831c2"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
GENERIC_PROFILE = "http://data.europa.eu/snb/credential/e34929035b"
PROFILE_SCHEME = "http://data.europa.eu/snb/credential/25831c2"
ENGLISH = "http://publications.europa.eu/resource/authority/language/ENG"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
BASE64 = "http://data.europa.eu/snb/encoding/6146cde7dd"
ENCODING_SCHEME = "http://data.europa.eu/snb/encoding/25831c2"
FILE_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/file-type"
SVG = f"{FILE_TYPE_SCHEME}/SVG"
ENTITLEMENT_ACTUAL = "http://data.europa.eu/snb/entitlement-status/b7015a8a8c"
ENTITLEMENT_STATUS_SCHEME = "http://data.europa.eu/snb/entitlement-status/25831c2"


def urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def lang(text: str, more: dict[str, str] | None = None) -> dict[str, str]:
    """An ELM language string: the text in English, and in `more`'s languages (language -> text)."""
    return {LANGUAGE: text, **(more or {})}


def concept(uri: str | None, label: str | None, scheme: str | None = None) -> dict[str, Any]:
    """A SKOS concept of a controlled vocabulary (ESCO, EQF, the EU authority tables)."""
    node: dict[str, Any] = {"type": "Concept"}
    if uri is not None:
        node["id"] = uri
    if scheme is not None:
        node["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    if label:
        node["prefLabel"] = lang(label)
    return node


def note(text: str, more: dict[str, str] | None = None) -> dict[str, Any]:
    return {"type": "Note", "noteLiteral": lang(text, more)}
