"""A journal whose file is sound but whose contents are not this version's (no node needed).

`PRAGMA quick_check` finds a truncated or overwritten file (tests/ops/test_writer_faults.py); it does
not read values. An SQLite file of another program, a table laid out otherwise, or a value out of
place in a row (SQLite keeps whatever it is given: text where a number belongs, a half-edited
JSON argument list) gave a traceback in `journal status`, `journal reconcile` and the next write,
or sent a list number no contract call can carry. Each is now one line naming the journal (the
CLI's exit 74), and nothing is handed out.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import pytest

from registry.chain.client import Call
from registry.chain.txmanager import Journal
from registry.errors import StateError
from registry.ops.allocation import StatusAllocator

ACCOUNT = "0x" + "ab" * 20


def _journal_with_a_row(tmp_path: Path) -> Path:
    journal = Journal(tmp_path / "journal.sqlite")
    journal.add(ACCOUNT, Call("0x" + "cd" * 20, "CredentialRegistry", "anchor", (b"\x01" * 32,)))
    journal.close()
    return journal.path


def _edit(path: Path, sql: str) -> None:
    db = sqlite3.connect(path)
    db.executescript(sql)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE operations SET args = '{{{'",  # a half-edited argument list
        'UPDATE operations SET args = \'[{"$bytes": "zz"}]\'',  # bytes that are not hex
        "UPDATE operations SET created = 'x'",  # text where a time belongs
        "UPDATE operations SET nonce = 'abc', state = 'sent'",  # text where a nonce belongs
        "UPDATE operations SET tx_hash = 'zz', state = 'sent'",  # not a transaction hash
        "UPDATE operations SET files = '[['",  # the holder files it covers, half written
    ],
)
def test_a_row_holding_what_this_version_never_wrote_is_one_line_naming_the_journal(tmp_path: Path, edit: str) -> None:
    path = _journal_with_a_row(tmp_path)
    _edit(path, edit)
    for read_only in (True, False):  # `journal status` reads it read-only; a write and reconcile do not
        journal = Journal(path, read_only=read_only)
        for read in (journal.all, functools.partial(journal.pending, ACCOUNT)):
            with pytest.raises(StateError) as refused:
                read()
            said = str(refused.value)
            assert str(path) in said and "damaged row" in said and "restore it from a backup" in said, said
        journal.close()


def test_a_database_laid_out_otherwise_is_named_not_a_traceback(tmp_path: Path) -> None:
    path = _journal_with_a_row(tmp_path)
    _edit(path, "DROP TABLE operations; CREATE TABLE operations (foo TEXT);")
    with pytest.raises(StateError) as refused:
        Journal(path).all()
    assert "is not laid out as a registry journal (no such column" in str(refused.value), refused.value
    assert "move it aside to start a new one" in str(refused.value)


@pytest.mark.parametrize(
    "values",
    ["list = -5", "next_word = 'abc'", "next_word = 99999", "pool_list = 1, pool_start = NULL", "list = 4294967296"],
)
def test_a_damaged_status_allocation_hands_out_nothing(tmp_path: Path, values: str) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    allocator = StatusAllocator(journal, ACCOUNT, tmp_path / "state")
    allocator.allocate_single("b1")  # the allocator's row, as this version writes it
    _edit(journal.path, f"UPDATE allocators SET {values}")
    with pytest.raises(StateError) as refused:
        allocator.allocate_single("b2")
    assert "status allocation in the journal" in str(refused.value) and "nothing was issued" in str(refused.value)
    handed = sqlite3.connect(journal.path).execute("SELECT batch FROM status_entries").fetchall()
    assert handed == [("b1",)]  # the second hand-out never happened


def test_another_programs_database_or_a_directory_in_its_place_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    _edit(path, "CREATE TABLE t (x)")  # another program's SQLite file under the journal's name
    for read_only in (True, False):
        with pytest.raises(StateError, match=r"is not a registry journal \(it has no operations table\): put"):
            Journal(path, read_only=read_only)
    path.unlink()
    path.mkdir()  # said as "cannot open the journal: check that its directory exists and is writable"
    with pytest.raises(StateError, match="is a directory, not a journal: move it aside"):
        Journal(path)


def test_a_journal_this_user_may_not_read_says_so_not_that_its_directory_is_missing(tmp_path: Path) -> None:
    """A journal whose mode or owner was changed (chmod 000, a copy made as another user): `journal
    status` and every write said "cannot open the journal ...: check that its directory exists and is
    writable", the wrong cause (seen by hand; checked on the old journal.py). The command runs as a
    real process without the power to override file modes (as root: setpriv drops CAP_DAC_OVERRIDE)."""
    import os
    import shutil
    import subprocess
    import sys

    path = _journal_with_a_row(tmp_path)
    path.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("as root, a file mode is enforced only without CAP_DAC_OVERRIDE: needs setpriv")
        caps = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    ran = subprocess.run([*prefix, sys.executable, "-m", "registry", "--home", str(path.parent), "journal", "status"],
                         capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    path.chmod(0o600)
    assert ran.returncode == 74, ran.stderr
    assert ran.stderr == (
        f"error: the journal {path} may not be read by this user (permission denied): give it back to the home's "
        "owner with mode 600, or run the command as the user who owns it (`ls -l` shows its owner and mode)\n"
    )
