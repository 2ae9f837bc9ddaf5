"""Keccak-256 and EIP-55 checksummed addresses, without importing eth_utils.

eth_utils' package import loads pydantic, toolz and a table of every known network: about a
fifth of a `registry verify` process, which needs from it only these two hashes of bytes. Here
Keccak-256 is safe-pysha3's (C), and an address given as 20 bytes or as 0x and 40 hex digits is
checksummed as EIP-55 says; anything else goes to eth_utils (imported then), so what it refuses,
and how, is unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sha3

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def keccak(data: bytes | bytearray) -> bytes:
    return sha3.keccak_256(data).digest()


def keccak_text(text: str) -> bytes:
    """keccak256 of a string's UTF-8 bytes (eth_utils' `keccak(text=...)`)."""
    return sha3.keccak_256(text.encode("utf-8")).digest()


def keccak_hexstr(hexstr: str) -> bytes:
    """keccak256 of the bytes a hex string spells, 0x or not, odd length left-padded (eth_utils'
    `keccak(hexstr=...)`); not hex is ValueError."""
    digits = hexstr[2:] if hexstr[:2].lower() == "0x" else hexstr
    return keccak(bytes.fromhex("0" * (len(digits) % 2) + digits))


@lru_cache(maxsize=4096)  # a verifier meets the same few accounts over and over
def _checksummed(lower_hex: str) -> str:
    digest = sha3.keccak_256(lower_hex.encode("ascii")).hexdigest()
    return "0x" + "".join(c.upper() if int(h, 16) > 7 else c for c, h in zip(lower_hex, digest[:40], strict=True))


def to_checksum_address(value: Any) -> str:
    """eth_utils' `to_checksum_address`: the EIP-55 form of an address (20 bytes or 0x-hex)."""
    if isinstance(value, str) and _HEX_ADDRESS.fullmatch(value):
        return _checksummed(value[2:].lower())
    if isinstance(value, bytes | bytearray) and len(value) == 20:
        return _checksummed(value.hex())
    from eth_utils import to_checksum_address as checksummed  # what it refuses, it names

    return str(checksummed(value))


def is_address(value: Any) -> bool:
    """eth_utils' `is_address`: 20 bytes, or 40 hex digits (0x optional, any case, checksum unchecked)."""
    if isinstance(value, bytes | bytearray):
        return len(value) == 20
    return isinstance(value, str) and re.fullmatch(r"(0[xX])?[0-9a-fA-F]{40}", value) is not None


def is_checksum_address(value: Any) -> bool:
    """eth_utils' `is_checksum_address`: 0x and 40 hex digits exactly in their EIP-55 case."""
    if not isinstance(value, str) or _HEX_ADDRESS.fullmatch(value) is None:
        return False
    return value == _checksummed(value[2:].lower())
