"""RFC 6962 trees against transparency-dev/merkle constants and inclusion-proof probes."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from registry.errors import InputError
from registry.formats.rfc6962 import (
    EMPTY_ROOT,
    inclusion_proof,
    leaf_hash,
    root,
    verify_inclusion,
)
from tests.helpers.vectors import load_json

TREE = load_json("merkle/rfc6962.json")
LEAVES = [bytes.fromhex(h) for h in TREE["leafInputsHex"]]
PROBES = [
    pytest.param(p, id=p["file"].removeprefix("testdata/inclusion/"))
    for p in load_json("merkle/rfc6962-inclusion-probes.json")["probes"]
]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def test_leaf_hashes_and_empty_root() -> None:
    assert [leaf_hash(d).hex() for d in LEAVES] == TREE["leafHashesHex"]
    assert EMPTY_ROOT.hex() == TREE["emptyRootHex"]


@pytest.mark.parametrize("size", range(9))
def test_root_by_size(size: int) -> None:
    assert root(LEAVES[:size]).hex() == TREE["rootsByTreeSize"][str(size)]


def test_complete_subtree_hashes() -> None:
    for level, hashes in enumerate(TREE["nodeHashes"]["levels"]):
        width = 1 << level
        for i, expected in enumerate(hashes):
            assert root(LEAVES[i * width : (i + 1) * width]).hex() == expected


@pytest.mark.parametrize("size", range(1, 9))
def test_proofs_round_trip(size: int) -> None:
    tree_root = root(LEAVES[:size])
    for i in range(size):
        proof = inclusion_proof(LEAVES[:size], i)
        assert verify_inclusion(leaf_hash(LEAVES[i]), i, size, proof, tree_root)
        assert not verify_inclusion(leaf_hash(b"other"), i, size, proof, tree_root)
        assert not verify_inclusion(leaf_hash(LEAVES[i]), i, size, proof, EMPTY_ROOT)
    with pytest.raises(InputError, match="outside a tree"):
        inclusion_proof(LEAVES[:size], size)


def test_probe_count() -> None:
    assert len(PROBES) == 98


@pytest.mark.parametrize("probe", PROBES)
def test_inclusion_probe(probe: dict[str, Any]) -> None:
    ok = verify_inclusion(
        _b64(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        [_b64(p) for p in probe["proof"] or []],
        _b64(probe["root"]),
    )
    assert ok is not probe["wantErr"]
