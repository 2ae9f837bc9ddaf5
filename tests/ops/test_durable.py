"""Files written whole and durably (registry/durable.py): each file flushed to the disk before it is
renamed into place, and its directory flushed after, so a write a command reported survives a power
loss; a cohort's holder files flush their directory once, not once per file; holder files are
readable by the issuer's account only.

A power loss cannot be caused in a test, so the flushes are observed instead: a spy on `os.fsync`
and `os.replace` (the real ones are called) records what was flushed and renamed, in order. That the
spy stands in for the power loss is the only reason it is there."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from registry import durable
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from tests.conftest import welding_certificate

Event = tuple[str, str]  # ("file" | "dir", path flushed) or ("rename", target)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[Event]:
    seen: list[Event] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        kind = "dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        seen.append((kind, os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source: str | Path, target: str | Path) -> None:
        real_replace(source, target)
        seen.append(("rename", str(target)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return seen


def test_a_file_is_flushed_before_its_rename_and_its_directory_after(events: list[Event], tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    durable.write_json_atomic(path, {"a": 1}, mode=0o600)
    (kind, flushed), rename, directory = events
    assert kind == "file" and Path(flushed).parent == tmp_path and flushed.endswith(".tmp")  # the temporary file
    assert rename == ("rename", str(path)) and directory == ("dir", str(tmp_path))
    assert path.read_text() == '{\n  "a": 1\n}\n' and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(tmp_path.iterdir()) == [path]


def test_the_journal_and_the_issuers_records_are_flushed_with_their_names(events: list[Event], tmp_path: Path) -> None:
    from registry.chain.txmanager.journal import Journal
    from registry.ops.issued import _append

    Journal(tmp_path / "journal.sqlite")  # made whole under a temporary name, then linked into place
    assert events[-2][0] == "file" and ".journal.sqlite.new-" in events[-2][1]
    assert events[-1] == ("dir", str(tmp_path))
    events.clear()
    records = tmp_path / "issued" / "centre.jsonl"
    _append(records, [{"n": 1}], "done", "then")  # a new file: its name is flushed too
    _append(records, [{"n": 2}], "done", "then")  # appended to: the file alone
    assert events == [("file", str(records)), ("dir", str(records.parent)), ("file", str(records))]


def test_holder_files_are_private_and_a_cohort_flushes_its_directory_once(
    issuer: Issuer, holder: Identity, tmp_path: Path, events: list[Event]
) -> None:
    out = tmp_path / "out"  # apart from the home (the journal, the allocation marker)
    single = out / "single.json"
    issuer.issue_single(holder.did, welding_certificate(), out=single)
    assert stat.S_IMODE(single.stat().st_mode) == 0o600  # it may name her: the issuer's account only
    assert events.index(("rename", str(single))) < events.index(("dir", str(out)))
    events.clear()
    out_dir = out / "cohort"
    issuer.issue_cohort([(holder.did, welding_certificate()) for _ in range(5)], out_dir=out_dir)
    members = sorted(out_dir.iterdir())
    assert [stat.S_IMODE(p.stat().st_mode) for p in members] == [0o600] * 5
    ours = [e for e in events if e[1].startswith(str(out))]
    staging = Path(next(path for kind, path in ours if kind == "dir")).name
    assert staging.startswith(".cohort.partial-")
    # Five files flushed, then the staging directory once, the rename into place, and its parent.
    assert [kind for kind, _ in ours if kind != "rename"] == ["file"] * 5 + ["dir", "dir"]
    assert ours[-3:] == [("dir", str(out / staging)), ("rename", str(out_dir)), ("dir", str(out))]


def test_a_removal_is_flushed_with_its_directory(events: list[Event], tmp_path: Path) -> None:
    """A deletion is a change of the directory, as a rename is: without the flush, a power loss just
    after "deleted" could bring the file back. Above all the centre's copy of a key it handed over."""
    import json

    from registry.keystore import KeyStore, new_natural_person
    from registry.ops import handover

    (tmp_path / "sub").mkdir()
    first, second = tmp_path / "a", tmp_path / "sub" / "b"
    first.write_text("x")
    second.write_text("y")
    assert durable.remove_durably(first, tmp_path / "never-there", second) == [first, second]
    assert not first.exists() and events == [("dir", str(tmp_path)), ("dir", str(tmp_path / "sub"))]

    home, keys = tmp_path / "centre", tmp_path / "centre" / "keys"
    person = new_natural_person("amina")
    KeyStore(keys).save(person, "centre words")
    made = handover.make_handover(person, "her words", holder_name="Amina Yusuf")
    out = tmp_path / "amina.handover.json"
    out.write_text(json.dumps(made.document))
    pending = handover.record_pending(home, "amina", made, out, keep_copy=False)
    events.clear()
    handover.confirm(home, keys, "amina", made.code)
    assert not (keys / "amina.json").exists() and not pending.exists()
    assert events == [("dir", str(keys)), ("dir", str(pending.parent))]
