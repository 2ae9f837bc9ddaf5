"""Former keys are not honoured: what counts is who controlled the issuer's DID, and which signing
keys were valid, at the block where an anchor or a status change landed (docs/SECURITY.md, "Former
keys and controllers; passports"). Everything on a real anvil chain, with the old keys used for
real after their rotation."""

from __future__ import annotations

import dataclasses
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

from registry.chain.client import Call, contract_abi
from registry.config import Settings
from registry.formats import credential as vcfmt
from registry.formats import keys as keyfmt
from registry.keystore import Identity, new_legal_entity
from registry.ops.issuance import Issuer, status_list_url
from registry.ops.registry import Purpose, Registry, Rel, did_hash, list_id
from registry.ops.verify import Outcome, Verdict, Verifier
from tests.conftest import Chain, fund, next_second, relay, welding_certificate


def rotate_controller(registry: Registry, identity: Identity) -> Identity:
    """Add a new controller key to `identity`'s DID (it signs its consent), then end the old one's
    window now. Returns the new controller; `identity` keeps the old key, which can still send."""
    successor = new_legal_entity(identity.name + "-successor")
    fund(registry, successor)
    registry.add_key(identity, successor.controller_jwk, int(Rel.CAPABILITY_INVOCATION), possession_signer=successor)
    state = registry.resolve(identity.did)
    old = next(m for m in state.controllers() if m.account == identity.account.address)
    registry.expire_key(identity, old.index, 0)
    assert registry.resolve(identity.did).controller_window(identity.account.address)[1] < 2**63
    return successor


def test_a_rotated_out_controller_cannot_unsuspend_its_own_suspended_credential(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    issuer = Issuer(registry, chain.ti, settings)
    issued = issuer.issue_single(holder.did, welding_certificate())
    issuer.change_status([issued.holder_file.credential], Purpose.SUSPENSION, set_=True, reason=6)
    verifier = Verifier(registry)
    assert verifier.verify("c", issued.holder_file.dumps()).verdict is Verdict.SUSPENDED
    next_second()  # anchored and suspended a second before the rotation (the same second: below)
    rotate_controller(registry, chain.ti)
    # The old controller key still sends, and the contract takes it (status words are keyed by
    # the writing account): the credential's suspension bit is cleared on-chain.
    issuer.change_status([issued.holder_file.credential], Purpose.SUSPENSION, set_=False, reason=7)
    report = Verifier(registry).verify("c", issued.holder_file.dumps())
    assert report.verdict is Verdict.SUSPENDED, report.summary
    status = report.check("suspension status")
    assert status is not None and status.outcome is Outcome.FAIL
    assert "1 change(s) by" in status.message and "ignored" in status.message
    assert [e["change"] for e in status.evidence["ignored"]] == ["not suspended"]


def test_a_rotated_out_controller_cannot_revoke_a_credential(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    issuer = Issuer(registry, chain.ti, settings)
    issued = issuer.issue_single(holder.did, welding_certificate())
    next_second()
    rotate_controller(registry, chain.ti)
    issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=2)
    report = Verifier(registry).verify("c", issued.holder_file.dumps())
    assert report.verdict is Verdict.VALID, report.summary
    status = report.check("revocation status")
    assert status is not None and status.outcome is Outcome.PASS and "ignored" in status.message
    # Asked about a time after the change: still not revoked (the change never counts).
    later = Verifier(registry).verify("c", issued.holder_file.dumps(), at=int(time.time()) + 2)
    assert later.check("revocation status").outcome is Outcome.PASS  # type: ignore[union-attr]


def test_a_change_made_inside_the_window_still_counts_after_the_rotation(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    issuer = Issuer(registry, chain.ti, settings)
    issued = issuer.issue_single(holder.did, welding_certificate())
    issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=1)
    rotate_controller(registry, chain.ti)
    report = Verifier(registry).verify("c", issued.holder_file.dumps())
    assert report.verdict is Verdict.REVOKED, report.summary


def send_in_one_block(registry: Registry, writes: list[tuple[Identity, Call]]) -> list[int]:
    """Send `writes` in order and mine them into one block (anvil's automine off meanwhile);
    returns their transaction indexes in that block."""
    client = registry.client
    hashes = []
    client.request("evm_setAutomine", [False])
    try:
        nonces: dict[str, int] = {}
        for identity, call in writes:
            sender = identity.account.address
            if sender not in nonces:
                nonces[sender] = int(client.request("eth_getTransactionCount", [sender, "pending"]), 16)
            tx = client.build_transaction(sender, call, nonce=nonces[sender])
            nonces[sender] += 1
            hashes.append(client.send_signed(bytes(identity.account.sign_transaction(tx).raw_transaction)))
        client.request("evm_mine", [])
    finally:
        client.request("evm_setAutomine", [True])
    receipts = [client.wait_for_receipt(h) for h in hashes]
    assert all(r["status"] == 1 for r in receipts), receipts
    assert len({r["blockNumber"] for r in receipts}) == 1, "not one block"
    return [int(r["transactionIndex"]) for r in receipts]


def test_an_anchor_and_a_suspension_before_the_retirement_in_its_own_block_count(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    """One block (on a real chain, the only way to share the retirement's second): the anchor and
    the suspension sent before the controller's retirement count, its signing key's too."""
    issuer = Issuer(registry, chain.ti, settings)
    successor = new_legal_entity("successor")
    fund(registry, successor)
    registry.add_key(chain.ti, successor.controller_jwk, int(Rel.CAPABILITY_INVOCATION), possession_signer=successor)
    state = registry.resolve(chain.ti.did)
    controller = next(m for m in state.controllers() if m.account == chain.ti.account.address)
    signing = state.method_by_thumbprint(chain.ti.kid.partition("#")[2])
    assert signing is not None
    now = registry.signing_time()
    number, index = issuer.allocator.allocate_single()
    token = issuer.sign(issuer._draft(holder.did, welding_certificate(), number, index, now, None), now)
    entry = (list_id(Purpose.SUSPENSION, number) << 32) | index
    credentials, dids, key = registry.credential_address, registry.did_address, did_hash(chain.ti.did)
    order = send_in_one_block(
        registry,
        [
            (chain.ti, Call(credentials, "CredentialRegistry", "anchor", (vcfmt.credential_hash(token),))),
            (chain.ti, Call(credentials, "CredentialRegistry", "setStatus", (entry, 6))),
            (chain.ti, Call(dids, "DIDRegistry", "expireVerificationMethod", (key, signing.index, 0))),
            (chain.ti, Call(dids, "DIDRegistry", "expireVerificationMethod", (key, controller.index, 0))),
        ],
    )
    assert order == sorted(order)
    retired = registry.resolve(chain.ti.did)
    anchor = registry.client.call(registry.anchors_call([(chain.ti.account.address, vcfmt.credential_hash(token))]))
    assert retired.controller_window(chain.ti.account.address)[1] == int(anchor[0][0][0])  # the same second
    report = Verifier(registry).verify("same block", vcfmt.HolderFile(token).dumps())
    assert report.verdict is Verdict.SUSPENDED, report.summary
    assert [c.outcome for c in report.checks if c.name in ("signing key", "anchor")] == [Outcome.PASS] * 2


class _NoLogs(ThreadingHTTPServer):
    """A JSON-RPC endpoint in front of anvil that answers every eth_getLogs with an empty list (a
    node that pruned its logs) and relays everything else."""

    def __init__(self, upstream: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = json.loads(body)
                if isinstance(request, dict) and request.get("method") == "eth_getLogs":
                    data = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": []}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                relay(self, upstream, body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        Thread(target=self.serve_forever, daemon=True).start()


def test_a_word_changed_after_the_window_without_its_history_is_could_not_determine(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    """The node's pruned logs are simulated by a proxy (a fault we cannot cause on anvil)."""
    issuer = Issuer(registry, chain.ti, settings)
    issued = issuer.issue_single(holder.did, welding_certificate())
    rotate_controller(registry, chain.ti)
    issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=2)
    proxy = _NoLogs(settings.rpc_url)
    try:
        endpoint = Settings(home=settings.home, rpc_urls=(proxy.url,), deployment_path=settings.deployment_path)
        report = Verifier(Registry.connect(endpoint, journal=False)).verify("c", issued.holder_file.dumps())
    finally:
        proxy.shutdown()
    assert report.verdict is Verdict.INDETERMINATE, report.summary
    status = report.check("revocation status")
    assert status is not None and status.outcome is Outcome.UNKNOWN and "whole history" in status.message


def test_an_old_signing_key_cannot_sign_a_backdated_credential_anchored_after_the_rotation(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    issuer = Issuer(registry, chain.ti, settings)
    before = issuer.issue_single(holder.did, welding_certificate())
    next_second()  # the old key's window is at least a second long, so a date inside it exists
    registry.rotate_signing_key(chain.ti, keyfmt.generate(keyfmt.KeyType.P256))
    old = registry.resolve(chain.ti.did).method_by_thumbprint(chain.ti.kid.partition("#")[2])
    assert old is not None and old.not_after < 2**63
    # The old key (still in `issuer`) signs with iat inside its old window; anchored now.
    backdated = issuer.issue_single(holder.did, welding_certificate(), issued_at=old.not_after - 1)
    assert backdated.receipt["blockNumber"]
    verifier = Verifier(registry)
    assert verifier.verify("before", before.holder_file.dumps()).verdict is Verdict.VALID
    report = verifier.verify("backdated", backdated.holder_file.dumps())
    assert report.verdict is Verdict.INVALID, report.summary
    key = report.check("signing key")
    assert key is not None and key.outcome is Outcome.FAIL and "anchored after" in key.message
    assert report.summary.startswith("INVALID: signing key:")


def test_a_status_list_of_another_issuers_account_makes_the_credential_invalid(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    # The training centre signs and anchors a credential whose status lists are the accreditation
    # body's account: its own controller could never revoke or suspend it.
    issuer = Issuer(registry, chain.ti, settings)
    other = chain.tao.account.address
    now = registry.signing_time()
    draft = issuer._draft(holder.did, welding_certificate(), 0, 5, now, None)
    status = tuple(
        vcfmt.StatusEntry(p.label, status_list_url(settings.public_url, chain.ti.did, other, p, 0), 5)
        for p in (Purpose.REVOCATION, Purpose.SUSPENSION)
    )
    token = issuer.sign(dataclasses.replace(draft, status=status), now)
    registry.anchor(chain.ti, vcfmt.credential_hash(token))
    report = Verifier(registry).verify("foreign lists", vcfmt.HolderFile(token).dumps())
    assert report.verdict is Verdict.INVALID, report.summary
    check = report.check("status list")
    assert check is not None and check.outcome is Outcome.FAIL and other.lower() in check.message


def test_a_current_controllers_clear_bits_read_no_history(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    """The rule costs nothing in the common case: a controller whose window never ends and clear
    bits need no status history and no retirement lookups (as before the rule)."""
    issued = Issuer(registry, chain.ti, settings).issue_single(holder.did, welding_certificate())
    verifier = Verifier(registry)
    provider = registry.client._provider
    sent: list[tuple[str, list[Any]]] = []
    single, batch = provider.make_request, provider.make_batch_request

    def counting_single(method, params):  # type: ignore[no-untyped-def]
        sent.append((method, params))
        return single(method, params)

    def counting_batch(calls):  # type: ignore[no-untyped-def]
        sent.extend(calls)
        return batch(calls)

    provider.make_request, provider.make_batch_request = counting_single, counting_batch  # type: ignore[method-assign]
    try:
        report = verifier.verify("c", issued.holder_file.dumps())
    finally:
        provider.make_request, provider.make_batch_request = single, batch  # type: ignore[method-assign]
    assert report.verdict is Verdict.VALID, report.summary
    topics = {params[0]["topics"][0] for method, params in sent if method == "eth_getLogs"}
    credential_events, did_events = contract_abi("CredentialRegistry"), contract_abi("DIDRegistry")
    assert credential_events.event_topic("Anchored") in topics  # the evidence, as before
    assert credential_events.event_topic("StatusWordChanged") not in topics
    assert did_events.event_topic("VerificationMethodExpirySet") not in topics


def test_in_the_block_that_retires_a_signing_key_the_log_order_decides(
    chain: Chain, registry: Registry, settings: Settings, holder: Identity
) -> None:
    """One block (anvil's automine off; no clock is moved, so later tests see the chain's time as
    before): a credential anchored before the old key's retirement is valid, one the old key signed
    (iat in its window) and anchored after the retirement is not."""
    issuer = Issuer(registry, chain.ti, settings)
    old = registry.resolve(chain.ti.did).method_by_thumbprint(chain.ti.kid.partition("#")[2])
    assert old is not None
    now = registry.block_timestamp()  # inside the old key's window, whatever the wall clock says
    tokens = []
    for _ in range(2):
        number, index = issuer.allocator.allocate_single()
        tokens.append(issuer.sign(issuer._draft(holder.did, welding_certificate(), number, index, now, None), now))
    new_key = keyfmt.jwk_public_dict(keyfmt.generate(keyfmt.KeyType.P256))
    _, x, y = keyfmt.to_coordinates(new_key)
    new_method = (x, y, int(keyfmt.KeyType.P256), int(Rel.ASSERTION_METHOD | Rel.AUTHENTICATION), 0, 0)
    credentials, dids, key = registry.credential_address, registry.did_address, did_hash(chain.ti.did)
    send_in_one_block(
        registry,
        [
            (chain.ti, Call(credentials, "CredentialRegistry", "anchor", (vcfmt.credential_hash(tokens[0]),))),
            (chain.ti, Call(dids, "DIDRegistry", "addVerificationMethod", (key, new_method, b""))),
            (chain.ti, Call(dids, "DIDRegistry", "expireVerificationMethod", (key, old.index, 0))),
            (chain.ti, Call(credentials, "CredentialRegistry", "anchor", (vcfmt.credential_hash(tokens[1]),))),
        ],
    )
    assert registry.resolve(chain.ti.did).methods[old.index].not_after < 2**63
    verifier = Verifier(registry)
    before = verifier.verify("before", vcfmt.HolderFile(tokens[0]).dumps())
    assert before.verdict is Verdict.VALID, before.summary
    after = verifier.verify("after", vcfmt.HolderFile(tokens[1]).dumps())
    assert after.verdict is Verdict.INVALID and after.summary.startswith("INVALID: signing key:"), after.summary
