"""Whole-request deadlines: time bounded per request, not per socket read.

A node that trickles its answer a byte at a time would reset a read timeout forever. Each request
has a deadline (the client's `timeout_s`, and the tighter ambient one a caller sets with
`read_deadline()` around a whole verification); one watchdog thread shuts down the socket of a
request whose deadline passed.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class _Deadline:
    at: float  # time.monotonic()
    seconds: float
    name: str


_DEADLINE: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar("registry_read_deadline", default=None)


@contextlib.contextmanager
def read_deadline(seconds: float, name: str = "read deadline") -> Iterator[None]:
    """Every JSON-RPC request made inside (this thread or task) ends by `seconds` from now, whatever
    each request's own timeout; nested deadlines keep the tighter one. `name` is how a missed
    deadline is described ("no answer within the 8 s read deadline")."""
    outer = _DEADLINE.get()
    mine = _Deadline(time.monotonic() + seconds, seconds, name)
    token = _DEADLINE.set(mine if outer is None or mine.at < outer.at else outer)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def start_read_deadline(seconds: float, name: str = "read deadline") -> None:
    """`read_deadline` for the rest of the current context: a command's whole run."""
    outer = _DEADLINE.get()
    mine = _Deadline(time.monotonic() + seconds, seconds, name)
    _DEADLINE.set(mine if outer is None or mine.at < outer.at else outer)


class _NoAnswer(TimeoutError):
    """A request's deadline passed before its whole answer arrived."""

    def __init__(self, budget: str) -> None:
        super().__init__(budget)
        self.budget = budget


class _Alarm:
    __slots__ = ("done", "fired", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.done = False
        self.fired = False


class _Watchdog:
    """One daemon thread that shuts down the sockets of requests past their deadline.

    A blocked recv() returns at once when its socket is shut down, so a request that trickles, or
    stalls between the headers and the body, ends at its deadline however its reads are paced.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Alarm]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def arm(self, at: float, sock: socket.socket) -> _Alarm:
        alarm = _Alarm(sock)
        with self._cond:
            heapq.heappush(self._heap, (at, next(self._seq), alarm))
            if self._pid != os.getpid():  # first use, or a forked child: the thread is not ours
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="rpc-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is alarm:
                self._cond.notify()
        return alarm

    def disarm(self, alarm: _Alarm) -> bool:
        """Stop watching; True when the deadline had already fired (the socket is shut down)."""
        with self._cond:
            alarm.done = True
            return alarm.fired

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, alarm = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                if alarm.done:
                    continue
                alarm.fired = True
            with contextlib.suppress(OSError):
                # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would drop its
                # SSL object under the reading thread's feet.
                socket.socket.shutdown(alarm.sock, socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()
