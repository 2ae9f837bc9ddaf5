"""JSON from strangers: bounded nesting before the parser sees it.

The standard parser recurses once per nesting level in C; with the interpreter's recursion limit
raised (some of our dependencies raise it when imported), a few hundred thousand `[` take the C
stack down with the process. Every untrusted document goes through `loads`, which refuses deep
nesting first and turns every parse failure into an InputError.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from registry.errors import InputError

MAX_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting outside string literals."""
    depth = deepest = 0
    for char in _STRING.sub("", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(text: str | bytes, what: str = "input", max_depth: int = MAX_DEPTH) -> Any:
    # Cheap test first: a document with fewer brackets than the limit cannot nest deeper than it.
    brackets = text.count("[") + text.count("{") if isinstance(text, str) else text.count(b"[") + text.count(b"{")
    if brackets > max_depth and nesting_depth(_text(text, what)) > max_depth:
        raise InputError(f"{what} nests JSON deeper than {max_depth} levels")
    try:
        # orjson is several times faster on the common case. It refuses a few documents the
        # standard parser takes (lone surrogates, NaN, numbers beyond a double): those, and
        # every malformed document, go through the standard parser, so what is accepted and
        # every error message are the standard parser's whichever path was taken. (Integers
        # beyond 64 bits come back as floats, as RFC 8259 §6 allows; wherever we need an
        # integer, a float is refused.)
        return orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError is one
        pass
    try:
        return json.loads(_text(text, what))
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON (line {exc.lineno})") from exc
    except (RecursionError, ValueError) as exc:
        raise InputError(f"{what} is not valid JSON") from exc


def _text(text: str | bytes, what: str) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text") from exc
