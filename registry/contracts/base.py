"""What every binding shares: an address, its contract's ABI, calls and log queries built from them.

A binding is a value (address + contract name) that builds `Call` objects and decodes answers; it
never talks to a node itself, so one binding serves a plain client, the service's pinned client
and a batch alike (the caller chooses how the calls travel).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from registry.chain.client import Abi, Call, contract_abi
from registry.chain.codec import decode


def address_topic(account: str) -> str:
    """An indexed `address` as a log topic."""
    return "0x" + bytes(12).hex() + account[2:].lower()


def uint_topic(value: int) -> str:
    """An indexed `uint256` as a log topic."""
    return "0x" + value.to_bytes(32, "big").hex()


def bytes32_topic(value: bytes) -> str:
    """An indexed `bytes32` as a log topic."""
    return "0x" + value.hex()


class Binding:
    """One deployed contract: `NAME` is its artifact's name (and the journal's `contract` column)."""

    NAME: ClassVar[str]
    # Contract errors that mean "this write is already on-chain" (a resubmission refused this way is done).
    ALREADY_DONE: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, address: str) -> None:
        self.address = address

    @property
    def abi(self) -> Abi:
        return contract_abi(self.NAME)

    def call(self, function: str, *args: Any) -> Call:
        """A call of `function` (a name from the interface) with `args`, as the ABI orders them."""
        return Call(self.address, self.NAME, function, args)

    def calldata(self, call: Call) -> str:
        """A call of this contract ABI-encoded, as a transaction's `data` (0x hex)."""
        return self.abi.encode_call(call.function, call.args)

    def decode_output(self, function: str, raw: str) -> tuple[Any, ...]:
        """A raw `eth_call` answer of `function` (from a batch), decoded; garbage is `BadAnswer`."""
        return self.abi.decode_output(function, raw)

    def function_of(self, data: bytes, among: Iterable[str]) -> str | None:
        """Which function of `among` the calldata `data` calls (by its selector), or None."""
        return next((f for f in among if self.abi.selector(f) == data[:4]), None)

    def decode_input(self, function: str, data: bytes) -> tuple[Any, ...]:
        """The arguments of a call of `function` from its calldata; eth_abi's errors propagate
        (DecodingError, ValueError, OverflowError), for the caller to name the input at fault."""
        return tuple(decode(self.abi.input_types(function), data[4:]))

    def topic(self, event: str) -> str:
        return self.abi.event_topic(event)

    def decode_event(self, event: str, log: dict[str, Any]) -> dict[str, Any]:
        return self.abi.decode_event(event, log)

    def logs(self, event: str, *indexed: str | None) -> tuple[str, list[str | None]]:
        """(address, topics) for a log query of `event` filtered on its indexed fields (None: any)."""
        return self.address, [self.topic(event), *indexed]
