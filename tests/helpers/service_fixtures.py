"""Fixtures for the service tests: the real app under uvicorn on a loopback socket, against the
session's anvil and deployment (from conftest). Test modules opt in with
`pytest_plugins = ("tests.helpers.service_fixtures",)`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from registry.chain.node import AnvilNode
from registry.config import Settings
from registry.ops.trust import TrustList
from registry.service.config import ServiceConfig
from tests.helpers.service_helpers import RunningService, start_service


@pytest.fixture(scope="session")
def service_settings(anvil: AnvilNode, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        home=tmp_path_factory.mktemp("service-home"),
        rpc_urls=(anvil.rpc_url,),
        deployment_path=deployment_file,
        rpc_timeout_s=5.0,
        public_url="http://registry.test",
    )


# Tests write to the chain and read back at once, so the head is asked on every request
# (head_max_age_s=0); the block-keyed cache still serves repeated reads within a block.
# Rate limiting has its own server in test_service_limits.
TEST_CONFIG = ServiceConfig(rate_per_s=0, head_max_age_s=0)


@pytest.fixture(scope="session")
def running_service(service_settings: Settings) -> Iterator[RunningService]:
    running = start_service(service_settings, TEST_CONFIG)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def service(running_service: RunningService) -> str:
    return running_service.url


@pytest.fixture(autouse=True)
def _service_trusts_the_test_root(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a test with the session's service and a `chain`, the service trusts that chain's root by
    the test home's default trust list (its own list, as `serve --trust-list` gives it), so the CLI
    and the service answer in the same words; otherwise it has none."""
    if "service" not in request.fixturenames or "chain" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("running_service").server.config.app
    request.getfixturevalue("chain")  # writes the home's trust list
    trust_list = TrustList.load(request.getfixturevalue("settings").trust_list_file)
    app.state.config = dataclasses.replace(TEST_CONFIG, trust_list=trust_list)
    yield
    app.state.config = TEST_CONFIG


@pytest.fixture
def http(service: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service, timeout=30) as client:
        yield client
