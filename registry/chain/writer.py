"""One writer per issuer account across processes, and who owns a journal row.

Two `registry` processes writing for one issuer account at once used to hand out the same status
entries, send each other's journaled writes and double revocations. Every write path therefore
runs under an exclusive `fcntl.flock` on a lock file beside the journal
(`<home>/journal-<account>.lock`), taken before status entries are allocated and released once
the last transaction of the command is confirmed. The kernel drops a flock when its process
dies, even by SIGKILL, so a killed writer never leaves a stale lock behind; a waiting process says
so on stderr, and gives up after `REGISTRY_LOCK_TIMEOUT` seconds (default 120).

The lock is re-entrant inside one process (a flock is held per open file, so a second open of the
same file in the same process would otherwise wait for itself).

Journal rows carry their owner as a lease: the pid and the process's start time (from
/proc/<pid>/stat, so a recycled pid does not count as the same process). Reconciliation only
takes over rows whose owner is this process or is gone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from registry.config import env_seconds
from registry.errors import StateError, WriterBusy

LOCK_TIMEOUT_ENV = "REGISTRY_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 120.0

_held: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, depth), this process's locks
_guard = threading.Lock()
# account (lower case) -> the identity name its user knows it by, recorded when an identity's key is
# loaded (keystore.Identity.account): a write that only knows the account (`client.transact`) still
# says whose lock it waits for by name, not by address.
_names: dict[str, str] = {}


def known_as(account: str, name: str) -> None:
    """Remember that `account` belongs to the identity `name` (for the messages of whoever waits)."""
    _names[account.lower()] = name


def _named(account: str, label: str, path: Path) -> str:
    """Who the lock is for, as the user knows it: the identity's name with its account, else the
    name the holding process wrote in the lock file, else the account."""
    if label.lower() != account.lower():
        return label
    return _names.get(account.lower()) or _holder_label(path) or account


def lock_timeout() -> float:
    """How long a writer waits for another process of the same issuer (0: refuse at once)."""
    return env_seconds(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT_S, zero_ok=True)


def process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or None
    when there is no such process. Where /proc is missing, "alive" is all that can be told."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode("ascii", "replace")
    except FileNotFoundError:
        if not os.path.isdir("/proc/self"):  # no procfs here: signal 0 says whether it lives
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return None
            except PermissionError:
                return "alive"
            return "alive"
        return None
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def me() -> tuple[int, str | None]:
    pid = os.getpid()
    return pid, process_start(pid)


def owner_alive(pid: int | None, start: str | None) -> bool:
    """Is the process that owns a row (pid, start time) still running? Rows without an owner (an
    older journal) have none alive."""
    if pid is None:
        return False
    current = process_start(pid)
    return current is not None and (start is None or current == start)


def lock_path(journal: Path, account: str) -> Path:
    return journal.with_name(f"journal-{account.lower()}.lock")


def _holder(path: Path) -> str:
    try:
        text = path.read_text(errors="replace").split()
    except OSError:
        return "pid unknown"
    return f"pid {text[0]}" if text and text[0].isdigit() else "pid unknown"


def _holder_label(path: Path) -> str | None:
    """The identity name the process holding the lock wrote (`PID LABEL`), if it wrote a name."""
    try:
        text = path.read_text(errors="replace").split(maxsplit=1)
    except OSError:
        return None
    label = text[1].strip() if len(text) == 2 and text[0].isdigit() else ""
    return label if 0 < len(label) <= 64 and label.isprintable() and not label.startswith("0x") else None


@contextlib.contextmanager
def exclusive(journal: Path, account: str, label: str, *, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the writer lock of `account` (named `label` in messages) for the block's duration."""
    path = lock_path(journal, account)
    with _guard:
        if path in _held:
            fd, depth = _held[path]
            _held[path] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            _release(path)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StateError(f"cannot open the writer lock {path}: {exc.strerror}; is the home writable?") from exc
    try:
        _acquire(fd, path, _named(account, label, path), say)
        with contextlib.suppress(OSError):  # who holds it: for the message of whoever waits
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {_names.get(account.lower(), label)}\n".encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    with _guard:
        _held[path] = (fd, 1)
    try:
        yield
    finally:
        _release(path)


def _try_lock(fd: int, path: Path) -> bool:
    """Take the lock if nobody holds it; False when another process does."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise StateError(f"cannot lock {path}: {exc.strerror}") from exc
        return False
    return True


def _acquire(fd: int, path: Path, label: str, say: Callable[[str], None] | None) -> None:
    if _try_lock(fd, path):
        return
    timeout = lock_timeout()
    who = _holder(path)
    (say or say_on_stderr)(f"another registry process is writing for {label} ({who}); waiting up to {timeout:.0f} s")
    deadline = time.monotonic() + timeout
    while True:
        if _try_lock(fd, path):
            return
        if time.monotonic() >= deadline:
            raise WriterBusy(
                f"another registry process ({_holder(path)}) is still writing for {label} after {timeout:.0f} s; "
                f"nothing was done: try again when it has finished (or raise {LOCK_TIMEOUT_ENV})"
            )
        time.sleep(0.05)


def _release(path: Path) -> None:
    with _guard:
        fd, depth = _held[path]
        if depth > 1:
            _held[path] = (fd, depth - 1)
            return
        del _held[path]
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
    os.close(fd)  # closing the last descriptor drops the flock


def say_on_stderr(message: str) -> None:
    with contextlib.suppress(OSError):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
