"""The second credential profile: W3C VCDM 2.0 secured as `vc+jwt` (VC-JOSE-COSE, JOSE part).

Unlike the EBSI VCDM 1.1 profile (credential.py), the credential JSON *is* the JWT payload:
there is no `vc` claim, the header is `{alg, typ: "vc+jwt", kid}` and the dates are `validFrom`
/ `validUntil`. The subject is the same Open Badges 3.0 `AchievementSubject`, so the credential
is an `OpenBadgeCredential` and passes the OB 3.0 JSON Schema.

`check_vc2` enforces the VCDM 2.0 data-model rules that can be checked without the network:
the base context first, well-formed IRIs, required `type`s, one-line reasons on failure. Type
terms are resolved against the contexts with a small, purposely partial JSON-LD processor: the
terms of the base context are known here, inline contexts are processed, and remote contexts are
used only when a `loader` supplies them (otherwise they may define any term). Only the
credential's own `type` values must resolve; nested objects need a string `type`, which is what
VCDM 2.0 asks of them.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, Literal

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.credential import MAX_TIMESTAMP, OB3_CONTEXT, CredentialDraft, StatusEntry, iso
from registry.formats.did import check_did

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VC2_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
MEDIA_TYPE = "vc+jwt"
CONTENT_TYPE = "vc"
PROFILE_VCDM11: Final = "vcdm1.1-jwt"
PROFILE_VCDM20: Final = "vcdm2.0-vc+jwt"
Profile = Literal["vcdm1.1-jwt", "vcdm2.0-vc+jwt"]

# A context document for a URL, or None when the loader does not know it.
ContextLoader = Callable[[str], Mapping[str, Any] | None]

_CRED = "https://www.w3.org/2018/credentials#"
_STATUS = "https://www.w3.org/ns/credentials/status#"
# The class terms of the (protected) VCDM 2.0 base context, with the IRIs they expand to.
BASE_CONTEXT_TYPES: dict[str, str] = {
    "VerifiableCredential": _CRED + "VerifiableCredential",
    "EnvelopedVerifiableCredential": _CRED + "EnvelopedVerifiableCredential",
    "VerifiablePresentation": _CRED + "VerifiablePresentation",
    "EnvelopedVerifiablePresentation": _CRED + "EnvelopedVerifiablePresentation",
    "JsonSchemaCredential": _CRED + "JsonSchemaCredential",
    "JsonSchema": _CRED + "JsonSchema",
    "BitstringStatusListCredential": _STATUS + "BitstringStatusListCredential",
    "BitstringStatusList": _STATUS + "BitstringStatusList",
    "BitstringStatusListEntry": _STATUS + "BitstringStatusListEntry",
    "DataIntegrityProof": "https://w3id.org/security#DataIntegrityProof",
}

# An absolute IRI: scheme ":" and no character RFC 3987 forbids (spaces, quotes, <>{}|\^`).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")
# XML Schema dateTimeStamp (what VCDM 2.0 requires): the time zone is mandatory.
_DATETIME_STAMP = re.compile(
    r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_LANGUAGE_VALUE_KEYS = {"@value", "@language", "@direction"}
_FORBIDDEN_CLAIMS = ("vc", "vp")
# JWT time claims a vc+jwt may carry beside validFrom/validUntil (VC-JOSE-COSE); when present they
# bound the validity too (`nbf` as a start, `exp` as an end), so they must be NumericDates. (`iat`
# bounds nothing here, and the W3C suite's own vectors carry it as a date string: left alone.)
TIME_CLAIMS = ("nbf", "exp")


def _short(value: Any) -> str:
    return repr(value)[:80]


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and _IRI.fullmatch(value) is not None


def parse_datetime_stamp(value: Any, what: str) -> datetime:
    """An XML Schema dateTimeStamp (e.g. `2023-02-26T01:02:58.447Z`) -> aware datetime."""
    if not isinstance(value, str) or not _DATETIME_STAMP.fullmatch(value):
        raise InputError(f"{what} is not an XML Schema dateTimeStamp: {_short(value)}")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{what} is not a valid date-time: {_short(value)}") from exc


# -- JSON-LD type terms ------------------------------------------------------------------------


@dataclass
class _ActiveContext:
    terms: dict[str, str | None] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    vocab: str | None = None
    open: bool = False  # a context we could not read may define any term

    def define(self, term: str, iri: str | None, protected: bool) -> None:
        if term in self.protected and self.terms.get(term) != iri:
            raise InputError(f"@context redefines the protected term {term!r}")
        self.terms[term] = iri
        if protected:
            self.protected.add(term)

    def apply_base(self) -> None:
        for term, iri in BASE_CONTEXT_TYPES.items():
            self.define(term, iri, protected=True)

    def apply_object(self, context: Mapping[str, Any]) -> None:
        protected = context.get("@protected", False)
        if not isinstance(protected, bool):
            raise InputError("@protected in an inline @context must be true or false")
        if "@vocab" in context:
            vocab = context["@vocab"]
            if vocab is not None and not isinstance(vocab, str):
                raise InputError("@vocab in an inline @context must be a string or null")
            self.vocab = vocab
        for term, definition in context.items():
            if term.startswith("@"):
                continue
            term_protected = protected
            if isinstance(definition, Mapping):
                term_protected = bool(definition.get("@protected", protected))
                definition = definition.get("@id", self._vocab_iri(term))
            if definition is not None and not isinstance(definition, str):
                raise InputError(f"@context defines {term!r} with a value that is not an IRI")
            if isinstance(definition, str) and not definition.startswith("@") and not is_iri(definition):
                raise InputError(f"@context maps {term!r} to {_short(definition)}, which is not an IRI")
            self.define(term, definition, term_protected)

    def _vocab_iri(self, term: str) -> str | None:
        return None if self.vocab is None else self.vocab + term

    def check_type(self, value: str, where: str) -> None:
        if value in self.terms:
            if self.terms[value] is None:
                raise InputError(f"{where} type {value!r} is explicitly undefined by @context")
            return
        if is_iri(value) or self.vocab is not None or self.open:
            return
        raise InputError(f"{where} type {value!r} is not defined by @context and is not an IRI")


def _active_context(contexts: list[Any], loader: ContextLoader | None) -> _ActiveContext:
    active = _ActiveContext()
    for entry in contexts:
        if isinstance(entry, str):
            if not is_iri(entry):
                raise InputError(f"@context entry {_short(entry)} is not a URL")
            if entry == VC_V2_CONTEXT:
                active.apply_base()
                continue
            document = loader(entry) if loader is not None else None
            if document is None:
                active.open = True
                continue
            inner = document.get("@context", document)
            for item in inner if isinstance(inner, list) else [inner]:
                if isinstance(item, Mapping):
                    active.apply_object(item)
                else:
                    active.open = True  # nested remote references are not followed
        elif isinstance(entry, Mapping):
            active.apply_object(entry)
        else:
            raise InputError(f"@context entry {_short(entry)} is neither a URL nor an object")
    return active


# -- data model ----------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_id(value: Any, where: str) -> None:
    if not is_iri(value):
        raise InputError(f"{where} id must be a single URL, not {_short(value)}")


def _check_typed_objects(vc: Mapping[str, Any], name: str, need_id: bool = False) -> None:
    """`name` (if present) is one object or a non-empty list of objects, each with a `type`."""
    if name not in vc:
        return
    items = _as_list(vc[name])
    if not items:
        raise InputError(f"{name} is an empty list")
    for item in items:
        if not isinstance(item, Mapping):
            raise InputError(f"{name} must be an object or a list of objects")
        types = _as_list(item.get("type"))
        if "type" not in item or not types or not all(isinstance(t, str) and t for t in types):
            raise InputError(f"{name} needs a type (a string or a list of strings)")
        if "id" in item or need_id:
            _check_id(item.get("id"), name)


def _check_language_values(value: Any, where: str) -> None:
    for item in _as_list(value):
        if isinstance(item, str):
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("@value"), str):
            raise InputError(f"{where} must be a string or a language value object with @value")
        extra = set(item) - _LANGUAGE_VALUE_KEYS
        if extra:
            raise InputError(f"{where} language value has unexpected members: {', '.join(sorted(extra))}")
        if "@language" in item and not isinstance(item["@language"], str):
            raise InputError(f"{where} @language must be a string")
        if "@direction" in item and item["@direction"] not in ("ltr", "rtl"):
            raise InputError(f"{where} @direction must be ltr or rtl")


def _check_issuer(issuer: Any) -> str:
    if isinstance(issuer, str):
        _check_id(issuer, "issuer")
        return issuer
    if isinstance(issuer, Mapping):
        _check_id(issuer.get("id"), "issuer")
        for member in ("name", "description"):
            if member in issuer:
                _check_language_values(issuer[member], f"issuer {member}")
        return str(issuer["id"])
    raise InputError(f"issuer must be a URL or an object with an id, not {_short(issuer)}")


def _check_subjects(subject: Any) -> None:
    subjects = _as_list(subject)
    if not subjects:
        raise InputError("credentialSubject is an empty list")
    for item in subjects:
        if not isinstance(item, Mapping) or not item:
            raise InputError("every credentialSubject must be an object with at least one claim")
        if "id" in item:
            _check_id(item["id"], "credentialSubject")


def check_vc2(vc: Any, loader: ContextLoader | None = None) -> dict[str, Any]:
    """Raise InputError unless `vc` is a well-formed VCDM 2.0 credential; return it unchanged."""
    if not isinstance(vc, dict):
        raise InputError("a VCDM 2.0 credential must be a JSON object")
    contexts = vc.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2_CONTEXT:
        raise InputError(f"@context must be a list whose first entry is {VC_V2_CONTEXT}")
    if VC_V1_CONTEXT in contexts:
        raise InputError("a VCDM 2.0 credential must not use the VCDM 1.1 context")
    active = _active_context(contexts, loader)
    types = _as_list(vc.get("type"))
    if "type" not in vc or not all(isinstance(t, str) for t in types):
        raise InputError("type must be a string or a list of strings")
    if "VerifiableCredential" not in types:
        raise InputError("type must include VerifiableCredential")
    for value in types:
        active.check_type(value, "credential")
    if "id" in vc:
        _check_id(vc["id"], "credential")
    if "issuer" not in vc:
        raise InputError("the credential has no issuer")
    _check_issuer(vc["issuer"])
    if "credentialSubject" not in vc:
        raise InputError("the credential has no credentialSubject")
    _check_subjects(vc["credentialSubject"])
    for member in ("name", "description"):
        if member in vc:
            _check_language_values(vc[member], member)
    valid_from = parse_datetime_stamp(vc["validFrom"], "validFrom") if "validFrom" in vc else None
    valid_until = parse_datetime_stamp(vc["validUntil"], "validUntil") if "validUntil" in vc else None
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise InputError("validUntil is earlier than validFrom")
    _check_typed_objects(vc, "credentialStatus")
    _check_typed_objects(vc, "credentialSchema", need_id=True)
    for name in ("termsOfUse", "evidence", "refreshService", "proof"):
        _check_typed_objects(vc, name)
    return vc


# -- our own credentials --------------------------------------------------------------------------


def status_entry(entry: StatusEntry) -> dict[str, Any]:
    """A BitstringStatusListEntry (Bitstring Status List v1.0) for the same list and index."""
    return {
        "id": f"{entry.list_url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": entry.list_url,
    }


# Our credential types (what accreditations are scoped by), which neither the VC 2.0 nor the OB 3.0
# context defines. The document ships in the package and `skills_context_loader` serves it offline;
# the w3id.org identifier is where it is to be published.
SKILLS_CONTEXT = "https://w3id.org/skills-registry/v1"


@cache
def _skills_context() -> dict[str, Any]:
    text = resources.files("registry.formats").joinpath("contexts/skills-registry-v1.jsonld").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


def skills_context_loader(url: str) -> Mapping[str, Any] | None:
    return _skills_context() if url == SKILLS_CONTEXT else None


def known_types() -> set[str]:
    return {k for k in _skills_context()["@context"] if not k.startswith("@")}


def build_vc2(draft: CredentialDraft, issued_at: int) -> dict[str, Any]:
    """The credential as a VCDM 2.0 OpenBadgeCredential (OB 3.0 AchievementCredential)."""
    check_did(draft.issuer)
    check_did(draft.holder)
    types = ["SkillsCredential", *draft.extra_types]
    unknown = set(types) - known_types()
    if unknown:
        raise InputError(f"credential type(s) {', '.join(sorted(unknown))} are not defined in {SKILLS_CONTEXT}")
    achievement = draft.achievement.to_json()
    vc: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB3_CONTEXT, SKILLS_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": [*VC2_TYPES, *types],
        "name": achievement["name"],
        "issuer": draft.issuer,
        "validFrom": iso(draft.valid_from),
        "awardedDate": iso(issued_at),
        "credentialSubject": {
            "id": draft.holder,
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    }
    if draft.valid_until is not None:
        vc["validUntil"] = iso(draft.valid_until)
    if draft.schema_url:
        vc["credentialSchema"] = [{"id": draft.schema_url, "type": "JsonSchema"}]
    if draft.status:
        entries = [status_entry(s) for s in draft.status]
        # OB 3.0 allows a single status object only; several entries stay a (VCDM 2.0) list.
        vc["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    if draft.terms_of_use:
        vc["termsOfUse"] = [{"id": draft.terms_of_use, "type": "IssuanceCertificate"}]
    return vc


def sign_vc2(vc: dict[str, Any], key: JWK, kid: str, alg: str = "ES256", loader: ContextLoader | None = None) -> str:
    """Secure `vc` as a `vc+jwt`: the checked credential is the payload, unchanged."""
    check_vc2(vc, loader)
    for claim in _FORBIDDEN_CLAIMS:
        if claim in vc:
            raise InputError(f"a vc+jwt payload must not have a {claim!r} claim")
    return jwt.sign({"alg": alg, "typ": MEDIA_TYPE, "kid": kid}, vc, key)


# -- tokens ------------------------------------------------------------------------------------------


def _media_type(value: Any) -> str | None:
    """RFC 7515 §4.1.9: `application/` may be omitted and media types are case-insensitive."""
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    return lowered.removeprefix("application/")


def _parse_compact(token: str) -> jwt.CompactJWS:
    text = token.strip() if isinstance(token, str) else ""
    if "~" in text:
        raise InputError("SD-JWT credentials (with ~ disclosures) are not supported; expected a compact JWS")
    if text.count(".") != 2:
        raise InputError("not a compact JWS (COSE and JSON-serialised credentials are not supported)")
    return jwt.parse(text)


def parse_vc2(token: str, loader: ContextLoader | None = None) -> tuple[jwt.CompactJWS, dict[str, Any]]:
    """Decode a `vc+jwt` and check its structure (not its signature): header, claims, data model."""
    parsed = _parse_compact(token)
    typ = _media_type(parsed.header.get("typ"))
    if typ != MEDIA_TYPE:
        raise InputError(f"the JWS typ is {_short(parsed.header.get('typ'))}, not {MEDIA_TYPE!r}")
    if "cty" in parsed.header and _media_type(parsed.header["cty"]) != CONTENT_TYPE:
        raise InputError(f"the JWS cty is {_short(parsed.header['cty'])}, not {CONTENT_TYPE!r}")
    payload = parsed.payload
    for claim in _FORBIDDEN_CLAIMS:
        if claim in payload:
            raise InputError(f"a vc+jwt payload must not have a {claim!r} claim")
    for claim in TIME_CLAIMS:
        value = payload.get(claim, 0)
        # bool is an int in Python; and times must fit a calendar (years 1970 to 9999).
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_TIMESTAMP:
            raise InputError(f"the {claim} claim is not a whole number of seconds between 1970 and 9999")
    vc = check_vc2(payload, loader)
    issuer = vc["issuer"]
    issuer_id = issuer if isinstance(issuer, str) else issuer.get("id")
    if "iss" in payload and payload["iss"] != issuer_id:
        raise InputError("the iss claim does not match the credential's issuer")
    if "jti" in payload and payload["jti"] != vc.get("id"):
        raise InputError("the jti claim does not match the credential's id")
    return parsed, vc


def verify_vc2(token: str, public_jwk: dict[str, Any], loader: ContextLoader | None = None) -> dict[str, Any]:
    """The credential of a structurally valid `vc+jwt` whose signature verifies with `public_jwk`."""
    parsed, vc = parse_vc2(token, loader)
    if not jwt.verify(parsed, public_jwk):
        raise InputError(f"the {parsed.alg} signature of the vc+jwt does not verify with the given key")
    return vc


def detect_profile(token: str | jwt.CompactJWS) -> Profile:
    """Which credential profile a compact JWT uses: EBSI VCDM 1.1 (`vc` claim) or VCDM 2.0 `vc+jwt`."""
    parsed = _parse_compact(token) if isinstance(token, str) else token
    typ = _media_type(parsed.header.get("typ"))
    has_vc_claim = isinstance(parsed.payload.get("vc"), dict)
    if typ == MEDIA_TYPE and not has_vc_claim:
        return PROFILE_VCDM20
    if typ in (None, "jwt") and has_vc_claim:
        return PROFILE_VCDM11
    raise InputError(f"not a credential JWT of a known profile (typ {_short(parsed.header.get('typ'))})")
