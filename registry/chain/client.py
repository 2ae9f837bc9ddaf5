"""One JSON-RPC connection: raw reads (single or batched), signed writes, errors mapped.

Requests go out as plain JSON-RPC over one HTTP session, calldata encoded with eth_abi. Neither
web3.py nor eth-account is imported on this path: importing them costs about two seconds (their
BLS and provider machinery), which would dominate a `registry verify` that makes three round
trips. Writes are signed locally with the caller's key (an eth-account object the caller hands
in; nothing here ever sends a key anywhere) and are priced for the network they hit:
EIP-1559 where the latest block has a base fee, a legacy gas price elsewhere (Besu networks
often run with a zero gas price).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

from registry.chain.artifacts import abi
from registry.chain.errors import decode_revert
from registry.errors import ChainUnavailable, ConfigError, RegistryError, TransactionReverted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from registry.chain.txmanager import TxManager

T = TypeVar("T")

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
        return tuple(decode(self.output_types(function), bytes.fromhex(data[2:])))

    @cache  # noqa: B019
    def event_topic(self, event: str) -> str:
        item = self.events[event]
        signature = f"{event}({','.join(self._type(i) for i in item['inputs'])})"
        return "0x" + keccak(text=signature).hex()

    def decode_event(self, event: str, log: dict[str, Any]) -> dict[str, Any]:
        """Decode one log of `event`: indexed fields from topics, the rest from data."""
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


def contract_abi(contract: str) -> Abi:
    if contract not in _ABIS:
        _ABIS[contract] = Abi(contract)
    return _ABIS[contract]


def _describe(exc: BaseException, timeout_s: float) -> str:
    """A short human reason for a transport failure (the library's text is a page long)."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    if isinstance(exc, OSError | http.client.HTTPException):
        return "connection refused or host unreachable"
    return _short(exc)


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


def _parse_rpc_url(url: str) -> tuple[urllib.parse.SplitResult, str, int | None]:
    """Split a JSON-RPC URL into (parts, host, port), or raise ConfigError naming the URL.

    urllib only checks the port when it is read (`.port` raises ValueError for "99999" or
    "8545,http:"), so it is read here, inside the check, never later where a ValueError would
    escape as a traceback.
    """
    shown = f"{url[:80]!r}"
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


class _Transport:
    """JSON-RPC over HTTP(S): one request or a batch per POST, on a kept-alive connection per thread.

    The standard library's http.client, not requests: a verifier's start-up pays for every import,
    and requests (with urllib3, idna, charset detection) costs more than the three round trips.
    """

    def __init__(self, url: str, timeout_s: float) -> None:
        parts, host, port = _parse_rpc_url(url)
        self.url = url
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

    def _post(self, body: Any) -> Any:
        data = json.dumps(body).encode()
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request("POST", self._path, data, self._headers)
                response = connection.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException):
                connection.close()
                self._local.connection = None
                # A kept-alive connection the server had closed fails at once: one fresh try.
                if attempt == 2:
                    raise
        if response.status >= 400 and not raw.strip().startswith((b"{", b"[")):
            raise ChainUnavailable(f"the node at {self.url} answered HTTP {response.status}")
        try:
            return json.loads(raw)
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
            return answer
        by_id = {r.get("id"): r for r in answer if isinstance(r, dict)}
        return [by_id.get(first + n) for n in range(len(calls))]


class ChainClient:
    """A connection to one EVM JSON-RPC endpoint."""

    def __init__(self, rpc_url: str, timeout_s: float = 10.0) -> None:
        self.rpc_url = rpc_url
        self.timeout_s = timeout_s
        self._provider = _Transport(rpc_url, timeout_s)
        self._chain_id: int | None = None
        self._eip1559: bool | None = None
        self.tx_manager: TxManager | None = None

    @contextlib.contextmanager
    def _rpc(self) -> Iterator[None]:
        try:
            yield
        except RegistryError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            reason = _describe(exc, self.timeout_s)
            raise ChainUnavailable(f"cannot reach the chain at {self.rpc_url}: {reason}") from exc

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()`, for a value derived only from `latest` reads. A plain client computes it
        every time (its `latest` moves under it); a client pinned to one head (the service's)
        keeps it for as long as it keeps that head's answers."""
        del key
        return compute()

    # -- raw JSON-RPC ---------------------------------------------------------------------

    def request(self, method: str, params: list[Any]) -> Any:
        with self._rpc():
            response = self._provider.make_request(method, params)
        return self._result(method, response)

    def batch(self, requests_: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Several JSON-RPC requests in one HTTP round trip; results in order."""
        if not requests_:
            return []
        if len(requests_) == 1:
            return [self.request(*requests_[0])]
        with self._rpc():
            responses = self._provider.make_batch_request(list(requests_))
        if not isinstance(responses, list):
            return [self._result(requests_[0][0], responses)]
        return [self._result(m, r) for (m, _), r in zip(requests_, responses, strict=True)]

    def _result(self, method: str, response: Any) -> Any:
        if not isinstance(response, dict):
            raise ChainUnavailable(f"malformed JSON-RPC answer from {self.rpc_url} to {method}")
        error = response.get("error")
        if error:
            data = error.get("data") if isinstance(error, dict) else None
            if isinstance(data, dict):
                data = data.get("data")
            message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
            if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
                name, args, sentence = decode_revert(data)
                raise TransactionReverted(sentence, name, args)
            if "revert" in message.lower():
                raise TransactionReverted(f"the contract refused the call: {message[:200]}")
            code = error.get("code") if isinstance(error, dict) else None
            raise NodeRefused(f"{method} failed at {self.rpc_url}: {message[:200]}", message[:200], code)
        if "result" not in response:
            raise ChainUnavailable(f"malformed JSON-RPC answer from {self.rpc_url} to {method}")
        return response["result"]

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
        self, address: str, topics: list[str | None], from_block: int, to_block: int
    ) -> tuple[str, list[Any]]:
        return "eth_getLogs", [
            {
                "address": address,
                "topics": topics,
                "fromBlock": hex(from_block),
                "toBlock": hex(to_block),
            }
        ]

    def get_code(self, address: str) -> str:
        result: str = self.request("eth_getCode", [address, "latest"])
        return result

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
