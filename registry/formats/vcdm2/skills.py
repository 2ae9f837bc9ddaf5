"""Our own skills credentials as VCDM 2.0 OpenBadgeCredentials (OB 3.0 AchievementCredential):
the skills context that defines our credential types, built from a draft and signed as `vc+jwt`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.credential import OB3_CONTEXT, CredentialDraft, StatusEntry, iso, subject_of
from registry.formats.did import check_did
from registry.formats.vcdm2.context import VC_V2_CONTEXT, ContextLoader
from registry.formats.vcdm2.model import check_vc2
from registry.formats.vcdm2.tokens import MEDIA_TYPE, refuse_forbidden_claims

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

VC2_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def status_entry(entry: StatusEntry) -> dict[str, Any]:
    """A BitstringStatusListEntry (Bitstring Status List v1.0) for the same list and index."""
    return {
        "id": f"{entry.list_url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": entry.list_url,
    }


# The member of a revocation entry naming the suspension list of the same list number, at the same
# index: one `credentialStatus` object carries both purposes, which Open Badges 3.0 (whose schema
# allows a single status object) needs. A Bitstring Status List verifier that does not know the
# member checks revocation as usual; ours reads both bits (ops/statusentries.py, docs/INTEROP.md).
PAIRED_SUSPENSION = "suspensionStatusListCredential"


def paired_status_entry(entries: Sequence[StatusEntry]) -> dict[str, Any]:
    """One BitstringStatusListEntry for a revocation entry and its suspension twin (same list
    number and index, as every issuer's allocation hands them out): the revocation entry, and the
    suspension list's URL in `PAIRED_SUSPENSION`."""
    by_purpose = {entry.purpose: entry for entry in entries}
    revocation, suspension = by_purpose.get("revocation"), by_purpose.get("suspension")
    if revocation is None or suspension is None or len(entries) != 2 or revocation.index != suspension.index:
        raise InputError("a paired status entry needs one revocation and one suspension entry at the same index")
    return {**status_entry(revocation), PAIRED_SUSPENSION: suspension.list_url}


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
    """The class terms (capitalised; the context's other terms are properties, such as `saltedDigest`)."""
    return {k for k in _skills_context()["@context"] if k[:1].isupper()}


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
        "credentialSubject": subject_of(draft.holder, draft.achievement, achievement),
    }
    if draft.valid_until is not None:
        vc["validUntil"] = iso(draft.valid_until)
    if draft.schema_url:
        vc["credentialSchema"] = [{"id": draft.schema_url, "type": "JsonSchema"}]
    if draft.status:
        vc["credentialStatus"] = _status_of(draft.status)
    if draft.terms_of_use:
        vc["termsOfUse"] = [{"id": draft.terms_of_use, "type": "IssuanceCertificate"}]
    return vc


def _status_of(entries: Sequence[StatusEntry]) -> dict[str, Any] | list[dict[str, Any]]:
    """OB 3.0 allows a single status object only: one entry as itself, an issuer's revocation and
    suspension pair (same list number and index) as one paired entry; anything else stays a (VCDM
    2.0) list."""
    purposes = sorted(entry.purpose for entry in entries)
    if purposes == ["revocation", "suspension"] and entries[0].index == entries[1].index:
        return paired_status_entry(entries)
    built = [status_entry(entry) for entry in entries]
    return built[0] if len(built) == 1 else built


def sign_vc2(vc: dict[str, Any], key: JWK, kid: str, alg: str = "ES256", loader: ContextLoader | None = None) -> str:
    """Secure `vc` as a `vc+jwt`: the checked credential is the payload, unchanged."""
    check_vc2(vc, loader)
    refuse_forbidden_claims(vc)
    return jwt.sign({"alg": alg, "typ": MEDIA_TYPE, "kid": kid}, vc, key)
