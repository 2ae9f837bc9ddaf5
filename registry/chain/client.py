"""One JSON-RPC connection: raw reads (single or batched), signed writes, errors mapped.

Requests go out as plain JSON-RPC over one HTTP session, calldata encoded with eth_abi. Neither
web3.py nor eth-account is imported on this path: importing them costs about two seconds (their
BLS and provider machinery), which would dominate a `registry verify` that makes three round
trips. Writes are signed locally with the caller's key (an eth-account object the caller hands
in; nothing here ever sends a key anywhere) and are priced for the network they hit:
EIP-1559 where the latest block has a base fee, a legacy gas price elsewhere (Besu networks
often run with a zero gas price).

Nothing a node answers is trusted to have the right shape: every result is checked against what
its method must return (a hex quantity, a block header with a number, hash and timestamp, a list
of logs...), a batch must answer each id once, and ABI decoding failures or enum values out of
range are the same fault. All of these raise `BadAnswer`, a `ChainUnavailable`: the verifier turns
it into "could not determine", never into a verdict, and never into a traceback.

Time is bounded per request, not per socket read: a node that trickles its answer a byte at a
time would reset a read timeout forever. Each request has a deadline (the client's `timeout_s`,
and the tighter ambient one a caller sets with `read_deadline()` around a whole verification);
one watchdog thread shuts down the socket of a request whose deadline passed.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import heapq
import http.client
import itertools
import json
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import orjson
from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

from registry.chain.artifacts import abi
from registry.chain.errors import decode_revert
from registry.errors import ChainUnavailable, ConfigError, RegistryError, TransactionReverted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

T = TypeVar("T")
E = TypeVar("E", bound=IntEnum)

# EIP-7825 caps a transaction at 2^24 gas on Osaka networks; stay under it everywhere.
TX_GAS_CAP = 16_777_216
GAS_HEADROOM = 1.2


@dataclass(frozen=True)
class Call:
    """A read: contract address, function (from our ABIs) and arguments."""

    address: str
    contract: str
    function: str
    args: tuple[Any, ...] = ()


class Submitter(Protocol):
    """Where a client's writes go when it has one: the journal (`registry.chain.txmanager.TxManager`),
    named here by shape so that the client does not import the journal that imports it."""

    def submit(self, account: LocalAccount, call: Call) -> dict[str, Any]: ...

    def reconcile(self, account: LocalAccount, identity: Any = None, *, explicit: bool = False) -> list[str]: ...


class Abi:
    """Encoding and decoding for one contract's functions and events, from its artifact."""

    def __init__(self, contract: str) -> None:
        self.functions: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        for item in abi(contract):
            if item["type"] == "function":
                self.functions[item["name"]] = item
            elif item["type"] == "event":
                self.events[item["name"]] = item

    @staticmethod
    def _type(item: dict[str, Any]) -> str:
        kind: str = item["type"]
        if kind.startswith("tuple"):
            return "(" + ",".join(Abi._type(c) for c in item["components"]) + ")" + kind[5:]
        return kind

    # Each computed once per function: a verifier encodes the same few calls over and over.
    @cache  # noqa: B019 - one Abi per contract, alive for the process
    def input_types(self, function: str) -> list[str]:
        return [self._type(i) for i in self.functions[function]["inputs"]]

    @cache  # noqa: B019
    def output_types(self, function: str) -> list[str]:
        return [self._type(o) for o in self.functions[function]["outputs"]]

    @cache  # noqa: B019
    def selector(self, function: str) -> bytes:
        return keccak(text=f"{function}({','.join(self.input_types(function))})")[:4]

    def encode_call(self, function: str, args: Sequence[Any]) -> str:
        data = self.selector(function) + encode(self.input_types(function), list(args))
        return "0x" + data.hex()

    def decode_output(self, function: str, data: str) -> tuple[Any, ...]:
        try:
            return tuple(decode(self.output_types(function), _hex_bytes(data)))
        except (DecodingError, ValueError, TypeError, OverflowError) as exc:
            raise BadAnswer(f"the node answered something that is not a valid eth_call result for {function}") from exc

    @cache  # noqa: B019
    def event_topic(self, event: str) -> str:
        item = self.events[event]
        signature = f"{event}({','.join(self._type(i) for i in item['inputs'])})"
        return "0x" + keccak(text=signature).hex()

    def decode_event(self, event: str, log: dict[str, Any]) -> dict[str, Any]:
        """Decode one log of `event`: indexed fields from topics, the rest from data."""
        try:
            return self._decode_event(event, log)
        except (DecodingError, ValueError, TypeError, KeyError, OverflowError) as exc:
            raise BadAnswer(f"the node answered something that is not a valid eth_getLogs result for {event}") from exc

    def _decode_event(self, event: str, log: dict[str, Any]) -> dict[str, Any]:
        item = self.events[event]
        indexed = [i for i in item["inputs"] if i["indexed"]]
        plain = [i for i in item["inputs"] if not i["indexed"]]
        values: dict[str, Any] = {}
        for field, topic in zip(indexed, log["topics"][1:], strict=True):
            raw = bytes.fromhex(topic[2:]) if isinstance(topic, str) else bytes(topic)
            values[field["name"]] = decode([self._type(field)], raw)[0]
        data = log["data"]
        raw_data = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
        for field, value in zip(plain, decode([self._type(p) for p in plain], raw_data), strict=True):
            values[field["name"]] = value
        return values


_ABIS: dict[str, Abi] = {}


class BadAnswer(ChainUnavailable):
    """The node answered, but not with what the method must return (a lying or broken node)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        seen = _BAD_ANSWERS.get()
        if seen is not None:
            seen.append(self)


# The bad answers met in this context (a service request): whatever it cached may hold a lie.
_BAD_ANSWERS: contextvars.ContextVar[list[BadAnswer] | None] = contextvars.ContextVar("bad_answers", default=None)


@contextlib.contextmanager
def noting_bad_answers() -> Iterator[list[BadAnswer]]:
    """Collect every BadAnswer raised inside (this context and those copied from it), caught or not."""
    seen: list[BadAnswer] = []
    token = _BAD_ANSWERS.set(seen)
    try:
        yield seen
    finally:
        _BAD_ANSWERS.reset(token)


def not_valid(method: str, url: str | None = None) -> BadAnswer:
    where = f"the node at {url}" if url else "the node"
    return BadAnswer(f"{where} answered something that is not a valid {method} result")


def enum_member(kind: type[E], value: Any, method: str = "eth_call") -> E:
    """`kind(value)` for a value the node returned; out of range is a bad answer, not a crash."""
    try:
        return kind(value)
    except (ValueError, TypeError) as exc:
        raise BadAnswer(
            f"the node answered something that is not a valid {method} result ({kind.__name__} {value!r})"
        ) from exc


def _hex_bytes(data: Any) -> bytes:
    if not isinstance(data, str) or not _DATA.match(data):
        raise ValueError("not 0x-prefixed hex data")
    return bytes.fromhex(data[2:])


# The last second ISO 8601 can write (9999-12-31T23:59:59Z). Every time the chain itself records (a
# block's timestamp, and what contracts copy from it: anchor, registration, status-change times)
# lies in 1970..this; a node that answers another has lied, and a verifier must not try to print it.
MAX_CHAIN_TIME = 253_402_300_799


def chain_time(value: Any, method: str, what: str = "time") -> int:
    """`value`, a time the chain recorded, or BadAnswer when it is not one from 1970 to 9999."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CHAIN_TIME:
        raise BadAnswer(
            f"the node answered something that is not a valid {method} result ({what} {value!r} is not a time "
            "from 1970 to 9999)"
        )
    return value


def header_time(header: Any, block: int | str, url: str | None = None) -> int:
    """The timestamp of a block header the node returned; a missing block is the node's fault."""
    if not isinstance(header, dict):
        where = f"the node at {url}" if url else "the node"
        raise ChainUnavailable(f"{where} has no block {block} (it may be behind or out of sync)")
    return chain_time(int(header["timestamp"], 16), "eth_getBlockByNumber", "block time")


# The most of one JSON-RPC answer read (a batch's included): far above what any of our reads
# returns, and a node cannot make a verifier hold hundreds of megabytes.
MAX_ANSWER_BYTES = 32 * 2**20

# -- the shapes JSON-RPC results must have ----------------------------------------------------

_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,64}\Z")
_DATA = re.compile(r"0x(?:[0-9a-fA-F]{2})*\Z")
_HASH = re.compile(r"0x[0-9a-fA-F]{64}\Z")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")


def _matches(pattern: re.Pattern[str], value: Any) -> bool:
    return isinstance(value, str) and pattern.match(value) is not None


def _is_quantity(value: Any) -> bool:
    return _matches(_QUANTITY, value)


def _is_data(value: Any) -> bool:
    return _matches(_DATA, value)


def _is_hash(value: Any) -> bool:
    return _matches(_HASH, value)


def _is_block(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _is_quantity(value.get("number"))
        and _is_hash(value.get("hash"))
        and _is_quantity(value.get("timestamp"))
        and int(value["timestamp"], 16) <= MAX_CHAIN_TIME
        and (value.get("baseFeePerGas") is None or _is_quantity(value["baseFeePerGas"]))
    )


def _is_log(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("topics"), list)
        and len(value["topics"]) <= 4
        and all(_is_hash(t) for t in value["topics"])
        and _is_data(value.get("data"))
        and _is_quantity(value.get("blockNumber"))
        and _is_quantity(value.get("logIndex"))
        and _is_hash(value.get("transactionHash"))
    )


def _is_receipt(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _is_hash(value.get("transactionHash"))
        and _is_quantity(value.get("blockNumber"))
        and _is_hash(value.get("blockHash"))
        and _is_quantity(value.get("status"))
        and (value.get("contractAddress") is None or _matches(_ADDRESS, value["contractAddress"]))
        and isinstance(value.get("logs", []), list)
    )


_NAMED_BLOCKS = frozenset({"latest", "pending", "safe", "finalized"})
_QUANTITY_METHODS = (
    "eth_chainId",
    "eth_blockNumber",
    "eth_getTransactionCount",
    "eth_estimateGas",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
)

# method -> (result, params) -> well formed. Methods not listed (anvil_*, evm_*) are not read.
_SHAPES: dict[str, Callable[[Any, list[Any]], bool]] = {
    **dict.fromkeys(_QUANTITY_METHODS, lambda v, _: _is_quantity(v)),
    # A node always has a latest block; a numbered one it may not have yet (the caller says so).
    "eth_getBlockByNumber": lambda v, p: _is_block(v) or (v is None and bool(p) and p[0] not in _NAMED_BLOCKS),
    "eth_call": lambda v, _: _is_data(v),
    "eth_getCode": lambda v, _: _is_data(v),
    "eth_getLogs": lambda v, _: isinstance(v, list) and all(_is_log(x) for x in v),
    "eth_getTransactionReceipt": lambda v, _: v is None or _is_receipt(v),
    "eth_syncing": lambda v, _: v is False or isinstance(v, dict),
    "eth_sendRawTransaction": lambda v, _: _is_hash(v),
}


# -- whole-request deadlines ------------------------------------------------------------------


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


def contract_abi(contract: str) -> Abi:
    if contract not in _ABIS:
        _ABIS[contract] = Abi(contract)
    return _ABIS[contract]


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


class NodeRefused(ChainUnavailable):
    """The node was reached and answered with a JSON-RPC error (not a revert): `reason` is its
    message. A ChainUnavailable for callers that need not tell "said no" from "did not answer";
    one that relays a signed transaction does (the node's refusal is the sender's to fix).
    """

    def __init__(self, message: str, reason: str, code: object = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = code


# Bytes http.client refuses in a request line or Host header (it would fail on every request,
# reported as an unreachable node): a space, a control character, DEL.
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")


_USERINFO = re.compile(r"(?<=//)[^/?#@]*@")
_QUERY = re.compile(r"\?[^#]*")


def shown_url(url: str) -> str:
    """`url` as messages and evidence show it: credentials (user:password@) and the query (where
    providers put API keys) replaced by ***. Every message naming a JSON-RPC URL shows this."""
    return _QUERY.sub("?***", _USERINFO.sub("***@", url))


def _parse_rpc_url(url: str) -> tuple[urllib.parse.SplitResult, str, int | None]:
    """Split a JSON-RPC URL into (parts, host, port), or raise ConfigError naming the URL.

    urllib only checks the port when it is read (`.port` raises ValueError for "99999" or
    "8545,http:"), so it is read here, inside the check, never later where a ValueError would
    escape as a traceback.
    """
    shown = f"{shown_url(url)[:80]!r}"
    if _URL_FORBIDDEN.search(url):
        raise ConfigError(f"not a usable JSON-RPC URL: {shown} contains a space or control character")
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
        raise ConfigError(f"not a usable JSON-RPC URL: {shown}: {reason}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"not an http(s) JSON-RPC URL: {shown}")
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


class ChainClient:
    """A connection to one EVM JSON-RPC endpoint."""

    def __init__(self, rpc_url: str, timeout_s: float = 10.0) -> None:
        self.rpc_url = shown_url(rpc_url)  # as messages name it: credentials redacted
        self.timeout_s = timeout_s
        self._provider = _Transport(rpc_url, timeout_s)
        self._chain_id: int | None = None
        self._eip1559: bool | None = None
        self.tx_manager: Submitter | None = None
        self._kept: dict[str, Any] = {}

    @contextlib.contextmanager
    def _rpc(self) -> Iterator[None]:
        try:
            yield
        except RegistryError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise ChainUnavailable(_unreachable(self.rpc_url, exc, self.timeout_s)) from exc

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()`, for a value derived only from `latest` reads. A plain client computes it
        every time (its `latest` moves under it); a client pinned to one head (the service's)
        keeps it for as long as it keeps that head's answers."""
        del key
        return compute()

    def kept(self, name: str, make: Callable[[], T]) -> T:
        """The object kept under `name` for as long as this client lives, made by `make()` the first
        time: for caches whose entries hold everything their answer depends on (checked accreditation
        signatures), so they stay true across heads. Clients pinned from a base client share its."""
        store: dict[str, Any] = self.__dict__.setdefault("_kept", {})
        if name not in store:
            store.setdefault(name, make())
        return cast(T, store[name])

    # -- raw JSON-RPC ---------------------------------------------------------------------

    def request(self, method: str, params: list[Any]) -> Any:
        with self._rpc():
            response = self._provider.make_request(method, params)
        return self._result(method, response, params)

    def batch(self, requests_: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Several JSON-RPC requests in one HTTP round trip; results in order."""
        if not requests_:
            return []
        if len(requests_) == 1:
            return [self.request(*requests_[0])]
        with self._rpc():
            responses = self._provider.make_batch_request(list(requests_))
        if not isinstance(responses, list):
            # A node may refuse a whole batch with one error object; any other single answer is garbage.
            if isinstance(responses, dict) and responses.get("error"):
                self._result("batch", responses, [])
            raise not_valid("batch", self.rpc_url)
        return [self._result(m, r, p) for (m, p), r in zip(requests_, responses, strict=True)]

    def _result(self, method: str, response: Any, params: list[Any]) -> Any:
        if not isinstance(response, dict):
            raise not_valid(method, self.rpc_url)
        error = response.get("error")
        if error:
            data = error.get("data") if isinstance(error, dict) else None
            if isinstance(data, dict):
                data = data.get("data")
            message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
            message = " ".join(message.split())  # one line, whatever the node sent
            if isinstance(data, str) and _is_data(data) and len(data) >= 10:
                name, args, sentence = decode_revert(data)
                raise TransactionReverted(sentence, name, args)
            if "revert" in message.lower():
                raise TransactionReverted(f"the contract refused the call: {message[:200]}")
            code = error.get("code") if isinstance(error, dict) else None
            raise NodeRefused(f"{method} failed at {self.rpc_url}: {message[:200]}", message[:200], code)
        if "result" not in response:
            raise not_valid(method, self.rpc_url)
        result = response["result"]
        shape = _SHAPES.get(method)
        if shape is not None and not shape(result, params):
            raise not_valid(method, self.rpc_url)
        return result

    # -- reads ----------------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.request("eth_chainId", []), 16)
        return self._chain_id

    def block_number(self) -> int:
        return int(self.request("eth_blockNumber", []), 16)

    @staticmethod
    def _block_tag(block: int | str) -> str:
        return hex(block) if isinstance(block, int) else block

    def call_request(self, call: Call, block: int | str = "latest") -> tuple[str, list[Any]]:
        data = contract_abi(call.contract).encode_call(call.function, call.args)
        return "eth_call", [{"to": call.address, "data": data}, self._block_tag(block)]

    def call(self, call: Call, block: int | str = "latest") -> tuple[Any, ...]:
        raw = self.request(*self.call_request(call, block))
        return contract_abi(call.contract).decode_output(call.function, raw)

    def call_many(self, calls: Sequence[Call], block: int | str = "latest") -> list[tuple[Any, ...]]:
        raws = self.batch([self.call_request(c, block) for c in calls])
        return [contract_abi(c.contract).decode_output(c.function, r) for c, r in zip(calls, raws, strict=True)]

    def logs_request(
        self, address: str | list[str], topics: list[Any], from_block: int, to_block: int | str
    ) -> tuple[str, list[Any]]:
        """An eth_getLogs request; a topic (or address) that is a list matches any of its values."""
        return "eth_getLogs", [
            {
                "address": address,
                "topics": topics,
                "fromBlock": hex(from_block),
                "toBlock": self._block_tag(to_block),
            }
        ]

    def get_code(self, address: str) -> str:
        result: str = self.request("eth_getCode", [address, "latest"])
        return result

    def syncing(self) -> bool:
        """Whether the node reports it is still catching up with its network (eth_syncing)."""
        return self.request("eth_syncing", []) is not False

    # -- writes ---------------------------------------------------------------------------

    def _uses_eip1559(self) -> bool:
        if self._eip1559 is None:
            latest = self.request("eth_getBlockByNumber", ["latest", False])
            self._eip1559 = bool(latest and latest.get("baseFeePerGas") is not None)
        return self._eip1559

    def fee_fields(self) -> dict[str, int]:
        if self._uses_eip1559():
            latest = self.request("eth_getBlockByNumber", ["latest", False])
            base = int(latest["baseFeePerGas"], 16)
            try:
                tip = int(self.request("eth_maxPriorityFeePerGas", []), 16)
            except ChainUnavailable:
                tip = 0
            return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}
        return {"gasPrice": int(self.request("eth_gasPrice", []), 16)}

    def build_transaction(
        self, sender: str, call: Call, *, nonce: int | None = None, gas: int | None = None
    ) -> dict[str, Any]:
        """An unsigned transaction for `call` from `sender`, gas estimated (reverts surface here)."""
        data = contract_abi(call.contract).encode_call(call.function, call.args)
        tx: dict[str, Any] = {"from": sender, "to": call.address, "data": data, "value": 0}
        if gas is None:
            estimate = int(
                self.request("eth_estimateGas", [{"from": sender, "to": call.address, "data": data}]),
                16,
            )
            gas = min(int(estimate * GAS_HEADROOM) + 10_000, TX_GAS_CAP)
        if nonce is None:
            nonce = int(self.request("eth_getTransactionCount", [sender, "pending"]), 16)
        tx.update({"gas": gas, "nonce": nonce, "chainId": self.chain_id, **self.fee_fields()})
        return tx

    def send_signed(self, raw_transaction: bytes) -> str:
        tx_hash: str = self.request("eth_sendRawTransaction", ["0x" + raw_transaction.hex()])
        return tx_hash

    def wait_for_receipt(self, tx_hash: str, timeout_s: float = 120.0) -> dict[str, Any]:
        """Poll until the receipt exists; numbers as ints, hashes and addresses as 0x strings."""
        deadline = time.monotonic() + timeout_s
        while True:
            receipt = self.request("eth_getTransactionReceipt", [tx_hash])
            if isinstance(receipt, dict):
                return normalize_receipt(receipt)
            if time.monotonic() > deadline:
                raise ChainUnavailable(f"no receipt for {tx_hash} within {timeout_s:.0f} s")
            time.sleep(0.05)

    def transact(self, account: LocalAccount, call: Call) -> dict[str, Any]:
        """Sign `call` with `account`, send it and wait for its receipt; reverts raise.

        With a transaction manager attached (`Registry.connect` attaches one), the write goes
        through its journal: durable, idempotent and reconciled after crashes and reorgs.
        """
        if self.tx_manager is not None:
            return self.tx_manager.submit(account, call)
        tx = self.build_transaction(account.address, call)
        tx.pop("from")
        signed = account.sign_transaction(tx)
        receipt = self.wait_for_receipt(self.send_signed(signed.raw_transaction))
        if receipt.get("status") != 1:
            raise TransactionReverted(f"transaction {receipt['transactionHash']} reverted")
        return receipt


_RECEIPT_INTS = ("blockNumber", "gasUsed", "status", "cumulativeGasUsed", "effectiveGasPrice", "transactionIndex")


def normalize_receipt(raw: dict[str, Any]) -> dict[str, Any]:
    receipt = dict(raw)
    for key in _RECEIPT_INTS:
        if isinstance(receipt.get(key), str):
            receipt[key] = int(receipt[key], 16)
    return receipt


def checksum(address: str) -> str:
    return to_checksum_address(address)
