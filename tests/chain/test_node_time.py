"""What a node's newest block says about time, against real anvil processes and the real `registry`
command (run in the test process, as `python -m registry` runs it): a replica behind the anchoring
block (but past the signing) is "could not determine", not INVALID, until the anchoring window has
passed; an idle chain (no block for twenty minutes) whose node reports it is not syncing still
answers "now"; a node that says it is syncing does not.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eth_account import Account

from registry.chain.client import ChainClient
from registry.chain.deployment import deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.config import Settings
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from tests.conftest import fork_args, welding_certificate
from tests.helpers.commands import registry_in_process
from tests.helpers.lying_node import World, build_world


def run(home: Path, deployment: Path, *args: str, rpc: tuple[str, ...], env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`registry ARGS...` run in this process, as `python -m registry` runs it (tests/helpers/commands.py:
    same entry point, exit codes and lines; a Python start less per command)."""
    argv = ["--home", str(home), *args, "--deployment", str(deployment)]
    for url in rpc:
        argv += ["--rpc", url]
    return registry_in_process(argv, {**os.environ, **(env or {})})


def iso_now(offset_s: int = 0) -> str:
    return datetime.fromtimestamp(int(time.time()) + offset_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- a replica behind the anchoring block -------------------------------------------------------


def test_a_replica_behind_the_anchor_but_past_the_signing_could_not_determine(
    settings: Settings, registry: Registry, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """A real lagging replica: an anvil forked from the chain at a block mined after the credential
    was signed and before its anchor. Its newest block is later than the signing time, and it has
    no anchor: "the node may be behind" inside the anchoring window, INVALID only past it."""
    forked_at: dict[str, int] = {}
    signed_at = registry.signing_time()
    time.sleep(2.1)  # the next block is then at least two seconds after the signing
    registry.client.request("evm_mine", [])
    forked_at["block"] = registry.client.block_number()
    # Signed at `signed_at` (before that block), anchored now, after it.
    issued = issuer.issue_single(holder.did, welding_certificate(), issued_at=signed_at)
    assert int(issued.receipt["blockNumber"]) > forked_at["block"]
    path = tmp_path / "credential.json"
    path.write_text(issued.holder_file.dumps())
    fork = AnvilNode(tmp_path / "replica", port=free_port())
    fork.start(extra_args=fork_args(registry.client.rpc_url, forked_at["block"]))
    try:
        args = (settings.home, settings.deployment_file, "verify", str(path))
        behind = run(*args, rpc=(fork.rpc_url,))
        assert behind.returncode == 2, behind.stdout + behind.stderr
        assert "COULD NOT DETERMINE" in behind.stdout and "the node may be behind" in behind.stdout
        # Past a (here 1 s) anchoring window the absence is proof: the credential was not anchored in time.
        late = run(*args, rpc=(fork.rpc_url,), env={"REGISTRY_ANCHOR_WINDOW": "1"})
        assert late.returncode == 1, late.stdout + late.stderr
        assert "anchoring window" in late.stdout
        # The replica and the up-to-date node together: not a majority, so still no verdict.
        both = run(*args, rpc=(fork.rpc_url, settings.rpc_url))
        assert both.returncode == 2, both.stdout + both.stderr
        current = run(*args, rpc=(settings.rpc_url,))
        assert current.returncode == 0, current.stdout + current.stderr
    finally:
        fork.stop()


def test_a_replica_behind_a_key_rotation_could_not_determine_never_invalid(
    settings: Settings, registry: Registry, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """The issuer adds a signing key and issues with it at once; a replica forked before the key was
    added has neither the key nor the anchor. It said INVALID ("the issuer's DID document has no key"),
    though the truth is that it is behind (forced once): now "could not determine" while the
    replica's newest block is not past the signing, INVALID once it is, VALID on the current node. A
    forgery under a key the document never had, but anchored, stays INVALID (tests/ops/test_forgeries.py)."""
    from registry.formats import jwt
    from registry.formats import keys as keyfmt
    from registry.ops.registry import Rel

    time.sleep(1.1)
    registry.client.request("evm_mine", [])
    forked_at = registry.client.block_number()
    time.sleep(1.1)  # the key is added, and used, a second after the replica's newest block
    new_key = keyfmt.generate(keyfmt.KeyType.P256)
    registry.add_key(issuer.identity, keyfmt.jwk_public_dict(new_key), int(Rel.ASSERTION_METHOD))
    rotated = dataclasses.replace(issuer.identity, signing_key=new_key, _derived={})
    issued = Issuer(registry, rotated, settings).issue_single(holder.did, welding_certificate())
    path = tmp_path / "credential.json"
    path.write_text(issued.holder_file.dumps())
    fork = AnvilNode(tmp_path / "replica", port=free_port())
    fork.start(extra_args=fork_args(registry.client.rpc_url, forked_at))
    try:
        args = (settings.home, settings.deployment_file, "verify", str(path))
        behind = run(*args, rpc=(fork.rpc_url,))
        assert behind.returncode == 2, behind.stdout + behind.stderr
        assert "COULD NOT DETERMINE" in behind.stdout and "may be behind" in behind.stdout, behind.stdout
        # Once the replica's newest block is past the signing, a key it still lacks was never valid then.
        # That block is mined a second past the signing, by the token's own iat: a forked anvil's clock
        # can be a second behind the chain's, and a second's sleep was enough only with a Python start
        # in the command before it (run in this process, the newest block was a second before the signing).
        signed = jwt.parse(issued.holder_file.credential).payload["iat"]
        replica = ChainClient(fork.rpc_url)
        replica.request("evm_setNextBlockTimestamp", [signed + 1])
        replica.request("evm_mine", [])
        late = run(*args, rpc=(fork.rpc_url,))
        assert late.returncode == 1 and "has no key" in late.stdout, late.stdout + late.stderr
        current = run(*args, rpc=(settings.rpc_url,))
        assert current.returncode == 0, current.stdout + current.stderr
    finally:
        fork.stop()


# -- an idle chain ------------------------------------------------------------------------------

IDLE_S = 1200


@pytest.fixture(scope="module")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A chain whose newest block is twenty minutes old: an anvil started with its clock twenty
    minutes back, on which a whole issuer's life happened "then". The issuer's own clock is set
    back with it while it signs (monkeypatched time.time, in this test process only: an issuer
    whose clock agrees with its chain; waiting twenty minutes is the only other way). The
    `registry` commands under test run on the real clock, after it."""
    data = tmp_path_factory.mktemp("idle")
    node = AnvilNode(data / "anvil", port=free_port())
    node.start(extra_args=["--timestamp", str(int(time.time()) - IDLE_S)])
    try:
        real = time.time
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(time, "time", lambda: real() - IDLE_S)
            deployment = data / "deployment.json"
            deploy(ChainClient(node.rpc_url), Account.from_key(ANVIL_DEV_KEY)).save(deployment)
            world = build_world(node.rpc_url, deployment, data)
        head = Registry(ChainClient(node.rpc_url), world.registry.deployment).block_timestamp()
        assert head < time.time() - IDLE_S + 120  # the chain has been idle for about twenty minutes
        yield world
        world.node.close()
    finally:
        node.stop()


def test_an_idle_chain_whose_node_is_not_syncing_answers_now(idle: World) -> None:
    home, deployment, rpc = idle.settings.home, idle.settings.deployment_file, (idle.settings.rpc_url,)
    checked = run(home, deployment, "issuer", "check", idle.issuer.did, "--at", iso_now(), rpc=rpc)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    verified = run(home, deployment, "verify", str(idle.credential), "--at", iso_now(), rpc=rpc)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "no block since, and the node reports it is not syncing" in verified.stdout
    # A time in the future is still not answered: nobody knows yet what happens until then.
    future = run(home, deployment, "verify", str(idle.credential), "--at", iso_now(86_400), rpc=rpc)
    assert future.returncode == 2, future.stdout + future.stderr
    assert "in the future" in future.stdout


def test_an_old_head_from_a_node_that_is_syncing_could_not_determine(idle: World) -> None:
    idle.node.honest()
    idle.node.lies["eth_syncing"] = lambda r, p: {"startingBlock": "0x0", "currentBlock": "0x5", "highestBlock": "0x99"}
    home, deployment, rpc = idle.settings.home, idle.settings.deployment_file, (idle.node.url,)
    checked = run(home, deployment, "issuer", "check", idle.issuer.did, "--at", iso_now(), rpc=rpc)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert "still syncing" in checked.stdout
    verified = run(home, deployment, "verify", str(idle.credential), "--at", iso_now(), rpc=rpc)
    assert verified.returncode == 2, verified.stdout + verified.stderr
    assert "still syncing" in verified.stdout
    # An answer to eth_syncing that is neither false nor a sync status is garbage: no verdict either.
    idle.node.lies["eth_syncing"] = lambda r, p: "no"
    garbled = run(home, deployment, "issuer", "check", idle.issuer.did, "--at", iso_now(), rpc=rpc)
    assert garbled.returncode == 2 and "not a valid eth_syncing result" in garbled.stderr, garbled.stderr


@pytest.mark.parametrize("name", ["REGISTRY_READ_DEADLINE", "REGISTRY_ANCHOR_WINDOW", "REGISTRY_RPC_TIMEOUT"])
def test_an_unusable_time_setting_is_a_usage_error_never_a_verdict(idle: World, name: str) -> None:
    home, deployment, rpc = idle.settings.home, idle.settings.deployment_file, (idle.settings.rpc_url,)
    result = run(home, deployment, "verify", str(idle.credential), rpc=rpc, env={name: "soon"})
    assert result.returncode == 64, result.stdout + result.stderr
    assert result.stderr.startswith(f"error: {name} must be a positive number of seconds") and not result.stdout


# -- a chain whose clock runs ahead of the verifier's -------------------------------------------

AHEAD_S = 120  # within the verifier's clock skew (CLOCK_SKEW_S, 300 s)


def test_a_credential_signed_on_a_chain_clock_ahead_is_valid_at_once(tmp_path: Path) -> None:
    """The issuer signs at `Registry.signing_time()`: the chain's time when it runs ahead of the
    wall clock (anvil mining fast, a node's clock ahead), here an anvil started two minutes ahead.
    Verified at once, "now" by the verifier's clock is before the credential's validFrom (its
    signing): it was INVALID ("validity period: not valid before ...", forced once without the
    skew); a clock disagreement within the skew the verifier allows elsewhere is not a verdict.
    Asked about an explicit time before validFrom (`--at`), it is still not valid then."""
    node = AnvilNode(tmp_path / "anvil", port=free_port())
    node.start(extra_args=["--timestamp", str(int(time.time()) + AHEAD_S)])
    try:
        deployment = tmp_path / "deployment.json"
        deploy(ChainClient(node.rpc_url), Account.from_key(ANVIL_DEV_KEY)).save(deployment)
        world = build_world(node.rpc_url, deployment, tmp_path)
        signed = jwt.parse(vcfmt.load_holder_file(world.credential.read_text(), "c").credential).payload["iat"]
        assert signed > time.time() + AHEAD_S / 2  # signed by the chain's clock, ahead of this one
        home, rpc = world.settings.home, (node.rpc_url,)
        now = run(home, deployment, "verify", str(world.credential), rpc=rpc)
        assert now.returncode == 0 and "VALID" in now.stdout, now.stdout + now.stderr
        before = datetime.fromtimestamp(signed - 1, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        earlier = run(home, deployment, "verify", str(world.credential), "--at", before, rpc=rpc)
        assert earlier.returncode != 0 and "VALID:" not in earlier.stdout, earlier.stdout + earlier.stderr
        world.node.close()
    finally:
        node.stop()


def test_a_replica_whose_newest_block_is_of_the_signings_second_but_before_the_key_could_not_determine(
    settings: Settings, registry: Registry, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """The boundary of the case above: the replica's newest block is of the very second the credential
    was signed (head time == iat), and the key was added in a later block of that second. It was
    INVALID ("the issuer's DID document has no key": forced once with the old `head >= iat`); the
    replica cannot tell such a key from one never added, so now "could not determine" (a forgery gains
    nothing by it: it has no anchor, which such a node cannot judge either), INVALID once its newest
    block is a second later, VALID on the current node."""
    from registry.formats import keys as keyfmt
    from registry.ops.registry import Rel
    from tests.conftest import one_chain_second

    new_key = keyfmt.generate(keyfmt.KeyType.P256)
    with one_chain_second(registry.client):
        registry.client.request("evm_mine", [])
        forked_at = registry.client.block_number()
        second = registry.block_timestamp(forked_at)
        registry.add_key(issuer.identity, keyfmt.jwk_public_dict(new_key), int(Rel.ASSERTION_METHOD))
        rotated = dataclasses.replace(issuer.identity, signing_key=new_key, _derived={})
        issued = Issuer(registry, rotated, settings).issue_single(holder.did, welding_certificate(), issued_at=second)
        assert registry.block_timestamp() == second  # the key's block and the anchor's: the same second
    path = tmp_path / "credential.json"
    path.write_text(issued.holder_file.dumps())
    fork = AnvilNode(tmp_path / "replica", port=free_port())
    fork.start(extra_args=fork_args(registry.client.rpc_url, forked_at))
    try:
        args = (settings.home, settings.deployment_file, "verify", str(path))
        behind = run(*args, rpc=(fork.rpc_url,))
        assert behind.returncode == 2, behind.stdout + behind.stderr
        assert "COULD NOT DETERMINE" in behind.stdout and "may be behind" in behind.stdout, behind.stdout
        replica = ChainClient(fork.rpc_url)
        replica.request("evm_setNextBlockTimestamp", [second + 1])
        replica.request("evm_mine", [])
        late = run(*args, rpc=(fork.rpc_url,))
        assert late.returncode == 1 and "has no key" in late.stdout, late.stdout + late.stderr
        current = run(*args, rpc=(settings.rpc_url,))
        assert current.returncode == 0, current.stdout + current.stderr
    finally:
        fork.stop()
