"""`registry logbook sync`: entry files made offline, passed on through the service's boxes
(ops/logbook/store.py) when a network is at hand, each party keeping its files in a directory.

- the learner (her logbook directory): every entry not yet countersigned goes to her supervisor's
  box; what comes back to her box (her entries countersigned, then anchored) is written into her
  logbook, each only if it is hers and takes the entry further.
- the supervisor or assessor (a directory of entries to review): what waits in her box is written
  there as files (`logbook sign` them after reading), and every file she countersigned goes to the
  box of the provider named by her authorisation, then into `sent/`.
- the provider (a directory it keeps): what waits in its box, countersigned under its own
  authorisations, is anchored as one day root through its journal (`Provider.anchor_day`, under
  the provider's writer lock: a second sync waits); each anchored file is written into `anchored/`
  once the root is confirmed (ops/logbook/days.py), sent back to its learner, then moved to
  `delivered/`. A sync that stops half-way finishes its day and sends the files the next time.

Nothing is removed from a box before it is written here (a box item is acknowledged by the next
request, `done`): a sync killed at any point loses nothing, and repeats nothing but a deposit.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from registry.durable import write_json_atomic
from registry.errors import InputError
from registry.formats.logbook import EntryFile
from registry.formats.logbook.records import carried_name, signed_by
from registry.keystore import Identity
from registry.ops.logbook.book import Logbook, entry_path, found_entry, load_entry
from registry.ops.logbook.days import dated_ahead
from registry.ops.logbook.provider import Provider
from registry.ops.logbook.reports import Reads
from registry.ops.logbook.store import check_entry_file
from registry.text import named_did, shown


class Boxes(Protocol):
    """The service's boxes, as `ServiceClient` reaches them."""

    def logbook_deposit(self, owner: str, entry: dict[str, Any]) -> str: ...

    def logbook_fetch(self, identity: Identity, done: list[str]) -> list[dict[str, Any]]: ...


@dataclass
class Synced:
    role: str = "provider"  # whose sync: "learner", "supervisor" or "provider" (how it is said)
    sent: int = 0
    received: int = 0
    anchored: int = 0
    waiting: int = 0  # the learner's entries not countersigned and not sent (no supervisor named)
    ahead: int = 0  # the provider's: entries dated after the chain's day, left in the box for a later sync
    refused: list[str] = field(default_factory=list)
    # The supervisor's: each entry written for her to review, as she reads it before `logbook sign`
    # (the file holds it as a signed token, unreadable as it is).
    review: list[dict[str, str]] = field(default_factory=list)


def _to_review(f: EntryFile, path: Path) -> dict[str, str]:
    """An entry written for review, as its line says it (cli/commands/logbook_sync.py, in the run's
    language): its day, unit, hours, workplace and activity, the learner (by the name her enrolment
    gives, when the file carries it, with her DID shortened) and its file; each text inert."""
    from registry.i18n import number

    p = signed_by(f.entry, "logbook-entry+jwt").payload
    try:
        name = carried_name(f)
    except InputError:
        name = None
    fields = {"date": p.get("date"), "unit": p.get("unit"), "workplace": p.get("workplace"),
              "activity": p.get("activity"), "file": path.name}  # fmt: skip
    return {k: shown(str(v)) for k, v in fields.items()} | {
        "hours": number(p.get("hours")),
        "learner": named_did(str(p.get("iss")), name),
    }


def _items(boxes: Boxes, identity: Identity) -> list[tuple[str, EntryFile | None, str]]:
    """(box id, the file or None when it is not a well-signed entry file, why)."""
    found: list[tuple[str, EntryFile | None, str]] = []
    for item in boxes.logbook_fetch(identity, []):
        try:
            found.append((str(item["id"]), check_entry_file(item.get("file"), "a box item"), ""))
        except (InputError, KeyError, TypeError) as exc:
            found.append((str(item.get("id")), None, str(exc)))
    return found


def _further(mine: EntryFile | None, theirs: EntryFile) -> bool:
    """True when `theirs` takes the learner's own entry further (countersigned, then anchored)."""
    if mine is None:
        return True
    if mine.anchor is not None or (mine.countersignature is not None and theirs.anchor is None):
        return False
    return mine.countersignature is None or mine.countersignature == theirs.countersignature


def learner(book: Logbook, identity: Identity, boxes: Boxes, supervisor: str | None) -> Synced:
    """Her box first (what came back), then every entry still not countersigned to `supervisor`
    (none sent without one: `waiting` counts them)."""
    result = Synced(role="learner")
    done = []
    for item, got, why in _items(boxes, identity):
        if got is None:
            result.refused.append(why)
            done.append(item)
            continue
        payload = signed_by(got.entry, "logbook-entry+jwt").payload
        if payload.get("logbook") != book.id:
            continue  # another of her logbooks: left for its own sync
        if payload.get("iss") == identity.did:
            path = found_entry(book.directory / "entries", got)
            if _further(load_entry(path) if path is not None else None, got):
                book.save(replace(got, enrolment=None))  # what named her to her supervisor: not kept
                result.received += 1
                result.anchored += got.anchor is not None
        done.append(item)
    if done:
        boxes.logbook_fetch(identity, done)
    waiting = [f for f in book.entries() if f.countersignature is None]
    for f in waiting if supervisor is not None else []:  # with her enrolment: her supervisor sees her name
        boxes.logbook_deposit(str(supervisor), replace(f, enrolment=book.enrolment_token).to_json())
        result.sent += 1
    result.waiting = len(waiting) - result.sent
    return result


def supervisor(directory: Path, identity: Identity, boxes: Boxes) -> Synced:
    result = Synced(role="supervisor")
    sent = directory / "sent"
    for path in sorted(directory.glob("*.json")):
        f = load_entry(path)
        if f.countersignature is None or f.authorisation is None:
            continue
        if signed_by(f.countersignature, "logbook-countersignature+jwt").payload.get("iss") != identity.did:
            continue
        boxes.logbook_deposit(
            str(signed_by(f.authorisation, "supervisor-authorisation+jwt").payload["iss"]), f.to_json()
        )
        sent.mkdir(exist_ok=True)
        shutil.move(str(path), sent / path.name)
        result.sent += 1
    done = []
    for item, got, why in _items(boxes, identity):
        if got is None:
            result.refused.append(why)
        elif found_entry(directory, got) is None and found_entry(sent, got) is None:
            write_json_atomic(path := entry_path(directory, got), got.to_json())
            result.received += 1
            result.review.append(_to_review(got, path))
        done.append(item)
    if done:
        boxes.logbook_fetch(identity, done)
    return result


def _deliver(directory: Path, boxes: Boxes, result: Synced) -> None:
    """Send each anchored file back to its learner's box, then keep it in `delivered/`."""
    for path in sorted((directory / "anchored").glob("*.json")):
        f = load_entry(path)
        boxes.logbook_deposit(str(signed_by(f.entry, "logbook-entry+jwt").payload["iss"]), f.to_json())
        (directory / "delivered").mkdir(exist_ok=True)
        shutil.move(str(path), directory / "delivered" / path.name)
        result.sent += 1


def provider(directory: Path, owner: Provider, boxes: Boxes) -> Synced:
    """Under the provider's writer lock, so that a second sync of the same provider waits and then
    finds the entries anchored: what an earlier sync left finished first (its day's files written
    into `anchored/`, then sent back), then what waits in the box anchored as one root."""
    result = Synced()
    with owner.issuer.writing():
        held = owner.finish_days()
        _deliver(directory, boxes, result)  # what an earlier sync anchored and did not send back
        seen = [directory / "anchored", directory / "delivered"]
        chosen: dict[str, EntryFile] = {}
        done = []
        reads = Reads(owner.registry)  # its own signature, by a current or former key
        now = owner.registry.block_timestamp()
        for item, f, why in _items(boxes, owner.identity):
            if f is not None and f.id in held and all(found_entry(folder, f) is None for folder in seen):
                continue  # in an earlier day whose root is still pending: left in the box until that day is done
            if f is not None and f.anchor is None and dated_ahead(f, now):
                result.ahead += 1  # anchored now, it would be dated after its anchor: left for a later sync
                continue
            done.append(item)
            if f is None or f.countersignature is None or f.authorisation is None or f.anchor is not None:
                result.refused.append(why or "an entry file that is not countersigned, or is anchored already")
            elif not reads.provider_signed(
                signed_by(f.authorisation, "supervisor-authorisation+jwt"), owner.identity.did
            ):
                result.refused.append(f"entry {f.id} is not countersigned under one of this provider's authorisations")
            elif all(found_entry(folder, f) is None for folder in seen):
                chosen.setdefault(f.id, f)
        result.received = len(chosen) + len(result.refused)  # taken from the box this time
        if chosen:
            files = list(chosen.values())
            owner.anchor_day(files, lambda f: entry_path(directory / "anchored", f))
            result.anchored = len(files)
            _deliver(directory, boxes, result)
        if done:
            boxes.logbook_fetch(owner.identity, done)
    return result
