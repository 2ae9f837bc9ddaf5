"""The holder files a journal row anchors, as the journal handles them: were they completely
written (checked by content: the file's hash, the cohort root in its proof), what a writer killed
mid-write left (removed before the row is marked abandoned), and the files of a failed row (removed:
they describe a credential nobody could verify).

A single credential's row may name companions after its holder file (an RPL credential's evidence
manifest, the holder's salts): written after it, each whole (a temporary file renamed), to paths
that did not exist. The row's files are complete when the holder file is this row's credential and
every companion is there; a writer killed between them leaves a holder file nobody may keep, which
is removed with the companions written (they are this row's: the holder file by its hash, the
companions because their paths were new).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from registry import durable
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
    expected = anchored_value(op)
    try:
        if files.directory:
            if files.staging and Path(files.staging).exists():
                return False
            first = Path(files.paths[0])
            holder = load_holder_file(first.read_bytes(), str(first))
            return holder.cohort is not None and holder.cohort.root == expected
        path = Path(files.paths[0])
        holder = load_holder_file(path.read_bytes(), str(path))
        return credential_hash(holder.credential) == expected and all(Path(p).is_file() for p in files.paths[1:])
    except (OSError, InputError, IndexError):
        return False


def anchored_value(op: Operation) -> bytes | None:
    """The hash (or cohort root) a row's anchor writes: its call's first argument."""
    return bytes(op.call.args[0]) if op.call.args and isinstance(op.call.args[0], bytes) else None


def discard_partial(files: Files, expected: bytes | None = None) -> str:
    """Remove what a writer killed mid-write left: its staging directory, its temporary files, and
    for a holder file with companions (`expected`: its credential's hash), that holder file and the
    companions already written."""
    removed = []
    if files.staging and Path(files.staging).exists():
        durable.remove_tree_durably(Path(files.staging))
        removed.append(f"the staging directory {files.staging}")
    if not files.directory:
        for path in (Path(p) for p in files.paths):
            for tmp in path.parent.glob(f".{path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    removed.append(f"the temporary file {tmp}")
        if len(files.paths) > 1:
            removed += _written_in_part(files, expected)
    return ", ".join(removed)


def _written_in_part(files: Files, expected: bytes | None) -> list[str]:
    """A holder file whose companions were not all written: the holder file (if it is the row's
    credential) and the companions there."""
    from registry.formats.credential import credential_hash, load_holder_file

    removed = []
    first = Path(files.paths[0])
    with contextlib.suppress(OSError, InputError):
        if expected is not None and credential_hash(load_holder_file(first.read_bytes(), str(first)).credential) == (
            expected
        ):
            first.unlink()
            removed.append(f"the holder file {first}")
    for companion in (Path(p) for p in files.paths[1:]):
        with contextlib.suppress(OSError):
            companion.unlink()
            removed.append(f"its companion {companion}")
    return removed


def remove_files(files: Files) -> list[str]:
    """Remove the files of a row that failed (and its staging and new --out-dir); the paths removed."""
    removed = []
    for raw in files.paths:
        with contextlib.suppress(OSError):
            removed += [str(p) for p in durable.remove_durably(Path(raw))]
    if files.staging:
        durable.remove_tree_durably(Path(files.staging))
    if files.directory and files.created_directory:
        with contextlib.suppress(OSError):
            Path(files.directory).rmdir()  # only if empty
    return removed
