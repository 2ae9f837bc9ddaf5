"""RFC 8785 (JCS) canonical JSON and the digest we put on chain.

We rely on the `rfc8785` package rather than `json.dumps(sort_keys=True)`: JCS sorts keys by
UTF-16 code units and serialises numbers the ECMAScript way, and the package refuses integers
beyond 2^53 instead of silently rounding them (two different credentials must never share bytes).
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from registry.errors import InputError


def canonicalize(obj: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON-compatible value.

    Values JCS cannot represent (NaN/Infinity, integers outside +-(2^53 - 1), non-string keys,
    lone surrogates, non-JSON types) raise InputError.
    """
    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        raise InputError(f"value cannot be canonicalized (RFC 8785): {exc}") from None
    except RecursionError:
        raise InputError("value cannot be canonicalized (RFC 8785): nested too deeply") from None


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of `data`, without a 0x prefix."""
    return hashlib.sha256(data).hexdigest()
