"""Two `registry` processes changing the status of one credential at once, on a real anvil.

The race is made real, not simulated: the node's automine is switched off while both processes
run, so both read the chain before either change is in a block; then both transactions (or the
one a process managed to send before the other was refused) are mined together. Exactly one
change may count; the other process must say which one did (its transaction, block, reason and
time, read from the StatusWordChanged events) and never claim that its own reason was recorded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from registry.config import Settings
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import REASONS, Registry
from tests.conftest import PASSPHRASE, relay, welding_certificate
from tests.helpers.commands import registry_in_process

# How long both processes are given to have their transactions in the pool before the block is made.
POOL_WAIT_S = 60.0
# Processes of separate homes started at once, whose sends a node holds: the block is made once the
# pool has stayed so long. (Processes of one home wait for each other's writer lock, so only one
# transaction can be pooled: the block is made once it is, and every other one says it waits.)
POOL_STABLE_S = 3.0
WAITING = "another registry process is writing for"


class LatestEstimateNode(ThreadingHTTPServer):
    """anvil as geth and Besu behave: `eth_estimateGas` without a block is run against the latest
    block, not the pending one (anvil's default), so a process does not see another's pooled
    change before sending its own, and the loser's transaction reverts in the block, with no error
    name. Every other request is relayed unchanged; with `hold_sends_s`, a transaction reaches the
    node that long after it was sent (a slow network: writers that start together all read the
    same next nonce before any of their transactions is pooled)."""

    def __init__(self, upstream: str, hold_sends_s: float = 0.0) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                for request in body if isinstance(body, list) else [body]:
                    if request.get("method") == "eth_estimateGas" and len(request.get("params", [])) == 1:
                        request["params"].append("latest")
                    if request.get("method") == "eth_sendRawTransaction":
                        time.sleep(hold_sends_s)
                relay(self, upstream, json.dumps(body).encode())

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


@dataclass(frozen=True)
class Setup:
    """Where the racing processes run: the RPC URL they use, and whether each has its own home
    (two officers of one school on two machines, each with a copy of the school's key and its own
    journal) or all share one."""

    rpc_url: str
    separate_homes: bool


@pytest.fixture(params=["one home, anvil", "two machines, a node estimating at latest"])
def setup(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Setup]:
    if request.param == "one home, anvil":
        yield Setup(settings.rpc_url, separate_homes=False)
        return
    node = LatestEstimateNode(settings.rpc_url)
    try:
        yield Setup(node.url, separate_homes=True)
    finally:
        node.shutdown()
        node.server_close()


def _argv(settings: Settings, home: Path, command: str, path: Path, reason: int, rpc_url: str) -> list[str]:
    return [
        sys.executable, "-m", "registry", "--home", str(home), command, str(path),
        "--issuer", "training-centre", "--reason", str(reason),
        "--rpc", rpc_url, "--deployment", str(settings.deployment_file),
    ]  # fmt: skip


def _homes(settings: Settings, setup: Setup | None, count: int) -> list[Path]:
    if setup is None or not setup.separate_homes:
        return [settings.home] * count
    homes = []
    for n in range(count):
        home = settings.home.parent / f"machine-{n}"
        shutil.copytree(settings.keys_dir, home / "keys")
        homes.append(home)
    return homes


def _pooled(registry: Registry) -> int:
    status = registry.client.request("txpool_status", [])
    return int(status["pending"], 16) + int(status["queued"], 16)


def _others_wait(procs: list[subprocess.Popen[str]], errors: list[Path]) -> bool:
    """Every process but the one whose transaction is pooled says it waits for the writer lock (or ended)."""
    said = sum(p.poll() is not None or WAITING in e.read_text() for p, e in zip(procs, errors, strict=True))
    return said >= len(procs) - 1


def race(
    settings: Settings,
    registry: Registry,
    command: str,
    path: Path,
    reasons: Sequence[int],
    setup: Setup | None = None,
    *,
    together: bool = False,
) -> list[subprocess.CompletedProcess[str]]:
    """Run `registry COMMAND path --reason R` once per reason with automine off until their
    transactions are pooled, then mine them in one block; the finished processes, in the order of
    `reasons`. Processes of one home start together. Processes on separate machines start one
    after the other, each once the previous one's transaction is pooled: they share no journal to
    agree on nonces through, and the race is over the status entry, not over a nonce (unless
    `together`: then they start at once, and race over the account's next nonce too)."""
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    client = registry.client
    homes = _homes(settings, setup, len(reasons))
    rpc_url = setup.rpc_url if setup is not None else settings.rpc_url
    one_home = setup is None or not setup.separate_homes
    staggered = not one_home and not together
    client.request("evm_setAutomine", [False])
    procs: list[subprocess.Popen[str]] = []
    errors: list[Path] = []  # each process's stderr, read while it runs

    def start(home: Path, reason: int) -> None:
        argv = _argv(settings, home, command, path, reason, rpc_url)
        errors.append(path.with_name(f".race-{path.name}-{len(errors)}.stderr"))
        with errors[-1].open("w") as stderr:
            procs.append(subprocess.Popen(argv, env=env, text=True, stdout=subprocess.PIPE, stderr=stderr))

    def wait_pooled(count: int) -> int:
        deadline = time.monotonic() + POOL_WAIT_S
        first_pooled: float | None = None
        pooled = _pooled(registry)
        while time.monotonic() < deadline and pooled < count and not all(p.poll() is not None for p in procs):
            if pooled and first_pooled is None:
                first_pooled = time.monotonic()
            if pooled and one_home and _others_wait(procs, errors):
                break
            if not staggered and first_pooled is not None and time.monotonic() - first_pooled > POOL_STABLE_S:
                break
            time.sleep(0.05)
            pooled = _pooled(registry)
        return pooled

    try:
        for n, (home, reason) in enumerate(zip(homes, reasons, strict=True)):
            start(home, reason)
            if staggered:
                wait_pooled(n + 1)
        wait_pooled(len(reasons))
    finally:
        # The session's anvil is shared: automine comes back whatever happened, and what is pooled is mined.
        client.request("evm_setAutomine", [True])
        client.request("evm_mine", [])
    return _finished(procs, errors)


def _finished(procs: list[subprocess.Popen[str]], errors: list[Path]) -> list[subprocess.CompletedProcess[str]]:
    done = []
    for proc, error in zip(procs, errors, strict=True):
        stdout, _ = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, error.read_text()))
        error.unlink()
    return done


@pytest.fixture
def credential(issuer: Issuer, holder: Identity, tmp_path: Path) -> Path:
    assert issuer.identity.name == "training-centre"
    path = tmp_path / "worker-welding.json"
    path.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    return path


def _verify(settings: Settings, path: Path) -> dict[str, object]:
    """`registry verify --json`, run in this process as `python -m registry` runs it (tests/helpers/commands.py)."""
    argv = [
        "--home", str(settings.home), "verify", "--json", str(path),
        "--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file),
    ]  # fmt: skip
    result = registry_in_process(argv, os.environ)
    report = json.loads(result.stdout)
    assert isinstance(report, dict)
    return report


def _status(report: dict[str, object], name: str) -> dict[str, object]:
    checks = report["checks"]
    assert isinstance(checks, list)
    check = next(c for c in checks if c["name"] == name)
    evidence = check["evidence"]
    assert isinstance(evidence, dict)
    return evidence


def _one_winner(
    results: Sequence[subprocess.CompletedProcess[str]],
    reasons: Sequence[int],
    verb: str,
    state: str,
    recorded: dict[str, object],
    *,
    strict: bool,
) -> None:
    """At most one process reports its change (exactly one when `strict`), with the reason the chain
    recorded; every other names the change the chain recorded (its transaction, block, reason and
    time), never its own reason."""
    for result in results:
        assert result.returncode == 0, result.stderr
        # Processes of one home wait for each other's writer lock, and say so; nothing else.
        said = [line for line in result.stderr.splitlines() if "another registry process is writing for" not in line]
        assert said == [], result.stderr
    winners = [n for n, r in enumerate(results) if f"{verb} 1 credential in block" in r.stdout]
    assert len(winners) == 1 if strict else len(winners) <= 1, [r.stdout for r in results]
    assert recorded["reasonCode"] in reasons
    for n, result in enumerate(results):
        if n in winners:
            assert reasons[n] == recorded["reasonCode"], result.stdout
            assert f"reason: {REASONS[reasons[n]]}" in result.stdout
            continue
        named = re.search(
            rf"unchanged: \S+ is already {state} by transaction (0x[0-9a-f]{{64}}) in block (\d+) "
            r"\(reason: ([^,]+), (\S+)\)",
            result.stdout,
        )
        assert named is not None, result.stdout
        assert named.groups() == (
            recorded["transaction"],
            str(recorded["block"]),
            REASONS[int(str(recorded["reasonCode"]))],
            recorded["time"],
        ), result.stdout


# Processes sharing one home run one at a time (the writer lock covers the check of the list) and
# never send each other's rows; processes of separate homes race at the contract. Either way,
# exactly one process reports the change as its own.


@pytest.mark.parametrize("processes", [2, 3])
def test_concurrent_revocations_one_wins_and_the_others_name_it(
    settings: Settings, registry: Registry, credential: Path, processes: int, setup: Setup
) -> None:
    reasons = [1, 2, 4][:processes]
    results = race(settings, registry, "revoke", credential, reasons, setup)
    # The chain records one reason, in the transaction the losers name.
    recorded = _status(_verify(settings, credential), "revocation status")
    _one_winner(results, reasons, "revoked", "revoked", recorded, strict=True)


def test_concurrent_suspensions_one_wins_and_the_other_names_it(
    settings: Settings, registry: Registry, credential: Path, setup: Setup
) -> None:
    reasons = [6, 3]
    results = race(settings, registry, "suspend", credential, reasons, setup)
    recorded = _status(_verify(settings, credential), "suspension status")
    _one_winner(results, reasons, "suspended", "suspended", recorded, strict=True)


def test_a_repeated_revocation_names_the_first_one(settings: Settings, registry: Registry, credential: Path) -> None:
    """Not a race: the second command finds the credential revoked before sending anything."""
    (first,) = race(settings, registry, "revoke", credential, [2])
    assert first.returncode == 0 and "revoked 1 credential" in first.stdout
    (second,) = race(settings, registry, "revoke", credential, [4])
    assert second.returncode == 0, second.stderr
    assert (
        "is already revoked by transaction 0x" in second.stdout
        and "(reason: fraud or misrepresentation" in second.stdout
    )
    assert "nothing to change" in second.stdout


def test_a_journaled_batch_partly_changed_by_another_process_sends_only_the_rest(
    settings: Settings, registry: Registry, issuer: Issuer, holder: Identity
) -> None:
    """A revocation batch journaled by a process that died before sending it; meanwhile another
    machine (its own journal) revoked one of its credentials with another reason. The contract now
    refuses the batch whole (`StatusAlreadySet`), so the journal sends only what is left: both end
    revoked, the other machine's reason stands for its credential, and the batch's for the rest."""
    from registry.chain.client import Call
    from registry.ops.issuance import own_status_entry
    from registry.ops.registry import Purpose, masks_for

    ti = issuer.identity
    tokens = [issuer.issue_single(holder.did, welding_certificate()).holder_file.credential for _ in range(2)]
    entries = [own_status_entry(t, ti.did, ti.account.address, Purpose.REVOCATION) for t in tokens]
    assert entries[0][0] == entries[1][0]
    words, masks = masks_for([index for _, index in entries])
    batch = Call(
        registry.credential_address, "CredentialRegistry", "updateStatus", (0, entries[0][0], words, masks, True, 8)
    )
    manager = registry.client.tx_manager
    assert manager is not None
    manager.journal.add(ti.account.address, batch, deployment=manager.deployment)  # journaled, then the process died
    elsewhere = Registry.connect(settings, journal=False)
    elsewhere.set_status(ti, Purpose.REVOCATION, entries[0][0], entries[0][1], 2)
    actions = manager.reconcile(ti.account)
    assert any("narrowed" in a for a in actions) and any("sent now" in a for a in actions), actions
    reasons = []
    for number, index in entries:
        found = registry.entry_change(ti.account.address, Purpose.REVOCATION, number, index, {})
        assert found is not None
        reasons.append(found[0].reason)
    assert reasons == [2, 8]
    assert [op.state for op in manager.journal.all()][-1] == "confirmed"


def test_revocations_from_three_machines_at_once_race_over_the_nonce_too(
    settings: Settings, registry: Registry, credential: Path
) -> None:
    """Three machines with copies of the issuer's key, each its own journal, started at once behind
    a node estimating at latest, whose transactions arrive 3 s late: they read the same pending
    nonce, and the node refuses all but the first ("replacement transaction underpriced"). The
    others sign again with a fresh nonce, so one revocation counts and the others say "unchanged"
    naming it, exit 0: never a raw node error."""
    node = LatestEstimateNode(settings.rpc_url, hold_sends_s=3.0)
    try:
        reasons = [1, 2, 3]
        results = race(settings, registry, "revoke", credential, reasons, Setup(node.url, True), together=True)
    finally:
        node.shutdown()
        node.server_close()
    recorded = _status(_verify(settings, credential), "revocation status")
    _one_winner(results, reasons, "revoked", "revoked", recorded, strict=True)


def test_a_credential_both_revoked_and_suspended_reads_revoked_and_stays_so(
    settings: Settings, registry: Registry, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """What a suspension racing a revocation from another machine can leave (each process checked
    the other bit before either change landed): both bits set. The verdict is REVOKED, and the
    credential cannot be reinstated (revocation is final)."""
    from registry.ops.issuance import own_status_entry
    from registry.ops.registry import Purpose

    ti = issuer.identity
    issued = issuer.issue_single(holder.did, welding_certificate())
    path = tmp_path / "both.json"
    path.write_text(issued.holder_file.dumps())
    token = issued.holder_file.credential
    elsewhere = Registry.connect(settings, journal=False)  # the other machine: no shared journal
    for purpose, reason in ((Purpose.SUSPENSION, 6), (Purpose.REVOCATION, 4)):
        number, index = own_status_entry(token, ti.did, ti.account.address, purpose)
        elsewhere.set_status(ti, purpose, number, index, reason)
    report = _verify(settings, path)
    assert report["verdict"] == "revoked", report["summary"]
    argv = _argv(settings, settings.home, "reinstate", path, 0, settings.rpc_url)
    argv.remove("--reason")
    argv.remove("0")
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    refused = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode != 0 and "revocation is final" in refused.stderr, refused.stdout + refused.stderr
