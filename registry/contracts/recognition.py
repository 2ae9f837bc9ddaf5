"""The recognition registry (`contracts/interfaces/IRecognitionRegistry.sol`) in Python.

Calls only: the decision documents live in `registry.formats.recognition`, the operations (publish,
change status, read an authority's decisions, apply them to a verified credential) in
`registry.ops.recognition`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from registry.chain.client import Call
from registry.contracts.base import Binding, bytes32_topic


class RecognitionRegistry(Binding):
    NAME: ClassVar[str] = "RecognitionRegistry"
    ALREADY_DONE: ClassVar[frozenset[str]] = frozenset({"DecisionExists"})

    # -- writes -------------------------------------------------------------------------------

    def publish(self, authority: bytes, attribute_id: bytes, document: str, valid_from: int, valid_until: int) -> Call:
        return self.call("publish", authority, attribute_id, document, valid_from, valid_until)

    def set_decision_status(self, authority: bytes, decision_id: bytes, status: int, reason: int) -> Call:
        return self.call("setDecisionStatus", authority, decision_id, status, reason)

    # -- reads --------------------------------------------------------------------------------

    def decision_ids(self, authority: bytes) -> Call:
        return self.call("decisionIds", authority)

    def decision(self, decision_id: bytes) -> Call:
        return self.call("decision", decision_id)

    # -- events -------------------------------------------------------------------------------

    def document_topics(self, decision_id: bytes) -> list[str | None]:
        """The topics of a decision's `DecisionDocument` event (its JSON text lives there)."""
        return [self.topic("DecisionDocument"), bytes32_topic(decision_id)]

    def document_of(self, log: dict[str, Any]) -> str:
        return str(self.decode_event("DecisionDocument", log)["document"])
