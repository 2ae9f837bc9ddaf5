"""The trusted issuers registry on one deployment: its writes (onboard roots, accredit, suspend,
reinstate, revoke) and its reads.

A check reads the whole chain in a fixed number of round trips, whatever the length of its
history: one `trustChainOf` view call returns every attribute on the way to the roots with all
their revisions, then one JSON-RPC batch fetches the accreditation JWTs (each a log query bounded
to the single block the TIR recorded) and the DID documents of everyone on the chain.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from registry.chain.client import Call, chain_time
from registry.errors import InputError
from registry.formats.accreditation import (
    Scope,
    attribute_url,
    build_accreditation,
    sign_accreditation,
)
from registry.formats.credential import iso
from registry.formats.did import check_did
from registry.formats.recognition import RECOGNITION_PURPOSE, RECOGNITION_TYPE
from registry.ops.registry import DidState, Registry, did_hash
from registry.ops.trust.bodies import check_body, names_in
from registry.ops.trust.evaluation import walk
from registry.ops.trust.history import party
from registry.ops.trust.lookups import Lookups, link_from_tuple
from registry.ops.trust.model import (
    DEFAULT_VALIDITY,
    MAX_LINKS,
    AttrStatus,
    BodyChecks,
    ChainData,
    IssuerType,
    Link,
)
from registry.ops.trust.scope import check_scope_syntax, grants_within, not_held

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from registry.keystore import Identity


class Trust(Lookups):
    """Trusted-issuers-registry operations on one deployment."""

    def __init__(self, registry: Registry, public_url: str) -> None:
        self.registry = registry
        self.client = registry.client
        self.public_url = public_url
        self.tir = registry.tir
        self.address = self.tir.address
        # Kept for as long as the client lives (a service's per-request clients share their base's).
        self.body_checks = self.client.kept("trust-body-checks", BodyChecks)

    def _tir(self, function: str, *args: Any) -> Call:
        return self.tir.call(function, *args)

    # -- writes ---------------------------------------------------------------------------

    def onboard_root(
        self, governance: LocalAccount, root: Identity, scopes: Sequence[Scope], valid_until: int,
        name: str | None = None,
    ) -> bytes:  # fmt: skip
        """Governance onboards `root` with the root's self-signed authorisation; returns the attribute id."""
        attribute_id = secrets.token_bytes(32)
        now = self.registry.signing_time()
        vc = build_accreditation(
            issuer=root.did, subject=root.did, issuer_type=IssuerType.ROOT_TAO, attribute_id=attribute_id,
            scopes=tuple(scopes), valid_from=now, valid_until=valid_until, issued_at=now, terms_of_use=None,
            subject_name=name,
        )  # fmt: skip
        body = sign_accreditation(vc, root.signing_key, root.kid, now)
        self.client.transact(
            governance, self._tir("onboardRoot", did_hash(root.did), attribute_id, body, 0, valid_until)
        )
        return attribute_id

    def accredit(
        self,
        parent: Identity,
        parent_attribute_id: bytes,
        child_did: str,
        child_type: IssuerType,
        scopes: Sequence[Scope],
        valid_until: int | None = None,
        name: str | None = None,
    ) -> bytes:
        """`parent` accredits `child_did` as a TAO or TI (`name`: its legal name, stated in the
        accreditation); returns the new attribute id.

        Nothing is sent that verification would later refuse: each scope must name its schema and
        jurisdiction as absolute URIs, be held by one of the parent's own accreditations in force
        now (its whole chain checked, a Root TAO's onboarding scope included), and the validity must
        end no later than that accreditation does. The link hangs under `parent_attribute_id` when
        that accreditation holds the scope, else under another of the parent's that does (the CLI
        passes the parent's first active one, whatever the scope). A parent attribute the contract
        itself refuses (unknown, not active, a TI's) is left to the contract to refuse in its words.

        `valid_until` None means the default: a year, or the parent's own end if that comes first.
        An end given explicitly and later than the parent's is refused.
        """
        if child_type not in (IssuerType.TAO, IssuerType.TI):
            raise InputError("an accreditation makes a TAO or a TI")
        check_did(child_did)
        if child_did == parent.did:  # its standing would rest on its own word, not on its accreditor's
            raise InputError(
                f"{parent.name} ({parent.did}) cannot accredit itself: its own accreditor (its parent) accredits "
                "it, as a TAO or a TI (`registry issuer history DID` shows who that is)"
            )
        check_scope_syntax(scopes)
        if valid_until is not None and valid_until <= int(time.time()):
            raise InputError(f"the accreditation's end {iso(valid_until)} is not in the future")
        default = valid_until is None
        wanted = int(time.time()) + DEFAULT_VALIDITY if valid_until is None else valid_until
        parent_attribute_id, until = self._parent_accreditation(
            parent, parent_attribute_id, scopes, wanted, cap=default
        )
        if for_recognition(scopes):
            self._check_recognition_body(parent.did, parent_attribute_id, child_type)
        return self._record_accreditation(parent, parent_attribute_id, child_did, child_type, scopes, until, name)

    def _check_recognition_body(self, parent_did: str, parent_attribute_id: bytes, child_type: IssuerType) -> None:
        """A recognition body is a TAO its Root TAO accredits itself (what the RecognitionRegistry and
        the verifier accept): refused, in one line, otherwise."""
        if child_type is not IssuerType.TAO:
            raise InputError(f"a recognition body ({RECOGNITION_TYPE}) is accredited as a TAO: pass --as tao")
        if self.attribute(parent_did, parent_attribute_id).issuer_type is not IssuerType.ROOT_TAO:
            raise InputError(f"only a Root TAO accredits a recognition body ({RECOGNITION_TYPE}): "
                             f"{parent_did} accredits under a TAO's accreditation")  # fmt: skip

    def _parent_accreditation(
        self, parent: Identity, attribute_id: bytes, scopes: Sequence[Scope], valid_until: int, *, cap: bool
    ) -> tuple[bytes, int]:
        """The parent accreditation a new link with `scopes` until `valid_until` can hang under
        (`attribute_id` by preference) and the link's end (`valid_until`, capped at the parent's own
        when `cap`); InputError, in one line, when none can."""
        now = self.registry.block_timestamp()
        chain = self.fetch([parent.did])[parent.did]
        parent_did, who = parent.did, party(chain, parent.did, parent.name)  # as messages name it
        given = chain.links.get((did_hash(parent_did), attribute_id))
        if (
            given is None
            or given.issuer_type not in (IssuerType.ROOT_TAO, IssuerType.TAO)
            or given.status is not AttrStatus.ACTIVE
            or not given.valid_from <= now < given.valid_until
        ):
            return attribute_id, valid_until  # the contract refuses it (UnknownAttribute, ParentNotActive, a TI's)
        own = [given] + [
            link
            for link in chain.of(did_hash(parent_did))
            if link.key != given.key and link.issuer_type in (IssuerType.ROOT_TAO, IssuerType.TAO)
        ]
        in_force: list[tuple[Link, tuple[Scope, ...]]] = []
        refusal = "it does not verify"
        for link in own:
            walked, _ = walk(chain, link, now, None, None)
            acc, _message = check_body(chain, link)
            if walked.ok and acc is not None:
                in_force.append((link, acc.scopes))
            elif link is given and not walked.ok:
                refusal = walked.summary
        if not in_force:
            raise InputError(f"{who}: its own accreditation is not in force now: {refusal}")
        covering = [link for link, held in in_force if grants_within(held, scopes)]
        if not covering:
            raise InputError(not_held(who, [s for _, held in in_force for s in held], scopes))
        chosen = next((link for link in covering if valid_until <= link.valid_until), None)
        if chosen is None:
            end = max(link.valid_until for link in covering)
            if cap:
                return next(link for link in covering if link.valid_until == end).attribute_id, end
            raise InputError(
                f"the accreditation would end on {iso(valid_until)}, later than the one {who} holds itself "
                f"(until {iso(end)}): give a validity end no later than that"
            )
        return chosen.attribute_id, valid_until

    def _record_accreditation(
        self,
        parent: Identity,
        parent_attribute_id: bytes,
        child_did: str,
        child_type: IssuerType,
        scopes: Sequence[Scope],
        valid_until: int,
        name: str | None = None,
    ) -> bytes:
        """Sign and send an accreditation as given, unchecked (`accredit` checks first). An accreditation
        for recognition decisions gets an attribute id that says so (`RECOGNITION_PURPOSE` first)."""
        attribute_id = secrets.token_bytes(32)
        if for_recognition(scopes):
            attribute_id = RECOGNITION_PURPOSE + attribute_id[len(RECOGNITION_PURPOSE) :]
        now = self.registry.signing_time()
        vc = build_accreditation(
            issuer=parent.did, subject=child_did, issuer_type=child_type, attribute_id=attribute_id,
            scopes=tuple(scopes), valid_from=now, valid_until=valid_until, issued_at=now,
            terms_of_use=attribute_url(self.public_url, parent.did, parent_attribute_id), subject_name=name,
        )  # fmt: skip
        body = sign_accreditation(vc, parent.signing_key, parent.kid, now)
        self.client.transact(
            parent.account,
            self._tir(
                "accredit", did_hash(parent.did), parent_attribute_id, did_hash(child_did), attribute_id,
                int(child_type), body, 0, valid_until,
            ),
        )  # fmt: skip
        return attribute_id

    def set_status(
        self, actor: Identity, child_did: str, attribute_id: bytes, status: AttrStatus, reason: int = 0
    ) -> dict[str, Any]:
        return self.client.transact(
            actor.account,
            self._tir(
                "setAttributeStatus", did_hash(actor.did), did_hash(child_did), attribute_id, int(status), reason
            ),
        )

    def revoke_for_cause(
        self, actor: Identity, child_did: str, attribute_id: bytes, since: int, reason: int = 2
    ) -> dict[str, Any]:
        """`actor`, which granted the accreditation, revokes it for cause (`reason`, by default 2:
        fraud): void from `since` (Unix seconds), a time it states, not from now. Refused in one
        line, before anything is sent, when `since` is later than the chain's newest block or before
        the accreditation began (the contract refuses both too, and everything else a revocation is
        refused for)."""
        link = self.attribute(child_did, attribute_id)
        head = self.registry.block_timestamp()
        if since > head:
            raise InputError(
                f"a revocation for cause reaches back, never forward: {iso(since)} is later than the chain's "
                f"newest block ({iso(head)}); give the date the cause began"
            )
        if link.issuer_type is not IssuerType.NONE and since < link.valid_from:
            raise InputError(
                f"{iso(since)} is before accreditation {attribute_id.hex()} of {child_did} began "
                f"({iso(link.valid_from)}): give a date within it"
            )
        call = self.tir.revoke_for_cause(did_hash(actor.did), did_hash(child_did), attribute_id, since, reason)
        return self.client.transact(actor.account, call)

    def set_root_status(
        self, governance: LocalAccount, root_did: str, attribute_id: bytes, status: AttrStatus, reason: int = 0
    ) -> dict[str, Any]:
        return self.client.transact(
            governance, self._tir("setRootStatus", did_hash(root_did), attribute_id, int(status), reason)
        )

    # -- reads ----------------------------------------------------------------------------

    def fetch(self, dids: Iterable[str]) -> dict[str, ChainData]:
        """Read the chains of several DIDs: one batch of view calls, then one batch of logs and documents.

        Through the client's per-head memo: a client pinned to one head (the service's) reads and
        checks a chain, its accreditation signatures included, once per block for every caller.
        """
        wanted = tuple(sorted(set(dids)))
        if not wanted:
            return {}
        return self.client.memo(("trust-chains", wanted), lambda: self._fetch(list(wanted)))

    def _fetch(self, dids: list[str]) -> dict[str, ChainData]:
        walks = self.client.call_many([self._tir("trustChainOf", did_hash(d), MAX_LINKS) for d in dids])
        per_did: dict[str, list[Link]] = {
            d: [link_from_tuple(raw) for raw in w[0]] for d, w in zip(dids, walks, strict=True)
        }
        links = {link.key: link for chain in per_did.values() for link in chain}
        hashes = sorted({h for link in links.values() for h in (link.did_hash, link.parent_did_hash) if any(h)}
                        | {did_hash(d) for d in dids})  # fmt: skip
        keys = sorted(links)
        requests = [
            self.client.logs_request(self.address, self.tir.body_topics(*k), links[k].body_block, links[k].body_block)
            for k in keys
        ]
        dids_binding = self.registry.dids
        for h in hashes:
            requests.extend(self.registry.client.call_request(c) for c in dids_binding.resolve_calls_by_hash(h))
        # In the same round trip, the date a revocation for cause reaches back to: its event, in the
        # block of the revocation (a revoked link has one revocation: revocation is final).
        revoked = [(k, r.block) for k in keys if (r := links[k].revoked()) is not None]
        requests.extend(self.client.logs_request(self.address, self.tir.for_cause_topics(*k), b, b) for k, b in revoked)
        results = self.client.batch(requests)
        for (k, _), logs in zip(revoked, results[len(requests) - len(revoked) :], strict=True):
            for log in logs:
                links[k] = replace(links[k], cause_from=chain_time(self.tir.void_from(log), "AttributeRevokedForCause"))
        bodies: dict[tuple[bytes, bytes], str] = {}
        for k, logs in zip(keys, results[: len(keys)], strict=True):
            for log in logs:
                body = self.tir.body_of(log)
                if hashlib.sha256(body.encode()).digest() == links[k].body_hash:
                    bodies[k] = body
        documents: dict[bytes, DidState] = {}
        rest = results[len(keys) :]
        for n, h in enumerate(hashes):
            registration = dids_binding.decode_output("registration", rest[2 * n])
            methods = dids_binding.decode_output("verificationMethods", rest[2 * n + 1])
            documents[h] = Registry.did_state("", registration, methods)
        names = names_in(dids, bodies.values())
        return {d: ChainData(d, links, bodies, documents, names, body_checks=self.body_checks) for d in dids}

    def read_revision_order(self, chain: ChainData, block: int) -> None:
        """Record in `chain` the log index of every revision made in `block`, so what changed in the
        same block as an anchor can be ordered against it (one log query for the whole block). A
        link whose logs there do not match its revisions one for one is left without: its order
        stays unknown, never guessed."""
        if block in chain.revision_blocks_read:
            return
        wanted = {
            link.key: [n for n, r in enumerate(link.revisions) if r.block == block] for link in chain.links.values()
        }
        wanted = {key: numbers for key, numbers in wanted.items() if numbers}
        if wanted:
            logs = self.client.request(*self.client.logs_request(self.address, self.tir.revised_topics(), block, block))
            found: dict[tuple[bytes, bytes], list[int]] = {}
            try:
                for log in sorted(logs, key=lambda entry: int(entry["logIndex"], 16)):
                    topics = [bytes.fromhex(str(t)[2:]) for t in log["topics"]]
                    if len(topics) >= 3:
                        found.setdefault((topics[1], topics[2]), []).append(int(log["logIndex"], 16))
            except (TypeError, KeyError, ValueError, AttributeError):  # not logs: the order stays unknown
                found = {}
            for key, numbers in wanted.items():
                indexes = found.get(key, [])
                if len(indexes) == len(numbers):
                    chain.revision_logs.update({(*key, n): i for n, i in zip(numbers, indexes, strict=True)})
        chain.revision_blocks_read.add(block)


def for_recognition(scopes: Iterable[Scope]) -> bool:
    """Does an accreditation with these scopes grant recognition decisions?"""
    return any(RECOGNITION_TYPE in scope.types for scope in scopes)
