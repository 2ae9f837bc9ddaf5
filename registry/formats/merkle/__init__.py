"""Merkle trees compatible with OpenZeppelin's `@openzeppelin/merkle-tree` (v1 dump formats).

Batch anchoring puts one root on chain and hands each holder a proof that the contract's
`MerkleProof.verify` (or our Python verifier) accepts. Matching OZ exactly (leaf hashing, leaf
order, array layout, dump format) lets proofs and dumps move freely between the JS library,
Solidity and this code.

The package, one module per concern (callers import from the package): `proofs` (nodes, the
array layout, proofs and multiproofs), `leaves` (a StandardMerkleTree leaf: values ABI-encoded,
hashed twice) and `trees` (`StandardMerkleTree`, `SimpleMerkleTree`, their dumps). Every name
is re-exported here, loaded on first use (PEP 562): a verifier folds proofs, and builds no tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.lazyexports import lazy_exports

if TYPE_CHECKING:
    from registry.formats.merkle.leaves import abi_encode_values, leaf_hash
    from registry.formats.merkle.proofs import (
        MultiProof,
        Node,
        NodeLike,
        ProofMemo,
        bytes32_leaf,
        hash_pair,
        keccak256,
        make_tree,
        process_multi_proof,
        process_proof,
        to_hex,
        to_node,
        tree_multi_proof,
        tree_proof,
        verify_multi_proof,
        verify_proof,
    )
    from registry.formats.merkle.trees import SimpleMerkleTree, StandardMerkleTree, TreeEntry

_WHERE = {
    "leaves": ("abi_encode_values", "leaf_hash"),
    "proofs": (
        "MultiProof",
        "Node",
        "NodeLike",
        "ProofMemo",
        "bytes32_leaf",
        "hash_pair",
        "keccak256",
        "make_tree",
        "process_multi_proof",
        "process_proof",
        "to_hex",
        "to_node",
        "tree_multi_proof",
        "tree_proof",
        "verify_multi_proof",
        "verify_proof",
    ),
    "trees": ("SimpleMerkleTree", "StandardMerkleTree", "TreeEntry"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = [
    "MultiProof",
    "Node",
    "NodeLike",
    "ProofMemo",
    "SimpleMerkleTree",
    "StandardMerkleTree",
    "TreeEntry",
    "abi_encode_values",
    "bytes32_leaf",
    "hash_pair",
    "keccak256",
    "leaf_hash",
    "make_tree",
    "process_multi_proof",
    "process_proof",
    "to_hex",
    "to_node",
    "tree_multi_proof",
    "tree_proof",
    "verify_multi_proof",
    "verify_proof",
]


__getattr__, __dir__ = lazy_exports(__name__, _MODULE_OF, __all__)
