"""The holder files a journal row anchors, as the journal handles them: were they completely
written (checked by content: the file's hash, the cohort root in its proof), what a writer killed
mid-write left (removed before the row is marked abandoned), and the files of a failed row (removed:
they describe a credential nobody could verify).
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from registry.chain.txmanager.rows import Files, Operation
from registry.errors import InputError


def count_files(n: int) -> str:
    """A count of files in words: "1 file", "2 files"."""
    return f"{n} file" if n == 1 else f"{n} files"


def kept(files: Files) -> str:
    """What an error says when the node went silent after the files were written."""
    return (
        f"{count_files(len(files.paths))} kept ({files.describe()}): the journal sends the anchor again on this "
        "issuer's next write or `registry journal reconcile`"
    )


def files_complete(op: Operation) -> bool:
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


def discard_partial(files: Files) -> str:
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


def remove_files(files: Files) -> list[str]:
    """Remove the files of a row that failed (and its staging and new --out-dir); the paths removed."""
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
