"""What was in force when a credential was anchored is read in the chain's order, not by the second.

A block's transactions share one timestamp, and on a fast chain several blocks share one second,
so "the accreditation's revision at the anchor's time" cannot tell a suspension landing just
after an anchor from one just before it. Blocks are ordered by number, and transactions within a
block by their log index. These tests put several transactions into one block, in a chosen order,
on the real anvil: automine is switched off while they are pooled, and one block is mined with all
of them (automine comes back in a `finally`, the session's anvil being shared).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from registry.chain.client import Call, ChainClient, contract_abi
from registry.config import Settings
from registry.keystore import Identity
from registry.ops.issuance import Issued, Issuer
from registry.ops.registry import Registry, did_hash
from registry.ops.trust import (
    AttrStatus,
    IssuerType,
    Link,
    OrderUnknown,
    Position,
    Revision,
    Trust,
)
from registry.ops.verify import Outcome, Verdict, Verifier
from tests.conftest import Chain, relay, welding_certificate

POOL_WAIT_S = 30.0


def _pooled(client: ChainClient) -> int:
    return int(client.request("txpool_status", [])["pending"], 16)


def _wait_pooled(client: ChainClient, count: int) -> None:
    deadline = time.monotonic() + POOL_WAIT_S
    while _pooled(client) < count:
        assert time.monotonic() < deadline, f"{count} transactions never reached the pool"
        time.sleep(0.05)


@contextmanager
def one_block(client: ChainClient) -> Iterator[None]:
    """Everything sent inside lands in one block, mined on leaving, in the order it was pooled."""
    client.request("evm_setAutomine", [False])
    try:
        yield
    finally:
        client.request("evm_setAutomine", [True])
        client.request("evm_mine", [])


def _pool(client: ChainClient, account: LocalAccount, call: Call) -> None:
    """Sign and pool one transaction without waiting for it (gas fixed: nothing is estimated
    against a state the pool has not reached yet)."""
    tx = client.build_transaction(account.address, call, gas=500_000)
    tx.pop("from", None)
    signed = account.sign_transaction(tx)
    client.request("eth_sendRawTransaction", ["0x" + bytes(signed.raw_transaction).hex()])


def _status_call(trust: Trust, parent: Identity, child: Identity, attribute: bytes, status: AttrStatus) -> Call:
    args = (did_hash(parent.did), did_hash(child.did), attribute, int(status), 3)
    return Call(trust.address, "TrustedIssuersRegistry", "setAttributeStatus", args)


def _issue_in_background(settings: Settings, ti: Identity, holder: Identity) -> tuple[threading.Thread, list[Issued]]:
    """`issue_single` (which waits for its receipt) in a thread, so its anchor can share a block."""
    issued: list[Issued] = []

    def run() -> None:
        issued.append(Issuer(Registry.connect(settings), ti, settings).issue_single(holder.did, welding_certificate()))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, issued


def _in_one_block(
    registry: Registry, settings: Settings, chain: Chain, trust: Trust, holder: Identity, steps: list[str]
) -> Issued:
    """Pool, in order, "anchor" (a credential issued by the TI) and "suspend" / "reinstate" (the
    TAO changing the TI's accreditation); mine them in one block; check they landed in that order."""
    client = registry.client
    statuses = {"suspend": AttrStatus.SUSPENDED, "reinstate": AttrStatus.ACTIVE}
    # A first credential publishes the TI's status lists (issue #13), so the pooled issuance sends only its anchor.
    Issuer(registry, chain.ti, settings).issue_single(holder.did, welding_certificate())
    thread = None
    issued: list[Issued] = []
    with one_block(client):
        for n, step in enumerate(steps):
            if step == "anchor":
                thread, issued = _issue_in_background(settings, chain.ti, holder)
            else:
                _pool(
                    client,
                    chain.tao.account,
                    _status_call(trust, chain.tao, chain.ti, chain.ti_attribute, statuses[step]),
                )
            _wait_pooled(client, n + 1)
    assert thread is not None
    thread.join(60)
    (credential,) = issued
    assert credential.receipt is not None
    block = client.request("eth_getBlockByNumber", [hex(int(credential.receipt["blockNumber"])), False])
    assert len(block["transactions"]) == len(steps), "the steps did not land in one block"
    senders = [
        client.request("eth_getTransactionByHash", [h])["from"].lower() for h in block["transactions"]
    ]  # the anchor is the TI's, the status changes the TAO's
    assert senders == [(chain.ti if step == "anchor" else chain.tao).account.address.lower() for step in steps], (
        "anvil did not keep the pool's order"
    )
    return credential


def test_a_suspension_in_the_anchors_block_but_after_it_does_not_reach_back(
    registry: Registry, settings: Settings, chain: Chain, trust: Trust, holder: Identity
) -> None:
    issued = _in_one_block(registry, settings, chain, trust, holder, ["anchor", "suspend"])
    report = Verifier(registry).verify("c", issued.holder_file.dumps())
    assert report.verdict is Verdict.VALID, report.summary
    accreditation = report.check("accreditation")
    assert accreditation is not None and accreditation.outcome is Outcome.PASS
    block = issued.receipt["blockNumber"] if issued.receipt else None
    # Said in the line a reader sees: suspended in the anchor's own block, after the anchor.
    assert "suspended on" in accreditation.message and f"(block {block}), after" in accreditation.message


def test_suspend_anchor_reinstate_in_one_block_is_not_accredited_at_issuance(
    registry: Registry, settings: Settings, chain: Chain, trust: Trust, holder: Identity
) -> None:
    issued = _in_one_block(registry, settings, chain, trust, holder, ["suspend", "anchor", "reinstate"])
    report = Verifier(registry).verify("c", issued.holder_file.dumps())
    assert report.verdict is Verdict.INVALID, report.summary
    accreditation = report.check("accreditation")
    assert accreditation is not None and accreditation.outcome is Outcome.FAIL
    assert "suspended on" in accreditation.message and "not reinstated by" in accreditation.message


class NoRevisionLogsNode(ThreadingHTTPServer):
    """anvil behind a node that returns no `AttributeRevised` logs when asked for a block's (as a
    node with pruned or unindexed logs answers): a fault that cannot be caused on anvil itself.
    Every other request, the accreditation bodies' log queries included, is relayed unchanged."""

    def __init__(self, upstream: str) -> None:
        topic = contract_abi("TrustedIssuersRegistry").event_topic("AttributeRevised")

        def hides(request: dict[str, Any]) -> bool:
            params = request.get("params") or [{}]
            return request.get("method") == "eth_getLogs" and params[0].get("topics") == [topic]

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                body = json.loads(raw)
                requests = body if isinstance(body, list) else [body]
                if not any(hides(r) for r in requests):
                    relay(self, upstream, raw)
                    return
                answers = [{"jsonrpc": "2.0", "id": r.get("id"), "result": []} for r in requests]
                data = json.dumps(answers if isinstance(body, list) else answers[0]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_an_order_within_the_block_that_cannot_be_read_is_not_guessed(
    registry: Registry, settings: Settings, chain: Chain, trust: Trust, holder: Identity
) -> None:
    issued = _in_one_block(registry, settings, chain, trust, holder, ["anchor", "suspend"])
    node = NoRevisionLogsNode(settings.rpc_url)
    try:
        blind = Registry(ChainClient(node.url), registry.deployment)
        report = Verifier(blind).verify("c", issued.holder_file.dumps())
    finally:
        node.shutdown()
        node.server_close()
    assert report.verdict is Verdict.INDETERMINATE, report.summary
    accreditation = report.check("accreditation")
    assert accreditation is not None and accreditation.outcome is Outcome.UNKNOWN
    assert "could not determine" in accreditation.message and "block" in accreditation.message


def _link(*revisions: Revision) -> Link:
    return Link(
        did_hash=b"\x01" * 32, attribute_id=b"\x02" * 32, parent_did_hash=b"\x03" * 32,
        parent_attribute_id=b"\x04" * 32, root_did_hash=b"\x05" * 32, body_hash=b"\x00" * 32,
        issuer_type=IssuerType.TI, status=AttrStatus.ACTIVE, valid_from=100, valid_until=10_000, body_block=1,
        revisions=revisions,
    )  # fmt: skip


def test_revisions_are_ordered_by_block_then_log_index_never_by_the_second() -> None:
    # Created in block 10; suspended in block 12 and reinstated in block 13, all in second 200.
    link = _link(
        Revision(AttrStatus.ACTIVE, 0, 200, 10), Revision(AttrStatus.SUSPENDED, 3, 200, 12),
        Revision(AttrStatus.ACTIVE, 4, 200, 13),
    )  # fmt: skip
    key = (link.did_hash, link.attribute_id)
    status: Callable[[Position], AttrStatus | None] = lambda p: getattr(  # noqa: E731
        link.revision_at(200, p, {(*key, 1): 5}), "status", None
    )
    assert link.revision_at(200).status is AttrStatus.ACTIVE  # by the second: the reinstatement
    assert status(Position(9, 0)) is None  # before the accreditation existed
    assert status(Position(11, 0)) is AttrStatus.ACTIVE
    assert status(Position(12, 7)) is AttrStatus.SUSPENDED  # same block, after the suspension (log 5)
    assert status(Position(12, 2)) is AttrStatus.ACTIVE  # same block, before it
    assert status(Position(14, 0)) is AttrStatus.ACTIVE
    with pytest.raises(OrderUnknown):  # same block, the anchor's own log index unknown
        link.revision_at(200, Position(12, None), {(*key, 1): 5})
    with pytest.raises(OrderUnknown):  # same block, the revision's log index unknown
        link.revision_at(200, Position(13, 4), {(*key, 1): 5})
