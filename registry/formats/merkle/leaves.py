"""A StandardMerkleTree leaf: its values ABI-encoded for the given Solidity types (as ethers,
which OZ uses, encodes them: strict where eth_abi is lax), then hashed twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from registry.errors import InputError
from registry.formats.eth import is_checksum_address
from registry.formats.merkle.proofs import keccak256

_ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}")
_BYTES_N_RE = re.compile(r"bytes([1-9]|[12][0-9]|3[0-2])")
_INT_RE = re.compile(r"u?int([0-9]*)")
_ARRAY_RE = re.compile(r"(.+)\[([0-9]*)\]")


def _coerce(abi_type: str, value: Any) -> Any:
    """Turn JSON-ish values (hex strings, decimal strings) into what eth_abi encodes.

    Stricter than eth_abi where it is lax, to match ethers (which OZ uses): a bytes32 must be
    exactly 32 bytes (eth_abi right-pads short ones) and a mixed-case address must be checksummed.
    """
    array = _ARRAY_RE.fullmatch(abi_type)
    if array:
        if not isinstance(value, list | tuple):
            raise InputError(f"value for {abi_type} must be a list")
        if array.group(2) and len(value) != int(array.group(2)):
            raise InputError(f"value for {abi_type} must have {array.group(2)} items")
        return [_coerce(array.group(1), item) for item in value]
    fixed = _BYTES_N_RE.fullmatch(abi_type)
    if fixed or abi_type == "bytes":
        raw = _hex_bytes(value, abi_type)
        if fixed and len(raw) != int(fixed.group(1)):
            raise InputError(f"value for {abi_type} must be {fixed.group(1)} bytes, got {len(raw)}")
        return raw
    if _INT_RE.fullmatch(abi_type):
        if isinstance(value, bool):
            raise InputError(f"value for {abi_type} must be an integer, not a boolean")
        if isinstance(value, str):
            try:
                # Base 0 accepts decimal and 0x-hex, as ethers' BigInt parsing does.
                return int(value, 0)
            except ValueError:
                raise InputError(f"value for {abi_type} is not an integer: {value!r:.80}") from None
        return value
    if abi_type == "address":
        if isinstance(value, str):
            if not _ADDRESS_RE.fullmatch(value):
                raise InputError(f"not an address: {value!r:.80}")
            body = value[2:]
            if body not in (body.lower(), body.upper()) and not is_checksum_address(value):
                raise InputError(f"address has a bad checksum: {value}")
        return value
    return value


def _hex_bytes(value: Any, abi_type: str) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str) and value.startswith("0x") and len(value) % 2 == 0:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise InputError(f"value for {abi_type} must be 0x-hex bytes, got {value!r:.80}")


def abi_encode_values(values: Sequence[Any], encoding: Sequence[str]) -> bytes:
    """abi.encode(values) for the given Solidity types, with InputError on any mismatch."""
    if not isinstance(values, list | tuple):
        raise InputError("a leaf value must be a list of items, one per leaf encoding type")
    if len(values) != len(encoding):
        raise InputError(f"leaf has {len(values)} items but the encoding has {len(encoding)} types")
    # Fast path: a lone bytes32 ABI-encodes to itself, and it is our batch-anchoring leaf type.
    if len(encoding) == 1 and encoding[0] == "bytes32":
        encoded: bytes = _coerce("bytes32", values[0])
        return encoded
    coerced = [_coerce(t, v) for t, v in zip(encoding, values, strict=True)]
    # Loaded here, not with the package: a verifier's cohort leaves are the lone bytes32 above.
    from eth_abi.abi import encode as abi_encode
    from eth_abi.exceptions import ABITypeError, EncodingError, ParseError

    try:
        return abi_encode(list(encoding), coerced)
    except (EncodingError, ParseError, ABITypeError, ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"leaf does not ABI-encode as {list(encoding)}: {exc}") from None


def leaf_hash(values: Sequence[Any], encoding: Sequence[str]) -> bytes:
    """StandardMerkleTree leaf: keccak256(keccak256(abi.encode(values))).

    The double hash keeps a 64-byte leaf preimage from ever being mistaken for an internal node.
    """
    return keccak256(keccak256(abi_encode_values(values, encoding)))
