"""Merkle trees compatible with OpenZeppelin's `@openzeppelin/merkle-tree` (v1 dump formats).

Batch anchoring puts one root on chain and hands each holder a proof that the contract's
`MerkleProof.verify` (or our Python verifier) accepts. Matching OZ exactly (leaf hashing, leaf
order, array layout, dump format) lets proofs and dumps move freely between the JS library,
Solidity and this code.

Layout (OZ's): a complete binary tree in an array of 2n - 1 nodes; tree[0] is the root, node i
has children 2i + 1 and 2i + 2, and leaf k sits at tree[len - 1 - k]. Parent nodes hash their two
children sorted as bytes, so a proof carries no left/right flags.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sha3  # safe-pysha3: Keccak-256 in C, ten times faster than eth-hash's default backend
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import ABITypeError, EncodingError, ParseError
from eth_utils.address import is_checksum_address

from registry.errors import InputError

Node = bytes  # always 32 bytes
NodeLike = str | bytes | bytearray  # 0x-hex string or raw bytes, as accepted from callers and dumps

_HEX32_RE = re.compile(r"0x[0-9a-fA-F]{64}")
_ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}")
_BYTES_N_RE = re.compile(r"bytes([1-9]|[12][0-9]|3[0-2])")
_INT_RE = re.compile(r"u?int([0-9]*)")
_ARRAY_RE = re.compile(r"(.+)\[([0-9]*)\]")


# --- primitives ------------------------------------------------------------------------------


def keccak256(data: bytes) -> bytes:
    return sha3.keccak_256(data).digest()


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Parent node: keccak256 of the two children sorted as bytes (OZ commutativeKeccak256)."""
    return sha3.keccak_256(a + b if a <= b else b + a).digest()


def to_node(value: NodeLike) -> Node:
    """Parse a 32-byte node given as 0x-hex or bytes."""
    if isinstance(value, bytes | bytearray):
        if len(value) != 32:
            raise InputError(f"Merkle node must be 32 bytes, got {len(value)}")
        return bytes(value)
    if isinstance(value, str) and _HEX32_RE.fullmatch(value):
        return bytes.fromhex(value[2:])
    raise InputError(f"Merkle node must be 0x followed by 64 hex digits, got {value!r:.80}")


def to_hex(node: bytes) -> str:
    return "0x" + node.hex()


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
    try:
        return abi_encode(list(encoding), coerced)
    except (EncodingError, ParseError, ABITypeError, ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"leaf does not ABI-encode as {list(encoding)}: {exc}") from None


def leaf_hash(values: Sequence[Any], encoding: Sequence[str]) -> bytes:
    """StandardMerkleTree leaf: keccak256(keccak256(abi.encode(values))).

    The double hash keeps a 64-byte leaf preimage from ever being mistaken for an internal node.
    """
    return keccak256(keccak256(abi_encode_values(values, encoding)))


def make_tree(leaves: Sequence[bytes]) -> list[Node]:
    """Build OZ's array layout from leaf hashes given in leaf order (already sorted if wanted)."""
    if not leaves:
        raise InputError("a Merkle tree needs at least one leaf")
    for leaf in leaves:
        if len(leaf) != 32:
            raise InputError("Merkle leaves must be 32 bytes")
    size = 2 * len(leaves) - 1
    tree: list[Node] = [b""] * size
    tree[size - len(leaves) :] = reversed(leaves)
    for i in range(size - len(leaves) - 1, -1, -1):
        tree[i] = hash_pair(tree[2 * i + 1], tree[2 * i + 2])
    return tree


def _check_leaf_index(tree: Sequence[Node], index: int) -> None:
    if not len(tree) // 2 <= index < len(tree):
        raise InputError(f"tree index {index} is not a leaf")


def _sibling(i: int) -> int:
    return i + 1 if i % 2 else i - 1


def tree_proof(tree: Sequence[Node], index: int) -> list[Node]:
    """Sibling path from the leaf at tree[index] up to (not including) the root."""
    _check_leaf_index(tree, index)
    proof = []
    while index > 0:
        proof.append(tree[_sibling(index)])
        index = (index - 1) // 2
    return proof


# node -> (the rest of a proof from that node, the node that rest folds to)
ProofMemo = dict[bytes, tuple[tuple[bytes, ...], bytes]]


def process_proof(leaf: bytes, proof: Sequence[bytes], memo: ProofMemo | None = None) -> bytes:
    """Fold `proof` onto `leaf`.

    `memo` shares work across the proofs of one tree. The members' paths meet a few levels up;
    from a node already folded along exactly the same remaining siblings the answer is known,
    so checking all N members' proofs costs about N hashes beyond their leaves instead of
    N log N. Only an identical (node, rest of proof) pair is reused, so a proof that differs
    from a checked one in any byte is folded, hashed and judged on its own.
    """
    if memo is None:
        node = leaf
        for sibling in proof:
            node = hash_pair(node, sibling)
        return node
    siblings = tuple(proof)
    node = leaf
    walked: list[tuple[bytes, int]] = []
    for depth, sibling in enumerate(siblings):
        known = memo.get(node)
        if known is not None and known[0] == siblings[depth:]:
            node = known[1]
            break
        walked.append((node, depth))
        node = hash_pair(node, sibling)
    for start, depth in walked:
        memo[start] = (siblings[depth:], node)
        # The sibling folds to the same node with `start` in its place (the pair hash is
        # commutative), which is the proof the sibling's own holder carries.
        memo.setdefault(siblings[depth], ((start, *siblings[depth + 1 :]), node))
    return node


def verify_proof(root: bytes, leaf: bytes, proof: Sequence[bytes], memo: ProofMemo | None = None) -> bool:
    """OZ `MerkleProof.verify`: does `proof` lead from `leaf` to `root`? Malformed -> False."""
    if len(root) != 32 or len(leaf) != 32 or any(len(p) != 32 for p in proof):
        return False
    return process_proof(leaf, proof, memo) == root


@dataclass(frozen=True)
class MultiProof:
    """A multiproof as OZ returns it: `leaves` in the order the verifier must consume them."""

    leaves: list[Any]
    proof: list[str]
    proof_flags: list[bool]

    def as_dict(self) -> dict[str, Any]:
        return {"leaves": self.leaves, "proof": self.proof, "proofFlags": self.proof_flags}


def tree_multi_proof(tree: Sequence[Node], indices: Sequence[int]) -> tuple[list[int], list[Node], list[bool]]:
    """Multiproof for several leaves; returns (tree indices in leaf order, proof, flags).

    Walks the leaves bottom-up from the highest tree index: a node whose sibling is also being
    proven pairs with it (flag True); otherwise the sibling comes from the proof (flag False).
    """
    for i in indices:
        _check_leaf_index(tree, i)
    ordered = sorted(indices, reverse=True)
    if len(set(ordered)) != len(ordered):
        raise InputError("cannot prove the same leaf twice in a multiproof")
    queue = deque(ordered)
    proof: list[Node] = []
    flags: list[bool] = []
    while queue and queue[0] > 0:
        j = queue.popleft()
        s = _sibling(j)
        if queue and queue[0] == s:
            flags.append(True)
            queue.popleft()
        else:
            flags.append(False)
            proof.append(tree[s])
        queue.append((j - 1) // 2)
    if not ordered:
        proof.append(tree[0])
    return ordered, proof, flags


def process_multi_proof(leaves: Sequence[bytes], proof: Sequence[bytes], flags: Sequence[bool]) -> bytes:
    """Root implied by a multiproof (OZ `processMultiProof`); InputError if it is malformed."""
    if any(len(x) != 32 for x in (*leaves, *proof)):
        raise InputError("multiproof nodes must be 32 bytes")
    # The same consistency checks as the Solidity library: every proof element and every leaf is
    # consumed exactly once, so a proof cannot smuggle in unused or missing nodes.
    if len(leaves) + len(proof) != len(flags) + 1:
        raise InputError("invalid multiproof: leaves + proof must equal flags + 1")
    if len(proof) < sum(1 for f in flags if not f):
        raise InputError("invalid multiproof: not enough proof elements")
    stack = deque(leaves)
    pending = deque(proof)
    try:
        for flag in flags:
            a = stack.popleft()
            b = stack.popleft() if flag else pending.popleft()
            stack.append(hash_pair(a, b))
    except IndexError:
        raise InputError("invalid multiproof: flags do not match the leaves and proof") from None
    if stack:
        return stack.pop()
    return pending.popleft()


def verify_multi_proof(root: bytes, leaves: Sequence[bytes], proof: Sequence[bytes], flags: Sequence[bool]) -> bool:
    """OZ `MerkleProof.multiProofVerify`; malformed multiproofs give False."""
    if len(root) != 32:
        return False
    try:
        return process_multi_proof(leaves, proof, flags) == root
    except InputError:
        return False


# --- trees with values -----------------------------------------------------------------------


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
            _check_leaf_index(tree, index)
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
