"""The assurance of a work-experience attestation (issue #17), in place of an accreditation.

An employer attesting work need not be an accredited awarding body: its attestation is genuine
when its DID is registered in the DID registry (the `issuer DID` check, which an unregistered
organisation fails: not valid), the key that signed it was its assertion key, its hash is anchored
by one of its controllers and it is not revoked. No accreditation chain and so no trust-list root
applies; the `assurance` check says so, so a reader never takes it for an accredited qualification.
Registration in the DID registry is open to any organisation that controls its keys: the
employer's name in the attestation is its own word.

Only a credential that is nothing but an attestation is read so: one that also claims a skills
credential type (SkillsCredential, RPLAssessmentCredential, ...) needs the accreditation as always.
"""

from __future__ import annotations

from typing import Any

from registry.formats.accreditation import GENERIC_TYPES
from registry.formats.rpl import ATTESTATION_TYPE
from registry.ops.verify.report import Code, Outcome, Row

ASSURANCE = "registered organisation"
_ROW: Row = (
    Code.ASSURANCE,
    Outcome.PASS,
    "a work-experience attestation by a registered organisation (its DID is in the DID registry), not an "
    "accredited awarding body: no accreditation chain, no trust-list root",
    {"assurance": ASSURANCE},
)


def is_attestation(types: tuple[str, ...] | list[str]) -> bool:
    return ATTESTATION_TYPE in types and not (set(types) - GENERIC_TYPES - {ATTESTATION_TYPE})


def assurance_row() -> Row:
    """The row (shared by every attestation: never changed in place)."""
    return _ROW


def unvouched_row(issuer: str, named_registry: str | None, trust_list: Any, require_trusted_root: bool) -> Row | None:
    """A failed `trusted root` row for an attestation in a registry the verifier does not vouch for
    (None: it does). An attestation has no root to pin, so in a registry only the file names (not the
    verifier's own deployment) it counts only where the trust list pins some root, as the verifier's
    acceptance of that deployment: anyone can deploy these contracts and register there a DID string
    that belongs to someone else in the registry the verifier knows."""
    if named_registry is None or (trust_list is not None and trust_list.roots):
        return None
    if trust_list is None and not require_trusted_root:  # a library caller that takes any root takes this too
        return None
    whose = trust_list.name if trust_list is not None else "you (no trust list)"
    return (
        Code.TRUSTED_ROOT, Outcome.FAIL,
        f"a work-experience attestation lives in the registry its file names ({named_registry}), to which "
        f"{whose} pins no root: anyone can deploy these contracts and register any DID in their copy, so "
        f"nothing shows that {issuer} is the organisation of that DID elsewhere (if you accept this registry, "
        "pin a root to it: `registry trust-list add DID --registry DEPLOYMENT.json`, with its deployment file)",
        {"registry": named_registry},
    )  # fmt: skip
