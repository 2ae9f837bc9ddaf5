"""Merkle trees against @openzeppelin/merkle-tree dumps and the proofs it generated."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from registry.errors import InputError
from registry.formats.merkle import (
    MultiProof,
    SimpleMerkleTree,
    StandardMerkleTree,
    leaf_hash,
    to_hex,
    to_node,
    verify_multi_proof,
    verify_proof,
)
from tests.helpers.vectors import VECTORS, load_json

OZ_DUMPS = sorted(p.name for p in (VECTORS / "merkle" / "openzeppelin").glob("*.json"))
OZ_TREES = ["oz-bytes32.json", "oz-bytes32-string.json"]
TreeType = type[StandardMerkleTree] | type[SimpleMerkleTree]


def _build(dump: dict[str, Any], sort_leaves: bool) -> StandardMerkleTree | SimpleMerkleTree:
    values = [e["value"] for e in dump["values"]]
    if dump["format"] == "standard-v1":
        return StandardMerkleTree.of(values, dump["leafEncoding"], sort_leaves=sort_leaves)
    return SimpleMerkleTree.of(values, sort_leaves=sort_leaves)


def _tree_class(dump: dict[str, Any]) -> TreeType:
    return StandardMerkleTree if dump["format"] == "standard-v1" else SimpleMerkleTree


def test_vectors_present() -> None:
    assert len(OZ_DUMPS) == 4


# --- openzeppelin/ library dumps -------------------------------------------------------------


@pytest.mark.parametrize("name", OZ_DUMPS)
def test_rebuild_gives_library_dump(name: str) -> None:
    dump = load_json(f"merkle/openzeppelin/{name}")
    tree = _build(dump, sort_leaves=".unsorted." not in name)
    assert [to_hex(n) for n in tree.tree] == dump["tree"]
    assert [e.tree_index for e in tree.values] == [e["treeIndex"] for e in dump["values"]]
    assert tree.dump() == dump


@pytest.mark.parametrize("name", OZ_DUMPS)
def test_load_dump_and_prove(name: str) -> None:
    dump = load_json(f"merkle/openzeppelin/{name}")
    tree = _tree_class(dump).load(dump)
    assert tree.dump() == dump
    for i, (_, value) in enumerate(tree):
        proof = tree.get_proof(i)
        assert tree.get_proof(value) == proof
        assert tree.verify(i, proof)
        assert tree.verify(value, proof)
        assert verify_proof(tree.tree[0], tree.leaf_hash(value), [to_node(p) for p in proof])
    multi = tree.get_multi_proof([0, 2])
    assert tree.verify_multi_proof(multi)


@pytest.mark.parametrize("name", OZ_DUMPS)
def test_tampered_dump_refused(name: str) -> None:
    dump = load_json(f"merkle/openzeppelin/{name}")
    cls = _tree_class(dump)
    bad_node = copy.deepcopy(dump)
    bad_node["tree"][1] = "0x" + "00" * 32
    with pytest.raises(InputError, match="not the hash of its children"):
        cls.load(bad_node)
    swapped = copy.deepcopy(dump)
    swapped["values"][0]["treeIndex"], swapped["values"][1]["treeIndex"] = (
        swapped["values"][1]["treeIndex"],
        swapped["values"][0]["treeIndex"],
    )
    with pytest.raises(InputError, match="does not hash to its leaf"):
        cls.load(swapped)
    inner = copy.deepcopy(dump)
    inner["values"][0]["treeIndex"] = 0
    with pytest.raises(InputError, match="is not a leaf"):
        cls.load(inner)
    short = copy.deepcopy(dump)
    short["tree"].pop()
    with pytest.raises(InputError, match="tree size"):
        cls.load(short)
    other = copy.deepcopy(dump)
    other["format"] = "simple-v1" if dump["format"] == "standard-v1" else "standard-v1"
    with pytest.raises(InputError, match="not a Merkle tree dump"):
        cls.load(other)


# --- oz-*.json: trees over our leaf types ----------------------------------------------------


@pytest.mark.parametrize("name", OZ_TREES)
def test_oz_tree(name: str) -> None:
    vec = load_json(f"merkle/{name}")
    values = [e["value"] for e in vec["values"]]
    tree = StandardMerkleTree.of(values, vec["leafEncoding"])
    assert tree.root == vec["root"]
    assert [to_hex(n) for n in tree.tree] == vec["tree"]
    assert [e.tree_index for e in tree.values] == [e["treeIndex"] for e in vec["values"]]
    for i, value in enumerate(values):
        assert to_hex(leaf_hash(value, vec["leafEncoding"])) == vec["leafHashes"][str(i)]
    assert set(vec["proofs"]) == {"0", "3"}
    for index, proof in vec["proofs"].items():
        assert tree.get_proof(int(index)) == proof
        assert tree.verify(int(index), proof)
    multi = tree.get_multi_proof(vec["multiproof"]["indices"])
    assert multi.leaves == vec["multiproof"]["leaves"]
    assert multi.proof == vec["multiproof"]["proof"]
    assert multi.proof_flags == vec["multiproof"]["proofFlags"]
    assert tree.verify_multi_proof(multi)
    dump = {k: vec[k] for k in ("format", "leafEncoding", "tree", "values")}
    assert tree.dump() == dump
    assert StandardMerkleTree.load(dump).root == vec["root"]


def test_oz_extra_readme_example() -> None:
    vec = load_json("merkle/oz-extra.json")["readmeExample"]
    tree = StandardMerkleTree.of(vec["values"], vec["leafEncoding"])
    assert tree.root == vec["root"]
    assert tree.dump() == vec["dump"]
    for index, proof in vec["proofs"].items():
        assert tree.get_proof(int(index)) == proof
        assert tree.verify(vec["values"][int(index)], proof)
    # Python ints and checksummed addresses hash the same as the JSON strings.
    assert tree.leaf_lookup(["0x1111111111111111111111111111111111111111", 5 * 10**18]) == 0


def test_oz_extra_strings_all_proofs_and_multiproof() -> None:
    vec = load_json("merkle/oz-extra.json")["stringsAtoF"]
    tree = StandardMerkleTree.of(vec["values"], vec["leafEncoding"])
    assert tree.root == vec["root"]
    assert len(vec["proofs"]) == len(vec["values"])
    for index, proof in vec["proofs"].items():
        assert tree.get_proof(int(index)) == proof
        assert verify_proof(
            to_node(vec["root"]),
            leaf_hash(vec["values"][int(index)], vec["leafEncoding"]),
            [to_node(p) for p in proof],
        )
    mp = vec["multiproof"]
    multi = tree.get_multi_proof(mp["indices"])
    assert multi.as_dict() == {k: mp[k] for k in ("leaves", "proof", "proofFlags")}
    # Multiproofs can also be asked for by value rather than index.
    assert tree.get_multi_proof([["c"], ["a"]]) == multi
    assert verify_multi_proof(
        to_node(vec["root"]),
        [leaf_hash(v, vec["leafEncoding"]) for v in mp["leaves"]],
        [to_node(p) for p in mp["proof"]],
        mp["proofFlags"],
    )


# --- failures and edge cases -----------------------------------------------------------------


def _strings_tree() -> StandardMerkleTree:
    return StandardMerkleTree.of([[c] for c in "abcdef"], ["string"])


def test_wrong_proofs_fail() -> None:
    tree = _strings_tree()
    proof = tree.get_proof(0)
    assert not tree.verify(1, proof)
    assert not tree.verify(["z"], proof)
    assert not tree.verify(0, proof[:-1])
    assert not tree.verify(0, [*proof, proof[0]])
    root, leaf = tree.tree[0], tree.leaf_hash(["a"])
    assert not verify_proof(root, leaf[:31], [to_node(p) for p in proof])
    assert not verify_proof(root[:31], leaf, [to_node(p) for p in proof])


def test_wrong_multiproofs_fail() -> None:
    tree = _strings_tree()
    multi = tree.get_multi_proof([0, 2])
    root = tree.tree[0]
    leaves = [tree.leaf_hash(v) for v in multi.leaves]
    proof = [to_node(p) for p in multi.proof]
    flags = multi.proof_flags
    assert verify_multi_proof(root, leaves, proof, flags)
    assert not verify_multi_proof(root, [leaves[0], tree.leaf_hash(["b"])], proof, flags)
    assert not verify_multi_proof(root, leaves[:1], proof, flags)
    assert not verify_multi_proof(root, leaves, proof[:-1], flags)
    assert not verify_multi_proof(root, leaves, [*proof, proof[0]], flags)
    assert not verify_multi_proof(root, leaves, proof, [not f for f in flags])
    assert not verify_multi_proof(root, leaves, proof, [True] * len(flags))
    assert not tree.verify_multi_proof(MultiProof([["a"], ["b"]], multi.proof, flags))
    with pytest.raises(InputError, match="same leaf twice"):
        tree.get_multi_proof([0, 0])


def test_single_leaf_and_empty_multiproof() -> None:
    tree = StandardMerkleTree.of([["only"]], ["string"])
    assert tree.root == to_hex(leaf_hash(["only"], ["string"]))
    assert tree.get_proof(0) == []
    assert tree.verify(0, [])
    empty = _strings_tree().get_multi_proof([])
    assert empty.proof == [_strings_tree().root]
    assert _strings_tree().verify_multi_proof(empty)


@pytest.mark.parametrize(
    ("values", "encoding", "message"),
    [
        ([], ["string"], "at least one leaf"),
        ([["a", "b"]], ["string"], "2 items but the encoding has 1"),
        (["a"], ["string"], "must be a list"),
        ([["0x1234"]], ["bytes32"], "must be 32 bytes"),
        ([["nothex"]], ["bytes32"], "0x-hex"),
        ([["12x"]], ["uint256"], "not an integer"),
        ([[True]], ["uint256"], "not a boolean"),
        ([[-1]], ["uint256"], "does not ABI-encode"),
        ([["0x11"]], ["address"], "not an address"),
        ([["0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"]], ["address"], "bad checksum"),
        ([[1]], ["nosuchtype"], "does not ABI-encode"),
    ],
)
def test_bad_leaves_refused(values: list[Any], encoding: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        StandardMerkleTree.of(values, encoding)


def test_value_lookup_errors() -> None:
    tree = _strings_tree()
    with pytest.raises(InputError, match="not in the tree"):
        tree.get_proof(["zz"])
    with pytest.raises(InputError, match="out of range"):
        tree.get_proof(6)
    with pytest.raises(InputError, match="0x followed by 64 hex"):
        tree.verify(0, ["0x1234"])


def test_other_abi_types_and_bytes_values() -> None:
    encoding = ["bytes32", "uint256[]", "bool", "bytes"]
    raw = hashlib.sha256(b"x").digest()
    tree = StandardMerkleTree.of([[raw, [1, "0x02"], True, b"\x01\x02"], [to_hex(raw), ["3"], False, "0x"]], encoding)
    # bytes are stored as 0x-hex so the dump is JSON and loads back to the same tree.
    assert tree.values[0].value == [to_hex(raw), [1, "0x02"], True, "0x0102"]
    assert StandardMerkleTree.load(tree.dump()).dump() == tree.dump()
    assert tree.verify(0, tree.get_proof(0))


def test_unsorted_layout() -> None:
    tree = StandardMerkleTree.of([[c] for c in "abcdef"], ["string"], sort_leaves=False)
    # Without sorting, value k sits at tree[len - 1 - k].
    assert [e.tree_index for e in tree.values] == [10, 9, 8, 7, 6, 5]
    for i in range(6):
        assert tree.verify(i, tree.get_proof(i))


def test_ten_thousand_leaf_tree_proves_every_sampled_member() -> None:
    # Speed is measured by the benchmarks (docs/PERFORMANCE.md), not asserted here.
    values = [[hashlib.sha256(i.to_bytes(4, "big")).digest()] for i in range(10_000)]
    tree = StandardMerkleTree.of(values, ["bytes32"])
    for i in (0, 4_999, 9_999):
        assert tree.verify(i, tree.get_proof(i))
    multi = tree.get_multi_proof(list(range(0, 10_000, 97)))
    assert tree.verify_multi_proof(multi)


def test_simple_tree_values() -> None:
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(5)]
    tree = SimpleMerkleTree.of(leaves)
    assert tree.values[0].value == to_hex(leaves[0])
    assert tree.leaf_lookup(to_hex(leaves[3]).upper().replace("0X", "0x")) == 3
    assert tree.verify(leaves[2], tree.get_proof(2))
    with pytest.raises(InputError, match="must be bytes32"):
        tree.leaf_lookup(["a"])
    with pytest.raises(InputError, match="32 bytes"):
        SimpleMerkleTree.of([b"short"])


def test_shared_memo_never_accepts_a_changed_proof() -> None:
    """The memo that spares a cohort's shared hashes must not spare the check: after every
    member's proof was accepted through it, each proof with any one element changed is refused."""
    values = [["0x" + hashlib.sha256(bytes([n])).hexdigest()] for n in range(37)]
    tree = StandardMerkleTree.of(values, ["bytes32"])
    root = tree.tree[0]
    memo: dict[bytes, tuple[tuple[bytes, ...], bytes]] = {}
    proofs = [tuple(to_node(p) for p in tree.get_proof(i)) for i in range(len(values))]
    leaves = [tree.leaf_hash(v) for v in values]
    assert all(verify_proof(root, leaf, proof, memo) for leaf, proof in zip(leaves, proofs, strict=True))
    for leaf, proof in zip(leaves, proofs, strict=True):
        for depth in range(len(proof)):
            changed = bytearray(proof[depth])
            changed[depth % 32] ^= 1
            tampered = (*proof[:depth], bytes(changed), *proof[depth + 1 :])
            assert not verify_proof(root, leaf, tampered, memo)
        assert not verify_proof(root, leaf, proof[:-1], memo)
        assert verify_proof(root, leaf, proof, memo)
    # And the memo's answers are the plain fold's.
    assert all(verify_proof(root, leaf, proof) for leaf, proof in zip(leaves, proofs, strict=True))
