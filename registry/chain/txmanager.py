"""The transaction manager under every write: a durable journal, one writer per account, nonces,
idempotent resubmission, confirmation depth and reconciliation.

Every write is first recorded as *intended* in a SQLite journal, then signed; the signed bytes are
recorded (*sent*) before they are broadcast; the receipt, once deep enough, marks it *confirmed*.
A crash at any point therefore leaves a row that says what was meant and, from *sent* on, the exact
transaction. `reconcile()` (run when a process first writes for an account, and by
`registry journal reconcile`) brings every row to the chain's truth:

- the operation's effect is already on-chain (checked from the contracts' state, not from a
  receipt: the anchor exists, the status bits are set, the published list is current) ->
  confirmed, nothing resent. The journal knows no contract: what "on-chain" means for a call is
  asked of the `EffectCheck` it is given (`registry.contracts.effects.DeploymentEffects`);
- the signed transaction is known to the node -> wait for it;
- otherwise (lost in a crash, dropped by a restarted node, removed by a reorg) -> rebroadcast the
  same signed bytes if its nonce is still free, else sign it again with a fresh nonce.

What a row covers is recorded with it, before anything else happens:

- the holder files it anchors (`files`): the row is written first, then the files, then
  `files_state` becomes `written`, and only then is the transaction sent. A row whose files were
  never completely written (the process died in between) is never sent: reconciliation marks it
  failed ("abandoned") and removes the staging directory or temporary file it named;
- its batch (`batch`, `seq`): every transaction of one command (the (reason, list) changes of a
  revocation list and the status-list publications that follow) is recorded in one SQLite
  transaction before the first is sent, so a kill leaves all of it or none of it to finish;
- its owner (`owner_pid`, `owner_start`: a lease): reconciliation takes over only rows whose
  owner is this process or is gone, never a write another live process is driving;
- its deployment (`deployment`: chain id, deployment block hash, credential registry address):
  rows of another deployment (a chain reset, then a new deployment at the same addresses) are
  never sent, and are not counted for nonces.

A status-list publication's content depends on the chain when it is sent, so it is journaled as
an *intent* (`intent = 'publish-status-list'`) and signed with the issuer's key when it is driven
(by the command itself, or by a reconciliation that holds the issuer's identity).

Writes of one account run one process at a time (`registry/chain/writer.py`: a lock file beside
the journal), held from status-entry allocation to the last confirmation.

Faults of the journal itself (a full disk, a read-only or damaged file) are `StateError`s naming
the file; a damaged journal is detected at open (`PRAGMA quick_check`, and a journal is never
an empty file: it is created whole under a temporary name), so it is never read as empty.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from registry.chain import writer
from registry.chain.client import Call, ChainClient, NodeRefused, contract_abi
from registry.errors import (
    ChainUnavailable,
    InputError,
    StateError,
    TransactionRefused,
    TransactionReverted,
)

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

# How far back reconciliation re-checks confirmed operations (covers reorgs deeper than any seen).
REORG_WINDOW = 64
# Fault injection for the crash tests: the process SIGKILLs itself at the named step.
# Per transaction: before-send | after-send | after-receipt. Issuance: after-allocation |
# after-row | during-files | after-files. Batches: between-batch | before-publication.
CRASH_ENV = "REGISTRY_CRASH_AT"

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
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Status-list allocation (registry/ops/allocation.py): per account, the list being filled, its
-- next free word and the pool of words single credentials draw from.
CREATE TABLE IF NOT EXISTS allocators (
    account TEXT PRIMARY KEY,
    list INTEGER NOT NULL,
    next_word INTEGER NOT NULL,
    pool_list INTEGER,
    pool_start INTEGER
);
-- Every status entry ever handed out: the primary key makes a second hand-out impossible.
CREATE TABLE IF NOT EXISTS status_entries (
    account TEXT NOT NULL,
    list INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    batch TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (account, list, idx)
) WITHOUT ROWID;
"""
# Columns added to journals written by earlier versions (ALTER TABLE on open).
_ADDED = (
    ("batch", "TEXT"),
    ("seq", "INTEGER NOT NULL DEFAULT 0"),
    ("owner_pid", "INTEGER"),
    ("owner_start", "TEXT"),
    ("deployment", "TEXT"),
    ("intent", "TEXT"),
    ("files", "TEXT"),
    ("files_state", "TEXT"),
)
_COLUMNS = (
    "id, sender, contract, address, function, args, state, nonce, tx_hash, raw_tx, block, error, "
    "batch, seq, owner_pid, owner_start, deployment, intent, files, files_state, created"
)


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


def crash_point(step: str) -> None:
    """SIGKILL this process at `step` when REGISTRY_CRASH_AT names it (the fault tests' hook)."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


_crash_point = crash_point


@dataclass(frozen=True)
class Files:
    """The holder files a row anchors: recorded in the row before they are written."""

    paths: tuple[str, ...]
    directory: str | None = None  # a cohort's --out-dir
    staging: str | None = None  # where the cohort's files are written before the rename
    created_directory: bool = False  # the --out-dir did not exist before: remove it with the files

    def to_json(self) -> str:
        return json.dumps(
            {"paths": list(self.paths), "directory": self.directory, "staging": self.staging,
             "created_directory": self.created_directory}
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str | None) -> Files | None:
        if not text:
            return None
        data = json.loads(text)
        return cls(
            tuple(data["paths"]), data.get("directory"), data.get("staging"), bool(data.get("created_directory"))
        )

    def describe(self) -> str:
        if self.directory:
            return f"{len(self.paths)} holder file(s) in {self.directory}"
        return ", ".join(self.paths)


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
    batch: str | None = None
    seq: int = 0
    owner_pid: int | None = None
    owner_start: str | None = None
    deployment: str | None = None
    intent: str | None = None
    files: Files | None = None
    files_state: str | None = None
    created: float = 0.0


def deployment_key(chain_id: int, block_hash: str | None, registry_address: str) -> str:
    """What a row records as its deployment: chain id, deployment block hash, registry address."""
    return f"{chain_id}:{(block_hash or 'no-block-hash').lower()}:{registry_address.lower()}"


def _fault(path: Path, exc: BaseException) -> StateError:
    """A SQLite or file-system failure of the journal as one sentence naming the file."""
    text = str(exc).lower()
    if "full" in text or getattr(exc, "errno", None) == 28:
        return StateError(
            f"no space left for the journal {path}: free some space; `registry journal status` then shows whether "
            "anything was left unfinished"
        )
    if "readonly" in text or "read-only" in text:
        return StateError(f"the journal {path} is read-only: writes need a writable home (journal status still works)")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return StateError(
            f"the journal {path} is damaged ({exc}): keep a copy, restore it from a backup, or move it aside to "
            "start a new one (the writes it held as pending are then no longer sent)"
        )
    if "locked" in text or "busy" in text:
        return StateError(f"the journal {path} stayed locked by another process; run the command again")
    if "disk i/o error" in text:
        return StateError(f"cannot write the journal {path} (disk I/O error: a full or failing disk?)")
    if "unable to open" in text:
        return StateError(f"cannot open the journal {path}: check that its directory exists and is writable")
    return StateError(f"the journal {path} could not be used: {exc}")


class Journal:
    """The SQLite journal (one file per local state directory; WAL mode, safe across processes).

    `read_only` opens it without writing anything (for `journal status` on a read-only home).
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.note: str | None = None  # said by `journal status` when it could not read everything
        try:
            self._db = self._open_read_only(path) if read_only else self._open(path)
            self._check()
        except sqlite3.Error as exc:
            raise _fault(path, exc) from exc
        except OSError as exc:
            raise _fault(path, exc) from exc

    def _open(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            self._create(path)
        elif not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            raise StateError(
                f"the journal {path} is read-only (or its directory is): writes need a writable home; "
                "`registry journal status` still reads it"
            )
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        return db

    @staticmethod
    def _create(path: Path) -> None:
        """Create the journal whole under a temporary name, then link it into place: a journal is
        never an empty file, so an empty or truncated one is damage, never "no writes yet"."""
        tmp = path.with_name(f".{path.name}.new-{uuid.uuid4().hex[:8]}")
        try:
            db = sqlite3.connect(tmp, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                for name, kind in _ADDED:
                    db.execute(f"ALTER TABLE operations ADD COLUMN {name} {kind}")
                db.execute("INSERT INTO meta VALUES ('journal_id', ?), ('version', '2')", (str(uuid.uuid4()),))
            finally:
                db.close()
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):  # another process created it meanwhile: theirs is used
                os.link(tmp, path)
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()

    def _open_read_only(self, path: Path) -> sqlite3.Connection:
        if not path.exists():
            raise StateError(f"no journal at {path}")
        uri = "file:" + urllib.parse.quote(str(path.resolve()))
        try:
            db = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None)
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            pass
        # A read-only directory: SQLite cannot create the WAL index, so read the file as it is.
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            self.note = (
                f"{wal} could not be read (read-only directory): the newest writes may be missing from this list"
            )
        return sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None)

    def _check(self) -> None:
        size = self.path.stat().st_size
        if size == 0:
            raise StateError(
                f"the journal {self.path} is empty (truncated): restore it from a backup, or move it aside to start "
                "a new one (the writes it held as pending are then no longer sent)"
            )
        problems = [str(row[0]) for row in self._db.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            detail = " ".join(" ".join(problems).replace("*** in database main ***", "").split())
            raise StateError(
                f"the journal {self.path} is damaged ({detail[:100]}): keep a copy, restore it from a backup, "
                "or move it aside to start a new one (the writes it held as pending are then no longer sent)"
            )
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "operations" not in tables:
            raise StateError(f"{self.path} is not a registry journal (it has no operations table)")
        if self.read_only:
            self._columns = {r[1] for r in self._db.execute("PRAGMA table_info(operations)")}
            return
        have = {r[1] for r in self._db.execute("PRAGMA table_info(operations)")}
        if "meta" not in tables or {n for n, _ in _ADDED} - have:
            self._upgrade()
        self._columns = {r[1] for r in self._db.execute("PRAGMA table_info(operations)")}

    def _upgrade(self) -> None:
        """A journal of an earlier version: add what this version records (its rows keep NULLs: no
        owner, so reconcilable; no deployment, so never sent, and named so by `journal status`)."""
        with self.write() as db:
            # Statement by statement: executescript would commit the transaction first.
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            have = {r[1] for r in db.execute("PRAGMA table_info(operations)")}
            for name, kind in _ADDED:
                if name not in have:
                    db.execute(f"ALTER TABLE operations ADD COLUMN {name} {kind}")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('journal_id', ?)", (str(uuid.uuid4()),))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', '2')")

    @property
    def journal_id(self) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'journal_id'").fetchone()
        return str(row[0]) if row else ""

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One exclusive write transaction (BEGIN IMMEDIATE serialises writers across processes).

        SQLite failures (a full disk, a read-only file) become a StateError naming the journal;
        the transaction is rolled back whole."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _fault(self.path, exc) from exc
        try:
            yield self._db
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _fault(self.path, exc) from exc
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise _fault(self.path, exc) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _fault(self.path, exc) from exc

    def add(self, sender: str, call: Call, **extra: Any) -> str:
        return self.add_batch(sender, [(call, None)], **extra)[0]

    def add_batch(
        self,
        sender: str,
        items: Sequence[tuple[Call, str | None]],
        *,
        deployment: str | None = None,
        batch: str | None = None,
        files: Files | None = None,
        owner: tuple[int, str | None] | None = None,
    ) -> list[str]:
        """Record every (call, intent) of one batch in one SQLite transaction, in order."""
        now = time.time()
        batch = batch or str(uuid.uuid4())
        pid, start = owner or writer.me()
        ids = [str(uuid.uuid4()) for _ in items]
        with self.write() as db:
            for seq, (op_id, (call, intent)) in enumerate(zip(ids, items, strict=True)):
                db.execute(
                    "INSERT INTO operations (id, sender, contract, address, function, args, state, created, updated,"
                    " batch, seq, owner_pid, owner_start, deployment, intent, files, files_state)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'intended', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (op_id, sender, call.contract, call.address, call.function, json.dumps(_encode(call.args)),
                     now, now, batch, seq, pid, start, deployment, intent,
                     files.to_json() if files and seq == 0 else None,
                     "writing" if files and seq == 0 else None),
                )  # fmt: skip
        return ids

    def update(self, op_id: str, **fields: Any) -> None:
        fields["updated"] = time.time()
        if "args" in fields:
            fields["args"] = json.dumps(_encode(fields["args"]))
        columns = ", ".join(f"{k} = ?" for k in fields)
        with self.write() as db:
            db.execute(f"UPDATE operations SET {columns} WHERE id = ?", (*fields.values(), op_id))

    def _row(self, row: tuple[Any, ...]) -> Operation:
        (op_id, sender, contract, address, function, args, state, nonce, tx_hash, raw_tx, block, error,
         batch, seq, owner_pid, owner_start, deployment, intent, files, files_state, created) = row  # fmt: skip
        call = Call(address, contract, function, tuple(_decode(json.loads(args))))
        return Operation(
            op_id, sender, call, state, nonce, tx_hash, raw_tx, block, error, batch, int(seq or 0), owner_pid,
            owner_start, deployment, intent, Files.from_json(files), files_state, float(created),
        )  # fmt: skip

    def _select(self, where: str = "", params: Sequence[Any] = ()) -> list[Operation]:
        cols, order = _COLUMNS, "created, seq"
        if self.read_only and "batch" not in self._columns:  # an older journal, read as it is
            cols = _COLUMNS.replace(
                "batch, seq, owner_pid, owner_start, deployment, intent, files, files_state",
                "NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL",
            )
            order = "created"
        rows = self._read(f"SELECT {cols} FROM operations {where} ORDER BY {order}", params)
        return [self._row(r) for r in rows]

    def get(self, op_id: str) -> Operation:
        found = self._select("WHERE id = ?", (op_id,))
        if not found:
            raise InputError(f"no operation {op_id} in the journal")
        return found[0]

    def pending(self, sender: str) -> list[Operation]:
        return self._select("WHERE sender = ? AND state IN ('intended', 'sent')", (sender,))

    def recent_confirmed(self, sender: str, since_block: int) -> list[Operation]:
        return self._select("WHERE sender = ? AND state = 'confirmed' AND block >= ?", (sender, since_block))

    def all(self) -> list[Operation]:
        return self._select()

    def highest_nonce(self, db: sqlite3.Connection, sender: str, deployment: str | None = None) -> int | None:
        row = db.execute(
            "SELECT MAX(nonce) FROM operations WHERE sender = ? AND state = 'sent' AND deployment IS ?",
            (sender, deployment),
        ).fetchone()
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


# An intent's builder: (the issuer's identity, the journaled call) -> the call to send now.
Builder = Callable[[Any, Call], Call]


class EffectCheck(Protocol):
    """What only the contracts know about a write; the journal is given one (see
    `registry.contracts.effects`) and knows no contract itself."""

    def done(self, sender: str, call: Call) -> bool | None:
        """Whether `call`'s effect is on-chain, from contract state; None when it cannot tell."""

    def refused_as_done(self, sender: str, call: Call, error: str | None) -> bool:
        """Whether a *resubmission* refused with contract error `error` means it is done."""

    def still_to_change(self, sender: str, call: Call) -> Call:
        """`call` narrowed to what is not yet on-chain (as is when all of it, or when unknown)."""

    def changes(self, call: Call) -> int | None:
        """The resource (a status list) `call` changes, for batches whose later steps depend on it."""

    def publishes(self, call: Call) -> int | None:
        """The resource a publication intent publishes (skipped when no change of its batch to it landed)."""


class NoEffects:
    """The effect check that knows nothing: every write is sent until its receipt says otherwise."""

    def done(self, sender: str, call: Call) -> bool | None:
        return None

    def refused_as_done(self, sender: str, call: Call, error: str | None) -> bool:
        return False

    def still_to_change(self, sender: str, call: Call) -> Call:
        return call

    def changes(self, call: Call) -> int | None:
        return None

    def publishes(self, call: Call) -> int | None:
        return None


# A node's refusal because another transaction of the account holds the nonce (geth, anvil, Besu,
# Nethermind wordings): re-signed with a fresh nonce, this many times at most.
_NONCE_TAKEN = ("nonce too low", "replacement transaction underpriced", "replacement_underpriced", "nonce_too_low",
                "oldnonce", "replacementnotallowed")  # fmt: skip
_NONCE_RETRIES = 3


def _nonce_taken(reason: str) -> bool:
    text = reason.lower().replace(" ", "")
    return any(marker.replace(" ", "") in text for marker in _NONCE_TAKEN)


class TxManager:
    """Writes for one chain (one deployment), journaled."""

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

    # -- sending --------------------------------------------------------------------------------

    def _sign_and_record(self, account: LocalAccount, op_id: str, call: Call) -> tuple[str, str]:
        """Pick a nonce no other writer holds, sign, and record the signed bytes before any broadcast."""
        tx = self.client.build_transaction(account.address, call, nonce=0)
        with self.journal.write() as db:
            node_nonce = int(self.client.request("eth_getTransactionCount", [account.address, "pending"]), 16)
            journal_nonce = self.journal.highest_nonce(db, account.address, self.deployment)
            nonce = max(node_nonce, (journal_nonce + 1) if journal_nonce is not None else 0)
            tx["nonce"] = nonce
            tx.pop("from", None)
            signed = account.sign_transaction(tx)
            tx_hash = "0x" + bytes(signed.hash).hex()
            raw = "0x" + bytes(signed.raw_transaction).hex()
            db.execute(
                "UPDATE operations SET state = 'sent', nonce = ?, tx_hash = ?, raw_tx = ?, args = ?, updated = ?"
                " WHERE id = ?",
                (nonce, tx_hash, raw, json.dumps(_encode(call.args)), time.time(), op_id),
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
            time.sleep(0.05)
        raise ChainUnavailable(f"transaction {tx_hash} not confirmed within {timeout_s:.0f} s; the journal keeps it")

    def _failed(self, op: Operation, exc: Exception, *, block: int | None = None, note: str | None = None) -> Exception:
        """Mark `op` failed (never sent again unasked). Holder files it covers describe a credential
        nobody could verify: they are removed, and the error says so."""
        text = note or str(exc)
        removed = _remove_files(op.files) if op.files else []
        if op.files:
            text += f"; nothing was anchored and the {_files(len(removed))} written were removed"
        self.journal.update(op.id, state="failed", error=text, **({"block": block} if block is not None else {}))
        if op.files and isinstance(exc, TransactionRefused | TransactionReverted):
            return type(exc)(f"{exc}; nothing was anchored and the {_files(len(removed))} written were removed")
        return exc

    def submit(self, account: LocalAccount, call: Call) -> dict[str, Any]:
        """Journal, sign, send and confirm one write; returns its receipt (raw JSON-RPC fields).

        The first write of a sender in this process reconciles what earlier runs left behind; later
        writes do not re-read the recent history (`reconcile()` can always be called explicitly).
        """
        problem = _unencodable(call)
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
            problem = None if intent else _unencodable(call)
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
                raise ChainUnavailable(f"{exc}; {_kept(op.files)}") from exc
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
                    raise ChainUnavailable(f"{exc}; {_kept(op.files)}") from exc
                raise
        crash_point("after-send")
        try:
            receipt = self._await(op, tx_hash)
        except ChainUnavailable as exc:
            if op.files:
                raise ChainUnavailable(f"{exc}; {_kept(op.files)}") from exc
            raise
        crash_point("after-receipt")
        return receipt

    # -- reconciliation ----------------------------------------------------------------------

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
            try:
                actions.extend(self._reconcile_one(account, op, identity, latest))
            except (TransactionRefused, TransactionReverted) as exc:
                actions.append(f"{name}: failed ({exc})")
        return actions

    def _reconcile_one(self, account: LocalAccount, op: Operation, identity: Any, latest: int) -> list[str]:
        sender = account.address
        name = f"{op.call.function} {op.id[:8]}"
        problem = None if op.intent else _unencodable(op.call)
        if problem:  # recorded by an older version that journaled before checking: never sendable
            self.journal.update(op.id, state="failed", error=problem)
            return [f"{name}: cannot be sent ({problem}); marked failed"]
        if op.intent and (identity is None or op.intent not in self.builders):
            return [f"{name}: waits for the issuer's key (`registry journal reconcile --issuer NAME`)"]
        if (op.owner_pid, op.owner_start) != self._me:  # taken over: a process killed now leaves it to the next
            self.journal.update(op.id, owner_pid=self._me[0], owner_start=self._me[1])
        done = self.effects.done(sender, op.call)
        if done:
            self.journal.update(op.id, state="confirmed", block=latest)
            return [f"{name}: already on-chain"]
        if op.files is not None and op.files_state != "written":
            if not _files_complete(op):
                removed = _discard_partial(op.files)
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
        # signed again from the chain as it is now).
        self.journal.update(op.id, state="intended", nonce=None, tx_hash=None, raw_tx=None)
        self._drive(account, self.journal.get(op.id), resubmission=True, identity=identity)
        covers = f" (anchors {op.files.describe()})" if op.files else ""
        return [*narrowing, f"{name}: sent again{covers}"]


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def _kept(files: Files) -> str:
    return (
        f"{_files(len(files.paths))} kept ({files.describe()}): the journal sends the anchor again on this issuer's "
        "next write or `registry journal reconcile`"
    )


def _files_complete(op: Operation) -> bool:
    """Were the holder files of `op` completely written? (They are written whole, then renamed.)"""
    from registry.formats.credential import credential_hash, load_holder_file

    files = op.files
    assert files is not None
    expected = bytes(op.call.args[0]) if op.call.args and isinstance(op.call.args[0], bytes) else None
    try:
        if files.directory:
            if files.staging and Path(files.staging).exists():
                return False
            first = Path(files.paths[0])
            holder = load_holder_file(first.read_bytes(), str(first))
            return holder.cohort is not None and holder.cohort.root == expected
        path = Path(files.paths[0])
        holder = load_holder_file(path.read_bytes(), str(path))
        return credential_hash(holder.credential) == expected
    except (OSError, InputError, IndexError):
        return False


def _discard_partial(files: Files) -> str:
    """Remove what a writer killed mid-write left: its staging directory, its temporary file."""
    removed = []
    if files.staging and Path(files.staging).exists():
        shutil.rmtree(files.staging, ignore_errors=True)
        removed.append(f"the staging directory {files.staging}")
    if not files.directory:
        for path in (Path(p) for p in files.paths):
            for tmp in path.parent.glob(f".{path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    removed.append(f"the temporary file {tmp}")
    return ", ".join(removed)


def _remove_files(files: Files) -> list[str]:
    removed = []
    for raw in files.paths:
        with contextlib.suppress(FileNotFoundError, OSError):
            Path(raw).unlink()
            removed.append(raw)
    if files.staging:
        shutil.rmtree(files.staging, ignore_errors=True)
    if files.directory and files.created_directory:
        with contextlib.suppress(OSError):
            Path(files.directory).rmdir()  # only if empty
    return removed
