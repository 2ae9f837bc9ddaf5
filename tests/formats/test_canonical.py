"""RFC 8785 canonicalization against the reference vectors of cyberphone/json-canonicalization."""

from __future__ import annotations

import hashlib
import json

import pytest

from registry.errors import InputError
from registry.formats.canonical import canonicalize, sha256_hex
from tests.helpers.vectors import VECTORS

JCS_NAMES = sorted(p.name for p in (VECTORS / "jcs" / "input").glob("*.json"))


def test_vectors_present() -> None:
    assert len(JCS_NAMES) >= 6


@pytest.mark.parametrize("name", JCS_NAMES)
def test_jcs_vector(name: str) -> None:
    value = json.loads((VECTORS / "jcs" / "input" / name).read_text(encoding="utf-8"))
    expected = (VECTORS / "jcs" / "output" / name).read_bytes()
    assert canonicalize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        2**53,
        -(2**53),
        float("nan"),
        float("inf"),
        {1: "non-string key"},
        b"bytes",
        object(),
        "\ud800",
    ],
    ids=["int-2^53", "int-neg", "nan", "inf", "int-key", "bytes", "object", "lone-surrogate"],
)
def test_refused_values(value: object) -> None:
    with pytest.raises(InputError, match="RFC 8785"):
        canonicalize(value)


def test_largest_safe_integer_accepted() -> None:
    assert canonicalize([2**53 - 1]) == b"[9007199254740991]"


def test_sha256_hex() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
