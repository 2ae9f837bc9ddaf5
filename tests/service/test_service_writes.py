"""Client-signed writes: the service builds, the client signs with its own key, the service checks
the signer and broadcasts. Refusals name their reason as problem+json.
"""

from __future__ import annotations

import dataclasses
import os
from urllib.parse import urlsplit

import httpx
import pytest
from eth_account import Account

from registry.chain.client import Call
from registry.chain.node import AnvilNode
from registry.config import Settings
from registry.errors import TransactionReverted
from registry.formats import jwt
from registry.keystore import Identity, new_legal_entity
from registry.ops.issuance import Issuer, parse_status_entry, status_entries
from registry.ops.registry import Purpose, Registry, did_hash
from registry.ops.statuslists import StatusLists
from registry.service.client import ServiceClient, ServiceError
from registry.service.config import ServiceConfig
from tests.conftest import GOVERNANCE, Chain, HangUpProxy, fund, welding_certificate
from tests.helpers.service_helpers import assert_problem, start_service

pytest_plugins = ("tests.helpers.service_fixtures",)


@pytest.fixture
def client(service: str) -> ServiceClient:
    return ServiceClient(service)


def signed(registry: Registry, account: Account, call: Call, **overrides: object) -> str:  # type: ignore[valid-type]
    """A transaction signed locally, bypassing the service's builder (to forge what it would refuse)."""
    tx = registry.client.build_transaction(account.address, call, gas=500_000)  # type: ignore[attr-defined]
    tx.pop("from")
    tx.update(overrides)
    return "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()  # type: ignore[attr-defined]


def test_register_a_did_through_the_service(client: ServiceClient, http: httpx.Client, registry: Registry) -> None:
    identity = new_legal_entity("employer")
    fund(registry, identity)
    first, second = client.register_did(identity)
    assert first["signer"] == identity.account.address
    assert (first["function"], second["function"]) == ("register", "addVerificationMethod")
    assert first["receipt"]["status"] == second["receipt"]["status"] == 1
    document = http.get(f"/did-registry/v5/identifiers/{identity.did}").json()
    assert identity.kid in document["assertionMethod"]


def test_anchor_then_read_its_timestamp(client: ServiceClient, http: httpx.Client, issuer: Issuer) -> None:
    value = os.urandom(32)
    sent = client.anchor(issuer.identity, value)
    stamp = http.get(f"/timestamp/v4/timestamps/0x{value.hex()}").json()
    assert stamp["transactionHash"] == sent["transactionHash"]
    assert stamp["timestampedBy"] == issuer.identity.account.address
    # The contract refuses anchoring the same value twice; the builder says so before anyone signs.
    with pytest.raises(TransactionReverted, match=r"AlreadyAnchored|already anchored"):
        client.anchor(issuer.identity, value)


def test_revoke_and_publish_through_the_service(
    client: ServiceClient, http: httpx.Client, issuer: Issuer, holder: Identity, registry: Registry
) -> None:
    token = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential
    entry = status_entries(jwt.parse(token).payload)[0]
    _, _, purpose, number, index = parse_status_entry(entry)
    assert purpose is Purpose.REVOCATION
    client.set_status(issuer.identity, purpose, number, index, reason=2)
    assert client.verify(token)["verdict"] == "revoked"
    # A second revocation, with another reason, is refused before anyone signs: the first one stands.
    with pytest.raises(TransactionReverted, match="already set"):
        client.set_status(issuer.identity, purpose, number, index, reason=4)
    status_list = StatusLists(registry, "http://registry.test").sign(issuer.identity, purpose, number)
    client.publish_status_list(issuer.identity, purpose, number, status_list)
    assert http.get(urlsplit(entry["statusListCredential"]).path).text == status_list


def test_nobody_writes_in_a_did_it_does_not_control(client: ServiceClient, issuer: Issuer, chain: Chain) -> None:
    # The TAO's key is valid, but it does not control the training centre's DID.
    with pytest.raises(ServiceError) as refused:
        client.transact(chain.tao, "anchor", {"did": issuer.identity.did, "hash": "0x" + "11" * 32})
    assert refused.value.status == 403
    assert refused.value.problem["type"].endswith(":not-controller")


def test_signed_transactions_are_checked_before_broadcast(
    http: httpx.Client, registry: Registry, issuer: Issuer, chain: Chain
) -> None:
    owner = issuer.identity
    stranger = chain.tao.account
    anchor = Call(registry.credential_address, "CredentialRegistry", "anchor", (os.urandom(32),))

    def send(raw: str, did: str | None = None) -> httpx.Response:
        return http.post("/api/transactions/send", json={"signedRawTransaction": raw, "did": did})

    assert_problem(send(signed(registry, owner.account, anchor)), 400, "did-required")
    assert_problem(send(signed(registry, stranger, anchor), owner.did), 403, "not-controller")
    assert_problem(send(signed(registry, owner.account, anchor, chainId=1), owner.did), 400, "wrong-chain")
    elsewhere = Call("0x" + "42" * 20, "CredentialRegistry", "anchor", (os.urandom(32),))
    assert_problem(send(signed(registry, owner.account, elsewhere), owner.did), 403, "not-our-contract")
    # Governance calls are not issuer operations, whoever signs them.
    onboard = Call(
        registry.deployment.address("TrustedIssuersRegistry"),
        "TrustedIssuersRegistry",
        "onboardRoot",
        (did_hash(owner.did), os.urandom(32), "x.y.z", 0, 2**40),
    )
    assert_problem(send(signed(registry, GOVERNANCE, onboard)), 403, "function-not-allowed")
    # A DID registry call acts for the DID it names: only its controllers may send it.
    expire = Call(registry.did_address, "DIDRegistry", "expireVerificationMethod", (did_hash(owner.did), 1, 0))
    assert_problem(send(signed(registry, stranger, expire)), 403, "not-controller")
    assert_problem(send("0x" + "ab" * 40), 400, "invalid-transaction")
    # None of these reached the chain.
    nonce = int(registry.client.request("eth_getTransactionCount", [owner.account.address, "latest"]), 16)
    assert signed(registry, owner.account, anchor)  # still buildable with the same nonce
    assert int(registry.client.request("eth_getTransactionCount", [owner.account.address, "latest"]), 16) == nonce


def test_build_refusals_are_problems(http: httpx.Client, issuer: Issuer) -> None:
    account = issuer.identity.account.address
    body = {"from": account, "did": issuer.identity.did, "hash": "0x" + "22" * 32}
    assert http.post("/api/transactions/anchor", json=body).json()["transaction"]["chainId"] > 0
    assert_problem(http.post("/api/transactions/anchor", json={**body, "hash": "0x12"}), 400, "invalid-request")
    assert_problem(http.post("/api/transactions/anchor", json={**body, "from": "0x" + "99" * 20}), 403)
    register = {
        "from": account,
        "did": "did:ebsi:zNew11111111111111111",
        "controllerJwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
    }
    assert_problem(http.post("/api/transactions/register-did", json=register), 400)


def _send(http: httpx.Client, raw: str, did: str | None = None, wait: bool = False) -> httpx.Response:
    return http.post("/api/transactions/send", json={"signedRawTransaction": raw, "did": did, "waitForReceipt": wait})


def _pending_nonce(registry: Registry, address: str) -> int:
    return int(registry.client.request("eth_getTransactionCount", [address, "pending"]), 16)


def _anchor(registry: Registry) -> Call:
    return Call(registry.credential_address, "CredentialRegistry", "anchor", (os.urandom(32),))


def test_a_nonce_that_is_not_the_signers_next_is_refused_before_broadcast(
    http: httpx.Client, registry: Registry, issuer: Issuer
) -> None:
    owner = issuer.identity
    address = owner.account.address
    nonce = _pending_nonce(registry, address)
    # A gap: the node would queue it unmined (a waitForReceipt client would wait for nothing).
    gap = assert_problem(
        _send(http, signed(registry, owner.account, _anchor(registry), nonce=nonce + 3), owner.did), 409
    )
    assert gap["type"].endswith(":nonce-gap")
    assert (gap["nonce"], gap["expectedNonce"]) == (nonce + 3, nonce)
    assert f"next nonce is {nonce}" in gap["detail"]
    assert _pending_nonce(registry, address) == nonce  # nothing entered the node's pool
    # A used nonce: replaying a mined transaction.
    raw = signed(registry, owner.account, _anchor(registry))
    first = _send(http, raw, owner.did, wait=True).json()
    assert first["receipt"]["status"] == 1
    replay = assert_problem(_send(http, raw, owner.did), 409, "nonce-used")
    assert (replay["nonce"], replay["expectedNonce"]) == (nonce, nonce + 1)
    # The same bytes again (a client retrying after its connection dropped mid-request) are named as
    # the transaction they are, mined, not "can never be mined".
    assert "already used by this very transaction" in replay["detail"] and "can never" not in replay["detail"]
    assert (replay["transactionHash"], replay["receipt"]) == (first["transactionHash"], first["receipt"])
    low = signed(registry, owner.account, _anchor(registry), nonce=nonce)  # a new call, same used nonce
    reused = assert_problem(_send(http, low, owner.did), 409, "nonce-used")
    assert "can never be mined" in reused["detail"] and "transactionHash" not in reused


def test_a_transaction_with_less_gas_than_it_needs_is_refused_before_broadcast(
    http: httpx.Client, registry: Registry, issuer: Issuer
) -> None:
    owner = issuer.identity
    nonce = _pending_nonce(registry, owner.account.address)
    starved = signed(registry, owner.account, _anchor(registry), gas=22_000)
    problem = assert_problem(_send(http, starved, owner.did, wait=True), 400, "insufficient-gas")
    assert problem["gas"] == 22_000 and problem["estimate"] > 22_000
    assert _pending_nonce(registry, owner.account.address) == nonce
    # Exactly the estimate is enough.
    enough = signed(registry, owner.account, _anchor(registry), gas=problem["estimate"] + 2_000)
    assert _send(http, enough, owner.did, wait=True).json()["receipt"]["status"] == 1


def test_the_nodes_refusal_is_a_409_with_its_reason_not_an_unreachable_chain(
    http: httpx.Client, client: ServiceClient, registry: Registry, issuer: Issuer
) -> None:
    owner = issuer.identity
    latest = registry.client.request("eth_getBlockByNumber", ["latest", False])
    assert int(latest["baseFeePerGas"], 16) > 1  # so a fee of 1 wei is under it
    cheap = signed(registry, owner.account, _anchor(registry), maxFeePerGas=1, maxPriorityFeePerGas=1)
    problem = assert_problem(_send(http, cheap, owner.did), 409, "node-refused")
    assert "base fee" in problem["reason"] and problem["reason"] in problem["detail"]
    # Too little ether for the fee it offers (the account holds 100 ether; this asks for 500).
    dear = signed(registry, owner.account, _anchor(registry), maxFeePerGas=10**15, maxPriorityFeePerGas=10**9)
    problem = assert_problem(_send(http, dear, owner.did), 409, "node-refused")
    assert "fund" in problem["reason"].lower()
    # The Python client (the CLI's) says the node refused, not that it could not reach anything.
    with pytest.raises(ServiceError) as refused:
        client._request("POST", "/api/transactions/send", json={"signedRawTransaction": dear, "did": owner.did})
    assert refused.value.status == 409 and "refused" in str(refused.value)


def test_a_contract_creation_is_named_as_such(http: httpx.Client, registry: Registry, issuer: Issuer) -> None:
    account = issuer.identity.account
    tx = registry.client.build_transaction(account.address, _anchor(registry), gas=500_000)
    del tx["from"], tx["to"]
    raw = "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()
    problem = assert_problem(_send(http, raw, issuer.identity.did), 403, "contract-creation")
    assert "contract creation" in problem["detail"] and "None" not in problem["detail"]


def test_a_node_gone_at_broadcast_is_still_a_503(
    service_settings: Settings, anvil: AnvilNode, registry: Registry, issuer: Issuer
) -> None:
    # A node that goes away at the moment of sending: it hangs up on the broadcast only.
    proxy = HangUpProxy(anvil.rpc_url, lambda body: b"eth_sendRawTransaction" in body)
    config = ServiceConfig(rate_per_s=0, head_max_age_s=0)
    running = start_service(dataclasses.replace(service_settings, rpc_urls=(proxy.url,)), config)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as http:
            raw = signed(registry, issuer.identity.account, _anchor(registry))
            problem = assert_problem(_send(http, raw, issuer.identity.did), 503, "chain-unavailable")
            assert "closed the connection without answering" in problem["detail"]
            assert proxy.hung_up >= 1  # it got as far as broadcasting
    finally:
        running.stop()
        proxy.shutdown()
        proxy.server_close()
