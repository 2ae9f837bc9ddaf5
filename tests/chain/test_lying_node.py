"""A lying, broken or slow JSON-RPC node against the real `registry verify` and `registry issuer
check` commands (run in the test process, as `python -m registry` runs them): garbage per method,
a batch answered by one object, answers trickled one byte at a time, and a node that adds an
attacker's key to an issuer's DID document.

The node is tests/helpers/lying_node.py in front of the session's anvil: every answer is anvil's, except
what the test has it change. What must hold: garbage and silence are "could not determine" (exit 2,
one line, no traceback), within the stated deadline; a lie one node can tell is named as a risk
on the VALID it produces, and several endpoints catch it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.chain.client import ChainClient
from registry.chain.node import AnvilNode, free_port
from registry.config import Settings
from registry.formats import keys as keyfmt
from registry.keystore import Identity, new_legal_entity
from registry.ops.issuance import Issuer
from registry.ops.registry import NO_EXPIRY, Purpose, Registry, Rel, did_hash
from tests.conftest import PASSPHRASE, fund, next_second, welding_certificate
from tests.helpers.commands import registry_in_process
from tests.helpers.lying_node import (
    GARBAGE,
    ISSUER_CHECK_GARBAGE,
    LyingNode,
    World,
    build_world,
    on_call,
    startup_slack,
)


@pytest.fixture(scope="module")
def world(anvil: AnvilNode, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(anvil.rpc_url, deployment_file, tmp_path_factory.mktemp("lying"))
    yield built
    built.node.close()


@pytest.fixture
def node(world: World) -> Iterator[LyingNode]:
    world.node.honest()
    yield world.node
    world.node.honest()


def run(world: World, *args: str, rpc: tuple[str, ...] | None = None, env: dict[str, str] | None = None,
        process: bool = False) -> tuple[subprocess.CompletedProcess[str], float]:  # fmt: skip
    """`registry ARGS...` against the lying node (or the given endpoints); and how long it took. Run
    in this process as `python -m registry` runs it (tests/helpers/commands.py: same entry point,
    exit codes and lines, a Python start less per command), or with `process` as a real process."""
    argv = ["--home", str(world.settings.home), *args]
    for url in rpc or (world.node.url,):
        argv += ["--rpc", url]
    argv += ["--deployment", str(world.settings.deployment_file)]
    whole_env = {**os.environ, **(env or {})}
    started = time.monotonic()
    if process:
        argv = [sys.executable, "-m", "registry", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, env=whole_env, timeout=60)
    else:
        result = registry_in_process(argv, whole_env)
    return result, time.monotonic() - started


def assert_could_not_determine_verify(result: subprocess.CompletedProcess[str], reason: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    summary = result.stdout.splitlines()[0]
    assert "COULD NOT DETERMINE" in summary and reason in summary, output


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], reason: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], output


# -- garbage per method -------------------------------------------------------------------------


def reason(garbage: str) -> str:
    """What the one line says: which answer was not valid, or that it was not JSON-RPC at all."""
    return "did not answer JSON-RPC" if "nested" in garbage else "not a valid"


def test_the_honest_node_gives_the_true_answers(world: World, node: LyingNode) -> None:
    verified, _ = run(world, "verify", str(world.credential))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    checked, _ = run(world, "issuer", "check", world.issuer.did)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("garbage", GARBAGE)
def test_verify_against_garbage_could_not_determine(world: World, node: LyingNode, garbage: str) -> None:
    GARBAGE[garbage](node)
    result, _ = run(world, "verify", str(world.credential))
    assert_could_not_determine_verify(result, reason(garbage))


@pytest.mark.parametrize("garbage", ISSUER_CHECK_GARBAGE)
def test_issuer_check_against_garbage_is_one_line_exit_2(world: World, node: LyingNode, garbage: str) -> None:
    GARBAGE[garbage](node)
    result, _ = run(world, "issuer", "check", world.issuer.did)
    assert_one_line_exit_2(result, reason(garbage))


def test_a_batch_answer_with_a_repeated_id_could_not_determine(world: World, node: LyingNode) -> None:
    def repeat_first(answer: Any) -> Any:
        return [answer[0], answer[0], *answer[2:]] if isinstance(answer, list) and len(answer) > 1 else answer

    node.rewrite_answer = repeat_first
    result, _ = run(world, "verify", str(world.credential))
    assert_could_not_determine_verify(result, "not a valid batch result")


# -- a node that trickles -----------------------------------------------------------------------


def test_verify_gives_up_on_a_trickling_node_within_the_default_deadline(world: World, node: LyingNode) -> None:
    """One byte every second: far inside any per-read timeout, so only a whole-request deadline
    ends it. The default (8 s for one credential) is what a user gets."""
    node.trickle_every_s = 1.0
    node.trickle = lambda body: True
    result, took = run(world, "verify", str(world.credential), env={"REGISTRY_READ_DEADLINE": ""})
    # Said as it happened: the node was reached and answered too slowly.
    assert_could_not_determine_verify(result, "gave no answer within the 8 s read deadline")
    assert "cannot reach" not in result.stdout, result.stdout
    assert took < 8 + 3 + startup_slack(), took


def test_issuer_check_gives_up_on_a_trickling_node_within_its_deadline(world: World, node: LyingNode) -> None:
    node.trickle_every_s = 1.0
    node.trickle = lambda body: b"eth_call" in body
    result, took = run(world, "issuer", "check", world.issuer.did, env={"REGISTRY_READ_DEADLINE": "3"})
    assert_one_line_exit_2(result, "no answer within the 3 s read deadline")
    assert took < 3 + 3 + startup_slack(), took


def test_a_trickling_endpoint_of_a_quorum_costs_its_deadline_once(
    world: World, node: LyingNode, anvil: AnvilNode
) -> None:
    node.trickle_every_s = 1.0
    node.trickle = lambda body: True
    relay = LyingNode(anvil.rpc_url)  # an honest relay: a third endpoint (one URL given twice is refused)
    try:
        rpc = (node.url, anvil.rpc_url, relay.url)
        result, took = run(world, "verify", str(world.credential), rpc=rpc, env={"REGISTRY_READ_DEADLINE": "3"})
    finally:
        relay.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 of 3 endpoints agree" in result.stdout
    assert took < 3 + 3 + startup_slack(), took


# -- a node that forges an issuer's DID document ------------------------------------------------


def test_a_forged_did_document_from_one_node_is_said_to_rest_on_that_node(
    world: World, node: LyingNode, anvil: AnvilNode, tmp_path: Path
) -> None:
    """A node that adds an attacker's keys to the issuer's DID document answer makes the attacker's
    credential VALID when it is the only node asked: the report says the verdict rests on trusting
    that node's operator. Two endpoints (one honest) disagree: exit 2."""
    attacker = new_legal_entity("mallory")
    fund(world.registry, attacker)
    methods = []
    for jwk, relationships in (
        (attacker.signing_jwk, Rel.ASSERTION_METHOD | Rel.AUTHENTICATION),
        (keyfmt.jwk_public_dict(attacker.controller_key), Rel.CAPABILITY_INVOCATION),  # type: ignore[arg-type]
    ):
        kind, x, y = keyfmt.to_coordinates(jwk)
        methods.append((x, y, int(kind), int(relationships), 0, NO_EXPIRY))
    node.lies["eth_call"] = on_call(
        "DIDRegistry", "verificationMethods", lambda out: ([*out[0], *methods],), about=did_hash(world.issuer.did)
    )
    # The attacker signs as the issuer and anchors under its own account, which the forged document
    # names as a controller; everything it sends goes through the lying node too.
    forged_identity = Identity(
        "mallory", world.issuer.did, "legal-entity", attacker.signing_key, attacker.controller_key
    )
    lying = Registry(ChainClient(node.url), world.registry.deployment)
    forged = Issuer(lying, forged_identity, Settings(home=tmp_path / "mallory", rpc_urls=(node.url,),
                                                     deployment_path=world.settings.deployment_file))  # fmt: skip
    issued = forged.issue_single(world.holder.did, welding_certificate())
    path = tmp_path / "forged.json"
    path.write_text(issued.holder_file.dumps())

    alone, _ = run(world, "verify", str(path))
    assert alone.returncode == 0, alone.stdout + alone.stderr  # the documented limit of one endpoint
    assert "read from one node: trust in the node operator" in alone.stdout
    # The honest node judges it once its newest block is past the forgery's iat (of that very second,
    # it cannot tell a key never added from one added in a later block of it: test_node_time.py).
    next_second()
    ChainClient(anvil.rpc_url).request("evm_mine", [])
    honest, _ = run(world, "verify", str(path), rpc=(anvil.rpc_url,))
    assert honest.returncode == 1, honest.stdout + honest.stderr
    assert "read from one node" not in honest.stdout  # said on VALID verdicts only
    quorum, _ = run(world, "verify", str(path), rpc=(node.url, anvil.rpc_url))
    assert quorum.returncode == 2, quorum.stdout + quorum.stderr
    assert "disagree" in quorum.stdout


# -- writes -------------------------------------------------------------------------------------


def test_a_garbled_receipt_is_one_line_exit_2_and_the_journal_finishes_the_write(
    world: World, node: LyingNode, tmp_path: Path
) -> None:
    """A write whose receipt comes back malformed has an unknown outcome: one line, exit 2, the
    holder file kept, and the journal completes it once the node answers properly."""
    node.lies["eth_getTransactionReceipt"] = lambda r, p: {**r, "status": 1} if r else r
    out = tmp_path / "credential.json"
    args = (
        "issue",
        "--issuer",
        world.issuer.name,
        "--holder",
        world.holder.did,
        "--name",
        "Welding",
        "--out",
        str(out),
    )
    # Real processes: a process's first write reconciles the journal rows it may drive, and in the
    # test process those would be the world's own writes, whose receipts the node garbles too.
    issued, _ = run(world, *args, env={"REGISTRY_PASSPHRASE": PASSPHRASE}, process=True)
    assert_one_line_exit_2(issued, "not a valid eth_getTransactionReceipt result")
    assert out.exists()
    node.honest()
    passphrase = {"REGISTRY_PASSPHRASE": PASSPHRASE}
    finished, _ = run(world, "journal", "reconcile", "--issuer", world.issuer.name, env=passphrase, process=True)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    verified, _ = run(world, "verify", str(out))
    assert verified.returncode == 0, verified.stdout + verified.stderr


# -- times past 9999, history loops, huge answers, closed connections, credentials in URLs -----


def test_an_accreditation_ending_after_9999_is_checked_not_a_traceback(world: World, node: LyingNode) -> None:
    """The contract takes any uint64 end for an accreditation: one in the year 36812 is a far end,
    not a lie the node can be caught in; it is checked as such and printed as 9999-12-31."""

    def far_end(out: tuple[Any, ...]) -> tuple[Any, ...]:
        return ([(link[0], link[1], (*link[2][:7], 2**40, *link[2][8:]), link[3]) for link in out[0]],)

    node.lies["eth_call"] = on_call("TrustedIssuersRegistry", "trustChainOf", far_end)
    checked, _ = run(world, "issuer", "check", "--json", world.issuer.did)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "9999-12-31T23:59:59Z" in checked.stdout, checked.stdout
    verified, _ = run(world, "verify", str(world.credential))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_status_history_pointing_at_its_own_block_is_a_bad_answer_at_once(
    world: World, node: LyingNode, tmp_path: Path
) -> None:
    """Each status change names the block of the change before it; one naming its own block (or a
    later one) looped until the deadline, some thousands of requests, then "cannot reach"."""
    issuer = Issuer(world.registry, world.issuer, world.settings)
    issued = issuer.issue_single(world.holder.did, welding_certificate())
    issuer.change_status([issued.holder_file.credential], Purpose.SUSPENSION, set_=True, reason=6)
    path = tmp_path / "suspended.json"
    path.write_text(issued.holder_file.dumps())

    looped: list[int] = []

    def back_to_itself(logs: Any, params: list[Any]) -> Any:
        if not (isinstance(logs, list) and logs and len(logs[0]["data"]) == 130):  # StatusWordChanged
            return logs
        block = int(params[0]["fromBlock"], 16)
        looped.append(block)
        changed = []
        for log in logs:
            change = (int(log["data"][2:66], 16) & ((1 << 224) - 1)) | (block << 224)
            changed.append({**log, "data": "0x" + format(change, "064x") + log["data"][66:]})
        return changed

    node.lies["eth_getLogs"] = back_to_itself
    result, _ = run(world, "verify", str(path), env={"REGISTRY_READ_DEADLINE": "5"})
    assert_could_not_determine_verify(result, "not a valid eth_getLogs result")
    # At once: the first looping answer is refused (counted, not timed: a loaded machine's process
    # start alone has taken seconds, and the loop it replaced sent thousands of requests).
    assert len(looped) == 1, looped


def test_an_answer_over_32_mib_is_too_large(world: World, node: LyingNode) -> None:
    """A node answer is read up to 32 MiB: a larger one is a bad answer, never held whole."""
    node.raw_answer = b'{"jsonrpc":"2.0","id":1,"result":"0x' + b"00" * (17 * 2**20) + b'"}'
    result, _ = run(world, "verify", str(world.credential))
    assert_could_not_determine_verify(result, "answer too large")


def test_a_node_that_closes_the_connection_is_said_to(world: World) -> None:
    """It accepts, reads the request and closes: "closed the connection without answering", not
    "connection refused or host unreachable"."""
    listener = socket.create_server(("127.0.0.1", 0))

    def close_each() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)

    threading.Thread(target=close_each, daemon=True).start()
    try:
        result, _ = run(world, "verify", str(world.credential), rpc=(f"http://127.0.0.1:{listener.getsockname()[1]}",))
    finally:
        listener.close()
    assert_could_not_determine_verify(result, "closed the connection without answering")


def test_rpc_url_credentials_are_never_shown(world: World, node: LyingNode) -> None:
    """User and password in an --rpc URL, and its query (where providers put API keys), appear in
    no message and no evidence: in a quorum's JSON report and for an unreachable endpoint."""
    port = node.url.rsplit(":", 1)[1]
    with_user = f"http://alice:s3cret-token@127.0.0.1:{port}"
    with_key = f"http://127.0.0.1:{port}/?apikey=s3cret-key"
    quorum, _ = run(world, "verify", "--json", str(world.credential), rpc=(with_user, with_key))
    assert quorum.returncode == 0, quorum.stdout + quorum.stderr
    assert "2 of 2 endpoints agree" in quorum.stdout and "***@127.0.0.1" in quorum.stdout, quorum.stdout
    dead = f"http://alice:s3cret-token@127.0.0.1:{free_port()}"
    unreachable, _ = run(world, "verify", str(world.credential), rpc=(dead, with_key))
    assert unreachable.returncode == 2, unreachable.stdout + unreachable.stderr
    for result in (quorum, unreachable):
        assert "s3cret" not in result.stdout + result.stderr, result.stdout + result.stderr


# -- a node that reports it is syncing ----------------------------------------------------------

SYNCING = {"startingBlock": "0x0", "currentBlock": "0x5", "highestBlock": "0x99"}


def test_a_node_that_reports_it_is_syncing_gives_no_current_verdict(world: World, node: LyingNode) -> None:
    """An honest replica catching up (eth_syncing a sync status) whose newest block is a few seconds
    old: "now" is past its head, so neither `verify` (without --at, and --at now) nor `issuer check`
    answers; a time its head has reached still is answered."""
    node.lies["eth_syncing"] = lambda r, p: SYNCING
    for at in ((), ("--at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))):
        verified, _ = run(world, "verify", str(world.credential), *at)
        assert_could_not_determine_verify(verified, "")
        assert "still syncing" in verified.stdout, verified.stdout
        checked, _ = run(world, "issuer", "check", world.issuer.did, *at)
        assert checked.returncode == 2 and "still syncing" in checked.stdout, checked.stdout + checked.stderr
    past, _ = run(world, "issuer", "check", world.issuer.did, "--at", "2000-01-01T00:00:00Z")
    assert past.returncode == 1 and "still syncing" not in past.stdout, past.stdout + past.stderr


def test_a_future_time_is_never_answered_even_by_a_node_whose_clock_is_ahead(world: World, node: LyingNode) -> None:
    """A node whose newest block claims a time a week ahead of the verifier's clock: a date in that
    week is still the future for the verifier, never TRUSTED nor VALID."""
    week = 7 * 86_400
    node.lies["eth_getBlockByNumber"] = lambda r, p: {**r, "timestamp": hex(int(r["timestamp"], 16) + week)} if r else r
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 86_400))
    checked, _ = run(world, "issuer", "check", world.issuer.did, "--at", future)
    assert checked.returncode == 2 and "in the future" in checked.stdout, checked.stdout + checked.stderr
    verified, _ = run(world, "verify", str(world.credential), "--at", future)
    assert verified.returncode == 2 and "in the future" in verified.stdout, verified.stdout + verified.stderr


# -- a quorum of one node -----------------------------------------------------------------------


def test_one_node_given_several_times_is_a_usage_error_never_a_quorum(world: World, node: LyingNode) -> None:
    """The same endpoint three times, or under two loopback names, is one node: exit 64, one line,
    never "quorum: 3 of 3 endpoints agree"."""
    port = world.node.url.rsplit(":", 1)[1]
    for rpc in (
        (node.url, node.url, node.url),
        (f"http://127.0.0.1:{port}", f"http://localhost:{port}/"),
        (f"http://localhost:{port}/", f"http://[::1]:{port}", world.registry.client.rpc_url),
    ):
        result, _ = run(world, "verify", str(world.credential), rpc=rpc)
        assert result.returncode == 64, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "are the same endpoint" in lines[0] and not result.stdout, result.stderr


def test_endpoint_identity_tells_one_node_from_two() -> None:
    from registry.chain.client import endpoint_identity, repeated_endpoint

    assert endpoint_identity("http://LOCALHOST:80/") == endpoint_identity("http://127.0.0.1")
    assert endpoint_identity("https://node.example/rpc/") == endpoint_identity("https://user:pw@node.example:443/rpc")
    assert endpoint_identity("http://node.example/rpc") != endpoint_identity("https://node.example/rpc")
    assert repeated_endpoint(["http://a.example:8545", "http://b.example:8545"]) is None
    assert repeated_endpoint(["http://a.example:8545", "http://127.0.0.1:8545", "http://[::1]:8545"]) == (
        "http://127.0.0.1:8545",
        "http://[::1]:8545",
    )


# -- a quorum that agrees on the verdict, not on the evidence -----------------------------------


def _holder_request_reason(result: Any, params: list[Any]) -> Any:
    """StatusWordChanged logs rewritten to say reason 4 (holder request): the verdict stays REVOKED."""
    if not isinstance(result, list):
        return result
    out = []
    for log in result:
        data = log["data"]
        if len(data) == 130:
            flags = (int(data[66:], 16) & ~0xFF) | 4
            log = {**log, "data": data[:66] + format(flags, "064x")}
        out.append(log)
    return out


@pytest.fixture
def revoked(world: World, anvil: AnvilNode, tmp_path: Path) -> Path:
    """A credential of the world's issuer, revoked for reason 1 (issued in error) on the real chain."""
    issued = Issuer(world.registry, world.issuer, world.settings).issue_single(world.holder.did, welding_certificate())
    path = tmp_path / "revoked.json"
    path.write_text(issued.holder_file.dumps())
    done, _ = run(world, "revoke", str(path), "--issuer", world.issuer.name, "--reason", "1", rpc=(anvil.rpc_url,),
                  env={"REGISTRY_PASSPHRASE": PASSPHRASE})  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def test_a_quorum_that_disagrees_on_the_reason_could_not_determine(
    world: World, node: LyingNode, anvil: AnvilNode, revoked: Path
) -> None:
    """One endpoint keeps the verdict (REVOKED) and lies about why: the endpoints disagree, exit 2,
    in either order; never "REVOKED: ... holder request" with "2 of 2 endpoints agree"."""
    node.lies["eth_getLogs"] = _holder_request_reason
    alone, _ = run(world, "verify", str(revoked))
    assert alone.returncode == 1 and "holder request" in alone.stdout, alone.stdout  # the lie, from one node
    for rpc in ((node.url, anvil.rpc_url), (anvil.rpc_url, node.url)):
        result, _ = run(world, "verify", str(revoked), rpc=rpc)
        assert_could_not_determine_verify(result, "disagree")
        assert "endpoints agree" not in result.stdout, result.stdout
    node.honest()
    agreed, _ = run(world, "verify", str(revoked), rpc=(node.url, anvil.rpc_url))
    assert agreed.returncode == 1 and "issued in error" in agreed.stdout, agreed.stdout
    assert "2 of 2 endpoints agree" in agreed.stdout, agreed.stdout


def test_an_endpoint_that_fails_unexpectedly_is_that_endpoints_could_not_determine(
    world: World, anvil: AnvilNode
) -> None:
    """A mock, for a fault the real code no longer causes (a bug in decoding one node's answer):
    one endpoint's verification raises something that is not a RegistryError. The quorum run goes
    on: that endpoint did not answer, the other two agree."""
    from registry.ops.verify import Verdict, Verifier, verify_with_quorum

    def broken() -> Verifier:
        raise KeyError("timestamp")

    content = world.credential.read_text()
    honest = Verifier(world.registry)
    reports = verify_with_quorum([("a", honest), ("b", Verifier(world.registry)), ("broken", broken)], [("c", content)])
    assert reports[0].verdict is Verdict.VALID, reports[0].summary
    quorum = reports[0].check("quorum")
    assert quorum is not None and "2 of 3 endpoints agree; no answer from broken" in quorum.message
    lonely = verify_with_quorum([("a", honest), ("broken", broken)], [("c", content)])
    assert lonely[0].verdict is Verdict.INDETERMINATE and "only 1 of 2" in lonely[0].summary
