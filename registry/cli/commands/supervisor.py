"""`registry supervisor authorise|revoke`: the persons a provider authorises to sign off logbook
entries (issue #16, first cut). The work is in registry/ops/logbook/provider.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.commands.programme import OutOpt, read_token, write_token
from registry.cli.options import DeploymentOpt, IssuerOpt, RpcOpt, holder_did_of, load_identity, settings_of
from registry.cli.output import out
from registry.errors import InputError
from registry.text import shown

app = typer.Typer(help="Supervisors and assessors authorised to sign off logbook entries.", no_args_is_help=True)


def _moment(value: str, option: str) -> int:
    from registry.formats.dates import until_time

    if not value:
        raise InputError(f"{option} is needed")
    return until_time(value)


@app.command("authorise")
def authorise(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="The person's did:key (or a local identity's name).")],
    programme: Annotated[Path, typer.Option(help="The programme file (from `programme publish`).")],
    issuer: IssuerOpt,
    output: OutOpt,
    valid_from: Annotated[str, typer.Option(help="First day of the authorisation (YYYY-MM-DD).")],
    valid_until: Annotated[str, typer.Option(help="Last day of the authorisation (YYYY-MM-DD, included).")],
    role: Annotated[str, typer.Option(help="supervisor or assessor.")] = "supervisor",
    workplace: Annotated[
        str | None, typer.Option(help="Only at this workplace (as entries name it); default: any workplace.")
    ] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Authorise a person for a programme: a signed credential, anchored, revocable."""
    from registry.ops.logbook import Provider
    from registry.ops.registry import Registry

    settings = settings_of(ctx, rpc, deployment)
    did = holder_did_of(settings, person)
    start, end = _moment(valid_from, "--valid-from") - 86_400 + 1, _moment(valid_until, "--valid-until")
    token = read_token(programme, "the programme")
    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    provider = Provider(Registry.connect(settings), load_identity(settings, issuer), settings)
    write_token(output, provider.authorise(token, did, role, start, end, workplace))
    where = f" at {shown(workplace.strip())}" if workplace is not None else ""
    whom = did if person == did else f"{shown(person)} ({did})"  # named as the provider named her
    out.print(f"authorised {whom} as {role}{where} to {output}")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    authorisation: Annotated[Path, typer.Argument(help="The authorisation file.")],
    issuer: IssuerOpt,
    reason: Annotated[int, typer.Option(help="Reason code (as `registry revoke --help` lists).")] = 0,
    untrusted_from: Annotated[
        str | None, typer.Option(help="For cause: the date from which this person's sign-offs are not trusted.")
    ] = None,
    record: Annotated[Path | None, typer.Option(help="Where to write the for-cause revocation record.")] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Revoke an authorisation; with --untrusted-from, for cause, reaching back to that date."""
    from registry.ops.logbook import Provider
    from registry.ops.registry import REASONS, Registry

    if (untrusted_from is None) != (record is None):
        raise InputError("a revocation for cause needs both --untrusted-from and --record (where its record goes)")
    if reason not in REASONS:
        raise InputError(f"--reason must be one of {', '.join(map(str, REASONS))}")
    if record is not None and record.exists():
        raise InputError(f"{record} already exists; not overwriting it")
    settings = settings_of(ctx, rpc, deployment)
    token = read_token(authorisation, "the authorisation")
    provider = Provider(Registry.connect(settings), load_identity(settings, issuer), settings)
    done = provider.revoke_authorisation(token, reason, untrusted_from)
    if done.already is not None:  # recorded once, never overwritten: as `registry revoke` says it
        out.print(f"unchanged: {authorisation} is {done.already}")
    if done.record is not None and record is not None:
        write_token(record, done.record)
        if done.already is not None:  # the chain keeps the first reason: no verifier is told to ask for it
            out.print(
                f"record for cause from {untrusted_from} anchored; give {record} to verifiers (logbook verify "
                "--record): the revocation on-chain keeps its first reason, so none will ask for it"
            )
        else:
            out.print(f"revoked for cause from {untrusted_from}; give {record} to verifiers (logbook verify --record)")
    elif done.already is None:
        out.print(f"revoked {authorisation}")
