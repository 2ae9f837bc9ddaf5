"""RFC 6962 / RFC 9162 (Certificate Transparency) Merkle trees, for comparison with OZ trees.

Unlike OpenZeppelin's sorted-pair trees, CT trees keep leaf order, domain-separate leaves (0x00)
from nodes (0x01) and split at the largest power of two, so appending leaves never reshapes
the existing part of the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from registry.errors import InputError

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_subtree_root(hashes[:k]), _subtree_root(hashes[k:]))


def root(leaves: Sequence[bytes]) -> bytes:
    """Merkle Tree Hash (RFC 6962 §2.1) of the leaf inputs (not of leaf hashes)."""
    if not leaves:
        return EMPTY_ROOT
    return _subtree_root([leaf_hash(d) for d in leaves])


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Audit path PATH(index, D[n]) of RFC 6962 §2.1.1, nearest sibling first."""
    if not 0 <= index < len(leaves):
        raise InputError(f"leaf index {index} is outside a tree of {len(leaves)} leaves")
    hashes = [leaf_hash(d) for d in leaves]
    proof: list[bytes] = []
    lo, hi = 0, len(hashes)
    # Descend from the root, recording the sibling subtree at each split; reverse at the end.
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            proof.append(_subtree_root(hashes[lo + k : hi]))
            hi = lo + k
        else:
            proof.append(_subtree_root(hashes[lo : lo + k]))
            lo += k
    return proof[::-1]


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2 inclusion check of a leaf hash; any malformed input gives False.

    Every node must be exactly 32 bytes: otherwise an empty leaf hash and an empty root would
    "verify" a one-leaf tree with an empty proof.
    """
    if len(leaf) != 32 or len(expected_root) != 32 or any(len(p) != 32 for p in proof):
        return False
    if not 0 <= index < tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # Skip the levels where our node is a lone right-edge node with no sibling.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root
