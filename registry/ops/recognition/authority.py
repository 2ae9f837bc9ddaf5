"""A destination authority's recognition decisions on one deployment: publish, change, read.

Writes go through the client (so through the journal when one is attached, as every other write);
reads take a fixed number of round trips: the authority's decision ids, one batch of `decision`
calls, one batch of single-block log queries for their documents.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from registry.chain.client import Call
from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.frameworks import find_framework
from registry.formats.recognition import NO_END, RECOGNITION_PURPOSE, RECOGNITION_TYPE, DecisionDocument
from registry.keystore import Identity
from registry.ops.recognition.model import Decision, DecisionStatus, decision_from
from registry.ops.registry import Registry, did_hash
from registry.text import short_attribute


def check_outcome(document: DecisionDocument) -> None:
    """The framework and level a decision names must be one the package publishes."""
    framework = find_framework(document.outcome.framework)
    if framework is None:
        raise InputError(f"framework {document.outcome.framework[:80]!r} is not a published framework: name one "
                         "of `registry recognition frameworks` (its id or key)")  # fmt: skip
    if not framework.has_level(document.outcome.level):
        levels = ", ".join(name for name, _ in framework.levels)
        raise InputError(f"{framework.name} has no level {document.outcome.level!r} (its levels: {levels})")


class Recognition:
    """Recognition-registry operations on one deployment."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.client = registry.client
        self.contract = registry.recognition

    # -- writes ---------------------------------------------------------------------------

    def publish(self, authority: Identity, document: DecisionDocument, attribute_id: bytes | None = None) -> bytes:
        """Publish `document` as `authority`'s decision; returns its id. Everything the contract
        would refuse for a reason we can see is refused first, in one line."""
        self.client.transact(authority.account, self.publish_call(authority, document, attribute_id))
        return document.decision_id()

    def publish_new(self, authority: Identity, document: DecisionDocument) -> tuple[bytes, Decision | None]:
        """Publish `document` unless a decision of the same authority with the same scope, outcome,
        conditions and end is in force already: then nothing is written and that decision is returned
        beside its id. Checked holding the authority's writer lock (as the write itself), so two
        runs at once, or a rerun after a crash whose write landed, publish it once."""
        manager = self.client.tx_manager
        writing = manager.writing(authority.account, authority.name, authority) if manager else nullcontext()
        with writing:
            existing = self.in_force_like(document)
            if existing is not None:
                return existing.id, existing
            return self.publish(authority, document), None

    def in_force_like(self, document: DecisionDocument) -> Decision | None:
        """The authority's decision in force (or yet to start) that says what `document` says."""
        now = self.registry.block_timestamp()
        for found in self.decisions(document.authority):
            in_force = found.status is DecisionStatus.ACTIVE and found.valid_until > now
            if in_force and found.document is not None and _gist(found.document) == _gist(document):
                return found
        return None

    def publish_call(self, authority: Identity, document: DecisionDocument, attribute_id: bytes | None = None) -> Call:
        """The checked `publish` call (`publish` sends it; the bench reads its receipt)."""
        if document.authority != authority.did:
            raise InputError(f"the decision names authority {document.authority}, not {authority.did}: "
                             "an authority publishes only its own decisions")  # fmt: skip
        check_outcome(document)
        self.check_root(document.scope.root)
        self.check_issuers(document.scope.issuers, document.scope.root)
        until = document.valid_until if document.valid_until is not None else NO_END
        if until <= int(time.time()):
            raise InputError("the decision's validUntil is in the past: it would never apply")
        attribute = attribute_id if attribute_id is not None else self.authority_attribute(authority.did)
        return self.contract.publish(did_hash(authority.did), attribute, document.text(), document.valid_from, until)

    def set_status(
        self, authority: Identity, decision_id: bytes, status: DecisionStatus, reason: int
    ) -> dict[str, Any]:
        call = self.contract.set_decision_status(did_hash(authority.did), decision_id, int(status), reason)
        return self.client.transact(authority.account, call)

    def check_root(self, root: str) -> None:
        """The scope's root must be a Root TAO of this registry (onboarded, whatever its status now):
        a decision under a mistyped or foreign DID would be published and apply to no credential."""
        from registry.ops.trust import IssuerType, Trust

        trust = Trust(self.registry, "")
        if not any(trust.attribute(root, a).issuer_type is IssuerType.ROOT_TAO for a in trust.attribute_ids(root)):
            raise InputError(f"the decision's root {root[:80]} is no Root TAO in this registry, so it would apply "
                             "to no credential: give the DID of the Root TAO the issuers are accredited under (as "
                             "`registry verify` or `registry issuer check` names it)")  # fmt: skip

    def check_issuers(self, issuers: tuple[str, ...], root: str) -> None:
        """Each issuer a scope names must be a well-formed DID holding an accreditation (whatever its
        status now) under the scope's root: a mistyped one would be published and apply to none of
        the credentials meant (it was, as a root's was before `check_root`)."""
        from registry.formats.did import check_party_did
        from registry.ops.trust import Trust

        if not issuers:
            return
        for did in issuers:
            check_party_did(did)
        chains = Trust(self.registry, "").fetch(issuers)
        for did in issuers:
            if not any(link.root_did_hash == did_hash(root) for link in chains[did].of(did_hash(did))):
                raise InputError(
                    f"the decision's issuer {did[:80]} holds no accreditation under its root {root[:80]} in this "
                    "registry, so it would apply to none of its credentials: give the DID of an issuer accredited "
                    "under that root (`registry issuer check DID` shows its root)"
                )

    def authority_attribute(self, did: str) -> bytes:
        """The authority's first accreditation that may publish now, as the contract decides: a Root
        TAO's onboarding, or a TAO's accreditation for recognition decisions by its Root TAO; active."""
        from registry.ops.trust import AttrStatus, Trust

        trust = Trust(self.registry, "")
        now = self.registry.block_timestamp()
        held = [link for link in (trust.attribute(did, a) for a in trust.attribute_ids(did)) if may_publish(link)]
        for link in held:
            if link.status is AttrStatus.ACTIVE and link.valid_from <= now < link.valid_until:
                return link.attribute_id
        if held:  # it holds one, not in force now: said so, not "ask to be accredited"
            link = held[-1]
            state = link.status.name.lower() if link.status is not AttrStatus.ACTIVE else "out of its validity"
            since = f" since {iso(link.revisions[-1].timestamp)}" if link.status is not AttrStatus.ACTIVE else ""
            held_id = short_attribute(link.attribute_id)
            raise InputError(f"{did}'s accreditation to publish recognition decisions ({held_id}) is {state}{since}: "
                             "it publishes only while that is in force (`registry issuer history DID` shows its "
                             "changes)")  # fmt: skip
        raise InputError(f"{did} holds no active Root TAO onboarding nor an accreditation for recognition decisions "
                         f"from a Root TAO: ask your Root TAO to accredit you as a TAO for {RECOGNITION_TYPE} "
                         f"(`registry trust accredit --as tao --types {RECOGNITION_TYPE}`)")  # fmt: skip

    # -- reads ----------------------------------------------------------------------------

    def ids(self, authority_did: str) -> list[bytes]:
        (ids,) = self.client.call(self.contract.decision_ids(did_hash(authority_did)))
        return [bytes(i) for i in ids]

    def ids_of(self, authority_dids: Sequence[str]) -> dict[str, list[bytes]]:
        """Each authority's decision ids, in one batch (where a shortened id is looked for)."""
        answers = self.client.call_many([self.contract.decision_ids(did_hash(did)) for did in authority_dids])
        return {did: [bytes(i) for i in ids] for did, (ids,) in zip(authority_dids, answers, strict=True)}

    def decisions(self, authority_did: str) -> list[Decision]:
        """Every decision of the authority, with its document and history, in publication order."""
        return self.read(self.ids(authority_did))

    def decision(self, decision_id: bytes) -> Decision:
        found = self.read([decision_id])[0]
        if found.status is DecisionStatus.NONE:
            raise InputError(f"there is no recognition decision 0x{decision_id.hex()} in this registry")
        return found

    def read(self, ids: Sequence[bytes]) -> list[Decision]:
        if not ids:
            return []
        answers = self.client.call_many([self.contract.decision(i) for i in ids])
        blocks = [int(raw[0][6]) for raw in answers]
        requests = [
            self.client.logs_request(self.contract.address, self.contract.document_topics(i), b, b)
            for i, b in zip(ids, blocks, strict=True)
            if b
        ]
        results = iter(self.client.batch(requests))
        found = []
        for decision_id, (raw, revisions) in zip(ids, answers, strict=True):
            logs: list[Any] = next(results) if raw[6] else []
            texts = [self._text(log) for log in logs if isinstance(log, dict)]
            text = next((t for t in texts if t is not None and _hash(t) == decision_id), None)
            found.append(decision_from(decision_id, raw, revisions, text))
        return found

    def legal_names(self, dids: Sequence[str]) -> dict[str, str]:
        """The legal name each of these DIDs (and each DID of their accreditation chains) has in its
        accreditations (`trust onboard-root --name`, `trust accredit --name`), as `issuer check` reads
        it: one chain read. Names are a courtesy: a DID without one, or a read that fails, names nobody."""
        from registry.errors import RegistryError
        from registry.ops.trust import Trust, legal_names

        wanted = sorted({d for d in dids if isinstance(d, str) and d.startswith("did:ebsi:")})
        try:
            chains = Trust(self.registry, "").fetch(wanted)
        except RegistryError:
            return {}
        return legal_names(chains[wanted[0]]) if wanted else {}

    def _text(self, log: dict[str, Any]) -> str | None:
        try:
            return self.contract.document_of(log)
        except Exception:  # a log that is not one of ours (a lying node): no text, never a crash
            return None


def may_publish(link: Any) -> bool:
    """The contract's rule (RecognitionRegistry `_requireAuthority`), status aside: a Root TAO's
    onboarding, or a TAO accredited by its Root TAO under an attribute id for recognition."""
    from registry.ops.trust import IssuerType

    if link.issuer_type is IssuerType.ROOT_TAO:
        return True
    return bool(
        link.issuer_type is IssuerType.TAO
        and link.parent_did_hash == link.root_did_hash
        and link.attribute_id.startswith(RECOGNITION_PURPOSE)
    )


def _gist(document: DecisionDocument) -> tuple[Any, ...]:
    """What a decision decides (its start and file reference aside)."""
    return (document.authority, document.scope, document.outcome, document.conditions, document.valid_until)


def _hash(text: str) -> bytes:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).digest()
