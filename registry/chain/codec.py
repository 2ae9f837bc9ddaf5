"""The Solidity ABI encoding of calls and answers, without importing eth_abi for what is ordinary.

Importing eth_abi loads eth_utils (pydantic, toolz, a table of every network) and builds its type
grammar with parsimonious: together about a third of a `registry verify` process that makes a
dozen reads. The types our contracts use (unsigned and signed integers, addresses, booleans,
fixed and dynamic bytes, strings, tuples and arrays of them) are written and read here. Reading is
strict: an answer is taken only when it is laid out exactly as the canonical encoding of the
values read from it (encoded again, they give the same bytes), which is the one layout eth_abi
reads the same way. Anything else (a value eth_abi may take in another form, an answer with
stray padding, odd offsets or trailing bytes, a type not listed) goes to eth_abi, imported then,
which encodes, decodes or names the problem exactly as it always did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_WORD = 32
# A parsed type: (kind, detail, child). Kinds: "uint"/"int" (bits), "address", "bool", "fixed"
# (bytesN: N), "bytes", "string", "tuple" (children in detail), "array" (length or None; child).
Node = tuple[str, Any, Any]
_BASIC = re.compile(r"(uint|int|bytes)(\d*)|address|bool|string")
_ARRAY_SUFFIX = re.compile(r"\[(\d*)\]$")


class AbiDecodingError(ValueError):
    """eth_abi could not decode the data (its DecodingError, as a ValueError callers already catch)."""


class _Fallback(Exception):
    """Not something this module writes or reads exactly as eth_abi would: eth_abi's turn."""


def _split_top(inner: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for n, char in enumerate(inner):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(inner[start:n])
            start = n + 1
    parts.append(inner[start:])
    return [] if parts == [""] else parts


@lru_cache(maxsize=512)
def _parse(kind: str) -> Node:
    suffix = _ARRAY_SUFFIX.search(kind)
    if suffix:
        length = int(suffix.group(1)) if suffix.group(1) else None
        return ("array", length, _parse(kind[: suffix.start()]))
    if kind.startswith("(") and kind.endswith(")"):
        return ("tuple", tuple(_parse(part) for part in _split_top(kind[1:-1])), None)
    found = _BASIC.fullmatch(kind)
    if found is None:
        raise _Fallback(kind)
    if found.group(1) in ("uint", "int"):
        bits = int(found.group(2) or 256)
        if not (0 < bits <= 256 and bits % 8 == 0):
            raise _Fallback(kind)
        return (found.group(1), bits, None)
    if found.group(1) == "bytes":
        size = found.group(2)
        if size and not 0 < int(size) <= _WORD:
            raise _Fallback(kind)
        return ("fixed", int(size), None) if size else ("bytes", None, None)
    return (kind, None, None)


@lru_cache(maxsize=512)
def _is_dynamic(node: Node) -> bool:
    kind, detail, child = node
    if kind in ("bytes", "string"):
        return True
    if kind == "array":
        return detail is None or _is_dynamic(child)
    if kind == "tuple":
        return any(_is_dynamic(c) for c in detail)
    return False


@lru_cache(maxsize=512)
def _head_size(node: Node) -> int:
    """Bytes the value takes in its enclosing head (a dynamic value: its offset word)."""
    kind, detail, child = node
    if _is_dynamic(node):
        return _WORD
    if kind == "array":
        return int(detail) * _head_size(child)
    if kind == "tuple":
        return sum(_head_size(c) for c in detail)
    return _WORD


# -- encoding ---------------------------------------------------------------------------------------


def _word(node: Node, value: Any) -> bytes:
    kind, detail, _ = node
    if kind == "uint" and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << detail:
        return int(value).to_bytes(_WORD, "big")
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        if -(1 << (detail - 1)) <= value < 1 << (detail - 1):
            return int(value).to_bytes(_WORD, "big", signed=True)
    elif kind == "address":
        if isinstance(value, str) and len(value) == 42 and value[:2] == "0x":
            return bytes(12) + bytes.fromhex(value[2:])  # not hex: ValueError, eth_abi's turn
        if type(value) is bytes and len(value) == 20:
            return bytes(12) + value
    elif kind == "bool" and isinstance(value, bool):
        return _WORD * b"\0" if value is False else (1).to_bytes(_WORD, "big")
    elif kind == "fixed" and type(value) is bytes and len(value) <= detail:
        return value + bytes(_WORD - len(value))
    raise _Fallback(kind)


def _encode_one(node: Node, value: Any) -> bytes:
    kind, detail, child = node
    if kind in ("bytes", "string"):
        if kind == "string" and type(value) is str:
            raw = value.encode("utf-8")
        elif kind == "bytes" and type(value) is bytes:
            raw = value
        else:
            raise _Fallback(kind)
        return len(raw).to_bytes(_WORD, "big") + raw + bytes(-len(raw) % _WORD)
    if kind == "tuple":
        return _encode_tuple(detail, value)
    if kind == "array":
        if not isinstance(value, list | tuple) or (detail is not None and len(value) != detail):
            raise _Fallback(kind)
        body = _encode_tuple((child,) * len(value), value)
        return body if detail is not None else len(value).to_bytes(_WORD, "big") + body
    return _word(node, value)


def _encode_tuple(nodes: Sequence[Node], values: Any) -> bytes:
    if not isinstance(values, list | tuple) or len(values) != len(nodes):
        raise _Fallback("tuple")
    heads: list[bytes] = []
    tails: list[bytes] = []
    offset = sum(_head_size(n) for n in nodes)
    for node, value in zip(nodes, values, strict=True):
        encoded = _encode_one(node, value)
        if _is_dynamic(node):
            heads.append(offset.to_bytes(_WORD, "big"))
            tails.append(encoded)
            offset += len(encoded)
        else:
            heads.append(encoded)
    return b"".join(heads) + b"".join(tails)


def encode(types: Sequence[str], args: Sequence[Any]) -> bytes:
    """eth_abi's `encode(types, args)`: the same bytes, and its own errors for what it refuses."""
    try:
        return _encode_tuple(tuple(_parse(t) for t in types), args)
    except (_Fallback, ValueError, TypeError, OverflowError):
        from eth_abi import encode as eth_abi_encode

        return eth_abi_encode(list(types), list(args))


# -- decoding ---------------------------------------------------------------------------------------


def _read_word(data: bytes, at: int) -> bytes:
    if at < 0 or at + _WORD > len(data):
        raise _Fallback("short")
    return data[at : at + _WORD]


def _decode_one(node: Node, data: bytes, at: int) -> Any:
    kind, detail, child = node
    if kind in ("bytes", "string"):
        size = int.from_bytes(_read_word(data, at), "big")
        if at + _WORD + size > len(data):
            raise _Fallback(kind)
        raw = data[at + _WORD : at + _WORD + size]
        return raw.decode("utf-8") if kind == "string" else raw
    if kind == "tuple":
        return _decode_tuple(detail, data, at)
    if kind == "array":
        count = detail
        if count is None:
            count = int.from_bytes(_read_word(data, at), "big")
            at += _WORD
        if _head_size(child) == 0 or count * _head_size(child) > len(data) - at:
            raise _Fallback(kind)  # more elements than the answer has room for
        return _decode_tuple((child,) * count, data, at)
    word = _read_word(data, at)
    if kind == "uint":
        return int.from_bytes(word, "big")
    if kind == "int":
        return int.from_bytes(word, "big", signed=True)
    if kind == "address":
        return "0x" + word[12:].hex()  # lower case, as eth_abi's decoder gives it
    if kind == "bool":
        value = int.from_bytes(word, "big")
        if value > 1:
            raise _Fallback(kind)
        return value == 1
    return word[:detail]  # fixed bytes; padding checked by encoding again


def _decode_tuple(nodes: Sequence[Node], data: bytes, start: int) -> tuple[Any, ...]:
    values = []
    head = start
    for node in nodes:
        if _is_dynamic(node):
            values.append(_decode_one(node, data, start + int.from_bytes(_read_word(data, head), "big")))
            head += _WORD
        else:
            values.append(_decode_one(node, data, head))
            head += _head_size(node)
    return tuple(values)


def decode(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    """eth_abi's `decode(types, data)`: the same values; what eth_abi cannot decode raises
    AbiDecodingError (a ValueError) with its message."""
    try:
        nodes = tuple(_parse(t) for t in types)
        values = _decode_tuple(nodes, data, 0)
        if _encode_tuple(nodes, values) == data:
            return values
    except (_Fallback, ValueError, TypeError, OverflowError, RecursionError):
        pass
    from eth_abi import decode as eth_abi_decode
    from eth_abi.exceptions import DecodingError

    try:
        return tuple(eth_abi_decode(list(types), data))
    except DecodingError as exc:
        raise AbiDecodingError(str(exc)) from exc
