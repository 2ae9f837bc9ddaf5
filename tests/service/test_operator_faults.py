"""What an operator meets running `registry serve`: a node that does not serve the deployment (a
wrong address in the deployment file, another chain id, a chain without the registry yet or a node
behind), proxies without `--proxy-headers`. Each is one line naming the problem and what to do, at
start and in every answer (`/health` included, 503), never a traceback nor a verdict.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.chain.node import free_port
from registry.config import Settings
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.service.app import create_app
from registry.service.cli import startup_warnings
from registry.service.config import ServiceConfig
from registry.service.proxyhint import ProxyHint
from tests.conftest import Chain, welding_certificate
from tests.helpers.service_helpers import assert_problem, start_service

CONTRACTS = ("CredentialRegistry", "DIDRegistry", "RecognitionRegistry", "TrustedIssuersRegistry")


def _made_up_deployment(where: Path) -> Path:
    """A deployment file as an operator is given one (no chain read here)."""
    path = where / "deployment.json"
    path.write_text(json.dumps({
        "format": "skills-registry-deployment/1", "chain_id": 4242, "deployment_block": 7,
        "deployment_block_hash": "0x" + "1a" * 32, "deployer": "0x" + "11" * 20,
        "deployed_at": "2026-01-01T00:00:00+00:00",
        "contracts": {name: {"address": "0x" + f"{n + 2:02x}" * 20, "code_keccak": "0x" + f"{n + 2:02x}" * 32,
                             "artifact_sha256": "00" * 32} for n, name in enumerate(CONTRACTS)},
    }))  # fmt: skip
    return path


def test_at_start_an_unreachable_node_and_proxies_without_proxy_headers_are_said(tmp_path: Path) -> None:
    """Nobody listens at the node's port: a warning naming it and what /health answers until then; the
    service starts anyway. `--forwarded-allow-ips` without `--proxy-headers` does nothing: said too."""
    settings = Settings(
        home=tmp_path, rpc_urls=(f"http://127.0.0.1:{free_port()}",), deployment_path=_made_up_deployment(tmp_path)
    )
    app = create_app(settings, ServiceConfig())
    quiet = startup_warnings(app, proxy_headers=True, forwarded_allow_ips="10.0.0.5")
    assert len(quiet) == 1 and quiet[0].startswith("cannot reach the chain at http://127.0.0.1:"), quiet
    assert quiet[0].endswith("the service starts anyway, and answers 503 (GET /health says why) until that is fixed")
    said = startup_warnings(app, proxy_headers=False, forwarded_allow_ips="10.0.0.5")
    assert said[0].startswith("--forwarded-allow-ips does nothing without --proxy-headers") and len(said) == 2


def test_a_request_through_a_proxy_without_proxy_headers_is_said_once(caplog: pytest.LogCaptureFixture) -> None:
    """Behind a proxy, without --proxy-headers, every client counts as the proxy (one rate limit, one
    body count): the first request carrying X-Forwarded-For makes one log line naming the option."""
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    hint = ProxyHint(app)

    def request(path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {"type": "http", "path": path, "headers": headers, "client": ("10.0.0.5", 4242)}
        asyncio.run(hint(scope, None, None))

    with caplog.at_level(logging.WARNING, logger="registry.service"):
        request("/direct", [(b"host", b"x")])
        assert caplog.records == []
        for path in ("/a", "/b"):
            request(path, [(b"x-forwarded-for", b"203.0.113.9")])
    assert seen == ["/direct", "/a", "/b"]
    assert [r.getMessage() for r in caplog.records] == [
        "requests arrive through a proxy at 10.0.0.5 (X-Forwarded-For), but --proxy-headers is off: every client "
        "behind it counts as that one address, so they share one rate limit (--rate, --burst) and one count of "
        "large bodies; restart with --proxy-headers --forwarded-allow-ips 10.0.0.5"
    ]


def _altered(settings: Settings, tmp_path: Path, name: str, change: Any) -> Settings:
    data = json.loads(settings.deployment_file.read_text())
    change(data)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data))
    return Settings(home=settings.home, rpc_urls=settings.rpc_urls, deployment_path=path)


def _wrong_address(data: dict[str, Any]) -> None:
    data["contracts"]["DIDRegistry"]["address"] = "0x" + "de" * 20


def _swapped(data: dict[str, Any]) -> None:
    data["contracts"]["DIDRegistry"]["address"] = data["contracts"]["CredentialRegistry"]["address"]


def _other_chain_id(data: dict[str, Any]) -> None:
    data["chain_id"] = 4242


def _not_there_yet(data: dict[str, Any]) -> None:  # a node behind, or a chain the registry is not on yet
    data["deployment_block"] = 10**7


FAULTS = {
    "a wrong address": (_wrong_address, "the deployment file names a wrong address, or the registry is not deployed"),
    "another contract's address": (_swapped, "the deployment file names a wrong address; use the deployment file"),
    "another chain id": (_other_chain_id, "point at a node of chain 4242 (--rpc, REGISTRY_RPC_URL), or use"),
    "a block the node has not got": (_not_there_yet, "wait for a node still syncing, or use the deployment file"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_deployment_the_node_does_not_serve_is_said_at_start_and_a_503_everywhere(
    settings: Settings, chain: Chain, issuer: Issuer, holder: Identity, tmp_path: Path, fault: str
) -> None:
    """On a real anvil: the warning at start and every answer name the problem and what to do; the
    issuer check and /verify answer 503, never a verdict."""
    change, advice = FAULTS[fault]
    credential = issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps()
    wrong = _altered(settings, tmp_path, fault.replace(" ", "-"), change)
    config = ServiceConfig(rate_per_s=0, head_max_age_s=0, require_trusted_root=True)
    running = start_service(wrong, config)
    try:
        (warning,) = startup_warnings(create_app(wrong, config), proxy_headers=True, forwarded_allow_ips="127.0.0.1")
        assert advice in warning and "\n" not in warning, warning
        with httpx.Client(base_url=running.url, timeout=30) as http:
            for answer in (http.get("/health"), http.get(f"/api/issuers/{chain.ti.did}/check")):
                problem = assert_problem(answer, 503, "deployment-mismatch")
                assert advice in problem["detail"] and settings.rpc_url not in problem["detail"], problem
            assert http.head("/health").status_code == 503
            verified = http.post("/verify", json={"credential": credential})
            assert verified.status_code == 200 and verified.json()["verdict"] == "could not determine", verified.text
            assert advice in verified.json()["summary"], verified.text
    finally:
        running.stop()
