"""Abuse protection in front of every route: a request body cap and a per-client rate limit.

Both are plain ASGI middleware so they act before FastAPI reads or parses anything.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.chain.client import noting_bad_answers, read_deadline
from registry.service.deps import wants_fresh
from registry.service.errors import PROBLEM_JSON, problem_type

_MAX_TRACKED_CLIENTS = 100_000


async def _send_problem(
    send: Send, status: int, title: str, detail: str, slug: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps({"type": problem_type(slug), "title": title, "status": status, "detail": detail}).encode()
    raw_headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


# Request bodies held at once by one worker process, in bodies of the largest size: the body is read
# whole before anything else (below), so without a bound one client opening hundreds of requests and
# sending each 2 MiB body but its last byte held gigabytes until their 30 s ran out (900 such
# requests from one address took a worker from 1.3 to 2 GB). Beyond the budget a request is answered
# 503 (retry shortly) and its part of the body let go; one client address holds at most its share.
BODY_BUDGET_BODIES = 64
PER_CLIENT_BODIES = 4


class BodyLimit:
    """413 for a body over `limit` bytes: by Content-Length at once, else as it arrives; 408 for one
    that has not arrived whole within `deadline_s`; 503 when the bodies being received at once pass
    the worker's budget (BODY_BUDGET_BODIES bodies of `limit` bytes, PER_CLIENT_BODIES from one
    client address). The body is read here, before a route family's slot is taken (FamilyLimit runs
    inside), and the app is handed the buffered copy: a client that states a length and then
    trickles its body (a byte every few seconds) held a slot of its family for as long as it liked,
    and 40 of them made every /verify answer 503 Busy.
    """

    def __init__(self, app: ASGIApp, limit: int, deadline_s: float) -> None:
        self.app = app
        self.limit = limit
        self.deadline_s = deadline_s
        self.budget = BODY_BUDGET_BODIES * limit
        self.per_client = PER_CLIENT_BODIES * limit
        self.held = 0  # bytes of bodies being received, in this process (the event loop's thread only)
        self.held_by: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"the request body is larger than {self.limit} bytes"
        length = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _send_problem(send, 413, "Request body too large", detail, "body-too-large")
            return
        client: Any = scope.get("client")
        key = str(client[0]) if client else "unknown"
        chunks: list[bytes] = []
        try:
            with anyio.move_on_after(self.deadline_s) as waited:
                outcome = await self._read(receive, chunks, key)
        finally:
            self._let_go(key, sum(len(c) for c in chunks))
        if waited.cancelled_caught:
            late = f"the request body did not arrive whole within {self.deadline_s:g} s"
            await _send_problem(send, 408, "Request body too slow", late, "body-too-slow", {"Connection": "close"})
            return
        if outcome == "too large":
            await _send_problem(send, 413, "Request body too large", detail, "body-too-large")
            return
        if outcome == "over budget":
            busy = "too many request bodies are being received at once; retry shortly"
            await _send_problem(send, 503, "Busy", busy, "busy", {"Retry-After": "1", "Connection": "close"})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive, chunks: list[bytes], key: str) -> str | None:
        """The body's chunks into `chunks`, counted against the budgets; "too large" as soon as they
        add up to more than the limit, "over budget" as soon as a budget would be passed."""
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return "too large"
            mine = self.held_by.get(key, 0)
            if chunk and (self.held + len(chunk) > self.budget or mine + len(chunk) > self.per_client):
                return "over budget"
            chunks.append(chunk)
            self.held += len(chunk)
            self.held_by[key] = mine + len(chunk)
            if not message.get("more_body", False):
                return None

    def _let_go(self, key: str, size: int) -> None:
        """The body is read (or given up): its bytes no longer count against the budgets (the
        app's copy is the request's own, freed with it)."""
        self.held -= size
        left = self.held_by.get(key, 0) - size
        if left > 0:
            self.held_by[key] = left
        else:
            self.held_by.pop(key, None)


class TokenBuckets:
    """One token bucket per client key; thread-safe, bounded in the number of clients tracked."""

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self.rate = rate_per_s
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take a token for `key`: 0.0 if allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > _MAX_TRACKED_CLIENTS:
                # Forgetting a client only hands it a full bucket again; memory stays bounded.
                self._buckets.clear()
            return (1.0 - tokens) / self.rate


class RateLimit:
    """429 problem+json when a client (by address) exceeds its token bucket."""

    def __init__(self, app: ASGIApp, rate_per_s: float, burst: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(rate_per_s, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client: Any = scope.get("client")
        key = str(client[0]) if client else "unknown"
        wait = self.buckets.take(key)
        if wait > 0:
            await _send_problem(
                send,
                429,
                "Too many requests",
                f"rate limit of {self.buckets.rate:g} requests/s (burst {self.buckets.burst:g}) exceeded",
                "rate-limited",
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
            return
        await self.app(scope, receive, send)


# The worker threads that run the routes (anyio's default is 40), and how many requests of one
# route family (the first path segment: /verify, /did-registry, /api...) may run at once. Six
# families at 40 hold at most 240 of the 256 threads: requests stuck on one slow upstream method
# fill their own family's slots, never the threads every other client needs.
WORKER_THREADS = 256
PER_FAMILY = 40
# How long a request waits for a slot of its family before it is answered 503 (retry later).
FAMILY_QUEUE_S = 1.0


class FamilyLimit:
    """At most `PER_FAMILY` requests of one route family in flight; the next waits up to
    `FAMILY_QUEUE_S` for a slot, then gets a 503 problem with Retry-After, at once. The families are
    the app's own (`families`, the first segments of its routes), fixed when it is built; any other
    path is one family, "*". They were made as requests came, 64 at most: a client that asked for 64
    made-up paths first put every family not asked yet (/verify, say) in one shared family with them.
    """

    def __init__(
        self, app: ASGIApp, families: frozenset[str], per_family: int = PER_FAMILY, queue_s: float = FAMILY_QUEUE_S
    ) -> None:
        self.app = app
        self.per_family = per_family
        self.queue_s = queue_s
        self._slots = {family: anyio.Semaphore(per_family) for family in (*families, "*")}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        family = str(scope.get("path", "/")).lstrip("/").split("/", 1)[0]
        slots = self._slots.get(family)
        if slots is None:
            family, slots = "*", self._slots["*"]
        with anyio.move_on_after(self.queue_s) as waited:
            await slots.acquire()
        if waited.cancelled_caught:
            await _send_problem(
                send,
                503,
                "Busy",
                f"{self.per_family} requests to /{family} are in progress already; retry shortly",
                "busy",
                {"Retry-After": "1"},
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()


class ReadDeadline:
    """Every chain read a request makes ends within `seconds` of its arrival, however the node paces
    its answers (the whole-request deadline of registry.chain.client.read_deadline): a stuck upstream
    request costs its own client a 503 by then, and nobody else anything."""

    def __init__(
        self,
        app: ASGIApp,
        seconds: float,
        longer: dict[str, float] | None = None,
        on_bad_answer: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.longer = longer or {}  # path -> seconds, for routes that wait on purpose (a receipt)
        self.on_bad_answer = on_bad_answer  # a node answer did not decode: forget what was cached

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with (
            read_deadline(self.longer.get(scope.get("path", ""), self.seconds), "request deadline"),
            noting_bad_answers() as bad,
        ):
            try:
                await self.app(scope, receive, send)
            finally:
                if bad and self.on_bad_answer is not None:
                    self.on_bad_answer()


class BlockHeader:
    """Adds `X-Block-Number`: the chain head a response was computed at (set by the chain dependency)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_block(message: Message) -> None:
            block = scope.get("state", {}).get("block")
            if message["type"] == "http.response.start" and block is not None:
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-block-number", str(block).encode())],
                }
            await send(message)

        await self.app(scope, receive, send_with_block)


class ReadCache:
    """Answers repeated chain reads from memory: the EBSI read APIs are functions of the chain
    head (and, where a route defaults to "now", of the clock), so a 200 answer computed at one
    head is replayed, byte for byte, to the same GET (same path, query, Accept and Host) at the same head
    within the same second, from the third asking on (the second is remembered). Only fresh
    heads are used (the route's own rule); a request asking for a fresh read (Cache-Control:
    no-cache) always goes to the route. Only the newest head's answers are kept, so instances
    behind a load balancer still share nothing.
    """

    PREFIXES = ("/did-registry/", "/trusted-issuers-registry/", "/timestamp/", "/trusted-schemas-registry/")
    MAX_BODY = 1 << 20
    MAX_ENTRIES = 10_000
    MAX_BYTES = 64 << 20  # all kept answers together, per worker

    def __init__(self, app: ASGIApp, access: Any) -> None:
        self.app = app
        self.access = access
        self._entries: dict[tuple[Any, ...], tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        # Keys asked once at this head: an answer is kept from its second asking on, so one-off
        # requests (a crawler, a client varying its query) cost nothing to remember.
        self._seen: set[tuple[Any, ...]] = set()
        self._bytes = 0
        self._head: Any = None

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.PREFIXES):
            return False
        cache_control = dict(scope.get("headers", ())).get(b"cache-control")
        return not wants_fresh(cache_control.decode("latin-1") if cache_control is not None else None)

    def _key(self, scope: Scope, head: Any, second: int) -> tuple[Any, ...]:
        # Everything an answer can depend on besides the chain: the path and query, the media
        # type asked for, and what absolute links in it are built from (scheme, host, root path).
        headers = dict(scope.get("headers", ()))
        return (
            head,
            second,
            scope["path"],
            scope.get("query_string", b""),
            headers.get(b"accept", b""),
            scope.get("scheme"),
            headers.get(b"host", b""),
            scope.get("root_path", ""),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        second = int(time.time())
        head = self.access.known_head()
        if head is not None:
            hit = self._entries.get(self._key(scope, head, second))
            if hit is not None:
                status, headers, body = hit
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._store(scope, second, started, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, remember)

    def _store(self, scope: Scope, second: int, started: dict[str, Any], body: bytes) -> None:
        head = scope.get("state", {}).get("head")
        if started.get("status") != 200 or head is None or len(body) > self.MAX_BODY:
            return
        if head != self._head:  # a new head: everything older is stale
            self._entries.clear()
            self._seen.clear()
            self._bytes = 0
            self._head = head
        key = self._key(scope, head, second)
        if key not in self._seen:
            if len(self._seen) >= self.MAX_ENTRIES:
                self._seen.clear()
            self._seen.add(key)
            return
        if len(self._entries) >= self.MAX_ENTRIES or self._bytes + len(body) > self.MAX_BYTES:
            self._entries.clear()
            self._bytes = 0
        self._entries[key] = (200, list(started.get("headers", [])), body)
        self._bytes += len(body)
