"""The trusted issuers registry (`contracts/interfaces/ITrustedIssuersRegistry.sol`) in Python.

Calls only: the accreditation model and its evaluation live in `registry.ops.trust`, which reads
and writes through this binding.
"""

from __future__ import annotations

from typing import Any, ClassVar

from registry.chain.client import Call
from registry.contracts.base import Binding, bytes32_topic


class TrustedIssuersRegistry(Binding):
    NAME: ClassVar[str] = "TrustedIssuersRegistry"
    ALREADY_DONE: ClassVar[frozenset[str]] = frozenset({"AttributeExists"})

    # -- writes -------------------------------------------------------------------------------

    def accredit(
        self, parent: bytes, parent_attribute: bytes, child: bytes, attribute_id: bytes, child_type: int, body: str,
        valid_from: int, valid_until: int,
    ) -> Call:  # fmt: skip
        return self.call("accredit", parent, parent_attribute, child, attribute_id, child_type, body, valid_from,
                         valid_until)  # fmt: skip

    def set_attribute_status(self, actor: bytes, didhash: bytes, attribute_id: bytes, status: int, reason: int) -> Call:
        return self.call("setAttributeStatus", actor, didhash, attribute_id, status, reason)

    def revoke_for_cause(self, actor: bytes, didhash: bytes, attribute_id: bytes, since: int, reason: int) -> Call:
        """Revoke an accreditation for cause, void from `since` (Unix seconds, stated by the revoker)."""
        return self.call("revokeForCauseSince", actor, didhash, attribute_id, since, reason)

    # -- reads --------------------------------------------------------------------------------

    def issuer_count(self) -> Call:
        return self.call("issuerCount")

    def issuers_page(self, start: int, count: int) -> Call:
        return self.call("issuersPage", start, count)

    def attribute_ids(self, didhash: bytes) -> Call:
        return self.call("attributeIds", didhash)

    def attribute(self, didhash: bytes, attribute_id: bytes) -> Call:
        return self.call("attribute", didhash, attribute_id)

    def trust_chain_of(self, didhash: bytes, max_links: int) -> Call:
        return self.call("trustChainOf", didhash, max_links)

    # -- events -------------------------------------------------------------------------------

    def body_topics(self, didhash: bytes, attribute_id: bytes) -> list[str | None]:
        """The topics of an attribute's `AttributeBody` event (the accreditation JWT lives there)."""
        return [self.topic("AttributeBody"), bytes32_topic(didhash), bytes32_topic(attribute_id)]

    def body_of(self, log: dict[str, Any]) -> str:
        return str(self.decode_event("AttributeBody", log)["body"])

    def for_cause_topics(self, didhash: bytes, attribute_id: bytes) -> list[str | None]:
        """The topics of an attribute's `AttributeRevokedForCause` event (the date it is void from)."""
        return [self.topic("AttributeRevokedForCause"), bytes32_topic(didhash), bytes32_topic(attribute_id)]

    def void_from(self, log: dict[str, Any]) -> int:
        """The date an `AttributeRevokedForCause` event says the accreditation is void from."""
        return int(self.decode_event("AttributeRevokedForCause", log)["effectiveFrom"])

    def revised_topics(self) -> list[str | None]:
        """The topics of every `AttributeRevised` event (filter a block range with them)."""
        return [self.topic("AttributeRevised")]
