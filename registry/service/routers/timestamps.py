"""Timestamps v4: when a hash was anchored, by whom, in which transaction."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address
from fastapi import APIRouter

from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.multibase import b64url_decode, multibase_decode_b58
from registry.ops.history import earliest_anchoring
from registry.service.deps import RegistryDep
from registry.service.errors import Problem
from registry.service.responses import JSONResponse
from registry.service.routers.common import parse_hex32, problems
from registry.service.schemas import Timestamp

router = APIRouter(prefix="/timestamp/v4", tags=["Timestamps (EBSI v4)"])


def parse_timestamp_id(text: str) -> bytes:
    """The anchored 32-byte value: hex (0x optional), or multibase base64url (`u…`, EBSI's form) or base58btc (`z…`)."""
    if len(text) in (64, 66):
        return parse_hex32(text, "the timestamp id")
    try:
        if text.startswith("u"):
            value = b64url_decode(text[1:])
        elif text.startswith("z"):
            value = multibase_decode_b58(text)
        else:
            value = b""
    except InputError:
        value = b""
    if len(value) != 32:
        raise Problem(400, "the timestamp id is a 32-byte hash: 64 hex characters or multibase", slug="invalid-input")
    return value


@router.get("/timestamps/{timestamp_id}", response_model=Timestamp, responses=problems(400, 404, 503))
def get_timestamp(timestamp_id: str, registry: RegistryDep) -> Any:
    """The earliest anchoring of the value (Anchored events, filtered on the value's topic, read in
    windows of REGISTRY_LOG_WINDOW blocks from the deployment on: registry.ops.history)."""
    value = parse_timestamp_id(timestamp_id)
    first = earliest_anchoring(
        registry.client, registry.credentials, value, registry.deployment.deployment_block, registry.log_window
    )
    if first is None:
        raise Problem(404, f"0x{value.hex()} is not anchored", slug="timestamp-not-found")
    block = int(first["blockNumber"], 16)
    event = registry.credentials.decode_event("Anchored", first)
    return JSONResponse(
        {
            "hash": "0x" + value.hex(),
            "timestampedBy": to_checksum_address(event["account"]),
            "blockNumber": block,
            "timestamp": iso(registry.block_timestamp(block)),
            "transactionHash": str(first["transactionHash"]),
            "data": str(first["data"]),
        }
    )
