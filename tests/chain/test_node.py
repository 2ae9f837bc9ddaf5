"""The managed local node keeps its state across a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_a_node_whose_pid_file_cannot_be_written_is_stopped_not_left_running(tmp_path: Path) -> None:
    # Unrecorded, a node could never be stopped or found by `registry node stop|status` (a full disk
    # left anvil running with an empty pid file, and the command said "cannot write the output").
    import pytest

    from registry.chain.node import rpc_ready
    from registry.errors import StateError

    node = AnvilNode(tmp_path / "node", port=free_port())
    node.pid_file.mkdir(parents=True)  # a directory where the pid file goes: a real OSError
    with pytest.raises(StateError) as refused:
        node.start()
    assert str(refused.value).startswith(f"cannot write {node.pid_file}: ")
    assert str(refused.value).endswith("(the node it started was stopped)")
    assert not rpc_ready(node.rpc_url, 0.5)


def test_a_copied_home_never_stops_the_originals_node_and_a_cut_state_file_is_named(
    anvil: AnvilNode, tmp_path: Path
) -> None:
    # A home copied while its node ran (a backup, `cp -r network copy`) carries that node's pid file:
    # `node start` from the copy said the original's node was its own (and ignored its --port), and
    # `node stop` from the copy stopped the original's chain.
    import shutil

    import pytest

    from registry.chain.node import rpc_ready
    from registry.errors import NodeError

    copy = AnvilNode(tmp_path / "copy" / "node", port=free_port())
    copy.data_dir.mkdir(parents=True)
    shutil.copy(anvil.pid_file, copy.pid_file)
    assert copy.status() is None and copy.stop() is False
    assert rpc_ready(anvil.rpc_url)  # the original's node runs on
    # A state file cut short (a full disk, a power loss): named, with what to do, not anvil's
    # last log line ("For more information, try '--help'.").
    copy.state_file.write_text('{"block": {"number"')
    with pytest.raises(NodeError) as refused:
        copy.start()
    assert str(refused.value).startswith(f"the node's state file {copy.state_file} cannot be read (")
    assert str(refused.value).endswith("put back a copy of it, or move it aside to start an empty chain")


def test_node_commands_follow_registry_rpc_url_and_say_what_to_do(tmp_path: Path) -> None:
    # The README's quickstart sets REGISTRY_RPC_URL to a port of its own: `registry node start`
    # without --port starts the node there, where the next commands look for it. The mistakes a
    # newcomer makes around it are one line each, saying what to do.
    import os
    import subprocess
    import sys

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(REGISTRY_RPC_URL=f"http://127.0.0.1:{port}", REGISTRY_PASSPHRASE="a trial", REGISTRY_SCRYPT_N="16384")

    def registry(home: str, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "registry", "--home", str(tmp_path / home), *args]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)

    try:
        started = registry("a", "node", "start")
        assert started.returncode == 0 and f"anvil is running on http://127.0.0.1:{port} " in started.stdout
        clash = registry("b", "node", "start")
        assert clash.returncode == 1 and clash.stderr.count("\n") == 1
        assert f"port {port} already serves a chain that {tmp_path / 'b' / 'node'} did not start: stop" in clash.stderr
        assert "start this one with another --port" in clash.stderr
        _ports_refused(registry)
        _status_with_commands_elsewhere(tmp_path / "a", port, env)
        _status_of_another_homes_node(tmp_path / "b", port, env)
        elsewhere = registry("b", "node", "stop")
        assert elsewhere.returncode == 0
        assert (
            f"anvil was not running from {tmp_path / 'b' / 'node'} (a node started with another home"
            in elsewhere.stdout
        )
        # An identity registered before it was given test ether.
        assert registry("a", "deploy").returncode == 0 and registry("a", "identity", "create", "org").returncode == 0
        # Deployed again over it: refused, or this home would lose sight of the registry it uses.
        again = registry("a", "deploy")
        assert again.returncode == 1 and again.stderr.count("\n") == 1, again.stderr
        assert "that is still on this chain (every command of this home reads it): give another file" in again.stderr
        unfunded = registry("a", "did", "register", "org")
        assert unfunded.returncode == 1 and unfunded.stderr.count("\n") == 1, unfunded.stderr
        # The hint names the identity the command used, not a placeholder.
        assert (
            "the paying account has no ether for gas; on a local chain give it some with `registry node fund org`"
            in unfunded.stderr
            and "(`registry identity show org`)" in unfunded.stderr
        )
    finally:
        assert registry("a", "node", "stop").stdout == "anvil stopped\n"
    _status_with_no_node(tmp_path / "a", port, env)
    nobody = registry("a", "deploy")
    assert nobody.returncode == 2 and nobody.stderr.count("\n") == 1, nobody.stderr
    assert (
        "connection refused or host unreachable: is a node running there? Start a local one with `registry node"
        in nobody.stderr
    )


def _status_of_another_homes_node(home: Path, port: int, env: dict[str, str]) -> None:
    """`node status` from a home that did not start the node answering at its URL: says what is true
    (a node answers there, its chain and block), exit 0. In process: no further subprocess."""
    from typer.testing import CliRunner

    from registry.cli import app

    said = CliRunner().invoke(app, ["--home", str(home), "node", "status"], env=env)
    assert said.exit_code == 0, said.output
    assert said.output.startswith(f"a node answers at http://127.0.0.1:{port}: chain id 31337, block "), said.output
    assert f"(not started from {home / 'node'}" in said.output


def _status_with_commands_elsewhere(home: Path, port: int, env: dict[str, str]) -> None:
    """This home's anvil runs, but REGISTRY_RPC_URL points its commands at another URL: `node status` says
    both, so an operator does not read the anvil's line as the node in use (before: the anvil's line only)."""
    import socket

    from typer.testing import CliRunner

    from registry.cli import app

    with socket.socket() as closed:  # a port nothing listens on once closed
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    for url, said_of_it in ((nowhere, "where no node answers: unset it"), (f"http://127.0.0.1:{port}/", None)):
        said = CliRunner().invoke(app, ["--home", str(home), "node", "status"], env={**env, "REGISTRY_RPC_URL": url})
        assert said.exit_code == 0 and said.output.startswith(f"anvil is running on http://127.0.0.1:{port} ")
        lines = said.output.splitlines()
        if said_of_it is None:  # the same node, written with a slash: one line
            assert len(lines) == 1, said.output
        else:
            assert len(lines) == 2 and lines[1].startswith(f"but this home's commands use {url} "), said.output
            assert said_of_it in lines[1], said.output


def _status_with_no_node(home: Path, port: int, env: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from registry.cli import app

    said = CliRunner().invoke(app, ["--home", str(home), "node", "status"], env=env)
    assert said.exit_code == 1 and said.output.startswith("anvil is not running, and no node answers at "), said.output
    assert f"http://127.0.0.1:{port}" in said.output


def _ports_refused(registry: Any) -> None:
    """A port no node can have, and one another program (not a chain) holds: one line each, what to do."""
    import socket

    impossible = registry("b", "node", "start", "--port", "99999")
    assert impossible.returncode == 64 and "not in the range 1<=x<=65535" in impossible.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = registry("b", "node", "start", "--port", str(taken.getsockname()[1]))
    assert busy.returncode == 1 and busy.stderr.count("\n") == 1, busy.stderr
    assert "is in use by another program on this machine: start the node with another --port" in busy.stderr
