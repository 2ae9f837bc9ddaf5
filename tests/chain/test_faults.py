"""Faults against a real anvil: the issuer killed mid-write, the node restarted without its last
blocks, reorgs, and the RPC endpoint vanishing mid-verification.

Crashes are real SIGKILLs of a real `registry` process. They are placed at exact steps through
the REGISTRY_CRASH_AT hook in the transaction manager (before the transaction is sent, after it is
sent, after its receipt), because a kill at a random instant would rarely land on the step that
matters.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_account import Account

from registry.chain.client import ChainClient, contract_abi
from registry.chain.deployment import deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.config import Settings
from registry.errors import ChainUnavailable, InputError
from registry.formats.credential import load_holder_file
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose, Registry, list_id
from registry.ops.trust import IssuerType, Trust
from registry.ops.verify import Verdict, Verifier
from tests.conftest import (
    GOVERNANCE,
    ONE_YEAR,
    PASSPHRASE,
    TAO_SCOPE,
    WELDING_SCOPE,
    fork_args,
    relay,
    welding_certificate,
)

STEPS = ("before-send", "after-send", "after-receipt")


def cli(settings: Settings, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    env.pop("REGISTRY_CRASH_AT", None)
    if crash_at:
        env["REGISTRY_CRASH_AT"] = crash_at
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), *args]
    argv += ["--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def anchored_events(registry: Registry, account: str, value: bytes) -> int:
    abi = contract_abi("CredentialRegistry")
    topics = [abi.event_topic("Anchored"), "0x" + bytes(12).hex() + account[2:].lower(), "0x" + value.hex()]
    logs = registry.client.request(
        *registry.client.logs_request(registry.credential_address, topics, 0, registry.client.block_number())
    )
    return len(logs)


def status_events_touching(registry: Registry, account: str, purpose: Purpose, number: int, index: int) -> int:
    abi = contract_abi("CredentialRegistry")
    word_id = (list_id(purpose, number) << 32) | (index // 224)
    topics = [
        abi.event_topic("StatusWordChanged"),
        "0x" + bytes(12).hex() + account[2:].lower(),
        "0x" + word_id.to_bytes(32, "big").hex(),
    ]
    logs = registry.client.request(
        *registry.client.logs_request(registry.credential_address, topics, 0, registry.client.block_number())
    )
    bit = 1 << (index % 224)
    return sum(1 for log in logs if int(abi.decode_event("StatusWordChanged", log)["change"]) & bit)


def scenario(settings: Settings, registry: Registry, issuer: Issuer, holder: Identity, tmp_path: Path,
             operation: str, step: str) -> None:  # fmt: skip
    account = issuer.identity.account.address
    credential = tmp_path / f"{operation}-{step}.json"
    if operation == "anchor":
        killed = cli(settings, "issue", "--issuer", issuer.identity.name, "--holder", holder.did, "--name", "Welding",
                     "--out", str(credential), crash_at=step)  # fmt: skip
    else:
        issued = cli(settings, "issue", "--issuer", issuer.identity.name, "--holder", holder.did, "--name", "Welding",
                     "--out", str(credential))  # fmt: skip
        assert issued.returncode == 0, issued.stderr
        killed = cli(settings, "revoke", str(credential), "--issuer", issuer.identity.name, "--reason", "2",
                     crash_at=step)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    # The holder's file was written before anything was sent: nothing is lost with the process.
    assert credential.exists()
    restarted = cli(settings, "journal", "reconcile", "--issuer", issuer.identity.name)
    assert restarted.returncode == 0, restarted.stderr
    holder_file = load_holder_file(credential.read_bytes())
    from registry.formats.credential import credential_hash
    from registry.ops.issuance import own_status_entry

    assert anchored_events(registry, account, credential_hash(holder_file.credential)) == 1
    report = Verifier(registry).verify("after restart", holder_file.dumps())
    if operation == "anchor":
        assert report.verdict is Verdict.VALID, report.summary
    else:
        number, index = own_status_entry(holder_file.credential, issuer.identity.did, account, Purpose.REVOCATION)
        assert status_events_touching(registry, account, Purpose.REVOCATION, number, index) == 1
        assert report.verdict is Verdict.REVOKED, report.summary


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("operation", ["anchor", "revoke"])
def test_issuer_killed_at_every_step_loses_and_doubles_nothing(
    settings: Settings, registry: Registry, issuer: Issuer, holder: Identity, tmp_path: Path, operation: str, step: str
) -> None:
    scenario(settings, registry, issuer, holder, tmp_path, operation, step)


# Every step is covered deterministically above; the seeded sequences (several crashes in a row on
# one journal) run under `make fuzz`.
@pytest.mark.fuzz
@pytest.mark.parametrize("seed", range(24))
def test_random_crash_sequences(
    settings: Settings, registry: Registry, issuer: Issuer, holder: Identity, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    for round_ in range(2):
        operation = rng.choice(["anchor", "revoke"])
        step = rng.choice(STEPS)
        scenario(settings, registry, issuer, holder, tmp_path / f"r{round_}", operation, step)


# -- the node loses its last blocks -----------------------------------------------------------


@pytest.fixture
def own_chain(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A private anvil whose state is dumped only on a clean stop, so a SIGKILL loses recent blocks."""
    node = AnvilNode(tmp_path / "node", port=free_port(), state_interval_s=3600)
    node.start()
    client = ChainClient(node.rpc_url)
    deployment = deploy(client, Account.from_key(ANVIL_DEV_KEY))
    deployment.save(tmp_path / "deployment.json")
    settings = Settings(home=tmp_path / "home", rpc_urls=(node.rpc_url,), deployment_path=tmp_path / "deployment.json")
    yield node, settings
    node.stop()


def _accredited_issuer(settings: Settings) -> Identity:
    registry = Registry.connect(settings)
    trust = Trust(registry, "http://registry.test")
    parties = []
    for name in ("root", "tao", "ti"):
        identity = new_legal_entity(name)
        registry.client.request("anvil_setBalance", [identity.account.address, hex(10**20)])
        registry.register_did(identity)
        KeyStore(settings.keys_dir).save(identity, PASSPHRASE)
        parties.append(identity)
    root, tao, ti = parties
    until = int(time.time()) + ONE_YEAR
    root_attr = trust.onboard_root(GOVERNANCE, root, [TAO_SCOPE], until)
    tao_attr = trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [TAO_SCOPE], until)
    trust.accredit(tao, tao_attr, ti.did, IssuerType.TI, [WELDING_SCOPE], until)
    return ti


def test_node_restarted_without_its_last_blocks_gets_them_back(own_chain) -> None:  # type: ignore[no-untyped-def]
    node, settings = own_chain
    ti = _accredited_issuer(settings)
    node.stop()  # a clean stop dumps the state: everything so far survives
    node.start()
    registry = Registry.connect(settings)
    holder = new_natural_person("worker")
    issuer = Issuer(registry, ti, settings)
    issued = [issuer.issue_single(holder.did, welding_certificate()) for _ in range(3)]
    node.kill()  # no dump: the three anchors are in no state file
    node.start()
    registry = Registry.connect(settings)
    account = ti.account.address
    assert [anchored_events(registry, account, i.credential_hash) for i in issued] == [0, 0, 0]
    assert registry.client.tx_manager is not None
    # The first credential of a list also published its status lists (signed publications, lost
    # with the blocks too): without the issuer's key they wait, and the anchors behind them wait.
    waiting = registry.client.tx_manager.reconcile(ti.account)
    assert any("waits for the issuer's key" in a for a in waiting), waiting
    assert any("waits behind" in a for a in waiting), waiting
    registry.client.tx_manager.reconcile(ti.account, ti)
    assert [anchored_events(registry, account, i.credential_hash) for i in issued] == [1, 1, 1]
    verdicts = Verifier(registry).verify_many([(str(n), i.holder_file.dumps()) for n, i in enumerate(issued)])
    assert {r.verdict for r in verdicts} == {Verdict.VALID}


def test_reorgs_of_depth_one_to_five_dropping_anchors_bring_them_back(own_chain) -> None:  # type: ignore[no-untyped-def]
    _, settings = own_chain
    ti = _accredited_issuer(settings)
    registry = Registry.connect(settings)
    assert registry.client.tx_manager is not None
    holder = new_natural_person("worker")
    issuer = Issuer(registry, ti, settings)
    account = ti.account.address
    issuer.issue_single(holder.did, welding_certificate())  # also publishes the list's status lists
    for depth in range(1, 6):
        issued = [issuer.issue_single(holder.did, welding_certificate()) for _ in range(depth)]
        registry.client.request("anvil_reorg", [depth, []])
        assert all(anchored_events(registry, account, i.credential_hash) == 0 for i in issued), depth
        actions = registry.client.tx_manager.reconcile(ti.account)
        assert len(actions) >= depth
        assert [anchored_events(registry, account, i.credential_hash) for i in issued] == [1] * depth
        # Reconciling again changes nothing: exactly once.
        assert registry.client.tx_manager.reconcile(ti.account) == []
        assert [anchored_events(registry, account, i.credential_hash) for i in issued] == [1] * depth


# -- the RPC endpoint goes away mid-run -------------------------------------------------------


class CuttingProxy:
    """A real HTTP forwarder to the node that stops answering after `allowed` requests."""

    def __init__(self, upstream: str, allowed: int) -> None:
        import http.server
        import threading

        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if proxy.seen >= allowed:
                    self.connection.close()  # the endpoint is gone: no answer at all
                    return
                proxy.seen += 1
                relay(self, upstream, body)

            def log_message(self, *args: object) -> None:
                pass

        self.seen = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.mark.parametrize("allowed", [0, 1, 2, 3, 4, 5, 6])
def test_endpoint_stopped_mid_run_gives_could_not_determine(
    issuer: Issuer, holder: Identity, registry: Registry, allowed: int
) -> None:
    good = [issuer.issue_single(holder.did, welding_certificate()).holder_file for _ in range(2)]
    revoked = issuer.issue_single(holder.did, welding_certificate())
    issuer.change_status([revoked.holder_file.credential], Purpose.REVOCATION, set_=True, reason=2)
    proxy = CuttingProxy(registry.client.rpc_url, allowed)
    try:
        cut = Registry(ChainClient(proxy.url, timeout_s=2), registry.deployment)
        reports = Verifier(cut).verify_many([(f"g{n}", f.dumps()) for n, f in enumerate(good)]
                                            + [("r", revoked.holder_file.dumps())])  # fmt: skip
    finally:
        proxy.close()
    # Whatever request the endpoint died at, nothing is reported invalid: either the reads all
    # happened before the cut (and the verdicts are the true ones) or the verdict is "could not determine".
    for report, truth in zip(reports, [Verdict.VALID, Verdict.VALID, Verdict.REVOKED], strict=True):
        assert report.verdict in (truth, Verdict.INDETERMINATE), (allowed, report.summary)
    if allowed <= 3:
        assert {r.verdict for r in reports} == {Verdict.INDETERMINATE}


def test_quorum_reads_report_disagreement_and_silence(
    issuer: Issuer, holder: Identity, registry: Registry, tmp_path: Path
) -> None:
    import json

    from registry.ops.passport import create_passport
    from registry.ops.verify import PassportReport, verify_with_quorum

    issued = issuer.issue_single(holder.did, welding_certificate())
    content = issued.holder_file.dumps()
    same_chain = Verifier(registry)
    # A second endpoint for the same chain that is behind: an anvil fork taken before the anchor.
    fork = AnvilNode(tmp_path / "fork", port=free_port())
    before = int(issued.receipt["blockNumber"]) - 1
    fork.start(extra_args=fork_args(registry.client.rpc_url, before))
    try:
        lagging = Verifier(Registry(ChainClient(fork.rpc_url), registry.deployment))
        dead = Verifier(Registry(ChainClient(f"http://127.0.0.1:{free_port()}", timeout_s=2), registry.deployment))
        agree = verify_with_quorum([("a", same_chain), ("b", Verifier(registry)), ("dead", dead)], [("c", content)])
        assert agree[0].verdict is Verdict.VALID
        assert agree[0].check("quorum") is not None and "no answer from dead" in agree[0].check("quorum").message  # type: ignore[union-attr]
        split = verify_with_quorum([("a", same_chain), ("lagging", lagging)], [("c", content)])
        assert split[0].verdict is Verdict.INDETERMINATE
        lonely = verify_with_quorum([("a", same_chain), ("dead", dead), ("dead2", dead)], [("c", content)])
        assert lonely[0].verdict is Verdict.INDETERMINATE and "only 1 of 3" in lonely[0].summary
        # A passport is a passport whatever the number of endpoints (it was read as a broken credential).
        passport = json.dumps(create_passport(holder, [issued.holder_file]))
        both = verify_with_quorum([("a", same_chain), ("b", Verifier(registry))], [("c", content), ("p", passport)])
        assert [r.verdict for r in both] == [Verdict.VALID, Verdict.VALID]
        assert isinstance(both[1], PassportReport) and both[1].check("quorum") is not None
    finally:
        fork.stop()


def test_a_node_that_has_not_seen_the_anchor_gives_could_not_determine(
    issuer: Issuer, holder: Identity, registry: Registry, tmp_path: Path
) -> None:
    time.sleep(1.1)  # the fork point's block is then strictly older than the signing
    issued = issuer.issue_single(holder.did, welding_certificate())
    fork = AnvilNode(tmp_path / "fork", port=free_port())
    fork.start(extra_args=fork_args(registry.client.rpc_url, issued.receipt["blockNumber"] - 1))
    try:
        report = Verifier(Registry(ChainClient(fork.rpc_url), registry.deployment)).verify(
            "c", issued.holder_file.dumps()
        )
    finally:
        fork.stop()
    assert report.verdict is Verdict.INDETERMINATE, report.summary
    anchor = report.check("anchor")
    assert anchor is not None and "may not have seen the anchor" in anchor.message


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", range(12))
def test_random_node_losses_and_reorgs(tmp_path: Path, seed: int) -> None:
    """Seeded mixes of the two chain faults: a SIGKILLed node restarted from its last state dump,
    and reorgs of random depth, each after a random number of anchors and revocations."""
    rng = random.Random(seed)
    node = AnvilNode(tmp_path / "node", port=free_port(), state_interval_s=3600)
    node.start()
    try:
        client = ChainClient(node.rpc_url)
        deploy(client, Account.from_key(ANVIL_DEV_KEY)).save(tmp_path / "deployment.json")
        settings = Settings(
            home=tmp_path / "home", rpc_urls=(node.rpc_url,), deployment_path=tmp_path / "deployment.json"
        )
        ti = _accredited_issuer(settings)
        node.stop()
        node.start()
        holder = new_natural_person("worker")
        everything: list[bytes] = []
        for _ in range(3):
            registry = Registry.connect(settings)
            issuer = Issuer(registry, ti, settings)
            issued = [issuer.issue_single(holder.did, welding_certificate()) for _ in range(rng.randint(1, 4))]
            everything += [i.credential_hash for i in issued]
            blocks = len(issued)
            if rng.random() < 0.5:
                issuer.change_status(
                    [rng.choice(issued).holder_file.credential], Purpose.REVOCATION, set_=True, reason=1
                )
                blocks += 1
            if rng.random() < 0.5:
                node.kill()
                node.start()
            else:
                # anvil reorgs only blocks mined since it loaded its state: this round's.
                registry.client.request("anvil_reorg", [rng.randint(1, min(5, blocks)), []])
            registry = Registry.connect(settings)
            assert registry.client.tx_manager is not None
            registry.client.tx_manager.reconcile(ti.account)
            assert [anchored_events(registry, ti.account.address, h) for h in everything] == [1] * len(everything)
            node.stop()  # a clean checkpoint between rounds
            node.start()
    finally:
        node.stop()


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", range(16))
def test_endpoint_cut_at_random_points_never_says_invalid(
    issuer: Issuer, holder: Identity, registry: Registry, seed: int
) -> None:
    rng = random.Random(seed)
    files = [issuer.issue_single(holder.did, welding_certificate()).holder_file for _ in range(rng.randint(1, 4))]
    truths = [Verdict.VALID] * len(files)
    for n in rng.sample(range(len(files)), rng.randint(0, len(files))):
        issuer.change_status([files[n].credential], Purpose.REVOCATION, set_=True, reason=2)
        truths[n] = Verdict.REVOKED
    proxy = CuttingProxy(registry.client.rpc_url, rng.randint(0, 12))
    try:
        cut = Registry(ChainClient(proxy.url, timeout_s=2), registry.deployment)
        reports = Verifier(cut).verify_many([(str(n), f.dumps()) for n, f in enumerate(files)])
    finally:
        proxy.close()
    for report, truth in zip(reports, truths, strict=True):
        assert report.verdict in (truth, Verdict.INDETERMINATE), (seed, report.summary)


def test_a_write_the_node_never_heard_of_is_still_journaled_and_sent_later(
    issuer: Issuer, registry: Registry, tmp_path: Path
) -> None:
    # The node is silent before the write is even recorded (the first step of a write reconciles
    # older ones): the write must be in the journal, so reconcile sends it once the node is back.
    import socket

    from registry.chain.client import Call
    from registry.chain.txmanager import Journal, TxManager

    value = os.urandom(32)
    call = Call(registry.credential_address, "CredentialRegistry", "anchor", (value,))
    journal = Journal(tmp_path / "journal.sqlite")
    with socket.socket() as blackhole:
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(4)  # accepted by the kernel, never answered
        silent = TxManager(ChainClient(f"http://127.0.0.1:{blackhole.getsockname()[1]}", timeout_s=0.5), journal)
        with pytest.raises(ChainUnavailable):
            silent.submit(issuer.identity.account, call)
    assert [op.call.args for op in journal.pending(issuer.identity.account.address)] == [(value,)]
    back = TxManager(registry.client, journal)
    back.reconcile(issuer.identity.account)
    record = registry.client.call(Call(registry.credential_address, "CredentialRegistry", "anchorOf",
                                       (issuer.identity.account.address, value)))[0]  # fmt: skip
    assert int(record[1]) != 0  # anchored, once
    assert not journal.pending(issuer.identity.account.address)


def test_a_call_that_cannot_be_encoded_is_never_journaled(issuer: Issuer, registry: Registry, tmp_path: Path) -> None:
    from registry.chain.client import Call
    from registry.chain.txmanager import Journal, TxManager

    journal = Journal(tmp_path / "journal.sqlite")
    manager = TxManager(registry.client, journal)
    bad = Call(registry.credential_address, "CredentialRegistry", "setStatus", (-5, 0))
    with pytest.raises(InputError, match="cannot encode setStatus"):
        manager.submit(issuer.identity.account, bad)
    assert journal.all() == []  # nothing left to replay (and crash) on every later write
