"""Files written whole and durably: the one way this project writes a file that must survive.

A file is written under a temporary name in its own directory, flushed to the disk (`fsync`),
renamed over its name, and then its directory is flushed too: a rename is a change of the
directory, so without that last step a power loss just after a command said "written" (a key
made, a transaction recorded as sent, a holder file handed over) could bring back the old file,
or none. A crash or a kill at any moment leaves the old file or the new one, never half of one;
`discard_temporaries` removes the temporary files a killed writer left.

Removals are flushed too (`remove_durably`, `remove_tree_durably`): a file a command said it
deleted (the centre's copy of a key handed over, a holder file whose anchor was abandoned) does not
come back after a power loss.

A writer of many files into one new directory (a cohort's holder files) passes `sync_dir=False`
for each, then calls `sync_directory` once for the directory and `rename_durably` to put it in
place: one directory flush instead of one per file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

# What to do about a file that could not be written, by its errno (said after the error).
ADVICE = {
    errno.ENOSPC: "free some space, then run the command again",
    errno.EDQUOT: "free some space, then run the command again",
    errno.EROFS: "its file system is read-only: make it writable, or name a writable place instead",
    errno.EACCES: "you may not write there: check its permissions, or name a writable place instead",
    errno.EPERM: "you may not write there: check its permissions, or name a writable place instead",
}


def advice(exc: BaseException) -> str:
    """ "; what to do" for a failed write whose cause is known (a full disk, a read-only file
    system, no permission), else ""."""
    said = ADVICE.get(getattr(exc, "errno", None) or 0)
    return f"; {said}" if said else ""


def sync_file(path: Path | str) -> None:
    """Flush a file another writer (SQLite) made to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_directory(directory: Path) -> None:
    """Flush `directory` itself (the names in it) to the disk. A file system that cannot flush a
    directory (EINVAL: some network and FUSE file systems) is left as it is."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def rename_durably(source: Path, target: Path) -> None:
    """Rename `source` to `target` (a file or a directory) and flush the directories involved."""
    os.replace(source, target)
    sync_directory(target.parent)
    if source.parent != target.parent:
        sync_directory(source.parent)


def write_bytes_atomic(path: Path, data: bytes, mode: int = 0o644, *, sync_dir: bool = True) -> None:
    """Write `data` to `path` whole and durably (module docstring). An OSError names `path`, not
    the temporary file. `sync_dir=False` leaves the directory's flush to the caller."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:  # named as the file the user asked for, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc  # named as the file asked for
        raise
    if sync_dir:
        _sync_named(path)


def write_json_atomic(path: Path, data: Any, mode: int = 0o644, *, sync_dir: bool = True) -> None:
    """`data` as indented JSON (keys sorted), written as `write_bytes_atomic` writes."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"), mode, sync_dir=sync_dir)


def discard_temporaries(path: Path) -> None:
    """Remove what a writer of `path` killed mid-write left: its temporary files (`.NAME.*.tmp`, as
    `write_bytes_atomic` names them); `path` itself is never half-written."""
    for stale in path.parent.glob(f".{path.name}.*.tmp") if path.parent.is_dir() else []:
        with contextlib.suppress(OSError):
            stale.unlink()


def remove_durably(*paths: Path) -> list[Path]:
    """Remove each of `paths` that is there, then flush each directory that held one, once. The
    paths removed; an OSError other than "not there" is raised as `unlink` raises it."""
    removed = []
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        removed.append(path)
    for directory in dict.fromkeys(path.parent for path in removed):
        sync_directory(directory)
    return removed


def remove_tree_durably(path: Path) -> None:
    """Remove the directory `path` and all it holds, as far as it can (what cannot be removed stays),
    then flush its parent."""
    if not path.exists():
        return
    shutil.rmtree(path, ignore_errors=True)
    with contextlib.suppress(OSError):
        sync_directory(path.parent)


def _sync_named(path: Path) -> None:
    """Flush the directory of a file just renamed into place; a failure names the file."""
    try:
        sync_directory(path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
