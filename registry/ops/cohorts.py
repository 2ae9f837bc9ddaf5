"""Cohort issuance: one credential per roster entry, all anchored by one Merkle root.

Split from ops/issuance.py (which keeps `Issuer.issue_cohort` as the entry point). The holder
files go through a hidden staging directory named in the journal row and are renamed into place
whole before the root is sent.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from registry.chain.txmanager import Files, crash_point
from registry.errors import InputError, StateError
from registry.formats import credential as vcfmt
from registry.formats.merkle import StandardMerkleTree

# A holder file names its holder (her DID, and with --holder-name her name and document reference):
# on the issuer's disk it is readable by the issuer's account only, as keys are, until it is handed
# over (docs/SECURITY.md, "Personal data").
HOLDER_FILE_MODE = 0o600


@dataclass(frozen=True)
class Cohort:
    holder_files: list[vcfmt.HolderFile]
    hashes: list[bytes]
    root: bytes
    receipt: dict[str, Any]
    list_number: int
    indexes: list[int]


class Issuer(Protocol):
    """What cohort issuance needs of ops/issuance.py's `Issuer` (named here, not imported, so the
    two modules do not import each other)."""

    registry: Any
    identity: Any
    tx: Any
    allocator: Any
    locator: dict[str, Any] | None

    def publish_new_lists(self, number: int) -> None: ...

    def writing(self) -> contextlib.AbstractContextManager[None]: ...

    def sign(self, draft: vcfmt.CredentialDraft, issued_at: int) -> str: ...

    def check_signing_key(self, valid_until: int | None) -> int: ...

    def _draft(
        self,
        holder: str,
        achievement: vcfmt.Achievement,
        number: int,
        index: int,
        valid_from: int,
        valid_until: int | None,
        extra_types: tuple[str, ...] = (),
    ) -> vcfmt.CredentialDraft: ...


def issue_cohort(
    self: Issuer,
    entries: Sequence[tuple[str, vcfmt.Achievement]],
    *,
    valid_until: int | None = None,
    extra_types: tuple[str, ...] = (),
    progress: Callable[[int], None] | None = None,
    out_dir: Path | None = None,
    file_names: Sequence[str] | None = None,
) -> Cohort:
    """Sign one credential per (holder, achievement) and anchor them all with one Merkle root.

    Each holder file carries its credential and its proof to the root (OpenZeppelin StandardMerkleTree,
    leaf encoding bytes32), which is all a verifier needs. With `out_dir`, the files (named `file_names`)
    go to a hidden staging directory named in the journal row, renamed into place whole, then the root is sent.
    """
    if not entries:
        raise InputError("the roster is empty")
    with self.writing():
        batch = str(uuid.uuid4())
        now = self.check_signing_key(valid_until)  # again under the lock: a rotation may have ended the key
        number, indexes = self.allocator.allocate_cohort(len(entries), batch)
        crash_point("after-allocation")
        tokens: list[str] = []
        for (holder, achievement), index in zip(entries, indexes, strict=True):
            tokens.append(
                self.sign(self._draft(holder, achievement, number, index, now, valid_until, extra_types), now)
            )
            if progress is not None:
                progress(1)
        hashes = [vcfmt.credential_hash(t) for t in tokens]
        tree = StandardMerkleTree.of([[h] for h in hashes], ["bytes32"])
        root = bytes.fromhex(tree.root[2:])
        holder_files = [
            vcfmt.HolderFile(
                token,
                vcfmt.CohortProof(
                    root=root, proof=tuple(bytes.fromhex(p[2:]) for p in tree.get_proof(i)), size=len(tokens)
                ),
                registry=self.locator,
            )
            for i, token in enumerate(tokens)
        ]
        call = self.registry.credentials.anchor_cohort(root, len(tokens))
        files = None
        if out_dir is not None:
            names = list(file_names or [f"{n:04d}.json" for n in range(1, len(tokens) + 1)])
            staging = out_dir.parent / f".{out_dir.name}.partial-{batch[:8]}"
            files = Files(
                tuple(str(out_dir / name) for name in names), str(out_dir), str(staging),
                created_directory=not out_dir.exists(),
            )  # fmt: skip
        (op_id,) = self.tx.record(self.identity.account, [(call, None)], batch=batch, files=files)
        crash_point("after-row")
        if out_dir is not None and files is not None:
            _write_cohort(self, op_id, out_dir, Path(str(files.staging)), list(files.paths), holder_files)
        receipt = self.tx.drive(self.identity.account, [op_id], self.identity)[0]
        self.publish_new_lists(number)  # after the anchor (see Issuer.publish_new_lists)
    assert receipt is not None
    return Cohort(holder_files, hashes, root, receipt, number, indexes)


def _write_cohort(
    self: Issuer, op_id: str, out_dir: Path, staging: Path, paths: list[str], holder_files: list[vcfmt.HolderFile]
) -> None:
    """Into the staging directory the row names, then renamed into place whole: a kill while
    hundreds of files are written leaves no half-filled --out-dir, and the next command of this
    issuer removes the staging directory and marks the row abandoned. Each file is flushed to the
    disk as it is written, the staging directory once when all are in it, and the rename after it
    (registry/durable.py): a power loss after the root is sent cannot lose the files."""
    from registry import durable as files_io  # looked up at call time (the tests wrap it)

    try:
        staging.mkdir(mode=0o700)
        for n, (path, holder_file) in enumerate(zip(paths, holder_files, strict=True)):
            files_io.write_json_atomic(staging / Path(path).name, holder_file.to_json(), HOLDER_FILE_MODE,
                                       sync_dir=False)  # fmt: skip
            if n == 0:
                crash_point("during-files")
        files_io.sync_directory(staging)  # once for all the files in it
        if out_dir.exists():
            out_dir.rmdir()  # checked empty by the caller
        files_io.rename_durably(staging, out_dir)
    except BaseException as exc:
        files_io.remove_tree_durably(staging)
        self.tx.abandon(op_id, f"the holder files could not be written ({why(exc)})")
        if isinstance(exc, OSError):
            raise StateError(
                f"cannot write the holder files into {out_dir}: {exc.strerror or exc}; nothing was anchored and "
                f"no file was left{files_io.advice(exc)}"
            ) from exc
        raise
    self.tx.files_written(op_id)
    crash_point("after-files")


def why(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__
