"""Accreditation credentials, EBSI's shapes: VerifiableAuthorisationForTrustChain (makes a Root
TAO), VerifiableAccreditationToAccredit (makes a TAO), VerifiableAccreditationToAttest (makes a
TI). Each names what the child may do (`accreditedFor`: credential types, schema, jurisdiction)
and points up the chain with `termsOfUse` (the parent's own attribute in the TIR).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.credential import VC_V1_CONTEXT, iso
from registry.formats.visible import check_one_script_words, check_visible

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

ROOT_TYPE = "VerifiableAuthorisationForTrustChain"
TAO_TYPE = "VerifiableAccreditationToAccredit"
TI_TYPE = "VerifiableAccreditationToAttest"
# Types that say what format a credential is in, not what it attests: no accreditation scope names them.
GENERIC_TYPES = frozenset(
    {"VerifiableCredential", "VerifiableAttestation", "OpenBadgeCredential", "AchievementCredential"}
)
# The format types every credential of ours carries, written into each `accreditedFor` entry as
# EBSI writes them: EBSI's verifier library requires every type of a credential to be listed by the
# issuer's accreditation (it counts VerifiableCredential and VerifiableAttestation from the
# accreditation's own type, but OpenBadgeCredential only from `accreditedFor`). Read back, they are
# dropped again: a scope is what the entry names beyond them.
FORMAT_TYPES = ("VerifiableCredential", "VerifiableAttestation", "OpenBadgeCredential")
ISSUER_TYPES = {1: "RootTAO", 2: "TAO", 3: "TI"}
_TYPE_FOR = {1: ROOT_TYPE, 2: TAO_TYPE, 3: TI_TYPE}
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class Scope:
    """One `accreditedFor` entry."""

    types: tuple[str, ...]
    schema_id: str | None = None
    jurisdiction: str | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"types": list(self.types)}
        if self.schema_id:
            entry["schemaId"] = self.schema_id
        if self.jurisdiction:
            entry["limitJurisdiction"] = self.jurisdiction
        return entry

    def to_ebsi_json(self) -> dict[str, Any]:
        """The entry as the accreditation credential writes it: the format types first (FORMAT_TYPES)."""
        entry = self.to_json()
        entry["types"] = [*(t for t in FORMAT_TYPES if t not in self.types), *self.types]
        return entry

    @classmethod
    def from_json(cls, entry: Any) -> Scope:
        if not isinstance(entry, dict):
            raise InputError("accreditedFor entries must be objects")
        types = entry.get("types")
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types) or not types:
            raise InputError("accreditedFor entries need a non-empty list of types")
        schema = entry.get("schemaId")
        jurisdiction = entry.get("limitJurisdiction")
        specific = tuple(t for t in types if t not in GENERIC_TYPES)
        return cls(
            types=specific or tuple(types),
            schema_id=schema if isinstance(schema, str) else None,
            jurisdiction=jurisdiction if isinstance(jurisdiction, str) else None,
        )

    def covers_credential(self, types: list[str], schema_id: str | None) -> bool:
        specific = set(types) - GENERIC_TYPES
        if not specific or not specific <= set(self.types):
            return False
        # A scope limited to a schema covers only credentials that declare that schema: one that
        # declares none is not shown to follow it.
        return self.schema_id is None or self.schema_id == schema_id

    def covers_scope(self, child: Scope) -> bool:
        """A parent can only grant what it holds."""
        if not set(child.types) <= set(self.types):
            return False
        if self.schema_id is not None and child.schema_id != self.schema_id:
            return False
        return self.jurisdiction is None or child.jurisdiction == self.jurisdiction


def attribute_url(public_url: str, did: str, attribute_id: bytes) -> str:
    return f"{public_url.rstrip('/')}/trusted-issuers-registry/v5/issuers/{did}/attributes/{attribute_id.hex()}"


def build_accreditation(
    *,
    issuer: str,
    subject: str,
    issuer_type: int,
    attribute_id: bytes,
    scopes: tuple[Scope, ...],
    valid_from: int,
    valid_until: int,
    issued_at: int,
    terms_of_use: str | None,
    subject_name: str | None = None,
) -> dict[str, Any]:
    """The accreditation credential; `subject_name` is the accredited organisation's legal name,
    public data its accreditor states (it travels in the `AttributeBody` event with the JWT, so it
    costs no storage), which verifiers show beside the DID."""
    if issuer_type not in _TYPE_FOR:
        raise InputError(f"unknown issuer type {issuer_type}")
    types = ["VerifiableCredential", "VerifiableAttestation"]
    if issuer_type != 1:
        types.append("VerifiableAccreditation")
    types.append(_TYPE_FOR[issuer_type])
    vc: dict[str, Any] = {
        "@context": [VC_V1_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": types,
        "issuer": issuer,
        "issuanceDate": iso(valid_from),
        "validFrom": iso(valid_from),
        "expirationDate": iso(valid_until),
        "issued": iso(issued_at),
        "credentialSubject": {
            "id": subject,
            "reservedAttributeId": attribute_id.hex(),
            "accreditedFor": [s.to_ebsi_json() for s in scopes],
        },
    }
    if subject_name is not None:
        vc["credentialSubject"]["name"] = check_legal_name(subject_name)
    if terms_of_use:
        vc["termsOfUse"] = {"id": terms_of_use, "type": "IssuanceCertificate"}
    return vc


def check_legal_name(name: str) -> str:
    """A legal name as an accreditation states it, for good, on-chain: one line of 1 to
    MAX_NAME_CHARS characters, not blank, that reads as signed: no control, bidi override or
    invisible character, no word mixing look-alike scripts (formats/visible.py); refused in one
    line otherwise."""
    if not name.strip():
        raise InputError("a legal name must not be blank")
    check_visible(name, "the legal name", limit=MAX_NAME_CHARS)
    return check_one_script_words(name, "the legal name")


def sign_accreditation(vc: dict[str, Any], key: JWK, kid: str, issued_at: int) -> str:
    payload = {
        "iss": vc["issuer"],
        "sub": vc["credentialSubject"]["id"],
        "jti": vc["id"],
        "iat": issued_at,
        "nbf": issued_at,
        "vc": vc,
    }
    return jwt.sign({"alg": "ES256", "typ": "JWT", "kid": kid}, payload, key)


@dataclass(frozen=True)
class ParsedAccreditation:
    parsed: jwt.CompactJWS
    issuer: str
    subject: str
    attribute_id: str
    kind: int  # 1 RootTAO, 2 TAO, 3 TI
    scopes: tuple[Scope, ...]
    issued_at: int
    terms_of_use: str | None
    subject_name: str | None = None  # the accredited party's legal name, as its accreditor states it


def parse_accreditation(token: str) -> ParsedAccreditation:
    parsed = jwt.parse(token)
    vc = parsed.payload.get("vc")
    if not isinstance(vc, dict):
        raise InputError("the accreditation JWT has no vc claim")
    raw_types = vc.get("type")
    types: list[Any] = raw_types if isinstance(raw_types, list) else []
    kinds = [k for k, t in _TYPE_FOR.items() if t in types]
    if len(kinds) != 1:
        raise InputError("the accreditation is not exactly one of EBSI's accreditation types")
    subject = vc.get("credentialSubject")
    if not isinstance(subject, dict):
        raise InputError("the accreditation has no credentialSubject")
    scopes = tuple(Scope.from_json(e) for e in subject.get("accreditedFor") or [])
    terms = vc.get("termsOfUse")
    iat = parsed.payload.get("iat")
    if not isinstance(iat, int):
        raise InputError("the accreditation has no iat")
    return ParsedAccreditation(
        parsed=parsed,
        issuer=str(parsed.payload.get("iss")),
        subject=str(subject.get("id")),
        attribute_id=str(subject.get("reservedAttributeId")),
        kind=kinds[0],
        scopes=scopes,
        issued_at=iat,
        terms_of_use=terms.get("id") if isinstance(terms, dict) else None,
        subject_name=name if isinstance(name := subject.get("name"), str) and 0 < len(name) <= MAX_NAME_CHARS else None,
    )
