"""Our skills credential's JWT payload (EBSI VCDM 1.1, `skills-credential.schema.json`), decoded and
validated in one pass, for the verifier's hot path.

The general path reads a payload in three steps: JSON into dicts (`safejson`), the schema it names
(jsonschema-rs over those dicts), then the claims, member by member in Python. For the credentials we
issue, `read` does the first two in one C pass (msgspec, into typed records) and returns a `Payload`
only when it can prove what the general path would conclude:

- the JSON is what `safejson.loads` accepts: msgspec refuses what is not JSON (NaN, numbers beyond a
  double, lone surrogates, bytes that are not UTF-8), and every member is typed, so the nesting is
  bounded by the records below;
- no member is left unread: a member these records do not name is refused, not skipped, so nothing
  unread can hide a value the general path refuses (`forbid_unknown_fields`);
- the payload conforms to the skills schema: msgspec checks types, required members, enums and
  consts (`Literal`), patterns, minimum lengths and the time claims' range as it decodes; `read`
  checks the rest after (the schema's `prefixItems` and `contains`, and its two formats, each by a
  stricter test: a date-time exactly as we write it, `YYYY-MM-DDTHH:MM:SSZ`, that is a real date;
  a URI of plain http(s) characters). The patterns end in `\\Z`: Python's `$` also matches before a
  final newline, the schema's does not.

Anything else (another schema, a member we do not write, a value the schema refuses) gives None, and
the caller takes the general path, which names the problem. So this module can make verification
faster, never change a verdict or a message: a shape it does not know is the slow path.
(A member given twice: msgspec keeps the last, as orjson does, so both paths read the same value.)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType, field

from registry.errors import InputError
from registry.formats.credential import MAX_TIMESTAMP, VC_V1_CONTEXT, parse_time

# Untracked by the cyclic collector (`gc=False`): records decoded from JSON hold strings, integers
# and lists of records, never themselves, so they cannot form a cycle; untracked, a payload's dozen
# records cost a third less to make and free.
_RECORD = {"forbid_unknown_fields": True, "gc": False}
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# An absolute http(s) URI of unreserved characters, sub-delimiters, ':' and '@' (RFC 3986), no
# percent-encoding, query or fragment: every such string is a URI by the schema's `uri` format.
_URI = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~:@!$&'()*+,;=-]*)*")

Timestamp = Annotated[int, Meta(ge=0, lt=MAX_TIMESTAMP)]


class Criteria(Struct, **_RECORD):
    narrative: str


class Alignment(Struct, **_RECORD):
    type: list[str]
    targetName: str
    targetUrl: Annotated[str, Meta(pattern=r"^http://data\.europa\.eu/(esco/(skill|occupation|isco)/|snb/eqf/[1-8]\Z)")]
    targetFramework: str | UnsetType = UNSET
    targetCode: str | UnsetType = UNSET


class Achievement(Struct, **_RECORD):
    id: str
    type: list[str]
    name: Annotated[str, Meta(min_length=1)]
    description: str
    criteria: Criteria
    achievementType: str | UnsetType = UNSET
    alignment: list[Alignment] | UnsetType = UNSET


class Subject(Struct, **_RECORD):
    id: Annotated[str, Meta(pattern="^did:")]
    achievement: Achievement
    type: list[str] | UnsetType = UNSET


class SchemaRef(Struct, **_RECORD):
    id: str
    type: Literal["FullJsonSchemaValidator2021", "JsonSchema"]


class StatusEntry(Struct, **_RECORD):
    id: str
    type: Literal["StatusList2021Entry"]
    statusPurpose: Literal["revocation", "suspension"]
    statusListIndex: Annotated[str, Meta(pattern=r"^[0-9]+\Z")]
    statusListCredential: str


class TermsOfUse(Struct, **_RECORD):
    id: str
    type: Literal["IssuanceCertificate"]


class Credential(Struct, **_RECORD):
    context: Annotated[list[str], Meta(min_length=1)] = field(name="@context")
    id: Annotated[str, Meta(pattern=r"^urn:uuid:[0-9a-f-]{36}\Z")]
    type: list[str]
    issuer: Annotated[str, Meta(pattern=r"^did:ebsi:z[1-9A-HJ-NP-Za-km-z]+\Z")]
    issuanceDate: str
    validFrom: str
    issued: str
    credentialSubject: Subject
    credentialSchema: SchemaRef | Annotated[list[SchemaRef], Meta(min_length=1)]
    expirationDate: str | UnsetType = UNSET
    credentialStatus: StatusEntry | Annotated[list[StatusEntry], Meta(min_length=1)] | UnsetType = UNSET
    termsOfUse: TermsOfUse | Annotated[list[TermsOfUse], Meta(min_length=1)] | UnsetType = UNSET


class Payload(Struct, **_RECORD):
    iss: str
    sub: str
    jti: str
    iat: Timestamp
    nbf: Timestamp
    vc: Credential
    exp: Timestamp | UnsetType = UNSET


_decoder = msgspec.json.Decoder(Payload)


def read(raw: bytes) -> Payload | None:
    """The payload, when it is our skills credential and conforms to its schema; else None."""
    try:
        payload = _decoder.decode(raw)
    except msgspec.DecodeError:  # ValidationError included: not JSON, or not this shape
        return None
    return payload if _conforms(payload.vc) else None


def _conforms(vc: Credential) -> bool:
    """What the schema asks beyond what msgspec checked while decoding."""
    types, achievement = vc.type, vc.credentialSubject.achievement
    if vc.context[0] != VC_V1_CONTEXT or not types or types[0] != "VerifiableCredential":
        return False
    if "VerifiableAttestation" not in types or "SkillsCredential" not in types or "Achievement" not in achievement.type:
        return False
    if achievement.alignment and not all("Alignment" in a.type for a in achievement.alignment):
        return False
    dates = [vc.issuanceDate, vc.validFrom, vc.issued]
    if vc.expirationDate is not UNSET:
        dates.append(vc.expirationDate)
    schemas = vc.credentialSchema if isinstance(vc.credentialSchema, list) else (vc.credentialSchema,)
    return all(map(_is_date_time, dates)) and all(
        map(_is_uri, (*(s.id for s in schemas), *(e.statusListCredential for e in status_entries(vc))))
    )


# A batch repeats a few of each (a cohort's dates, an issuer's lists and schema): each is judged once.
@lru_cache(maxsize=1024)
def _is_uri(text: str) -> bool:
    return _URI.fullmatch(text) is not None


@lru_cache(maxsize=4096)
def _is_date_time(text: str) -> bool:
    if _DATE_TIME.fullmatch(text) is None:
        return False
    try:
        parse_time(text)  # a real date and time
    except InputError:
        return False
    return True


def status_entries(vc: Credential) -> list[StatusEntry]:
    status = vc.credentialStatus
    if isinstance(status, list):
        return status
    return [] if status is UNSET else [status]
