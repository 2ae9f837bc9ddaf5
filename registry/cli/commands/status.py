"""Credential status: `registry revoke`, `suspend` and `reinstate` (a change of status bits,
checked whole before anything is sent), and `registry status publish` (the issuer-signed
StatusList2021 credential of a list)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.options import DeploymentOpt, IssuerOpt, RpcOpt, load_identity, settings_of, text
from registry.cli.output import out, warn
from registry.errors import InputError
from registry.i18n import N_
from registry.text import short_did, shown

app = typer.Typer(
    help="Status lists: an issuer's revocations and suspensions, published as one signed list (StatusList2021).",
    no_args_is_help=True,
)

# Every code (and word) of ops/registry.py REASONS (REASON_WORDS), spelled out here so that `--help` does
# not load the chain libraries (tests/cli/test_home.py::test_every_reason_code_is_in_help holds them equal).
REASON_HELP = (
    "Reason code, recorded on-chain: 0 unspecified, 1 issued in error, 2 fraud or misrepresentation, "
    "3 superseded by a newer credential, 4 holder request, 5 issuer key compromised, 6 under investigation, "
    "7 investigation closed, 8 qualification withdrawn; or its word: unspecified, error, fraud, superseded, "
    "request, compromised, investigation, closed, withdrawn."
)
ReasonOpt = Annotated[str, typer.Option(help=REASON_HELP, metavar="CODE|WORD")]
NoteOpt = Annotated[
    str | None,
    typer.Option(
        help="A free-text note beside the code (at most 500 characters; a CSV's note column wins), kept in this "
        "home's records only (`registry issued`), never on-chain: the chain holds the reason code alone.",
        callback=text,
        show_default=False,
    ),
]
StatusFilesArg = Annotated[
    list[str],
    typer.Argument(
        metavar="FILE",
        help="Credential files, directories, - for stdin, or CSV files (a file or credential column, and optional "
        "reason and note columns).",
    ),
]
_VERB = {("revocation", True): "revoked", ("suspension", True): "suspended", ("suspension", False): "reinstated"}
# What a change did, in the run's language ({credentials}: how many, {blocks}: where, {reason}: why).
_DONE = {
    "revoked": N_("revoked {credentials} in block {blocks} ({gas} gas), reason: {reason}"),
    "suspended": N_("suspended {credentials} in block {blocks} ({gas} gas), reason: {reason}"),
    "reinstated": N_("reinstated {credentials} in block {blocks} ({gas} gas), reason: {reason}"),
}


@app.command("publish")
def status_publish(
    ctx: typer.Context,
    issuer: IssuerOpt,
    list_number: Annotated[
        int,
        typer.Option(
            "--list",
            help="List number, 1 for the issuer's first list (a status URL ends in this number for a revocation "
            "list, and in 2^32 + it for a suspension list).",
        ),
    ] = 1,
    purpose: Annotated[str, typer.Option(help="revocation or suspension.")] = "revocation",
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Sign the issuer's current status list and publish it on-chain, for the registry service to serve.

    Verifiers that follow the W3C status list of a credential read it there."""
    from registry.ops.registry import Purpose, Registry
    from registry.ops.statuslists import StatusLists

    if not 1 <= list_number < 2**32:
        raise InputError(f"--list must be a list number from 1 to {2**32 - 1}, not {list_number}")
    settings = settings_of(ctx, rpc, deployment)
    registry = Registry.connect(settings)
    identity = load_identity(settings, issuer)
    receipt = StatusLists(registry, settings.public_url).publish(identity, Purpose.parse(purpose), list_number)
    who = f"{identity.name} ({short_did(identity.did)})"
    out.print(f"published {purpose} list {list_number} of {shown(who)} in block {receipt['blockNumber']}")


def revoke(
    ctx: typer.Context,
    files: StatusFilesArg,
    issuer: IssuerOpt,
    reason: ReasonOpt = "0",
    note: NoteOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Revoke credentials, for good: verifiers then see them revoked."""
    _status_change(ctx, files, "revocation", True, (reason, note), issuer, rpc, deployment)


def suspend(
    ctx: typer.Context,
    files: StatusFilesArg,
    issuer: IssuerOpt,
    reason: ReasonOpt = "6",
    note: NoteOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Suspend credentials: verifiers see them suspended until you `reinstate` them."""
    _status_change(ctx, files, "suspension", True, (reason, note), issuer, rpc, deployment)


def reinstate(
    ctx: typer.Context,
    files: StatusFilesArg,
    issuer: IssuerOpt,
    reason: ReasonOpt = "7",
    note: NoteOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Lift a suspension: the credentials are valid again."""
    _status_change(ctx, files, "suspension", False, (reason, note), issuer, rpc, deployment)


def _unchanged(target: Any, why: str) -> None:
    out.print(f"unchanged: {shown(target.source)} is {shown(why)}")


def _unpublished(exc: Exception) -> None:
    warn(f"a status list was not published ({exc}); run `registry status publish` once the cause is fixed")


def _status_change(
    ctx: typer.Context, paths: list[str], purpose: str, set_: bool, reason_note: tuple[str, str | None], issuer: str,
    rpc: list[str] | None, deployment: Path | None,
) -> None:  # fmt: skip
    from registry.ops.inputs import check_note, reason_code, status_targets
    from registry.ops.issuance import Issuer, plan_status_change
    from registry.ops.registry import Purpose, Registry
    from registry.ops.statuschange import check_reasons, send_status_changes

    reason, note = reason_note
    targets = status_targets(paths, reason_code(reason), check_note(note))
    check_reasons(targets)
    settings = settings_of(ctx, rpc, deployment)
    registry = Registry.connect(settings)
    identity = load_identity(settings, issuer)
    issuer_ops = Issuer(registry, identity, settings)
    which = Purpose.parse(purpose)
    # Under the issuer's writer lock from the check to the last confirmation: another process of
    # this issuer (same home) cannot change the same credentials in between: its plan waits for ours.
    with issuer_ops.writing():
        # Every credential is checked (this issuer's? already in that state?) before anything is sent.
        plan = plan_status_change(registry, identity, targets, which, set_=set_, local_names=lambda: _local(settings))
        for target, why in plan.unchanged:
            _unchanged(target, why)
        if not plan.changes:
            from registry.i18n import _, ngettext

            many = ngettext("{n} credential", "{n} credentials", len(plan.unchanged)).format(n=len(plan.unchanged))
            out.print(_("nothing to change: {credentials} already as asked").format(credentials=many))
            return
        # One transaction per (reason, list), each carrying its reason code on-chain, and the
        # changed lists' publications: journaled together before the first is sent.
        done = send_status_changes(registry, identity, issuer_ops, plan.changes, which, set_,
                                   unchanged=_unchanged, unpublished=_unpublished)  # fmt: skip
    _report_changes(settings, identity, done, _VERB[(purpose, set_)])


def _local(settings: Any) -> dict[str, str]:
    """DID -> the name of the identity holding it in this home (read only to name a refusal's parties)."""
    from registry.keystore import KeyStore

    store, names = KeyStore(settings.keys_dir), {}
    for name in store.names() if settings.keys_dir.is_dir() else ():
        with contextlib.suppress(Exception):  # an unreadable key file names nothing
            names[str(store.public_info(name)["did"])] = name
    return names


def _report_changes(settings: Any, identity: Any, done: dict[int, Any], verb: str) -> None:
    """Each change: how many, in which block, why, and whose credential each was (the holder's
    name where the credential gives one); appended to the issuer's records (ops/issued.py)."""
    from registry.i18n import _, ngettext
    from registry.i18n.words import reason_word
    from registry.ops.issued import record_status, whose
    from registry.ops.registry import REASONS

    for code, (sent, receipts) in sorted(done.items()):
        gas = sum(int(r["gasUsed"]) for r in receipts)
        blocks = ", ".join(str(r["blockNumber"]) for r in receipts)
        credentials = ngettext("{n} credential", "{n} credentials", len(sent)).format(n=len(sent))
        out.print(
            _(_DONE[verb]).format(credentials=credentials, blocks=blocks, gas=gas, reason=reason_word(REASONS[code]))
        )
        for target in sent:
            noted = "  " + _("note (this home's records only): {note}").format(note=target.note) if target.note else ""
            out.print(f"  {shown(whose(target.token))}  ({shown(target.source)}){shown(noted)}")
        last = receipts[-1]["blockNumber"] if receipts else None
        for note in dict.fromkeys(t.note for t in sent):
            tokens = [t.token for t in sent if t.note == note]
            record_status(settings.home, identity, verb, tokens, code, last, note=note)
