"""A day's anchor sent through the service (POST /api/transactions/anchor-cohort, then /send): the
provider allocates the status entries and builds the day tree on its own machine, signs the
transaction with its own key, and the service only checks and relays it.

Unlike `Provider.anchor_day` (the provider's own node, its journal), nothing here is journaled: the
entry files get their anchor only after the receipt, so a failure leaves them unanchored, to be
anchored again (the status entries allocated for them are left unused). The provider's status
lists are published by its next journaled command, as after any kill (ops/issuance.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from registry.errors import InputError
from registry.formats.logbook import EntryFile, day_leaf
from registry.formats.logbook.records import LEAF_ENCODING
from registry.formats.merkle import StandardMerkleTree
from registry.ops.logbook.provider import Provider


def anchor_day_through(provider: Provider, files: Sequence[EntryFile], send: Callable[[bytes, int], Any]) -> bytes:
    """Anchor countersigned `files` as one root; `send(root, count)` signs and relays the
    transaction (e.g. `ServiceClient.transact(identity, "anchor-cohort", ...)`). Each file gets its
    anchor once `send` returned. The root."""
    if not files:
        raise InputError("no countersigned entries to anchor")
    for f in files:
        if f.countersignature is None or f.authorisation is None or f.anchor is not None:
            raise InputError(f"entry {f.id} is not countersigned, or is anchored already")
    with provider.issuer.writing():
        number, indexes = provider.issuer.allocator.allocate_cohort(len(files), str(uuid.uuid4()))
    values = [day_leaf(f.entry, str(f.countersignature), number, i) for f, i in zip(files, indexes, strict=True)]
    tree = StandardMerkleTree.of(values, LEAF_ENCODING)
    root = bytes.fromhex(tree.root[2:])
    send(root, len(files))
    for n, (f, index) in enumerate(zip(files, indexes, strict=True)):
        f.anchor = {"root": tree.root, "proof": tree.get_proof(n), "list": number, "index": index}
    return root
