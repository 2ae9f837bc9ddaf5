"""Skills credentials: W3C Verifiable Credentials as JWTs (EBSI's VCDM 1.1 JWT profile) and
their on-chain hash. The file a holder receives is `holderfile.py`'s (its names are imported here too).

The subject describes a skill or qualification the way Open Badges 3.0 does: an `achievement`
with criteria, an achievement type and alignments to ESCO skills and the EQF level.

The anchored value is sha256 of the compact JWT. The JWT carries a random `jti` (a UUIDv4) and
a signature, so nobody can recompute the hash from what they know about the holder or the
skill: the chain holds nothing that can be linked to a person.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.did import check_did

# The holder file lives in its own module; these names are read here by many callers.
from registry.formats.holderfile import HOLDER_FILE_FORMAT as HOLDER_FILE_FORMAT
from registry.formats.holderfile import MAX_FILE_BYTES as MAX_FILE_BYTES
from registry.formats.holderfile import CohortProof as CohortProof
from registry.formats.holderfile import HolderFile as HolderFile
from registry.formats.holderfile import load_holder_file as load_holder_file
from registry.formats.visible import check_one_script_words, check_visible

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# OpenBadgeCredential: the subject is an Open Badges 3.0 achievement (see tests/formats/test_ob3.py).
CREDENTIAL_TYPES = ["VerifiableCredential", "VerifiableAttestation", "OpenBadgeCredential", "SkillsCredential"]
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
# ESCO occupations, and the ISCO-08 groups ESCO publishes beside them.
ESCO_OCCUPATION_PREFIXES = ("http://data.europa.eu/esco/occupation/", "http://data.europa.eu/esco/isco/")
EQF_PREFIX = "http://data.europa.eu/snb/eqf/"


# What a writer puts in an achievement (a verifier reads a credential file of at most 1 MiB).
MAX_TITLE_CHARS = 500
MAX_PROSE_CHARS = 10_000
MAX_LABEL_CHARS = 2000  # a logbook's qualification labels a skill with its units' titles, joined
MAX_ALIGNMENTS = 500
MAX_PERSON_CHARS = 200


def check_names_a_person(name: str, what: str) -> str:
    """A person's or an organisation's name as a writer signs it: visible text on one line (no
    bidi override, zero-width or control character), at most MAX_PERSON_CHARS characters, and no
    word that mixes Latin, Greek and Cyrillic letters (a Cyrillic U+0430 in "Training" looks like the
    Latin "a": formats/visible.py)."""
    check_visible(name, what, limit=MAX_PERSON_CHARS)
    return check_one_script_words(name, what)


# Times we accept: 1970 to the end of year 9999, all that ISO 8601 (and datetime) can print.
MAX_TIMESTAMP = 253_402_300_800


@lru_cache(maxsize=4096)  # a cohort's credentials share their dates; formatting them is not free
def iso(ts: int) -> str:
    """Unix seconds as ISO 8601 UTC; never raises. A time past 9999-12-31 (an end "never", such as a
    key's NO_EXPIRY, or a stranger's number) prints as the last second ISO 8601 can write, one before
    1970 as the first."""
    return datetime.fromtimestamp(min(max(int(ts), 0), MAX_TIMESTAMP - 1), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def parse_time(text: str) -> int:
    """ISO 8601 date or date-time (naive means UTC) -> unix seconds."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"not an ISO 8601 date/time: {text[:40]!r}") from exc
    return unix_seconds(value, text)


def unix_seconds(value: datetime, text: str) -> int:
    """A date-time (naive means UTC) as unix seconds, within what any chain records; `text` is what
    was typed, for the error."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        seconds = int(value.timestamp())
    except (OverflowError, ValueError, OSError) as exc:
        raise InputError(f"date/time out of range: {text[:40]!r}") from exc
    if not 0 <= seconds < MAX_TIMESTAMP:
        raise InputError(f"date/time out of range: {text[:40]!r}")
    return seconds


def _esco_alignment(label: str, uri: str, code: str) -> dict[str, Any]:
    """An Open Badges alignment to an ESCO concept (a skill, an occupation)."""
    return {"type": ["Alignment"], "targetName": label, "targetUrl": uri, "targetFramework": "ESCO", "targetCode": code}


@dataclass(frozen=True)
class Skill:
    """One ESCO skill the achievement aligns to."""

    uri: str
    label: str

    def alignment(self) -> dict[str, Any]:
        if not self.uri.startswith(ESCO_SKILL_PREFIX):
            raise InputError(f"not an ESCO skill URI: {self.uri[:80]!r}")
        return _esco_alignment(self.label, self.uri, self.uri.removeprefix(ESCO_SKILL_PREFIX))


@dataclass(frozen=True)
class Occupation:
    """One ESCO occupation (or ISCO-08 group) the achievement prepares for."""

    uri: str
    label: str

    def alignment(self) -> dict[str, Any]:
        if not self.uri.startswith(ESCO_OCCUPATION_PREFIXES):
            raise InputError(f"not an ESCO occupation URI: {self.uri[:80]!r}")
        return _esco_alignment(self.label, self.uri, self.uri.rsplit("/", 1)[-1])


# The achievement's texts an issuer may give in more languages (roster columns `name@fr`, ...).
TRANSLATABLE = ("name", "description", "criteria")
_LANGUAGE = re.compile(r"[a-z]{2,3}")


def translation(language: str, field_name: str, text: str, where: str) -> tuple[str, str, str]:
    """One translated text, checked: a field that takes one, a language code (ISO 639: `fr`, `ar`;
    not `en`, the language of the plain fields), some text."""
    if field_name not in TRANSLATABLE:
        raise InputError(f"{where}: only {', '.join(TRANSLATABLE)} take a language (name@fr), not {field_name[:40]!r}")
    if not _LANGUAGE.fullmatch(language) or language == "en":
        raise InputError(
            f"{where}: {language[:20]!r} is not a language code for a translation: two or three lower-case "
            "letters (fr, ar, ...), not en (the plain columns are English)"
        )
    if not text.strip():
        raise InputError(f"{where}: the {field_name} in {language} is empty")
    return language, field_name, text.strip()


@dataclass(frozen=True)
class Achievement:
    name: str
    description: str
    criteria: str
    achievement_type: str = "Certificate"
    skills: tuple[Skill, ...] = ()
    eqf_level: int | None = None
    occupations: tuple[Occupation, ...] = ()
    # Who it was awarded to, as the issuer knows them: written into the credential subject (never
    # into the achievement, never on-chain); see formats/certified.py.
    holder_name: str | None = None
    holder_document: str | None = None
    # ECTS credit points, as ELM writes them ("5", "7.5"): the europass profile only.
    credits: str | None = None
    # The name, description or criteria in more languages than English: (language, field, text),
    # written as ELM language maps, so the europass profile only (Open Badges 3.0 texts are strings).
    translations: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        """Refuse, when it is made, an achievement whose text a verifier would not see as signed
        (formats/visible.py) or that could never fit a credential file."""
        check_visible(self.name, "the name", limit=MAX_TITLE_CHARS)
        check_visible(self.achievement_type, "the achievement type", limit=100)
        for field_name, text in (("description", self.description), ("criteria", self.criteria)):
            check_visible(text, f"the {field_name}", limit=MAX_PROSE_CHARS, lines=True)
        for language, field_name, text in self.translations:
            limit = MAX_TITLE_CHARS if field_name == "name" else MAX_PROSE_CHARS
            check_visible(text, f"the {field_name} in {language[:8]}", limit=limit, lines=field_name != "name")
        if len(self.skills) + len(self.occupations) > MAX_ALIGNMENTS:
            raise InputError(f"an achievement aligns to at most {MAX_ALIGNMENTS} skills and occupations")
        for uri, label in [(s.uri, s.label) for s in self.skills] + [(o.uri, o.label) for o in self.occupations]:
            check_visible(label, f"the label of {uri[:80]}", limit=MAX_LABEL_CHARS)
        if self.holder_name is not None:
            check_names_a_person(self.holder_name, "the holder's name")
        if self.holder_document is not None:
            check_visible(self.holder_document, "the holder's document reference", limit=MAX_PERSON_CHARS)

    def translated(self, field_name: str) -> dict[str, str]:
        """`field_name`'s text in each language given beside English (language -> text)."""
        return {language: text for language, name, text in self.translations if name == field_name}

    def to_json(self) -> dict[str, Any]:
        alignment = [s.alignment() for s in self.skills] + [o.alignment() for o in self.occupations]
        if self.eqf_level is not None:
            if not 1 <= self.eqf_level <= 8:
                raise InputError(f"EQF level must be 1 to 8, not {self.eqf_level}")
            alignment.append(
                {
                    "type": ["Alignment"],
                    "targetName": f"EQF level {self.eqf_level}",
                    "targetUrl": f"{EQF_PREFIX}{self.eqf_level}",
                    "targetFramework": "European Qualifications Framework",
                    "targetCode": str(self.eqf_level),
                }
            )
        body: dict[str, Any] = {
            "id": f"urn:uuid:{uuid.uuid4()}",
            "type": ["Achievement"],
            "name": self.name,
            "description": self.description,
            "criteria": {"narrative": self.criteria},
            "achievementType": self.achievement_type,
        }
        if alignment:
            body["alignment"] = alignment
        return body


@dataclass(frozen=True)
class StatusEntry:
    """One StatusList2021Entry: where the credential's bit lives."""

    purpose: str  # "revocation" | "suspension"
    list_url: str
    index: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": "StatusList2021Entry",
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }


@dataclass(frozen=True)
class CredentialDraft:
    issuer: str
    holder: str
    achievement: Achievement
    valid_from: int
    valid_until: int | None = None
    status: tuple[StatusEntry, ...] = ()
    schema_url: str | None = None
    terms_of_use: str | None = None
    extra_types: tuple[str, ...] = field(default=())
    # More members of the credential subject (a qualification's logbook summary): EBSI profile only.
    subject_extra: Mapping[str, Any] | None = None


def subject_of(holder: str, achievement: Achievement, body: dict[str, Any]) -> dict[str, Any]:
    """The credential subject (OB 3.0 AchievementSubject): the holder, named when the issuer gave
    a name or document reference, and the achievement `body`."""
    subject: dict[str, Any] = {"id": holder, "type": ["AchievementSubject"]}
    identifiers = []
    for kind, value in (("name", achievement.holder_name), ("identifier", achievement.holder_document)):
        if value:
            identifiers.append({"type": "IdentityObject", "identityHash": value, "identityType": kind, "hashed": False})
    if identifiers:
        subject["identifier"] = identifiers
    subject["achievement"] = body
    return subject


def build_vc(draft: CredentialDraft, issued_at: int) -> dict[str, Any]:
    check_did(draft.issuer)
    check_did(draft.holder)
    vc: dict[str, Any] = {
        "@context": [VC_V1_CONTEXT, OB3_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": [*CREDENTIAL_TYPES, *draft.extra_types],
        "issuer": draft.issuer,
        "issuanceDate": iso(draft.valid_from),
        "validFrom": iso(draft.valid_from),
        "issued": iso(issued_at),
        "credentialSubject": subject_of(draft.holder, draft.achievement, draft.achievement.to_json()),
    }
    if draft.subject_extra:
        vc["credentialSubject"].update(draft.subject_extra)
    if draft.valid_until is not None:
        vc["expirationDate"] = iso(draft.valid_until)
    if draft.schema_url:
        # One object, as EBSI's own attestations write it (a list is allowed too; our schema takes both).
        vc["credentialSchema"] = {"id": draft.schema_url, "type": "FullJsonSchemaValidator2021"}
    if draft.status:
        entries = [s.to_json() for s in draft.status]
        vc["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    if draft.terms_of_use:
        vc["termsOfUse"] = [{"id": draft.terms_of_use, "type": "IssuanceCertificate"}]
    return vc


def sign_vc(vc: dict[str, Any], key: JWK, kid: str, alg: str = "ES256") -> str:
    """The EBSI JWT-VC: `vc` whole in the `vc` claim, registered claims mirroring it."""
    issued = parse_time(vc["issued"])
    payload: dict[str, Any] = {
        "iss": vc["issuer"],
        "sub": vc["credentialSubject"]["id"],
        "jti": vc["id"],
        "iat": issued,
        "nbf": parse_time(vc["validFrom"]),
        "vc": vc,
    }
    if "expirationDate" in vc:
        payload["exp"] = parse_time(vc["expirationDate"])
    return jwt.sign({"alg": alg, "typ": "JWT", "kid": kid}, payload, key)


def schema_id(vc: dict[str, Any]) -> str | None:
    """The id of the credential's (first) credentialSchema, if it names one."""
    schema = vc.get("credentialSchema")
    first = schema[0] if isinstance(schema, list) and schema else schema
    value = first.get("id") if isinstance(first, dict) else None
    return value if isinstance(value, str) else None


def credential_hash(token: str) -> bytes:
    """The anchored value: sha256 of the compact JWT's ASCII bytes."""
    try:
        raw = token.strip().encode("ascii")
    except UnicodeEncodeError as exc:
        raise InputError("a compact JWT is ASCII; this one is not") from exc
    return hashlib.sha256(raw).digest()
