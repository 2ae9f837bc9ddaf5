"""DID strings from their on-chain hashes: each is in one DIDRegistered event, in a block the
DID registry stores, so a page of names costs two batched round trips however long the history.
"""

from __future__ import annotations

from collections.abc import Sequence

from registry.ops.registry import Registry


def did_names(registry: Registry, hashes: Sequence[bytes], blocks: Sequence[int] | None = None) -> list[str | None]:
    """The DID string of each hash (None when it is not a registered DID)."""
    client = registry.client
    if blocks is None:
        calls = [registry.dids.registration(h) for h in hashes]
        blocks = [int(r[1]) for r in client.call_many(calls)]
    dids = registry.dids
    wanted = [(h, b) for h, b in zip(hashes, blocks, strict=True) if b]
    logs = client.batch([client.logs_request(dids.address, dids.registered_topics(h), b, b) for h, b in wanted])
    found: dict[bytes, str] = {}
    for (h, _), entries in zip(wanted, logs, strict=True):
        for log in entries:
            found[h] = dids.registered_did(log)
    return [found.get(h) for h in hashes]
