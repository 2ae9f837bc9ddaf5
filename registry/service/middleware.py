"""Abuse protection in front of every route: a request body cap and a per-client rate limit.

Both are plain ASGI middleware so they act before FastAPI reads or parses anything.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class BodyLimit:
    """413 for a body over `limit` bytes: by Content-Length, or for a chunked body (no length) by
    reading it here first, up to the limit, and handing the app the buffered copy.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"the request body is larger than {self.limit} bytes"
        length = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await _send_problem(send, 413, "Request body too large", detail, "body-too-large")
                return
            await self.app(scope, receive, send)  # the server holds the body to its stated length
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _send_problem(send, 413, "Request body too large", detail, "body-too-large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


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
