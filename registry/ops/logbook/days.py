"""A day's anchor, written so that a process killed at any point, or a second process of the same
provider, loses and doubles nothing (`Provider.anchor_day`, `registry logbook anchor`, the
provider's `logbook sync`, and a day sent through the service, relay.py).

The order, all under the provider's writer lock: the status entries allocated; the day's record
written whole (`<state>/<provider>/logbook-days/<batch>.json`: the root, and every entry's file with
its anchor and where it goes); then the journal row; the transaction; and only once it is confirmed,
each entry's file written (a temporary file renamed) and the record removed. An entry file therefore
never names a root that is not on-chain, and a root is never sent that nobody holds the proofs of.

What a killed run left is finished by the provider's next `logbook anchor` or `logbook sync`
(`finish`), after the journal has reconciled its rows: a record whose root is on-chain has its
files written (those already there are left as they are); a record whose row is still pending
holds its entries back (they are not anchored again); any other record (its row was never
recorded, or failed) is removed, and its entries are anchored afresh (its status entries stay
unused, a harmless gap).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from registry.chain.txmanager import crash_point
from registry.durable import discard_temporaries, remove_durably, write_json_atomic
from registry.errors import ChainUnavailable, InputError, StateError, TransactionRefused, TransactionReverted
from registry.files import MIB, read_capped
from registry.formats import jwt, safejson
from registry.formats.logbook import EntryFile, Programme, day_leaf, entry_date
from registry.formats.logbook.records import LEAF_ENCODING
from registry.formats.merkle import StandardMerkleTree
from registry.ops.issuance import Issuer

DAY_RECORD = "registry-logbook-day/1"
FOLDER = "logbook-days"


@dataclass(frozen=True)
class Day:
    """One day's anchor as the provider records it before the transaction."""

    path: Path  # the record itself
    root: str  # 0x-hex
    list_number: int
    entries: tuple[tuple[Path | None, EntryFile], ...]  # where each anchored file goes, and the file

    def to_json(self) -> dict[str, Any]:
        return {"format": DAY_RECORD, "root": self.root, "list": self.list_number,
                "entries": [{"path": str(p) if p is not None else None, "file": f.to_json()}
                            for p, f in self.entries]}  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> Day:
        data = safejson.loads(read_capped(path, 256 * MIB, str(path)), str(path))
        damaged = InputError(f"{path} is not a logbook day record ({DAY_RECORD}): move it aside")
        if not isinstance(data, dict) or data.get("format") != DAY_RECORD or not isinstance(data.get("entries"), list):
            raise damaged
        root, number = data.get("root"), data.get("list")
        if not (isinstance(root, str) and re.fullmatch(r"0x[0-9a-f]{64}", root) and isinstance(number, int)):
            raise damaged
        if not all(isinstance(e, dict) and isinstance(e.get("path"), str | None) for e in data["entries"]):
            raise damaged
        entries = tuple(
            (Path(e["path"]) if e.get("path") is not None else None, EntryFile.from_json(e.get("file"), str(path)))
            for e in data["entries"]
        )
        return cls(path, root, number, entries)

    @property
    def ids(self) -> set[str]:
        return {f.id for _, f in self.entries}


def folder_of(issuer: Issuer) -> Path:
    return issuer.settings.state_dir / issuer.identity.name / FOLDER


def anchor(
    issuer: Issuer, files: Sequence[EntryFile], where: Callable[[EntryFile], Path] | None,
    drive: Callable[[list[str]], object] | None = None,
) -> bytes:  # fmt: skip
    """`Provider.anchor_day` (see the module's docstring): countersigned, unanchored `files` as one
    root; each of them gets its anchor once the root is confirmed. `drive` sends the journal's row
    another way than the provider's node (ops/logbook/relay.py: through the service)."""
    if not files:
        raise InputError("no countersigned entries to anchor")
    for f in files:
        if f.countersignature is None or f.authorisation is None:
            raise InputError(f"entry {f.id} is not countersigned yet: `registry logbook sign` it first")
        if f.anchor is not None:
            raise InputError(f"entry {f.id} is anchored already")
    account = issuer.identity.account
    with issuer.writing():
        held = finish(issuer)  # an earlier run's day first: its entries are not anchored twice
        for f in files:
            if f.id in held:
                raise InputError(f"entry {f.id} is anchored already, or waits for an earlier run's root to be sent")
        batch = str(uuid.uuid4())
        number, indexes = issuer.allocator.allocate_cohort(len(files), batch)
        crash_point("after-allocation")
        values = [day_leaf(f.entry, str(f.countersignature), number, i) for f, i in zip(files, indexes, strict=True)]
        tree = StandardMerkleTree.of(values, LEAF_ENCODING)
        anchored = [
            EntryFile(f.entry, f.countersignature, f.authorisation,
                      {"root": tree.root, "proof": tree.get_proof(n), "list": number, "index": index})
            for n, (f, index) in enumerate(zip(files, indexes, strict=True))
        ]  # fmt: skip
        day = None
        if where is not None:  # the record, before any row names the root
            day = Day(folder_of(issuer) / f"{batch}.json", tree.root, number,
                      tuple((where(f), a) for f, a in zip(files, anchored, strict=True)))  # fmt: skip
            write_json_atomic(day.path, day.to_json(), mode=0o600)
            crash_point("after-files")
        root = bytes.fromhex(tree.root[2:])
        op_ids = issuer.tx.record(account, [(issuer.registry.credentials.anchor_cohort(root, len(files)), None)],
                                  batch=batch)  # fmt: skip
        crash_point("after-row")
        _send(issuer, op_ids, day, drive)
        for f, done in zip(files, anchored, strict=True):
            f.anchor = done.anchor
        if day is not None:
            _complete(day)
        issuer.publish_new_lists(number)
    return root


def _send(issuer: Issuer, op_ids: list[str], day: Day | None, drive: Callable[[list[str]], object] | None) -> None:
    try:
        if drive is not None:
            drive(op_ids)
        else:
            issuer.tx.drive(issuer.identity.account, op_ids, issuer.identity)
    except (TransactionRefused, TransactionReverted):
        if day is not None:  # never anchored, never will be: the entries stay as they were
            remove_durably(day.path)
        raise
    except ChainUnavailable as exc:
        if day is None:
            raise
        raise ChainUnavailable(
            f"{exc}; the day's root is kept in the journal: run the same `registry logbook anchor` (or "
            "`logbook sync`, or `registry journal reconcile --issuer NAME`) again to send it and write the "
            "entries' anchors"
        ) from exc


def _load_entry(path: Path) -> EntryFile | None:
    """The entry file at `path`; None when there is none (or something else is there)."""
    try:
        return EntryFile.from_json(safejson.loads(read_capped(path, 4 * MIB, str(path)), str(path)), str(path))
    except InputError:
        return None


def _complete(day: Day) -> list[str]:
    """Write each entry's file of a day whose root is on-chain, then remove its record; the notes
    about files that could not take their anchor."""
    notes = []
    for n, (path, anchored) in enumerate(day.entries):
        if n == 1:
            crash_point("during-files")
        if path is None:
            continue
        discard_temporaries(path)  # a writer of this file killed mid-write
        current = _load_entry(path) if path.exists() else None  # entry files are renamed whole, never half
        if current is not None and current.id == anchored.id and current.anchor is not None:
            if current.anchor != anchored.anchor:
                notes.append(f"entry {anchored.id} in {path} has another anchor already; left as it is")
            continue
        try:
            write_json_atomic(path, anchored.to_json())
        except OSError as exc:  # the root is on-chain: the record keeps what is still to write
            raise StateError(
                f"cannot write {path}: {exc.strerror or exc}; the day's root {day.root} is anchored and {day.path} "
                "keeps its entry files: run the same `registry logbook anchor` (or `logbook sync`) again once "
                "it can be written"
            ) from exc
    remove_durably(day.path)
    return notes


def finish(issuer: Issuer) -> set[str]:
    """Finish what killed runs left (module docstring); call under the provider's writer lock, after
    the journal reconciled. The ids of the entries no new anchor may take: those of a day still
    waiting for its transaction, and those just completed."""
    folder = folder_of(issuer)
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for stale in folder.glob(".*.tmp") if folder.is_dir() else []:
        with contextlib.suppress(OSError):  # a record never completely written: nothing names it
            stale.unlink()
    if not paths:
        return set()
    account, registry, say = issuer.identity.account.address, issuer.registry, issuer.tx.say
    waiting = {bytes(op.call.args[0]) for op in issuer.tx.journal.pending(account)  # rows sent here, in time
               if op.call.function == "anchorCohort" and op.deployment == issuer.tx.deployment}  # fmt: skip
    held: set[str] = set()
    for path in paths:
        day = Day.load(path)
        root = bytes.fromhex(day.root[2:])
        if int(registry.client.call(registry.credentials.anchor_of(account, root))[0][1]):
            for note in _complete(day):
                say(f"logbook: {note}")
            say(f"logbook: the day anchored under root {day.root} by an earlier run: its "
                f"{len(day.entries)} entry file(s) written")  # fmt: skip
            issuer.publish_new_lists(day.list_number)
        elif root in waiting:
            say(f"logbook: {len(day.entries)} entry file(s) wait for root {day.root}, still pending in the journal "
                "(`registry journal status`)")  # fmt: skip
        else:
            remove_durably(path)
            say(f"logbook: an earlier run's day (root {day.root}) was never anchored: its entries are anchored anew")
            continue
        held |= day.ids
    return held


@dataclass(frozen=True)
class Anchoring:
    """What `anchor_logbooks` did: the root (None: nothing anchored), entries anchored, entries held
    back for an earlier run's root still pending, entries not countersigned, entries in all, and
    entries held back because they are dated after the chain's day (`dated_ahead`)."""

    root: bytes | None
    anchored: int
    waiting: int
    unsigned: int
    entries: int
    ahead: int = 0


def dated_ahead(entry: EntryFile, now: int) -> bool:
    """Whether `entry` is dated after the UTC day of `now` (the chain's latest block time). Such an
    entry (a learner east of UTC records her day, which `logbook add` allows up to tomorrow) anchored
    now would be dated after its anchor, which every verifier reports not valid for good: it waits
    for an anchor on or after its day."""
    try:
        return entry_date(jwt.parse(entry.entry).payload.get("date")) > now
    except InputError:
        return False  # an undated entry is the verifier's to report


class Book(Protocol):
    """A learner's logbook directory (ops/logbook/book.py's `Logbook`), as anchoring reads it."""

    directory: Path
    programme: Programme

    def entries(self) -> list[EntryFile]: ...

    def path_of(self, entry: EntryFile) -> Path: ...


def anchor_logbooks(issuer: Issuer, books: Sequence[Book]) -> Anchoring:
    """`registry logbook anchor`: under the provider's writer lock, what killed runs left finished
    first, then every countersigned, unanchored entry of `books` (read now, under the lock: a second
    process waits, then finds them anchored) anchored as one root, each file written in its logbook.
    Only the provider of a logbook's programme anchors its entries (a verifier looks for the day root in
    that provider's anchors): another's logbook is refused before anything is written or sent."""
    for book in books:
        if book.programme.provider != issuer.identity.did:
            raise InputError(f"{book.directory} is a logbook of {book.programme.ref}, which another provider published "
                             f"({book.programme.provider}): only that provider anchors its entries")  # fmt: skip
    with issuer.writing():
        held = finish(issuer)
        files = [(b, f) for b in books for f in b.entries()]
        unanchored = [(b, f) for b, f in files if f.countersignature is not None and f.anchor is None]
        now = issuer.registry.block_timestamp()
        early = [(b, f) for b, f in unanchored if f.id not in held and dated_ahead(f, now)]
        pending = [(b, f) for b, f in unanchored if f.id not in held and not dated_ahead(f, now)]
        unsigned = sum(1 for _, f in files if f.countersignature is None)
        root = None
        if pending:
            owners = {id(f): book for book, f in pending}
            root = anchor(issuer, [f for _, f in pending], lambda f: owners[id(f)].path_of(f))
    waiting = len(unanchored) - len(pending) - len(early)
    return Anchoring(root, len(pending), waiting, unsigned, len(files), len(early))
