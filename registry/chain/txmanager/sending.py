"""Sending one journaled row: the call made (an intent built now), a nonce no other writer holds,
the signed bytes recorded before any broadcast, the broadcast, and the wait for a receipt deep
enough. A refusal marks the row failed (never sent again unasked) and removes the holder files it
covered; a silent node leaves it pending, for reconciliation.

`Sender` is the first of the transaction manager's layers: `reconcile.Reconciler` brings rows left
behind to the chain's truth with it, and `manager.TxManager` adds the public writes on top.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from registry.chain import writer
from registry.chain.client import Call, ChainClient, NodeRefused, receipt_poll_pauses
from registry.chain.txmanager.crash import crash_point
from registry.chain.txmanager.effects import Builder, EffectCheck, NoEffects
from registry.chain.txmanager.holderfiles import count_files, kept, remove_files
from registry.chain.txmanager.journal import Journal
from registry.chain.txmanager.rows import Operation, args_json
from registry.errors import ChainUnavailable, StateError, TransactionRefused, TransactionReverted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


# A node's refusal because another transaction of the account holds the nonce (geth, anvil, Besu,
# Nethermind wordings): re-signed with a fresh nonce, this many times at most.
_NONCE_TAKEN = ("nonce too low", "replacement transaction underpriced", "replacement_underpriced", "nonce_too_low",
                "oldnonce", "replacementnotallowed")  # fmt: skip
_NONCE_RETRIES = 3


def _nonce_taken(reason: str) -> bool:
    text = reason.lower().replace(" ", "")
    return any(marker.replace(" ", "") in text for marker in _NONCE_TAKEN)


class Sender:
    """Sends the journal's rows for one chain (one deployment)."""

    def __init__(
        self, client: ChainClient, journal: Journal, confirmations: int = 1, deployment: str | None = None,
        effects: EffectCheck | None = None,
    ) -> None:  # fmt: skip
        self.client = client
        self.effects: EffectCheck = effects or NoEffects()
        self.journal = journal
        self.confirmations = max(1, confirmations)
        self.deployment = deployment
        self.builders: dict[str, Builder] = {}
        # Where what the user should know goes (the writer lock's wait, what a reconcile did).
        self.say: Callable[[str], None] = writer.say_on_stderr
        self._reconciled: set[str] = set()
        self._me = writer.me()

    def _materialise(self, op: Operation, identity: Any) -> Call:
        """The call to send for `op`: an intent is built now (signed with the issuer's key)."""
        if not op.intent:
            return op.call
        builder = self.builders.get(op.intent)
        if builder is None or identity is None:
            raise StateError(
                f"{op.intent} {op.id[:8]} needs the issuer's key: run `registry journal reconcile --issuer NAME`"
            )
        return builder(identity, op.call)

    def _drive(
        self, account: LocalAccount, op: Operation, *, resubmission: bool = False, identity: Any = None
    ) -> dict[str, Any]:
        call = self._materialise(op, identity)
        crash_point("before-send")
        try:
            tx_hash, raw = self._sign_and_record(account, op.id, call)
        except TransactionReverted as exc:
            # Only a resubmission may read "already there" as success: a first submission refused
            # that way is someone else's anchor or DID, and the caller must hear it.
            if resubmission and self.effects.refused_as_done(account.address, op.call, exc.error_name):
                self.journal.update(op.id, state="confirmed", error=f"already on-chain ({exc.error_name})")
                return {"alreadyDone": exc.error_name, "blockNumber": None, "gasUsed": 0, "status": 1}
            raise self._failed(op, exc) from None
        except ChainUnavailable as exc:
            if op.files:
                raise ChainUnavailable(f"{exc}; {kept(op.files)}") from exc
            raise
        for attempt in range(_NONCE_RETRIES + 1):
            try:
                self._broadcast(raw)
                break
            except NodeRefused as exc:
                if _nonce_taken(exc.reason) and attempt < _NONCE_RETRIES:
                    # Another writer of this account (a copy of the key on another machine, with
                    # its own journal) took this nonce first. Ours is in no pool: sign again with
                    # the next free nonce; a change the other made first is refused or reverts,
                    # which the caller reports as "unchanged" with the change that won.
                    time.sleep(0.2 * (attempt + 1))
                    try:
                        tx_hash, raw = self._sign_and_record(account, op.id, call)
                    except TransactionReverted as again:
                        raise self._failed(op, again) from None
                    continue
                # The node answered "no" (not "could not be reached"): the transaction is not in any
                # pool and never will be, so the journal must not send it again later unasked.
                refused = TransactionRefused(f"the node refused the transaction: {exc.reason}")
                raise self._failed(op, refused, note=f"refused by the node: {exc.reason}") from exc
            except ChainUnavailable as exc:
                if op.files:
                    raise ChainUnavailable(f"{exc}; {kept(op.files)}") from exc
                raise
        crash_point("after-send")
        try:
            receipt = self._await(op, tx_hash)
        except ChainUnavailable as exc:
            if op.files:
                raise ChainUnavailable(f"{exc}; {kept(op.files)}") from exc
            raise
        crash_point("after-receipt")
        return receipt

    def _sign_and_record(self, account: LocalAccount, op_id: str, call: Call) -> tuple[str, str]:
        """Pick a nonce no other writer holds, sign, and record the signed bytes before any broadcast."""
        tx = self.client.build_transaction(account.address, call, nonce=0)

        def pending() -> int:
            return int(self.client.request("eth_getTransactionCount", [account.address, "pending"]), 16)

        return self.sign_and_record(account, op_id, call, tx, pending)

    def sign_and_record(
        self, account: LocalAccount, op_id: str, call: Call, tx: dict[str, Any], node_nonce: Callable[[], int]
    ) -> tuple[str, str]:
        """Sign `tx` (built for `call`, here or by a relay such as the service's transaction builder)
        with a nonce no other writer holds (the node's next, `node_nonce()`, or past the journal's
        highest), recording the signed bytes (state 'sent') before any broadcast. (hash, raw)."""
        with self.journal.write() as db:
            node_nonce_now = node_nonce()
            journal_nonce = self.journal.highest_nonce(db, account.address, self.deployment)
            nonce = max(node_nonce_now, (journal_nonce + 1) if journal_nonce is not None else 0)
            tx["nonce"] = nonce
            tx.pop("from", None)
            signed = account.sign_transaction(tx)
            tx_hash = "0x" + bytes(signed.hash).hex()
            raw = "0x" + bytes(signed.raw_transaction).hex()
            db.execute(
                "UPDATE operations SET state = 'sent', nonce = ?, tx_hash = ?, raw_tx = ?, args = ?, updated = ?"
                " WHERE id = ?",
                (nonce, tx_hash, raw, args_json(call.args), time.time(), op_id),
            )
        return tx_hash, raw

    def _broadcast(self, raw: str) -> None:
        try:
            self.client.request("eth_sendRawTransaction", [raw])
        except ChainUnavailable as exc:
            text = str(exc).lower()
            # The node already has it (a rebroadcast after a crash): that is success.
            if "already known" in text or "already imported" in text or "known transaction" in text:
                return
            raise

    def _receipt(self, tx_hash: str) -> dict[str, Any] | None:
        result = self.client.request("eth_getTransactionReceipt", [tx_hash])
        return result if isinstance(result, dict) else None

    def _await(self, op: Operation, tx_hash: str, timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        pauses = receipt_poll_pauses()
        while time.monotonic() < deadline:
            receipt = self._receipt(tx_hash)
            if receipt is not None:
                block = int(receipt["blockNumber"], 16)
                if self.client.block_number() - block + 1 >= self.confirmations:
                    if int(receipt["status"], 16) != 1:
                        raise self._failed(op, TransactionReverted(f"transaction {tx_hash} reverted"), block=block)
                    self.journal.update(op.id, state="confirmed", block=block)
                    # The same receipt shape as an unjournaled write (web3's), whichever path ran.
                    return self.client.wait_for_receipt(tx_hash)
            time.sleep(next(pauses))
        raise ChainUnavailable(f"transaction {tx_hash} not confirmed within {timeout_s:.0f} s; the journal keeps it")

    def _failed(self, op: Operation, exc: Exception, *, block: int | None = None, note: str | None = None) -> Exception:
        """Mark `op` failed (never sent again unasked). Holder files it covers describe a credential
        nobody could verify: they are removed, and the error says so."""
        text = note or str(exc)
        removed = remove_files(op.files) if op.files else []
        if op.files:
            text += f"; nothing was anchored and the {count_files(len(removed))} written were removed"
        self.journal.update(op.id, state="failed", error=text, **({"block": block} if block is not None else {}))
        if op.files and isinstance(exc, TransactionRefused | TransactionReverted):
            return type(exc)(f"{exc}; nothing was anchored and the {count_files(len(removed))} written were removed")
        return exc
