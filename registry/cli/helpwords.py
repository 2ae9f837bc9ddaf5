"""What `--help` says of a command in the run's language: its help, its options' and arguments', in a
group's screen each command's, and the comments of its examples, a paragraph (a comment) at a time through
the catalogs (registry/i18n); a paragraph no catalog has stays English.

The catalogs hold the words of every command (a new one's are extracted too, and tests/e2e/test_translations.py
asks for their translation): `python -m registry.i18n.extract update` reads them from the commands as typer
builds them (registry/cli/helpextract.py, a Babel extraction method the extractor names), so a message is
exactly what the screen looks up, option texts written with an f-string too, and every example's comment
(registry/cli/examples.py).
"""

from __future__ import annotations

from typing import Any

from registry.i18n import DEFAULT, N_, _, current

EXAMPLES_WORD = N_("Examples:")
COMMENT = "# "  # an example's comment, after its indentation (registry/cli/examples.py)


def in_language(text: str | None) -> str | None:
    """A help text (as helptext.prose made it) in the run's language, paragraph by paragraph."""
    if not text or current() == DEFAULT:
        return text
    head, mark, tail = text.partition("\f")  # typer shows nothing after \f
    return "\n\n".join(_(paragraph) for paragraph in head.split("\n\n")) + mark + tail


def examples_in_language(epilog: str | None) -> str | None:
    """A command's examples (helptext.polish's epilog) with their heading and comments in the run's language;
    the command lines as written."""
    if not epilog or current() == DEFAULT:
        return epilog
    lines = []
    for line in epilog.split("\n"):
        indent, words = line[: len(line) - len(line.lstrip())], line.lstrip()
        if line == "Examples:":
            line = _(EXAMPLES_WORD)
        elif words.startswith(COMMENT):
            line = indent + COMMENT + _(words.removeprefix(COMMENT))
        lines.append(line)
    return "\n".join(lines)


def _swap(thing: Any, attribute: str, say: Any = in_language) -> None:
    """Set `thing.attribute` to its English (kept on first use) in the run's language."""
    kept = f"_english_{attribute}"
    if not hasattr(thing, kept):
        setattr(thing, kept, getattr(thing, attribute, None))
    setattr(thing, attribute, say(getattr(thing, kept)))


def translate(command: Any) -> None:
    """`command`'s help, its parameters' and examples', and its subcommands' as its screen lists them, in
    the run's language (English: as written, an earlier run's words undone)."""
    for one in (command, *getattr(command, "commands", {}).values()):
        _swap(one, "help")
        _swap(one, "short_help")
    _swap(command, "epilog", examples_in_language)
    for param in command.params:
        if getattr(param, "help", None):
            _swap(param, "help")
