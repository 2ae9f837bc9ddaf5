"""An issuer's accreditation history: every revision the trusted issuers registry keeps for each of
its accreditations (granted, suspended, reinstated, revoked), with its time, block, reason and the
party that made it. Pure: it reads a `ChainData` (one `Trust.fetch`), so `registry issuer
history` and the service's revisions route tell the same story from the same read.

Who made a change follows from the contract's rules, not from a guess: an accreditation is granted,
suspended, reinstated and revoked by the party that granted it (`setAttributeStatus` requires a
controller of the attribute's parent), and a Root TAO's onboarding by the registry's governance
(`onboardRoot`, `setRootStatus`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.formats.accreditation import ISSUER_TYPES
from registry.formats.credential import iso
from registry.ops.trust.bodies import check_body
from registry.ops.trust.model import REASONS, AttrStatus, ChainData, IssuerType, Link, Revision

GOVERNANCE = "the registry's governance"


@dataclass(frozen=True)
class Change:
    """One revision of one accreditation."""

    revision: int  # 1 for the grant, then each change in order
    change: str  # accredited, onboarded, suspended, reinstated, revoked
    status: AttrStatus
    reason: int
    timestamp: int
    block: int
    actor: str  # the DID that made it, or GOVERNANCE
    actor_name: str | None  # how the verifier knows it (its trust list, its own identities)
    # When it took effect: when it was made (`timestamp`), but for a revocation for cause, the
    # earlier date its revoker stated, from which the accreditation is void.
    effective_from: int | None = None

    @property
    def effective(self) -> int:
        return self.timestamp if self.effective_from is None else self.effective_from

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, f"reason {self.reason}")  # as timing.accreditation_reason words it

    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "change": self.change,
            "status": self.status.name.lower(),
            "reason": self.reason,
            "reasonText": self.reason_text,
            "timestamp": iso(self.timestamp),
            "effectiveFrom": iso(self.effective),
            "blockNumber": self.block,
            "actor": self.actor,
            "actorName": self.actor_name,
        }


@dataclass(frozen=True)
class AccreditationRecord:
    """One accreditation the DID holds, with its revisions oldest first."""

    attribute_id: str  # hex, no 0x
    issuer_type: str  # "TI", "TAO" or "RootTAO"
    granted_by: str  # the parent's DID, or GOVERNANCE for a Root TAO
    valid_from: int
    valid_until: int
    changes: tuple[Change, ...]

    @property
    def status(self) -> AttrStatus:
        return self.changes[-1].status if self.changes else AttrStatus.NONE

    def to_json(self) -> dict[str, Any]:
        return {
            "attributeId": self.attribute_id,
            "issuerType": self.issuer_type,
            "grantedBy": self.granted_by,
            "validFrom": iso(self.valid_from),
            "validUntil": iso(self.valid_until),
            "status": self.status.name.lower(),
            "revisions": [c.to_json() for c in self.changes],
        }


def _word(number: int, revision: Revision, root: bool, for_cause: bool) -> str:
    if number == 0:
        return "onboarded" if root else "accredited"
    if revision.status is AttrStatus.ACTIVE:
        return "reinstated"
    return "revoked for cause" if for_cause else revision.status.name.lower()


def legal_names(chain: ChainData) -> dict[str, str]:
    """The legal name each DID of the chain read has in its accreditations (`trust accredit --name`,
    `trust onboard-root --name`): in the accreditation credential its parent signed, checked as a
    verification checks it. A DID accredited more than once under different names keeps its latest."""
    names: dict[str, str] = {}
    for link in sorted(chain.links.values(), key=lambda link: link.revisions[0].block if link.revisions else 0):
        acc, _ = check_body(chain, link)
        if acc is not None and acc.subject_name:
            names[chain.name(link.did_hash)] = acc.subject_name
    return names


def party(chain: ChainData, did: str, local: str | None = None) -> str:
    """A party of `chain` as messages name it: the legal name its accreditation states (else `local`,
    its name in this home) beside its DID shortened (registry/text.py)."""
    from registry.text import named_did

    return named_did(did, legal_names(chain).get(did) or local)


def changes_of(chain: ChainData, link: Link, names: Mapping[str, str] | None = None) -> tuple[Change, ...]:
    """Every revision of `link`, oldest first, each with the party that made it; a revocation for
    cause with the date it reaches back to."""
    root = link.issuer_type is IssuerType.ROOT_TAO
    actor = GOVERNANCE if root else chain.name(link.parent_did_hash)
    name = None if root else (names or {}).get(actor)
    cause = link.for_cause()
    changes = []
    for n, r in enumerate(link.revisions):
        effective = link.cause_from if r is cause else None
        word = _word(n, r, root, r is cause)
        changes.append(Change(n + 1, word, r.status, r.reason, r.timestamp, r.block, actor, name, effective))
    return tuple(changes)


def accreditation_history(
    chain: ChainData, did_hash_: bytes, names: Mapping[str, str] | None = None
) -> list[AccreditationRecord]:
    """Every accreditation the DID (by hash) holds, in the order it was granted, with its revisions."""
    links = sorted(chain.of(did_hash_), key=lambda link: link.revisions[0].block if link.revisions else 0)
    return [
        AccreditationRecord(
            link.attribute_id.hex(),
            ISSUER_TYPES.get(int(link.issuer_type), "?"),
            GOVERNANCE if link.issuer_type is IssuerType.ROOT_TAO else chain.name(link.parent_did_hash),
            link.valid_from,
            link.valid_until,
            changes_of(chain, link, names),
        )
        for link in links
    ]
