"""One anvil for the whole run, and a tiny contract layer for bytecode that is not ours.

Our own contracts go through `registry` (the code paths users run). The peers' contracts and the
floor come with their own ABIs, so they get a minimal encoder built on our `Abi` class and raw
signed transactions; gas is always read from the receipt.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from registry.chain.client import TX_GAS_CAP, Abi, ChainClient, checksum
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.errors import ChainUnavailable, TransactionReverted

# anvil runs its default (latest) hardfork; EIP-7825's per-transaction cap is enforced as real
# Osaka networks do, so a bulk operation that does not fit is split and reported as such.
ANVIL_ARGS = ["--enable-tx-gas-limit"]


class PeerAbi(Abi):
    """Our ABI encoder/decoder over an ABI list taken from a peer's package, not our artifacts."""

    def __init__(self, items: Sequence[dict[str, Any]]) -> None:
        self.functions = {}
        self.events = {}
        for item in items:
            if item.get("type") == "function":
                self.functions[item["name"]] = item
            elif item.get("type") == "event":
                self.events[item["name"]] = item

    def constructor_types(self, items: Sequence[dict[str, Any]]) -> list[str]:
        for item in items:
            if item.get("type") == "constructor":
                return [self._type(i) for i in item["inputs"]]
        return []


@dataclass
class Contract:
    name: str
    address: str
    abi: PeerAbi
    deploy_gas: int


class TooBig(Exception):
    """The transaction would not fit under the EIP-7825 cap (or estimation failed for its size)."""


@dataclass
class Sent:
    """One logical operation: possibly several transactions when it had to be split."""

    receipts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def gas(self) -> int:
        return sum(int(r["gasUsed"]) for r in self.receipts)

    @property
    def transactions(self) -> int:
        return len(self.receipts)


class BenchChain:
    """An anvil started for this run, a client and the funded deployer."""

    def __init__(self, data_dir: Path) -> None:
        self.node = AnvilNode(data_dir, port=free_port())
        self.client: ChainClient | None = None
        self.deployer: LocalAccount = Account.from_key(ANVIL_DEV_KEY)

    def start(self) -> ChainClient:
        self.node.start(extra_args=ANVIL_ARGS)
        self.client = ChainClient(self.node.rpc_url, timeout_s=120.0)
        return self.client

    def stop(self) -> None:
        self.node.stop()

    @property
    def c(self) -> ChainClient:
        assert self.client is not None, "start() the chain first"
        return self.client

    def facts(self) -> dict[str, Any]:
        version = self.c.request("web3_clientVersion", [])
        latest = self.c.request("eth_getBlockByNumber", ["latest", False])
        return {"client": version, "block_gas_limit": int(latest["gasLimit"], 16), "tx_gas_cap": TX_GAS_CAP}

    # -- raw transactions -------------------------------------------------------------------

    def _send_raw(self, account: LocalAccount, to: str | None, data: str, gas: int | None = None) -> dict[str, Any]:
        """Send and wait; with `gas` given, no estimate (estimating a 16M-gas call costs many executions)."""
        if gas is None:
            request: dict[str, Any] = {"from": account.address, "data": data}
            if to is not None:
                request["to"] = to
            try:
                estimate = int(self.c.request("eth_estimateGas", [request]), 16)
            except (ChainUnavailable, TransactionReverted) as exc:
                # anvil refuses to estimate past the cap (or runs out of gas trying): the caller splits.
                raise TooBig(str(exc)) from exc
            if to is not None and estimate > TX_GAS_CAP:
                raise TooBig(f"needs {estimate} gas")
            gas = min(int(estimate * 1.2) + 10_000, TX_GAS_CAP) if to is not None else int(estimate * 1.2) + 50_000
        nonce = int(self.c.request("eth_getTransactionCount", [account.address, "pending"]), 16)
        tx: dict[str, Any] = {
            "data": data,
            "value": 0,
            "gas": gas,
            "nonce": nonce,
            "chainId": self.c.chain_id,
            **self.c.fee_fields(),
        }
        if to is not None:
            tx["to"] = to
        signed = account.sign_transaction(tx)
        try:
            receipt = self.c.wait_for_receipt(self.c.send_signed(signed.raw_transaction))
        except ChainUnavailable as exc:
            # With the cap enforced, anvil refuses a transaction asking for more gas than it allows.
            raise TooBig(str(exc)) from exc
        if receipt.get("status") != 1:
            if int(receipt["gasUsed"]) >= gas * 0.99:
                raise TooBig(f"ran out of its {gas} gas")
            raise TransactionReverted(f"benchmark transaction to {to} reverted")
        return receipt

    def deploy(
        self, name: str, abi_items: Sequence[dict[str, Any]], bytecode: str, args: Sequence[Any] = ()
    ) -> Contract:
        from eth_abi import encode

        abi = PeerAbi(abi_items)
        encoded = encode(abi.constructor_types(abi_items), list(args)).hex() if args else ""
        receipt = self._send_raw(self.deployer, None, bytecode + encoded)
        return Contract(name, checksum(receipt["contractAddress"]), abi, int(receipt["gasUsed"]))

    def send(self, contract: Contract, function: str, *args: Any, account: LocalAccount | None = None) -> Sent:
        data = contract.abi.encode_call(function, args)
        return Sent([self._send_raw(account or self.deployer, contract.address, data)])

    def send_split(
        self,
        contract: Contract,
        function: str,
        items: Sequence[Any],
        make_args: Callable[[Sequence[Any]], tuple[Any, ...]],
        max_chunk: int | None = None,
    ) -> Sent:
        """A bulk call over `items`, in as few transactions as fit under the cap (each chunk halved until it fits)."""
        sent = Sent()
        chunks = 1 if not max_chunk else max(1, math.ceil(len(items) / max_chunk))
        size = math.ceil(len(items) / chunks)
        # With a chunk size learned from a smaller run, skip estimation and let the cap bound each chunk.
        gas = TX_GAS_CAP if max_chunk else None
        for start in range(0, len(items), size):
            self._send_chunk(contract, function, list(items[start : start + size]), make_args, sent, gas)
        return sent

    def _send_chunk(
        self,
        contract: Contract,
        function: str,
        items: list[Any],
        make_args: Callable[[Sequence[Any]], tuple[Any, ...]],
        sent: Sent,
        gas: int | None,
    ) -> None:
        try:
            data = contract.abi.encode_call(function, make_args(items))
            sent.receipts.append(self._send_raw(self.deployer, contract.address, data, gas))
        except TooBig:
            if len(items) == 1:
                raise
            half = len(items) // 2
            self._send_chunk(contract, function, items[:half], make_args, sent, gas)
            self._send_chunk(contract, function, items[half:], make_args, sent, gas)


def max_chunk_for(gas: int, count: int) -> int:
    """Items per transaction that stay under 90 % of the cap, from a measured bulk call."""
    return max(1, int(TX_GAS_CAP * 0.9 // max(1, gas / count)))


@contextlib.contextmanager
def bench_chain() -> Iterator[BenchChain]:
    """Start anvil in a throwaway directory and always stop it, whatever happens in between."""
    with tempfile.TemporaryDirectory(prefix="bench-anvil-") as tmp:
        chain = BenchChain(Path(tmp))
        chain.start()
        try:
            yield chain
        finally:
            chain.stop()
