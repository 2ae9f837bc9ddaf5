"""The translators' tool: every message the code shows, extracted by Babel, and the catalogs
brought up to date with it (`python -m registry.i18n.extract update`).

Messages are marked where they are written: `_()`, `N_()` and `ngettext()` in Python, `_()` in the
page's scripts (registry/service/static/*.js, inside template literals' `${...}` too),
and `data-i18n` (the element's text),
`data-i18n-placeholder` or `data-i18n-label` (an aria-label) in its HTML. There is no template file
to keep in step: the template is extracted afresh from the code each time (`template()`), by the tests too
(tests/e2e/test_translations.py fails when a catalog misses one of its messages).

    python -m registry.i18n.extract update   # add new messages to every catalog, mark gone ones obsolete
    python -m registry.i18n.extract init xx  # start a catalog for language xx
    python -m registry.i18n.extract check    # list what each catalog misses (exit 1 if anything)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po

from registry.i18n import DEFAULT, LANGUAGES

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE = PACKAGE / "locale"
DOMAIN = "registry"
PY_KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
JS_KEYWORDS = {"_": None, "N_": None}
# Messages inside a template literal's `${...}` too (`${fmt(_("{hours} h"), ...)}`): Babel reads them.
JS_OPTIONS = {"parse_template_string": True}


class _Marked(HTMLParser):
    """The messages of an HTML page: the text of each element with `data-i18n`, and the value of
    each `data-i18n-placeholder` (the placeholder shown in that language) and `data-i18n-label` (its
    aria-label, what a screen reader says)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._open: list[tuple[str, int, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "data-i18n-placeholder" in values and values.get("placeholder"):
            self.found.append((self.getpos()[0], str(values["placeholder"])))
        if "data-i18n-label" in values and values.get("aria-label"):
            self.found.append((self.getpos()[0], str(values["aria-label"])))
        if "data-i18n" in values:
            self._open.append((tag, self.getpos()[0], []))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, line, parts = self._open.pop()
            self.found.append((line, words("".join(parts))))


def words(text: str) -> str:
    """Text as a message: white space collapsed (the page does the same before it looks one up)."""
    return re.sub(r"\s+", " ", text).strip()


def extract_html(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """A Babel extraction method for the pages' HTML."""
    parser = _Marked()
    parser.feed(fileobj.read().decode("utf-8"))
    for line, message in parser.found:
        yield line, None, message, []


def _sources() -> Iterator[tuple[Path, Any, dict[str, Any], dict[str, Any]]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != Path(__file__).resolve():
            yield path, "python", PY_KEYWORDS, {}
    static = PACKAGE / "service" / "static"
    for path in sorted(static.glob("*.js")):
        yield path, "javascript", JS_KEYWORDS, JS_OPTIONS
    for path in sorted(static.glob("*.html")):
        yield path, extract_html, {}, {}
    # The help texts of the commands registry/cli/helpwords.py names, read from the commands as typer builds them.
    yield PACKAGE / "cli" / "helpextract.py", "registry.cli.helpextract:extract_help", {}, {}


def template() -> Catalog:
    """Every message the code marks, with where it is used (extracted now, from the code)."""
    pot = Catalog(project="skills-registry", domain=DOMAIN)
    for path, method, keywords, options in _sources():
        with path.open("rb") as handle:
            for line, message, comments, context in extract(method, handle, keywords=keywords, options=options):
                where = (str(path.relative_to(PACKAGE.parent)), line)
                pot.add(message, None, [where], auto_comments=comments, context=context)
    return pot


def po_path(code: str) -> Path:
    return LOCALE / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(code: str) -> Catalog:
    with po_path(code).open("rb") as handle:
        return read_po(handle, locale=code, domain=DOMAIN)


def write(code: str, catalog: Catalog) -> None:
    path = po_path(code)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False, include_previous=False)


def missing(code: str, pot: Catalog | None = None, book: Catalog | None = None) -> list[str]:
    """The template's messages that `code`'s catalog (or `book`, read from it) has no non-fuzzy,
    non-empty translation of, in every plural form."""
    pot = pot or template()
    book = book or read(code)
    gaps = []
    for message in pot:
        if not message.id:
            continue
        found = book.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        forms = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(forms):
            gaps.append(str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id))
    return gaps


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    pot = template()
    if command == "init" and len(argv) == 2:
        write(argv[1], Catalog(locale=argv[1], domain=DOMAIN, project="skills-registry"))
        command = "update"
    codes = [code for code in LANGUAGES if code != DEFAULT and po_path(code).exists()]
    if command == "update":
        for code in codes:
            book = read(code)
            book.update(pot, no_fuzzy_matching=True)
            write(code, book)
        return 0
    if command == "check":
        gaps = {code: missing(code, pot) for code in codes}
        for code, ids in gaps.items():
            print(f"{code}: {len(ids)} of {len(pot)} messages untranslated" + "".join(f"\n  {m!r}" for m in ids))
        return 1 if any(gaps.values()) else 0
    print(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
