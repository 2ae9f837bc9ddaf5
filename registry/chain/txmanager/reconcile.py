"""Reconciliation: bring the rows earlier runs left behind to the chain's truth.

Run, under the account's writer lock, when a process first writes for an account and by
`registry journal reconcile`. It takes over only rows whose owner is this process or is gone, and
never sends rows of another deployment. For each row:

- its effect is already on-chain (asked of the effect check, which reads contract state) ->
  confirmed, nothing resent;
- its holder files were never completely written -> failed ("abandoned"), the partial files removed;
- a status change some of whose entries another home changed meanwhile -> narrowed to the entries
  still to change, then signed again;
- its signed transaction is known to the node -> awaited; its nonce still free -> the same bytes
  rebroadcast; otherwise signed again with a fresh nonce (a publication from the chain as it is now).

Confirmed rows of the last `REORG_WINDOW` blocks whose transaction is gone (a reorg, a node
restarted without its last blocks) are sent again too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from registry.chain import writer
from registry.chain.txmanager.holderfiles import anchored_value, discard_partial, files_complete
from registry.chain.txmanager.rows import Operation, unencodable
from registry.chain.txmanager.sending import Sender
from registry.errors import TransactionRefused, TransactionReverted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

# How far back reconciliation re-checks confirmed operations (covers reorgs deeper than any seen).
REORG_WINDOW = 64


_KEY_NEEDED = "waits for the issuer's key"


class Reconciler(Sender):
    """A `Sender` that also finishes what earlier runs left behind."""

    def _mine(self, op: Operation) -> bool:
        """May this process drive `op`? Its owner is this process, or is gone."""
        if (op.owner_pid, op.owner_start) == self._me:
            return True
        return not writer.owner_alive(op.owner_pid, op.owner_start)

    def reconcile(self, account: LocalAccount, identity: Any = None, *, explicit: bool = False) -> list[str]:
        """Bring the unfinished (and recently confirmed) operations of `account` that this process
        may drive to the chain's truth; rows of another live process or another deployment are left
        alone (named when `explicit`). Runs under the account's writer lock."""
        label = getattr(identity, "name", None) or account.address
        with writer.exclusive(self.journal.path, account.address, label, say=self.say):
            return self._reconcile(account, identity, explicit)

    def _reconcile(self, account: LocalAccount, identity: Any, explicit: bool) -> list[str]:
        actions: list[str] = []
        sender = account.address
        self._reconciled.add(sender)
        latest = self.client.block_number()
        for op in self.journal.recent_confirmed(sender, max(0, latest - REORG_WINDOW)):
            if op.deployment != self.deployment or not self._mine(op):
                continue
            if op.tx_hash is None or self._receipt(op.tx_hash) is not None or self.effects.done(sender, op.call):
                continue
            # Confirmed once, gone now (a reorg, or a node restarted without its last blocks).
            self.journal.update(op.id, state="sent", block=None)
            actions.append(f"{op.call.function} {op.id[:8]}: no longer on-chain, resending")
        waiting: str | None = None  # the first operation left for the issuer's key
        for op in self.journal.pending(sender):
            name = f"{op.call.function} {op.id[:8]}"
            if op.deployment != self.deployment:
                if explicit:
                    where = "another deployment" if op.deployment else "an unrecorded deployment (an older journal)"
                    actions.append(f"{name}: recorded for {where}; not sent here")
                continue
            if not self._mine(op):
                if explicit:
                    actions.append(f"{name}: process {op.owner_pid} is still driving it; left to it")
                continue
            if waiting is not None and not self.effects.done(sender, op.call):
                # Its nonce comes after an operation that cannot be signed here: sent now, it would
                # only wait in the node's queue behind the gap.
                actions.append(f"{name}: waits behind {waiting}, which needs the issuer's key")
                continue
            try:
                done = self._reconcile_one(account, op, identity, latest)
            except (TransactionRefused, TransactionReverted) as exc:
                done = [f"{name}: failed ({exc})"]
            actions.extend(done)
            if waiting is None and any(_KEY_NEEDED in line for line in done):
                waiting = name
        return actions

    def _reconcile_one(self, account: LocalAccount, op: Operation, identity: Any, latest: int) -> list[str]:
        sender = account.address
        name = f"{op.call.function} {op.id[:8]}"
        problem = None if op.intent else unencodable(op.call)
        if problem:  # recorded by an older version that journaled before checking: never sendable
            self.journal.update(op.id, state="failed", error=problem)
            return [f"{name}: cannot be sent ({problem}); marked failed"]
        if op.intent and (identity is None or op.intent not in self.builders):
            return [f"{name}: {_KEY_NEEDED} (`registry journal reconcile --issuer NAME`)"]
        if (op.owner_pid, op.owner_start) != self._me:  # taken over: a process killed now leaves it to the next
            self.journal.update(op.id, owner_pid=self._me[0], owner_start=self._me[1])
        done = self.effects.done(sender, op.call)
        if done:
            self.journal.update(op.id, state="confirmed", block=latest)
            return [f"{name}: already on-chain"]
        if op.files is not None and op.files_state != "written":
            if not files_complete(op):
                removed = discard_partial(op.files, anchored_value(op))
                note = "the process stopped before its holder files were completely written"
                note += f"; removed {removed}" if removed else ""
                self.journal.update(op.id, state="failed", error=f"abandoned: {note}; nothing was anchored")
                return [f"{name}: abandoned ({note}); nothing was anchored"]
            self.journal.update(op.id, files_state="written")
        # A status change some of whose entries another process changed meanwhile (another home:
        # this one's lock keeps its own processes apart): the contract refuses it whole now, so its
        # signed bytes are dead; what is left is signed anew.
        narrowed = self.effects.still_to_change(sender, op.call)
        if narrowed != op.call:
            self.journal.update(op.id, args=narrowed.args)
            op = self.journal.get(op.id)
            narrowing = [f"{name}: narrowed to the entries still to change"]
        else:
            narrowing = []
        if op.state == "sent" and op.tx_hash and op.raw_tx and not narrowing:
            if self._receipt(op.tx_hash) is not None:
                self._await(op, op.tx_hash)
                return [f"{name}: confirmed"]
            node_nonce = int(self.client.request("eth_getTransactionCount", [sender, "latest"]), 16)
            if op.nonce is not None and op.nonce >= node_nonce:
                self._broadcast(op.raw_tx)
                self._await(op, op.tx_hash)
                return [f"{name}: rebroadcast"]
        # Never sent, or its nonce went to another transaction: sign it again (a publication is
        # signed again from the chain as it is now). Said as it was: a row its process journaled but
        # stopped before sending is sent now, not "again".
        was_sent = op.tx_hash is not None
        self.journal.update(op.id, state="intended", nonce=None, tx_hash=None, raw_tx=None)
        self._drive(account, self.journal.get(op.id), resubmission=True, identity=identity)
        covers = f" (anchors {op.files.describe()})" if op.files else ""
        said = "sent again" if was_sent else "sent now (its process journaled it, then stopped before sending it)"
        return [*narrowing, f"{name}: {said}{covers}"]
