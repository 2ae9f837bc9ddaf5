"""Untrusted text on its way out: the one place where what a credential, a file name, a DID, a
node or a command-line argument says becomes terminal text, JSON or page text.

A credential is signed by its issuer, not by us, and anyone can hand a verifier a file: its
achievement name may hold an ANSI escape that erases the verdict line above it, a carriage
return and a green "VALID", a right-to-left override that reverses what follows, Rich markup
that the console would interpret (or choke on: `[/x]`), or a lone surrogate that no encoder can
write. Every face keeps such text inert:

- terminal text (`shown`): control characters (C0, DEL, C1), line and paragraph separators,
  lone surrogates and invisible format characters (bidi embeddings, overrides and isolates,
  zero-width space, word joiner, BOM, tag characters, ...) are written as visible escapes
  (`\\x1b`, `\\u202e`), so a value always stays on its own line as inert characters. The
  joiners (U+200C/U+200D) and the direction marks (U+200E/U+200F, U+061C) stay: scripts such as
  Persian and Arabic need them, and they cannot reorder text across a value's end.
- Rich output (`markup`): the same, with Rich markup escaped, for a value interpolated into a
  markup template of ours;
- JSON (`json_text`): always valid JSON (`NaN` and infinities refused, as JSON itself does), and
  the same characters written as `\\u` escapes, so the data is unchanged for a program and inert
  on a terminal; a lone surrogate (a file name's byte that is not UTF-8), which no strict parser
  takes even escaped, as the text the terminal shows (`\\udcff`).

The web page takes the service's JSON and puts every value in with textContent (never as HTML),
escaping the same characters (registry/service/static/common.js `shown`).
"""

from __future__ import annotations

import json
import re
from typing import Any

# Control (Cc), surrogate (Cs), line/paragraph separator (Zl, Zp) and format (Cf) characters,
# but the joiners and direction marks scripts need (see above). Written out, so it does not
# depend on the Unicode tables of the interpreter at hand; tests/e2e/test_faces.py checks it covers
# every such character this interpreter knows.
_REST = (
    "\x7f-\x9f\xad\u0600-\u0605\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE = re.compile(f"[\x00-\x1f{_REST}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Our own multi-line text keeps its newlines (and only those).
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{_REST}]")
# In JSON text the encoder has escaped C0 already; the rest can only stand inside strings.
_JSON_UNSAFE = re.compile(f"[{_REST}]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code < 0xE000:
        # A lone surrogate is not Unicode text: strict parsers refuse even its `\u` escape. It is
        # written as the terminal shows it, a backslash and its number (`\\udcff` in JSON).
        return f"\\\\u{code:04x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def is_text(value: str) -> bool:
    """Whether `value` is Unicode text: no lone surrogate (what Python makes of bytes that are
    not UTF-8 in a file name or an argument, and of a `\\ud800` JSON escape)."""
    return _SURROGATE.search(value) is None


def hidden_character(value: str, *, lines: bool = False) -> str | None:
    """The first character of `value` that `shown` would write as an escape (with `lines`, but a
    newline), named for a person ("U+202E RIGHT-TO-LEFT OVERRIDE"); None when there is none.

    For writers of what a verifier reads (names, titles, labels, activities): such a character is
    invisible or moves the text around it, so a page or a printer that does not escape it as ours
    do shows a name other than the one signed. Writers refuse it rather than sign it."""
    import unicodedata

    found = (_UNSAFE_BUT_NEWLINE if lines else _UNSAFE).search(value)
    if found is None:
        return None
    char = found.group()
    if char in "\n\r\x0b\x0c\x85\u2028\u2029":
        return f"a line break (U+{ord(char):04X})"
    if unicodedata.category(char) == "Cc":
        return f"a control character (U+{ord(char):04X})"
    return f"U+{ord(char):04X} {unicodedata.name(char, 'an unassigned format character')}"


def shown(value: object) -> str:
    """`value` as inert text on one line: every control, separator, surrogate or invisible format
    character written as a visible escape (a newline as `\\x0a`)."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_visible, text)


def shown_lines(text: str) -> str:
    """`shown` for text of ours that may span lines: newlines kept, everything else escaped."""
    return _UNSAFE_BUT_NEWLINE.sub(_visible, text)


def markup(value: object) -> str:
    """`shown(value)` with Rich markup escaped: for a value put into a Rich markup template."""
    from rich.markup import escape

    return escape(shown(value))


def json_text(value: Any, *, indent: int | None = None, ascii_only: bool = False, compact: bool = False) -> str:
    """`value` as JSON that is valid (no NaN or infinity: ValueError) and inert on a terminal."""
    separators = (",", ":") if compact else None
    text = _JSON_UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent,
                                                       separators=separators))  # fmt: skip
    return _NON_ASCII.sub(_json_escape, text) if ascii_only else text


def short_did(did: str, keep: int = 40) -> str:
    """A DID as text output shows it: whole up to `keep` characters (a did:ebsi), else its method
    and the start and end of its identifier around an ellipsis (a did:key is 56 to 186
    characters); JSON output always carries it whole. Inert, as `shown`."""
    if len(did) <= keep:
        return shown(did)
    return shown(f"{did[: keep - 11]}…{did[-10:]}")


def named_did(did: str | None, name: str | None, unknown: str = "?") -> str:
    """A holder or an issuer as text output names it: its name and its DID shortened (`short_did`),
    the DID alone where no name is known, `unknown` where neither is. Inert, as `shown`."""
    if not did:
        return shown(name or unknown)
    return f"{shown(name)} ({short_did(did)})" if name else short_did(did)


def authorised_as(did: str, name: str | None) -> str:
    """A person a signed authorisation names (`supervisor authorise --name`): that name, marked as the
    authorisation's word, beside her DID shortened; the DID alone where it gives none. Inert, as `shown`."""
    return f"{shown(name)} (as the authorisation names {short_did(did)})" if name else short_did(did)


def short_attribute(attribute_id: bytes | str) -> str:
    """An accreditation's attribute id (32 bytes, or its 64 hex digits) as text output names it: its
    first 8 hex digits, as `issuer history` lists it and `trust suspend|reinstate|revoke --attribute`
    takes it back; JSON output carries it whole."""
    digits = attribute_id.hex() if isinstance(attribute_id, bytes) else attribute_id.removeprefix("0x")
    return digits[:8].lower()
