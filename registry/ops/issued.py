"""What an issuer issued, revoked, suspended and reinstated, from its own records.

Every `registry issue` and status change appends one line per credential to
<home>/issued/<issuer identity name>.jsonl (JSON Lines, 0600), after the chain confirmed it: the
credential's hash, its holder (DID and the name the credential gives), what it certifies, its
status entries, the file written, the block. `registry issued --issuer NAME` folds those lines
into each credential's state now, by holder name; with a chain, it reads every credential's
status bits (one call) and says where the records and the chain differ (a change made from
another home, or a record lost when a command was killed after the chain confirmed it). An
`issued` line lost that way is recovered from the journal's confirmed anchor and the holder files
it names, where they still are (`recover_from_journal`: paths as the command was given them).

Nothing here is needed to verify anything: the chain is the registry; these records are the
issuer's own book of who got what.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry import durable
from registry.contracts.statusword import Purpose, bit_of, first_entry, word_of
from registry.errors import InputError, StateError
from registry.files import read_capped
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.certified import certified
from registry.ops.roster import folded
from registry.ops.statusentries import own_status_entry
from registry.text import named_did

MAX_RECORDS_BYTES = 256 * 1024 * 1024
_STATE_OF = {"revoked": "revoked", "suspended": "suspended", "reinstated": "active"}


def records_path(home: Path, issuer_name: str) -> Path:
    return home / "issued" / f"{issuer_name}.jsonl"


def _vc(token: str) -> Any:
    payload = jwt.parse(token).payload
    claim = payload.get("vc")
    return claim if isinstance(claim, dict) else payload


def holder_of(token: str) -> tuple[str | None, str | None, str | None]:
    """(holder DID, holder name, achievement name) a credential states; None where it does not."""
    try:
        what = certified(_vc(token))
    except InputError:
        return None, None, None
    return what["holder"]["did"], what["holder"]["name"], what["name"]


def whose(token: str) -> str:
    """A credential's holder as a person reads it: her name (and DID, shortened) where the
    credential gives it, and what it certifies."""
    did, name, achievement = holder_of(token)
    who = named_did(did, name, "an unknown holder")
    return f"{who}: {achievement}" if achievement else who


def _append(path: Path, lines: Iterable[dict[str, Any]], done: str, then: str) -> None:
    """Append whole lines, or none: a write the disk stops part way (a full disk: `os.write` writes what
    fits and says how much) is cut back, so the records never end in half a line (which every later
    `issued` refused as damage, and the next append glued to). `done`: what the command did that these
    lines record, and `then` what to do, said in the one-line error."""
    text = "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in lines)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        new = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)  # read: a torn last line
    except OSError as exc:
        raise _not_recorded(path, exc, done, then) from exc
    try:
        start = _whole_lines_end(fd)
        try:
            os.ftruncate(fd, start)  # a torn last line an older version left: never completely written
            data = memoryview(text.encode("utf-8"))
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
                os.fsync(fd)
            raise _not_recorded(path, exc, done, then) from exc
    finally:
        os.close(fd)
    if new:  # its name, too, must survive a power loss (registry/durable.py)
        durable.sync_directory(path.parent)


def _whole_lines_end(fd: int) -> int:
    """Where the records' whole lines end: the file's size, less a last line without its line end that
    is not a record (a write cut short); a whole record left without its line end gets one."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return size
    start, end = 0, size
    while end > 0:  # the last line's start: after the last line end
        begin = max(0, end - 65536)
        at = os.pread(fd, end - begin, begin).rfind(b"\n")
        if at >= 0:
            start = begin + at + 1
            break
        end = begin
    try:
        json.loads(os.pread(fd, size - start, start))
    except ValueError:
        return start
    os.write(fd, b"\n")
    return size + 1


def _not_recorded(path: Path, exc: OSError, done: str, then: str) -> StateError:
    why = exc.strerror or str(exc)
    return StateError(f"cannot write {path}: {why}; {done}, but this home's record of it was not written: {then}")


def record_issued(
    home: Path, identity: Any, files: Sequence[tuple[vcfmt.HolderFile, str | None]], block: int | None
) -> None:
    """Append an `issued` line for each (holder file, path written) of `identity`'s."""
    now = int(time.time())
    account = identity.account.address
    lines = []
    for holder_file, path in files:
        did, name, achievement = holder_of(holder_file.credential)
        entries: dict[str, list[int] | None] = {}
        for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION):
            try:
                entries[purpose.label] = list(own_status_entry(holder_file.credential, identity.did, account, purpose))
            except InputError:
                entries[purpose.label] = None
        lines.append({
            "event": "issued", "time": now, "block": block,
            "hash": "0x" + vcfmt.credential_hash(holder_file.credential).hex(),
            "holder": did, "holderName": name, "achievement": achievement, "file": path, "status": entries,
        })  # fmt: skip
    done = f"{len(lines)} credential(s) were issued and anchored (block {block}), their files written"
    then = (
        f"free some space, then run `registry issued --issuer {identity.name}`, which recovers it from the journal "
        "(do not issue them again)"
    )
    _append(records_path(home, identity.name), lines, done, then)


def record_status(
    home: Path, identity: Any, event: str, tokens: list[str], reason: int, block: int | None, note: str | None = None
) -> None:
    """Append a `revoked`, `suspended` or `reinstated` line for each credential changed, with the
    issuer's free-text note if given (kept here only: the chain holds the reason code alone)."""
    now = int(time.time())
    lines = [
        {"event": event, "time": now, "block": block, "reason": reason,
         "hash": "0x" + vcfmt.credential_hash(token).hex()} | ({"note": note} if note else {})
        for token in tokens
    ]  # fmt: skip
    done = f"the change ({event}, {len(lines)} credential(s)) is on-chain (block {block})"
    then = (
        f"free some space; `registry issued --issuer {identity.name}` shows each credential's state on the chain "
        "beside the records" + (" (the note was not kept)" if note else "")
    )
    _append(records_path(home, identity.name), lines, done, then)


@dataclass
class Record:
    hash: str
    holder: str | None
    holder_name: str | None
    achievement: str | None
    issued: int
    file: str | None
    status: dict[str, Any]
    state: str = "active"
    changed: int | None = None
    reason: int | None = None
    note: str | None = None
    chain_state: str | None = None
    # Every change in the order made (event, time, reason, note): a reinstatement keeps the suspension's why.
    changes: list[dict[str, Any]] = field(default_factory=list)


def read_records(home: Path, issuer_name: str) -> list[Record]:
    """Each credential the records name, in the order issued, in the state its last line gives, with
    every change made to it (`changes`)."""
    path = records_path(home, issuer_name)
    if not path.exists():
        raise InputError(f"no records of what {issuer_name} issued in {path.parent} (nothing issued from this home)")
    text = read_capped(path, MAX_RECORDS_BYTES, f"issuance records {path}").decode("utf-8", "replace")
    found: dict[str, Record] = {}
    changes: list[dict[str, Any]] = []  # applied after: an `issued` line recovered from the journal comes later
    lines = text.splitlines()
    torn = not text.endswith("\n")  # its last line cut short (a disk that filled, a power loss): no record
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
            event, digest = entry["event"], entry["hash"]
            if event == "issued":
                found[digest] = Record(
                    digest, entry.get("holder"), entry.get("holderName"), entry.get("achievement"),
                    int(entry["time"]), entry.get("file"), entry.get("status") or {},
                )  # fmt: skip
            elif event in _STATE_OF:
                changes.append({**entry, "time": int(entry["time"])})
        except (ValueError, KeyError, TypeError) as exc:
            if torn and number == len(lines):
                break
            raise InputError(
                f"{path} line {number} is damaged; the lines before it are intact: keep a copy, then remove that "
                f"line (`registry issued --issuer {issuer_name}` recovers from the journal what it anchored)"
            ) from exc
    for entry in changes:
        if (record := found.get(entry["hash"])) is not None:
            record.state, record.changed, record.reason = _STATE_OF[entry["event"]], entry["time"], entry.get("reason")
            record.note = entry.get("note") if isinstance(entry.get("note"), str) else None
            record.changes.append({"event": entry["event"], "time": record.changed, "reason": record.reason,
                                   "note": record.note})  # fmt: skip
    return list(found.values())


def reconcile(registry: Any, account: str, records: list[Record]) -> None:
    """Each record's state on the chain (`chain_state`): its status bits read in one call."""
    wanted: set[tuple[Purpose, int, int]] = set()
    for record in records:
        for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION):
            entry = record.status.get(purpose.label)
            if isinstance(entry, list) and len(entry) == 2:
                wanted.add((purpose, int(entry[0]), int(entry[1])))
    keys = sorted({(p, number, word_of(index)) for p, number, index in wanted})
    if not keys:
        return
    call = registry.credentials.status_words_for([(account, p, number, first_entry(word)) for p, number, word in keys])
    (values,) = registry.client.call(call)
    words = {key: int(value) for key, value in zip(keys, values, strict=True)}
    for record in records:
        bits = {}
        for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION):
            entry = record.status.get(purpose.label)
            if isinstance(entry, list) and len(entry) == 2:
                number, index = int(entry[0]), int(entry[1])
                bits[purpose] = bit_of(words[(purpose, number, word_of(index))], index)
        if bits.get(Purpose.REVOCATION):
            record.chain_state = "revoked"
        elif bits.get(Purpose.SUSPENSION):
            record.chain_state = "suspended"
        else:
            record.chain_state = "active"


def recover_from_journal(home: Path, journal_file: Path, deployment_file: Path, issuer_name: str) -> int:
    """Append the `issued` lines a command killed after the chain confirmed its anchor never wrote:
    for each confirmed anchor of this issuer's account that the journal holds, the holder files it
    names (still where they were written) whose hash the records lack. The number recovered."""
    from types import SimpleNamespace

    from registry.keystore import KeyStore
    from registry.ops.journal import journal_view

    view = journal_view(journal_file, deployment_file, include_confirmed=True)
    info = KeyStore(home / "keys").public_info(issuer_name)
    account = next((k.get("address") for k in info["keys"] if k.get("use") == "controller"), None)
    if view is None or not isinstance(account, str):
        return 0
    path = records_path(home, issuer_name)
    known = {r.hash for r in read_records(home, issuer_name)} if path.exists() else set()
    identity = SimpleNamespace(name=issuer_name, did=info["did"], account=SimpleNamespace(address=account))
    recovered = 0
    for row in view.rows:
        op = row.op
        if op.state != "confirmed" or op.files is None or op.sender.lower() != account.lower():
            continue
        # A single credential's companions follow its holder file. One command records a row's files
        # together: its first file recorded, the row was (so each `issued` reads one file per row).
        names = op.files.paths if op.files.directory else op.files.paths[:1]
        found = [f for f in map(_holder, names[:1]) if f is not None and _digest(f[0]) not in known]
        found += [f for f in map(_holder, names[1:] if found else []) if f is not None and _digest(f[0]) not in known]
        if found:
            known.update(_digest(f[0]) for f in found)
            record_issued(home, identity, found, op.block)
            recovered += len(found)
    return recovered


def _holder(name: str) -> tuple[vcfmt.HolderFile, str] | None:
    """The holder file at `name`, where it still is (None: moved, removed or unreadable since)."""
    try:
        return vcfmt.load_holder_file(read_capped(Path(name), vcfmt.MAX_FILE_BYTES + 1, name), name), name
    except (OSError, InputError):
        return None


def _digest(holder: vcfmt.HolderFile) -> str:
    return "0x" + vcfmt.credential_hash(holder.credential).hex()


def given_before(home: Path, issuer_name: str, wanted: Sequence[tuple[str, str | None, str]]) -> list[Record]:
    """The credentials this issuer's records show it gave before, and did not revoke, to the holders
    of `wanted` (holder DID, or "" for a person given no did:key yet, with her name; the credential's
    name): one per row of `wanted` that has one, in its order. A person without a did:key is matched
    by her name (in any case and spacing), as a roster names her; nothing recorded, nothing found."""
    if not records_path(home, issuer_name).exists():
        return []
    by_did: dict[tuple[str, str], Record] = {}
    by_name: dict[tuple[str | None, str], Record] = {}
    for record in read_records(home, issuer_name):
        if record.state == "revoked" or not record.achievement:
            continue
        if record.holder:
            by_did.setdefault((record.holder, record.achievement), record)
        if record.holder_name:
            by_name.setdefault((folded(record.holder_name), record.achievement), record)
    found = [by_did.get((did, what)) if did else by_name.get((folded(name), what)) for did, name, what in wanted]
    return [record for record in found if record is not None]
