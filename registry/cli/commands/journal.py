"""`registry journal ...`: what the write journal holds, and reconciliation after a crash."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.options import DeploymentOpt, RpcOpt, load_identity, settings_of
from registry.cli.output import out, warn
from registry.i18n import _

app = typer.Typer(
    help="The journal of this home's transactions: what was sent, and finishing them after a crash.",
    no_args_is_help=True,
)


@app.command("status")
def journal_status(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include confirmed transactions.")] = False,
    deployment: DeploymentOpt = None,
) -> None:
    """List the transactions sent from this home (unfinished ones unless --all).

    Only reads the journal. A row of another deployment than this home's deployment file says so."""
    from registry.ops.journal import journal_view

    settings = settings_of(ctx, None, deployment)
    view = journal_view(settings.journal_file, settings.deployment_file, include_confirmed=all_)
    if view is None:
        out.print(_("no journal yet: nothing has been written from this home"))
        return
    if view.note:
        warn(view.note)
    if not view.rows:
        out.print("every journaled write is confirmed")
        return
    # One operation per line, then what it covers and its notes (indented): nothing is cut to a
    # table column's width, so every file a pending row names is there to read in full.
    for row in view.rows:
        op = row.op
        call = f"{op.call.function} (status-list publication, signed when sent)" if op.intent else op.call.function
        line = f"{op.id[:8]}  {op.state:<9}  {call}  sender {op.sender}"
        line += f"  nonce {op.nonce}" if op.nonce is not None else ""
        line += f"  block {op.block}" if op.block is not None else ""
        line += f"  transaction {op.tx_hash}" if op.tx_hash else ""
        out.print(line, markup=False)
        if op.files is not None:
            out.print(f"    anchors {op.files.describe()}", markup=False)
        for note in row.notes:
            out.print(f"    note: {note}", markup=False)


@app.command("reconcile")
def journal_reconcile(
    ctx: typer.Context,
    identity: Annotated[str, typer.Option("--issuer", help="The identity whose transactions to finish.")],
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Finish an identity's unfinished transactions, each landing on-chain exactly once.

    For what a crash or a chain reorganisation (a block replaced) left unconfirmed; `journal status` lists it."""
    from registry.ops.journal import reconcile
    from registry.ops.registry import Registry

    settings = settings_of(ctx, rpc, deployment)
    registry = Registry.connect(settings)
    who = load_identity(settings, identity)
    actions = reconcile(registry, who, settings)
    for action in actions:
        out.print(action)
    out.print(f"reconciled: {len(actions)} operation(s) acted on" if actions else "nothing to reconcile")
