"""JSON from strangers: bounded nesting before the parser sees it, and only what JSON allows.

The standard parser recurses once per nesting level in C; with the interpreter's recursion limit
raised (some of our dependencies raise it when imported), a few hundred thousand `[` take the C
stack down with the process. Every untrusted document goes through `loads`, which refuses deep
nesting first and turns every parse failure into an InputError.

Python's parser also takes what RFC 8259 does not: the tokens `NaN`, `Infinity` and `-Infinity`,
numbers such as `1e999` that overflow to infinity, and `\ud800` escapes that leave a lone
surrogate (not Unicode text: no encoder can write it back). A signed credential holding one made
every JSON face fail (invalid JSON from `verify --json`, a 500 from the service, a traceback on
a terminal); `loads` refuses them with one line, so no such value reaches a report.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from registry.errors import InputError
from registry.text import is_text

MAX_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# Every byte but `[` and `{`: deleting them leaves the brackets, counted in one pass.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{")


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


def depth_within(value: Any, max_depth: int) -> bool:
    """Whether a parsed value nests no deeper than `max_depth` (the bracket depth of its JSON)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return False
        level = [
            child
            for container in level
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, dict | list)
        ]
    return True


def loads(text: str | bytes, what: str = "input", max_depth: int = MAX_DEPTH) -> Any:
    # Text or bytes (a holder file, a JWT's payload): orjson first, several times faster than the
    # standard parser. It refuses nesting past 1,024 levels itself (it cannot exhaust the C stack),
    # and on what it accepts, walking the containers it built is cheaper than scanning every
    # character of the text (a Europass credential's payload has a hundred brackets: scanning it
    # cost six times its parse). It refuses a few documents the standard parser takes (lone
    # surrogates, NaN, numbers beyond a double): those, and every malformed document, go through
    # the standard parser below, so what is accepted and every error message are the standard
    # parser's whichever path was taken. (Integers beyond 64 bits come back as floats, as RFC 8259
    # §6 allows; wherever we need an integer, a float is refused.)
    try:
        value = orjson.loads(text)
    except ValueError:
        pass
    else:
        # The cheap test first, as below (two counts in C): a document with no more brackets than
        # the limit cannot nest deeper than it; only one with more is walked.
        if _brackets(text) > max_depth and not depth_within(value, max_depth):
            raise InputError(f"{what} nests JSON deeper than {max_depth} levels")
        return value
    # Cheap test first: a document with fewer brackets than the limit cannot nest deeper than it.
    if _brackets(text) > max_depth and nesting_depth(_text(text, what)) > max_depth:
        raise InputError(f"{what} nests JSON deeper than {max_depth} levels")
    try:
        value = json.loads(_text(text, what), parse_constant=_not_a_number, parse_float=_finite)
    except _NotFinite as exc:
        raise InputError(f"{what} holds the number {exc.args[0][:20]}, which JSON does not allow") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON (line {exc.lineno})") from exc
    except (RecursionError, ValueError) as exc:
        raise InputError(f"{what} is not valid JSON") from exc
    # Only here, where orjson refused: it refuses every lone surrogate, so its answers hold none.
    if _has_lone_surrogate(value):
        raise InputError(f"{what} holds a lone UTF-16 surrogate (\\ud800-\\udfff): not valid Unicode text")
    return value


def _brackets(text: str | bytes) -> int:
    """How many `[` and `{` the document holds, strings included (an upper bound of its depth)."""
    return text.count("[") + text.count("{") if isinstance(text, str) else len(text.translate(None, _NOT_BRACKETS))


def loads_shallow(text: str, what: str = "input") -> Any:
    """`loads` for a document that usually nests an object at most three levels deep (a holder
    file): such a value, once orjson parsed it, is what `loads` returns, and is returned without
    counting the brackets of the whole text. Anything else goes through `loads`."""
    try:
        value = orjson.loads(text)
    except ValueError:
        return loads(text, what)
    if type(value) is dict and _within_three_levels(value):
        return value
    return loads(text, what)


def _within_three_levels(value: dict[str, Any]) -> bool:
    """Whether an object nests no more than three levels of objects and arrays (itself included)."""
    for first in value.values():
        kind = type(first)
        if kind is not dict and kind is not list:
            continue
        for second in first.values() if kind is dict else first:
            inner = type(second)
            if inner is not dict and inner is not list:
                continue
            for third in second.values() if inner is dict else second:
                if type(third) is dict or type(third) is list:
                    return False
    return True


class _NotFinite(ValueError):
    pass


def _not_a_number(token: str) -> Any:
    raise _NotFinite(token)


def _finite(token: str) -> float:
    number = float(token)
    if not math.isfinite(number):
        raise _NotFinite(token)
    return number


def _has_lone_surrogate(value: Any) -> bool:
    # Iterative: a document nested up to `max_depth` in lists and objects.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_text(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _text(text: str | bytes, what: str) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text") from exc


def repeated_member(text: str | bytes, value: Any) -> str | None:
    """A member name the top-level object of `text` (already parsed, as `value`) gives twice, or None.

    Readers differ on which of two members counts (Python's parser keeps the last, others the first),
    so a file naming one twice can mean one thing to us and another to the next tool. Cheap tests
    first, as the verifier reads a holder file per credential: a text that is the value written back
    as we write our files (orjson, under a microsecond) can name nothing twice; else a name can be
    given twice only if its quoted form occurs twice or it is written with an escape (a few substring
    counts in C). Only then is the text parsed again, pair by pair."""
    if type(value) is not dict:
        return None
    try:
        as_written = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # an integer beyond 64 bits (the standard parser's): judged below
        as_written = b""
    if as_written == text if isinstance(text, bytes) else as_written.decode() == text:
        return None
    if isinstance(text, bytes):
        suspect = b"\\" in text or any(text.count(f'"{name}"'.encode()) > 1 for name in value)
    else:
        suspect = "\\" in text or any(text.count(f'"{name}"') > 1 for name in value)
    if not suspect:
        return None
    names: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        names[:] = [name for name, _ in items]  # objects close inner first: the last one is the top level
        return dict(items)

    try:
        json.loads(_text(text, "input"), object_pairs_hook=pairs)
    except (InputError, ValueError, RecursionError):
        return None  # orjson took it and the standard parser does not: no pairs to judge
    return next((name for index, name in enumerate(names) if name in names[:index]), None)


def repeated_in_token(raw: bytes, value: Any = None) -> str | None:
    """The first member name any object of a JWT's payload `raw` gives twice, or None; `value` is
    `raw` parsed, when the caller has it as plain JSON values. A payload as signers write it (compact,
    non-ASCII as it is: ours, and most libraries') is the value written back by orjson, and then names
    nothing twice (a repeat would be missing from what is written back): about 15 µs for our 3 KB
    payload (docs/SECURITY.md has what it costs the verifier); only another is read object by object."""
    try:
        if orjson.dumps(orjson.loads(raw) if value is None else value) == raw:
            return None
    except (orjson.JSONDecodeError, TypeError):  # not JSON, or an integer beyond 64 bits: read below
        pass
    return repeated_anywhere(raw)


def repeated_anywhere(text: str | bytes) -> str | None:
    """The first member name any object of `text` gives twice, or None (also for text that is not
    JSON: judged elsewhere). For a request body, read once (a service request, not the verifier's
    hot path): the standard parser, object by object, on text bounded in size by the service."""
    if not text or (b"{" not in text if isinstance(text, bytes) else "{" not in text):
        return None

    class _Twice(Exception):
        pass

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in items]
        if len(set(names)) != len(names):
            raise _Twice(next(name for index, name in enumerate(names) if name in names[:index]))
        return dict(items)

    try:
        if _brackets(text) > MAX_DEPTH and nesting_depth(_text(text, "input")) > MAX_DEPTH:
            return None  # refused as too deep where it is parsed
        json.loads(text, object_pairs_hook=pairs)
    except _Twice as twice:
        return str(twice.args[0])
    except (InputError, ValueError, RecursionError):
        return None
    return None
