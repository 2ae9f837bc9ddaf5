"""The write journal as its reader sees it: which operations are unfinished, what stands in the
way of each, and reconciliation.

`registry journal status` reads the journal without writing to it, and says of each unfinished
row why it may not be sent as is: written by an older journal (no deployment recorded), meant for
another deployment than the deployment file's, driven right now by a live process, or anchoring
holder files not yet known complete. The journal itself (registry/chain/txmanager/) decides
what reconciliation does; this module only asks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.errors import RegistryError

UNFINISHED = ("intended", "sent")


@dataclass
class JournalRow:
    """One journaled operation and the notes a reader needs about it."""

    op: Any  # registry.chain.txmanager.Operation
    notes: list[str] = field(default_factory=list)


@dataclass
class JournalView:
    """What `journal status` shows: a note when the journal could not be read whole, and rows."""

    note: str | None
    rows: list[JournalRow]


def journal_view(journal_file: Path, deployment_file: Path, include_confirmed: bool) -> JournalView | None:
    """The journal's operations (unfinished ones only, unless `include_confirmed`), each with its
    notes; None when there is no journal yet."""
    from registry.chain.txmanager import Journal

    if not journal_file.exists():
        return None
    journal = Journal(journal_file, read_only=True)
    current = _current_deployment(deployment_file)
    rows = [JournalRow(op, _notes(op, current)) for op in journal.all() if include_confirmed or op.state in UNFINISHED]
    for row in rows:
        row.notes += _logbook_day(row.op, journal_file.parent)
    return JournalView(journal.note, rows)


def _logbook_day(op: Any, home: Path) -> list[str]:
    """For an unfinished day anchor of a logbook provider: its record (ops/logbook/days.py), which
    holds the entry files written once the root is on-chain."""
    if op.state not in UNFINISHED or op.call.function != "anchorCohort" or not op.batch:
        return []
    from registry.ops.logbook.days import FOLDER

    found = [d / f"{op.batch}.json" for d in sorted((home / "state").glob(f"*/{FOLDER}"))]
    found = [path for path in found if path.is_file()]
    if not found:
        return []
    return [f"a logbook day: {found[0]} keeps its entry files, written once the root is on-chain by the "
            "provider's next `logbook anchor`, `logbook sync` or `journal reconcile --issuer`"]  # fmt: skip


def _current_deployment(deployment_file: Path) -> str | None:
    """The deployment key of the deployment file, as the journal records it (None: no file)."""
    from registry.chain.deployment import Deployment
    from registry.chain.txmanager import deployment_key

    try:
        found = Deployment.load(deployment_file)
    except RegistryError:
        return None  # no deployment file here: rows are listed without that comparison
    return deployment_key(found.chain_id, found.deployment_block_hash, found.address("CredentialRegistry"))


def _notes(op: Any, current: str | None) -> list[str]:
    from registry.chain import writer

    notes = [op.error] if op.error else []
    if op.state not in UNFINISHED:
        return notes
    if op.deployment is None:
        notes.append("deployment not recorded (an older journal): never sent automatically")
    elif current is not None and op.deployment != current:
        notes.append(f"another deployment (chain {op.deployment.split(':')[0]}): never sent here")
    if op.owner_pid is not None and writer.owner_alive(op.owner_pid, op.owner_start):
        notes.append(f"process {op.owner_pid} is driving it")
    if op.files is not None and op.files_state != "written":
        notes.append("holder files not yet known complete: reconcile sends it if they are, else abandons it")
    return notes


def reconcile(registry: Any, identity: Any, settings: Any = None) -> list[str]:
    """Bring every unfinished or reorged write of `identity` on-chain, exactly once: what was done.
    With `settings`, a logbook provider's days left by a stopped run are finished too (their entry
    files written once their root is on-chain: ops/logbook/days.py)."""
    manager = registry.client.tx_manager
    assert manager is not None
    actions: list[str] = manager.reconcile(identity.account, identity, explicit=True)
    if settings is not None:
        actions += _logbook_days(registry, identity, settings)
    return actions


def _logbook_days(registry: Any, identity: Any, settings: Any) -> list[str]:
    from registry.ops.logbook.days import FOLDER

    folder = settings.state_dir / identity.name / FOLDER
    before = len(list(folder.glob("*.json")))
    if not before:
        return []
    from registry.ops.issuance import Issuer
    from registry.ops.logbook.days import finish

    issuer = Issuer(registry, identity, settings)
    with issuer.writing():
        finish(issuer)
    left = len(list(folder.glob("*.json")))
    done = [f"logbook: {before - left} day(s) a stopped run left finished or dropped"] if before > left else []
    return done + ([f"logbook: {left} day(s) wait for their root, still pending"] if left else [])
