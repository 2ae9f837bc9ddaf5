"""`TxManager`, the writes a caller asks for: one journaled write (`submit`), or a batch recorded
whole under the account's writer lock (`writing`, `record`) and then driven in order (`drive`).

The first write of an account in a process reconciles what earlier runs left behind first
(`reconcile.Reconciler`); sending a row is `sending.Sender`'s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from registry.chain import writer
from registry.chain.client import Call
from registry.chain.txmanager.crash import crash_point
from registry.chain.txmanager.reconcile import Reconciler
from registry.chain.txmanager.rows import Files, unencodable
from registry.errors import ChainUnavailable, InputError, StateError, TransactionRefused, TransactionReverted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


class TxManager(Reconciler):
    """Writes for one chain (one deployment), journaled."""

    # -- one writer per account ------------------------------------------------------------

    @contextmanager
    def writing(self, account: LocalAccount, label: str | None = None, identity: Any = None) -> Iterator[None]:
        """Hold `account`'s writer lock (across processes) for the block; the first time in this
        process, reconcile what earlier runs of this account left behind first."""
        with writer.exclusive(self.journal.path, account.address, label or account.address, say=self.say):
            if account.address not in self._reconciled:
                for action in self.reconcile(account, identity):
                    self.say(f"journal: {action}")
            yield

    def submit(self, account: LocalAccount, call: Call) -> dict[str, Any]:
        """Journal, sign, send and confirm one write; returns its receipt (raw JSON-RPC fields).

        The first write of a sender in this process reconciles what earlier runs left behind; later
        writes do not re-read the recent history (`reconcile()` can always be called explicitly).
        """
        problem = unencodable(call)
        if problem:  # refused before it is journaled: a row that can never be sent must never exist
            raise InputError(problem)
        with writer.exclusive(self.journal.path, account.address, account.address, say=self.say):
            if account.address not in self._reconciled:
                try:
                    for action in self.reconcile(account):
                        self.say(f"journal: {action}")
                except ChainUnavailable:
                    # The node is silent before this write was even recorded: record it now, so the
                    # next write or `registry journal reconcile` sends it, as the caller is told.
                    self.journal.add(account.address, call, deployment=self.deployment)
                    raise
            op_id = self.journal.add(account.address, call, deployment=self.deployment)
            return self._drive(account, self.journal.get(op_id))

    def record(
        self, account: LocalAccount, items: Sequence[tuple[Call, str | None]], *, batch: str | None = None,
        files: Files | None = None,
    ) -> list[str]:  # fmt: skip
        """Journal a whole batch (in order) before anything of it is sent; call inside `writing()`."""
        for call, intent in items:
            problem = None if intent else unencodable(call)
            if problem:
                raise InputError(problem)
        return self.journal.add_batch(account.address, items, deployment=self.deployment, batch=batch, files=files)

    def files_written(self, op_id: str) -> None:
        self.journal.update(op_id, files_state="written")

    def abandon(self, op_id: str, note: str) -> None:
        """A row whose holder files could not be written: never sent."""
        with contextlib.suppress(StateError):  # the disk may be the problem: reconcile abandons it later
            self.journal.update(op_id, state="failed", error=f"abandoned: {note}; nothing was anchored")

    def drive(self, account: LocalAccount, op_ids: Sequence[str], identity: Any = None) -> list[dict[str, Any] | None]:
        """Send a recorded batch in order. A refusal of one transaction marks it failed and the rest
        still go (each is its own change); the first refusal is raised at the end. A silent node
        stops the batch: what is left stays pending, for the next write or `journal reconcile`."""
        outcomes = self.drive_each(account, op_ids, identity)
        errors = [o for o in outcomes if isinstance(o, Exception)]
        if errors:
            more = f" ({len(errors) - 1} more transaction(s) of this batch failed too)" if len(errors) > 1 else ""
            raise type(errors[0])(f"{errors[0]}{more}") from errors[0]
        return [o for o in outcomes if not isinstance(o, Exception)]

    def drive_each(
        self, account: LocalAccount, op_ids: Sequence[str], identity: Any = None
    ) -> list[dict[str, Any] | Exception]:
        """`drive`, returning each transaction's receipt or its refusal (TransactionRefused or
        TransactionReverted) instead of raising the first."""
        outcomes: list[dict[str, Any] | Exception] = []
        landed: dict[int | None, bool] = {}  # per status list changed by this batch: did any change land?
        for n, op_id in enumerate(op_ids):
            op = self.journal.get(op_id)
            if op.intent:
                crash_point("before-publication")
                if landed.get(self.effects.publishes(op.call)) is False:
                    # Every change of this batch to the list was refused (another process changed
                    # it first, and publishes it): there is nothing of ours to publish.
                    self.journal.update(op.id, state="failed", error="not needed: no change of its batch landed")
                    outcomes.append({"skipped": True, "blockNumber": None, "gasUsed": 0, "status": 1})
                    continue
            elif n:
                crash_point("between-batch")
            changed = self.effects.changes(op.call)
            try:
                outcomes.append(self._drive(account, op, identity=identity))
                if changed is not None:
                    landed[changed] = True
            except (TransactionRefused, TransactionReverted) as exc:
                outcomes.append(exc)
                if changed is not None:
                    landed.setdefault(changed, False)
        return outcomes
