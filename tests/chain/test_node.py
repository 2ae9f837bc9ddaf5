"""The managed local node keeps its state across a restart."""

from __future__ import annotations

from pathlib import Path

from eth_account import Account

from registry.chain.client import ChainClient
from registry.chain.deployment import check_deployment, deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port


def test_restarted_node_still_holds_the_registry(tmp_path: Path) -> None:
    node = AnvilNode(tmp_path / "node", port=free_port())
    node.start()
    try:
        assert node.status() is not None and node.status().running  # type: ignore[union-attr]
        client = ChainClient(node.rpc_url)
        deployment = deploy(client, Account.from_key(ANVIL_DEV_KEY))
        block = client.block_number()
    finally:
        assert node.stop()
    status = node.status()
    assert status is None or not status.running
    node.start()
    try:
        client = ChainClient(node.rpc_url)
        check_deployment(client, deployment)  # raises if the code is gone
        assert client.block_number() >= block
    finally:
        node.stop()


def test_stopping_a_node_that_is_not_running_says_so(tmp_path: Path) -> None:
    assert AnvilNode(tmp_path / "none", port=free_port()).stop() is False
