"""Status-list index allocation, kept by the issuer in the journal's database.

Indexes are random, not sequential, so a credential's position tells nothing about when it was
issued or who was issued next to it. They are random *within a region* of the list, though:
a cohort gets its own run of 224-entry words and a random subset of positions in it, and single
credentials draw from a shared pool of words. Revoking a whole cohort then touches a handful of
storage words (≈ N/224) instead of one fresh word per credential, which is what keeps bulk
revocation near 100 gas per credential.

Why in the journal's SQLite database: two processes of one issuer used to read a JSON file at
start and write it at the end, so both handed out the same entries, and revoking one credential
revoked another. Now each allocation is one exclusive SQLite transaction (`BEGIN IMMEDIATE`) that
reads the allocator's row, inserts every entry it hands out into `status_entries`, whose primary
key (account, list, index) makes a second hand-out of one entry impossible whatever runs at once
or dies when, and moves the allocator on. The entries carry the batch id of the journal row that
will anchor them; an entry whose process died before that row was written is never handed out
again (a harmless gap).

An issuer's earlier per-identity file (`<home>/state/<identity>/status-allocation.json`) is
imported once, then renamed `status-allocation.json.imported`. Beside it,
`status-allocation.journal.json` records which journal holds the allocations and the highest list
number begun: should the journal be lost or replaced, allocation continues on the next list,
never on entries that may already be held.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from registry.chain.txmanager import Journal
from registry.contracts.statusword import BITS_PER_WORD, WORDS_PER_LIST
from registry.errors import InputError, StateError

POOL_WORDS = 16  # a pool of 3,584 entries for credentials issued one by one
LEGACY_FILE = "status-allocation.json"
MARKER_FILE = "status-allocation.journal.json"


class StatusAllocator:
    def __init__(
        self, journal: Journal, account: str, state_dir: Path, *, say: Callable[[str], None] | None = None
    ) -> None:
        """`state_dir` is the identity's own directory (`<home>/state/<identity>`)."""
        self.journal = journal
        self.account = account
        self.state_dir = state_dir
        self.say = say

    # -- the allocator's row -------------------------------------------------------------------

    def _load(self, db: sqlite3.Connection) -> dict[str, Any]:
        row = db.execute(
            "SELECT list, next_word, pool_list, pool_start FROM allocators WHERE account = ?", (self.account,)
        ).fetchone()
        if row is not None:
            return self._checked(row)
        state = self._imported(db) or self._after_lost_journal() or {"list": 1, "next_word": 0}
        state.setdefault("pool_list", None)
        state.setdefault("pool_start", None)
        db.execute(
            "INSERT INTO allocators (account, list, next_word, pool_list, pool_start) VALUES (?, ?, ?, ?, ?)",
            (self.account, state["list"], state["next_word"], state["pool_list"], state["pool_start"]),
        )
        return state

    def _checked(self, row: tuple[Any, ...]) -> dict[str, Any]:
        """The allocator's row as this version wrote it, or a one-line refusal: a value out of place
        (SQLite keeps whatever it is given) must never hand out an entry, or send a list number no
        contract call can carry."""
        state = {"list": row[0], "next_word": row[1], "pool_list": row[2], "pool_start": row[3]}

        def whole(value: Any, least: int, most: int | None = None) -> bool:
            fits = isinstance(value, int) and not isinstance(value, bool) and value >= least
            return fits and (most is None or value <= most)

        pool_ok = (state["pool_list"] is None and state["pool_start"] is None) or (
            whole(state["pool_list"], 1) and whole(state["pool_start"], 0, WORDS_PER_LIST * BITS_PER_WORD)
        )
        if not (whole(state["list"], 1, 2**32 - 1) and whole(state["next_word"], 0, WORDS_PER_LIST) and pool_ok):
            raise StateError(
                f"the status allocation in the journal {self.journal.path} is damaged (list {state['list']!r:.20}, "
                f"word {state['next_word']!r:.20}): restore the journal from a backup; nothing was issued"
            )
        return state

    def _imported(self, db: sqlite3.Connection) -> dict[str, Any] | None:
        """The earlier per-identity JSON file, read into this transaction (used entries included)."""
        legacy = self.state_dir / LEGACY_FILE
        if not legacy.exists():
            return None
        damaged = (
            f"the status allocation file {legacy} is damaged: restore it from a backup (issuing without it could "
            "hand out status entries that credentials already hold)"
        )
        try:
            data = json.loads(legacy.read_text())
            state = {"list": int(data["list"]), "next_word": int(data["nextWord"])}
            pool = data.get("pool")
            if pool is not None:
                state["pool_list"], state["pool_start"] = int(pool["list"]), int(pool["start"])
                used = [int(i) for i in pool["used"]]
                db.executemany(
                    "INSERT OR IGNORE INTO status_entries (account, list, idx, batch, created) VALUES (?, ?, ?, ?, ?)",
                    [(self.account, state["pool_list"], i, "imported", time.time()) for i in used],
                )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(damaged) from exc
        if not (state["list"] >= 1 and 0 <= state["next_word"] <= WORDS_PER_LIST):
            raise StateError(damaged)
        return state

    def _after_lost_journal(self) -> dict[str, Any] | None:
        """This journal has no allocator for the account, yet a marker says another journal did:
        continue on a list nobody has used."""
        marker = self.state_dir / MARKER_FILE
        if not marker.exists():
            return None
        try:
            data = json.loads(marker.read_text())
            highest = int(data["highest_list"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StateError(
                f"the status allocation marker {marker} is damaged: restore it from a backup, or remove it only if "
                f"this identity never issued a credential"
            ) from exc
        if self.say is not None:
            self.say(
                f"status allocations of this issuer were recorded in another journal ({data.get('journal')}); "
                f"continuing on list {highest + 1} so that no entry is handed out twice"
            )
        return {"list": highest + 1, "next_word": 0}

    def _mark(self, list_number: int) -> None:
        """Record the highest list begun, before the transaction that begins it commits."""
        from registry.durable import write_json_atomic

        marker = self.state_dir / MARKER_FILE
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            if int(json.loads(marker.read_text())["highest_list"]) >= list_number:
                return
        try:
            write_json_atomic(
                marker,
                {"journal": str(self.journal.path), "journal_id": self.journal.journal_id, "highest_list": list_number},
                mode=0o600,
            )
        except OSError as exc:
            raise StateError(f"cannot write {marker}: {exc.strerror}; no status entry was handed out") from exc

    def _finish_import(self) -> None:
        legacy = self.state_dir / LEGACY_FILE
        if legacy.exists():
            from registry.durable import rename_durably

            with contextlib.suppress(OSError):
                rename_durably(legacy, legacy.with_name(LEGACY_FILE + ".imported"))

    def _save(self, db: sqlite3.Connection, state: dict[str, Any]) -> None:
        self._mark(int(state["list"]))
        db.execute(
            "UPDATE allocators SET list = ?, next_word = ?, pool_list = ?, pool_start = ? WHERE account = ?",
            (state["list"], state["next_word"], state["pool_list"], state["pool_start"], self.account),
        )

    @staticmethod
    def _take_words(state: dict[str, Any], count: int) -> tuple[int, int]:
        """Reserve `count` fresh words; moves to the next list when this one is full."""
        if count > WORDS_PER_LIST:
            raise InputError(f"a cohort of more than {WORDS_PER_LIST * BITS_PER_WORD} credentials must be split")
        if state["next_word"] + count > WORDS_PER_LIST:
            state["list"] += 1
            state["next_word"] = 0
            state["pool_list"] = state["pool_start"] = None
        start = int(state["next_word"])
        state["next_word"] = start + count
        return int(state["list"]), start

    def _hand_out(self, db: sqlite3.Connection, number: int, indexes: list[int], batch: str) -> None:
        now = time.time()
        try:
            db.executemany(
                "INSERT INTO status_entries (account, list, idx, batch, created) VALUES (?, ?, ?, ?, ?)",
                [(self.account, number, i, batch, now) for i in indexes],
            )
        except sqlite3.IntegrityError as exc:  # the schema refusing a second hand-out
            raise StateError(
                f"the status allocation in the journal {self.journal.path} is inconsistent (an entry of list {number} "
                "was already handed out); nothing was issued"
            ) from exc

    # -- allocation ----------------------------------------------------------------------------

    def allocate_cohort(self, size: int, batch: str = "unbatched") -> tuple[int, list[int]]:
        """(list number, one random distinct index per credential) for a cohort."""
        if size < 1:
            raise InputError("a cohort needs at least one credential")
        words = -(-size // BITS_PER_WORD)
        with self.journal.write() as db:
            state = self._load(db)
            number, start = self._take_words(state, words)
            region = range(start * BITS_PER_WORD, (start + words) * BITS_PER_WORD)
            indexes = secrets.SystemRandom().sample(region, size)
            self._hand_out(db, number, indexes, batch)
            self._save(db, state)
        self._finish_import()
        return number, indexes

    def allocate_single(self, batch: str = "unbatched") -> tuple[int, int]:
        """(list number, a random unused index in the pool for single credentials)."""
        capacity = POOL_WORDS * BITS_PER_WORD
        with self.journal.write() as db:
            state = self._load(db)
            used: set[int] = set()
            if state["pool_list"] is not None and state["pool_list"] == state["list"]:
                start = int(state["pool_start"])
                used = {
                    int(r[0])
                    for r in db.execute(
                        "SELECT idx FROM status_entries WHERE account = ? AND list = ? AND idx >= ? AND idx < ?",
                        (self.account, state["pool_list"], start, start + capacity),
                    )
                }
            if state["pool_list"] is None or state["pool_list"] != state["list"] or len(used) >= capacity:
                number, word = self._take_words(state, POOL_WORDS)
                state["pool_list"], state["pool_start"] = number, word * BITS_PER_WORD
                used = set()
            rng = secrets.SystemRandom()
            while True:
                index = int(state["pool_start"]) + rng.randrange(capacity)
                if index not in used:
                    break
            self._hand_out(db, int(state["pool_list"]), [index], batch)
            self._save(db, state)
        self._finish_import()
        return int(state["pool_list"]), index
