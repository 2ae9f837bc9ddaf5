"""Files named by whoever runs a command: read within a size cap, and only if they are files.

`Path.read_bytes()` reads everything before any cap can be applied: `/dev/zero` or a sparse file
of several GB runs the process out of memory first, and a FIFO with no writer blocks forever.
`read_capped` opens without blocking, asks the open file (not the name, which may be swapped in
between) what it is, refuses anything but a regular file, refuses by the size the file system
states before reading a byte, and then reads at most the cap plus one byte, so a file that grows
while it is read is refused as well. Standard input ("-") may be a pipe or a terminal; it is read
up to the cap plus one byte the same way.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from registry.errors import InputError

MIB = 1024 * 1024
STDIN = "-"


def no_such_file(name: str | Path) -> str:
    """ "no such file: NAME", and for a name with a shell pattern in it (`safety/3-*.json`), that the
    shell passes a pattern that matched nothing on as it is."""
    text = str(name)
    if any(c in text for c in "*?["):
        return f"no such file: {text} (a pattern that matched no file: check the directory with `ls`)"
    return f"no such file: {text}"


def size_words(cap: int) -> str:
    """1048576 -> "1 MiB", 262144 -> "256 KiB"."""
    if cap % MIB == 0:
        return f"{cap // MIB} MiB"
    return f"{cap // 1024} KiB" if cap % 1024 == 0 else f"{cap} bytes"


def size_of(size: int) -> str:
    """A size as people read it, rounded up (so a size above a cap never reads as the cap):
    1468006 -> "1.5 MiB", 900000 -> "879 KiB"."""
    if size > MIB:
        return f"{-(-size * 10 // MIB) / 10} MiB"
    return f"{-(-size // 1024)} KiB" if size >= 1024 else f"{size} bytes"


class TooLarge(InputError):
    """A file (or stdin) larger than the cap it is read under: refused before it is read whole."""


def without_bom(content: bytes) -> bytes:
    """A document as given, less the UTF-8 byte-order mark an editor (Notepad, Excel) may put first."""
    return content.removeprefix(b"\xef\xbb\xbf")


def read_capped(path: str | Path, cap: int, what: str | None = None) -> bytes:
    """The bytes of `path` (STDIN for standard input), at most `cap` of them; InputError naming
    `what` (default: the path) for anything else: not there, unreadable, not a regular file,
    larger than the cap."""
    name = what or ("stdin" if str(path) == STDIN else str(path))
    if str(path) == STDIN:
        if sys.stdin is None:  # started with standard input closed
            raise InputError("stdin is closed: there is nothing to read")
        return _read_fd(sys.stdin.buffer.fileno(), cap, name, is_stdin=True)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(no_such_file(name)) from None
    except IsADirectoryError:  # Windows; on POSIX a directory opens and fstat says what it is
        raise InputError(f"{name} is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        return _read_fd(fd, cap, name, is_stdin=False)
    finally:
        os.close(fd)


def _read_fd(fd: int, cap: int, name: str, *, is_stdin: bool) -> bytes:
    try:
        info = os.fstat(fd)
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise InputError(f"{name} is a directory, not a file")
    if not is_stdin and not stat.S_ISREG(mode):
        raise InputError(f"{name} is not a regular file (a device, a pipe or a socket)")
    too_large = f"{name} is larger than {size_words(cap)}"
    if stat.S_ISREG(mode) and info.st_size > cap:
        raise TooLarge(too_large)
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= cap:
            chunk = os.read(fd, min(cap + 1 - size, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    if size > cap:
        raise TooLarge(too_large)
    return b"".join(chunks)
