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
from registry.service.config import ServiceConfig
from tests.conftest import SessionRoot
from tests.helpers.service_helpers import start_service


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
def service(service_settings: Settings, session_root: SessionRoot) -> Iterator[str]:
    # The authority's own trust list (`serve --trust-list`): the session's Root TAO, which every
    # test's `chain` hangs under; a root not in it is "root not trusted".
    running = start_service(service_settings, dataclasses.replace(TEST_CONFIG, trust_list=session_root.trust_list()))
    yield running.url
    running.stop()


@pytest.fixture
def http(service: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service, timeout=30) as client:
        yield client
