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
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{what} is not UTF-8 text") from exc
    # Cheap test first: a document with fewer brackets than the limit cannot nest deeper than it.
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise InputError(f"{what} nests JSON deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON (line {exc.lineno})") from exc
    except (RecursionError, ValueError) as exc:
        raise InputError(f"{what} is not valid JSON") from exc
