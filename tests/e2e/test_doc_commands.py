"""The commands README.md and docs/*.md give exist, with the options they give them.

Every `registry ...` in a code block (a line, its continuation lines and its `#` comment) and in a
backtick span of the prose names a real command (`suspend|reinstate|revoke`: each of them), and
every `--option` it gives belongs to that command, or on a line naming several
(`create NAME | show NAME [--did]`) to one of them. A doc that names a command renamed or an
option removed fails here, naming the line, so the docs' examples stay runnable.

Pure and quick: the typer app is built in this process (about 0.3 s), nothing runs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import typer

from registry.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_ROOT_OPTIONS = {"--home", "--lang", "--help"}
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
_SPAN = re.compile(r"`(registry [^`]+)`")
# A span naming a command without `registry` and giving an option: `logbook add --hours`.
_BARE = re.compile(r"`([a-z][a-z-]*(?: [a-z][a-z|-]*)? [^`]*--[^`]+)`")
_WORD = re.compile(r"[a-z][a-z-]*(?:\|[a-z][a-z-]*)*")


@cache
def _tree() -> dict[tuple[str, ...], frozenset[str]]:
    """Each command's path (`("trust", "accredit")`, a group's too) -> its options."""
    tree: dict[tuple[str, ...], frozenset[str]] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        tree[path] = frozenset(options | {"--help"})
        for name in list(getattr(command, "commands", {})):
            walk(command.commands[name], (*path, name))

    walk(typer.main.get_command(app), ())
    return tree


def _tree_top() -> set[str]:
    return {path[0] for path in _tree() if len(path) == 1}


def _commands(words: list[str], start: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The commands the words after `registry` name (alternatives `a|b` expanded)."""
    found = [start]
    for word in words:
        if not _WORD.fullmatch(word):
            break
        longer = [(*path, w) for path in found for w in word.split("|") if (*path, w) in _tree()]
        if not longer:
            break
        found = longer
    return found


def _after_root_options(words: list[str]) -> list[str]:
    while words and words[0] in ("--home", "--lang"):
        words = words[2:]
    return words


def _check(text: str, where: str) -> list[str]:
    """What is wrong in one `registry ...` text (a command line and its comment)."""
    words = _after_root_options(text.split()[1:])
    if not words or not _WORD.fullmatch(words[0]):
        return []  # `registry --lang fr ...`, `registry --home DIR COMMAND`: the root's options
    commands = [c for c in _commands(words) if c]
    if not commands:
        return [f"{where}: `{' '.join(words[:2])}` is no registry command"]
    # `a NAME | b NAME [--x]`: a `| WORD` starting another subcommand of the same group.
    group = commands[0][:-1]
    for alternative in re.findall(r"\|\s+([a-z][\w|-]*)", text):
        commands += [c for c in _commands([alternative], group) if c != group]
    allowed = set().union(*(_tree()[c] for c in commands)) | _ROOT_OPTIONS
    return [
        f"{where}: {option} is no option of registry {' / '.join(' '.join(c) for c in commands)}"
        for option in _OPTION.findall(text)
        if option not in allowed
    ]


def _blocks(text: str) -> list[tuple[int, str]]:
    """Each `registry` command of the code blocks, with its continuation lines, by its first line."""
    found: list[tuple[int, str]] = []
    inside = going = False  # in a code block; the line before is (part of) a registry command
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            inside, going = not inside, False
            continue
        stripped = line.strip()
        match = re.search(r"(?:^|[\s(;&|]|\$\()registry\s", line) if inside else None
        continues = going and (stripped.startswith(("[", "--", "#")) or found[-1][1].rstrip().endswith("\\"))
        if match and not stripped.startswith("#"):
            found.append((number, line[match.start() :].lstrip(" ($;&|")))
            going = True
        elif continues and line.startswith(" "):
            found[-1] = (found[-1][0], found[-1][1] + " " + stripped)
        else:
            going = False
    return found


def _broken() -> list[str]:
    broken = []
    for doc in DOCS:
        text = doc.read_text()
        name = doc.relative_to(ROOT)
        for number, command in _blocks(text):
            broken += _check(command, f"{name}:{number}")
        for number, line in enumerate(text.splitlines(), 1):
            for span in _SPAN.findall(line):
                broken += _check(span, f"{name}:{number}")
            for span in _BARE.findall(line):
                if span.split()[0] in _tree_top() and not span.startswith("registry "):
                    broken += _check(f"registry {span}", f"{name}:{number}")
    return broken


def test_every_command_and_option_the_docs_give_exists() -> None:
    assert _broken() == []


def test_the_check_sees_an_option_a_command_lacks() -> None:
    assert _check("registry verify --trust-list x.json", "here") == []
    assert _check("registry identity create NAME --person | show NAME [--did]", "here") == []
    assert _check("registry trust suspend|revoke --parent A --child B --reason 1", "here") == []
    assert _check("registry verify --no-such-option", "here") == [
        "here: --no-such-option is no option of registry verify"
    ]
    assert _check("registry frobnicate X", "here") == ["here: `frobnicate X` is no registry command"]


# Endpoints: `GET /api/issuers/{did}/check`, `/verify`, a family such as `/did-registry`.
_FAMILIES = (
    r"(?:api|did-registry|trusted-issuers-registry|timestamp|trusted-schemas-registry|verify|logbook|issuer|docs|redoc)"
)
_ENDPOINT = re.compile(r"(?:\b(GET|POST) )?(?<![\w./:-])(/" + _FAMILIES + r"(?:/[^\s`),;\"'?\[]*)?)")


@cache
def _routes() -> list[tuple[frozenset[str], list[str]]]:
    from registry.service.routers import did, logbook, pages, recognition, timestamps, tir, transactions, tsr, verify

    modules = (did, logbook, pages, recognition, timestamps, tir, transactions, tsr, verify)
    return [
        (frozenset(getattr(route, "methods", None) or ()), route.path.strip("/").split("/"))
        for module in modules
        for route in module.router.routes
    ]


def _segments_match(doc: list[str], route: list[str]) -> bool:
    """`doc` is the route, or the start of one (a family, `/api/logbook/`); `{x}` stands for any segment."""
    if route and route[-1].endswith(":path}") and len(doc) >= len(route):
        doc = [*doc[: len(route) - 1], "/".join(doc[len(route) - 1 :])]
    if len(doc) > len(route):
        return False
    return all(d == r or r.startswith("{") or d.startswith("{") or "|" in d for d, r in zip(doc, route, strict=False))


def _endpoint_broken(method: str | None, path: str) -> bool:
    doc = [s for s in path.strip("/").split("/") if s]
    exact = [(methods, route) for methods, route in _routes() if _segments_match(doc, route)]
    full = [methods for methods, route in exact if len(route) == len(doc)]
    if not exact:
        return True
    return bool(method and full and not any(method in methods for methods in full))


def _broken_endpoints() -> list[str]:
    broken = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            for method, path in _ENDPOINT.findall(line):
                if _endpoint_broken(method or None, path):
                    broken.append(f"{doc.relative_to(ROOT)}:{number}: {method} {path} is no route of the service")
    return broken


def test_every_endpoint_the_docs_give_is_a_route() -> None:
    assert _broken_endpoints() == []


def test_the_check_sees_an_endpoint_that_is_not_there() -> None:
    assert not _endpoint_broken("GET", "/api/issuers/{did}/check")
    assert not _endpoint_broken(None, "/did-registry")
    assert _endpoint_broken("POST", "/api/issuers/{did}/check")
    assert _endpoint_broken(None, "/api/no-such-thing")


# Settings and make targets: `REGISTRY_RPC_TIMEOUT`, `make bench` (in a span or a code block's line).
_SETTING = re.compile(r"\bREGISTRY_[A-Z][A-Z0-9_]*[A-Z0-9]\b")
_MAKE = re.compile(r"(?:`|^)make ([a-z][\w-]*)")


def _broken_settings_and_targets() -> list[str]:
    source = "\n".join(p.read_text() for folder in ("registry", "scripts") for p in (ROOT / folder).rglob("*.py"))
    makefile = (ROOT / "Makefile").read_text()
    broken = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            where = f"{doc.relative_to(ROOT)}:{number}"
            broken += [f"{where}: {s} is read nowhere" for s in _SETTING.findall(line) if s not in source]
            broken += [
                f"{where}: make {t} is no target"
                for t in _MAKE.findall(line)
                if not re.search(rf"^{re.escape(t)}\s*:", makefile, re.M)
            ]
    return broken


def test_every_setting_and_make_target_the_docs_give_exists() -> None:
    assert _broken_settings_and_targets() == []
