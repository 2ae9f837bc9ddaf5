"""`registry logbook show`: a logbook's progress against its programme, from the files alone, or with
`--check` each anchored entry checked on the chain (registry/ops/logbook/checked.py), so that the
hours met leave out what is revoked, not valid or could not be checked; and the registry a logbook or
an extract lives in (`registry_of`, which `logbook verify` uses too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from registry.cli.options import verdict_settings
from registry.cli.output import out, write_json
from registry.i18n import _, ngettext


def registry_of(settings: Any, shared: Any, source: Path, kind: str = "extract") -> tuple[Any, Any]:
    """The verifier's own deployment, else the registry the extract (or logbook) names (as `registry
    verify` attaches to the one a holder file names), and then its locator."""
    from registry.cli.exits import arguments
    from registry.errors import ChainUnavailable
    from registry.formats.locator import Locator
    from registry.ops.locate import connect_named, has_own_deployment
    from registry.ops.registry import Registry

    if has_own_deployment(settings) or shared.registry is None:
        return Registry.connect(settings), None
    with arguments():
        locator = Locator.from_json(shared.registry, str(source))
    try:
        return connect_named(settings, locator), locator
    except ChainUnavailable as exc:
        if settings.rpc_url_named:
            raise
        # An employer given the extract and nothing else: what to give, not how to start a node of her own.
        raise ChainUnavailable(
            f"{exc}; no node was named (--rpc URL, REGISTRY_RPC_URL, `registry config set rpc-url URL`), so the "
            f"local default was asked: give a node of chain {locator.chain_id} (the {kind}'s) with --rpc URL"
        ) from exc


def show_progress(
    ctx: typer.Context, directory: Path, as_json: bool, checking: tuple[bool, list[str]], chain: tuple[Any, Any]
) -> None:
    """The progress, printed or as JSON (`checked`: whether the chain was asked and answered);
    `checking`: (--check, the revocation records); `chain`: (--rpc, --deployment)."""
    from registry.cli.commands.logbook_report import print_progress
    from registry.ops.logbook import Logbook

    book = Logbook(directory)
    issued = (book.directory / "qualification.json").is_file()
    if not checking[0]:
        progress = book.progress()
        if as_json:
            write_json(progress.to_json() | {"checked": False})
            return
        print_progress(progress, issued)
        out.print(_("from the files, not checked on the chain: a revoked entry still counts here "
                        "(`logbook show --check` checks each entry)"))  # fmt: skip
        return
    result = _checked(ctx, book, checking[1], chain)
    if as_json:
        write_json(result.progress.to_json() | {"checked": result.checked, "problems": result.problems,
                                                "unknown": result.unknown})  # fmt: skip
    else:
        print_progress(result.progress, issued, result.checked)
        _print_checked(result)
    if result.unknown or any(e.verdict == "could not determine" for e in result.left_out):
        raise typer.Exit(2)  # the hours met could not be determined: never read as met or not
    if result.problems:
        raise typer.Exit(1)


def _checked(ctx: typer.Context, book: Any, records: list[str], chain: tuple[Any, Any]) -> Any:
    """The progress checked on the chain; a chain that could not be used makes it unchecked ("could
    not check"), the files' totals still shown."""
    from registry.errors import ChainUnavailable, ConfigError
    from registry.ops.logbook.checked import CheckedProgress, checked_progress

    settings = verdict_settings(ctx, *chain)
    try:
        registry, _located = registry_of(settings, book, book.directory / "logbook.json", "logbook")
        return checked_progress(registry, book, records)
    except (ChainUnavailable, ConfigError) as exc:
        return CheckedProgress(book.progress(), unknown=[str(exc)])


def _print_checked(result: Any) -> None:
    """What the chain said: each entry left out of the hours met, with why; or why nothing was checked."""
    from registry.cli.commands.logbook_report import entry_line, entry_why
    from registry.text import shown

    for problem in result.problems:
        out.print(_("not valid on the chain: {problem}; the hours above are the files'").format(problem=shown(problem)))
    for why in result.unknown:
        out.print(_("could not check on the chain: {why}; the hours above are the files', not checked").format(
            why=shown(why)))  # fmt: skip
    if result.checked:
        out.print(_("checked on the chain: each anchored entry, as a verifier checks it"))
    for e in result.left_out:
        out.print("  " + _("not counted: {entry}").format(entry=entry_line(e)) + entry_why(e))
    if result.counted_before:  # issued with them: her extract shows them so, and the provider decides
        out.print(ngettext("the qualification was issued counting {n} of these entries: an extract of it shows it "
                           "so to its verifier; ask the provider whether the qualification stands",
                           "the qualification was issued counting {n} of these entries: an extract of it shows them "
                           "so to its verifier; ask the provider whether the qualification stands",
                           result.counted_before).format(n=result.counted_before))  # fmt: skip
