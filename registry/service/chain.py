"""Chain access for the service: every request reads one block, and reads are cached per block.

Each request is pinned to a chain head (number and hash): its `latest` reads are rewritten to
that block number, so all the round trips of one answer see the same snapshot, and their
results are cached under that head. A later request at the same head is answered from memory;
a new block (or a reorg, which changes the hash) starts a new cache. An answer that did not
decode (a BadAnswer, anywhere in a request) empties the cache, so a lie told once is not
repeated until the next block; a request with Cache-Control: no-cache reads nothing from it. Nothing else is kept, so
instances behind a load balancer never disagree about anything but which block they have seen.

No lock is held across a request to the node: one slow or trickling upstream answer must never
stop the requests of other clients. Concurrent requests share a head fetch already in flight for
a moment, then ask for their own; every upstream request ends by its deadline.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from registry.chain.client import Call, ChainClient
from registry.chain.deployment import Deployment, check_deployment
from registry.config import Settings
from registry.ops.registry import Registry
from registry.service.errors import Redactor

T = TypeVar("T")

# Methods whose answer at a fixed block never changes: safe to cache under that block.
_PINNABLE = frozenset({"eth_call", "eth_getLogs", "eth_getBlockByNumber", "eth_chainId", "eth_blockNumber"})
_KEPT_HEADS = 3
_MAX_ENTRIES_PER_HEAD = 50_000


@dataclass(frozen=True)
class Head:
    number: int
    hash: str
    timestamp: int


class BlockCache:
    """JSON-RPC results per chain head; only the last few heads are kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heads: OrderedDict[Head, dict[Any, Any]] = OrderedDict()

    def get(self, head: Head, key: Any) -> tuple[bool, Any]:
        entries = self._heads.get(head)
        if entries is None or key not in entries:
            return False, None
        return True, entries[key]

    def put(self, head: Head, key: Any, value: Any) -> None:
        with self._lock:
            entries = self._heads.get(head)
            if entries is None:
                entries = self._heads[head] = {}
                while len(self._heads) > _KEPT_HEADS:
                    self._heads.popitem(last=False)
            if len(entries) < _MAX_ENTRIES_PER_HEAD:
                entries[key] = value

    def clear(self) -> None:
        """Forget every answer: one of them did not decode (BadAnswer), and may be in here."""
        with self._lock:
            self._heads.clear()


class PinnedClient(ChainClient):
    """A ChainClient whose reads are answered at one head, through the block cache."""

    def __init__(self, base: ChainClient, cache: BlockCache, head: Head, fresh: bool = False) -> None:
        # Deliberately no super().__init__(): share the base client's whole state (its HTTP
        # connection pool above all) rather than opening a new connection for every request.
        self.__dict__.update(base.__dict__)
        self.head = head
        self._cache = cache
        self._fresh = fresh  # a client asked for a fresh read (no-cache): ask the node, keep what it says

    def _cached(self, key: Any) -> tuple[bool, Any]:
        return (False, None) if self._fresh else self._cache.get(self.head, key)

    def _pin(self, method: str, params: list[Any]) -> list[Any] | None:
        """The params with `latest` replaced by the head; None when the answer may change."""
        if method not in _PINNABLE:
            return None
        tag = hex(self.head.number)
        if method == "eth_call" and len(params) == 2 and params[1] == "latest":
            return [params[0], tag]
        if method == "eth_getBlockByNumber" and params and params[0] == "latest":
            return [tag, *params[1:]]
        if method == "eth_getLogs" and params and isinstance(params[0], dict):
            flt = dict(params[0])
            for bound in ("fromBlock", "toBlock"):
                if flt.get(bound, "latest") == "latest":
                    flt[bound] = tag
            return [flt]
        return params

    def _local(self, method: str) -> tuple[bool, Any]:
        if method == "eth_blockNumber":
            return True, hex(self.head.number)
        return False, None

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """Derived values (decoded DID documents, accreditation chains with their checked
        signatures) kept under the head they were read at, like the raw answers."""
        cache_key = ("memo", *key)
        hit, value = self._cached(cache_key)
        if hit:
            return cast(T, value)
        value = compute()
        self._cache.put(self.head, cache_key, value)
        return value

    def request(self, method: str, params: list[Any]) -> Any:
        return self.batch([(method, params)])[0]

    def call(self, call: Call, block: int | str = "latest") -> tuple[Any, ...]:
        return self.call_many([call], block)[0]

    def call_many(self, calls: Sequence[Call], block: int | str = "latest") -> list[tuple[Any, ...]]:
        """View calls at the head, cached already decoded: ABI encoding and decoding cost more
        CPU than a cached JSON-RPC answer saves, so a repeated call skips both.
        """
        if block != "latest":
            return super().call_many(calls, block)
        keys = [f"call {c.address} {c.function} {c.args!r}" for c in calls]
        results: list[tuple[Any, ...] | None] = []
        missing: list[int] = []
        for n, key in enumerate(keys):
            hit, value = self._cached(key)
            results.append(value if hit else None)
            if not hit:
                missing.append(n)
        if missing:
            fetched = super().call_many([calls[n] for n in missing], block)
            for n, value in zip(missing, fetched, strict=True):
                results[n] = value
                self._cache.put(self.head, keys[n], value)
        return [r for r in results if r is not None]

    def batch(self, requests_: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        results: list[Any] = [None] * len(requests_)
        missing: list[tuple[int, str | None, tuple[str, list[Any]]]] = []
        for n, (method, params) in enumerate(requests_):
            local, value = self._local(method)
            if local:
                results[n] = value
                continue
            pinned = self._pin(method, params)
            if pinned is None:
                missing.append((n, None, (method, params)))
                continue
            key = method + json.dumps(pinned, sort_keys=True, default=str)
            hit, value = self._cached(key)
            if hit:
                results[n] = value
            else:
                missing.append((n, key, (method, pinned)))
        if missing:
            fetched = (
                [super().request(*missing[0][2])]
                if len(missing) == 1
                else super().batch([request for _, _, request in missing])
            )
            for (n, cache_key, _), value in zip(missing, fetched, strict=True):
                results[n] = value
                if cache_key is not None:
                    self._cache.put(self.head, cache_key, value)
        return results


# How long a request waits for a head fetch another request has in flight before asking itself.
_SHARE_WAIT_S = 0.5


class _HeadFetch:
    """One eth_getBlockByNumber("latest") in flight, shared by the requests that arrive meanwhile."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.done = threading.Event()
        self.head: Head | None = None


# How often a running service checks again that its node still serves its deployment (one batch).
REATTACH_S = 10.0


class ChainAccess:
    """One service instance's view of the chain: deployment, head, cache."""

    def __init__(self, settings: Settings, head_max_age_s: float) -> None:
        self.settings = settings
        self.deployment = Deployment.load(settings.deployment_file)
        self.base = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
        # Answers to clients never name the node (its URL may carry credentials): see errors.py.
        self.redact = Redactor((*settings.rpc_urls, settings.rpc_url))
        self.cache = BlockCache()
        self.head_max_age_s = head_max_age_s
        self._lock = threading.Lock()  # guards the fields below; never held during I/O
        self._attached = False
        self._checked_at = 0.0  # when the deployment was last checked on the node
        self._highest = -1  # the highest head seen since then
        self._head: Head | None = None
        self._head_asked_at = 0.0
        self._flight: _HeadFetch | None = None

    def attach(self, head: Head | None = None) -> None:
        """Check that the node serves our deployment (chain id, the deployment block's hash, code): at
        first, until it does; then again every REATTACH_S seconds and at once when the head goes back.
        Checked once only, a service outlived a chain reset with a new registry deployed at the same
        addresses (a test network's, or anvil's, deterministic ones), and called genuine credentials
        INVALID ("issuer DID not registered") from the new registry, instead of "could not determine"."""
        now = time.monotonic()
        with self._lock:
            went_back = head is not None and head.number < self._highest
            if head is not None:
                self._highest = head.number if went_back else max(self._highest, head.number)
            if self._attached and not went_back and now - self._checked_at < REATTACH_S:
                return
            self._checked_at = now  # one request checks again; the others go on meanwhile
        try:
            check_deployment(self.base, self.deployment)
        except BaseException:
            with self._lock:
                self._attached = False  # every request checks again until the node serves it
            raise
        with self._lock:
            self._attached = True

    def head(self, fresh: bool = False) -> Head:
        """The chain head, asked at most once per `head_max_age_s` across concurrent requests.

        A head asked for *after* this request arrived is as fresh as asking again, so concurrent
        requests share one fetch instead of queueing one eth_getBlockByNumber each. Sharing is
        bounded: a request waits at most `_SHARE_WAIT_S` for a fetch in flight, then asks itself,
        so a stuck upstream request delays nobody else for longer than that.
        """
        arrived = time.monotonic()
        oldest_ok = arrived if fresh else arrived - self.head_max_age_s
        with self._lock:
            if self._head is not None and self._head_asked_at >= oldest_ok:
                return self._head
            flight = self._flight
            if flight is None or flight.started < oldest_ok:
                flight = self._flight = _HeadFetch(arrived)
                mine = True
            else:
                mine = False
        if not mine:
            if flight.done.wait(_SHARE_WAIT_S) and flight.head is not None:
                return flight.head
            flight = _HeadFetch(time.monotonic())  # the shared fetch is slow or failed: our own
        try:
            header = self.base.request("eth_getBlockByNumber", ["latest", False])
            head = flight.head = Head(int(header["number"], 16), str(header["hash"]), int(header["timestamp"], 16))
        finally:
            flight.done.set()
            with self._lock:
                if self._flight is flight:
                    self._flight = None
        with self._lock:
            if flight.started >= self._head_asked_at:
                self._head, self._head_asked_at = head, flight.started
        return head

    def known_head(self) -> Head | None:
        """The head when it is still fresh enough to answer with, without asking the node; else None."""
        head = self._head
        if head is not None and self._head_asked_at >= time.monotonic() - self.head_max_age_s:
            return head
        return None

    def forget_head(self) -> None:
        """After this service broadcast a transaction: the next request must see a newer head."""
        with self._lock:
            # Heads asked before now (in flight included) are older than the broadcast: not kept.
            self._head, self._head_asked_at, self._flight = None, time.monotonic(), None

    def registry(self, fresh: bool = False) -> Registry:
        head = self.head(fresh)
        self.attach(head)
        client = PinnedClient(self.base, self.cache, head, fresh)
        return Registry(client, self.deployment, self.settings.log_window)
