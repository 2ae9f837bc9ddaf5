"""The help texts registry/cli/helpwords.py translates, for the catalogs: a Babel extraction method
(`python -m registry.i18n.extract` names it) reading them from every command as typer builds them, the root's
first, and the comments of every command's examples (registry/cli/examples.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from registry.cli.examples import EXAMPLES
from registry.cli.helpwords import COMMENT


def _english(thing: Any, attribute: str) -> str | None:
    return getattr(thing, f"_english_{attribute}", getattr(thing, attribute, None))


def commands(command: Any) -> Iterator[Any]:
    """`command` and every command under it, each group before its own commands."""
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from commands(sub)


def _texts(root: Any) -> Iterator[str]:
    for command in commands(root):
        yield from (_english(command, "help") or "", _english(command, "short_help") or "")
        yield from (_english(param, "help") or "" for param in command.params)
        # A group's screen lists each of its commands by the first paragraph of its help.
        yield from ((_english(sub, "help") or "").split("\n\n")[0] for sub in getattr(command, "commands", {}).values())


def extract_help(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """A Babel extraction method: each paragraph of every command's help texts, then each example's comment."""
    import typer

    from registry.cli.app import app

    root = typer.main.get_command(app)
    seen = set()
    comments = (line.removeprefix(COMMENT) for lines in EXAMPLES.values() for line in lines if line.startswith(COMMENT))
    for text in (*_texts(root), *comments):
        for paragraph in text.partition("\f")[0].split("\n\n"):
            if paragraph.strip() and paragraph not in seen:
                seen.add(paragraph)
                yield 1, None, paragraph, []
