"""The registry contracts as Python operations: writes signed by an identity's controller key,
reads batched so a verification costs a fixed, small number of round trips.

Calls are built, and answers decoded, by the bindings in `registry.contracts`; the names this
module exported before they moved there (the status-word layout, `DidState`, `AnchorRecord`...)
are re-exported here for the code that imports them from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from registry.chain.client import Call, ChainClient, header_time
from registry.chain.deployment import Deployment, check_deployment
from registry.config import Settings
from registry.contracts.credentials import AnchorRecord, CredentialRegistry, StatusEvent
from registry.contracts.did import NO_EXPIRY, DIDRegistry, DidState, Rel, VerificationMethod, did_hash
from registry.contracts.recognition import RecognitionRegistry
from registry.contracts.statusword import (
    BITS_PER_WORD,
    LIST_SIZE,
    STATUS_MASK,
    WORDS_PER_LIST,
    Purpose,
    bit_of,
    last_change_block,
    list_id,
    masks_for,
    split_list_id,
    word_of,
)
from registry.contracts.tir import TrustedIssuersRegistry
from registry.errors import ConfigError, InputError
from registry.formats import keys as keyfmt
from registry.ops.history import DEFAULT_LOG_WINDOW, HISTORY_BUDGET, History, WordWalk, everything

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

    from registry.chain.txmanager import TxManager
    from registry.keystore import Identity

__all__ = [
    "BITS_PER_WORD",
    "LIST_SIZE",
    "NO_EXPIRY",
    "REASONS",
    "REASON_WORDS",
    "STATUS_MASK",
    "WORDS_PER_LIST",
    "AnchorRecord",
    "DidState",
    "Purpose",
    "Registry",
    "Rel",
    "StatusEvent",
    "VerificationMethod",
    "bit_of",
    "change_in_force",
    "did_hash",
    "last_change_block",
    "list_id",
    "masks_for",
    "split_list_id",
]

REASONS = {
    0: "unspecified",
    1: "issued in error",
    2: "fraud or misrepresentation",
    3: "superseded by a newer credential",
    4: "holder request",
    5: "issuer key compromised",
    6: "under investigation",
    7: "investigation closed",
    8: "qualification withdrawn",
}
# Each code by one word, as `--reason` and a revocation CSV's reason column take it (`--reason fraud`).
REASON_WORDS = {"unspecified": 0, "error": 1, "fraud": 2, "superseded": 3, "request": 4, "compromised": 5,
                "investigation": 6, "closed": 7, "withdrawn": 8}  # fmt: skip


class Registry:
    """The deployed contracts on one chain."""

    def __init__(self, client: ChainClient, deployment: Deployment, log_window: int = DEFAULT_LOG_WINDOW) -> None:
        self.client = client
        self.log_window = log_window  # the widest eth_getLogs block range asked of the node
        self.deployment = deployment
        self.did_address = deployment.address(DIDRegistry.NAME)
        self.credential_address = deployment.address(CredentialRegistry.NAME)
        self.dids = DIDRegistry(self.did_address)
        self.credentials = CredentialRegistry(self.credential_address)

    @property
    def tir(self) -> TrustedIssuersRegistry:
        return TrustedIssuersRegistry(self.deployment.address(TrustedIssuersRegistry.NAME))

    @property
    def recognition(self) -> RecognitionRegistry:
        """The recognition registry; a ConfigError for a deployment made before it existed."""
        if RecognitionRegistry.NAME not in self.deployment.contracts:
            raise ConfigError(
                "this registry has no RecognitionRegistry (it was deployed before recognition decisions "
                "existed): its operator adds it with `registry deploy --deployment FILE` (this registry's, kept)"
            )
        return RecognitionRegistry(self.deployment.address(RecognitionRegistry.NAME))

    @classmethod
    def connect(cls, settings: Settings, *, check: bool = True, journal: bool = True) -> Registry:
        """Attach to the deployment; writes go through the journal in `<home>/journal.sqlite`."""
        deployment = Deployment.load(settings.deployment_file)
        client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
        if check:
            check_deployment(client, deployment)
        registry = cls(client, deployment, settings.log_window)
        if journal:
            registry.attach_journal(settings)
        return registry

    def attach_journal(self, settings: Settings) -> TxManager:
        """Send this registry's writes through the journal in `<home>/journal.sqlite` (rows
        recording this deployment), with status-list publications signed when they are sent."""
        from registry.chain.txmanager import Journal, TxManager, deployment_key
        from registry.contracts.credentials import PUBLISH
        from registry.contracts.effects import DeploymentEffects

        if self.client.tx_manager is not None:
            return cast("TxManager", self.client.tx_manager)
        deployment = self.deployment
        key = deployment_key(deployment.chain_id, deployment.deployment_block_hash, self.credential_address)
        manager = TxManager(
            self.client, Journal(settings.journal_file), settings.confirmations, deployment=key,
            effects=DeploymentEffects(self.client),
        )  # fmt: skip

        def publication(identity: Any, journaled: Call) -> Call:
            from registry.ops.statuslists import StatusLists

            return StatusLists(self, settings.public_url).build_call(identity, journaled)

        manager.builders[PUBLISH] = publication
        self.client.tx_manager = manager
        return manager

    def signing_time(self) -> int:
        """The time to put in what we sign: our clock, or the chain's when it runs ahead.

        A key's validity starts at the block time of its registration; signing with an earlier
        clock right after would produce a credential the key "was not yet valid" for.
        """
        return max(int(time.time()), self.block_timestamp())

    def block_timestamp(self, block: int | str = "latest") -> int:
        header = self.client.request("eth_getBlockByNumber", [hex(block) if isinstance(block, int) else block, False])
        return header_time(header, block, self.client.rpc_url)

    # -- DIDs -----------------------------------------------------------------------------

    def register_did(self, identity: Identity) -> dict[str, Any]:
        """Register the identity's DID with its controller key, then add its signing key."""
        _, x, y = keyfmt.to_coordinates(identity.controller_jwk)
        receipt = self.client.transact(identity.account, self.dids.register(identity.did, x, y))
        self.add_key(identity, identity.signing_jwk, Rel.ASSERTION_METHOD | Rel.AUTHENTICATION)
        return receipt

    def add_key(
        self,
        identity: Identity,
        jwk: dict[str, Any],
        relationships: int,
        not_before: int = 0,
        not_after: int = 0,
        possession_signer: Identity | None = None,
    ) -> dict[str, Any]:
        kind, x, y = keyfmt.to_coordinates(jwk)
        signature = b""
        if relationships & Rel.CAPABILITY_INVOCATION:
            if possession_signer is None:
                raise InputError("a new controller key must sign its consent (possession proof)")
            signature = self.possession_signature(identity.did, possession_signer, not_before, not_after)
        method = (x, y, int(kind), relationships, not_before, not_after)
        return self.client.transact(
            identity.account,
            self.dids.add_verification_method(did_hash(identity.did), method, signature),
        )

    def possession_signature(self, did: str, new_key: Identity, not_before: int, not_after: int) -> bytes:
        """EIP-712 AddController statement signed by the new controller key."""
        from registry.ethaccount import encode_typed_data

        _, x, y = keyfmt.to_coordinates(new_key.controller_jwk)
        typed = {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "AddController": [
                    {"name": "didHash", "type": "bytes32"},
                    {"name": "x", "type": "bytes32"},
                    {"name": "y", "type": "bytes32"},
                    {"name": "notBefore", "type": "uint64"},
                    {"name": "notAfter", "type": "uint64"},
                ],
            },
            "primaryType": "AddController",
            "domain": {
                "name": DIDRegistry.NAME,
                "version": "1",
                "chainId": self.client.chain_id,
                "verifyingContract": self.did_address,
            },
            "message": {
                "didHash": did_hash(did),
                "x": x,
                "y": y,
                "notBefore": not_before,
                "notAfter": not_after,
            },
        }
        signed = new_key.account.sign_message(encode_typed_data(full_message=typed))
        return bytes(signed.signature)

    def expire_key(self, identity: Identity, index: int, not_after: int) -> dict[str, Any]:
        return self.client.transact(
            identity.account,
            self.dids.expire_verification_method(did_hash(identity.did), index, not_after),
        )

    def rotate_signing_key(self, identity: Identity, new_key: JWK) -> int:
        """Add `new_key` as the assertion key and end the current one now; returns the new index.

        Credentials anchored before the rotation stay valid (the old key was valid when it signed);
        anything the old key signs afterwards is refused, whatever `iat` it writes: the verifier
        judges the key at the block where the credential was anchored.
        """
        state = self.resolve(identity.did)
        old = state.method_by_thumbprint(keyfmt.thumbprint(identity.signing_jwk))
        self.add_key(identity, keyfmt.jwk_public_dict(new_key), Rel.ASSERTION_METHOD | Rel.AUTHENTICATION)
        if old is not None:
            self.expire_key(identity, old.index, 0)
        return len(state.methods)

    def resolve_calls(self, did: str) -> list[Call]:
        return self.dids.resolve_calls(did)

    did_state = staticmethod(DIDRegistry.did_state)

    def resolve(self, did: str, block: int | str = "latest") -> DidState:
        registration, methods = self.client.call_many(self.resolve_calls(did), block)
        return self.did_state(did, registration, methods)

    # -- anchors --------------------------------------------------------------------------

    def anchor(self, identity: Identity, value: bytes) -> dict[str, Any]:
        return self.client.transact(identity.account, self.credentials.anchor(value))

    def anchor_cohort(self, identity: Identity, root: bytes, count: int) -> dict[str, Any]:
        return self.client.transact(identity.account, self.credentials.anchor_cohort(root, count))

    def anchors_call(self, pairs: Sequence[tuple[str, bytes]]) -> Call:
        return self.credentials.anchors_of(pairs)

    anchor_records = staticmethod(CredentialRegistry.anchor_records)

    def anchor_logs(self, records: Sequence[AnchorRecord]) -> dict[tuple[str, bytes], dict[str, Any] | None]:
        """The `Anchored` logs that made anchors (transaction, log index), all in one batch: the
        anchors, by block, in windows of at most `log_window` blocks, one log query per window for
        all their accounts (a lone anchor: its own block), so a directory of credentials anchored
        one by one costs a few queries, not one each (a cohort's members share one anchor)."""
        unique = sorted({(r.account, r.value): r for r in records}.values(), key=lambda r: r.block)
        groups: list[list[AnchorRecord]] = []
        for record in unique:
            if groups and record.block - groups[-1][0].block < self.log_window:
                groups[-1].append(record)
            else:
                groups.append([record])
        credentials = self.credentials
        requests = [
            self.client.logs_request(
                self.credential_address,
                credentials.anchored_topics(g[0].account, g[0].value)
                if len(g) == 1
                else credentials.anchored_by_topics([r.account for r in g], [r.value for r in g]),
                g[0].block,
                g[-1].block,
            )
            for g in groups
        ]
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for logs in self.client.batch(requests):
            for log in logs:
                found.setdefault(credentials.anchored_key(log), dict(log))
        answer: dict[tuple[str, bytes], dict[str, Any] | None] = {}
        for r in unique:
            log = found.get((r.account[2:].lower(), r.value.hex()))
            # The anchor's own block holds its log; one elsewhere is not the log that made it.
            answer[(r.account, r.value)] = log if log is not None and int(log["blockNumber"], 16) == r.block else None
        return answer

    # -- status ---------------------------------------------------------------------------

    def set_status(self, identity: Identity, purpose: Purpose, number: int, index: int, reason: int) -> dict[str, Any]:
        return self.client.transact(identity.account, self.credentials.set_status(purpose, number, index, reason))

    def update_status(
        self,
        identity: Identity,
        purpose: Purpose,
        number: int,
        indexes: Sequence[int],
        set_: bool,
        reason: int,
    ) -> dict[str, Any]:
        return self.client.transact(
            identity.account, self.credentials.update_entries(purpose, number, indexes, set_, reason)
        )

    def status_words_call(self, entries: Sequence[tuple[str, Purpose, int, int]]) -> Call:
        return self.credentials.status_words_for(entries)

    def list_words(self, account: str, purpose: Purpose, number: int, block: int | str = "latest") -> list[int]:
        (words,) = self.client.call(self.credentials.status_words(account, purpose, number), block)
        return [int(w) for w in words]

    def status_history(
        self, account: str, purpose: Purpose, number: int, word: int, last_block: int
    ) -> list[StatusEvent]:
        """Every change of one status word, newest first, following the previous-change chain
        (in windows past the first few: `registry.ops.history`), however long it is."""
        return self.word_history(account, purpose, number, word, last_block, everything, budget=None).events

    def word_history(
        self,
        account: str,
        purpose: Purpose,
        number: int,
        word: int,
        last_block: int,
        enough: Callable[[list[StatusEvent]], bool],
        *,
        budget: int | None = HISTORY_BUDGET,
    ) -> History:
        """The newest changes of one status word, read back from `last_block` until `enough` of
        them says so, the first change, or the budget (`registry.ops.history`)."""
        return self.word_walk(account, purpose, number, word, last_block, budget=budget).run(enough)

    def word_walk(
        self, account: str, purpose: Purpose, number: int, word: int, last_block: int, *, budget: int | None
    ) -> WordWalk:
        """A walk back through one status word's changes from `last_block` (`registry.ops.history`)."""
        topics = self.credentials.status_changed_topics(account, purpose, number, word)
        return WordWalk(
            self.client, self.credentials, topics, word, last_block,
            window=self.log_window, floor=self.deployment.deployment_block, budget=budget,
        )  # fmt: skip

    def entry_change(
        self, account: str, purpose: Purpose, number: int, index: int, histories: dict[Any, list[StatusEvent]]
    ) -> tuple[StatusEvent, int] | None:
        """The change that put entry `index` in its current state and its block time (None: never
        changed). `histories` caches word histories across entries of the same words."""
        (values,) = self.client.call(self.status_words_call([(account, purpose, number, index)]))
        last = last_change_block(int(values[0]))
        if not last:
            return None
        key = (account, purpose, number, word_of(index), last, index)
        if key not in histories:
            # The change in force is the newest that touched the entry: the contract refuses to set
            # a set entry or clear a clear one, so the walk stops there.
            histories[key] = self.word_history(
                account, purpose, number, word_of(index), last,
                lambda events: bool(events) and bit_of(events[-1].mask, index), budget=None,
            ).events  # fmt: skip
        event = change_in_force([e for e in histories[key] if bit_of(e.mask, index)])
        return None if event is None else (event, self.block_timestamp(event.block))


def change_in_force(touching: Sequence[StatusEvent]) -> StatusEvent | None:
    """The change that put one entry in its current state, from its changes newest first.

    The contract refuses to set a set entry or clear a clear one (`StatusAlreadySet`,
    `StatusNotSet`), so that is the newest change; a deployment from before that rule may hold
    repeated "set" changes, and there the oldest of the newest run of them counts (setting a set
    entry again changed neither when nor why).
    """
    if not touching:
        return None
    event = touching[0]
    if event.set:
        for earlier in touching[1:]:
            if not earlier.set:
                break
            event = earlier
    return event
