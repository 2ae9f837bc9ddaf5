"""`registry supervisor authorise|revoke`: the persons a provider authorises to sign off logbook
entries (issue #16, first cut). The work is in registry/ops/logbook/provider.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from registry.cli.commands.programme import OutOpt, read_token, write_token
from registry.cli.options import (
    DeploymentOpt,
    IssuerOpt,
    ReasonWordOpt,
    RpcOpt,
    holder_did_of,
    load_identity,
    settings_of,
)
from registry.cli.output import out
from registry.errors import InputError
from registry.text import named_did, shown

if TYPE_CHECKING:
    from registry.ops.logbook.provider import Revoked

app = typer.Typer(help="Supervisors and assessors authorised to sign off logbook entries.", no_args_is_help=True)


def _moment(value: str, option: str) -> int:
    from registry.formats.dates import until_time

    if not value:
        raise InputError(f"{option} is needed")
    return until_time(value)


@app.command("authorise")
def authorise(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="The person's did:key (or a local identity name).")],
    programme: Annotated[Path, typer.Option(help="The programme file (from `programme publish`).")],
    issuer: IssuerOpt,
    output: OutOpt,
    valid_from: Annotated[str, typer.Option(help="First day of the authorisation (YYYY-MM-DD).")],
    valid_until: Annotated[str, typer.Option(help="Last day of the authorisation (YYYY-MM-DD, included).")],
    role: Annotated[str, typer.Option(help="supervisor or assessor.")] = "supervisor",
    workplace: Annotated[
        str | None, typer.Option(help="Only at this workplace (as entries name it); default: any workplace.")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="Her name, shown beside her DID (in the signed file only, never on the chain)."),
    ] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Authorise a person to sign off logbook entries of a programme, as supervisor or assessor.

    The training provider signs and anchors the authorisation (--out); give the file to the person, whose
    countersignatures carry it (`logbook sign --authorisation`). It can be revoked (`supervisor revoke`)."""
    from registry.ops.logbook import Provider
    from registry.ops.registry import Registry

    settings = settings_of(ctx, rpc, deployment)
    did = holder_did_of(settings, person)
    start, end = _moment(valid_from, "--valid-from") - 86_400 + 1, _moment(valid_until, "--valid-until")
    token = read_token(programme, "the programme")
    provider = Provider(Registry.connect(settings), load_identity(settings, issuer), settings)
    where = f" at {shown(workplace.strip())}" if workplace is not None else ""
    # Her name as given (else as the provider's key store names her), her DID shortened; the programme by its title.
    whom = named_did(did, name.strip() if name else None if person == did else person)
    what_programme = _programme_named(token)
    if output.exists():  # this very authorisation, from a run stopped before its anchor: finished
        done = provider.resume_authorisation(_held(output), token, did, role)
        if done is None:
            raise InputError(f"{output} already exists; not overwriting it")
        what = "anchored now: a run had stopped before its anchor" if done else "already: nothing to do"
        out.print(f"authorised {whom} as {role} of {what_programme}{where} to {shown(output)} ({what})")
        return
    provider.authorise(token, did, role, start, end, workplace, keep=lambda made: write_token(output, made), name=name)
    out.print(f"authorised {whom} as {role} of {what_programme}{where} to {shown(output)}")


def _programme_named(token: str) -> str:
    """The programme as outputs name it: its title and its id@version."""
    from registry.ops.logbook.provider import programme_of

    programme = programme_of(token)
    return f"{shown(programme.title)} ({shown(programme.ref)})"


def _held(path: Path) -> str:
    """The signed document a file holds; "" when it holds none."""
    try:
        return read_token(path, str(path))
    except InputError:
        return ""


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    authorisation: Annotated[Path, typer.Argument(help="The authorisation file (`supervisor authorise`).")],
    issuer: IssuerOpt,
    reason: ReasonWordOpt = "0",
    untrusted_from: Annotated[
        str | None,
        typer.Option(help="For cause: the date from which this person's sign-offs are not trusted (needs --record)."),
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(help="Where to write the for-cause revocation record, for verifiers (`logbook verify --record`)."),
    ] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Revoke a supervisor's or assessor's authorisation.

    With --untrusted-from, for cause: her sign-offs from that date on stop counting too."""
    from registry.ops.logbook import Provider
    from registry.ops.registry import REASONS, Registry

    if (untrusted_from is None) != (record is None):
        raise InputError("a revocation for cause needs both --untrusted-from and --record (where its record goes)")
    from registry.ops.inputs import reason_code

    code = reason_code(reason)
    if code not in REASONS:
        raise InputError(f"--reason must be one of {', '.join(map(str, REASONS))}")
    settings = settings_of(ctx, rpc, deployment)
    token = read_token(authorisation, "the authorisation")
    provider = Provider(Registry.connect(settings), load_identity(settings, issuer), settings)
    held = _held(record) if record is not None and record.exists() else None  # a stopped run's record
    keep = (lambda made: write_token(record, made)) if record is not None else None
    try:
        done = provider.revoke_authorisation(token, code, untrusted_from, keep=keep, held=held)
    except InputError as exc:
        if held is not None and str(exc).startswith("the record given is not"):
            raise InputError(f"{record} already exists; not overwriting it") from exc
        raise
    _said(done, authorisation, untrusted_from, record, _whom(token))


def _whom(token: str) -> str:
    """The person an authorisation names: her name as the provider gave it (`authorise --name`) and her DID."""
    from registry.formats.logbook.records import signed_by

    payload = signed_by(token, "supervisor-authorisation+jwt").payload
    vc = payload.get("vc")
    subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
    name = subject.get("name") if isinstance(subject, dict) else None
    return named_did(str(payload.get("sub")), name if isinstance(name, str) else None)


def _said(done: Revoked, authorisation: Path, untrusted_from: str | None, record: Path | None, whom: str) -> None:
    """What `revoke` did, in a line or two: revoked now, or revoked already (its first reason and time
    stand: "unchanged", as `registry revoke` says it), and where the record for cause is."""
    if done.already is not None:
        out.print(f"unchanged: {authorisation} is {done.already}")
    if done.record is None or record is None:
        if done.already is None:
            out.print(f"revoked {authorisation} ({whom})")
    elif done.already is not None and not done.for_cause:  # the chain keeps the first reason code
        out.print(
            f"record for cause from {untrusted_from} anchored; give {record} to verifiers (logbook verify "
            "--record): the revocation on-chain keeps its first reason, so none will ask for it"
        )
    else:
        out.print(
            f"revoked {authorisation} ({whom}) for cause from {untrusted_from}; give {record} to verifiers "
            "(logbook verify --record)"
        )
