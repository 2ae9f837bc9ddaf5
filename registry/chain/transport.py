"""JSON-RPC over HTTP(S): one request or a batch per POST, each within its deadline; RPC URLs
checked, compared and shown without their credentials.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

import orjson

from registry.chain.answers import BadAnswer, not_valid
from registry.chain.deadline import _DEADLINE, _WATCHDOG, _Alarm, _NoAnswer
from registry.errors import ChainUnavailable, ConfigError, SettingsError

# The most of one JSON-RPC answer read (a batch's included): far above what any of our reads
# returns, and a node cannot make a verifier hold hundreds of megabytes.
MAX_ANSWER_BYTES = 32 * 2**20


def _unreachable(url: str, exc: BaseException, timeout_s: float) -> str:
    """What happened to a request that got no answer, in one line (the library's text is a page
    long): no answer in time, a connection closed without an answer, or no connection at all."""
    if isinstance(exc, _NoAnswer):
        return f"the node at {url} gave no answer within {exc.budget}"
    if isinstance(exc, TimeoutError):
        return f"the node at {url} gave no answer within {timeout_s:g} s"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the node at {url} closed the connection before its answer was complete"
    if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
        return f"the node at {url} closed the connection without answering"
    if isinstance(exc, OSError | http.client.HTTPException):
        return f"cannot reach the chain at {url}: connection refused or host unreachable"
    return f"cannot reach the chain at {url}: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")


_USERINFO = re.compile(r"(?<=//)[^/?#@]*@")
_QUERY = re.compile(r"\?[^#]*")


# A path segment this long is a key: providers put them there (Infura /v3/KEY, Alchemy /v2/KEY,
# QuickNode /TOKEN/, Ankr /eth/KEY); short ones (/rpc, /v3, /eth) say which endpoint it is.
_KEY_SEGMENT = re.compile(r"(?<=/)[^/?#]{16,}")


def shown_url(url: str) -> str:
    """`url` as messages, evidence and the service's log show it: credentials (user:password@), the
    query and path segments of 16 characters or more (where providers put API keys) replaced by ***.
    Every message naming a JSON-RPC URL shows this."""
    url = _QUERY.sub("?***", _USERINFO.sub("***@", url))
    authority = url.find("//")
    path = url.find("/", authority + 2 if authority >= 0 else 0)
    return url if path < 0 else url[:path] + _KEY_SEGMENT.sub("***", url[path:])


def _parse_rpc_url(url: str) -> tuple[urllib.parse.SplitResult, str, int | None]:
    """Split a JSON-RPC URL into (parts, host, port), or raise ConfigError naming the URL.

    urllib only checks the port when it is read (`.port` raises ValueError for "99999" or
    "8545,http:"), so it is read here, inside the check, never later where a ValueError would
    escape as a traceback.
    """
    shown = f"{shown_url(url)[:80]!r}"
    if _URL_FORBIDDEN.search(url):
        raise SettingsError(f"not a usable JSON-RPC URL: {shown} contains a space or control character")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        netloc = url.split("://", 1)[-1].split("/", 1)[0]
        if "[" in netloc or "]" in netloc:
            reason = "its IPv6 address is not well bracketed"
        else:
            reason = "its port is not a number from 0 to 65535"
        if "," in url:
            reason += " (give one URL per --rpc option)"
        raise SettingsError(f"not a usable JSON-RPC URL: {shown}: {reason}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"not an http(s) JSON-RPC URL: {shown}")
    return parts, parts.hostname, port


_LOOPBACK = frozenset({"localhost", "::1", "0:0:0:0:0:0:0:1"})


def endpoint_identity(url: str) -> tuple[str, str, int, str]:
    """What makes two JSON-RPC URLs the same node, as far as the URL can tell: scheme, host (any
    loopback name or address is one host), port (the scheme's default when none is given) and path
    with its query (a trailing slash aside); user and password are not part of it. A quorum counts
    endpoints by this, so one node given twice never agrees with itself."""
    parts, host, port = _parse_rpc_url(url)
    host = host.lower().rstrip(".")
    if host in _LOOPBACK or re.fullmatch(r"127(\.\d{1,3}){3}", host):
        host = "loopback"
    path = (parts.path or "/").rstrip("/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def repeated_endpoint(urls: Sequence[str]) -> tuple[str, str] | None:
    """The first pair of URLs naming the same endpoint (`endpoint_identity`), or None. A URL that
    is not usable is left to the caller's reading of it (its endpoint does not answer)."""
    seen: dict[tuple[str, str, int, str], str] = {}
    for url in urls:
        try:
            key = endpoint_identity(url)
        except ConfigError:
            continue
        if key in seen:
            return seen[key], url
        seen[key] = url
    return None


class _Transport:
    """JSON-RPC over HTTP(S): one request or a batch per POST, on a kept-alive connection per thread.

    The standard library's http.client, not requests: a verifier's start-up pays for every import,
    and requests (with urllib3, idna, charset detection) costs more than the three round trips.
    """

    def __init__(self, url: str, timeout_s: float) -> None:
        parts, host, port = _parse_rpc_url(url)
        self.url = shown_url(url)  # for messages only
        self.timeout_s = timeout_s
        self._https = parts.scheme == "https"
        self._host = host
        self._port = port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if parts.username:
            token = base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
            self._headers["Authorization"] = f"Basic {token}"
        self._local = threading.local()
        self._ids = itertools.count(1)

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self.timeout_s)
            self._local.connection = connection
        return connection

    def _budget(self) -> tuple[float, str]:
        """This request's deadline (monotonic) and how to describe it when it passes."""
        own = time.monotonic() + self.timeout_s
        ambient = _DEADLINE.get()
        if ambient is not None and ambient.at < own:
            return ambient.at, f"the {ambient.seconds:g} s {ambient.name}"
        return own, f"{self.timeout_s:g} s"

    def _exchange(
        self, connection: http.client.HTTPConnection, data: bytes, at: float, budget: str
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One POST and its whole answer, by `at` at the latest."""
        remaining = at - time.monotonic()
        if remaining <= 0:
            raise _NoAnswer(budget)
        alarm: _Alarm | None = None
        try:
            connection.timeout = remaining
            if connection.sock is None:
                connection.connect()
            sock = connection.sock
            assert sock is not None
            sock.settimeout(remaining)  # no single read outlives the deadline either
            alarm = _WATCHDOG.arm(at, sock)
            connection.request("POST", self._path, data, self._headers)
            response = connection.getresponse()
            raw = response.read(MAX_ANSWER_BYTES + 1)
        except (OSError, http.client.HTTPException) as exc:
            fired = alarm is not None and _WATCHDOG.disarm(alarm)
            if fired or isinstance(exc, TimeoutError):
                raise _NoAnswer(budget) from exc
            raise
        if _WATCHDOG.disarm(alarm):
            connection.close()  # answered just in time, but the socket is shut down now
        if len(raw) > MAX_ANSWER_BYTES:
            connection.close()  # the rest of the answer is never read
            raise BadAnswer(
                f"the node at {self.url} answered something that is not a valid JSON-RPC answer "
                f"(answer too large: over {MAX_ANSWER_BYTES // 2**20} MiB)"
            )
        return response, raw

    def _post(self, body: Any) -> Any:
        data = json.dumps(body).encode()
        at, budget = self._budget()
        for attempt in (1, 2):
            connection = self._connection()
            try:
                response, raw = self._exchange(connection, data, at, budget)
                break
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                self._local.connection = None
                # A kept-alive connection the server had closed fails at once: one fresh try.
                if attempt == 2 or isinstance(exc, TimeoutError):
                    raise
        if response.status >= 400 and not raw.strip().startswith((b"{", b"[")):
            raise ChainUnavailable(f"the node at {self.url} answered HTTP {response.status}")
        try:
            # orjson: faster, and it refuses nesting past 1024 levels instead of recursing in C
            # (a node's answer is a stranger's document; see registry/formats/safejson.py).
            return orjson.loads(raw)
        except ValueError as exc:
            raise ChainUnavailable(f"the node at {self.url} did not answer JSON-RPC") from exc

    def make_request(self, method: str, params: list[Any]) -> Any:
        return self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})

    def make_batch_request(self, calls: list[tuple[str, list[Any]]]) -> Any:
        first = next(self._ids)
        for _ in range(len(calls) - 1):
            next(self._ids)
        body = [{"jsonrpc": "2.0", "id": first + n, "method": m, "params": p} for n, (m, p) in enumerate(calls)]
        answer = self._post(body)
        if not isinstance(answer, list):
            return answer  # one object for a whole batch: the client says what it means
        # One answer per request, each id exactly once: anything else cannot be matched up.
        by_id: dict[Any, Any] = {}
        for r in answer:
            key = r.get("id") if isinstance(r, dict) else None
            if not isinstance(key, int) or isinstance(key, bool) or key in by_id:
                raise not_valid("batch", self.url)
            by_id[key] = r
        if len(answer) != len(calls) or set(by_id) != set(range(first, first + len(calls))):
            raise not_valid("batch", self.url)
        return [by_id[first + n] for n in range(len(calls))]
