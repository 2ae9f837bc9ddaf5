"""One JSON-RPC connection: raw reads (single or batched), signed writes, errors mapped.

Requests go out as plain JSON-RPC over one HTTP session, calldata encoded as the ABI says
(`codec`). Neither web3.py nor eth-account is imported on this path: importing them costs about two
seconds (their BLS and provider machinery), which would dominate a `registry verify` that makes a
dozen round trips; nor eth_abi or eth_utils, unless an answer is not laid out canonically.
Writes are signed locally with the caller's key (an eth-account object the caller hands in;
nothing here ever sends a key anywhere) and are priced for the network they hit: EIP-1559 where
the latest block has a base fee, a legacy gas price elsewhere (Besu networks often run with a zero
gas price).

Nothing a node answers is trusted to have the right shape: every result is checked against what
its method must return (a hex quantity, a block header with a number, hash and timestamp, a list
of logs...), a batch must answer each id once, and ABI decoding failures or enum values out of
range are the same fault. All of these raise `BadAnswer`, a `ChainUnavailable`: the verifier turns
it into "could not determine", never into a verdict, and never into a traceback.

Time is bounded per request, not per socket read: a node that trickles its answer a byte at a
time would reset a read timeout forever. Each request has a deadline (the client's `timeout_s`,
and the tighter ambient one a caller sets with `read_deadline()` around a whole verification);
one watchdog thread shuts down the socket of a request whose deadline passed.

The concerns live in their own modules: `abi` (calls and events encoded and decoded), `answers`
(the shapes answers must have), `deadline` (the watchdog), `transport` (HTTP, URLs); this module
is the client itself (reads, batches, errors mapped, signed and priced writes), and every name a
caller imports keeps being importable from here.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from registry.chain.abi import Abi, Call, contract_abi
from registry.chain.answers import (
    _SHAPES,
    MAX_CHAIN_TIME,
    BadAnswer,
    _is_data,
    chain_time,
    enum_member,
    header_time,
    not_valid,
    noting_bad_answers,
)
from registry.chain.deadline import read_deadline, start_read_deadline
from registry.chain.errors import decode_revert
from registry.chain.transport import (
    MAX_ANSWER_BYTES,
    _Transport,
    _unreachable,
    endpoint_identity,
    repeated_endpoint,
    shown_url,
)
from registry.errors import ChainUnavailable, RegistryError, TransactionReverted
from registry.formats.eth import to_checksum_address

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

# Names callers import from here (the client's modules are split by concern; these stay importable).
__all__ = [
    "GAS_HEADROOM",
    "MAX_ANSWER_BYTES",
    "MAX_CHAIN_TIME",
    "TX_GAS_CAP",
    "Abi",
    "BadAnswer",
    "Call",
    "ChainClient",
    "NodeRefused",
    "Submitter",
    "chain_time",
    "checksum",
    "contract_abi",
    "endpoint_identity",
    "enum_member",
    "header_time",
    "normalize_receipt",
    "not_valid",
    "noting_bad_answers",
    "read_deadline",
    "repeated_endpoint",
    "shown_url",
    "start_read_deadline",
]

T = TypeVar("T")

# EIP-7825 caps a transaction at 2^24 gas on Osaka networks; stay under it everywhere.
TX_GAS_CAP = 16_777_216
GAS_HEADROOM = 1.2


class Submitter(Protocol):
    """Where a client's writes go when it has one: the journal (`registry.chain.txmanager.TxManager`),
    named here by shape so that the client does not import the journal that imports it."""

    def submit(self, account: LocalAccount, call: Call) -> dict[str, Any]: ...

    def reconcile(self, account: LocalAccount, identity: Any = None, *, explicit: bool = False) -> list[str]: ...

    def writing(
        self, account: LocalAccount, label: str | None = None, identity: Any = None
    ) -> contextlib.AbstractContextManager[None]: ...


# A node's limit on one log query (Besu's --rpc-max-logs-range, a hosted node's block range or result
# count): said with the setting that keeps our queries within it (config.py's REGISTRY_LOG_WINDOW).
_LOG_LIMIT = re.compile(r"range|limit|exceed|too (?:large|big|many)|more than", re.IGNORECASE)
_LOG_LIMIT_ADVICE = (
    " (the node limits the blocks one log query spans: set REGISTRY_LOG_WINDOW to its limit or less; "
    "Besu's is --rpc-max-logs-range, 5000 by default)"
)


class NodeRefused(ChainUnavailable):
    """The node was reached and answered with a JSON-RPC error (not a revert): `reason` is its
    message. A ChainUnavailable for callers that need not tell "said no" from "did not answer";
    one that relays a signed transaction does (the node's refusal is the sender's to fix).
    """

    def __init__(self, message: str, reason: str, code: object = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = code


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
            advice = _LOG_LIMIT_ADVICE if method == "eth_getLogs" and _LOG_LIMIT.search(message) else ""
            raise NodeRefused(f"{method} failed at {self.rpc_url}: {message[:200]}{advice}", message[:200], code)
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
        pauses = receipt_poll_pauses()
        while True:
            receipt = self.request("eth_getTransactionReceipt", [tx_hash])
            if isinstance(receipt, dict):
                return normalize_receipt(receipt)
            if time.monotonic() > deadline:
                raise ChainUnavailable(f"no receipt for {tx_hash} within {timeout_s:.0f} s")
            time.sleep(next(pauses))

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


def receipt_poll_pauses() -> Iterator[float]:
    """The pauses between polls for a transaction's receipt: 5, 10, 20, 40 ms, then every 50 ms. A
    node that mines on arrival (anvil, a development chain) has it a few milliseconds after the
    send, so a write there waits milliseconds, not a whole 50 ms step; on a chain with block times
    of seconds the few early polls cost nothing that matters."""
    pause = 0.005
    while True:
        yield pause
        pause = min(pause * 2, 0.05)


_RECEIPT_INTS = ("blockNumber", "gasUsed", "status", "cumulativeGasUsed", "effectiveGasPrice", "transactionIndex")


def normalize_receipt(raw: dict[str, Any]) -> dict[str, Any]:
    receipt = dict(raw)
    for key in _RECEIPT_INTS:
        if isinstance(receipt.get(key), str):
            receipt[key] = int(receipt[key], 16)
    return receipt


def checksum(address: str) -> str:
    return to_checksum_address(address)
