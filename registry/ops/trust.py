"""The accreditation chain: write it (onboard roots, accredit, suspend, reinstate, revoke) and
check it end to end for a cross-border authority.

A check reads the whole chain in a fixed number of round trips, whatever the length of its
history: one `trustChainOf` view call returns every attribute on the way to the roots with all
their revisions, then one JSON-RPC batch fetches the accreditation JWTs (each a log query bounded
to the single block the TIR recorded) and the DID documents of everyone on the chain.

Each link is then checked as EBSI's own verifier library does not: the accreditation's signature
against the parent's key valid when it signed, its subject and attribute id, its place in the
chain (termsOfUse), its scope against what the parent holds and what the child uses, its
validity period, and its status *at the time in question* from the append-only revisions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from registry.chain.client import Call, contract_abi, enum_member
from registry.errors import InputError
from registry.files import MIB, read_capped
from registry.formats import jwt, safejson
from registry.formats.accreditation import (
    ISSUER_TYPES,
    ParsedAccreditation,
    Scope,
    attribute_url,
    build_accreditation,
    parse_accreditation,
    sign_accreditation,
)
from registry.formats.credential import iso
from registry.formats.did import check_did
from registry.keystore import Identity
from registry.ops.registry import DidState, Registry, Rel, did_hash

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

MAX_LINKS = 64
MAX_TRUST_LIST_BYTES = MIB
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

    @property
    def verdict(self) -> str:
        if self.undetermined:
            return "could not determine"
        return "trusted" if self.ok else "not trusted"

    def to_json(self) -> dict[str, Any]:
        return {
            "did": self.did,
            "at": self.at,
            "ok": self.ok,
            "verdict": self.verdict,
            "summary": self.summary,
            "root": self.root,
            "trustedRoot": self.trusted_root,
            "notes": self.notes,
            "path": [vars(link) for link in self.path],
        }


@dataclass(frozen=True)
class TrustList:
    """The roots a verifying authority accepts, from a file it controls (or given some other way).

    `source` is the file's path, or a label naming where the roots came from; `name` is how the
    verifier's sentences call the list.
    """

    roots: frozenset[str]
    source: str
    from_file: bool = False

    @property
    def name(self) -> str:
        """The list as a noun phrase: "the trust list roots.json" for a file; a label that already
        reads as one ("the request's trust list") as it is, any other label after "the trust list"."""
        if not self.from_file and "trust list" in self.source.lower():
            return self.source
        return f"the trust list {self.source}"

    @classmethod
    def load(cls, path: Path) -> TrustList:
        raw = read_capped(path, MAX_TRUST_LIST_BYTES, f"trust list {path}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"trust list {path} is not UTF-8 text") from exc
        roots: list[str] = []
        stripped = text.strip()
        if stripped.startswith(("{", "[")):  # JSON: {"roots": [...]} or the list itself
            data = safejson.loads(stripped, f"trust list {path}")
            entries = data.get("roots") if isinstance(data, dict) else data
            if not isinstance(entries, list):
                raise InputError(f"trust list {path} has no `roots` list")
            for entry in entries:
                did = entry.get("did") if isinstance(entry, dict) else entry
                if not isinstance(did, str):
                    raise InputError(f"trust list {path}: every root needs a DID")
                roots.append(did)
        else:
            roots = [line.split("#", 1)[0].strip() for line in text.splitlines()]
            roots = [r for r in roots if r]
        if not roots:
            raise InputError(f"trust list {path} names no root: it would refuse every issuer")
        for did in roots:
            check_did(did)
        return cls(frozenset(roots), str(path), from_file=True)


@dataclass(frozen=True)
class Need:
    """What the child must be accredited for: a credential's types and schema, or a bare type."""

    types: tuple[str, ...]
    schema_id: str | None = None
    jurisdiction: str | None = None


def _link_from_tuple(raw: Sequence[Any]) -> Link:
    did_h, attr_id, attribute, revisions = raw
    return Link(
        did_hash=bytes(did_h),
        attribute_id=bytes(attr_id),
        parent_did_hash=bytes(attribute[0]),
        parent_attribute_id=bytes(attribute[1]),
        root_did_hash=bytes(attribute[2]),
        body_hash=bytes(attribute[3]),
        issuer_type=enum_member(IssuerType, attribute[4]),
        status=enum_member(AttrStatus, attribute[5]),
        valid_from=int(attribute[6]),
        valid_until=int(attribute[7]),
        body_block=int(attribute[8]),
        revisions=tuple(Revision(enum_member(AttrStatus, r[0]), int(r[1]), int(r[2]), int(r[3])) for r in revisions),
    )


class Trust:
    """Trusted-issuers-registry operations on one deployment."""

    def __init__(self, registry: Registry, public_url: str) -> None:
        self.registry = registry
        self.client = registry.client
        self.public_url = public_url
        self.address = registry.deployment.address("TrustedIssuersRegistry")

    def _tir(self, function: str, *args: Any) -> Call:
        return Call(self.address, "TrustedIssuersRegistry", function, args)

    # -- writes ---------------------------------------------------------------------------

    def onboard_root(
        self, governance: LocalAccount, root: Identity, scopes: Sequence[Scope], valid_until: int
    ) -> bytes:
        """Governance onboards `root` with the root's self-signed authorisation; returns the attribute id."""
        attribute_id = secrets.token_bytes(32)
        now = self.registry.signing_time()
        vc = build_accreditation(
            issuer=root.did, subject=root.did, issuer_type=IssuerType.ROOT_TAO, attribute_id=attribute_id,
            scopes=tuple(scopes), valid_from=now, valid_until=valid_until, issued_at=now, terms_of_use=None,
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
    ) -> bytes:
        """`parent` accredits `child_did` as a TAO or TI; returns the new attribute id.

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
        _check_scope_syntax(scopes)
        if valid_until is not None and valid_until <= int(time.time()):
            raise InputError(f"the accreditation's end {iso(valid_until)} is not in the future")
        default = valid_until is None
        wanted = int(time.time()) + DEFAULT_VALIDITY if valid_until is None else valid_until
        parent_attribute_id, until = self._parent_accreditation(
            parent.did, parent_attribute_id, scopes, wanted, cap=default
        )
        return self._record_accreditation(parent, parent_attribute_id, child_did, child_type, scopes, until)

    def _parent_accreditation(
        self, parent_did: str, attribute_id: bytes, scopes: Sequence[Scope], valid_until: int, *, cap: bool
    ) -> tuple[bytes, int]:
        """The parent accreditation a new link with `scopes` until `valid_until` can hang under
        (`attribute_id` by preference) and the link's end (`valid_until`, capped at the parent's own
        when `cap`); InputError, in one line, when none can."""
        now = self.registry.block_timestamp()
        chain = self.fetch([parent_did])[parent_did]
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
            walked, _ = _walk(chain, link, now, None, None)
            acc, _message = _check_body(chain, link)
            if walked.ok and acc is not None:
                in_force.append((link, acc.scopes))
            elif link is given and not walked.ok:
                refusal = walked.summary
        if not in_force:
            raise InputError(f"{parent_did}'s own accreditation is not in force now: {refusal}")
        covering = [link for link, held in in_force if all(any(p.covers_scope(c) for p in held) for c in scopes)]
        if not covering:
            raise InputError(_not_held(parent_did, [s for _, held in in_force for s in held], scopes))
        chosen = next((link for link in covering if valid_until <= link.valid_until), None)
        if chosen is None:
            end = max(link.valid_until for link in covering)
            if cap:
                return next(link for link in covering if link.valid_until == end).attribute_id, end
            raise InputError(
                f"the accreditation would end on {iso(valid_until)}, later than {parent_did}'s own accreditation "
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
    ) -> bytes:
        """Sign and send an accreditation as given, unchecked (`accredit` checks first)."""
        attribute_id = secrets.token_bytes(32)
        now = self.registry.signing_time()
        vc = build_accreditation(
            issuer=parent.did, subject=child_did, issuer_type=child_type, attribute_id=attribute_id,
            scopes=tuple(scopes), valid_from=now, valid_until=valid_until, issued_at=now,
            terms_of_use=attribute_url(self.public_url, parent.did, parent_attribute_id),
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

    def set_root_status(
        self, governance: LocalAccount, root_did: str, attribute_id: bytes, status: AttrStatus, reason: int = 0
    ) -> dict[str, Any]:
        return self.client.transact(
            governance, self._tir("setRootStatus", did_hash(root_did), attribute_id, int(status), reason)
        )

    def attribute(self, did: str, attribute_id: bytes) -> Link:
        attribute, revisions = self.client.call(self._tir("attribute", did_hash(did), attribute_id))
        return _link_from_tuple((did_hash(did), attribute_id, attribute, revisions))

    def active_attribute(self, did: str) -> bytes:
        """The first of `did`'s accreditations that is active now (to accredit others under)."""
        now = self.registry.block_timestamp()
        for attribute_id in self.attribute_ids(did):
            link = self.attribute(did, attribute_id)
            if link.status is AttrStatus.ACTIVE and link.valid_from <= now < link.valid_until:
                return attribute_id
        raise InputError(f"{did} holds no active accreditation to accredit others under")

    def child_attribute(self, parent_did: str, child_did: str) -> bytes:
        """The one accreditation `parent_did` granted `child_did` (ambiguity is an error)."""
        granted = [
            a
            for a in self.attribute_ids(child_did)
            if self.attribute(child_did, a).parent_did_hash == did_hash(parent_did)
        ]
        if not granted:
            raise InputError(f"{parent_did} granted {child_did} no accreditation")
        if len(granted) > 1:
            ids = ", ".join(a.hex() for a in granted)
            raise InputError(
                f"{parent_did} granted {child_did} several accreditations; pass --attribute with one of {ids}"
            )
        return granted[0]

    def attribute_ids(self, did: str) -> list[bytes]:
        (ids,) = self.client.call(self._tir("attributeIds", did_hash(did)))
        return [bytes(i) for i in ids]

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
            d: [_link_from_tuple(raw) for raw in w[0]] for d, w in zip(dids, walks, strict=True)
        }
        links = {link.key: link for chain in per_did.values() for link in chain}
        hashes = sorted({h for link in links.values() for h in (link.did_hash, link.parent_did_hash) if any(h)}
                        | {did_hash(d) for d in dids})  # fmt: skip
        abi = contract_abi("TrustedIssuersRegistry")
        topic = abi.event_topic("AttributeBody")
        keys = sorted(links)
        requests = [
            self.client.logs_request(
                self.address, [topic, "0x" + k[0].hex(), "0x" + k[1].hex()], links[k].body_block, links[k].body_block
            )
            for k in keys
        ]
        for h in hashes:
            requests.extend(self.registry.client.call_request(c) for c in self._resolve_calls_by_hash(h))
        results = self.client.batch(requests)
        bodies: dict[tuple[bytes, bytes], str] = {}
        for k, logs in zip(keys, results[: len(keys)], strict=True):
            for log in logs:
                body = str(abi.decode_event("AttributeBody", log)["body"])
                if hashlib.sha256(body.encode()).digest() == links[k].body_hash:
                    bodies[k] = body
        documents: dict[bytes, DidState] = {}
        did_abi = contract_abi("DIDRegistry")
        rest = results[len(keys) :]
        for n, h in enumerate(hashes):
            registration = did_abi.decode_output("registration", rest[2 * n])
            methods = did_abi.decode_output("verificationMethods", rest[2 * n + 1])
            documents[h] = Registry.did_state("", registration, methods)
        names = {did_hash(d): d for d in dids}
        for body in bodies.values():
            try:
                parsed = parse_accreditation(body)
            except InputError:
                continue
            for text in (parsed.issuer, parsed.subject):
                names.setdefault(keccak(text=text), text)
        return {d: ChainData(d, links, bodies, documents, names) for d in dids}

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
            abi = contract_abi("TrustedIssuersRegistry")
            logs = self.client.request(
                *self.client.logs_request(self.address, [abi.event_topic("AttributeRevised")], block, block)
            )
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

    def _resolve_calls_by_hash(self, h: bytes) -> list[Call]:
        address = self.registry.did_address
        return [
            Call(address, "DIDRegistry", "registration", (h,)),
            Call(address, "DIDRegistry", "verificationMethods", (h,)),
        ]


# -- what an accreditation may grant (checked before anything is sent) ----------------------

_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")


def _check_scope_syntax(scopes: Sequence[Scope]) -> None:
    if not scopes:
        raise InputError("an accreditation needs at least one scope")
    for scope in scopes:
        if not scope.types or not all(t.strip() for t in scope.types):
            raise InputError("every accreditation scope needs credential types")
        if scope.schema_id is not None and not _ABSOLUTE_URI.fullmatch(scope.schema_id):
            raise InputError(f"the schema id {scope.schema_id[:80]!r} is not an absolute URI (e.g. https://...)")
        if scope.jurisdiction is not None and not _ABSOLUTE_URI.fullmatch(scope.jurisdiction):
            raise InputError(
                f"the jurisdiction {scope.jurisdiction[:80]!r} is not an absolute URI "
                "(e.g. https://publications.europa.eu/resource/authority/atu/...)"
            )


def _not_held(parent_did: str, held: Sequence[Scope], wanted: Sequence[Scope]) -> str:
    """Why `held` (the parent's scopes in force) does not cover `wanted`, in one line."""
    held_types = sorted({t for s in held for t in s.types})
    for scope in wanted:
        if any(p.covers_scope(scope) for p in held):
            continue
        missing = [t for t in scope.types if t not in held_types]
        if missing:
            return (
                f"{parent_did} cannot accredit for {', '.join(missing)}: its own accreditation in force covers "
                f"only {', '.join(held_types)}"
            )
        holding = [p for p in held if set(scope.types) <= set(p.types)]
        if not holding:
            return (
                f"{parent_did} holds {', '.join(scope.types)} only in separate scopes: accredit for them in "
                "separate scopes too"
            )
        limits = "; or ".join(
            " and ".join(
                part
                for part in (
                    f"schema {p.schema_id}" if p.schema_id is not None else "",
                    f"jurisdiction {p.jurisdiction}" if p.jurisdiction is not None else "",
                )
                if part
            )
            for p in holding
        )
        return (
            f"{parent_did} holds {', '.join(scope.types)} only for {limits}: the accreditation must be limited "
            "the same way"
        )
    return f"no single accreditation of {parent_did} in force covers every scope: accredit for them one at a time"


# -- evaluation (pure: no chain access) ---------------------------------------------------


def _status_text(
    chain: ChainData, link: Link, at: int, position: Position | None = None
) -> tuple[bool, str, dict[str, Any]]:
    revision = link.revision_at(at, position, chain.revision_logs)
    # Within one second the block tells what came first: say it when the order came from the chain.
    when = iso(at) if position is None else f"{iso(at)} (block {position.block})"

    def on(r: Revision) -> str:
        return iso(r.timestamp) if position is None else f"{iso(r.timestamp)} (block {r.block})"

    evidence: dict[str, Any] = {"validFrom": iso(link.valid_from), "validUntil": iso(link.valid_until)}
    if revision is None:
        return False, f"not yet accredited on {when} (accredited {on(link.revisions[0])})", evidence
    if revision.status is AttrStatus.REVOKED:
        evidence.update(revokedAt=iso(revision.timestamp), block=revision.block)
        return False, f"accreditation revoked on {on(revision)}, before {when}", evidence
    if revision.status is AttrStatus.SUSPENDED:
        evidence.update(suspendedAt=iso(revision.timestamp), block=revision.block)
        return False, f"accreditation suspended on {on(revision)} and not reinstated by {when}", evidence
    if not link.valid_from <= at < link.valid_until:
        return False, f"accreditation not within its validity period on {when}", evidence
    later = link.revoked()
    if later is not None:
        evidence.update(revokedAt=iso(later.timestamp), block=later.block)
        return (
            True,
            f"active on {when}; revoked later, on {on(later)}, which does not reach back",
            evidence,
        )
    latest = link.revisions[-1] if link.revisions else None
    if latest is not None and latest.status is AttrStatus.SUSPENDED and latest is not revision:
        evidence.update(suspendedAt=iso(latest.timestamp), block=latest.block)
        return (
            True,
            f"active on {when}; suspended later, on {on(latest)}, and still suspended, which does not reach back",
            evidence,
        )
    return True, f"active on {when}", evidence


# Checked accreditation bodies, across chain reads (a service verifies one credential per request,
# each with a fresh read of the same chain). The key holds everything the check reads: the link,
# the body's hash, and the parent's key history. Key windows only shrink and never into the past,
# so the answer for an accreditation signed in the past cannot change while that key stays.
_BODY_CHECKS: dict[tuple[Any, ...], tuple[ParsedAccreditation | None, str]] = {}
_BODY_CHECKS_MAX = 4096


def _check_body(chain: ChainData, link: Link) -> tuple[ParsedAccreditation | None, str]:
    """A link's accreditation credential checked once (it does not depend on the time in question)."""
    if link.key in chain.checked:
        return chain.checked[link.key]
    signer_hash = link.did_hash if link.issuer_type is IssuerType.ROOT_TAO else link.parent_did_hash
    signer = chain.documents.get(signer_hash)
    key = (link, chain.bodies.get(link.key), signer.methods if signer else None, chain.names.get(signer_hash))
    result = _BODY_CHECKS.get(key)
    if result is None:
        result = _check_body_uncached(chain, link)
        if len(_BODY_CHECKS) >= _BODY_CHECKS_MAX:
            _BODY_CHECKS.clear()
        _BODY_CHECKS[key] = result
    chain.checked[link.key] = result
    return result


def _check_body_uncached(chain: ChainData, link: Link) -> tuple[ParsedAccreditation | None, str]:
    body = chain.bodies.get(link.key)
    if body is None:
        return None, "the accreditation credential is missing from the chain or does not match its stored hash"
    try:
        acc = parse_accreditation(body)
    except InputError as exc:
        return None, f"malformed accreditation: {exc}"
    issuer_hash = keccak(text=acc.issuer)
    expected_issuer = link.did_hash if link.issuer_type is IssuerType.ROOT_TAO else link.parent_did_hash
    if issuer_hash != expected_issuer:
        return None, "the accreditation was not issued by the parent the registry records"
    if keccak(text=acc.subject) != link.did_hash:
        return None, "the accreditation is about another DID"
    if acc.attribute_id != link.attribute_id.hex():
        return None, "the accreditation's reservedAttributeId differs from the registry's attribute id"
    if acc.kind != int(link.issuer_type):
        return None, f"the accreditation's type does not make a {ISSUER_TYPES[int(link.issuer_type)]}"
    if link.issuer_type is not IssuerType.ROOT_TAO:
        terms = acc.terms_of_use or ""
        if not terms.endswith(f"/issuers/{acc.issuer}/attributes/{link.parent_attribute_id.hex()}"):
            return None, "termsOfUse does not point to the parent's accreditation"
    signer = chain.documents.get(expected_issuer)
    kid = acc.parsed.kid or ""
    fragment = kid.partition("#")[2]
    if not kid.startswith(acc.issuer + "#") or signer is None:
        return None, "the accreditation's signing key is not the parent's"
    method = signer.method_by_thumbprint(fragment)
    if method is None or not method.has(Rel.ASSERTION_METHOD):
        return None, "the accreditation's signing key is not in the parent's DID document"
    if not method.valid_at(acc.issued_at):
        return None, f"the parent's key was not valid when it signed the accreditation ({iso(acc.issued_at)})"
    if not jwt.verify(acc.parsed, method.jwk):
        return None, "the accreditation's signature does not verify with the parent's key"
    if link.issuer_type is IssuerType.ROOT_TAO:  # onboarded by governance, its authorisation self-signed
        return acc, "its own signature verified (onboarded by the registry's governance)"
    return acc, "signature by the parent's key verified"


# Clocks of issuers and nodes disagree a little: a time this far past the chain's newest block is
# still "now" (the verifier's allowance for an anchor "before" a JWT's iat, too).
CLOCK_SKEW_S = 300


def time_problem(at: int, head_time: int, syncing: Callable[[], bool] | None, now: int | None = None) -> str | None:
    """Why the chain cannot say what held at `at` (unix seconds), or None when it can.

    The rule: a time up to the chain's newest block (plus clock skew) is answered from the chain.
    A later time that is not in the future is answered as of the newest block when the node is
    reachable and reports it is not syncing (`syncing()` false: eth_syncing): a chain without new
    blocks (anvil, a private network that makes no empty blocks) has simply not changed since. A
    node that is syncing (or one that cannot be asked, `syncing` None) may be behind; a time in the
    future is never answered, as nobody knows yet what happens until then.
    """
    now = int(time.time()) if now is None else now
    if at <= head_time + CLOCK_SKEW_S:
        return None
    if at > now + CLOCK_SKEW_S:
        return (
            f"{iso(at)} is in the future, later than the chain's newest block ({iso(head_time)}); "
            "what happens until then is not known yet"
        )
    if syncing is None or syncing():
        return (
            f"the node's newest block ({iso(head_time)}) is older than {iso(at)} and the node reports "
            "it is still syncing: it may be behind; ask another node, or again later"
        )
    return None


def evaluate_at(
    chain: ChainData,
    at: int | None,
    head_time: int,
    trust_list: TrustList | None,
    need: Need | None = None,
    syncing: Callable[[], bool] | None = None,
) -> TrustReport:
    """`issuer check` as the CLI and the service both answer it: `at` None is now, read at the node's
    head; a time asked for that the chain has not reached (beyond the clock-skew allowance) is
    never answered trusted, nor untrusted (`time_problem`: unless it is not in the future and the
    node, asked through `syncing`, reports it is current on an idle chain): whether the
    accreditation will still be in force then is not known yet, as `verify --at` says of a credential."""
    problem = time_problem(at, head_time, syncing) if at is not None else None
    if at is not None and problem is not None:
        return TrustReport(chain.did, iso(at), False, f"could not determine: {problem}", [], undetermined=True)
    return evaluate(chain, at if at is not None else int(time.time()), trust_list, need)


def evaluate(
    chain: ChainData, at: int, trust_list: TrustList | None, need: Need | None = None, position: Position | None = None
) -> TrustReport:
    """Find a chain from `chain.did` to a trusted root that holds at `at`; say which link fails if none does.

    `position` places the question on the chain (an anchor's block and log index): what was in
    force then is decided by the chain's order, not by the second (see `Link.revision_at`); when
    that order cannot be read, the report is `undetermined`.
    """
    own = chain.of(did_hash(chain.did))
    candidates = own if need is None else [link for link in own if link.issuer_type is IssuerType.TI]
    if not candidates:
        if not own:
            summary = f"{chain.did} holds no accreditation in the trusted issuers registry"
        else:
            roles = " and as a ".join(
                sorted({"Root TAO" if x.issuer_type is IssuerType.ROOT_TAO else "TAO" for x in own})
            )
            summary = (
                f"{chain.did} is accredited as a {roles}, which accredits others but does not attest "
                "credentials: only a TI's credentials are accredited"
            )
        return TrustReport(chain.did, iso(at), False, summary, [])
    try:
        walked = [_walk(chain, link, at, trust_list, need, position) for link in candidates]
    except OrderUnknown as unknown:
        summary = (
            f"could not determine: an accreditation on the chain of {chain.did} changed in block {unknown.block}, "
            "the block of the anchor, and the node did not give their order within it"
        )
        return TrustReport(chain.did, iso(at), False, summary, [], undetermined=True)
    for report, _ in walked:
        if report.ok:
            return report
    if len(walked) == 1:
        return walked[0][0]
    # Several accreditations, none holds: the most relevant failure is that of an accreditation
    # whose own scope covers what is asked (its reason is the real one), then a failure of status
    # or validity over one of scope.
    ranked = sorted(
        range(len(walked)),
        key=lambda n: (not _covers(chain, candidates[n], need), walked[n][1]),
    )
    best, _ = walked[ranked[0]]
    others = "; ".join(f"{_scope_label(chain, candidates[n])}: {walked[n][0].summary}" for n in ranked[1:])
    best.summary = (
        f"{best.summary} (looked at the {len(walked)} accreditations {chain.did} holds: this one is "
        f"{_scope_label(chain, candidates[ranked[0]])}; the other{'s' if len(walked) > 2 else ''}: {others})"
    )
    return best


# How relevant a failing path's reason is, most first.
_ROOT_UNTRUSTED, _STATUS, _OTHER, _SCOPE = range(4)


def _covers(chain: ChainData, link: Link, need: Need | None) -> bool:
    """Does the accreditation's own scope cover what is asked (anything, when nothing is)?"""
    acc, _ = _check_body(chain, link)
    if acc is None:
        return False
    return need is None or _scope_covers(acc.scopes, need)


def _scope_covers(scopes: Sequence[Scope], need: Need) -> bool:
    return any(
        s.covers_credential(list(need.types), need.schema_id)
        and (need.jurisdiction is None or s.jurisdiction in (None, need.jurisdiction))
        for s in scopes
    )


def _scope_label(chain: ChainData, link: Link) -> str:
    """An accreditation, by what it is for."""
    acc, _ = _check_body(chain, link)
    if acc is None:
        return f"accreditation {link.attribute_id.hex()[:8]}, unreadable"
    return "for " + " | ".join(", ".join(s.types) for s in acc.scopes)


def _structure(chain: ChainData, first: Link) -> tuple[list[Link], str | None]:
    """Follow parent pointers to a root; (links in order, the structural problem if any)."""
    path = [first]
    seen = {first.key}
    link = first
    while link.issuer_type is not IssuerType.ROOT_TAO:
        parent = chain.links.get(link.parent_key)
        if parent is None:
            return path, f"the chain is broken above {chain.name(link.did_hash)}: its parent's accreditation is missing"
        if parent.key in seen:
            return path, f"the accreditation chain loops back to {chain.name(parent.did_hash)}"
        if len(path) >= MAX_DEPTH:
            return path, f"the accreditation chain is longer than {MAX_DEPTH} links"
        seen.add(parent.key)
        path.append(parent)
        link = parent
    return path, None


def _walk(
    chain: ChainData,
    first: Link,
    at: int,
    trust_list: TrustList | None,
    need: Need | None,
    position: Position | None = None,
) -> tuple[TrustReport, int]:
    """The path from `first` to its root checked at `at`: the report, and (failing) how relevant its reason is."""
    path: list[LinkCheck] = []
    child_scopes: tuple[Scope, ...] | None = None
    later: list[str] = []
    did = chain.did

    def fail(message: str, kind: int = _OTHER) -> tuple[TrustReport, int]:
        return TrustReport(did, iso(at), False, message, path), kind

    links, problem = _structure(chain, first)
    if problem is not None:
        path.extend(
            LinkCheck(
                chain.name(x.did_hash), x.attribute_id.hex(), ISSUER_TYPES.get(int(x.issuer_type), "?"), False, ""
            )
            for x in links
        )
        return fail(problem)
    for link in links:
        name = chain.name(link.did_hash)
        kind = ISSUER_TYPES.get(int(link.issuer_type), "?")
        entry = LinkCheck(name, link.attribute_id.hex(), kind, False, "")
        path.append(entry)
        acc, body_message = _check_body(chain, link)
        if acc is None:
            entry.message = body_message
            return fail(f"{kind} link {name}: {body_message}")
        active, status_message, evidence = _status_text(chain, link, at, position)
        entry.evidence = {"accreditedBy": acc.issuer, "scopes": [s.to_json() for s in acc.scopes], **evidence}
        if not active:
            entry.message = status_message
            return fail(f"{kind} link {name}: {status_message}", _STATUS)
        if len(path) == 1 and need is not None and not _scope_covers(acc.scopes, need):
            entry.message = f"not accredited for {', '.join(need.types)}"
            return fail(f"{name} is not accredited for {', '.join(need.types)}", _SCOPE)
        if child_scopes is not None and not all(any(p.covers_scope(c) for p in acc.scopes) for c in child_scopes):
            entry.message = "granted a wider scope than it holds itself"
            return fail(f"{kind} link {name} granted its child a scope it does not hold", _SCOPE)
        entry.ok = True
        entry.message = f"{body_message}; {status_message}"
        # Within one second the blocks say what came first: name them when they decided.
        then = iso(at) if position is None else f"{iso(at)} (block {position.block})"
        changed = "" if position is None else f" (block {evidence.get('block')})"
        if "revokedAt" in evidence:
            later.append(
                f"{kind} {name}'s accreditation was revoked on {evidence['revokedAt']}{changed}, after {then}: "
                "what was issued before stays valid, anything issued after is refused"
            )
        if "suspendedAt" in evidence:
            later.append(
                f"{kind} {name}'s accreditation was suspended on {evidence['suspendedAt']}{changed}, after {then}, "
                "and is still suspended: what was issued before stays valid, anything issued while it lasts "
                "is refused"
            )
        child_scopes = acc.scopes
        if link.issuer_type is IssuerType.ROOT_TAO:
            report = TrustReport(did, iso(at), True, "", path, root=name, notes=later)
            if trust_list is None:
                report.trusted_root = None
                report.notes.append(
                    "no trust list given: the root is accepted because this registry's governance onboarded it"
                )
                report.summary = f"accredited through an unbroken chain to Root TAO {name}"
            elif name in trust_list.roots:
                report.trusted_root = True
                report.summary = (
                    f"accredited through an unbroken chain to Root TAO {name}, which {trust_list.name} trusts"
                )
            else:
                report.ok = False
                report.trusted_root = False
                report.summary = f"the chain ends at Root TAO {name}, which is not in {trust_list.name}"
                return report, _ROOT_UNTRUSTED
            return report, _OTHER
    return fail("the chain does not reach a Root TAO")
