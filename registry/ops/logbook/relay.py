"""A day's anchor sent through the service (POST /api/transactions/anchor-cohort, then /send): the
provider allocates the status entries and builds the day tree on its own machine, signs the
transaction with its own key, and the service only builds (nonce, gas) and relays it.

Journaled as `Provider.anchor_day` is (ops/logbook/days.py), under the provider's writer lock: the
day's record (with `where`), then the journal row, then the transaction the service built, signed
here and recorded in the row ('sent', its exact bytes) before the service is asked to broadcast it;
the row is confirmed from the receipt the service returns, and only then are the entry files
written. A process killed at any point is finished by the provider's next `logbook anchor` or
`logbook sync` (or `registry journal reconcile --issuer NAME`), which reconciles the row with its
own node (the anchor on-chain: confirmed; the signed bytes not yet known: broadcast them) and then
writes the day's entry files: no anchor is lost or sent twice. A refusal (the service refuses to
build or relay it, or it reverts) marks the row failed and leaves the entries unanchored. What is
not the day's own transaction uses the provider's node, as `logbook anchor` does: the journal's
reconciliation, and the publication of a status list the day's entries are the first to name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from registry.chain.txmanager import crash_point
from registry.errors import ChainUnavailable, RegistryError, TransactionRefused, TransactionReverted
from registry.formats.logbook import EntryFile
from registry.ops.issuance import Issuer
from registry.ops.logbook.provider import Provider

# The service's answers to /send that say the transaction was not broadcast (checked and refused, or
# refused by the node): its other errors leave the row's bytes to the next run.
REFUSED = frozenset({400, 403, 409, 422})


class Relay(Protocol):
    """What the service offers (registry.service.client.ServiceClient has both)."""

    def build_transaction(self, sender: str, operation: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def send_signed(self, raw: str, did: str | None) -> dict[str, Any]: ...


def anchor_day_through(
    provider: Provider, files: Sequence[EntryFile], relay: Relay, where: Callable[[EntryFile], Path] | None = None
) -> bytes:
    """Anchor countersigned `files` as one root, the transaction built and relayed by `relay` (e.g.
    `ServiceClient(url)`); each file gets its anchor once the receipt is in, and with `where` is
    written there (as `Provider.anchor_day`). The root."""
    from registry.ops.logbook import days

    return days.anchor(provider.issuer, files, where, drive=lambda op_ids: _relayed(provider.issuer, op_ids, relay))


def _relayed(issuer: Issuer, op_ids: list[str], relay: Relay) -> None:
    """Send the day's journaled row through `relay`: built there, signed and recorded here, relayed."""
    account, tx, did = issuer.identity.account, issuer.tx, issuer.identity.did
    (op,) = (tx.journal.get(op_id) for op_id in op_ids)
    root, count = op.call.args
    crash_point("before-send")
    body = {"did": did, "root": "0x" + bytes(root).hex(), "count": int(count)}
    try:
        built = relay.build_transaction(account.address, "anchor-cohort", body)
    except ChainUnavailable:
        raise  # left intended: the provider's next run sends it
    except RegistryError as exc:  # the service said no: nothing was signed, nothing will be sent
        tx.journal.update(op.id, state="failed", error=f"refused by the relay: {exc}")
        raise TransactionRefused(f"the service refused to build the day's transaction: {exc}") from exc
    built_nonce = int(built.get("nonce", 0))
    tx_hash, raw = tx.sign_and_record(account, op.id, op.call, built, lambda: built_nonce)
    try:
        sent = relay.send_signed(raw, did)
    except ChainUnavailable:
        raise  # perhaps broadcast: the row keeps the bytes, the next run awaits or rebroadcasts them
    except RegistryError as exc:
        if getattr(exc, "status", None) not in REFUSED:  # no answer to rely on: as if the node were silent
            raise ChainUnavailable(f"the service did not say whether it relayed transaction {tx_hash}: {exc}") from exc
        tx.journal.update(op.id, state="failed", error=f"refused by the relay: {exc}")  # never broadcast
        raise TransactionRefused(f"the service refused to relay the day's transaction {tx_hash}: {exc}") from exc
    crash_point("after-send")
    receipt = sent.get("receipt") or {}
    if int(receipt.get("status", 0)) != 1:
        tx.journal.update(op.id, state="failed", error="reverted", block=int(receipt.get("blockNumber", 0)) or None)
        raise TransactionReverted(f"transaction {tx_hash} reverted")
    tx.journal.update(op.id, state="confirmed", block=int(receipt["blockNumber"]))
    crash_point("after-receipt")
