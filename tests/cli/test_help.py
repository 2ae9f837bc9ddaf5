"""Every `--help` screen, as a new user reads it in a terminal 80 or 120 columns wide.

Pure and in process. A line of help text ends only where the next word would not fit (the help is
rewrapped to the terminal, registry/cli/helptext.py): typer 0.28 kept the source's line breaks, so
sentences broke mid-way in a list of commands and in every paragraph after a command's first. The
usage line names each argument by its metavar (FILE..., DID), never typer's `{name}`. The main
commands carry examples, and each example parses as that command's command line (options it has,
values of the right types).
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from registry.cli import app
from registry.cli.examples import EXAMPLES

WIDTHS = (80, 120)
# The commands a new user starts with: each shows examples of how it is run.
WITH_EXAMPLES = (
    "issue", "verify", "revoke", "trust accredit", "trust onboard-root", "trust-list add", "passport create",
    "wallet import", "logbook add", "identity create", "issuer check", "recognition publish",
)  # fmt: skip


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


@pytest.fixture(scope="module")
def tree() -> dict[tuple[str, ...], Any]:
    return dict(_walk(typer.main.get_command(app)))


@pytest.fixture(scope="module")
def screens(tree: dict[tuple[str, ...], Any]) -> dict[tuple[tuple[str, ...], int], str]:
    runner = CliRunner()
    shown = {}
    for path in tree:
        for width in WIDTHS:
            result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(width), "NO_COLOR": "1"})
            assert result.exit_code == 0, (path, result.output)
            shown[path, width] = result.output
    return shown


def _early_breaks(screen: str, width: int) -> list[str]:
    """Lines of help text that end although the next line's first word would have fitted, or cut short."""
    lines = [line.rstrip() for line in screen.splitlines()]
    found = [f"cut short: {line.strip()!r}" for line in lines if "…" in line]  # a column too narrow for a word
    usage = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Usage:"))
    start = next(i for i in range(usage, len(lines)) if not lines[i].strip())
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("╭")), len(lines))
    # The command's own text: one column of padding each side; deeper lines (examples) keep theirs.
    for above, below in itertools.pairwise(lines[start:end]):
        continued = above.strip() and below.strip() and _indent(above) == _indent(below) == 1
        if continued and len(above) - 1 + 1 + len(below.split()[0]) <= width - 2:
            found.append(f"{above.strip()!r} / {below.split()[0]!r}")
    for panel in _panels(lines[end:]):
        found.extend(_early_breaks_in_panel(panel))
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _panels(lines: list[str]) -> Iterator[list[str]]:
    panel: list[str] = []
    for line in lines:
        if line.startswith("│"):
            panel.append(line)
        elif panel:
            yield panel
            panel = []


def _early_breaks_in_panel(panel: list[str]) -> list[str]:
    """In a panel (a table: names, types, then help), the help column's early line breaks."""
    width = len(panel[0])  # "│ " + cells + " │"
    first = min(_indent(line[1:]) for line in panel)
    rows = [line for line in panel if _indent(line[1:]) <= first + 3]  # a name, or "*" (required) and a name
    starts = set.intersection(*({m.start() for m in re.finditer(r"(?<=  )\S|(?<=│ )\S", r[:-1])} for r in rows))
    column = max(starts)  # where every row's help begins (tables align their columns)
    found = []
    for above, below in itertools.pairwise(panel):
        text, continued = above[column:-2].rstrip(), below[column:-2].split()
        if below[1:column].strip() or not continued or not text or continued[0].startswith("["):
            continue  # a new row; or typer's [default: ...] / [required], set apart on purpose
        if len(text) + 1 + len(continued[0]) <= width - 2 - column:
            found.append(f"{text!r} / {continued[0]!r}")
    return found


def test_no_help_line_ends_before_it_has_to_at_either_width(screens: dict[tuple[tuple[str, ...], int], str]) -> None:
    early = {
        f"registry {' '.join(path)} --help ({width} columns)": breaks
        for (path, width), screen in screens.items()
        if (breaks := _early_breaks(screen, width))
    }
    assert not early, early


def test_the_usage_line_names_each_argument_by_its_metavar(
    tree: dict[tuple[str, ...], Any], screens: dict[tuple[tuple[str, ...], int], str]
) -> None:
    for path, command in tree.items():
        usage = " ".join(screens[path, 120].split("Usage:")[1].split("\n\n")[0].split())
        assert "{" not in usage and "}" not in usage, usage
        for param in command.params:
            if param.param_type_name == "argument":
                shown = param.metavar + ("..." if param.nargs != 1 else "")
                assert param.metavar.isupper(), (path, param.metavar)
                assert (shown if param.required else f"[{shown}]") in usage.split(), (path, usage)
                assert param.help, f"registry {' '.join(path)} {param.metavar} says nothing of what it is"


def test_every_value_is_named_for_what_it_is_never_by_its_type(
    tree: dict[tuple[str, ...], Any], screens: dict[tuple[tuple[str, ...], int], str]
) -> None:
    """An option's value shows as DID, FILE, URL, DATE... (registry/cli/metavars.py), never typer's
    `<str>`/`<path>`/`<int>` or click's TEXT; an argument as its metavar alone (not `FILE <str>`)."""
    from registry.cli.metavars import BARE

    bare = [(path, width) for (path, width), screen in screens.items() if re.search(r"<(str|path|int|float)", screen)]
    assert not bare, bare
    for path, command in tree.items():
        for param in command.params:
            if param.param_type_name != "option" or param.is_flag or param.count:
                continue
            shown = param.make_metavar(typer.Context(command))
            assert shown not in BARE and (shown.isupper() or "|" in shown), (path, param.opts, shown)
    issue = screens[("issue",), 120]
    for option, word in (("--holder", "DID"), ("--out", "FILE"), ("--rpc", "URL"), ("--name", "TITLE")):
        assert re.search(rf"{option} +{word} ", issue), (option, word)
    assert re.search(r"--registry +FILE ", screens[("trust-list", "add"), 120])


def test_no_help_text_holds_square_brackets(tree: dict[tuple[str, ...], Any]) -> None:
    """Typer renders help as rich markup, where "[word]" is a style: it would vanish from the screen."""
    texts = [(path, text) for path, c in tree.items() for text in [c.help, *(getattr(p, "help", "") for p in c.params)]]
    assert not [(path, text) for path, text in texts if "[" in (text or "")]


def _examples(screen: str) -> list[str]:
    """The example lines at the end of a help screen, as shown (continued lines joined)."""
    shown = screen.split("\n Examples:", 1)[1] if "\n Examples:" in screen else ""
    joined = "\n".join(line.strip() for line in shown.splitlines()).replace("\\\n", "")
    return [line for line in joined.splitlines() if line]


def test_every_example_is_shown_as_written(tree: dict[tuple[str, ...], Any]) -> None:
    """Shown whole (rich markup takes nothing from it) and unwrapped in 80 columns."""
    runner = CliRunner()
    for command, lines in EXAMPLES.items():
        assert tuple(command.split()) in tree, f"examples of {command!r}, which is no command"
        assert all(len(line) <= 74 for line in lines), [line for line in lines if len(line) > 74]
        screen = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "80"}).output
        shown = [line.strip() for line in screen.split("\n Examples:", 1)[1].splitlines() if line.strip()]
        assert shown == [line.strip() for line in lines], command


@pytest.mark.parametrize("command", WITH_EXAMPLES)
def test_a_main_command_shows_examples_that_parse_as_written(
    command: str, tree: dict[tuple[str, ...], Any], screens: dict[tuple[tuple[str, ...], int], str]
) -> None:
    examples = [line for line in _examples(screens[tuple(command.split()), 80]) if line.startswith("registry ")]
    assert examples, f"registry {command} --help shows no example"
    path = tuple(command.split())
    options = {o for p in tree[path].params for o in [*p.opts, *p.secondary_opts]}
    for example in examples:
        words = shlex.split(example.split(" # ")[0])
        assert tuple(words[1 : 1 + len(path)]) == path, example  # an example of this command
        unknown = [w for w in words if w.startswith("--") and w.split("=")[0] not in options]
        assert not unknown, f"registry {command}: {unknown} in an example, not options of the command"
        tree[path].make_context(f"registry {command}", words[1 + len(path) :])  # parses: arguments, types


def test_prose_joins_each_paragraph_and_keeps_the_marked_ones() -> None:
    from registry.cli.helptext import prose

    text = "First line\n    of a sentence.\n\n    A second\n    paragraph.\n\n    \b\n    keep\n      these lines"
    text += "\f\n    hidden"
    assert prose(text) == "First line of a sentence.\n\nA second paragraph.\n\nkeep\n  these lines\f\nhidden"
    assert prose(None) is None and prose("") == ""


def test_lang_before_help_gives_the_help_frame_in_that_language() -> None:
    """`registry --lang fr --help`: --lang is eager, read before the --help after it answers (it was
    read only by the root callback, which --help never reaches, so the frame was English)."""
    from registry import i18n

    runner, env = CliRunner(), {"COLUMNS": "80", "NO_COLOR": "1", "LANG": "C", "REGISTRY_LANG": ""}
    try:
        french = runner.invoke(app, ["--lang", "fr", "--help"], env=env).output
        arabic = runner.invoke(app, ["--lang", "ar", "--help"], env=env).output
        i18n.use(i18n.DEFAULT)
        english = runner.invoke(app, ["--help"], env=env).output
    finally:
        i18n.use(i18n.DEFAULT)
    assert "Utilisation\u00a0: registry [OPTIONS]" in french and "Commandes" in french, french
    assert "الاستخدام: registry [OPTIONS]" in arabic, arabic
    assert "Usage: registry [OPTIONS]" in english and "Commands" in english, english
