"""How `--help` reads in any terminal: the help texts, as typer shows them, rewrapped to its width.

Help is written where typer reads it, in the command's docstring and each option's `help=`,
wrapped at the source's width. Typer 0.28 (rich markup mode) keeps the line breaks of every
paragraph but a command's first, and keeps even those in a group's list of its commands: in a
terminal of another width, sentences broke mid-way. `polish` joins each paragraph into one line,
so that rich wraps it to the terminal; a paragraph that starts with a backspace (`\\b`, click's
marker) keeps its lines, for examples and lists:

    \"\"\"Verify credentials and passports.

    A paragraph, wrapped as the source likes.

    \\b
    Examples:
      registry verify alice.json
    \"\"\"

Each option's value is named for what it is (registry/cli/metavars.py: URL, DID, FILE...), not
typer's `<str>` or `<path>`. Typer 0.28 also writes a required argument as `{name}` in the usage
line and a list of them as `{files}...`: each argument is shown as its metavar (`FILE...`,
`[FILE]...` when optional), the upper-cased name unless the command names one
(`typer.Argument(metavar="FILE")`).

registry/cli/app.py polishes each command when it builds it (so only the commands a run uses);
tests/cli/test_help.py reads every help screen at two widths.
"""

from __future__ import annotations

import copy
import inspect
import re
import sys
from typing import Any

from typer.core import TyperArgument, TyperOption

from registry import i18n
from registry.cli.examples import EXAMPLES
from registry.cli.helpwords import translate
from registry.cli.metavars import metavar_of
from registry.i18n import N_, _

# The frame of a help screen in the run's language (typer's rich_utils words, set when a screen is shown in
# another language than English); the command's own help stays English (README, "Languages").
FRAME = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"), "REQUIRED_LONG_STRING": N_("[required]"),
    "DEFAULT_STRING": N_("[default: {}]"), "ENVVAR_STRING": N_("[env var: {}]"),
}  # fmt: skip
HELP_OPTION = N_("Show this message and exit.")
USAGE_WORD = N_("Usage:")


def prose(text: str | None) -> str | None:
    """`text` with each paragraph on one line, but those marked `\\b` (which keep their lines)."""
    if not text:
        return text
    head, mark, tail = inspect.cleandoc(text).partition("\f")  # typer shows nothing after \f
    paragraphs = []
    for paragraph in re.split(r"\n[ \t]*\n", head.strip()):
        if paragraph.startswith("\b"):
            paragraphs.append(paragraph[1:].strip("\n"))
        else:
            paragraphs.append(" ".join(paragraph.split()))
    return "\n\n".join(paragraphs) + mark + tail


class Argument(TyperArgument):
    """A positional argument, shown as its metavar: FILE, FILE..., [FILE]... (never `{file}`)."""

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        name = self.metavar or (self.name or "").upper()
        if self.nargs != 1:
            name += "..."
        return f"[{name}]" if usage and not self.required else name


def _no_bare_type(argument: Any) -> None:
    """An argument's metavar (FILE, DID) says what it is: typer would add its type beside it
    (`FILE <str>`). A type with words of its own (a choice's) keeps them."""
    if argument.type.get_metavar(param=argument, ctx=None) is None:
        shown = copy.copy(argument.type)  # the type may be shared (click.STRING): changed in a copy only
        shown.get_metavar = lambda param, ctx: ""
        argument.type = shown


def _in_language(command: Any) -> Any:
    """`command`'s help screen, its frame (panel titles, `[required]`, --help's line, "Examples:", and its
    usage line's "Usage:", for which `command.get_usage` is wrapped too) in the language of the run; typer's
    words are set only when a screen is shown, so no run pays for them."""
    english, english_usage = command.format_help, command.get_usage

    def get_usage(ctx: Any) -> Any:
        usage = english_usage(ctx)
        if i18n.current() == i18n.DEFAULT or not usage.startswith("Usage:"):
            return usage
        return _(USAGE_WORD) + usage.removeprefix("Usage:")

    def format_help(ctx: Any, formatter: Any) -> Any:
        if i18n.current() != i18n.DEFAULT or "typer.rich_utils" in sys.modules:  # an earlier run's words undone
            from typer import rich_utils

            for name, words in FRAME.items():
                setattr(rich_utils, name, _(words))
            if (option := command.get_help_option(ctx)) is not None:
                option.help = _(HELP_OPTION)
            translate(command)  # its own words and its examples' (registry/cli/helpwords.py)
        return english(ctx, formatter)

    command.get_usage = get_usage
    return format_help


def polish(command: Any, path: str = "", deep: bool = True) -> Any:
    """`command` (`registry PATH`; with `deep` its subcommands too) with its help rewrapped, its
    arguments named and its examples (registry/cli/examples.py) after its options."""
    command.help = prose(command.help)
    command.short_help = prose(command.short_help)
    command.format_help = _in_language(command)
    if path in EXAMPLES:
        # The leading newline keeps the indentation: typer dedents all but an epilog's first line.
        command.epilog = "\nExamples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[path])
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = Argument  # typer gives no way to choose an argument's class
            param.metavar = param.metavar or (param.name or "").upper()
            _no_bare_type(param)
        elif isinstance(param, TyperOption) and not (param.is_flag or param.count or param.metavar):
            param.metavar = metavar_of(path, param)  # DID, FILE, URL..., not <str> (registry/cli/metavars.py)
        if getattr(param, "help", None):
            param.help = prose(param.help)
    if deep:
        for name, sub in getattr(command, "commands", {}).items():
            polish(sub, f"{path} {name}".strip())
    return command
