"""Languages of the human output: the command line's words and the web page's, through gettext
catalogs (docs/ARCHITECTURE.md, "Languages").

One source of translations: `registry/locale/<lang>/LC_MESSAGES/registry.po`, read at run time
with Babel's `read_po` (no compiled `.mo` in the repository or built at install: the catalogs
are a few hundred lines, read in milliseconds, and only when a language other than English is
asked for). The CLI calls `_()` and `ngettext()`; the service sends the same catalog to the page
as JSON (`catalog_json`, GET /api/i18n/{lang}). English is the source language: its words are the
msgids themselves. Machine output (`--json`, the API's JSON, exit codes) is never translated.

Which language: `registry --lang fr`, else REGISTRY_LANG, else the locale (LC_ALL, LC_MESSAGES,
LANG, the first one set), else English. The choice is made once per run by the CLI's root
callback (`use`); a language nobody translated falls back to English.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from registry.errors import InputError

# Code -> (its name in itself, writing direction). English first: the source language.
LANGUAGES: dict[str, tuple[str, str]] = {"en": ("English", "ltr"), "fr": ("Français", "ltr"), "ar": ("العربية", "rtl")}
DEFAULT = "en"
# What the locale variables are read in, first set first (POSIX: LC_ALL over LC_MESSAGES over LANG).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_state = {"language": DEFAULT}


def language_of(value: str) -> str | None:
    """The language code of `fr`, `fr_FR.UTF-8`, `ar-EG` or `AR` (None: not one we have)."""
    code = re.split(r"[_.@-]", value.strip(), maxsplit=1)[0].lower()
    return code if code in LANGUAGES else None


def choose(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language of this run: `--lang`, else REGISTRY_LANG (each must be one we have: an
    InputError names them), else the first locale variable set (one we lack means English)."""
    env = os.environ if environ is None else environ
    for where, value in (("--lang", option), ("REGISTRY_LANG", env.get("REGISTRY_LANG"))):
        if value:
            code = language_of(value)
            if code is None:
                raise InputError(
                    f"{where} {value[:40]!r} is not a language of this registry: use one of {', '.join(LANGUAGES)}"
                )
            return code
    for variable in LOCALE_VARIABLES:
        if env.get(variable):
            return language_of(env[variable]) or DEFAULT
    return DEFAULT


def use(code: str) -> None:
    """Make `code` the language `_()` translates into (the CLI's root callback, once per run)."""
    _state["language"] = code if code in LANGUAGES else DEFAULT


def current() -> str:
    return _state["language"]


def direction(code: str) -> str:
    """`rtl` or `ltr`: how the language is written (the page's `dir`)."""
    return LANGUAGES.get(code, LANGUAGES[DEFAULT])[1]


class Catalog:
    """A language's messages as read from its .po file: msgid -> text, and for plural messages
    the singular msgid -> every form, with the rule that picks one (the .po's Plural-Forms)."""

    def __init__(self, messages: dict[str, Any], plural_expr: str, fuzzy: set[str]) -> None:
        self.messages = messages
        self.plural_expr = plural_expr
        self.fuzzy = fuzzy
        self._plural = _plural_rule(plural_expr)

    def plural_index(self, n: int) -> int:
        return self._plural(n)


def _plural_rule(expr: str) -> Any:
    import gettext

    return gettext.c2py(expr)


@cache
def catalog(code: str) -> Catalog:
    """The catalog of `code`, read once from its .po (English: an empty one, the msgids are English)."""
    if code == DEFAULT or code not in LANGUAGES:
        return Catalog({}, "(n != 1)", set())
    from babel.messages.pofile import read_po

    source = resources.files("registry") / "locale" / code / "LC_MESSAGES" / "registry.po"
    with source.open("rb") as handle:
        po = read_po(handle, locale=code)
    messages: dict[str, Any] = {}
    fuzzy: set[str] = set()
    for message in po:
        key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        if not key:
            continue
        if message.fuzzy:
            fuzzy.add(key)
            continue
        text = message.string
        if (isinstance(text, tuple) and all(text)) or (isinstance(text, str) and text):
            messages[key] = text
    return Catalog(messages, po.plural_expr, fuzzy)


def _(message: str) -> str:
    """`message` (English, the msgid) in the language of this run; untranslated: as given."""
    if _state["language"] == DEFAULT:
        return message
    text = catalog(_state["language"]).messages.get(message)
    return text if isinstance(text, str) else message


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; translated where it is shown, by `_()`."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number `n`, in the language of this run."""
    if _state["language"] != DEFAULT:
        book = catalog(_state["language"])
        forms = book.messages.get(singular)
        if isinstance(forms, tuple):
            return str(forms[min(book.plural_index(n), len(forms) - 1)])
    return singular if n == 1 else plural


# How each language separates the items of a list: (a comma, a semicolon), as it writes them (French
# puts a no-break space before a semicolon, as the catalog does before a colon; Arabic has its own marks).
SEPARATORS: dict[str, tuple[str, str]] = {"en": (", ", "; "), "fr": (", ", "\u00a0; "), "ar": ("\u060c ", "\u061b ")}


def joined(parts: Any, strong: bool = False) -> str:
    """`parts` as a list in the run's language: with its comma, or its semicolon (`strong`)."""
    return SEPARATORS.get(_state["language"], SEPARATORS[DEFAULT])[1 if strong else 0].join(parts)


def number(value: Any) -> str:
    """A number (hours, mostly) as the run's language writes it: 2.5 in English, 2,5 in French, as
    CLDR's data for the language gives it through Babel, in the Latin digits the catalogs use;
    anything but a number as given."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if _state["language"] == DEFAULT:
        return f"{value:g}"
    from babel.numbers import format_decimal

    return str(format_decimal(value, format="0.###", locale=_state["language"]))


def catalog_json(code: str) -> dict[str, Any]:
    """A language's catalog for the page: its code, direction, name, list separators (a comma, a semicolon)
    and messages (msgid -> text; the page uses no plural messages, so plural entries are left out)."""
    book = catalog(code)
    messages = {key: value for key, value in book.messages.items() if isinstance(value, str)}
    separators = list(SEPARATORS.get(code, SEPARATORS[DEFAULT]))  # the page joins its lists as `joined` does
    return {"lang": code, "dir": direction(code), "name": LANGUAGES[code][0], "separators": separators,
            "messages": messages}  # fmt: skip
