"""`/health` as a load balancer probes it: a quiet chain is healthy, a node whose newest block is older
than `--max-block-age` (when set) is a 503, and failing probes are logged once, not once a probe.

The chain is a real anvil of its own whose clock starts two days back (`--timestamp`), as a node that
stopped following its network two days ago shows itself: its newest block is that old.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from registry.chain.node import AnvilNode, free_port
from registry.config import Settings
from registry.service.config import ServiceConfig
from tests.conftest import deploy_for_tests
from tests.helpers.lying_node import LyingNode
from tests.helpers.service_helpers import assert_problem, start_service

TWO_DAYS_S = 2 * 24 * 3600
NO_CACHE = {"Cache-Control": "no-cache"}


@dataclass
class OldChain:
    node: AnvilNode
    settings: Settings


@pytest.fixture(scope="module")
def own_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OldChain]:
    """anvil whose genesis is two days old: the registry deployed on it, no block mined since."""
    directory = tmp_path_factory.mktemp("old-chain")
    node = AnvilNode(directory, port=free_port(), state_interval_s=3600)
    node.start(extra_args=["--timestamp", str(int(time.time()) - TWO_DAYS_S)])
    try:
        deployment = deploy_for_tests(node, directory)
        yield OldChain(node, Settings(home=directory / "home", rpc_urls=(node.rpc_url,), deployment_path=deployment))
    finally:
        node.stop()


def _health(settings: Settings, config: ServiceConfig) -> list[httpx.Response]:
    running = start_service(settings, config)
    try:
        with httpx.Client(base_url=running.url, timeout=30, headers=NO_CACHE) as http:
            return [http.get("/health"), http.head("/health")]
    finally:
        running.stop()


def test_a_quiet_chain_is_healthy_unless_max_block_age_is_set(own_chain: OldChain) -> None:
    """Without --max-block-age, a head two days old is healthy (anvil and a quiet dev chain mine no
    block without a transaction): 200 with its age. With it (an hour), the same head is a 503
    node-behind saying what to do; a block mined now makes it 200 again."""
    config = ServiceConfig(rate_per_s=0, head_max_age_s=0)
    got, head = _health(own_chain.settings, config)
    assert got.status_code == 200 and head.status_code == 200, got.text
    assert got.json()["block_age_s"] >= TWO_DAYS_S - 60, got.json()

    strict = ServiceConfig(rate_per_s=0, head_max_age_s=0, max_block_age_s=3600)
    got, head = _health(own_chain.settings, strict)
    problem = assert_problem(got, 503, "node-behind")
    assert "more than --max-block-age 3600 s: it may have stopped following its network" in problem["detail"]
    assert own_chain.node.rpc_url not in problem["detail"] and got.headers["Retry-After"] == "10", problem
    assert head.status_code == 503

    client = httpx.Client(base_url=own_chain.node.rpc_url, timeout=30)
    with client:  # the node catches up: a block of now
        for method, params in (("evm_setNextBlockTimestamp", [int(time.time())]), ("evm_mine", [])):
            client.post("/", json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).raise_for_status()
    got, _ = _health(own_chain.settings, strict)
    assert got.status_code == 200 and got.json()["block_age_s"] < 3600, got.text


def test_failing_probes_are_logged_once_and_their_end_with_the_count(
    own_chain: OldChain, caplog: pytest.LogCaptureFixture
) -> None:
    """A node that answers garbage (through a lying proxy in front of the real anvil) for 5 probes: one
    log line when they start failing, one when they pass again, counting 5. Before this, each of the
    5 probes was a log line (forced once against the old route: 5 lines, this test failed)."""
    node = LyingNode(own_chain.node.rpc_url)
    settings = Settings(
        home=own_chain.settings.home, rpc_urls=(node.url,), deployment_path=own_chain.settings.deployment_path
    )
    running = start_service(settings, ServiceConfig(rate_per_s=0, head_max_age_s=0))
    try:
        with httpx.Client(base_url=running.url, timeout=30, headers=NO_CACHE) as http:
            assert http.get("/health").status_code == 200
            node.raw_answer = b'{"jsonrpc": "2.0", "id": 1, "result": "not a block"}'
            with caplog.at_level(logging.WARNING, logger="registry.service"):
                codes = [http.get("/health").status_code for _ in range(5)]
                node.honest()
                recovered = http.get("/health")
    finally:
        running.stop()
        node.close()
    assert codes == [503] * 5 and recovered.status_code == 200, (codes, recovered.text)
    lines = [r.getMessage() for r in caplog.records if r.name == "registry.service"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("GET /health fails (") and lines[0].endswith("said once, until it passes again")
    assert node.url in lines[0], lines[0]  # the node's URL is in the operator's log, never in an answer
    assert lines[1].startswith("GET /health passes again, after 5 failed probes since "), lines[1]
