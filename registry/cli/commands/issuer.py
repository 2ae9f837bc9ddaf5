"""`registry issuer check`: walk an issuer's accreditation chain to its Root TAO.

A verdict command: exit 0 trusted, 1 not, 2 could not determine, 64 for a command line that is
wrong (registry/cli/exits.py). The service's issuer check answers through the same function
(`evaluate_at`), so the two cannot disagree."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import typer

from registry.cli.exits import EXIT_FAILURE, EXIT_OK, EXIT_UNDETERMINED, arguments, view_calls
from registry.cli.options import (
    AT_HELP,
    DeploymentOpt,
    RpcOpt,
    TrustListOpt,
    did_of,
    parse_at,
    settings_of,
    verdict_settings,
)
from registry.cli.output import SYMBOL, out, plain, shorten_dids, write_json
from registry.errors import ConfigError, DeploymentMismatch, InputError, KeyStoreError
from registry.formats.credential import iso
from registry.text import markup, short_did

app = typer.Typer(help="Is an issuer (a training centre) accredited, and since when?", no_args_is_help=True)


@app.command("check")
def issuer_check(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(help="The issuer's DID (or a local identity name).")],
    at: Annotated[
        str | None,
        typer.Option(help=f"Check as of this date/time (default now; {AT_HELP})."),
    ] = None,
    trust_list: TrustListOpt = None,
    credential_type: Annotated[
        list[str] | None, typer.Option("--type", help="Require accreditation for this credential type.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Check that an issuer is accredited, through every accreditor up to a root on your trust list.

    Exit 0 trusted, 1 not trusted, 2 could not determine (no answer from the chain), 64 when the
    command line is wrong. Reads your deployment, else the registry your trust list pins its roots to."""
    from registry.chain.client import read_deadline
    from registry.ops.inputs import trust_lists
    from registry.ops.locate import connect_for_issuer
    from registry.ops.trust import Trust, evaluate_at
    from registry.ops.trust.scope import asked_need

    settings = verdict_settings(ctx, rpc, deployment)
    with arguments(KeyStoreError):  # an issuer named wrongly is a usage error (64), never "not trusted"
        target = _issuer_did(settings, did)
        roots = trust_lists(trust_list, settings)  # --trust-list, else the verifier's default
        when = parse_at(at)
        need = asked_need(credential_type)
    # Every chain read of the check ends within the read deadline (REGISTRY_READ_DEADLINE).
    with read_deadline(settings.read_deadline_s, "read deadline (REGISTRY_READ_DEADLINE)"), view_calls():
        try:
            registry, roots = connect_for_issuer(settings, roots)
        except ConfigError as exc:  # no usable deployment file: the question cannot be answered here
            raise DeploymentMismatch(str(exc)) from exc
        chain = Trust(registry, settings.public_url).fetch([target])[target]
        head = registry.block_timestamp()
        report = evaluate_at(chain, when, head, roots, need, registry.client.syncing)
    if roots is None:
        _no_root_trusted(report)
    if as_json:
        write_json(report.to_json())
    else:
        from registry.ops.trust import legal_names

        _print_trust(target, report, _known_names(settings, roots, legal_names(chain)))
    raise typer.Exit(EXIT_UNDETERMINED if report.undetermined else EXIT_OK if report.ok else EXIT_FAILURE)


def _issuer_did(settings: Any, value: str) -> str:
    """The issuer asked about: a DID, or an identity of this home's (an issuer checking itself). A
    verifier has no identity of the issuer's: a name that is neither says what to give, not to make one."""
    try:
        return did_of(settings, value)
    except KeyStoreError as exc:
        if not str(exc).startswith("no identity named"):
            raise
        raise InputError(
            f"{value[:80]!r} is neither a DID nor an identity of this home: give the issuer's DID (did:ebsi:…, as "
            "`registry verify` prints it beside the issuer's name)"
        ) from exc


def _no_root_trusted(report: Any) -> None:
    """With no trust list, nobody said they trust any root: a chain that holds up to one is NOT TRUSTED
    (exit 1), as `registry verify` answers ROOT NOT TRUSTED, with how to make a list. A script that
    accepts on exit 0 must not accept an issuer under an authority its user never named."""
    from registry.ops.trust.trustlist import no_list_hint

    if not report.ok or report.root is None:
        return
    report.ok, report.trusted_root = False, False
    report.notes = [n for n in report.notes if not n.startswith("no trust list given")]
    report.summary = (
        f"accredited through an unbroken chain to Root TAO {report.root_label}, which you have not said you "
        f"trust {no_list_hint(report.root)}"
    )


def _print_trust(target: str, report: Any, names: dict[str, str]) -> None:
    """The verdict line naming the issuer (its legal name, as its accreditation states it, or the
    local identity's or the trust list's name), then each link of its chain; DIDs shortened."""
    for link in report.path:  # the legal name each link's accreditation states
        if isinstance(name := link.evidence.get("name"), str):
            names.setdefault(link.did, name)
    who = _who(target, names)
    if report.undetermined:
        why = report.summary.removeprefix("could not determine: ")
        out.print(f"[bold]{who}[/]: [bold yellow]COULD NOT DETERMINE[/] — {markup(why)}", markup=True)
        return
    colour = "green" if report.ok else "red"
    out.print(
        f"[bold]{who}[/]: [bold {colour}]{'TRUSTED' if report.ok else 'NOT TRUSTED'}[/] — "
        f"{markup(shorten_dids(report.summary))}",
        markup=True,
    )
    for link in report.path:
        symbol = SYMBOL["pass" if link.ok else "fail"]
        message = markup(shorten_dids(link.message))
        out.print(f"  {symbol} {markup(link.issuer_type)} {_who(link.did, names)}: {message}", markup=True)
        by = link.evidence.get("accreditedBy")
        scopes = link.evidence.get("scopes")
        if by or scopes:
            valid = f"valid {link.evidence.get('validFrom')} to {link.evidence.get('validUntil')}"
            parent = _who(by, names) if isinstance(by, str) else markup(by)
            out.print(f"      [dim]accredited by {parent}; {markup(f'scope {plain(scopes)}; {valid}')}[/]", markup=True)
    for note in report.notes:
        out.print(f"  [dim]note: {markup(shorten_dids(note))}[/]", markup=True)


@app.command("history")
def issuer_history(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(help="The issuer's DID (or a local identity name).")],
    trust_list: TrustListOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the history as JSON (DIDs whole).")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Every accreditation the issuer holds and every change to it: when, by whom, and why.

    Reads your deployment, else the registry your trust list pins its roots to."""
    from registry.ops.inputs import trust_lists
    from registry.ops.locate import connect_for_issuer
    from registry.ops.registry import did_hash
    from registry.ops.trust import Trust, accreditation_history, legal_names

    settings = settings_of(ctx, rpc, deployment)
    with arguments(KeyStoreError):  # a DID mistyped or an issuer named wrongly: a usage error (64)
        target = _issuer_did(settings, did)
    registry, roots = connect_for_issuer(settings, trust_lists(trust_list, settings))
    chain = Trust(registry, settings.public_url).fetch([target])[target]
    names = _known_names(settings, roots, legal_names(chain))
    records = accreditation_history(chain, did_hash(target), names)
    if as_json:
        write_json({"did": target, "name": names.get(target), "accreditations": [r.to_json() for r in records]})
    else:
        _print_history(target, names, records)
    if not records:
        raise typer.Exit(EXIT_FAILURE)


def _known_names(settings: Any, roots: Any, legal: dict[str, str]) -> dict[str, str]:
    """What the verifier calls DIDs: its own identities' names, then the legal names their
    accreditations state, then (winning) its trust list's."""
    from registry.keystore import KeyStore

    names: dict[str, str] = {}
    store = KeyStore(settings.keys_dir)
    if settings.keys_dir.is_dir():
        for name in store.names():
            with contextlib.suppress(Exception):  # an unreadable key file names nothing
                names[str(store.public_info(name)["did"])] = name
    names.update(legal)
    for root in roots.listed() if roots is not None else ():
        if root.name:
            names[root.did] = root.name
    return names


def _who(did: str, names: dict[str, str]) -> str:
    from registry.ops.trust import GOVERNANCE

    if did == GOVERNANCE or did not in names:
        return markup(did if did == GOVERNANCE else short_did(did))
    return f"{markup(names[did])} ({short_did(did)})"


def _print_history(target: str, names: dict[str, str], records: list[Any]) -> None:
    count = f"{len(records)} accreditation{'' if len(records) == 1 else 's'}"
    out.print(
        f"[bold]{_who(target, names)}[/]: {count}"
        if records
        else f"{_who(target, names)}: no accreditation in the trusted issuers registry",
        markup=True,
    )
    for record in records:
        out.print(
            f"  [bold]{markup(record.issuer_type)}[/] accreditation {record.attribute_id[:8]}, granted by "
            f"{_who(record.granted_by, names)}, valid {iso(record.valid_from)} to {iso(record.valid_until)}: "
            f"now [bold]{record.status.name.lower()}[/]",
            markup=True,
        )
        for change in record.changes:
            why = "" if change.revision == 1 else f": {markup(change.reason_phrase)}"
            if change.effective_from is not None:  # a revocation for cause reaches back to its date
                why += f"; void from [bold]{iso(change.effective_from)}[/]"
            out.print(
                f"    {change.revision}  {iso(change.timestamp)}  block {change.block}  "
                f"[bold]{change.change}[/] by {_who(change.actor, names)}{why}",
                markup=True,
            )
