"""`registry issuer check`: walk an issuer's accreditation chain to its Root TAO.

A verdict command: exit 0 trusted, 1 not, 2 could not determine, 64 for a command line that is
wrong (registry/cli/exits.py). The service's issuer check answers through the same function
(`evaluate_at`), so the two cannot disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.exits import EXIT_FAILURE, EXIT_OK, EXIT_UNDETERMINED, arguments, view_calls
from registry.cli.options import DeploymentOpt, RpcOpt, did_of, parse_at, verdict_settings
from registry.cli.output import SYMBOL, out, plain, write_json
from registry.errors import ConfigError, DeploymentMismatch
from registry.text import markup

app = typer.Typer(help="Check an issuer's accreditation chain.", no_args_is_help=True)

TrustListOpt = Annotated[
    list[Path] | None,
    typer.Option("--trust-list", help="File naming the Root TAOs you accept (repeat to accept several lists)."),
]


@app.command("check")
def issuer_check(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(help="The issuer's DID (or a local identity name).")],
    at: Annotated[str | None, typer.Option(help="Check as of this ISO date/time (default now).")] = None,
    trust_list: TrustListOpt = None,
    credential_type: Annotated[
        list[str] | None, typer.Option("--type", help="Require accreditation for this credential type.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Walk the issuer's accreditation chain to its Root TAO: exit 0 trusted, 1 not, 2 could not determine."""
    from registry.chain.client import read_deadline
    from registry.ops.inputs import trust_lists
    from registry.ops.registry import Registry
    from registry.ops.trust import Need, Trust, evaluate_at

    settings = verdict_settings(ctx, rpc, deployment)
    with arguments():
        target = did_of(settings, did)
        roots = trust_lists(trust_list)
        when = parse_at(at)
    # Every chain read of the check ends within the read deadline (REGISTRY_READ_DEADLINE).
    with read_deadline(settings.read_deadline_s, "read deadline (REGISTRY_READ_DEADLINE)"), view_calls():
        try:
            registry = Registry.connect(settings, journal=False)  # a read: the journal is not needed
        except ConfigError as exc:  # no usable deployment file: the question cannot be answered here
            raise DeploymentMismatch(str(exc)) from exc
        chain = Trust(registry, settings.public_url).fetch([target])[target]
        need = Need(types=("SkillsCredential", *credential_type)) if credential_type else None
        head = registry.block_timestamp()
        report = evaluate_at(chain, when, head, roots, need, registry.client.syncing)
    if as_json:
        write_json(report.to_json())
    else:
        _print_trust(target, report)
    raise typer.Exit(EXIT_UNDETERMINED if report.undetermined else EXIT_OK if report.ok else EXIT_FAILURE)


def _print_trust(target: str, report: Any) -> None:
    if report.undetermined:
        why = report.summary.removeprefix("could not determine: ")
        out.print(f"[bold]{markup(target)}[/]: [bold yellow]COULD NOT DETERMINE[/] — {markup(why)}", markup=True)
        return
    colour = "green" if report.ok else "red"
    out.print(
        f"[bold]{markup(target)}[/]: [bold {colour}]{'TRUSTED' if report.ok else 'NOT TRUSTED'}[/] — "
        f"{markup(report.summary)}",
        markup=True,
    )
    for link in report.path:
        symbol = SYMBOL["pass" if link.ok else "fail"]
        name = link.evidence.get("name")  # the legal name its accreditation states
        who = f"{name} ({link.did})" if name else link.did
        out.print(f"  {symbol} {markup(link.issuer_type)} {markup(who)}: {markup(link.message)}", markup=True)
        by = link.evidence.get("accreditedBy")
        scopes = link.evidence.get("scopes")
        if by or scopes:
            valid = f"valid {link.evidence.get('validFrom')} to {link.evidence.get('validUntil')}"
            out.print(f"      [dim]{markup(f'accredited by {by}; scope {plain(scopes)}; {valid}')}[/]", markup=True)
    for note in report.notes:
        out.print(f"  [dim]note: {markup(note)}[/]", markup=True)
