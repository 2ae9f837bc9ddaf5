"""A recognition decision as the chain holds it, with its document and its status history."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from registry.chain.client import chain_time, enum_member
from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.frameworks import find_framework
from registry.formats.recognition import DecisionDocument, parse_decision_text

REASONS = {
    0: "unspecified",
    1: "superseded by a newer decision",
    2: "published in error",
    3: "under review",
    4: "review closed",
    5: "the national qualification was withdrawn",
}
REASON_WORDS = {"unspecified": 0, "superseded": 1, "error": 2, "review": 3, "reviewed": 4, "withdrawn": 5}


class DecisionStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REVOKED = 3


@dataclass(frozen=True)
class DecisionRevision:
    status: DecisionStatus
    reason: int
    timestamp: int
    block: int

    @property
    def event(self) -> str:
        return {DecisionStatus.ACTIVE: "published", DecisionStatus.SUSPENDED: "suspended",
                DecisionStatus.REVOKED: "revoked"}.get(self.status, "?")  # fmt: skip

    def to_json(self, first: bool) -> dict[str, Any]:
        event = "reinstated" if self.status is DecisionStatus.ACTIVE and not first else self.event
        return {"event": event, "at": iso(self.timestamp), "block": self.block, "reason": self.reason,
                "reason_text": REASONS.get(self.reason, f"reason {self.reason}")}  # fmt: skip


@dataclass(frozen=True)
class Decision:
    id: bytes
    authority_hash: bytes
    attribute_id: bytes
    root_hash: bytes
    status: DecisionStatus
    valid_from: int
    valid_until: int
    document_block: int
    revisions: tuple[DecisionRevision, ...]
    document: DecisionDocument | None = None  # None: its text could not be read or did not match

    @property
    def published(self) -> int:
        return self.revisions[0].timestamp if self.revisions else 0

    def status_at(self, at: int) -> DecisionStatus:
        """The status as of `at` from the history (NONE: not yet published then)."""
        status = DecisionStatus.NONE
        for revision in self.revisions:
            if revision.timestamp > at:
                break
            status = revision.status
        return status

    def not_applying(self, at: int) -> str | None:
        """Why the decision does not apply at `at` (None: it does, scope aside)."""
        status = self.status_at(at)
        if status is DecisionStatus.NONE:
            return f"not yet published on {iso(at)}"
        if status is not DecisionStatus.ACTIVE:
            last = [r for r in self.revisions if r.timestamp <= at][-1]
            return f"{last.event} on {iso(last.timestamp)} ({REASONS.get(last.reason, f'reason {last.reason}')})"
        if at < self.valid_from:
            return f"applies only from {iso(self.valid_from)}"
        if at >= self.valid_until:
            return f"applied until {iso(self.valid_until)}"
        return None

    def outcome_words(self) -> str:
        """ "Q (level N of F)" """
        if self.document is None:
            return "an unreadable decision"
        outcome = self.document.outcome
        framework = find_framework(outcome.framework)
        name = framework.name if framework is not None else f"framework {outcome.framework}"
        return f"{outcome.qualification} (level {outcome.level} of {name})"

    def to_json(self) -> dict[str, Any]:
        doc = self.document
        framework = find_framework(doc.outcome.framework) if doc is not None else None
        return {
            "id": "0x" + self.id.hex(),
            "status": self.status.name.lower(),
            "published": iso(self.published),
            "valid_from": iso(self.valid_from),
            "valid_until": iso(self.valid_until),
            "qualification": doc.outcome.qualification if doc else None,
            "framework": doc.outcome.framework if doc else None,
            "framework_name": framework.name if framework else None,
            "level": doc.outcome.level if doc else None,
            "conditions": doc.conditions if doc else None,
            "document": doc.to_json() if doc else None,
            "history": [r.to_json(n == 0) for n, r in enumerate(self.revisions)],
        }

    def named_json(self, names: Mapping[str, str]) -> dict[str, Any]:
        """`to_json` with the parties it names and their legal names, where the registry knows them."""
        data = self.to_json()
        scope = self.document.scope if self.document is not None else None
        data["authority"] = self.document.authority if self.document is not None else None
        data["authority_name"] = names.get(data["authority"] or "")
        data["root"] = scope.root if scope is not None else None
        data["root_name"] = names.get(data["root"] or "")
        data["issuer_names"] = {d: names[d] for d in (scope.issuers if scope is not None else ()) if d in names}
        return data


def decision_from(decision_id: bytes, raw: Sequence[Any], revisions: Sequence[Any], text: str | None) -> Decision:
    """A `decision(id)` answer and the document text found in its block, as a Decision."""
    document = None
    if text is not None and hashlib.sha256(text.encode("utf-8")).digest() == decision_id:
        try:
            document = parse_decision_text(text, f"decision 0x{decision_id.hex()[:12]}")
        except InputError:
            document = None
    return Decision(
        id=decision_id,
        authority_hash=bytes(raw[0]),
        attribute_id=bytes(raw[1]),
        root_hash=bytes(raw[2]),
        status=enum_member(DecisionStatus, raw[3]),
        valid_from=int(raw[4]),
        valid_until=int(raw[5]),
        document_block=int(raw[6]),
        revisions=tuple(
            DecisionRevision(enum_member(DecisionStatus, r[0]), int(r[1]), chain_time(int(r[2]), "eth_call"), int(r[3]))
            for r in revisions
        ),
        document=document,
    )
