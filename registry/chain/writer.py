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

A flock lives on the file, not on its name: a lock file deleted while a writer held it (someone cleaning
up `*.lock`) let the next writer create a new file at that name and write beside the first (seen by hand:
`issue` went ahead at once). So, on Linux, a writer also binds an abstract Unix socket named after the
home directory (device and inode) and the account: the kernel keeps that name only while its process
lives, and no file operation can remove it. Both are taken, the file first (it serialises processes in
other network namespaces, containers sharing the home), then the name; a file whose name was removed or
replaced between its open and its lock is opened again.

Journal rows carry their owner as a lease: the pid and the process's start time (from
/proc/<pid>/stat, so a recycled pid does not count as the same process). Reconciliation only
takes over rows whose owner is this process or is gone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from registry.config import env_seconds
from registry.errors import StateError, WriterBusy

LOCK_TIMEOUT_ENV = "REGISTRY_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 120.0

# lock path -> (fd, the bound name's socket or None, depth): this process's locks
_held: dict[Path, tuple[int, socket.socket | None, int]] = {}
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
        held = _held.get(path)
        if held is not None:
            _held[path] = (held[0], held[1], held[2] + 1)
    if held is None:
        fd, bound = _acquire(path, account, _named(account, label, path), say)
        with contextlib.suppress(OSError):  # who holds it: for the message of whoever waits
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {_names.get(account.lower(), label)}\n".encode(), 0)
        with _guard:
            _held[path] = (fd, bound, 1)
    try:
        yield
    finally:
        _release(path)


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StateError(f"cannot open the writer lock {path}: {exc.strerror}; is the home writable?") from exc


def _still_named(fd: int, path: Path) -> bool:
    """Is the file locked through `fd` still the one at `path` (not removed or replaced meanwhile)?"""
    try:
        mine, named = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


def _try_lock(fd: int, path: Path) -> bool:
    """Take the lock if nobody holds it; False when another process does."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise StateError(f"cannot lock {path}: {exc.strerror}") from exc
        return False
    return True


def _lock_name(path: Path, account: str) -> bytes | None:
    """The abstract socket name of this home's lock of `account` (Linux only; None elsewhere): named by
    the home directory's device and inode and the account, so two spellings of one home share it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        home = os.stat(path.parent)
    except OSError as exc:
        raise StateError(f"cannot lock {path}: {exc.strerror}; is the home there?") from exc
    digest = hashlib.sha256(f"{home.st_dev}:{home.st_ino}:{account.lower()}".encode()).hexdigest()[:40]
    return b"\0registry-writer-" + digest.encode()


def _try_bind(name: bytes | None) -> tuple[bool, socket.socket | None]:
    """Bind the lock's name: (True, its socket) when taken (or there is none to take), (False, None)
    when a live process holds it."""
    if name is None:
        return True, None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(name)
        sock.listen(16)  # never accepted: a waiter's connection only asks who listens (_name_holder)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            return False, None
        return True, None  # no abstract sockets here (a sandbox): the flock alone, as before
    return True, sock


def _name_holder(name: bytes | None) -> str:
    """The pid of the process holding the lock's name (the kernel says who listens), else 'pid unknown'."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.setblocking(False)  # its queue full: "pid unknown", never a wait
        probe.connect(name or b"")
        pid = struct.unpack("3i", probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))[0]
        return f"pid {pid}"
    return "pid unknown"


def _try_both(path: Path, name: bytes | None, fd: int) -> tuple[int, socket.socket | None, str | None, bool]:
    """One attempt at the file's lock, then the name's: (fd, socket, None, True) when both are held; else
    the fd to try again (reopened if the file was removed or replaced) and who holds what was not taken."""
    if not _try_lock(fd, path):
        return fd, None, _holder(path), False
    if not _still_named(fd, path):  # removed or replaced before it was locked: lock the file there now
        reopened = _open(path)  # before the close: a failure leaves `fd` for the caller to close
        os.close(fd)
        return reopened, None, None, False
    taken, sock = _try_bind(name)
    if taken:
        return fd, sock, None, True
    return (
        fd,
        None,
        f"{_name_holder(name)}, whose lock file {path.name} was removed while it wrote: never remove it",
        False,
    )


def _acquire(
    path: Path, account: str, label: str, say: Callable[[str], None] | None
) -> tuple[int, socket.socket | None]:
    fd = _open(path)  # the home made first, if need be: the name is the home directory's
    deadline, timeout, who = None, 0.0, None
    try:
        name = _lock_name(path, account)
        while True:
            fd, sock, holder, done = _try_both(path, name, fd)
            if done:
                return fd, sock
            if deadline is None:
                timeout = lock_timeout()
                deadline = time.monotonic() + timeout
            if holder is not None and who is None:
                who = holder
                (say or say_on_stderr)(
                    f"another registry process is writing for {label} ({who}); waiting up to {timeout:.0f} s"
                )
            if time.monotonic() >= deadline:
                raise WriterBusy(
                    f"another registry process ({holder or who or 'pid unknown'}) is still writing for {label} after "
                    f"{timeout:.0f} s; nothing was done: try again when it has finished (or raise {LOCK_TIMEOUT_ENV})"
                )
            if holder is not None:
                time.sleep(0.05)
    except BaseException:
        os.close(fd)
        raise


def _release(path: Path) -> None:
    with _guard:
        fd, sock, depth = _held[path]
        if depth > 1:
            _held[path] = (fd, sock, depth - 1)
            return
        del _held[path]
    if sock is not None:
        sock.close()  # the name first, then the file: a waiter holding the file's new lock takes the name
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
    os.close(fd)  # closing the last descriptor drops the flock


def say_on_stderr(message: str) -> None:
    with contextlib.suppress(OSError):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
