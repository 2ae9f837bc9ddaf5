"""What the verifier reads from a credential's payload, for either profile, as one typed record.

EBSI's VCDM 1.1 JWT-VC mirrors the credential's fields in the registered JWT claims (which must
agree); VCDM 2.0 vc+jwt is the credential itself. Both come out as `Fields`, so the checks after
parsing never ask which profile they are looking at.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any

from msgspec import UNSET
from msgspec.structs import asdict

from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.did import split_did_url
from registry.formats.typedvc import Payload, status_entries
from registry.ops.statusentries import StatusRef, parse_status_entries

MAX_TIMESTAMP = vcfmt.MAX_TIMESTAMP

# One status entry (StatusRef): (issuer DID, list account, purpose, list number, index).


@dataclass(slots=True)
class Fields:
    issuer: str
    fragment: str  # the signing key's thumbprint (the kid's fragment)
    subject: Any
    types: list[str]
    schema: Any
    signed_at: int
    valid_from: int
    valid_until: int | None
    statuses: list[StatusRef]
    # Does the signer state when it signed (a JWT `iat`)? A VCDM 2.0 credential without one gives only
    # its award's or validity's date: its signing is bounded by its anchor alone (chain_checks).
    signing_stated: bool = True


_V1_ENDS = ("expirationDate", "validUntil")  # VCDM 1.1's end, and EBSI's attestations' own name for it
_STR = repeat(str)  # map(isinstance, values, _STR): every value a str, tested in C


def str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(map(isinstance, value, _STR)):
        return value
    return []


def issuer_id(vc: dict[str, Any]) -> Any:
    issuer = vc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


# One issuer's credentials name the same few keys: each kid is checked once.
_split_kid = lru_cache(maxsize=1024)(split_did_url)


def _common(vc: dict[str, Any], kid: str | None, issuer: str) -> tuple[str, list[StatusRef], Any]:
    """Checks and fields shared by both profiles: signing key, status entries, schema."""
    if not kid:
        raise InputError("the JWT header has no kid")
    kid_did, fragment = _split_kid(kid) if len(kid) <= 512 else split_did_url(kid)
    if kid_did != issuer:
        raise InputError("the signing key (kid) belongs to another DID than the issuer")
    statuses = parse_status_entries(vc.get("credentialStatus"))  # as status_entries reads them
    for ref in statuses:
        if ref[0] != issuer:
            raise InputError("a status list belongs to another DID than the issuer")
    return fragment, statuses, vcfmt.schema_id(vc)


def _v1_problems(payload: dict[str, Any], vc: dict[str, Any], types: list[str]) -> list[str]:
    contexts = str_list(vc.get("@context"))
    subject = vc.get("credentialSubject")
    problems = []
    if not contexts or contexts[0] != vcfmt.VC_V1_CONTEXT:
        problems.append("@context must start with the VC 1.1 context")
    if not types or types[0] != "VerifiableCredential" or "VerifiableAttestation" not in types:
        problems.append("type must start with VerifiableCredential and include VerifiableAttestation")
    if payload.get("iss") != issuer_id(vc):
        problems.append("iss differs from the credential's issuer")
    if not isinstance(subject, dict) or payload.get("sub") != subject.get("id"):
        problems.append("sub differs from credentialSubject.id")
    if payload.get("jti") != vc.get("id"):
        problems.append("jti differs from the credential id")
    for claim in ("iat", "nbf", "exp"):
        value = payload.get(claim)
        if claim == "exp" and value is None:
            continue
        # bool is an int in Python; and times must fit a calendar (years 1970 to 9999).
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_TIMESTAMP:
            problems.append(f"the {claim} claim is missing, not an integer or out of range")
    return problems


def fields_v1(parsed: jwt.CompactJWS) -> tuple[dict[str, Any], Fields]:
    """EBSI's VCDM 1.1 JWT: the registered claims must mirror the credential in `vc`."""
    payload = parsed.payload
    vc = payload.get("vc")
    if not isinstance(vc, dict):
        raise InputError("the JWT has no `vc` claim holding a credential")
    types = str_list(vc.get("type"))
    problems = _v1_problems(payload, vc, types)
    if problems:
        raise InputError("; ".join(problems))
    if vcfmt.parse_time(str(vc.get("validFrom", vc.get("issuanceDate", "")))) != payload["nbf"]:
        raise InputError("nbf differs from validFrom")
    # The end too: the JWT's `exp` is what the validity check reads, so an end the credential states
    # that `exp` does not mirror (or an `exp` that is absent) would let it pass as valid after it.
    for end in _V1_ENDS:
        if end in vc and vcfmt.parse_time(str(vc[end])) != payload.get("exp"):
            raise InputError(f"exp differs from {end}")
    issuer = str(payload["iss"])
    fragment, statuses, schema = _common(vc, parsed.kid, issuer)
    fields = Fields(
        issuer=issuer,
        fragment=fragment,
        subject=payload.get("sub"),
        types=types,
        schema=schema,
        signed_at=int(payload["iat"]),
        valid_from=int(payload["nbf"]),
        valid_until=int(payload["exp"]) if "exp" in payload else None,
        statuses=statuses,
    )
    return vc, fields


def fields_v2(parsed: jwt.CompactJWS, vc: dict[str, Any]) -> Fields:
    """VCDM 2.0 vc+jwt: the payload is the credential; signed at its `iat` when it states one, else
    at a time only its anchor bounds (`signed_at` is then its award's date, or validFrom).

    The JWT's own `nbf` and `exp`, when present (parse_vc2 checked they are well-formed), bound the
    validity as much as `validFrom`/`validUntil` do: the later start and the earlier end count."""
    issuer = str(issuer_id(vc))
    subject = vc.get("credentialSubject")
    # validFrom is optional in VCDM 2.0 (check_vc2 read it as a dateTimeStamp when present): no start then.
    valid_from = vcfmt.parse_time(vc["validFrom"]) if isinstance(vc.get("validFrom"), str) else 0
    valid_until = vcfmt.parse_time(vc["validUntil"]) if isinstance(vc.get("validUntil"), str) else None
    awarded = vc.get("awardedDate", vc.get("issued"))  # Open Badges' award date; ELM's `issued`
    signed_at = vcfmt.parse_time(awarded) if isinstance(awarded, str) else valid_from
    # Only a JWT `iat` states the signing: an award's date is the award's (Open Badges), often long before
    # the signing, and validFrom may lie ahead of it. Without `iat`, the chain bounds the signing: the
    # key must have been valid when the credential was anchored (check_key_at_anchor).
    iat = vc.get("iat")
    stated = isinstance(iat, int) and not isinstance(iat, bool) and 0 <= iat < MAX_TIMESTAMP
    if isinstance(iat, int) and stated:
        signed_at = iat
    if "nbf" in vc:
        valid_from = max(valid_from, int(vc["nbf"]))
    if "exp" in vc:
        valid_until = int(vc["exp"]) if valid_until is None else min(valid_until, int(vc["exp"]))
    fragment, statuses, schema = _common(vc, parsed.kid, issuer)
    return Fields(
        issuer=issuer,
        fragment=fragment,
        subject=subject.get("id") if isinstance(subject, dict) else None,
        types=str_list(vc.get("type")),
        schema=schema,
        signed_at=signed_at,
        valid_from=valid_from,
        valid_until=valid_until,
        statuses=statuses,
        signing_stated=stated,
    )


def fields_typed(payload: Payload, kid: str | None) -> Fields | None:
    """`fields_v1` over a payload `typedvc.read` decoded: the Fields when every claim check of
    `fields_v1` (and `_common`) holds, else None (the caller then takes the general path, which
    says what is wrong). What the typed records guarantee is not tested again: the time claims are
    integers in range, `@context` and `type` lists of strings, the issuer a string."""
    vc = payload.vc
    types = vc.type
    if (
        vc.context[0] != vcfmt.VC_V1_CONTEXT
        or types[0] != "VerifiableCredential"
        or "VerifiableAttestation" not in types
    ):
        return None
    if payload.iss != vc.issuer or payload.sub != vc.credentialSubject.id or payload.jti != vc.id:
        return None
    end = None if payload.exp is UNSET else payload.exp
    if vcfmt.parse_time(vc.validFrom) != payload.nbf or (
        vc.expirationDate is not UNSET and vcfmt.parse_time(vc.expirationDate) != end
    ):
        return None
    issuer = payload.iss
    if not kid:
        return None
    try:
        kid_did, fragment = _split_kid(kid) if len(kid) <= 512 else split_did_url(kid)
        statuses = parse_status_entries([asdict(entry) for entry in status_entries(vc)])
    except InputError:
        return None
    if kid_did != issuer or any(ref[0] != issuer for ref in statuses):
        return None
    schema = vc.credentialSchema
    return Fields(
        issuer=issuer,
        fragment=fragment,
        subject=payload.sub,
        types=types,
        schema=(schema[0] if isinstance(schema, list) else schema).id,
        signed_at=payload.iat,
        valid_from=payload.nbf,
        valid_until=end,
        statuses=statuses,
    )
