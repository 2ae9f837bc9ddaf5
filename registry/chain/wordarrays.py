"""Calls whose arguments and answers are arrays of one-word elements, encoded and decoded by hand.

A verifier's batch asks `anchorsOf` and `statusWordsFor` about hundreds of entries at once, and
eth_abi encodes and decodes them element by element through several Python calls each: a few
microseconds a credential. Here those layouts (dynamic arrays of addresses, bytes32 and unsigned
integers as arguments; arrays of unsigned integers or of tuples of them as answers) are written
and read in a few C calls. Only what eth_abi itself would accept and produce the same bytes or
values for is handled: any other value, or an answer not laid out exactly as the ABI's canonical
encoding, returns None, and the caller hands it to eth_abi (which encodes, decodes or names the
problem as it always did).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from registry.formats.eth import is_address

_WORD = 32
_ZERO12 = bytes(12)
_HEX40 = re.compile(r"0x[0-9a-fA-F]{40}")


@lru_cache(maxsize=4096)  # a batch names a handful of accounts; eth_abi checks each on every use
def _address_word(value: str) -> bytes | None:
    if not _HEX40.fullmatch(value) or not is_address(value):
        return None
    return _ZERO12 + bytes.fromhex(value[2:])


def _address(value: Any) -> bytes | None:
    return _address_word(value) if type(value) is str else None


def _bytes32(value: Any) -> bytes | None:
    return value if type(value) is bytes and len(value) == _WORD else None


def _uint(bits: int) -> Callable[[Any], bytes | None]:
    limit = 1 << bits

    def encode(value: Any) -> bytes | None:
        return value.to_bytes(_WORD, "big") if type(value) is int and 0 <= value < limit else None

    return encode


_ELEMENTS: dict[str, Callable[[Any], bytes | None]] = {
    "address[]": _address,
    "bytes32[]": _bytes32,
    **{f"uint{bits}[]": _uint(bits) for bits in (8, 16, 32, 48, 64, 128, 256)},
}


def encode_arrays(types: Sequence[str], args: Sequence[Any]) -> bytes | None:
    """eth_abi's `encode(types, args)` when every type is an array of one-word elements and every
    value is one eth_abi takes as it is; else None."""
    if len(types) != len(args):
        return None
    heads: list[bytes] = []
    tails: list[bytes] = []
    offset = _WORD * len(types)
    for kind, values in zip(types, args, strict=True):
        element = _ELEMENTS.get(kind)
        if element is None or not isinstance(values, list | tuple):
            return None
        words = list(map(element, values))
        if None in words:
            return None
        tail = len(values).to_bytes(_WORD, "big") + b"".join(words)  # type: ignore[arg-type]
        heads.append(offset.to_bytes(_WORD, "big"))
        tails.append(tail)
        offset += len(tail)
    return b"".join(heads) + b"".join(tails)


_UINT_TUPLE = re.compile(r"\((uint\d+(?:,uint\d+)*)\)\[\]")
_UINT_ARRAY = re.compile(r"uint(\d+)\[\]")


def decode_array(types: Sequence[str], data: bytes) -> tuple[Any, ...] | None:
    """eth_abi's `decode(types, data)` for one answer that is an array of unsigned integers or of
    tuples of them, laid out canonically (offset 32, then the length, then exactly its elements,
    every padding byte zero); else None."""
    if len(types) != 1 or len(data) < 2 * _WORD:
        return None
    found = _UINT_ARRAY.fullmatch(types[0])
    fields = (int(found.group(1)),) if found else _tuple_bits(types[0])
    if fields is None or int.from_bytes(data[:_WORD], "big") != _WORD:
        return None
    count = int.from_bytes(data[_WORD : 2 * _WORD], "big")
    width = _WORD * len(fields)
    if len(data) != 2 * _WORD + count * width:
        return None
    values = _uints(memoryview(data)[2 * _WORD :], fields, count)
    if values is None:
        return None
    if found:
        return (tuple(values),)
    return (tuple(zip(*[iter(values)] * len(fields), strict=True)),)


@lru_cache(maxsize=64)
def _tuple_bits(kind: str) -> tuple[int, ...] | None:
    found = _UINT_TUPLE.fullmatch(kind)
    return tuple(int(part[4:]) for part in found.group(1).split(",")) if found else None


def _uints(body: memoryview, fields: tuple[int, ...], count: int) -> list[int] | None:
    """The body's words as integers, each within its field's bits (else None: eth_abi refuses
    non-empty padding)."""
    values = [int.from_bytes(body[n : n + _WORD], "big") for n in range(0, count * len(fields) * _WORD, _WORD)]
    if len(set(fields)) == 1:
        limit = 1 << fields[0]
        return values if all(v < limit for v in values) else None
    limits = [1 << bits for bits in fields] * count
    return values if all(v < limit for v, limit in zip(values, limits, strict=True)) else None
