"""A journal row: the call it records, its state, and what it covers (holder files, batch, owner,
deployment), as `Journal` reads it back; and how a call's arguments are stored.

A row that can never be sent must never exist: `unencodable` says why a call's arguments cannot be
ABI-encoded, so a write is refused before it is journaled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from registry.chain.client import Call, contract_abi


def encode_value(value: Any) -> Any:
    """A call argument as JSON can hold it (bytes as `{"$bytes": hex}`)."""
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    return value


def decode_value(value: Any) -> Any:
    """`encode_value` undone."""
    if isinstance(value, dict) and "$bytes" in value:
        return bytes.fromhex(value["$bytes"])
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def args_json(args: Any) -> str:
    """A call's arguments as the `args` column stores them."""
    return json.dumps(encode_value(args))


@dataclass(frozen=True)
class Files:
    """The holder files a row anchors: recorded in the row before they are written."""

    paths: tuple[str, ...]
    directory: str | None = None  # a cohort's --out-dir
    staging: str | None = None  # where the cohort's files are written before the rename
    created_directory: bool = False  # the --out-dir did not exist before: remove it with the files

    def to_json(self) -> str:
        return json.dumps(
            {"paths": list(self.paths), "directory": self.directory, "staging": self.staging,
             "created_directory": self.created_directory}
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str | None) -> Files | None:
        if not text:
            return None
        data = json.loads(text)
        return cls(
            tuple(data["paths"]), data.get("directory"), data.get("staging"), bool(data.get("created_directory"))
        )

    def describe(self) -> str:
        if self.directory:
            return f"{len(self.paths)} holder file(s) in {self.directory}"
        return ", ".join(self.paths)


@dataclass(frozen=True)
class Operation:
    id: str
    sender: str
    call: Call
    state: str
    nonce: int | None
    tx_hash: str | None
    raw_tx: str | None
    block: int | None
    error: str | None
    batch: str | None = None
    seq: int = 0
    owner_pid: int | None = None
    owner_start: str | None = None
    deployment: str | None = None
    intent: str | None = None
    files: Files | None = None
    files_state: str | None = None
    created: float = 0.0


def deployment_key(chain_id: int, block_hash: str | None, registry_address: str) -> str:
    """What a row records as its deployment: chain id, deployment block hash, registry address."""
    return f"{chain_id}:{(block_hash or 'no-block-hash').lower()}:{registry_address.lower()}"


def unencodable(call: Call) -> str | None:
    """Why `call`'s arguments cannot be ABI-encoded (a reason code of -5, a number past uint8), or None."""
    try:
        contract_abi(call.contract).encode_call(call.function, call.args)
    except Exception as exc:  # eth_abi raises several unrelated types for out-of-range values
        return f"cannot encode {call.function}: {exc}"
    return None
