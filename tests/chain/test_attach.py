"""Attaching to a deployment: the node must serve the chain the deployment file describes.

Every local anvil or Hardhat chain has chain id 31337, and the same development account
deploying the same contracts gets the same addresses and the same code on each, so chain id and
code cannot tell two such chains apart: the hash of the deployment block can. Two real anvils
here, each with the registry deployed by `registry deploy`; "long" mined a few empty blocks
first, so its deployment block (21) does not exist on "fresh", and fresh's (1) is an empty block
on long.

Also: a malformed RPC URL is a one-line configuration error, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from registry.chain.client import ChainClient
from registry.chain.deployment import Deployment, check_deployment, deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.config import Settings
from registry.errors import ChainUnavailable, ConfigError, DeploymentMismatch
from registry.keystore import new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from tests.conftest import PASSPHRASE, relay, welding_certificate
from tests.helpers.commands import registry_in_process

MINED_FIRST = 20


@dataclass(frozen=True)
class Side:
    node: AnvilNode
    home: Path
    deployment: Path
    credential: Path

    @property
    def url(self) -> str:
        return self.node.rpc_url


def cli(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE, "COLUMNS": "500"}  # no wrapped lines
    environment.pop("REGISTRY_RPC_URL", None)
    environment.pop("REGISTRY_DEPLOYMENT", None)
    environment.update(env or {})
    # In this process, as `python -m registry` runs it (tests/helpers/commands.py): a Python start less.
    return registry_in_process(["--home", str(home), *args], environment)


def _side(root: Path, mine_first: int) -> Side:
    node = AnvilNode(root / "node", port=free_port())
    node.start()
    if mine_first:
        ChainClient(node.rpc_url).request("anvil_mine", [hex(mine_first)])
    home = root / "home"
    deployed = cli(home, "deploy", "--rpc", node.rpc_url)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    settings = Settings(home=home, rpc_urls=(node.rpc_url,))
    registry = Registry.connect(settings)
    issuer = new_legal_entity("school")
    registry.client.request("anvil_setBalance", [issuer.account.address, hex(10**20)])
    registry.register_did(issuer)
    issued = Issuer(registry, issuer, settings).issue_single(new_natural_person("worker").did, welding_certificate())
    credential = root / "credential.json"
    credential.write_text(issued.holder_file.dumps())
    return Side(node, home, settings.deployment_file, credential)


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Side, Side]]:
    sides: list[Side] = []
    try:
        sides.append(_side(tmp_path_factory.mktemp("long"), MINED_FIRST))
        sides.append(_side(tmp_path_factory.mktemp("fresh"), 0))
        yield sides[0], sides[1]
    finally:
        for side in sides:
            side.node.stop()


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# -- the deployment block's hash -------------------------------------------------------------


def test_both_chains_look_alike_by_chain_id_and_code(chains: tuple[Side, Side]) -> None:
    """The premise: without the block hash, nothing tells these two deployments apart."""
    long, fresh = (Deployment.load(side.deployment) for side in chains)
    assert long.chain_id == fresh.chain_id == 31337
    assert long.contracts == fresh.contracts  # same addresses, same code
    assert (long.deployment_block, fresh.deployment_block) == (MINED_FIRST + 1, 1)


def test_the_deployment_file_records_its_blocks_hash(chains: tuple[Side, Side]) -> None:
    for side in chains:
        data = json.loads(side.deployment.read_text())
        header = ChainClient(side.url).request("eth_getBlockByNumber", [hex(data["deployment_block"]), False])
        assert data["deployment_block_hash"] == header["hash"]
        # The block holds the first contract's creation: it is the block the contracts were deployed in.
        receipts = [ChainClient(side.url).request("eth_getTransactionReceipt", [tx]) for tx in header["transactions"]]
        first = Deployment.load(side.deployment).address("DIDRegistry").lower()
        assert first in [str(r.get("contractAddress")).lower() for r in receipts]


def test_verify_on_another_chain_with_the_same_chain_id_could_not_determine(chains: tuple[Side, Side]) -> None:
    long, fresh = chains
    # The right chain: an answer (this issuer is not accredited, so not VALID), never exit 2.
    for side in chains:
        own = cli(side.home, "verify", "--rpc", side.url, "--deployment", str(side.deployment), str(side.credential))
        assert own.returncode in (0, 1), own.stdout + own.stderr
        assert "COULD NOT DETERMINE" not in own.stdout

    # long's deployment file against fresh: fresh has no block 21 at all.
    missing = cli(long.home, "verify", "--rpc", fresh.url, "--deployment", str(long.deployment), str(long.credential))
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "COULD NOT DETERMINE" in missing.stdout
    assert "is not registered" not in missing.stdout
    assert f"has no block {MINED_FIRST + 1}" in missing.stdout

    # fresh's deployment file against long: long's block 1 is an empty block with another hash.
    other = cli(fresh.home, "verify", "--rpc", long.url, "--deployment", str(fresh.deployment), str(fresh.credential))
    assert other.returncode == 2, other.stdout + other.stderr
    assert "COULD NOT DETERMINE" in other.stdout
    assert "is not registered" not in other.stdout
    assert "block 1 at" in other.stdout


class Switch(ThreadingHTTPServer):
    """One JSON-RPC URL whose node can be swapped behind it (a chain reset, a new node at the same
    address): it relays every request to `upstream`, whatever that is now."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        switch = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                relay(self, switch.upstream, self.rfile.read(int(self.headers["Content-Length"])))

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_a_running_service_notices_its_node_now_serves_another_deployment(
    chains: tuple[Side, Side], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service checked its deployment once: after a chain reset with the registry deployed anew at
    the same addresses, it read the new registry as its own and called genuine credentials INVALID
    ("issuer DID not registered"). It checks again when the head goes back, and every REATTACH_S."""
    from registry.service import chain as service_chain

    long, fresh = chains
    switch = Switch(long.url)
    try:
        access = service_chain.ChainAccess(Settings(rpc_urls=(switch.url,), deployment_path=long.deployment), 0)
        access.registry()  # attached to long
        switch.upstream = fresh.url  # its head is below long's: checked again at once
        with pytest.raises(DeploymentMismatch, match=f"has no block {MINED_FIRST + 1}"):
            access.registry()
        switch.upstream = long.url
        access.registry()  # its own chain again: attached again
        ahead = service_chain.ChainAccess(Settings(rpc_urls=(switch.url,), deployment_path=fresh.deployment), 0)
        switch.upstream = fresh.url
        ahead.registry()
        switch.upstream = long.url  # a head ahead of fresh's: only the time tells it to check again
        monkeypatch.setattr(service_chain, "REATTACH_S", 0.0)
        with pytest.raises(DeploymentMismatch, match=r"block 1 at .* is 0x"):
            ahead.registry()
    finally:
        switch.shutdown()
        switch.server_close()


def test_attach_names_the_block_and_both_hashes_in_one_line(chains: tuple[Side, Side]) -> None:
    long, fresh = chains
    recorded = Deployment.load(fresh.deployment).deployment_block_hash
    assert recorded is not None
    actual = ChainClient(long.url).request("eth_getBlockByNumber", ["0x1", False])["hash"]
    with pytest.raises(DeploymentMismatch) as caught:
        check_deployment(ChainClient(long.url), Deployment.load(fresh.deployment))
    message = str(caught.value)
    assert "\n" not in message
    assert "block 1 " in message
    assert f"{recorded[:10]}…{recorded[-4:]}" in message
    assert f"{actual[:10]}…{actual[-4:]}" in message

    with pytest.raises(DeploymentMismatch, match=f"has no block {MINED_FIRST + 1}"):
        check_deployment(ChainClient(fresh.url), Deployment.load(long.deployment))


def test_attach_stays_one_round_trip(chains: tuple[Side, Side]) -> None:
    long, _ = chains
    client = ChainClient(long.url)
    posts: list[str] = []
    provider = client._provider
    single, batch = provider.make_request, provider.make_batch_request

    def counting_single(method: str, params: list[Any]) -> Any:
        posts.append(method)
        return single(method, params)

    def counting_batch(calls: list[tuple[str, list[Any]]]) -> Any:
        posts.append("batch of " + ",".join(m for m, _ in calls))
        return batch(calls)

    provider.make_request, provider.make_batch_request = counting_single, counting_batch  # type: ignore[method-assign]
    check_deployment(client, Deployment.load(long.deployment))
    assert len(posts) == 1, posts
    assert "eth_getBlockByNumber" in posts[0] and "eth_getCode" in posts[0]


def test_a_deployment_file_without_a_block_hash_still_attaches(chains: tuple[Side, Side], tmp_path: Path) -> None:
    """Files written before the hash was recorded keep working (without that comparison)."""
    long, _ = chains
    data = json.loads(long.deployment.read_text())
    del data["deployment_block_hash"]
    old = tmp_path / "old-deployment.json"
    old.write_text(json.dumps(data))
    deployment = Deployment.load(old)
    assert deployment.deployment_block_hash is None
    check_deployment(ChainClient(long.url), deployment)
    resaved = tmp_path / "resaved.json"
    deployment.save(resaved)
    assert "deployment_block_hash" not in json.loads(resaved.read_text())  # no null written
    verified = cli(long.home, "verify", "--rpc", long.url, "--deployment", str(old), str(long.credential))
    assert verified.returncode in (0, 1), verified.stdout + verified.stderr
    assert "COULD NOT DETERMINE" not in verified.stdout


@pytest.mark.parametrize("value", ["0x1234", 17, "0x" + "g" * 64])
def test_a_malformed_block_hash_in_the_file_is_a_config_error(
    chains: tuple[Side, Side], tmp_path: Path, value: object
) -> None:
    data = json.loads(chains[0].deployment.read_text())
    data["deployment_block_hash"] = value
    path = tmp_path / "deployment.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="deployment_block_hash"):
        Deployment.load(path)


def test_deploy_refuses_to_record_a_block_a_reorg_replaced(tmp_path: Path) -> None:
    """A real anvil reorg, placed just after the last contract is deployed: the file would name
    an orphaned block and every later attach would refuse it, so deploy says so instead."""
    node = AnvilNode(tmp_path / "node", port=free_port())
    node.start()
    try:
        client = ChainClient(node.rpc_url)
        request = client.request

        def reorg_before_the_final_read(method: str, params: list[Any]) -> Any:
            if method == "eth_getBlockByNumber" and params[0] == "0x1":
                request("anvil_reorg", [client.block_number(), []])  # every deployment block replaced
            return request(method, params)

        client.request = reorg_before_the_final_read  # type: ignore[method-assign]
        with pytest.raises(ChainUnavailable, match="block 1, where DIDRegistry was deployed, was replaced"):
            deploy(client, Account.from_key(ANVIL_DEV_KEY))
    finally:
        node.stop()


# -- malformed RPC URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999",  # port out of range
        "http://127.0.0.1:8545x",  # port not a number
        "http://[::1:8545",  # unbalanced IPv6 bracket
        "http://127.0.0.1:8545/a b",  # a space http.client would refuse on every request
    ],
)
def test_verify_with_a_malformed_rpc_url_is_a_usage_error(chains: tuple[Side, Side], url: str) -> None:
    """A malformed URL typed on the command line is the user's mistake, said in one line before
    anything is checked (exit 64), never a verdict."""
    side = chains[0]
    result = cli(side.home, "verify", "--rpc", url, "--deployment", str(side.deployment), str(side.credential))
    assert result.returncode == 64, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "COULD NOT DETERMINE" not in result.stdout and "VALID" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and repr(url) in lines[0], result.stderr


def test_verify_with_two_urls_in_the_environment_is_a_settings_error(chains: tuple[Side, Side]) -> None:
    """A setting that is no URL is how the command was run (exit 64, registry/cli/exits.py), named by where
    it was set, before anything is checked: never a verdict, nor "could not determine" (it was)."""
    side = chains[0]
    urls = f"{side.url},http://localhost:{side.node.port}"
    result = cli(
        side.home, "verify", "--deployment", str(side.deployment), str(side.credential), env={"REGISTRY_RPC_URL": urls}
    )
    assert result.returncode == 64, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert one_line_error(result).startswith("error: REGISTRY_RPC_URL: not a usable JSON-RPC URL"), result.stderr
    assert "one URL per --rpc" in result.stderr


def test_issuer_check_with_a_malformed_rpc_url_is_a_one_line_error(chains: tuple[Side, Side]) -> None:
    """The same one-line error, and exit code, as `--rpc notaurl`, naming the URL."""
    side = chains[0]
    did = "did:ebsi:zvHWX359A3CvfJnCYaAiAde"
    base = ("issuer", "check", did, "--deployment", str(side.deployment))
    not_a_url = cli(side.home, *base, "--rpc", "notaurl")
    bad_port = cli(side.home, *base, "--rpc", "http://127.0.0.1:99999")
    assert bad_port.returncode == not_a_url.returncode != 0, bad_port.stderr
    assert "http://127.0.0.1:99999" in one_line_error(bad_port)
    assert "port" in one_line_error(bad_port)
    one_line_error(not_a_url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:65536", "http://127.0.0.1:-1", "http://h:1,http://h:2", "http://[::1", "http://a\tb:1/", ""],
)
def test_every_malformed_url_is_a_config_error_naming_it(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ChainClient(url)
    assert repr(url[:80]) in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:0", "http://[::1]:8545", "https://user:pw@example.test/rpc?key=1"])
def test_well_formed_urls_are_accepted(url: str) -> None:
    ChainClient(url)  # no request is made


def test_deploy_adds_what_a_registry_made_before_recognition_lacks_and_keeps_the_rest(
    settings: Settings, tmp_path: Path
) -> None:
    """An operator upgrading: a deployment file written before RecognitionRegistry existed. `registry
    deploy` with it deploys the missing contract beside the registry and adds it to the file (the
    registry, its block and all it holds kept); it told the service's clients to deploy the registry
    again, which would have lost every DID, accreditation and anchor. Then nothing is left to add."""
    old = json.loads(settings.deployment_file.read_text())
    del old["contracts"]["RecognitionRegistry"]
    path = tmp_path / "deployment.json"
    path.write_text(json.dumps(old))
    home = tmp_path / "home"
    with pytest.raises(ConfigError, match=r"its operator adds it with `registry deploy --deployment FILE`"):
        _ = Registry.connect(Settings(home=home, rpc_urls=settings.rpc_urls, deployment_path=path)).recognition
    added = cli(home, "deploy", "--rpc", settings.rpc_url, "--deployment", str(path))
    assert added.returncode == 0, added.stdout + added.stderr
    assert "Added to the registry deployed on chain 31337" in added.stdout and "RecognitionRegistry" in added.stdout
    new = json.loads(path.read_text())
    assert {k: v for k, v in new["contracts"].items() if k != "RecognitionRegistry"} == old["contracts"]
    assert (new["deployment_block"], new["deployment_block_hash"]) == (
        old["deployment_block"],
        old["deployment_block_hash"],
    )
    upgraded = Registry.connect(Settings(home=home, rpc_urls=settings.rpc_urls, deployment_path=path))
    assert upgraded.recognition.address == new["contracts"]["RecognitionRegistry"]["address"]
    again = cli(home, "deploy", "--rpc", settings.rpc_url, "--deployment", str(path))
    assert again.returncode == 1 and "that is still on this chain" in one_line_error(again)
