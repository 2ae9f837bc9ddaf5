"""The real `registry serve` process (uvicorn, in its own process) in front of a lying, broken or
slow node (tests/helpers/lying_node.py): garbage is a 503 problem (never a 500), and one request stuck on a
trickling upstream answer stops nobody else, and itself ends by the request deadline.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.chain.client import contract_abi
from registry.chain.node import AnvilNode
from registry.keystore import new_legal_entity
from registry.ops.issuance import Issuer
from registry.ops.registry import did_hash
from registry.service.config import ServiceConfig
from registry.service.middleware import PER_FAMILY
from tests.conftest import welding_certificate
from tests.helpers.lying_node import (
    GARBAGE,
    LyingNode,
    World,
    build_world,
    log_range_limit,
    stale_head,
    startup_slack,
)
from tests.helpers.service_helpers import assert_problem, serve_process, start_service

DEADLINE_S = 3
NO_CACHE = {"Cache-Control": "no-cache"}
# What the head fetch, a DID document, POST /verify and the issuer check all read.
SERVICE_GARBAGE = [
    "a block number of the wrong type",
    "a block without a timestamp",
    "an empty eth_call result",
    "a non-hex eth_call result",
    "a batch answered by one object",
    "a key type out of range",
    "an issuer type out of range",
    "a block time out of range",
    "a registration time out of range",
    "an accreditation revision time out of range",
]
# Lies about accreditations: not part of a DID document.
NOT_IN_DID_DOCUMENTS = ("an issuer type out of range", "an accreditation revision time out of range")


@pytest.fixture(scope="module")
def world(anvil: AnvilNode, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(anvil.rpc_url, deployment_file, tmp_path_factory.mktemp("lying-service"))
    yield built
    built.node.close()


@pytest.fixture(scope="module")
def service(world: World) -> Iterator[str]:
    """The service with a per-request deadline of 3 s and a far longer RPC timeout: the request
    deadline is what ends a trickling read. Every request asks for the head (no reuse). It trusts
    the world's root (its home's trust list), as an authority's service does."""
    options = ("--head-max-age", "0", "--rate", "0", "--rpc-timeout", "30", "--deadline", str(DEADLINE_S),
               "--trust-list", str(world.settings.trust_list_file))  # fmt: skip
    with serve_process(world.settings.home, world.node.url, world.settings.deployment_file, *options) as url:
        yield url


@pytest.fixture
def node(world: World, anvil: AnvilNode) -> Iterator[LyingNode]:
    # A new block for each test: nothing the service cached at an earlier head answers for it.
    world.registry.client.request("evm_mine", [])
    world.node.honest()
    yield world.node
    world.node.honest()


def registered_did(world: World) -> str:
    other = new_legal_entity("bystander")
    from tests.conftest import fund

    fund(world.registry, other)
    world.registry.register_did(other)
    return other.did


def test_the_honest_node_is_answered(world: World, node: LyingNode, service: str) -> None:
    with httpx.Client(base_url=service, timeout=20) as client:
        assert client.get(f"/did-registry/v5/identifiers/{world.issuer.did}").status_code == 200
        report = client.post("/verify", json={"credential": world.credential.read_text()}).json()
        assert report["verdict"] == "valid", report["summary"]


@pytest.mark.parametrize("garbage", SERVICE_GARBAGE)
def test_garbage_is_a_503_problem_never_a_500(world: World, node: LyingNode, service: str, garbage: str) -> None:
    GARBAGE[garbage](node)
    with httpx.Client(base_url=service, timeout=20, headers=NO_CACHE) as client:
        document = client.get(f"/did-registry/v5/identifiers/{world.issuer.did}")
        check = assert_problem(client.get(f"/api/issuers/{world.issuer.did}/check"), 503)
        verified = client.post("/verify", json={"credential": world.credential.read_text()})
    problems = [check]
    if garbage in NOT_IN_DID_DOCUMENTS:
        assert document.status_code == 200, document.text
    else:
        problems.append(assert_problem(document, 503, "chain-unavailable"))
    for problem in problems:
        assert "not a valid" in problem["detail"] and node.url not in problem["detail"], problem
    assert verified.status_code == 200, verified.text
    report = verified.json()
    assert report["verdict"] == "could not determine" and "not a valid" in report["summary"], report["summary"]
    assert node.url.removeprefix("http://") not in verified.text


def _while_stuck(node: LyingNode, stuck: Callable[[], httpx.Response], other: Callable[[], httpx.Response]) -> tuple[
    httpx.Response | Exception, httpx.Response | Exception
]:  # fmt: skip
    """Start `stuck`, and once the node trickles its upstream answer, ask `other`; both outcomes.
    No time is measured: `other` answered 200 was answered within its own request deadline (a
    request still waiting for the stuck one by then is a 503), and `stuck` ended by its deadline
    says so in its problem (the old code gave the stuck client nothing: its own timeout)."""
    results: dict[str, httpx.Response | Exception] = {}

    def answer(name: str, call: Callable[[], httpx.Response]) -> None:
        try:
            results[name] = call()
        except Exception as exc:  # a client timeout: what the old code gave the stuck client
            results[name] = exc

    trickled = node.trickled
    thread = threading.Thread(target=answer, args=("stuck", stuck))
    thread.start()
    node.wait_count("trickled", trickled + 1)
    answer("other", other)
    thread.join(timeout=60)
    return results["stuck"], results["other"]


def test_a_trickling_head_fetch_stops_no_other_client(world: World, node: LyingNode, service: str) -> None:
    """The head is asked for by one request at a time and shared; a request whose head fetch
    trickles held the lock the others queued on. Now others share it for a moment, then ask
    themselves."""
    trickled = threading.Event()

    def first_head_only(body: bytes) -> bool:
        if b'"latest"' in body and b"eth_getBlockByNumber" in body and not trickled.is_set():
            trickled.set()
            return True
        return False

    node.trickle_every_s = 1.0
    node.trickle = first_head_only
    other_did = registered_did(world)
    with (
        httpx.Client(base_url=service, timeout=20, headers=NO_CACHE) as a,
        httpx.Client(base_url=service, timeout=10, headers=NO_CACHE) as b,
    ):
        stuck, other = _while_stuck(
            node,
            lambda: a.get(f"/did-registry/v5/identifiers/{world.issuer.did}"),
            lambda: b.get(f"/did-registry/v5/identifiers/{other_did}"),
        )
    assert trickled.is_set()
    assert isinstance(other, httpx.Response) and other.status_code == 200, other
    assert isinstance(stuck, httpx.Response), stuck
    problem = assert_problem(stuck, 503, "chain-unavailable")
    assert f"no answer within the {DEADLINE_S} s request deadline" in problem["detail"], problem


def test_a_trickling_read_stops_no_other_client_and_ends_by_the_deadline(
    world: World, node: LyingNode, service: str
) -> None:
    victim = did_hash(world.issuer.did).hex().encode()
    node.trickle_every_s = 1.0
    node.trickle = lambda body: b"eth_call" in body and victim in body
    other_did = registered_did(world)
    with (
        httpx.Client(base_url=service, timeout=20, headers=NO_CACHE) as a,
        httpx.Client(base_url=service, timeout=10, headers=NO_CACHE) as b,
    ):
        stuck, other = _while_stuck(
            node,
            lambda: a.get(f"/did-registry/v5/identifiers/{world.issuer.did}"),
            lambda: b.get(f"/did-registry/v5/identifiers/{other_did}"),
        )
        verified = b.post("/verify", json={"credential": world.credential.read_text()})
    assert isinstance(other, httpx.Response) and other.status_code == 200, other
    assert isinstance(stuck, httpx.Response), stuck
    problem = assert_problem(stuck, 503, "chain-unavailable")
    assert f"no answer within the {DEADLINE_S} s request deadline" in problem["detail"], problem
    # A verification that needs the stuck read ends by the deadline too, as "could not determine".
    report = verified.json()
    assert report["verdict"] == "could not determine" and "request deadline" in report["summary"], report


def test_a_node_behind_the_anchor_is_could_not_determine_never_invalid(
    world: World, node: LyingNode, service: str
) -> None:
    """The service's node stuck at a block after a credential's signing and before its anchor:
    POST /verify says the node may be behind, never INVALID."""
    stuck_at: dict[str, int] = {}
    issuer = Issuer(world.registry, world.issuer, world.settings)
    signed_at = world.registry.signing_time()
    time.sleep(1.1)
    world.registry.client.request("evm_mine", [])
    stuck_at["block"] = world.registry.client.block_number()
    # Signed before the block the node is stuck at, anchored after it.
    issued = issuer.issue_single(world.holder.did, welding_certificate(), issued_at=signed_at)
    node.rewrite_request = stale_head(stuck_at["block"])
    with httpx.Client(base_url=service, timeout=20, headers=NO_CACHE) as client:
        response = client.post("/verify", json={"credential": issued.holder_file.dumps()})
        assert response.headers["x-block-number"] == str(stuck_at["block"])
        report = response.json()
        assert report["verdict"] == "could not determine" and "may be behind" in report["summary"], report["summary"]
        node.honest()
        assert client.post("/verify", json={"credential": issued.holder_file.dumps()}).json()["verdict"] == "valid"


# -- the second exploration: nothing cached from a bad answer, one slow method stops no one --


def test_an_answer_that_did_not_decode_is_never_served_again(world: World, node: LyingNode, service: str) -> None:
    """The node answers anchorsOf with "0x" once. That request could not determine; the next ones,
    at the same head (no new block: an idle chain), ask again and get the true answer, with
    Cache-Control: no-cache or without."""
    lied: list[bool] = []
    wanted = "0x" + contract_abi("CredentialRegistry").selector("anchorsOf").hex()

    def empty_once(result: Any, params: list[Any]) -> Any:
        if str(params[0].get("data", "")).startswith(wanted) and not lied:
            lied.append(True)
            return "0x"
        return result

    node.lies["eth_call"] = empty_once
    body = {"credential": world.credential.read_text()}
    with httpx.Client(base_url=service, timeout=20) as client:
        first = client.post("/verify", json=body, headers=NO_CACHE).json()
        assert lied and first["verdict"] == "could not determine", first["summary"]
        again = client.post("/verify", json=body, headers=NO_CACHE)
        plain = client.post("/verify", json=body)
    assert again.json()["verdict"] == "valid", again.json()["summary"]
    assert plain.json()["verdict"] == "valid", plain.json()["summary"]
    assert again.headers["x-block-number"] == plain.headers["x-block-number"]


# A service whose requests stuck upstream end only when the test lets them go: a flood's requests
# held at the node, not ended by a deadline, until the probe of the other family has its answer.
PATIENT_S = 120
FLOOD = 80


def _held_flood(node: LyingNode, url: str, credential: str, probe: str) -> list[int]:
    """FLOOD verifications whose eth_getLogs the node holds: PER_FAMILY of them take their family's
    slots and hang there, the others wait for a slot, then are answered 503. Once all that is so
    (counted, never slept for), GET `probe` must be answered 200 while the held ones still hold
    their threads; then they are let go. The statuses of the flood."""
    outcomes: list[int] = []
    shared = httpx.Client(base_url=url, timeout=PATIENT_S, headers=NO_CACHE, limits=httpx.Limits(max_connections=FLOOD))

    def verify() -> None:
        outcomes.append(shared.post("/verify", json={"credential": credential}).status_code)

    node.hold = lambda body: b"eth_getLogs" in body
    flood = [threading.Thread(target=verify) for _ in range(FLOOD)]
    try:
        for thread in flood:
            thread.start()
        node.wait_count("holding", PER_FAMILY)
        deadline = time.monotonic() + 60
        while len(outcomes) < FLOOD - PER_FAMILY:
            assert time.monotonic() < deadline, f"{len(outcomes)} of the flood answered, not {FLOOD - PER_FAMILY}"
            time.sleep(0.01)
        assert outcomes == [503] * (FLOOD - PER_FAMILY), outcomes
        with httpx.Client(base_url=url, timeout=20, headers=NO_CACHE) as client:
            try:
                answered = client.get(probe)
            except httpx.TimeoutException:
                raise AssertionError("the DID document waited for a thread the held verifications keep") from None
        assert answered.status_code == 200, answered.text
        assert node.holding >= PER_FAMILY and len(outcomes) == FLOOD - PER_FAMILY, outcomes  # all still held
    finally:
        node.release()
        for thread in flood:
            thread.join(timeout=60)
        shared.close()
    return outcomes


def test_requests_stuck_on_one_slow_method_leave_threads_for_everyone_else(world: World, node: LyingNode) -> None:
    """80 verifications wait on a slow eth_getLogs: they used up the 40 worker threads, and a DID
    document, which reads no logs, waited for a thread until one of them ended. Now at most 40
    requests of one route family run at once (the rest wait up to 1 s, then get a quick 503), in
    256 threads: the DID document is answered while the 40 still hold theirs (`registry serve`, its
    own process, with a request deadline longer than the test, so nothing ends them but the node)."""
    options = ("--head-max-age", "0", "--rate", "0", "--rpc-timeout", str(PATIENT_S), "--deadline", str(PATIENT_S),
               "--trust-list", str(world.settings.trust_list_file))  # fmt: skip
    with serve_process(world.settings.home, world.node.url, world.settings.deployment_file, *options) as url:
        outcomes = _held_flood(
            node, url, world.credential.read_text(), f"/did-registry/v5/identifiers/{world.issuer.did}"
        )
    assert sorted(outcomes) == [200] * PER_FAMILY + [503] * (FLOOD - PER_FAMILY), outcomes


def test_made_up_paths_asked_first_share_no_family_with_the_routes(world: World, node: LyingNode) -> None:
    """Route families were made as requests came, 64 at most: a client that first asked for 64
    made-up paths put every family not asked yet in one, "*", so 80 verifications stuck on a
    slow eth_getLogs kept a DID document waiting (503 after 1 s). A fresh app (in process: its
    families are fixed when it is built) answers the DID document while they are held."""
    settings = dataclasses.replace(world.settings, rpc_urls=(node.url,), rpc_timeout_s=PATIENT_S,
                                   read_deadline_s=PATIENT_S)  # fmt: skip
    config = ServiceConfig(rate_per_s=0, head_max_age_s=0, request_deadline_s=PATIENT_S)
    running = start_service(settings, config)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            assert {client.get(f"/made-up-{n}").status_code for n in range(64)} == {404}
        outcomes = _held_flood(node, running.url, world.credential.read_text(),
                               f"/did-registry/v5/identifiers/{world.issuer.did}")  # fmt: skip
    finally:
        running.stop()
    assert sorted(outcomes) == [200] * PER_FAMILY + [503] * (FLOOD - PER_FAMILY), outcomes


def test_verify_via_a_trickling_service_ends_by_its_deadline(world: World, tmp_path: Path) -> None:
    """A service that trickles a VALID answer a byte at a time (a fault of its own making, served
    here by a small HTTP server) kept `verify --service` waiting two minutes, then VALID. Each
    answer now has a whole-request deadline (REGISTRY_SERVICE_TIMEOUT): could not determine."""
    answer = json.dumps({"source": "request", "verdict": "valid", "summary": "VALID: every check passed",
                         "checks": [], "credential": {}, "checked_at": "x"}).encode()  # fmt: skip

    class Trickle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            data = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(answer)
            try:
                for byte in data + answer:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    argv = [sys.executable, "-m", "registry", "--home", str(world.settings.home), "verify",
            "--service", f"http://127.0.0.1:{server.server_address[1]}", str(world.credential)]  # fmt: skip
    try:
        started = time.monotonic()
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=60, env={**os.environ, "REGISTRY_SERVICE_TIMEOUT": "2"}
        )
        took = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "COULD NOT DETERMINE" in result.stdout and "did not answer within 2 s" in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert took < 2 + 4 + startup_slack(), took


def test_a_node_that_reports_it_is_syncing_gives_no_current_answer(world: World, node: LyingNode, service: str) -> None:
    """An honest replica catching up (eth_syncing a sync status), its newest block seconds old: the
    service, asked about now (no `at`), answers neither valid nor ok: could not determine."""
    node.lies["eth_syncing"] = lambda r, p: {"startingBlock": "0x0", "currentBlock": "0x5", "highestBlock": "0x99"}
    with httpx.Client(base_url=service, timeout=20, headers=NO_CACHE) as client:
        report = client.post("/verify", json={"credential": world.credential.read_text()}).json()
        checked = client.get(f"/api/issuers/{world.issuer.did}/check")
    assert report["verdict"] == "could not determine" and "still syncing" in report["summary"], report["summary"]
    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert answer["ok"] is False and answer["verdict"] == "could not determine", answer
    assert "still syncing" in answer["summary"], answer


def test_a_node_that_reports_it_is_syncing_is_unhealthy(world: World, node: LyingNode, service: str) -> None:
    """/health answers 503 (a load balancer sends the process nothing) while its node catches up: every
    answer about now would be "could not determine"; 200 again once it reports it is in sync."""
    node.lies["eth_syncing"] = lambda r, p: {"startingBlock": "0x0", "currentBlock": "0x5", "highestBlock": "0x99"}
    with httpx.Client(base_url=service, timeout=20, headers=NO_CACHE) as client:
        problem = assert_problem(client.get("/health"), 503, "node-syncing")
        assert problem["detail"].startswith("the service's chain node reports it is still syncing: its newest block")
        assert problem["detail"].endswith("point the service at a node in sync (--rpc)"), problem
        assert client.head("/health").status_code == 503
        node.honest()
        assert client.get("/health").status_code == 200


def test_a_node_that_limits_the_log_range_is_named_with_the_setting_to_change(
    world: World, node: LyingNode, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node refusing log queries wider than its limit (Besu's --rpc-max-logs-range; here 2 blocks, below
    REGISTRY_LOG_WINDOW's 5000): the timestamp search is a 503 naming REGISTRY_LOG_WINDOW, never a 404
    (not anchored) nor a 500; a service started with the window within the limit answers."""
    node.refuse = log_range_limit(2)
    anchored = json.loads(world.credential.read_text())["credential"]
    value = hashlib.sha256(anchored.encode()).hexdigest()
    with httpx.Client(base_url=service, timeout=20, headers=NO_CACHE) as client:
        problem = assert_problem(client.get(f"/timestamp/v4/timestamps/0x{value}"), 503, "chain-unavailable")
    assert "Requested range exceeds maximum RPC range limit" in problem["detail"], problem
    assert "set REGISTRY_LOG_WINDOW to its limit or less" in problem["detail"], problem
    assert world.node.url not in problem["detail"]
    monkeypatch.setenv("REGISTRY_LOG_WINDOW", "2")
    options = ("--head-max-age", "0", "--rate", "0")
    with serve_process(world.settings.home, world.node.url, world.settings.deployment_file, *options) as url:
        found = httpx.get(f"{url}/timestamp/v4/timestamps/0x{value}", timeout=20)
    assert found.status_code == 200 and found.json()["hash"] == f"0x{value}", found.text
