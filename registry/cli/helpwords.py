"""What `--help` says of a command in the run's language: its help, its options' and arguments', and in a
group's screen each command's, a paragraph at a time through the catalogs (registry/i18n); a paragraph no
catalog has stays English.

The commands whose words the catalogs hold are named in `TRANSLATED` (the root's screen, then the
commonest commands of a worker and a verifier); `python -m registry.i18n.extract update` reads their texts
from the commands as typer builds them (`extract_help`, a Babel extraction method the extractor names), so
a message is exactly what the screen looks up, option texts written with an f-string too.
"""

from __future__ import annotations

from typing import Any

from registry.i18n import DEFAULT, _, current

# The commands (`registry PATH`; "" the root) whose help texts are translated.
TRANSLATED = ("", "verify")


def in_language(text: str | None) -> str | None:
    """A help text (as helptext.prose made it) in the run's language, paragraph by paragraph."""
    if not text or current() == DEFAULT:
        return text
    head, mark, tail = text.partition("\f")  # typer shows nothing after \f
    return "\n\n".join(_(paragraph) for paragraph in head.split("\n\n")) + mark + tail


def _swap(thing: Any, attribute: str) -> None:
    """Set `thing.attribute` to its English (kept on first use) in the run's language."""
    kept = f"_english_{attribute}"
    if not hasattr(thing, kept):
        setattr(thing, kept, getattr(thing, attribute, None))
    setattr(thing, attribute, in_language(getattr(thing, kept)))


def translate(command: Any) -> None:
    """`command`'s help and its parameters', and its subcommands' as its screen lists them, in the run's
    language (English: as written, an earlier run's words undone)."""
    for one in (command, *getattr(command, "commands", {}).values()):
        _swap(one, "help")
        _swap(one, "short_help")
    for param in command.params:
        if getattr(param, "help", None):
            _swap(param, "help")
