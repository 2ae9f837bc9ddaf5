"""What `--help` says of a command in the run's language: its help, its options' and arguments', in a
group's screen each command's, and the comments of its examples, a paragraph (a comment) at a time through
the catalogs (registry/i18n); a paragraph no catalog has stays English.

The commands whose words the catalogs hold are named in `TRANSLATED` (a group's screen lists its commands
by their first paragraph: those are held too); `python -m registry.i18n.extract update` reads their texts
from the commands as typer builds them (registry/cli/helpextract.py, a Babel extraction method the
extractor names), so a message is exactly what the screen looks up, option texts written with an f-string
too. Every example's comment (registry/cli/examples.py) is held, whatever its command.
"""

from __future__ import annotations

from typing import Any

from registry.i18n import DEFAULT, N_, _, current

# The commands (`registry PATH`; "" the root) whose help texts are translated: the root's screen, then
# those of a worker, a verifier and a training centre's clerk.
TRANSLATED = (
    "", "verify",
    "passport", "passport create", "passport print",
    "wallet", "wallet create", "wallet import", "wallet import-key", "wallet list", "wallet show", "wallet export",
    "wallet import-backup",
    "logbook", "logbook enrol", "logbook add", "logbook sign", "logbook anchor", "logbook revoke", "logbook show",
    "logbook complete", "logbook share", "logbook verify", "logbook sync",
    "issue", "issued", "revoke", "suspend", "reinstate",
    "identity", "identity create", "identity show", "identity handover",
    "trust-list", "trust-list create", "trust-list add", "trust-list remove", "trust-list show",
    "recognition", "recognition publish", "recognition suspend", "recognition reinstate", "recognition revoke",
    "recognition list", "recognition show", "recognition frameworks",
    "did", "did register", "did resolve", "did rotate-key", "status", "status publish",
    "issuer", "issuer check", "issuer history",
)  # fmt: skip
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
