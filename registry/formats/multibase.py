"""Byte encodings used by DIDs, JWKs and status lists: base58btc, multibase, varints, base64url.

Everything here is strict on decode: identifiers are compared as strings elsewhere, so accepting
two spellings of the same bytes (stray padding, leading '1's that were never bytes, overlong
varints) would let one key hide behind several DIDs.
"""

from __future__ import annotations

import base64
import binascii

import pybase64

from registry.errors import InputError

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}

# Base58 goes through one big integer, which is quadratic in the length. Every value we handle
# is a key or a short identifier, so refusing long inputs costs nothing and bounds the work.
MAX_BASE58_CHARS = 4096

_B64URL_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# base64url -> standard base64 for binascii; '+', '/' and '=' become '!', which the strict decoder
# refuses like any other character outside the alphabet.
_FROM_URLSAFE = bytes.maketrans(b"-_+/=", b"+/!!!")
# The last character of an unpadded encoding carries 2 (length % 4 == 2) or 4 (== 3) bits that
# must be zero in the canonical spelling.
_CANONICAL_LAST = {
    2: frozenset(c for n, c in enumerate(_B64URL_ALPHABET) if n % 16 == 0),
    3: frozenset(c for n, c in enumerate(_B64URL_ALPHABET) if n % 4 == 0),
}

# A 64-bit varint never needs more than 9 bytes (multiformats caps varints at 9 bytes too).
_MAX_VARINT_BYTES = 9


def b58encode(data: bytes) -> str:
    """Base58btc (Bitcoin alphabet): each leading zero byte becomes one leading '1'."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    n = int.from_bytes(data, "big")
    digits: list[str] = []
    while n:
        n, r = divmod(n, 58)
        digits.append(B58_ALPHABET[r])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode base58btc; any character outside the Bitcoin alphabet is an InputError."""
    if len(text) > MAX_BASE58_CHARS:
        raise InputError(f"base58 value too long ({len(text)} characters)")
    n = 0
    for pos, ch in enumerate(text):
        digit = _B58_INDEX.get(ch)
        if digit is None:
            raise InputError(f"invalid base58 character {ch!r} at position {pos}")
        n = n * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * zeros + body


def multibase_encode_b58(data: bytes) -> str:
    """Multibase base58btc: 'z' followed by base58btc."""
    return "z" + b58encode(data)


def multibase_decode_b58(text: str) -> bytes:
    """Decode a 'z'-prefixed multibase value; other multibase prefixes are refused."""
    if not text.startswith("z"):
        raise InputError("multibase value must start with 'z' (base58btc)")
    return b58decode(text[1:])


def varint_encode(value: int) -> bytes:
    """Unsigned LEB128 varint, as used for multicodec prefixes."""
    if value < 0:
        raise InputError("varint value must not be negative")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint_decode(data: bytes) -> tuple[int, int]:
    """Decode an unsigned varint at the start of `data`; return (value, bytes consumed).

    Non-minimal encodings (a trailing 0x00 continuation group) are refused so that each value
    has exactly one byte form.
    """
    value = 0
    for i, byte in enumerate(data[:_MAX_VARINT_BYTES]):
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if byte == 0 and i > 0:
                raise InputError("varint is not minimally encoded")
            return value, i + 1
    if len(data) >= _MAX_VARINT_BYTES:
        raise InputError("varint is longer than 9 bytes")
    raise InputError("varint is truncated")


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding; padding, '+', '/', whitespace or bad lengths fail.

    pybase64 decodes with SIMD: a credential's payload is a few kilobytes, and the standard
    decoder spent as long on it as all the payload's checks together. With the url-safe alphabet
    it still takes '+', '/' and '=', so those are refused before it sees the text."""
    charset = "invalid base64url: only A-Z a-z 0-9 - _ are allowed, without padding"
    if not isinstance(text, str) or not text.isascii():
        raise InputError(charset)
    rest = len(text) % 4
    if rest == 1:
        raise InputError("invalid base64url: impossible length")
    if "+" in text or "/" in text or "=" in text:
        raise InputError(charset)
    try:
        decoded = pybase64.b64decode(text + "=="[: (4 - rest) % 4], altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InputError(charset) from None
    # Reject non-canonical trailing bits (e.g. "AB" and "AC" decoding to the same byte).
    if rest and ord(text[-1]) not in _CANONICAL_LAST[rest]:
        raise InputError("invalid base64url: non-canonical trailing bits")
    return decoded
