"""The DID registry (`contracts/interfaces/IDIDRegistry.sol`) in Python: calls and decoded state.

`DidState` and `VerificationMethod` are what `registration` and `verificationMethods` answer,
typed; `registry.ops.registry` re-exports them, where most code met them first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import Any, ClassVar

from registry.chain.client import Call, chain_time, enum_member
from registry.contracts.base import Binding, uint_topic
from registry.formats import keys as keyfmt
from registry.formats.eth import keccak_text
from registry.formats.keys import KeyType

NO_EXPIRY = 2**64 - 1


class Rel(IntEnum):
    """Verification relationships, the bits of a method's `relationships`."""

    AUTHENTICATION = 1
    ASSERTION_METHOD = 2
    CAPABILITY_INVOCATION = 4
    CAPABILITY_DELEGATION = 8


def did_hash(did: str) -> bytes:
    """The registry's key for a DID: keccak256 of its string."""
    return keccak_text(did)


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


def methods_of(answer: tuple[Any, ...]) -> tuple[VerificationMethod, ...]:
    """`verificationMethods`'s answer, typed (a key type out of range is a bad answer)."""
    return tuple(
        VerificationMethod(i, enum_member(KeyType, m[2]), bytes(m[0]), bytes(m[1]), int(m[3]), int(m[4]), int(m[5]))
        for i, m in enumerate(answer[0])
    )


class DIDRegistry(Binding):
    NAME: ClassVar[str] = "DIDRegistry"
    ALREADY_DONE: ClassVar[frozenset[str]] = frozenset({"DIDAlreadyRegistered", "DuplicateKey"})

    # -- writes -------------------------------------------------------------------------------

    def register(self, did: str, x: bytes, y: bytes) -> Call:
        return self.call("register", did, x, y)

    def add_verification_method(self, didhash: bytes, method: tuple[Any, ...], possession_signature: bytes) -> Call:
        """`method` is (x, y, keyType, relationships, notBefore, notAfter), as the struct orders it."""
        return self.call("addVerificationMethod", didhash, method, possession_signature)

    def expire_verification_method(self, didhash: bytes, index: int, not_after: int) -> Call:
        return self.call("expireVerificationMethod", didhash, index, not_after)

    # -- reads --------------------------------------------------------------------------------

    def registration(self, didhash: bytes) -> Call:
        return self.call("registration", didhash)

    def verification_methods(self, didhash: bytes) -> Call:
        return self.call("verificationMethods", didhash)

    def resolve_calls(self, did: str) -> list[Call]:
        """The two reads a DID document is made of (batch them; decode with `did_state`)."""
        return self.resolve_calls_by_hash(did_hash(did))

    def resolve_calls_by_hash(self, didhash: bytes) -> list[Call]:
        return [self.registration(didhash), self.verification_methods(didhash)]

    @staticmethod
    def did_state(did: str, registration: tuple[Any, ...], methods: tuple[Any, ...]) -> DidState:
        registered_at = chain_time(int(registration[0]), "eth_call", "registration time")
        return DidState(did, registered_at, int(registration[1]), methods_of(methods))

    def is_controller(self, didhash: bytes, account: str) -> Call:
        return self.call("isController", didhash, account)

    def did_count(self) -> Call:
        return self.call("didCount")

    def dids_page(self, start: int, count: int) -> Call:
        return self.call("didsPage", start, count)

    # -- events -------------------------------------------------------------------------------

    def registered_topics(self, didhash: bytes) -> list[str | None]:
        """The topics of a DID's `DIDRegistered` event (the DID string lives there)."""
        return [self.topic("DIDRegistered"), "0x" + didhash.hex()]

    def registered_did(self, log: dict[str, Any]) -> str:
        return str(self.decode_event("DIDRegistered", log)["did"])

    def expiry_set_topics(self, didhash: bytes, index: int) -> list[str | None]:
        """The topics of the `VerificationMethodExpirySet` events of one method of one DID."""
        return [self.topic("VerificationMethodExpirySet"), "0x" + didhash.hex(), uint_topic(index)]

    def expiry_not_after(self, log: dict[str, Any]) -> int:
        return int(self.decode_event("VerificationMethodExpirySet", log)["notAfter"])
