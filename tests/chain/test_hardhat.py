"""Portability: the whole credential lifecycle on nodes other than the default anvil.

* Hardhat's node (the pinned npm devDependency `hardhat`): a second, independent EVM and
  JSON-RPC implementation, so nothing may depend on anvil-only methods or behaviour.
* anvil configured like EBSI's Besu network: Berlin rules (blocks carry no base fee, so no
  EIP-1559 transactions) and a zero gas price. Identities there hold no ether at all and still
  write, as a free-gas permissioned network allows.

Only standard JSON-RPC is used: accounts are funded with plain signed transfers from the node's
first development account, never with `anvil_setBalance`.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from registry.chain.client import ChainClient
from registry.chain.deployment import deploy
from registry.chain.node import ANVIL_DEV_KEY, PROJECT_ROOT, AnvilNode, free_port, rpc_ready
from registry.config import Settings
from registry.formats.multibase import b64url_decode
from registry.keystore import Identity, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose, Registry
from registry.ops.trust import IssuerType, Trust
from registry.ops.verify import Outcome, Verdict, Verifier
from tests.conftest import ONE_YEAR, ROOT_SCOPE, TAO_SCOPE, WELDING_SCOPE, welding_certificate

HARDHAT = PROJECT_ROOT / "node_modules" / ".bin" / "hardhat"
HARDHAT_PROJECT = Path(__file__).parent / "hardhat"  # holds the minimal hardhat.config.js
# Hardhat's and anvil's first development account come from the same well-known mnemonic.
DEV = Account.from_key(ANVIL_DEV_KEY)


@dataclass(frozen=True)
class Network:
    name: str
    rpc_url: str
    free_gas: bool  # zero gas price: identities need no ether


def _hardhat_node(tmp: Path) -> Iterator[Network]:
    if not os.access(HARDHAT, os.X_OK):
        pytest.skip("hardhat is not installed: `npm ci` installs it (package.json devDependencies)")
    port = free_port()
    log = (tmp / "hardhat.log").open("wb")
    env = {**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"}
    process = subprocess.Popen(
        [str(HARDHAT), "node", "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=HARDHAT_PROJECT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not rpc_ready(url, 0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                output = (tmp / "hardhat.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"hardhat node did not start: {output}")
            time.sleep(0.2)
        yield Network("hardhat", url, free_gas=False)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def _besu_like_anvil(tmp: Path) -> Iterator[Network]:
    node = AnvilNode(tmp / "anvil", port=free_port())
    node.start(extra_args=["--hardfork", "berlin", "--gas-price", "0"])
    try:
        yield Network("anvil-berlin-zero-gas", node.rpc_url, free_gas=True)
    finally:
        node.stop()


@pytest.fixture(scope="module", params=["hardhat", "anvil-berlin-zero-gas"])
def network(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    tmp = tmp_path_factory.mktemp(request.param)
    start = _hardhat_node if request.param == "hardhat" else _besu_like_anvil
    yield from start(tmp)


def _balance(client: ChainClient, address: str) -> int:
    return int(client.request("eth_getBalance", [address, "latest"]), 16)


def _fund(client: ChainClient, address: str) -> None:
    """A plain value transfer from the development account (standard JSON-RPC only)."""
    nonce = int(client.request("eth_getTransactionCount", [DEV.address, "pending"]), 16)
    tx = {"to": address, "value": 10**19, "gas": 21_000, "nonce": nonce, "chainId": client.chain_id}
    signed = DEV.sign_transaction({**tx, **client.fee_fields()})
    receipt = client.wait_for_receipt(client.send_signed(signed.raw_transaction))
    assert receipt["status"] == 1


def _everything_on_chain(client: ChainClient) -> str:
    """Every transaction's calldata and every log's topics and data, from genesis, as one hex string."""
    latest = client.block_number()
    blocks = client.batch([("eth_getBlockByNumber", [hex(n), True]) for n in range(latest + 1)])
    logs = client.request("eth_getLogs", [{"fromBlock": "0x0", "toBlock": hex(latest)}])
    parts = [tx["input"] for block in blocks for tx in block["transactions"]]
    parts += [part for log in logs for part in (*log["topics"], log["data"])]
    return "".join(p.removeprefix("0x") for p in parts).lower()


def test_network_prices_transactions_as_configured(network: Network) -> None:
    client = ChainClient(network.rpc_url)
    fees = client.fee_fields()
    if network.free_gas:
        assert fees == {"gasPrice": 0}, "a network without EIP-1559 and a zero gas price gets legacy, free pricing"
    else:
        assert "maxFeePerGas" in fees and "gasPrice" not in fees


def test_whole_lifecycle(network: Network, tmp_path: Path) -> None:
    client = ChainClient(network.rpc_url)
    deployment_file = tmp_path / "deployment.json"
    deploy(client, DEV).save(deployment_file)
    settings = Settings(home=tmp_path / "home", rpc_urls=(network.rpc_url,), deployment_path=deployment_file)
    registry = Registry.connect(settings)  # the attach check: chain id and code, one batch
    trust = Trust(registry, "http://registry.test")

    def entity(name: str) -> Identity:
        identity = new_legal_entity(name)
        if not network.free_gas:
            _fund(client, identity.account.address)
        registry.register_did(identity)
        return identity

    root, tao, ti = entity("vocational-authority"), entity("accreditation-body"), entity("training-centre")
    until = int(time.time()) + ONE_YEAR
    root_attribute = trust.onboard_root(DEV, root, [ROOT_SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [TAO_SCOPE], until)
    trust.accredit(tao, tao_attribute, ti.did, IssuerType.TI, [WELDING_SCOPE], until)

    holder = new_natural_person("worker")
    issuer = Issuer(registry, ti, settings)
    issued = issuer.issue_single(holder.did, welding_certificate())
    verifier = Verifier(registry)
    report = verifier.verify("cred.json", issued.holder_file.dumps())
    assert report.verdict is Verdict.VALID, report.summary
    anchor = report.check("anchor")
    assert anchor is not None and anchor.evidence["block"] == issued.receipt["blockNumber"]
    accreditation = report.check("accreditation")
    assert accreditation is not None and accreditation.outcome is Outcome.PASS

    (receipt,) = issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=2)
    report = verifier.verify("cred.json", issued.holder_file.dumps())
    assert report.verdict is Verdict.REVOKED, report.summary
    status = report.check("revocation status")
    assert status is not None and status.evidence["block"] == receipt["blockNumber"]
    assert status.evidence["reasonCode"] == 2

    # Nothing about the holder reached the chain: not its DID, not its public key, not the credential.
    everything = _everything_on_chain(client)
    token = issued.holder_file.credential
    holder_key = b64url_decode(holder.signing_jwk["x"])
    for secret in (holder.did.encode(), holder_key, token.encode(), token.split(".")[1].encode()):
        assert secret.hex() not in everything
    # ...while what is meant to be there is found by the same search (the search is not blind).
    assert ti.did.encode().hex() in everything and issued.credential_hash.hex() in everything

    if network.free_gas:
        # Every write above was paid for by accounts that never held any ether.
        assert all(_balance(client, who.account.address) == 0 for who in (root, tao, ti))


def test_a_chain_clock_slightly_ahead_of_the_issuer_does_not_invalidate_fresh_credentials(
    network: Network, tmp_path: Path
) -> None:
    client = ChainClient(network.rpc_url)
    deployment_file = tmp_path / "deployment.json"
    deploy(client, DEV).save(deployment_file)
    settings = Settings(home=tmp_path / "home", rpc_urls=(network.rpc_url,), deployment_path=deployment_file)
    registry = Registry.connect(settings)
    issuer_identity = new_legal_entity("training-centre")
    if not network.free_gas:
        _fund(client, issuer_identity.account.address)
    # The validators' clocks are 30 s ahead of the issuer's (standard method on Hardhat and anvil).
    client.request("evm_setNextBlockTimestamp", [int(time.time()) + 30])
    registry.register_did(issuer_identity)
    issued = Issuer(registry, issuer_identity, settings).issue_single(
        new_natural_person("worker").did, welding_certificate()
    )
    report = Verifier(registry).verify("fresh", issued.holder_file.dumps())
    key = report.check("signing key")
    assert key is not None and key.outcome is Outcome.PASS, key
