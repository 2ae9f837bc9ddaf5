"""People a roster names who have no key yet: the centre makes each a did:key and writes one
handover file per person (ops/handover.py), under a one-time passphrase it prints for her.

Rows without a DID that give the same holder_name and holder_document are one person: one key.
The handover files and the sheet of one-time passphrases go into a directory of their own,
written whole (a staging directory renamed into place) before anything is issued, so no
credential is ever issued to a key that was not kept; if issuing fails, they are removed again.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from registry.durable import remove_tree_durably, rename_durably, sync_directory, write_bytes_atomic, write_json_atomic
from registry.errors import InputError
from registry.formats.credential import Achievement
from registry.keystore import Identity, new_natural_person
from registry.ops.handover import (
    HANDOVER_SCRYPT_N,
    Handover,
    make_handover,
    one_time_passphrase,
    pending_path,
    record_pending,
)
from registry.ops.roster import person_of, slug

SHEET = "one-time-passphrases.csv"


@dataclass(frozen=True)
class NewPerson:
    holder_name: str
    key_name: str
    """the local name of her key's handover (`registry identity handover NAME --confirm CODE`)"""
    identity: Identity
    passphrase: str
    file_name: str


def key_name(holder_name: str, did: str) -> str:
    """A local (ASCII) name for a person's key: her name folded to ASCII letters where it can be,
    and the end of her did:key."""
    folded = unicodedata.normalize("NFKD", holder_name).encode("ascii", "ignore").decode()
    return f"{slug(folded, 'person')[:40]}-{did[-8:]}"


def make_people(entries: list[tuple[str, Achievement]]) -> tuple[list[tuple[str, Achievement]], list[NewPerson]]:
    """A fresh did:key for every person named without one; the entries with their DIDs filled in."""
    made: dict[tuple[str | None, str | None], NewPerson] = {}
    filled: list[tuple[str, Achievement]] = []
    for holder, achievement in entries:
        if holder:
            filled.append((holder, achievement))
            continue
        assert achievement.holder_name is not None  # the roster refuses a row with neither
        who = person_of(achievement)  # her name and document in any case and spacing: one person, one key
        person = made.get(who)
        if person is None:
            identity = new_natural_person("person")
            name = key_name(achievement.holder_name, identity.did)
            identity = replace(identity, name=name)
            file_name = f"{slug(achievement.holder_name, 'holder')}-{identity.did[-8:]}.handover.json"
            person = made[who] = NewPerson(achievement.holder_name, name, identity, one_time_passphrase(), file_name)
        filled.append((person.identity.did, achievement))
    return filled, list(made.values())


def check_handover_dir(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(f"{directory} is not an empty directory for the key handover files")
    if not directory.parent.is_dir():
        raise InputError(f"the directory {directory.parent} does not exist")


def write_handovers(
    home: Path,
    people: list[NewPerson],
    directory: Path,
    n: int = HANDOVER_SCRYPT_N,
    progress: Callable[[int], None] | None = None,
    delimiter: str = ",",
) -> None:
    """Every person's handover file and the passphrase sheet, written whole into `directory`,
    and the centre's pending records (its copy of each key until she confirms). `progress` is told
    of each key encrypted (about 0.1 s each: a roster of hundreds takes a minute). The sheet's
    columns are separated by `delimiter`: the roster's own (`roster_delimiter`), so a sheet opens in
    the spreadsheet that saved the roster as it did (a French Excel splits CSV at semicolons)."""
    staging = directory.parent / f".{directory.name}.partial-{os.getpid()}"
    handovers: list[tuple[NewPerson, Handover]] = []
    try:
        staging.mkdir(mode=0o700)
        for person in people:
            handover = make_handover(person.identity, person.passphrase, holder_name=person.holder_name, n=n)
            write_json_atomic(staging / person.file_name, handover.document, mode=0o600, sync_dir=False)
            handovers.append((person, handover))
            if progress is not None:
                progress(1)
        # With a BOM: a spreadsheet (Excel) opening the sheet reads the names in every script as UTF-8.
        sheet = _sheet(handovers, delimiter).encode("utf-8-sig")
        write_bytes_atomic(staging / SHEET, sheet, mode=0o600, sync_dir=False)
        sync_directory(staging)  # once for every file in it (registry/durable.py)
        if directory.exists():
            directory.rmdir()  # checked empty
        rename_durably(staging, directory)
        for person, handover in handovers:
            record_pending(home, person.key_name, handover, directory / person.file_name, keep_copy=True)
    except BaseException as exc:
        remove_tree_durably(staging)
        discard_handovers(home, people, None)
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename in (None, str(staging)):
            raise OSError(exc.errno, exc.strerror, str(directory)) from exc
        raise


def discard_handovers(home: Path, people: list[NewPerson], directory: Path | None) -> None:
    """Undo `write_handovers` (the credentials were not issued): no key of theirs is kept."""
    for person in people:
        pending_path(home, person.key_name).unlink(missing_ok=True)
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


def _sheet(handovers: list[tuple[NewPerson, Handover]], delimiter: str) -> str:
    """The sheet the centre prints and cuts into slips: each person's file and one-time passphrase."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["holder_name", "did", "handover_file", "one_time_passphrase", "key_name"])
    for person, handover in handovers:
        writer.writerow(
            [inert(person.holder_name), handover.document["did"], person.file_name, person.passphrase, person.key_name]
        )
    return buffer.getvalue()


# What a spreadsheet opening a CSV takes as the start of a formula (OWASP's "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: str) -> str:
    """A cell a spreadsheet shows as text: a name typed as `=HYPERLINK(...)` in a roster would
    otherwise run as a formula when the centre opens the sheet, and could send the other rows'
    passphrases away. Prefixed with an apostrophe, which spreadsheets read as "text" and hide; the
    names in the credentials are as written."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
