"""What a node's answers must look like before anything uses them.

Nothing a node answers is trusted to have the right shape: every result is checked against what
its method must return (a hex quantity, a block header with a number, hash and timestamp, a list
of logs...), and ABI decoding failures or enum values out of range are the same fault. All of
these raise `BadAnswer`, a `ChainUnavailable`: the verifier turns it into "could not determine",
never into a verdict, and never into a traceback. Times the chain records are checked to lie in
1970..9999 before anyone prints them.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator
from enum import IntEnum
from typing import Any, TypeVar

from registry.errors import ChainUnavailable

E = TypeVar("E", bound=IntEnum)


class BadAnswer(ChainUnavailable):
    """The node answered, but not with what the method must return (a lying or broken node)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        seen = _BAD_ANSWERS.get()
        if seen is not None:
            seen.append(self)


# The bad answers met in this context (a service request): whatever it cached may hold a lie.
_BAD_ANSWERS: contextvars.ContextVar[list[BadAnswer] | None] = contextvars.ContextVar("bad_answers", default=None)


@contextlib.contextmanager
def noting_bad_answers() -> Iterator[list[BadAnswer]]:
    """Collect every BadAnswer raised inside (this context and those copied from it), caught or not."""
    seen: list[BadAnswer] = []
    token = _BAD_ANSWERS.set(seen)
    try:
        yield seen
    finally:
        _BAD_ANSWERS.reset(token)


def not_valid(method: str, url: str | None = None) -> BadAnswer:
    where = f"the node at {url}" if url else "the node"
    return BadAnswer(f"{where} answered something that is not a valid {method} result")


def enum_member(kind: type[E], value: Any, method: str = "eth_call") -> E:
    """`kind(value)` for a value the node returned; out of range is a bad answer, not a crash."""
    try:
        return kind(value)
    except (ValueError, TypeError) as exc:
        raise BadAnswer(
            f"the node answered something that is not a valid {method} result ({kind.__name__} {value!r})"
        ) from exc


def _hex_bytes(data: Any) -> bytes:
    if not isinstance(data, str) or not _DATA.match(data):
        raise ValueError("not 0x-prefixed hex data")
    return bytes.fromhex(data[2:])


# The last second ISO 8601 can write (9999-12-31T23:59:59Z). Every time the chain itself records (a
# block's timestamp, and what contracts copy from it: anchor, registration, status-change times)
# lies in 1970..this; a node that answers another has lied, and a verifier must not try to print it.
MAX_CHAIN_TIME = 253_402_300_799


def chain_time(value: Any, method: str, what: str = "time") -> int:
    """`value`, a time the chain recorded, or BadAnswer when it is not one from 1970 to 9999."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CHAIN_TIME:
        raise BadAnswer(
            f"the node answered something that is not a valid {method} result ({what} {value!r} is not a time "
            "from 1970 to 9999)"
        )
    return value


def header_time(header: Any, block: int | str, url: str | None = None) -> int:
    """The timestamp of a block header the node returned; a missing block is the node's fault."""
    if not isinstance(header, dict):
        where = f"the node at {url}" if url else "the node"
        raise ChainUnavailable(f"{where} has no block {block} (it may be behind or out of sync)")
    return chain_time(int(header["timestamp"], 16), "eth_getBlockByNumber", "block time")


# -- the shapes JSON-RPC results must have ----------------------------------------------------

_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,64}\Z")
_DATA = re.compile(r"0x(?:[0-9a-fA-F]{2})*\Z")
_HASH = re.compile(r"0x[0-9a-fA-F]{64}\Z")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")


def _matches(pattern: re.Pattern[str], value: Any) -> bool:
    return isinstance(value, str) and pattern.match(value) is not None


def _is_quantity(value: Any) -> bool:
    return _matches(_QUANTITY, value)


def _is_data(value: Any) -> bool:
    return _matches(_DATA, value)


def _is_hash(value: Any) -> bool:
    return _matches(_HASH, value)


def _is_block(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _is_quantity(value.get("number"))
        and _is_hash(value.get("hash"))
        and _is_quantity(value.get("timestamp"))
        and int(value["timestamp"], 16) <= MAX_CHAIN_TIME
        and (value.get("baseFeePerGas") is None or _is_quantity(value["baseFeePerGas"]))
    )


def _is_log(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("topics"), list)
        and len(value["topics"]) <= 4
        and all(_is_hash(t) for t in value["topics"])
        and _is_data(value.get("data"))
        and _is_quantity(value.get("blockNumber"))
        and _is_quantity(value.get("logIndex"))
        and _is_hash(value.get("transactionHash"))
    )


def _is_receipt(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _is_hash(value.get("transactionHash"))
        and _is_quantity(value.get("blockNumber"))
        and _is_hash(value.get("blockHash"))
        and _is_quantity(value.get("status"))
        and (value.get("contractAddress") is None or _matches(_ADDRESS, value["contractAddress"]))
        and isinstance(value.get("logs", []), list)
    )


_NAMED_BLOCKS = frozenset({"latest", "pending", "safe", "finalized"})
_QUANTITY_METHODS = (
    "eth_chainId",
    "eth_blockNumber",
    "eth_getTransactionCount",
    "eth_estimateGas",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
)

# method -> (result, params) -> well formed. Methods not listed (anvil_*, evm_*) are not read.
_SHAPES: dict[str, Callable[[Any, list[Any]], bool]] = {
    **dict.fromkeys(_QUANTITY_METHODS, lambda v, _: _is_quantity(v)),
    # A node always has a latest block; a numbered one it may not have yet (the caller says so).
    "eth_getBlockByNumber": lambda v, p: _is_block(v) or (v is None and bool(p) and p[0] not in _NAMED_BLOCKS),
    "eth_call": lambda v, _: _is_data(v),
    "eth_getCode": lambda v, _: _is_data(v),
    "eth_getLogs": lambda v, _: isinstance(v, list) and all(_is_log(x) for x in v),
    "eth_getTransactionReceipt": lambda v, _: v is None or _is_receipt(v),
    "eth_syncing": lambda v, _: v is False or isinstance(v, dict),
    "eth_sendRawTransaction": lambda v, _: _is_hash(v),
}
