"""The `registry` typer app: the root options, and every command group in the order `--help`
lists them (top-level commands first, then groups).

A command's module is imported when that command runs (or `--help` lists it), not before: a
`registry verify` loads the verifier, not the issuer's, wallet's and logbook's machinery, nor
asks typer to build the seventy-odd commands it will not run. `COMMANDS` names them all; the root group
(`_Group`) builds each from its module on first use (`_Commands`), exactly as registering them all
up front did.

Where a new command goes: into the module of its group under registry/cli/commands/ (a new group
gets a module of its own with its `app`, named in `COMMANDS`); a new top-level command is named
in `COMMANDS` beside its subject's others. Its options come from registry/cli/options.py when
several commands share them, its output goes through registry/cli/output.py, and its failures are
the project's exceptions, which registry/cli/exits.py maps to exit codes.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

from registry.cli.helptext import polish
from registry.cli.options import Home, HomeOpt, LangOpt, language

# name: (module in registry/cli/commands/, its attribute: a command function, or `app` for a group).
COMMANDS: dict[str, tuple[str, str]] = {
    "deploy": ("node", "deploy"),
    "issue": ("issue", "issue"),
    "issued": ("issued", "issued"),
    "attest": ("rpl", "attest"),
    "revoke": ("status", "revoke"),
    "suspend": ("status", "suspend"),
    "reinstate": ("status", "reinstate"),
    "verify": ("verify", "verify"),
    "serve": ("serve", "serve"),
    "status": ("status", "app"),
    "journal": ("journal", "app"),
    "trust": ("trust", "app"),
    "trust-list": ("trustlist", "app"),
    "recognition": ("recognition", "app"),
    "passport": ("passport", "app"),
    "wallet": ("wallet", "app"),
    "programme": ("programme", "app"),
    "supervisor": ("supervisor", "app"),
    "logbook": ("logbook", "app"),
    "rpl": ("rpl", "app"),
    "issuer": ("issuer", "app"),
    "node": ("node", "app"),
    "identity": ("identity", "app"),
    "did": ("did", "app"),
    "config": ("config", "app"),
}


def _build(name: str) -> Any:
    """The click command `name`, from its module, as typer builds a registered one."""
    module_name, attribute = COMMANDS[name]
    module = importlib.import_module(f"registry.cli.commands.{module_name}")
    one = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    if attribute == "app":
        if name == "logbook":
            _with_sync(module.app)
        one.add_typer(module.app, name=name)
    else:
        one.command(name, help=getattr(module, "HELP", None))(getattr(module, attribute))
    return polish(typer.main.get_group(one).commands[name], name)


def _with_sync(logbook: typer.Typer) -> None:
    """`logbook sync` lives in a module of its own (the work of passing files on)."""
    from registry.cli.commands import logbook_sync

    if not any(c.name == "sync" for c in logbook.registered_commands):
        logbook.command("sync")(logbook_sync.sync)


class _Commands(MutableMapping[str, Any]):
    """The root's commands by name, in `COMMANDS` order, each built when first asked for."""

    def __init__(self, built: dict[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*COMMANDS, *(n for n in self._built if n not in COMMANDS)])

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._built))


class _Group(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**{**attrs, "commands": _Commands(attrs.get("commands") or {})})
        polish(self, deep=False)  # its commands are polished as they are built (_build)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """`registry --help --lang fr` as `registry --lang fr --help`: both are eager, read in the order given, so
        a `--lang` among the root's options is put first. One given after the command (refused, cli/exits.py) is
        kept in `ctx.meta` for that refusal to be said in its language."""
        end = 0
        while end < len(args) and args[end].startswith("-"):  # the root's own options, before the command
            end += 2 if args[end] in ("--lang", "--home") else 1
        root, rest = args[:end], args[end:]
        for n, arg in enumerate(root):
            if arg == "--lang" and n + 1 < len(root):
                root = [arg, root[n + 1], *root[:n], *root[n + 2 :]]
                break
            if arg.startswith("--lang="):
                root = [arg, *root[:n], *root[n + 1 :]]
                break
        after = [b for a, b in itertools.pairwise(rest) if a == "--lang"]
        after += [a.removeprefix("--lang=") for a in rest if a.startswith("--lang=")]
        if after:
            ctx.meta["lang_after_command"] = after[0]
        return list(super().parse_args(ctx, [*root, *rest]))


app = typer.Typer(
    name="registry",
    help="""Blockchain-anchored skills credential registry (EBSI-style).

    A training centre issues credentials (`identity create`, `issue`, `revoke`); a worker keeps them and
    shows them (`wallet`, `passport`); an employer or an authority checks them (`verify`, `issuer check`,
    `trust-list`). Each command says more: `registry COMMAND --help`.""",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=_Group,
)


@app.callback()
def _root(ctx: typer.Context, home: HomeOpt = None, lang: LangOpt = None) -> None:
    language(lang)
    ctx.obj = Home(home)
