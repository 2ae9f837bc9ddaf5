"""Issuer state kept for a whole command: DID documents and accreditation chains read once.

A directory is verified a slice of files at a time (`ops/batch.SLICE`), and each slice used to
read again the DID document and accreditation chain of every issuer it named: a directory of
10,000 credentials from 100 issuers read them twenty times. What is kept here is read once, at a
block the cache records, and stays true for as long as neither the DID registry nor the trusted
issuers registry has changed since: every change to either emits an event, so before each slice
one log query over both contracts, from the recorded block to the head (in the same round trip as
the head's number), says whether anything did. If anything did, or the gap is wider than one log
window, everything kept is dropped and read again: a command never judges an issuer by a
document the chain has since changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from registry.ops.registry import Registry


class IssuerCache:
    def __init__(self) -> None:
        self.block: int | None = None  # state kept was read at this block or later
        self.kept: dict[str, dict[str, Any]] = {"states": {}, "chains": {}}

    def refresh(self, registry: Registry) -> None:
        """Drop everything kept if the DID registry or the TIR changed since it was read; note the
        head's number as the block from which the next reads are kept. One request when no block
        came since, two when one did."""
        client = registry.client
        head = client.block_number()
        since = self.block
        if since is not None and head > since:
            changed = head - since >= registry.log_window or client.request(
                *client.logs_request([registry.did_address, registry.tir.address], [], since + 1, head)
            )
            if changed:
                for values in self.kept.values():
                    values.clear()
        self.block = head if since is None or head > since else since

    def read(self, kind: str, dids: Iterable[str], fetch: Callable[[list[str]], dict[str, Any]]) -> dict[str, Any]:
        """`fetch(missing)` for the DIDs not kept yet under `kind`, then every DID asked."""
        kept = self.kept[kind]
        wanted = sorted(set(dids))
        missing = [d for d in wanted if d not in kept]
        if missing:
            kept.update(fetch(missing))
        return {d: kept[d] for d in wanted}
