"""Status list bitstrings against published encodedList literals."""

from __future__ import annotations

import base64
import gzip
import zlib
from typing import Any

import pytest

from registry.errors import InputError
from registry.formats.statuslist import (
    MIN_LENGTH_BITS,
    STATUS_LIST_LENGTH_ERROR,
    StatusListLengthError,
    check_length,
    decode_bitstring_status_list,
    decode_list,
    encode_bits,
    encode_list,
    from_words,
    is_set,
    set_indexes,
)
from tests.helpers.vectors import load_json

VECTORS = [pytest.param(v, id=v["name"]) for v in load_json("status/status-literals.json")["vectors"]]


def test_vector_count() -> None:
    assert len(VECTORS) == 5


@pytest.mark.parametrize("vector", VECTORS)
def test_decode_literal(vector: dict[str, Any]) -> None:
    bits = decode_list(vector["encodedList"])
    assert len(bits) == vector["decodedLengthBytes"]
    assert len(bits) * 8 == vector["decodedLengthBits"]
    assert set_indexes(bits) == vector["setBitIndexes"]
    for i in vector["setBitIndexes"]:
        assert is_set(bits, i)
        assert not is_set(bits, i + 1)
    assert not is_set(bits, 0)
    # Re-encoding in either form decodes to the same bits (compare bits, not gzip bytes).
    assert decode_list(encode_bits(bits, multibase=True)) == bits
    assert decode_list(encode_bits(bits, multibase=False)) == bits


@pytest.mark.parametrize("vector", VECTORS)
def test_length_rule(vector: dict[str, Any]) -> None:
    if vector["expected"] == STATUS_LIST_LENGTH_ERROR:
        with pytest.raises(StatusListLengthError, match=STATUS_LIST_LENGTH_ERROR):
            decode_bitstring_status_list(vector["encodedList"])
    else:
        assert vector["expected"] == "valid"
        bits = decode_bitstring_status_list(vector["encodedList"])
        check_length(bits)


def test_bit_order() -> None:
    # Index 0 is the most significant bit of byte 0; index 23 is mask 0x10 of byte 2.
    bits = decode_list(encode_list([0, 23, 131_071], multibase=True))
    assert bits[0] == 0x80
    assert bits[2] == 0x01
    assert bits[-1] == 0x01
    assert set_indexes(bits) == [0, 23, 131_071]


@pytest.mark.parametrize("multibase", [True, False])
def test_round_trip(multibase: bool) -> None:
    indexes = [1, 7, 8, 1000, 65_535, 131_071]
    encoded = encode_list(indexes, multibase=multibase)
    assert encoded.startswith("uH4sI" if multibase else "H4sI")
    if multibase:
        assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    else:
        base64.b64decode(encoded, validate=True)  # standard alphabet, padded
    bits = decode_list(encoded)
    assert len(bits) * 8 == MIN_LENGTH_BITS
    assert set_indexes(bits) == indexes
    # Deterministic output: no timestamp in the gzip header.
    assert encode_list(indexes, multibase=multibase) == encoded


def test_custom_length_and_bad_indexes() -> None:
    bits = decode_list(encode_list([5], length_bits=16, multibase=True))
    assert bits == b"\x04\x00"
    with pytest.raises(StatusListLengthError, match=STATUS_LIST_LENGTH_ERROR):
        check_length(bits)
    with pytest.raises(InputError, match="outside a list"):
        encode_list([16], length_bits=16, multibase=True)
    with pytest.raises(InputError, match="outside a list"):
        encode_list([-1], multibase=True)
    with pytest.raises(InputError, match="multiple of 8"):
        encode_list([], length_bits=12, multibase=True)
    with pytest.raises(InputError, match="outside a list"):
        is_set(bits, 16)


def test_from_words() -> None:
    # Entry i is bit (1 << i % 224) of word i // 224.
    words = [1 | (1 << 223), 1 << 5, 0, 1 << 100]
    bits = from_words(words)
    assert len(bits) * 8 == MIN_LENGTH_BITS
    assert set_indexes(bits) == [0, 223, 229, 3 * 224 + 100]
    assert from_words([]) == bytes(MIN_LENGTH_BITS // 8)
    assert set_indexes(from_words([0b1010], bits_per_word=8, length_bits=16)) == [1, 3]
    with pytest.raises(InputError, match="224-bit unsigned"):
        from_words([1 << 224])
    with pytest.raises(InputError, match="224-bit unsigned"):
        from_words([-1])
    with pytest.raises(InputError, match="outside a list"):
        from_words([0, 1], bits_per_word=8, length_bits=8)


def test_from_words_agrees_with_encode_list() -> None:
    indexes = [0, 1, 223, 224, 10_000, 131_071]
    words = [0] * (MIN_LENGTH_BITS // 224 + 1)
    for i in indexes:
        words[i // 224] |= 1 << (i % 224)
    assert from_words(words) == decode_list(encode_list(indexes, multibase=False))


def test_gzip_bomb_refused() -> None:
    # 64 MiB of zeros compresses to ~64 KiB; decoding must stop at the 16 MiB cap.
    bomb = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9, mtime=0)
    assert len(bomb) < 100_000
    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    with pytest.raises(InputError, match="more than 16777216 bytes"):
        decode_list(encoded)
    with pytest.raises(InputError, match="more than 100 bytes"):
        decode_list(encode_list([], multibase=True), max_bytes=100)


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("", "non-empty"),
        ("u", "truncated"),
        ("uH4sI!!", "not base64"),
        ("uH4sIA", "impossible base64 length"),
        ("u" + base64.urlsafe_b64encode(zlib.compress(b"\0" * 16)).decode(), "not valid GZIP"),
        ("u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * 64, mtime=0)[:-6]).decode(), "truncated"),
        ("u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * 64, mtime=0) + b"junk").decode(), "after"),
    ],
)
def test_malformed_refused(encoded: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_list(encoded)
