"""Encoding calls and decoding answers and events for our contracts, from their compiled ABIs.

Through `codec` (the canonical encoding written and read by hand; eth_abi loaded only for what
it does not take) and `formats.eth` (keccak): no web3.py, eth_abi or eth_utils at import, whose
import would cost a verifier's start-up a third of its time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from registry.chain.answers import BadAnswer, _hex_bytes
from registry.chain.artifacts import abi
from registry.chain.codec import decode, encode
from registry.chain.wordarrays import decode_array, encode_arrays
from registry.formats.eth import keccak_text


@dataclass(frozen=True)
class Call:
    """A read: contract address, function (from our ABIs) and arguments."""

    address: str
    contract: str
    function: str
    args: tuple[Any, ...] = ()


class Abi:
    """Encoding and decoding for one contract's functions and events, from its artifact."""

    def __init__(self, contract: str) -> None:
        self.functions: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        for item in abi(contract):
            if item["type"] == "function":
                self.functions[item["name"]] = item
            elif item["type"] == "event":
                self.events[item["name"]] = item

    @staticmethod
    def _type(item: dict[str, Any]) -> str:
        kind: str = item["type"]
        if kind.startswith("tuple"):
            return "(" + ",".join(Abi._type(c) for c in item["components"]) + ")" + kind[5:]
        return kind

    # Each computed once per function: a verifier encodes the same few calls over and over.
    @cache  # noqa: B019 - one Abi per contract, alive for the process
    def input_types(self, function: str) -> list[str]:
        return [self._type(i) for i in self.functions[function]["inputs"]]

    @cache  # noqa: B019
    def output_types(self, function: str) -> list[str]:
        return [self._type(o) for o in self.functions[function]["outputs"]]

    @cache  # noqa: B019
    def selector(self, function: str) -> bytes:
        return keccak_text(f"{function}({','.join(self.input_types(function))})")[:4]

    def encode_call(self, function: str, args: Sequence[Any]) -> str:
        types = self.input_types(function)
        # Arrays of one-word elements (a verifier's bulk reads) by hand, the same bytes (wordarrays.py).
        body = encode_arrays(types, args)
        data = self.selector(function) + (encode(types, list(args)) if body is None else body)
        return "0x" + data.hex()

    def decode_output(self, function: str, data: str) -> tuple[Any, ...]:
        try:
            raw = _hex_bytes(data)
            types = self.output_types(function)
            found = decode_array(types, raw)
            return tuple(decode(types, raw)) if found is None else found
        except (ValueError, TypeError, OverflowError) as exc:
            raise BadAnswer(f"the node answered something that is not a valid eth_call result for {function}") from exc

    @cache  # noqa: B019
    def event_topic(self, event: str) -> str:
        item = self.events[event]
        signature = f"{event}({','.join(self._type(i) for i in item['inputs'])})"
        return "0x" + keccak_text(signature).hex()

    def decode_event(self, event: str, log: dict[str, Any]) -> dict[str, Any]:
        """Decode one log of `event`: indexed fields from topics, the rest from data."""
        try:
            return self._decode_event(event, log)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise BadAnswer(f"the node answered something that is not a valid eth_getLogs result for {event}") from exc

    def _decode_event(self, event: str, log: dict[str, Any]) -> dict[str, Any]:
        item = self.events[event]
        indexed = [i for i in item["inputs"] if i["indexed"]]
        plain = [i for i in item["inputs"] if not i["indexed"]]
        values: dict[str, Any] = {}
        for field, topic in zip(indexed, log["topics"][1:], strict=True):
            raw = bytes.fromhex(topic[2:]) if isinstance(topic, str) else bytes(topic)
            values[field["name"]] = decode([self._type(field)], raw)[0]
        data = log["data"]
        raw_data = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
        for field, value in zip(plain, decode([self._type(p) for p in plain], raw_data), strict=True):
            values[field["name"]] = value
        return values


_ABIS: dict[str, Abi] = {}


def contract_abi(contract: str) -> Abi:
    if contract not in _ABIS:
        _ABIS[contract] = Abi(contract)
    return _ABIS[contract]
