"""The transaction manager under every write: a durable journal, nonces, idempotent resubmission,
confirmation depth and reconciliation.

Every write is first recorded as *intended* in a SQLite journal, then signed; the signed bytes are
recorded (*sent*) before they are broadcast; the receipt, once deep enough, marks it *confirmed*.
A crash at any point therefore leaves a row that says what was meant and, from *sent* on, the exact
transaction. `reconcile()` (run before a process's first write for an account, and by
`registry journal reconcile`) brings every row to the chain's truth:

- the operation's effect is already on-chain (checked from the contracts' state, not from a
  receipt: the anchor exists, the status bits are set) -> confirmed, nothing resent;
- the signed transaction is known to the node -> wait for it;
- otherwise (lost in a crash, dropped by a restarted node, removed by a reorg) -> rebroadcast the
  same signed bytes if its nonce is still free, else sign it again with a fresh nonce.

Doubling is impossible by construction: a resend happens only after the effect check says the
operation is not on-chain, and the contracts refuse a second anchor of the same value
(`AlreadyAnchored`), a second registration (`DIDAlreadyRegistered`) or a reused attribute id
(`AttributeExists`), which the manager reads as "already done".

Nonces come from the journal and the node together, inside one SQLite write transaction, so
several processes writing with the same key never pick the same nonce.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.chain.client import Call, ChainClient, NodeRefused, contract_abi
from registry.errors import ChainUnavailable, InputError, TransactionRefused, TransactionReverted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

# Contract errors that mean "this operation is already on-chain".
ALREADY_DONE = {"AlreadyAnchored", "DIDAlreadyRegistered", "AttributeExists", "DuplicateKey"}
# A status change the contract refuses because entries are already in the state asked for: done
# only when every entry it names is (another process may have changed some of them, not all).
STATUS_ALREADY = {"StatusAlreadySet", "StatusNotSet"}
# How far back reconciliation re-checks confirmed operations (covers reorgs deeper than any seen).
REORG_WINDOW = 64
CRASH_ENV = "REGISTRY_CRASH_AT"  # fault-injection for the crash tests: before-send|after-send|after-receipt

_SCHEMA = """
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    contract TEXT NOT NULL,
    address TEXT NOT NULL,
    function TEXT NOT NULL,
    args TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('intended', 'sent', 'confirmed', 'failed')),
    nonce INTEGER,
    tx_hash TEXT,
    raw_tx TEXT,
    block INTEGER,
    error TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS operations_by_state ON operations (sender, state);
"""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$bytes" in value:
        return bytes.fromhex(value["$bytes"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _crash_point(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Operation:
    id: str
    sender: str
    call: Call
    state: str
    nonce: int | None
    tx_hash: str | None
    raw_tx: str | None
    block: int | None
    error: str | None


class Journal:
    """The SQLite journal (one file per local state directory; WAL mode, safe across processes)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        os.chmod(path, 0o600)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One exclusive write transaction (BEGIN IMMEDIATE serialises writers across processes)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add(self, sender: str, call: Call) -> str:
        op_id = str(uuid.uuid4())
        now = time.time()
        with self.write() as db:
            db.execute(
                "INSERT INTO operations (id, sender, contract, address, function, args, state, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, 'intended', ?, ?)",
                (op_id, sender, call.contract, call.address, call.function, json.dumps(_encode(call.args)), now, now),
            )
        return op_id

    def update(self, op_id: str, **fields: Any) -> None:
        fields["updated"] = time.time()
        columns = ", ".join(f"{k} = ?" for k in fields)
        with self.write() as db:
            db.execute(f"UPDATE operations SET {columns} WHERE id = ?", (*fields.values(), op_id))

    def _row(self, row: tuple[Any, ...]) -> Operation:
        op_id, sender, contract, address, function, args, state, nonce, tx_hash, raw_tx, block, error = row
        call = Call(address, contract, function, tuple(_decode(json.loads(args))))
        return Operation(op_id, sender, call, state, nonce, tx_hash, raw_tx, block, error)

    _COLUMNS = "id, sender, contract, address, function, args, state, nonce, tx_hash, raw_tx, block, error"

    def get(self, op_id: str) -> Operation:
        row = self._db.execute(f"SELECT {self._COLUMNS} FROM operations WHERE id = ?", (op_id,)).fetchone()
        if row is None:
            raise InputError(f"no operation {op_id} in the journal")
        return self._row(row)

    def pending(self, sender: str) -> list[Operation]:
        rows = self._db.execute(
            f"SELECT {self._COLUMNS} FROM operations WHERE sender = ? AND state IN ('intended', 'sent')"
            " ORDER BY created",
            (sender,),
        ).fetchall()
        return [self._row(r) for r in rows]

    def recent_confirmed(self, sender: str, since_block: int) -> list[Operation]:
        rows = self._db.execute(
            f"SELECT {self._COLUMNS} FROM operations WHERE sender = ? AND state = 'confirmed' AND block >= ?"
            " ORDER BY created",
            (sender, since_block),
        ).fetchall()
        return [self._row(r) for r in rows]

    def all(self) -> list[Operation]:
        rows = self._db.execute(f"SELECT {self._COLUMNS} FROM operations ORDER BY created").fetchall()
        return [self._row(r) for r in rows]

    def highest_nonce(self, db: sqlite3.Connection, sender: str) -> int | None:
        row = db.execute("SELECT MAX(nonce) FROM operations WHERE sender = ? AND state = 'sent'", (sender,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def close(self) -> None:
        self._db.close()


def _unencodable(call: Call) -> str | None:
    """Why `call`'s arguments cannot be ABI-encoded (a reason code of -5, a number past uint8), or None."""
    try:
        contract_abi(call.contract).encode_call(call.function, call.args)
    except Exception as exc:  # eth_abi raises several unrelated types for out-of-range values
        return f"cannot encode {call.function}: {exc}"
    return None


class TxManager:
    """Writes for one chain, journaled."""

    def __init__(self, client: ChainClient, journal: Journal, confirmations: int = 1) -> None:
        self.client = client
        self.journal = journal
        self.confirmations = max(1, confirmations)
        self._reconciled: set[str] = set()

    # -- effects: is the operation already on-chain? ------------------------------------------

    def effect_done(self, sender: str, call: Call) -> bool | None:
        """True/False from contract state where we know how to read it; None when we cannot tell."""
        if call.contract != "CredentialRegistry":
            return None
        if call.function in ("anchor", "anchorCohort"):
            record = self.client.call(Call(call.address, call.contract, "anchorOf", (sender, call.args[0])))[0]
            return int(record[1]) != 0
        if call.function == "setStatus":
            entry = int(call.args[0])
            list_id, index = entry >> 32, entry & 0xFFFFFFFF
            purpose, number = list_id >> 32, list_id & 0xFFFFFFFF
            word = self.client.call(
                Call(call.address, call.contract, "statusWordsFor", ([sender], [purpose], [number], [index]))
            )[0][0]
            return bool((int(word) >> (index % 224)) & 1)
        if call.function == "updateStatus":
            purpose, number, words, masks, set_, _ = call.args
            current = self.client.call(
                Call(call.address, call.contract, "statusWordsFor",
                     ([sender] * len(words), [purpose] * len(words), [number] * len(words), [w * 224 for w in words]))
            )[0]  # fmt: skip
            return all(((int(v) & m) == m) if set_ else (int(v) & m) == 0 for v, m in zip(current, masks, strict=True))
        return None

    def still_to_change(self, sender: str, call: Call) -> Call:
        """An `updateStatus` narrowed to the entries not yet in the state it asks for (another
        process may have changed some of them since it was journaled: the contract refuses a change
        that names an entry already so, and what is left must still be sent); any other call as is."""
        if call.contract != "CredentialRegistry" or call.function != "updateStatus":
            return call
        purpose, number, words, masks, set_, reason = call.args
        current = self.client.call(
            Call(call.address, call.contract, "statusWordsFor",
                 ([sender] * len(words), [purpose] * len(words), [number] * len(words), [w * 224 for w in words]))
        )[0]  # fmt: skip
        left = [(w, (m & ~int(v)) if set_ else (m & int(v))) for w, m, v in zip(words, masks, current, strict=True)]
        left = [(w, m) for w, m in left if m]
        return Call(
            call.address, call.contract, call.function,
            (purpose, number, [w for w, _ in left], [m for _, m in left], set_, reason),
        )  # fmt: skip

    # -- sending --------------------------------------------------------------------------------

    def _sign_and_record(self, account: LocalAccount, op_id: str, call: Call) -> tuple[str, str]:
        """Pick a nonce no other writer holds, sign, and record the signed bytes before any broadcast."""
        tx = self.client.build_transaction(account.address, call, nonce=0)
        with self.journal.write() as db:
            node_nonce = int(self.client.request("eth_getTransactionCount", [account.address, "pending"]), 16)
            journal_nonce = self.journal.highest_nonce(db, account.address)
            nonce = max(node_nonce, (journal_nonce + 1) if journal_nonce is not None else 0)
            tx["nonce"] = nonce
            tx.pop("from", None)
            signed = account.sign_transaction(tx)
            tx_hash = "0x" + bytes(signed.hash).hex()
            raw = "0x" + bytes(signed.raw_transaction).hex()
            db.execute(
                "UPDATE operations SET state = 'sent', nonce = ?, tx_hash = ?, raw_tx = ?, updated = ? WHERE id = ?",
                (nonce, tx_hash, raw, time.time(), op_id),
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

    def _await(self, op_id: str, tx_hash: str, timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            receipt = self._receipt(tx_hash)
            if receipt is not None:
                block = int(receipt["blockNumber"], 16)
                if self.client.block_number() - block + 1 >= self.confirmations:
                    if int(receipt["status"], 16) != 1:
                        self.journal.update(op_id, state="failed", error="reverted on-chain", block=block)
                        raise TransactionReverted(f"transaction {tx_hash} reverted")
                    self.journal.update(op_id, state="confirmed", block=block)
                    # The same receipt shape as an unjournaled write (web3's), whichever path ran.
                    return self.client.wait_for_receipt(tx_hash)
            time.sleep(0.05)
        raise ChainUnavailable(f"transaction {tx_hash} not confirmed within {timeout_s:.0f} s; the journal keeps it")

    def submit(self, account: LocalAccount, call: Call) -> dict[str, Any]:
        """Journal, sign, send and confirm one write; returns its receipt (raw JSON-RPC fields).

        The first write of a sender in this process reconciles what earlier runs left behind; later
        writes do not re-read the recent history (`reconcile()` can always be called explicitly).
        """
        problem = _unencodable(call)
        if problem:  # refused before it is journaled: a row that can never be sent must never exist
            raise InputError(problem)
        if account.address not in self._reconciled:
            try:
                self.reconcile(account)
            except ChainUnavailable:
                # The node is silent before this write was even recorded: record it now, so the
                # next write or `registry journal reconcile` sends it, as the caller is told.
                self.journal.add(account.address, call)
                raise
        op_id = self.journal.add(account.address, call)
        return self._drive(account, self.journal.get(op_id))

    def _drive(self, account: LocalAccount, op: Operation, *, resubmission: bool = False) -> dict[str, Any]:
        _crash_point("before-send")
        try:
            tx_hash, raw = self._sign_and_record(account, op.id, op.call)
        except TransactionReverted as exc:
            # Only a resubmission may read "already there" as success: a first submission refused
            # that way is someone else's anchor or DID, and the caller must hear it.
            if resubmission and (
                exc.error_name in ALREADY_DONE
                or (exc.error_name in STATUS_ALREADY and self.effect_done(account.address, op.call))
            ):
                self.journal.update(op.id, state="confirmed", error=f"already on-chain ({exc.error_name})")
                return {"alreadyDone": exc.error_name, "blockNumber": None, "gasUsed": 0, "status": 1}
            self.journal.update(op.id, state="failed", error=str(exc))
            raise
        try:
            self._broadcast(raw)
        except NodeRefused as exc:
            # The node answered "no" (not "could not be reached"): the transaction is not in any
            # pool and never will be, so the journal must not send it again later unasked.
            self.journal.update(op.id, state="failed", error=f"refused by the node: {exc.reason}")
            raise TransactionRefused(f"the node refused the transaction: {exc.reason}") from exc
        _crash_point("after-send")
        receipt = self._await(op.id, tx_hash)
        _crash_point("after-receipt")
        return receipt

    # -- reconciliation ----------------------------------------------------------------------

    def reconcile(self, account: LocalAccount) -> list[str]:
        """Bring every unfinished (and recently confirmed) operation of `account` to the chain's truth."""
        actions: list[str] = []
        sender = account.address
        self._reconciled.add(sender)
        latest = self.client.block_number()
        for op in self.journal.recent_confirmed(sender, max(0, latest - REORG_WINDOW)):
            if op.tx_hash is None or self._receipt(op.tx_hash) is not None or self.effect_done(sender, op.call):
                continue
            # Confirmed once, gone now (a reorg, or a node restarted without its last blocks).
            self.journal.update(op.id, state="sent", block=None)
            actions.append(f"{op.call.function} {op.id}: no longer on-chain, resending")
        for op in self.journal.pending(sender):
            problem = _unencodable(op.call)
            if problem:  # recorded by an older version that journaled before checking: never sendable
                self.journal.update(op.id, state="failed", error=problem)
                actions.append(f"{op.call.function} {op.id}: cannot be sent ({problem}); marked failed")
                continue
            done = self.effect_done(sender, op.call)
            if done:
                self.journal.update(op.id, state="confirmed", block=latest)
                actions.append(f"{op.call.function} {op.id}: already on-chain")
                continue
            # A status change some of whose entries another process changed meanwhile: the contract
            # refuses it whole now, so its signed bytes are dead; what is left is signed anew.
            narrowed = self.still_to_change(sender, op.call)
            if narrowed != op.call:
                self.journal.update(op.id, args=json.dumps(_encode(narrowed.args)))
                actions.append(f"{op.call.function} {op.id}: narrowed to the entries still to change")
            elif op.state == "sent" and op.tx_hash and op.raw_tx:
                if self._receipt(op.tx_hash) is not None:
                    self._await(op.id, op.tx_hash)
                    actions.append(f"{op.call.function} {op.id}: confirmed")
                    continue
                node_nonce = int(self.client.request("eth_getTransactionCount", [sender, "latest"]), 16)
                if op.nonce is not None and op.nonce >= node_nonce:
                    self._broadcast(op.raw_tx)
                    self._await(op.id, op.tx_hash)
                    actions.append(f"{op.call.function} {op.id}: rebroadcast")
                    continue
            # Never sent, or its nonce went to another transaction, or narrowed: sign it again.
            self.journal.update(op.id, state="intended", nonce=None, tx_hash=None, raw_tx=None)
            self._drive(account, self.journal.get(op.id), resubmission=True)
            actions.append(f"{op.call.function} {op.id}: sent again")
        return actions
