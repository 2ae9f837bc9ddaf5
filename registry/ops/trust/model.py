"""The trust room's data: what the trusted issuers registry records (links and their revisions),
what one chain read holds, and what a check answers (a report, link by link).

Pure data, importing nothing from the chain: the CLI, the verifier and the service name these
types without paying for the JSON-RPC and ABI machinery until they read the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from registry.ops.trust import shapes

if TYPE_CHECKING:
    from registry.formats.accreditation import ParsedAccreditation
    from registry.ops.registry import DidState

MAX_LINKS = 64
DEFAULT_VALIDITY = 365 * 24 * 3600  # of an accreditation, when no end is given
MAX_DEPTH = 8


class IssuerType(IntEnum):
    NONE = 0
    ROOT_TAO = 1
    TAO = 2
    TI = 3


class AttrStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REVOKED = 3


REASONS = {0: "unspecified", 1: "requirements no longer met", 2: "fraud", 3: "audit pending", 4: "audit passed"}


@dataclass(frozen=True)
class Revision:
    status: AttrStatus
    reason: int
    timestamp: int
    block: int


@dataclass(frozen=True)
class Position:
    """Where an on-chain event happened: its block, and its log's index in that block (None: not known)."""

    block: int
    log_index: int | None


class OrderUnknown(Exception):
    """An accreditation changed in the same block as the event in question, and the order of the two
    within that block could not be read."""

    def __init__(self, block: int) -> None:
        super().__init__(block)
        self.block = block


@dataclass(frozen=True)
class Link:
    did_hash: bytes
    attribute_id: bytes
    parent_did_hash: bytes
    parent_attribute_id: bytes
    root_did_hash: bytes
    body_hash: bytes
    issuer_type: IssuerType
    status: AttrStatus
    valid_from: int
    valid_until: int
    body_block: int
    revisions: tuple[Revision, ...]
    # Revoked for cause: the first second the accreditation is void, a time its revoker stated
    # (the revocation's `AttributeRevokedForCause` event); 0 for any other (an ordinary revocation
    # takes effect when it is made).
    cause_from: int = 0

    @property
    def key(self) -> tuple[bytes, bytes]:
        return self.did_hash, self.attribute_id

    @property
    def parent_key(self) -> tuple[bytes, bytes]:
        return self.parent_did_hash, self.parent_attribute_id

    def revision_at(
        self, at: int, position: Position | None = None, log_indexes: dict[tuple[bytes, bytes, int], int] | None = None
    ) -> Revision | None:
        """The revision in force at `at` (None: the attribute did not exist yet).

        With `position` (an on-chain event: an anchor), the revisions before it in the chain's own
        order count: earlier blocks, then, within its block, lower log indexes (`log_indexes`, by
        (did hash, attribute id, revision number)). A block holds many seconds' worth of nothing and
        a second may hold many blocks, so time alone cannot order them. A revision in the event's
        block whose log index is not known raises `OrderUnknown`.
        """
        current = None
        for number, revision in enumerate(self.revisions):
            if position is None:
                before = revision.timestamp <= at
            elif revision.block != position.block:
                before = revision.block < position.block
            else:
                index = (log_indexes or {}).get((self.did_hash, self.attribute_id, number))
                if index is None or position.log_index is None:
                    raise OrderUnknown(position.block)
                before = index < position.log_index
            if before:
                current = revision
        return current

    def revoked(self) -> Revision | None:
        return next((r for r in self.revisions if r.status is AttrStatus.REVOKED), None)

    def for_cause(self) -> Revision | None:
        """The revocation, when it was made for cause (`revokeForCauseSince`), else None."""
        return self.revoked() if self.cause_from else None


class BodyChecks:
    """Checked accreditation bodies, kept across chain reads by whoever owns this (a `Trust` takes
    its client's, which a service's per-request clients share): a service verifies one credential
    per request, each with a fresh read of the same chain. The key holds everything the check
    reads (the link, the body, the signer's key history), so a kept answer cannot go stale; the
    store is simply emptied when full."""

    MAX = 4096

    def __init__(self) -> None:
        self._results: dict[tuple[Any, ...], tuple[ParsedAccreditation | None, str]] = {}

    def __len__(self) -> int:
        return len(self._results)

    def get(self, key: tuple[Any, ...]) -> tuple[ParsedAccreditation | None, str] | None:
        return self._results.get(key)

    def put(self, key: tuple[Any, ...], result: tuple[ParsedAccreditation | None, str]) -> None:
        if len(self._results) >= self.MAX:
            self._results.clear()
        self._results[key] = result


@dataclass
class ChainData:
    """Everything read from the chain for one DID's accreditation chain."""

    did: str
    links: dict[tuple[bytes, bytes], Link]
    bodies: dict[tuple[bytes, bytes], str]
    documents: dict[bytes, DidState]
    names: dict[bytes, str] = field(default_factory=dict)
    checked: dict[tuple[bytes, bytes], tuple[ParsedAccreditation | None, str]] = field(default_factory=dict)
    # Log indexes of revisions, by (did hash, attribute id, revision number), read only for the
    # blocks where they decide an order (`Trust.read_revision_order`).
    revision_logs: dict[tuple[bytes, bytes, int], int] = field(default_factory=dict)
    revision_blocks_read: set[int] = field(default_factory=set)
    # Checked accreditation bodies across chain reads: the reading `Trust` passes its client's;
    # a chain built otherwise keeps its own.
    body_checks: BodyChecks = field(default_factory=BodyChecks, repr=False, compare=False)

    def same_second(self, timestamp: int) -> bool:
        """Does any revision share this second? Only then can the order within a second matter."""
        return any(r.timestamp == timestamp for link in self.links.values() for r in link.revisions)

    def of(self, did_hash_: bytes) -> list[Link]:
        return [link for link in self.links.values() if link.did_hash == did_hash_]

    def name(self, did_hash_: bytes) -> str:
        return self.names.get(did_hash_, "0x" + did_hash_.hex())


@dataclass
class LinkCheck:
    did: str
    attribute_id: str
    issuer_type: str
    ok: bool
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> shapes.LinkCheck:
        return {"did": self.did, "attribute_id": self.attribute_id, "issuer_type": self.issuer_type, "ok": self.ok,
                "message": self.message, "evidence": self.evidence}  # fmt: skip


@dataclass(frozen=True)
class LaterChange:
    """An accreditation on a path that held at the time in question and was revoked or suspended
    after it (and, suspended, is still): what was issued before stays valid. The same fact as the
    sentence `note`, which is also in `TrustReport.notes`, as data for whoever words it differently."""

    did: str  # the accredited party, as the chain names it
    issuer_type: str  # "TI", "TAO" or "Root TAO"
    attribute_id: str  # hex, no 0x
    status: AttrStatus  # REVOKED or SUSPENDED
    timestamp: int  # when the change was made (unix seconds, its block's time)
    block: int  # the block that made it
    note: str  # the sentence in `TrustReport.notes`
    reason: int = 0  # the change's reason code (REASONS)
    void_from: int | None = None  # revoked for cause: the first second it is void (None: an ordinary change)
    fact: str = ""  # `note` without what follows from it (a verifier under another policy words that itself)


@dataclass
class TrustReport:
    did: str
    at: str
    ok: bool
    summary: str
    path: list[LinkCheck]
    root: str | None = None
    trusted_root: bool | None = None
    notes: list[str] = field(default_factory=list)
    # The answer depends on an order on the chain that could not be read: neither ok nor refused.
    undetermined: bool = False
    # Accreditations on the path revoked or suspended after the time in question (each also a note).
    changed_later: list[LaterChange] = field(default_factory=list)

    @property
    def verdict(self) -> shapes.TrustVerdict:
        if self.undetermined:
            return "could not determine"
        return "trusted" if self.ok else "not trusted"

    @property
    def root_label(self) -> str:
        """The Root TAO as a sentence names it when no trust list names it: its DID and, when its
        onboarding record gives one, the name the root gave itself there, marked as such (the root
        signs its own onboarding accreditation: nobody else vouches for that name)."""
        root = str(self.root)
        end = self.path[-1] if self.path else None
        name = end.evidence.get("name") if end is not None and end.did == root else None
        return f'{root} (self-declared name "{name}", not from a trust list)' if isinstance(name, str) else root

    def to_json(self) -> shapes.TrustReport:
        return {
            "did": self.did,
            "at": self.at,
            "ok": self.ok,
            "verdict": self.verdict,
            "summary": self.summary,
            "root": self.root,
            "trustedRoot": self.trusted_root,
            "notes": self.notes,
            "path": [link.to_json() for link in self.path],
        }


@dataclass(frozen=True)
class Need:
    """What the child must be accredited for: a credential's types and schema, or a bare type."""

    types: tuple[str, ...]
    schema_id: str | None = None
    jurisdiction: str | None = None
