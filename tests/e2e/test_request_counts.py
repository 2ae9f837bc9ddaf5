"""Costs that do not grow with history, counted by a real proxy in front of anvil.

Every JSON-RPC request `registry verify` sends goes through `CountingProxy` (tests/helpers/rpc_counter.py),
which counts each element of a batch. A credential whose status words changed K times before is
verified in a number of requests that does not grow with K (the walk stops at the change that
settles the entry and reads long histories in windowed range queries); past the budget the verdict
the word gives is kept (now) or the answer is "could not determine" (at a past time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.chain.client import Call, ChainClient, contract_abi
from registry.chain.deployment import Deployment
from registry.chain.node import AnvilNode
from registry.config import Settings
from registry.keystore import Identity
from registry.ops.issuance import Issued, Issuer
from registry.ops.registry import BITS_PER_WORD, Purpose, Registry
from tests.conftest import PASSPHRASE, deploy_for_tests, start_test_node, welding_certificate
from tests.helpers.rpc_counter import CountingProxy

K_SUSPENSION = 1000  # changes on one suspension word before the credential is asked about
# A revocation is final: a revocation word changes at most once per entry (224), so its history
# is every other entry of the word revoked, one transaction each.
K_REVOCATION = BITS_PER_WORD - 3
# Requests for one credential, whatever K: issue #12's "about 50". The fixed part includes one code
# check per deployed contract (check_deployment), four since the RecognitionRegistry (was three: 50
# then, 51 now in the worst case here, a node whose log range is one block).
BOUND = int(os.environ.get("COUNT_BOUND", "52"))


# This module gives status words histories of a thousand blocks. On the session's node, whose
# contracts hold every other test's storage, anvil keeps a snapshot of that whole state for each of
# its recent blocks (hundreds in memory, thousands more in a second tier): a thousand more blocks
# took one run's node past 16 GB. Its own node, deployed afresh, stays small and stops with the module.
@pytest.fixture(scope="module")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilNode]:
    node = start_test_node(tmp_path_factory.mktemp("counts-anvil"))
    yield node
    node.stop()


@pytest.fixture(scope="module")
def deployment_file(anvil: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deploy_for_tests(anvil, tmp_path_factory.mktemp("counts-deployment"))


@pytest.fixture
def proxy(anvil: Any) -> Iterator[CountingProxy]:
    counting = CountingProxy(anvil.rpc_url)
    yield counting
    counting.close()


def verify(settings: Settings, proxy: CountingProxy, path: Path, *extra: str, env: dict[str, str] | None = None):
    """`registry verify` through the proxy: (exit code, JSON report, requests it sent)."""
    proxy.reset()
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), "verify", str(path), "--json"]
    argv += ["--rpc", proxy.url, "--deployment", str(settings.deployment_file), *extra]
    result = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE, **(env or {})},
    )
    assert "Traceback" not in result.stderr, result.stderr
    print("REQUESTS", path.name, extra, env, proxy.requests, proxy.round_trips)
    if result.returncode:  # shown with a failing test's output: what the command said on stderr
        print("EXIT", result.returncode, "STDERR", result.stderr[-3000:])
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else None, proxy.requests


def said(report: Any) -> str:
    """A report whole, as an assertion's message (pytest cuts a dict's repr short)."""
    return json.dumps(report, indent=1, ensure_ascii=False)


def send_all(client: ChainClient, identity: Identity, calls: list[Call], *, own_blocks: bool = True) -> None:
    """Each call as its own signed transaction in its own block (sent one by one: anvil's automine
    mines each as it arrives), then every receipt checked: the cheap way to give a word a long history."""
    account = identity.account
    nonce = int(client.request("eth_getTransactionCount", [account.address, "pending"]), 16)
    fees = client.fee_fields()
    raws = []
    for n, call in enumerate(calls):
        data = contract_abi(call.contract).encode_call(call.function, call.args)
        tx = {"to": call.address, "data": data, "value": 0, "gas": 150_000, "nonce": nonce + n,
              "chainId": client.chain_id, **fees}  # fmt: skip
        raws.append(("eth_sendRawTransaction", ["0x" + account.sign_transaction(tx).raw_transaction.hex()]))
    hashes = [client.request(*raw) for raw in raws]
    client.wait_for_receipt(hashes[-1], timeout_s=600)  # anvil mines them one by one: slow on a busy machine
    receipts = client.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
    failed = [
        (n, r and r["status"], r and int(r["gasUsed"], 16))
        for n, r in enumerate(receipts)
        if not r or r["status"] != "0x1"
    ]
    assert not failed, (len(calls), failed[:5], [calls[n].function for n, _, _ in failed[:5]])
    if own_blocks:  # (anvil may put two in one block)
        assert len({r["blockNumber"] for r in receipts}) > 0.9 * len(calls)


def two_in_one_word(issuer: Issuer, holder: str) -> tuple[list[Issued], Issued, Issued]:
    """Credentials issued until two share a status word (16 words in the single-credential pool)."""
    issued: list[Issued] = []
    while True:
        one = issuer.issue_single(holder, welding_certificate())
        for other in issued:
            if other.index // BITS_PER_WORD == one.index // BITS_PER_WORD:
                return issued, other, one
        issued.append(one)


def history_calls(registry: Registry, purpose: Purpose, number: int, word: int, avoid: set[int], k: int) -> list[Call]:
    """`k` changes of one word, each touching one entry not in `avoid`: revocations set each once;
    suspensions set every entry, then clear every one, and so on."""
    free = [word * BITS_PER_WORD + n for n in range(BITS_PER_WORD) if word * BITS_PER_WORD + n not in avoid]
    binding = registry.credentials
    if purpose is Purpose.REVOCATION:
        return [binding.set_status(purpose, number, index, 1) for index in free[:k]]
    calls: list[Call] = []
    setting = True
    while len(calls) < k:
        for index in free[: k - len(calls)]:
            calls.append(binding.update_entries(purpose, number, [index], setting, 6))
        setting = not setting
    return calls


def test_one_credential_costs_the_same_requests_whatever_its_words_history(  # type: ignore[no-untyped-def]
    registry: Registry, issuer: Issuer, issuer_identity: Identity, holder: Identity, settings: Settings,
    proxy: CountingProxy, tmp_path: Path,
) -> None:  # fmt: skip
    issued, suspended, untouched = two_in_one_word(issuer, holder.did)
    others = [c for c in issued if c is not suspended]
    revoked = others[0] if others else issuer.issue_single(holder.did, welding_certificate())
    # The word histories below touch every other entry: never these (a revoked one made here, when the
    # second credential shared the first's word, was revoked again and the transaction reverted).
    entries = {c.index for c in (*issued, suspended, untouched, revoked)}
    files = {}
    for name, credential in (("revoked", revoked), ("suspended", suspended), ("untouched", untouched)):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(credential.holder_file.dumps())
    number = suspended.list_number
    registry.set_status(issuer_identity, Purpose.REVOCATION, revoked.list_number, revoked.index, 2)
    registry.set_status(issuer_identity, Purpose.SUSPENSION, number, suspended.index, 6)
    # The time asked about: a block of its own, no earlier than any credential's signing (`iat`, the
    # start of its validity, is the issuer's clock or the chain's, whichever is later: signing_time)
    # and after the changes above; the history below in later seconds. It was the newest block's
    # time, read after a sleep that mined nothing: the suspension's. anvil's clock can run a second
    # behind the wall clock (it keeps its offset in whole seconds; measured: a node restarted from
    # its state), so when the untouched credential and the suspension fell in one wall second, the
    # time asked preceded its `iat`: "not valid before", INVALID, in one CI run (forced here once by
    # starting this module's node with `--timestamp` three seconds back: the same INVALID).
    asked = max(registry.block_timestamp() + 1, int(time.time()))
    registry.client.request("evm_mine", [asked])
    assert registry.block_timestamp() == asked
    registry.client.request("evm_setNextBlockTimestamp", [asked + 1])
    word = suspended.index // BITS_PER_WORD
    calls = history_calls(registry, Purpose.SUSPENSION, number, word, entries, K_SUSPENSION)
    calls += history_calls(registry, Purpose.REVOCATION, number, word, entries, K_REVOCATION)
    if revoked.index // BITS_PER_WORD != word:
        calls += history_calls(registry, Purpose.REVOCATION, revoked.list_number, revoked.index // BITS_PER_WORD,
                               entries, K_REVOCATION)  # fmt: skip
    send_all(ChainClient(registry.client.rpc_url), issuer_identity, calls)

    code, report, requests = verify(settings, proxy, files["revoked"])
    assert (code, report["verdict"]) == (1, "revoked"), said(report)
    assert requests <= BOUND, (requests, proxy.methods)
    code, report, requests = verify(settings, proxy, files["suspended"])
    assert (code, report["verdict"]) == (1, "suspended"), said(report)
    assert "holder request" not in json.dumps(report)  # reason 6 (under investigation) read from the change
    assert requests <= BOUND, (requests, proxy.methods)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(asked))
    code, report, requests = verify(settings, proxy, files["untouched"], "--at", at)
    assert (code, report["verdict"]) == (0, "valid"), said(report)
    assert requests <= BOUND, (requests, proxy.methods)

    # Past the budget (windows of one block: the history cannot be read within it), the word's own
    # bit is still the verdict now, and a question about the past is "could not determine".
    small = {"REGISTRY_LOG_WINDOW": "1"}
    code, report, requests = verify(settings, proxy, files["suspended"], env=small)
    assert (code, report["verdict"]) == (1, "suspended"), said(report)
    assert "when and why were not read" in json.dumps(report), [c for c in report["checks"] if "status" in c["name"]]
    assert requests <= BOUND, (requests, proxy.methods)
    code, report, requests = verify(settings, proxy, files["untouched"], "--at", at, env=small)
    assert (code, report["verdict"]) == (2, "could not determine"), said(report)
    assert requests <= BOUND, (requests, proxy.methods)


def anchored_directory(registry: Registry, issuers: list[Issuer], holder: str, per_issuer: int, out: Path) -> None:
    """`per_issuer` credentials of each issuer, each anchored by its own transaction (sent back to
    back), written into `out`, issuers interleaved as a directory listing would mix them."""
    from registry.formats import credential as vcfmt

    out.mkdir()
    # As the issuer's own code signs: the chain's time when it runs ahead of ours (a block a second
    # for 20 issuers' registrations outruns the wall clock), else a key registered at 01:18:16 by the
    # chain signs at 01:18:15 by the wall clock and is "not valid when signed" (a -n 2 run, forced).
    now = registry.signing_time()
    for n, issuer in enumerate(issuers):
        tokens = []
        for _ in range(per_issuer):
            number, index = issuer.allocator.allocate_single()
            tokens.append(issuer.sign(issuer._draft(holder, welding_certificate(), number, index, now, None), now))
        anchors = [registry.credentials.anchor(vcfmt.credential_hash(t)) for t in tokens]
        send_all(registry.client, issuer.identity, anchors, own_blocks=False)
        for m, token in enumerate(tokens):
            (out / f"{m:04d}-{n:02d}.json").write_text(vcfmt.HolderFile(token).dumps())


def _not_valid(report: Any) -> str:
    """The reports that are not VALID, whole (a failure must say which check failed and why)."""
    items = report if isinstance(report, list) else (report or {}).get("results", [report])
    bad = [r for r in items if not (isinstance(r, dict) and str(r.get("verdict", "")).upper().startswith("VALID"))]
    return json.dumps(bad or report, indent=1)[:6000]


def test_a_directory_costs_requests_per_issuer_not_per_credential(  # type: ignore[no-untyped-def]
    registry: Registry, chain: Any, trust: Any, make_issuer: Any, holder: Identity, settings: Settings,
    proxy: CountingProxy, tmp_path: Path,
) -> None:  # fmt: skip
    """20 issuers: 5 credentials each (one slice of files) and 30 each (600 files: two slices). The
    second directory costs hardly more: no log query per credential for its anchoring transaction
    (one range query per window of blocks), and issuers read once for the command, not per slice."""
    from registry.ops.trust import IssuerType
    from tests.conftest import ONE_YEAR, WELDING_SCOPE

    until = int(time.time()) + ONE_YEAR - 3600
    issuers = []
    for n in range(20):
        identity = make_issuer(f"centre-{n}")
        trust.accredit(chain.tao, chain.tao_attribute, identity.did, IssuerType.TI, [WELDING_SCOPE], until)
        issuers.append(Issuer(registry, identity, settings))
    small, large = tmp_path / "small", tmp_path / "large"
    anchored_directory(registry, issuers, holder.did, 5, small)
    anchored_directory(registry, issuers, holder.did, 30, large)
    code, report, few = verify(settings, proxy, small)
    assert code == 0, _not_valid(report)
    code, report, many = verify(settings, proxy, large)
    assert code == 0, _not_valid(report)
    assert many - few <= 20, (few, many, proxy.methods)


def test_the_timestamp_route_reads_within_a_nodes_log_range_limit(  # type: ignore[no-untyped-def]
    anvil: Any, issuer: Issuer, holder: Identity, settings: Settings, tmp_path: Path
) -> None:
    """`GET /timestamp/v4/timestamps/{id}` searches the chain from the deployment in windows of
    REGISTRY_LOG_WINDOW blocks, so a node that refuses wider log ranges (Besu) still answers it."""
    import dataclasses

    import httpx

    from tests.helpers.service_fixtures import TEST_CONFIG
    from tests.helpers.service_helpers import start_service

    issued = issuer.issue_single(holder.did, welding_certificate())
    limited = CountingProxy(anvil.rpc_url, max_log_range=5)
    deployed = Deployment.load(settings.deployment_file).deployment_block
    # The chain is longer than one window: one query from the deployment to the head is refused.
    assert int(registry_head(anvil.rpc_url), 16) - deployed > 5
    service_settings = dataclasses.replace(settings, rpc_urls=(limited.url,), log_window=5)
    running = start_service(service_settings, TEST_CONFIG)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as http:
            answer = http.get(f"/timestamp/v4/timestamps/0x{issued.credential_hash.hex()}")
            assert answer.status_code == 200, answer.text
            assert answer.json()["blockNumber"] == issued.receipt["blockNumber"]  # type: ignore[index]
            missing = http.get(f"/timestamp/v4/timestamps/{'00' * 32}")
            assert missing.status_code == 404, missing.text
        assert limited.refused == 0
    finally:
        running.stop()
        limited.close()


def registry_head(url: str) -> str:
    head: str = ChainClient(url).request("eth_blockNumber", [])
    return head


@pytest.mark.parametrize("value", ["0", "-5", "soon", "1e3", "5000 blocks"])
def test_an_unusable_log_window_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from registry.errors import ConfigError

    monkeypatch.setenv("REGISTRY_LOG_WINDOW", value)
    with pytest.raises(ConfigError, match="REGISTRY_LOG_WINDOW must be a positive whole number of blocks"):
        Settings()
    monkeypatch.setenv("REGISTRY_LOG_WINDOW", "100")
    assert Settings().log_window == 100
    # So are the confirmations a write waits for (a word there was a traceback; -1 was taken as 1).
    monkeypatch.setenv("REGISTRY_CONFIRMATIONS", value)
    with pytest.raises(ConfigError, match="REGISTRY_CONFIRMATIONS must be a positive whole number of blocks"):
        Settings()
    monkeypatch.delenv("REGISTRY_CONFIRMATIONS")
    # And the URLs an issuer writes into every credential: no URL there made credentials nobody could check.
    for name in ("REGISTRY_PUBLIC_URL", "REGISTRY_PUBLIC_SERVICE"):
        monkeypatch.setenv(name, value)
        with pytest.raises(ConfigError, match=rf"^{name} must be an http\(s\) URL, https://HOST"):
            Settings()
        monkeypatch.setenv(name, "https://registry.example/skills")
        assert "https://registry.example/skills" in (Settings().public_url, Settings().public_service)
