"""The tree's nodes and what OpenZeppelin's `MerkleProof` does with them: the array layout, a leaf's
proof, folding a proof to its root (with a memo shared across a cohort's proofs), multiproofs.

Layout (OZ's): a complete binary tree in an array of 2n - 1 nodes; tree[0] is the root, node i
has children 2i + 1 and 2i + 2, and leaf k sits at tree[len - 1 - k]. Parent nodes hash their two
children sorted as bytes, so a proof carries no left/right flags.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sha3  # safe-pysha3: Keccak-256 in C, ten times faster than eth-hash's default backend

from registry.errors import InputError

Node = bytes  # always 32 bytes
NodeLike = str | bytes | bytearray  # 0x-hex string or raw bytes, as accepted from callers and dumps

_HEX32_RE = re.compile(r"0x[0-9a-fA-F]{64}")


def keccak256(data: bytes) -> bytes:
    return sha3.keccak_256(data).digest()


def bytes32_leaf(value: bytes) -> bytes:
    """The StandardMerkleTree leaf of one `bytes32` value (its ABI encoding is the value itself),
    hashed twice; the verifier makes one per cohort member."""
    return sha3.keccak_256(sha3.keccak_256(value).digest()).digest()


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


def check_leaf_index(tree: Sequence[Node], index: int) -> None:
    if not len(tree) // 2 <= index < len(tree):
        raise InputError(f"tree index {index} is not a leaf")


def _sibling(i: int) -> int:
    return i + 1 if i % 2 else i - 1


def tree_proof(tree: Sequence[Node], index: int) -> list[Node]:
    """Sibling path from the leaf at tree[index] up to (not including) the root."""
    check_leaf_index(tree, index)
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
    known_of = memo.get
    keccak = sha3.keccak_256
    walked: list[bytes] = []  # the nodes folded, one per depth from 0
    for depth, sibling in enumerate(siblings):
        known = known_of(node)
        if known is not None and known[0] == siblings[depth:]:
            node = known[1]
            break
        walked.append(node)
        node = keccak(node + sibling if node <= sibling else sibling + node).digest()  # hash_pair, inlined
    for depth, start in enumerate(walked):
        rest = siblings[depth:]
        memo[start] = (rest, node)
        # The sibling folds to the same node with `start` in its place (the pair hash is
        # commutative), which is the proof the sibling's own holder carries.
        memo.setdefault(rest[0], ((start, *rest[1:]), node))
    return node


def verify_proof(root: bytes, leaf: bytes, proof: Sequence[bytes], memo: ProofMemo | None = None) -> bool:
    """OZ `MerkleProof.verify`: does `proof` lead from `leaf` to `root`? Malformed -> False."""
    if len(root) != 32 or len(leaf) != 32 or any(map((32).__ne__, map(len, proof))):  # tested in C
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
        check_leaf_index(tree, i)
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
