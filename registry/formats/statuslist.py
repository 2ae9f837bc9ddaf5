"""Status list bitstrings: StatusList2021 (EBSI today) and Bitstring Status List v1.0 (VCDM 2.0).

Both are GZIP-compressed bitstrings in base64; they differ only in the text wrapping:
StatusList2021 is plain base64, Bitstring Status List is multibase 'u' + base64url without
padding. Bit i is bit 7 - i % 8 of byte i // 8 (index 0 is the most significant bit of byte 0).

The encoded list comes from a remote issuer, so decompression is bounded: a few kilobytes of
gzip can expand to gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Iterable

from registry.errors import InputError

MIN_LENGTH_BITS = 131_072  # 16 KiB: the herd-privacy minimum of both specifications
MAX_DECODED_BYTES = 16 * 1024 * 1024
STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"

_BASE64_ANY_RE = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


class StatusListLengthError(InputError):
    """A Bitstring Status List shorter than the specification's minimum (spec error code)."""


def _bitstring(set_indexes: Iterable[int], length_bits: int) -> bytes:
    if length_bits <= 0 or length_bits % 8:
        raise InputError(f"status list length must be a positive multiple of 8, got {length_bits}")
    bits = bytearray(length_bits // 8)
    for i in set_indexes:
        if not 0 <= i < length_bits:
            raise InputError(f"status index {i} is outside a list of {length_bits} entries")
        bits[i >> 3] |= 0x80 >> (i & 7)
    return bytes(bits)


def encode_bits(bits: bytes, *, multibase: bool) -> str:
    """Compress and wrap a raw bitstring.

    multibase=True gives Bitstring Status List text ('u' + base64url, no padding); False gives
    StatusList2021 text (standard base64 with padding). mtime is fixed at 0 so the same list
    always encodes to the same string.
    """
    packed = gzip.compress(bits, compresslevel=9, mtime=0)
    if multibase:
        return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")
    return base64.b64encode(packed).decode("ascii")


def encode_list(set_indexes: Iterable[int], length_bits: int = MIN_LENGTH_BITS, *, multibase: bool) -> str:
    """Encode a list of `length_bits` entries in which exactly `set_indexes` are set.

    `multibase` has no default on purpose: the two status-list types are not interchangeable and
    the caller has to say which one it is writing.
    """
    return encode_bits(_bitstring(set_indexes, length_bits), multibase=multibase)


def decode_list(encoded: str, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """Decode either form to the raw bitstring, refusing more than `max_bytes` of output.

    Both base64 alphabets and optional padding are accepted, because published StatusList2021
    examples use base64url characters despite the specification saying base64.
    """
    if not isinstance(encoded, str) or not encoded:
        raise InputError("encodedList must be a non-empty string")
    text = encoded[1:] if encoded.startswith("u") else encoded
    if not _BASE64_ANY_RE.fullmatch(text):
        raise InputError("encodedList is not base64 or base64url text")
    text = text.rstrip("=").replace("+", "-").replace("/", "_")
    if len(text) % 4 == 1:
        raise InputError("encodedList has an impossible base64 length")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InputError("encodedList is not valid base64") from None
    return _gunzip_bounded(packed, max_bytes)


def _gunzip_bounded(packed: bytes, max_bytes: int) -> bytes:
    # wbits=31 selects the gzip wrapper; max_length caps the output so a bomb stops early.
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(packed, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"encodedList is not valid GZIP data: {exc}") from None
    if len(out) > max_bytes:
        raise InputError(f"encodedList expands to more than {max_bytes} bytes")
    if not inflater.eof:
        raise InputError("encodedList GZIP data is truncated")
    if inflater.unused_data:
        raise InputError("encodedList has data after the GZIP stream")
    return out


def check_length(bits: bytes, min_bits: int = MIN_LENGTH_BITS) -> None:
    """Raise StatusListLengthError (message starts with STATUS_LIST_LENGTH_ERROR) if too short.

    Bitstring Status List v1.0 makes this check mandatory for verifiers; short lists shrink the
    crowd a holder hides in.
    """
    if len(bits) * 8 < min_bits:
        raise StatusListLengthError(
            f"{STATUS_LIST_LENGTH_ERROR}: status list has {len(bits) * 8} entries, fewer than the minimum {min_bits}"
        )


def decode_bitstring_status_list(encoded: str, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """Decode a BitstringStatusList encodedList and enforce the 131,072-entry minimum."""
    bits = decode_list(encoded, max_bytes)
    check_length(bits)
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise InputError(f"status index {index} is outside a list of {len(bits) * 8} entries")
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def set_indexes(bits: bytes) -> list[int]:
    """Indexes of all set bits, ascending. Skips zero bytes, so sparse lists are cheap."""
    found: list[int] = []
    for byte_index, byte in enumerate(bits):
        if byte:
            base = byte_index << 3
            found.extend(base + k for k in range(8) if byte & (0x80 >> k))
    return found


def from_words(words: list[int], bits_per_word: int = 224, length_bits: int = MIN_LENGTH_BITS) -> bytes:
    """Convert on-chain status words into the bitstring.

    On chain, entry i lives in words[i // bits_per_word] as the integer bit 1 << (i % bits_per_word)
    (least significant first, the cheap order for Solidity shifts), whereas the bitstring is most
    significant bit first. Missing trailing words count as zero, since a contract need not have
    written words that hold no set bit.
    """
    if bits_per_word <= 0:
        raise InputError("bits_per_word must be positive")
    limit = 1 << bits_per_word
    indexes: list[int] = []
    for w, word in enumerate(words):
        if not isinstance(word, int) or not 0 <= word < limit:
            raise InputError(f"status word {w} is not a {bits_per_word}-bit unsigned integer")
        # Walk set bits only: the lowest set bit is word & -word.
        while word:
            low = word & -word
            indexes.append(w * bits_per_word + low.bit_length() - 1)
            word ^= low
    return _bitstring(indexes, length_bits)
