"""The registry contracts as Python operations: writes signed by an identity's controller key,
reads batched so a verification costs a fixed, small number of round trips.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from registry.chain.client import BadAnswer, Call, ChainClient, chain_time, contract_abi, enum_member, header_time
from registry.chain.deployment import Deployment, check_deployment
from registry.config import Settings
from registry.errors import InputError
from registry.formats import keys as keyfmt
from registry.formats.keys import KeyType
from registry.keystore import Identity

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

    from registry.chain.txmanager import TxManager

NO_EXPIRY = 2**64 - 1
LIST_SIZE = 131_072
BITS_PER_WORD = 224
WORDS_PER_LIST = (LIST_SIZE + BITS_PER_WORD - 1) // BITS_PER_WORD
STATUS_MASK = (1 << BITS_PER_WORD) - 1


class Rel(IntEnum):
    AUTHENTICATION = 1
    ASSERTION_METHOD = 2
    CAPABILITY_INVOCATION = 4
    CAPABILITY_DELEGATION = 8


class Purpose(IntEnum):
    REVOCATION = 0
    SUSPENSION = 1

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Purpose:
        try:
            return cls[text.upper()]
        except KeyError as exc:
            raise InputError(f"status purpose must be revocation or suspension, not {text!r}") from exc


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


def list_id(purpose: Purpose, number: int) -> int:
    return (int(purpose) << 32) | number


def split_list_id(value: int) -> tuple[Purpose, int]:
    if value >> 33:
        raise InputError(f"status list id {value} is out of range")
    return Purpose(value >> 32), value & 0xFFFFFFFF


def did_hash(did: str) -> bytes:
    return keccak(text=did)


@dataclass(frozen=True)
class VerificationMethod:
    index: int
    key_type: KeyType
    x: bytes
    y: bytes
    relationships: int
    not_before: int
    not_after: int

    # Cached: a verifier asks for these once per credential, and each costs a hash.
    @cached_property
    def jwk(self) -> dict[str, str]:
        return keyfmt.from_coordinates(self.key_type, self.x, self.y)

    @cached_property
    def thumbprint(self) -> str:
        return keyfmt.thumbprint(self.jwk)

    @cached_property
    def account(self) -> str | None:
        return keyfmt.eth_address(self.x, self.y) if self.key_type is KeyType.SECP256K1 else None

    def has(self, rel: Rel) -> bool:
        return bool(self.relationships & rel)

    def valid_at(self, ts: int) -> bool:
        return self.not_before <= ts < self.not_after


@dataclass(frozen=True)
class DidState:
    did: str
    registered_at: int
    registered_block: int
    methods: tuple[VerificationMethod, ...]

    @property
    def registered(self) -> bool:
        return self.registered_at != 0

    def controllers(self) -> list[VerificationMethod]:
        return [m for m in self.methods if m.has(Rel.CAPABILITY_INVOCATION) and m.account]

    def controller(self, account: str) -> VerificationMethod | None:
        """The controller key of `account` (a DID lists a key once, so at most one)."""
        for m in self.controllers():
            if m.account and m.account.lower() == account.lower():
                return m
        return None

    def controller_window(self, account: str) -> tuple[int, int] | None:
        m = self.controller(account)
        return None if m is None else (m.not_before, m.not_after)

    def method_by_thumbprint(self, fragment: str) -> VerificationMethod | None:
        for m in self.methods:
            if m.thumbprint == fragment:
                return m
        return None


@dataclass(frozen=True)
class AnchorRecord:
    account: str
    value: bytes
    timestamp: int
    block: int
    count: int

    @property
    def exists(self) -> bool:
        return self.block != 0


@dataclass(frozen=True)
class StatusEvent:
    block: int
    tx_hash: str
    word: int
    mask: int
    set: bool
    reason: int
    previous_change: int
    log_index: int = -1  # its place in its block; -1 when unknown


class Registry:
    """The deployed contracts on one chain."""

    def __init__(self, client: ChainClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        self.did_address = deployment.address("DIDRegistry")
        self.credential_address = deployment.address("CredentialRegistry")

    @classmethod
    def connect(cls, settings: Settings, *, check: bool = True, journal: bool = True) -> Registry:
        """Attach to the deployment; writes go through the journal in `<home>/journal.sqlite`."""
        deployment = Deployment.load(settings.deployment_file)
        client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
        if check:
            check_deployment(client, deployment)
        registry = cls(client, deployment)
        if journal:
            registry.attach_journal(settings)
        return registry

    def attach_journal(self, settings: Settings) -> TxManager:
        """Send this registry's writes through the journal in `<home>/journal.sqlite` (rows
        recording this deployment), with status-list publications signed when they are sent."""
        from registry.chain.txmanager import PUBLISH, Journal, TxManager, deployment_key

        if self.client.tx_manager is not None:
            return self.client.tx_manager
        deployment = self.deployment
        key = deployment_key(deployment.chain_id, deployment.deployment_block_hash, self.credential_address)
        manager = TxManager(self.client, Journal(settings.journal_file), settings.confirmations, deployment=key)

        def publication(identity: Any, journaled: Call) -> Call:
            from registry.ops.statuslists import StatusLists

            return StatusLists(self, settings.public_url).build_call(identity, journaled)

        manager.builders[PUBLISH] = publication
        self.client.tx_manager = manager
        return manager

    def _did(self, function: str, *args: Any) -> Call:
        return Call(self.did_address, "DIDRegistry", function, args)

    def _cred(self, function: str, *args: Any) -> Call:
        return Call(self.credential_address, "CredentialRegistry", function, args)

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
        receipt = self.client.transact(identity.account, self._did("register", identity.did, x, y))
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
            self._did("addVerificationMethod", did_hash(identity.did), method, signature),
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
                "name": "DIDRegistry",
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
            self._did("expireVerificationMethod", did_hash(identity.did), index, not_after),
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
        h = did_hash(did)
        return [self._did("registration", h), self._did("verificationMethods", h)]

    @staticmethod
    def did_state(did: str, registration: tuple[Any, ...], methods: tuple[Any, ...]) -> DidState:
        return DidState(
            did=did,
            registered_at=chain_time(int(registration[0]), "eth_call", "registration time"),
            registered_block=int(registration[1]),
            methods=tuple(
                VerificationMethod(
                    i, enum_member(KeyType, m[2]), bytes(m[0]), bytes(m[1]), int(m[3]), int(m[4]), int(m[5])
                )
                for i, m in enumerate(methods[0])
            ),
        )

    def resolve(self, did: str, block: int | str = "latest") -> DidState:
        registration, methods = self.client.call_many(self.resolve_calls(did), block)
        return self.did_state(did, registration, methods)

    # -- anchors --------------------------------------------------------------------------

    def anchor(self, identity: Identity, value: bytes) -> dict[str, Any]:
        return self.client.transact(identity.account, self._cred("anchor", value))

    def anchor_cohort(self, identity: Identity, root: bytes, count: int) -> dict[str, Any]:
        return self.client.transact(identity.account, self._cred("anchorCohort", root, count))

    def anchors_call(self, pairs: Sequence[tuple[str, bytes]]) -> Call:
        return self._cred("anchorsOf", [a for a, _ in pairs], [v for _, v in pairs])

    @staticmethod
    def anchor_records(pairs: Sequence[tuple[str, bytes]], result: tuple[Any, ...]) -> list[AnchorRecord]:
        if len(result[0]) != len(pairs):
            raise BadAnswer("the node answered something that is not a valid eth_call result for anchorsOf")
        return [
            AnchorRecord(account, value, chain_time(int(r[0]), "eth_call", "anchor time"), int(r[1]), int(r[2]))
            for (account, value), r in zip(pairs, result[0], strict=True)
        ]

    def anchor_logs(self, records: Sequence[AnchorRecord]) -> dict[tuple[str, bytes], dict[str, Any] | None]:
        """The `Anchored` logs that made anchors (transaction, log index): one log query per anchor,
        bounded to its block, all in one batch (a cohort's members share one)."""
        abi = contract_abi("CredentialRegistry")
        unique = {(r.account, r.value): r for r in records}
        keys = list(unique)
        requests = [
            self.client.logs_request(
                self.credential_address,
                [abi.event_topic("Anchored"), "0x" + bytes(12).hex() + account[2:].lower(), "0x" + value.hex()],
                unique[(account, value)].block,
                unique[(account, value)].block,
            )
            for account, value in keys
        ]
        results = self.client.batch(requests)
        return {k: (dict(logs[0]) if logs else None) for k, logs in zip(keys, results, strict=True)}

    # -- status ---------------------------------------------------------------------------

    def set_status(self, identity: Identity, purpose: Purpose, number: int, index: int, reason: int) -> dict[str, Any]:
        entry = (list_id(purpose, number) << 32) | index
        return self.client.transact(identity.account, self._cred("setStatus", entry, reason))

    def update_status(
        self,
        identity: Identity,
        purpose: Purpose,
        number: int,
        indexes: Sequence[int],
        set_: bool,
        reason: int,
    ) -> dict[str, Any]:
        words, masks = masks_for(indexes)
        return self.client.transact(
            identity.account,
            self._cred("updateStatus", int(purpose), number, words, masks, set_, reason),
        )

    def status_words_call(self, entries: Sequence[tuple[str, Purpose, int, int]]) -> Call:
        return self._cred(
            "statusWordsFor",
            [e[0] for e in entries],
            [int(e[1]) for e in entries],
            [e[2] for e in entries],
            [e[3] for e in entries],
        )

    def list_words(self, account: str, purpose: Purpose, number: int, block: int | str = "latest") -> list[int]:
        (words,) = self.client.call(self._cred("statusWords", account, int(purpose), number, 0, WORDS_PER_LIST), block)
        return [int(w) for w in words]

    def status_history(
        self, account: str, purpose: Purpose, number: int, word: int, last_block: int
    ) -> list[StatusEvent]:
        """Every change of one status word, newest first, following the previous-change chain."""
        abi = contract_abi("CredentialRegistry")
        topics: list[str | None] = [
            abi.event_topic("StatusWordChanged"),
            "0x" + bytes(12).hex() + account[2:].lower(),
            "0x" + ((list_id(purpose, number) << 32) | word).to_bytes(32, "big").hex(),
        ]
        events: list[StatusEvent] = []
        block = last_block
        while block:
            logs = self.client.request(*self.client.logs_request(self.credential_address, topics, block, block))
            if not logs:
                break
            for log in reversed(logs):
                values = abi.decode_event("StatusWordChanged", log)
                change, flags = int(values["change"]), int(values["flags"])
                events.append(
                    StatusEvent(
                        block=block,
                        tx_hash=str(log["transactionHash"]),
                        word=word,
                        mask=change & STATUS_MASK,
                        set=bool(flags & 0x100),
                        reason=flags & 0xFF,
                        previous_change=change >> BITS_PER_WORD,
                        log_index=_hex_or_unknown(log.get("logIndex")),
                    )
                )
            previous = events[-1].previous_change
            if previous >= block:
                # The chain points back to earlier blocks only: anything else would loop (or walk
                # a lie) until the deadline, where the node's answer is what is wrong.
                raise BadAnswer(
                    "the node answered something that is not a valid eth_getLogs result for StatusWordChanged "
                    f"(a change in block {block} names block {previous} as the one before it)"
                )
            block = previous
        return events

    def entry_change(
        self, account: str, purpose: Purpose, number: int, index: int, histories: dict[Any, list[StatusEvent]]
    ) -> tuple[StatusEvent, int] | None:
        """The change that put entry `index` in its current state and its block time (None: never
        changed). `histories` caches word histories across entries of the same words."""
        (values,) = self.client.call(self.status_words_call([(account, purpose, number, index)]))
        last = last_change_block(int(values[0]))
        if not last:
            return None
        key = (account, purpose, number, index // BITS_PER_WORD, last)
        if key not in histories:
            histories[key] = self.status_history(account, purpose, number, index // BITS_PER_WORD, last)
        event = change_in_force([e for e in histories[key] if (e.mask >> (index % BITS_PER_WORD)) & 1])
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


def _hex_or_unknown(value: Any) -> int:
    """A log's hex position, or -1 when the node gave none (or garbage): the order is then unknown."""
    try:
        return int(value, 16) if isinstance(value, str) else -1
    except ValueError:
        return -1


def masks_for(indexes: Sequence[int]) -> tuple[list[int], list[int]]:
    """Group entry indexes into (strictly increasing word indexes, bit masks)."""
    by_word: dict[int, int] = {}
    for index in indexes:
        if not 0 <= index < LIST_SIZE:
            raise InputError(f"status index {index} is outside 0..{LIST_SIZE - 1}")
        word, bit = divmod(index, BITS_PER_WORD)
        by_word[word] = by_word.get(word, 0) | (1 << bit)
    words = sorted(by_word)
    return words, [by_word[w] for w in words]


def bit_of(word_value: int, index: int) -> bool:
    return bool((word_value >> (index % BITS_PER_WORD)) & 1)


def last_change_block(word_value: int) -> int:
    return word_value >> BITS_PER_WORD
