"""The recognition registry (`contracts/interfaces/IRecognitionRegistry.sol`) in Python.

Calls only: the decision documents live in `registry.formats.recognition`, the operations (publish,
change status, read an authority's decisions, apply them to a verified credential) in
`registry.ops.recognition`.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, ClassVar

from registry.chain.client import Call
from registry.contracts.base import Binding, bytes32_topic

if TYPE_CHECKING:
    from registry.chain.client import ChainClient


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


class RecognitionEffects:
    """Whether a recognition-registry write is already on-chain (the journal's effect check): a
    `publish` is, once a decision with its document's id exists; a status change cannot be told
    from the state (suspended, reinstated, suspended again look alike), so it is not answered."""

    def __init__(self, client: ChainClient) -> None:
        self.client = client

    def done(self, call: Call) -> bool | None:
        if call.function != "publish" or len(call.args) < 3 or not isinstance(call.args[2], str):
            return None
        decision_id = hashlib.sha256(call.args[2].encode("utf-8")).digest()
        decision, _ = self.client.call(RecognitionRegistry(call.address).decision(decision_id))
        return int(decision[3]) != 0
