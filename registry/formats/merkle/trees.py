"""Trees with values, as OZ's `StandardMerkleTree` and `SimpleMerkleTree` hold them: built from
values (leaves sorted, as OZ does by default), proofs by value or index, and the v1 dump formats,
whose every hash is checked on load (a dump from elsewhere is untrusted input).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from registry.errors import InputError
from registry.formats.merkle.leaves import leaf_hash
from registry.formats.merkle.proofs import (
    MultiProof,
    Node,
    NodeLike,
    check_leaf_index,
    hash_pair,
    make_tree,
    to_hex,
    to_node,
    tree_multi_proof,
    tree_proof,
    verify_multi_proof,
    verify_proof,
)


@dataclass(frozen=True)
class TreeEntry:
    value: Any
    tree_index: int


def _jsonable(value: Any) -> Any:
    """Store values the way the dump will hold them, so dump/load round-trips compare equal."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _MerkleTree:
    """Shared machinery of the standard and simple trees: layout, lookups, proofs, dumps."""

    FORMAT = ""

    def __init__(self, tree: list[Node], values: list[TreeEntry]) -> None:
        self.tree = tree
        self.values = values
        # Hash -> value index, so proofs by value are O(1) rather than a scan.
        self._lookup = {tree[e.tree_index]: i for i, e in enumerate(values)}

    # Subclasses define how a value becomes a leaf.
    def leaf_hash(self, value: Any) -> Node:
        raise NotImplementedError

    @classmethod
    def _build(cls, leaves: list[Node], values: list[Any], sort_leaves: bool) -> tuple[list[Node], list[TreeEntry]]:
        order = list(range(len(values)))
        if sort_leaves:
            order.sort(key=leaves.__getitem__)
        tree = make_tree([leaves[i] for i in order])
        tree_index = [0] * len(values)
        for leaf_pos, value_index in enumerate(order):
            tree_index[value_index] = len(tree) - 1 - leaf_pos
        entries = [TreeEntry(_jsonable(v), tree_index[i]) for i, v in enumerate(values)]
        return tree, entries

    @property
    def root(self) -> str:
        return to_hex(self.tree[0])

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return ((i, e.value) for i, e in enumerate(self.values))

    def leaf_lookup(self, value: Any) -> int:
        """Index (in `values`) of a value, found by its leaf hash."""
        index = self._lookup.get(self.leaf_hash(value))
        if index is None:
            raise InputError("value is not in the tree")
        return index

    def _value_index(self, index_or_value: Any) -> int:
        if isinstance(index_or_value, int) and not isinstance(index_or_value, bool):
            if not 0 <= index_or_value < len(self.values):
                raise InputError(f"value index {index_or_value} is out of range")
            return index_or_value
        return self.leaf_lookup(index_or_value)

    def get_proof(self, index_or_value: Any) -> list[str]:
        """Proof for one value (by index in `values`, or the value itself), as 0x-hex nodes."""
        i = self._value_index(index_or_value)
        return [to_hex(n) for n in tree_proof(self.tree, self.values[i].tree_index)]

    def get_multi_proof(self, indexes_or_values: Sequence[Any]) -> MultiProof:
        value_indexes = [self._value_index(x) for x in indexes_or_values]
        by_tree_index = {self.values[i].tree_index: i for i in value_indexes}
        ordered, proof, flags = tree_multi_proof(self.tree, [self.values[i].tree_index for i in value_indexes])
        return MultiProof(
            leaves=[self.values[by_tree_index[t]].value for t in ordered],
            proof=[to_hex(n) for n in proof],
            proof_flags=flags,
        )

    def verify(self, index_or_value: Any, proof: Sequence[NodeLike]) -> bool:
        """Does `proof` prove this value (or the value at this index) against our root?"""
        if isinstance(index_or_value, int) and not isinstance(index_or_value, bool):
            value = self.values[self._value_index(index_or_value)].value
        else:
            value = index_or_value
        return verify_proof(self.tree[0], self.leaf_hash(value), [to_node(p) for p in proof])

    def verify_multi_proof(self, multiproof: MultiProof) -> bool:
        return verify_multi_proof(
            self.tree[0],
            [self.leaf_hash(v) for v in multiproof.leaves],
            [to_node(p) for p in multiproof.proof],
            multiproof.proof_flags,
        )

    def _dump_base(self) -> dict[str, Any]:
        return {
            "format": self.FORMAT,
            "tree": [to_hex(n) for n in self.tree],
            "values": [{"value": e.value, "treeIndex": e.tree_index} for e in self.values],
        }

    @classmethod
    def _parse_dump(cls, data: Any) -> tuple[list[Node], list[TreeEntry]]:
        if not isinstance(data, dict) or data.get("format") != cls.FORMAT:
            raise InputError(f"not a Merkle tree dump of format {cls.FORMAT!r}")
        raw_tree, raw_values = data.get("tree"), data.get("values")
        if not isinstance(raw_tree, list) or not isinstance(raw_values, list) or not raw_values:
            raise InputError("Merkle tree dump needs non-empty 'tree' and 'values' lists")
        tree = [to_node(n) for n in raw_tree]
        if len(tree) != 2 * len(raw_values) - 1:
            raise InputError("Merkle tree dump: tree size does not match the number of values")
        entries = []
        for item in raw_values:
            if not isinstance(item, dict) or "value" not in item:
                raise InputError("Merkle tree dump: each value needs 'value' and 'treeIndex'")
            index = item.get("treeIndex")
            if not isinstance(index, int) or isinstance(index, bool):
                raise InputError("Merkle tree dump: treeIndex must be an integer")
            check_leaf_index(tree, index)
            entries.append(TreeEntry(_jsonable(item["value"]), index))
        if len({e.tree_index for e in entries}) != len(entries):
            raise InputError("Merkle tree dump: two values share a treeIndex")
        return tree, entries

    def validate(self) -> None:
        """Recompute every leaf and inner node; a dump from elsewhere is untrusted input."""
        for i, e in enumerate(self.values):
            if self.leaf_hash(e.value) != self.tree[e.tree_index]:
                raise InputError(f"Merkle tree: value {i} does not hash to its leaf")
        for i in range(len(self.tree) // 2 - 1, -1, -1):
            if self.tree[i] != hash_pair(self.tree[2 * i + 1], self.tree[2 * i + 2]):
                raise InputError(f"Merkle tree: node {i} is not the hash of its children")


class StandardMerkleTree(_MerkleTree):
    """OZ StandardMerkleTree: values are tuples ABI-encoded with `leaf_encoding`."""

    FORMAT = "standard-v1"

    def __init__(self, tree: list[Node], values: list[TreeEntry], leaf_encoding: list[str]) -> None:
        self.leaf_encoding = leaf_encoding
        super().__init__(tree, values)

    @classmethod
    def of(
        cls, values: Sequence[Sequence[Any]], leaf_encoding: Sequence[str], sort_leaves: bool = True
    ) -> StandardMerkleTree:
        encoding = list(leaf_encoding)
        leaves = [leaf_hash(v, encoding) for v in values]
        tree, entries = cls._build(leaves, list(values), sort_leaves)
        return cls(tree, entries, encoding)

    def leaf_hash(self, value: Any) -> Node:
        return leaf_hash(value, self.leaf_encoding)

    def dump(self) -> dict[str, Any]:
        out = self._dump_base()
        out["leafEncoding"] = list(self.leaf_encoding)
        return out

    @classmethod
    def load(cls, data: dict[str, Any]) -> StandardMerkleTree:
        """Rebuild from a dump, checking that every hash in it is right."""
        tree, entries = cls._parse_dump(data)
        encoding = data.get("leafEncoding")
        if not isinstance(encoding, list) or not all(isinstance(t, str) for t in encoding):
            raise InputError("Merkle tree dump: leafEncoding must be a list of type names")
        loaded = cls(tree, entries, encoding)
        loaded.validate()
        return loaded


class SimpleMerkleTree(_MerkleTree):
    """OZ SimpleMerkleTree: values are bytes32 leaves used as they are, without hashing."""

    FORMAT = "simple-v1"

    @classmethod
    def of(cls, values: Sequence[NodeLike], sort_leaves: bool = True) -> SimpleMerkleTree:
        leaves = [to_node(v) for v in values]
        tree, entries = cls._build(leaves, [to_hex(v) for v in leaves], sort_leaves)
        return cls(tree, entries)

    def leaf_hash(self, value: Any) -> Node:
        if not isinstance(value, str | bytes | bytearray):
            raise InputError("SimpleMerkleTree values must be bytes32")
        return to_node(value)

    def dump(self) -> dict[str, Any]:
        return self._dump_base()

    @classmethod
    def load(cls, data: dict[str, Any]) -> SimpleMerkleTree:
        tree, entries = cls._parse_dump(data)
        # Normalise hex case so lookups and dumps are stable whatever produced the file.
        normalised = [TreeEntry(to_hex(to_node(e.value)), e.tree_index) for e in entries]
        loaded = cls(tree, normalised)
        loaded.validate()
        return loaded
