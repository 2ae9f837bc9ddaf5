"""The journal's database: one SQLite file per local state directory (WAL, `synchronous=FULL`,
safe across processes), its schema and its upgrades, and the rows of `operations` read and written.

Faults of the journal itself (a full disk, a read-only or damaged file) are `StateError`s naming
the file; a damaged journal is detected at open (`PRAGMA quick_check`, and a journal is never
an empty file: it is created whole under a temporary name), so it is never read as empty.
The same database holds the status-entry allocation (`registry/ops/allocation.py`), whose tables
are created here with the rest.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from registry import durable
from registry.chain import writer
from registry.chain.client import Call
from registry.chain.txmanager.rows import Files, Operation, args_json, decode_value
from registry.errors import InputError, StateError

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
        return StateError(
            f"cannot write the journal {path} (disk I/O error: a full or failing disk?): free some space or check "
            "the disk, then run the command again (`registry journal status` shows anything left unfinished)"
        )
    if "no such column" in text or "no such table" in text or "has no column" in text:
        return StateError(
            f"the journal {path} is not laid out as a registry journal ({exc}): restore it from a backup, or move "
            "it aside to start a new one (the writes it held as pending are then no longer sent)"
        )
    if "unable to open" in text and path.exists() and not os.access(path, os.R_OK):
        return _not_yours(path)
    if "unable to open" in text:
        return StateError(f"cannot open the journal {path}: check that its directory exists and is writable")
    return StateError(f"the journal {path} could not be used: {exc}")


def _not_yours(path: Path) -> StateError:
    """A journal this user may not read (its mode or owner changed: a copy made as another user, a chmod)."""
    return StateError(
        f"the journal {path} may not be read by this user (permission denied): give it back to the home's owner "
        "with mode 600, or run the command as the user who owns it (`ls -l` shows its owner and mode)"
    )


def _whole(value: Any) -> int | None:
    """A column that holds a whole number or nothing (SQLite keeps whatever it was given)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"{value!r} where a whole number belongs")


def _hash(value: Any) -> str | None:
    """A transaction hash column: 0x and 64 hex digits, or nothing."""
    if value is None or (isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{64}", value)):
        return value
    raise ValueError(f"{str(value)[:20]!r} where a transaction hash belongs")


class Journal:
    """The SQLite journal (one file per local state directory; WAL mode, safe across processes).

    `read_only` opens it without writing anything (for `journal status` on a read-only home).
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.note: str | None = None  # said by `journal status` when it could not read everything
        if path.is_dir():
            raise StateError(f"{path} is a directory, not a journal: move it aside (the next write makes a journal)")
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
        elif not os.access(path, os.R_OK):
            raise _not_yours(path)
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
        never an empty file, so an empty or truncated one is damage, never "no writes yet". The
        file and then its directory are flushed to the disk (registry/durable.py); SQLite flushes
        every commit after that (`synchronous=FULL`) and the directory when it makes the WAL file."""
        tmp = path.with_name(f".{path.name}.new-{uuid.uuid4().hex[:8]}")
        try:
            db = sqlite3.connect(tmp, isolation_level=None)
            try:
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                for name, kind in _ADDED:
                    db.execute(f"ALTER TABLE operations ADD COLUMN {name} {kind}")
                db.execute("INSERT INTO meta VALUES ('journal_id', ?), ('version', '2')", (str(uuid.uuid4()),))
            finally:
                db.close()
            os.chmod(tmp, 0o600)
            durable.sync_file(tmp)
            with contextlib.suppress(FileExistsError):  # another process created it meanwhile: theirs is used
                os.link(tmp, path)
            durable.sync_directory(path.parent)
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
            raise StateError(
                f"{self.path} is not a registry journal (it has no operations table): put the home's journal "
                "back, or move this file aside (the next write makes a journal)"
            )
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
                    (op_id, sender, call.contract, call.address, call.function, args_json(call.args),
                     now, now, batch, seq, pid, start, deployment, intent,
                     files.to_json() if files and seq == 0 else None,
                     "writing" if files and seq == 0 else None),
                )  # fmt: skip
        return ids

    def update(self, op_id: str, **fields: Any) -> None:
        fields["updated"] = time.time()
        if "args" in fields:
            fields["args"] = args_json(fields["args"])
        columns = ", ".join(f"{k} = ?" for k in fields)
        with self.write() as db:
            db.execute(f"UPDATE operations SET {columns} WHERE id = ?", (*fields.values(), op_id))

    def _row(self, row: tuple[Any, ...]) -> Operation:
        (op_id, sender, contract, address, function, args, state, nonce, tx_hash, raw_tx, block, error,
         batch, seq, owner_pid, owner_start, deployment, intent, files, files_state, created) = row  # fmt: skip
        try:  # the file is sound (quick_check) but a value in it is not what this version wrote
            call = Call(address, contract, function, tuple(decode_value(json.loads(args))))
            return Operation(
                op_id, sender, call, state, _whole(nonce), _hash(tx_hash), raw_tx, _whole(block), error, batch,
                int(seq or 0), _whole(owner_pid), owner_start, deployment, intent, Files.from_json(files),
                files_state, float(created),
            )  # fmt: skip
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise StateError(
                f"the journal {self.path} holds a damaged row (operation {str(op_id)[:36]}: {str(exc)[:80]}): keep a "
                "copy, restore it from a backup, or move it aside to start a new one (the writes it held as pending "
                "are then no longer sent)"
            ) from None

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
