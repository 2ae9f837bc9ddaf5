"""`registry issued`: what an issuer issued, revoked and suspended, by holder, from its own records
(ops/issued.py), checked against the chain where this home has a deployment."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from registry.cli.options import DeploymentOpt, RpcOpt, settings_of
from registry.cli.output import count, out, warn
from registry.text import short_did, shown


def issued(
    ctx: typer.Context,
    issuer: Annotated[str, typer.Option(help="Issuer identity name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON.")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """List what an issuer issued, revoked and suspended, by holder, from its own records.

    The records are <home>/issued/<issuer>.jsonl, appended by `issue`, `rpl issue`, `attest`, `logbook
    complete`, `revoke`, `suspend` and `reinstate`. With a deployment (this home's, --deployment or
    REGISTRY_DEPLOYMENT), each credential's status is also read from the chain and any difference is shown."""
    from dataclasses import asdict

    from registry.cli.output import write_json
    from registry.formats.credential import iso
    from registry.keystore import KeyStore
    from registry.ops.issued import read_records, reconcile, recover_from_journal
    from registry.ops.locate import has_own_deployment

    settings = settings_of(ctx, rpc, deployment)
    if lost := recover_from_journal(settings.home, settings.journal_file, settings.deployment_file, issuer):
        warn(f"{count(lost, 'credential')} recovered from the journal: anchored, not recorded (a command was stopped)")
    records = read_records(settings.home, issuer)
    checked = has_own_deployment(settings)
    if checked:
        from registry.errors import ChainUnavailable, DeploymentMismatch
        from registry.ops.registry import Registry

        keys = KeyStore(settings.keys_dir).public_info(issuer)["keys"]
        account = next((k.get("address") for k in keys if k.get("use") == "controller"), None)
        try:
            reconcile(Registry.connect(settings, journal=False), str(account), records)
        except (ChainUnavailable, DeploymentMismatch) as exc:
            checked = False
            warn(f"not reconciled with the chain: {exc}")
    if as_json:
        write_json([asdict(r) for r in records])
        return
    counts: dict[str, int] = {}
    for record in records:
        counts[record.state] = counts.get(record.state, 0) + 1
        # By name where the credential gives one (a column of names), else the DID shortened (--json: whole).
        who = record.holder_name or (short_did(record.holder) if record.holder else "?")
        line = f"{record.state:<9} {who}  {record.achievement or '?'}  issued {iso(record.issued)[:10]}"
        for change in record.changes:  # each, in order: a reinstatement keeps the suspension's reason and note
            line += f", {change['event']} {iso(change['time'])[:10]}" + _why(change)
        if record.chain_state is not None and record.chain_state != record.state:
            line += f"  [the chain says {record.chain_state}]"
        out.print(shown(line) + (f"\n          {shown(record.file)}" if record.file else ""))
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    out.print(f"{count(len(records), 'credential')} issued by {shown(issuer)}: {summary}")
    out.print(
        "  status read from the chain: records and chain agree" + ("" if _agree(records) else " except where shown")
        if checked
        else "  status from this home's records only (no deployment: not checked on the chain)"
    )


def _why(change: dict[str, Any]) -> str:
    """The reason code's words, and the issuer's own note if one was given."""
    from registry.ops.registry import REASONS

    reason, note = change.get("reason"), change.get("note")
    words = REASONS.get(reason, f"reason {reason}") if reason is not None else ""
    return (f" ({words})" if words else "") + (f" note: {note}" if note else "")


def _agree(records: list[Any]) -> bool:
    return all(r.chain_state in (None, r.state) for r in records)
