"""Fixtures: a real anvil process, the registry deployed on it, and the actors.

One anvil and one deployment serve the whole session; every test makes its own identities
(fresh DIDs and accounts), so tests do not see each other's state.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from eth_account import Account

# Throwaway test identities do not need production scrypt cost (2^18); see registry.keystore.
os.environ.setdefault("REGISTRY_SCRYPT_N", "16384")
# The tests read the CLI's English words whatever the machine's locale (LANG=fr_FR.UTF-8 would
# otherwise make `registry` speak French: registry/i18n); tests of other languages ask for them.
os.environ["REGISTRY_LANG"] = "en"

import registry.keystore
from registry.chain.client import ChainClient
from registry.chain.deployment import Deployment, deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.config import Settings
from registry.formats.accreditation import Scope
from registry.formats.credential import Achievement, Skill
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.trust import IssuerType, Root, Trust, TrustList
from registry.ops.verify import Verifier

PASSPHRASE = "correct horse battery staple"
# Key files written in this process (the fixtures' identities, in-process commands): scrypt at 2^10,
# below the 2^14 floor REGISTRY_SCRYPT_N allows a user (the reader takes any power of two). No test
# here is about a key file's cost; the commands tests run as subprocesses keep REGISTRY_SCRYPT_N's.
# At 2^14 the `chain` fixture's key files were 0.8 s of its 1.3 s, in every test that uses it.
TEST_SCRYPT_N = 1 << 10
setattr(registry.keystore, "scrypt_n", lambda: TEST_SCRYPT_N)  # noqa: B010 (mypy: no assigning to a function)
WELDING = Skill("http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314", "apply arc welding techniques")


def start_test_node(directory: Path) -> AnvilNode:
    """A real anvil for tests. State is written at exit only: a dump every second of a chain the
    suite grows to thousands of blocks costs the node more than the tests do."""
    node = AnvilNode(directory, port=free_port(), state_interval_s=3600)
    node.start()
    align_clock(ChainClient(node.rpc_url))
    return node


def align_clock(client: ChainClient) -> None:
    """The node's clock set to the wall clock's second. anvil keeps its clock as the wall clock
    moved by whole seconds, taken at start: a start that crosses a second leaves it a second
    behind. Tests write `iat` and "now" with the wall clock and ask the chain about the time of its
    newest block (`verify --at`): a block a second behind a credential signed in the same second
    is before its validity ("not valid before", INVALID: test_request_counts failed so in CI; six
    tests of test_cohorts and test_trust failed on a node started a second behind, forced with
    `--timestamp`). Set again until no second began while anvil took it (its offset is then 0)."""
    for _ in range(10):
        before = time.time()
        client.request("evm_setTime", [int(before)])
        if int(time.time()) == int(before):
            return
    raise RuntimeError("could not set the test node's clock to the wall clock's second")


def next_second(seconds: int = 1) -> None:
    """Sleep into the start of the wall clock's `seconds`-th second from now: a block mined after is
    that many seconds later than every block before, as `align_clock` keeps a test node's clock on
    the wall clock's second (and `int(time.time())` is that many later too). The 1.1 s sleeps it
    replaces did the same, 0.6 s longer on average."""
    now = time.time()
    time.sleep(int(now) + seconds - now + 0.01)


def deploy_for_tests(node: AnvilNode, directory: Path) -> Path:
    """The registry's contracts deployed on `node`; the deployment file's path."""
    result = deploy(ChainClient(node.rpc_url), Account.from_key(ANVIL_DEV_KEY))
    path = directory / "deployment.json"
    result.save(path)
    return path


def fork_args(rpc_url: str, block: int) -> list[str]:
    """anvil arguments for a replica of the chain at `rpc_url` stopped at `block`. Without
    --no-storage-caching anvil keeps what it read in ~/.foundry/cache/rpc/<chain>/<block> and may
    load it in a later run: state from another test chain of the same chain id and block number."""
    return ["--fork-url", rpc_url, "--fork-block-number", str(block), "--no-storage-caching"]


@pytest.fixture(scope="session")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilNode]:
    node = start_test_node(tmp_path_factory.mktemp("anvil"))
    yield node
    node.stop()


@pytest.fixture(scope="session")
def deployment_file(anvil: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deploy_for_tests(anvil, tmp_path_factory.mktemp("deployment"))


@pytest.fixture
def settings(anvil: AnvilNode, deployment_file: Path, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", rpc_urls=(anvil.rpc_url,), deployment_path=deployment_file)


@pytest.fixture
def registry(settings: Settings) -> Registry:
    return Registry.connect(settings)


@pytest.fixture
def deployment(deployment_file: Path) -> Deployment:
    return Deployment.load(deployment_file)


@contextmanager
def one_chain_second(client: ChainClient) -> Iterator[None]:
    """Every block mined inside lands in one second (anvil_setBlockTimestampInterval 0), as anvil
    mines them on a fast machine by chance: a test whose writes must share a second says so instead
    of hoping. The chain's clock follows the wall clock again on leaving."""
    client.request("evm_mine", [])  # the second held is now's, not the last block's
    client.request("anvil_setBlockTimestampInterval", [0])
    try:
        yield
    finally:
        client.request("anvil_removeBlockTimestampInterval", [])


def fund(registry: Registry, identity: Identity) -> None:
    registry.client.request("anvil_setBalance", [identity.account.address, hex(10**20)])


@pytest.fixture
def make_issuer(registry: Registry, settings: Settings):  # type: ignore[no-untyped-def]
    """A factory of registered, funded legal entities (saved in the test's key store)."""

    def make(name: str = "training-centre", *, register: bool = True) -> Identity:
        identity = new_legal_entity(name)
        fund(registry, identity)
        KeyStore(settings.keys_dir).save(identity, PASSPHRASE)
        if register:
            registry.register_did(identity)
        return identity

    return make


GOVERNANCE = Account.from_key(ANVIL_DEV_KEY)  # the deployer holds the governance role in tests
ONE_YEAR = 365 * 24 * 3600
# EuropeanDigitalCredential: what the europass profile's credentials are (tests/helpers/certified.py).
ROOT_SCOPE = Scope(types=("SkillsCredential", "WeldingCertificate", "NursingLicence", "EuropeanDigitalCredential"))
TAO_SCOPE = Scope(types=("SkillsCredential", "WeldingCertificate", "NursingLicence", "EuropeanDigitalCredential"))
WELDING_SCOPE = Scope(types=("SkillsCredential", "WeldingCertificate"))


@dataclass
class Chain:
    """Root TAO (a vocational authority) -> TAO (an accreditation body) -> TI (a training centre)."""

    root: Identity
    root_attribute: bytes
    tao: Identity
    tao_attribute: bytes
    ti: Identity
    ti_attribute: bytes


@pytest.fixture
def trust(registry: Registry) -> Trust:
    return Trust(registry, "http://registry.test")


def trusted_roots(did: str) -> TrustList:
    """The trust list a test's verifiers hold: its `chain`'s root, named. A verifier that has not
    said it trusts a root answers "root not trusted"; `chain` writes this list as the test home's
    default trust list, which the CLI, the `verifier` fixture and the session's service read."""
    return TrustList(frozenset({did}), "test roots", entries=(Root(did, "Vocational Authority"),))


@pytest.fixture
def chain(make_issuer, trust: Trust, settings: Settings) -> Chain:  # type: ignore[no-untyped-def]
    """Root TAO -> TAO -> TI, fresh for the test; the root is in the test home's default trust list."""
    until = int(time.time()) + ONE_YEAR
    root = make_issuer("vocational-authority")
    tao = make_issuer("accreditation-body")
    ti = make_issuer("training-centre")
    root_attribute = trust.onboard_root(GOVERNANCE, root, [ROOT_SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [TAO_SCOPE], until)
    ti_attribute = trust.accredit(tao, tao_attribute, ti.did, IssuerType.TI, [WELDING_SCOPE], until)
    settings.home.mkdir(parents=True, exist_ok=True)
    trusted_roots(root.did).save(settings.trust_list_file)
    return Chain(root, root_attribute, tao, tao_attribute, ti, ti_attribute)


@pytest.fixture
def issuer_identity(chain: Chain) -> Identity:
    return chain.ti


@pytest.fixture
def holder(settings: Settings) -> Identity:
    identity = new_natural_person("worker")
    KeyStore(settings.keys_dir).save(identity, PASSPHRASE)
    return identity


@pytest.fixture
def issuer(registry: Registry, issuer_identity: Identity, settings: Settings) -> Issuer:
    return Issuer(registry, issuer_identity, settings)


@pytest.fixture
def verifier(registry: Registry, chain: Chain, settings: Settings) -> Verifier:
    """A verifier that has said it trusts the test's root: the test home's default trust list, as
    the CLI and the session's service read it."""
    return Verifier(registry, TrustList.load(settings.trust_list_file))


def welding_certificate() -> Achievement:
    return Achievement(
        name="MIG/MAG welding, level 2",
        description="Welds carbon steel plate and pipe with MIG/MAG processes.",
        criteria="Practical test on plate and pipe, assessed by a certified examiner.",
        skills=(WELDING,),
        eqf_level=4,
    )


def forward(upstream: str, body: bytes) -> bytes:
    """Send one JSON-RPC request (or batch) to `upstream`; its raw answer."""
    request = urllib.request.Request(upstream, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        data: bytes = answer.read()
    return data


def relay(handler: BaseHTTPRequestHandler, upstream: str, body: bytes) -> None:
    """Forward one JSON-RPC request to `upstream` and write its answer back: the happy path of the
    loopback proxies tests put in front of anvil to cut, hang up or delay a real connection."""
    respond(handler, forward(upstream, body))


def respond(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """Write `data` back as a 200 JSON-RPC answer."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class HangUpProxy(ThreadingHTTPServer):
    """A JSON-RPC endpoint in front of anvil that hangs up, without answering, on every request
    `hang_up` picks (a closed socket, for real) and relays everything else; it serves from a
    daemon thread as soon as it is made. `hung_up` counts the requests it dropped."""

    def __init__(self, upstream: str, hang_up: Callable[[bytes], bool]) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hang_up(body):
                    proxy.hung_up += 1
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                relay(self, upstream, body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.hung_up = 0
        self.port = self.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


# Markers (`pytest -m "not chain and not browser"`, `make test-pure`: the pure tests in seconds),
# given here from what a test uses, so test files need no marks and can move freely.
# Fixtures that start a node (anvil, hardhat), a service process on one, or a CLI subprocess that
# needs one; pytest lists a test's fixtures transitively, so `settings`, `registry`, `service`,
# `chain` ... are covered through `anvil`. The rest are the module fixtures that start their own.
CHAIN_FIXTURES = frozenset({"anvil", "own_chain", "chains", "smoke", "network", "env", "idle", "world", "dated"})
# Tests that start a node in their own body (file name -> test function names; None: all of them).
CHAIN_TESTS: dict[str, frozenset[str] | None] = {
    "test_node.py": None,
    "test_demo.py": frozenset({"test_the_demo_tells_the_whole_story_and_keeps_its_files"}),
    "test_quickstarts.py": None,
    "test_centre_and_worker.py": None,
    "test_service_bench_smoke.py": None,
    "test_faults.py": frozenset({"test_random_node_losses_and_reorgs"}),
    "test_attach.py": frozenset({"test_deploy_refuses_to_record_a_block_a_reorg_replaced"}),
}
BROWSER_FILES = frozenset({"test_service_browser.py", "test_print_browser.py", "test_lang_browser.py"})
# Browser tests in other files (file name -> test function names).
BROWSER_TESTS = {
    "test_accreditation_history.py": frozenset({"test_the_issuer_page_in_a_browser_answers_each_day_as_the_cli_does"}),
}

# Files whose tests compare days of the wall clock taken at different moments: a day the test
# computes (an entry's date, "today" in an expected message) beside one the product computed
# earlier or later (an enrolment's day, a module fixture's entries). A run across UTC midnight puts
# them a day apart: for a module of several minutes, about one run in 300 started at a random
# time. The product reads the real clock (there is no clock to inject), so such a test that fails
# in a run that has crossed midnight is reported as skipped, saying so; every other run judges it.
WALL_DATE_FILES = frozenset({"ops/test_logbook.py", "cli/test_logbook.py", "ops/test_logbook_completion.py",
                             "ops/test_logbook_faults.py", "service/test_service_logbook.py",
                             "service/test_logbook_sync.py"})  # fmt: skip
RUN_STARTED_ON = datetime.now(UTC).date()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        file = item.path.name
        function = getattr(item, "originalname", item.name)
        named = CHAIN_TESTS.get(file, frozenset())
        if CHAIN_FIXTURES.intersection(getattr(item, "fixturenames", ())) or (
            file in CHAIN_TESTS and (named is None or function in named)
        ):
            item.add_marker(pytest.mark.chain)
        if file in BROWSER_FILES or function in BROWSER_TESTS.get(file, ()):
            item.add_marker(pytest.mark.browser)
        if f"{item.path.parent.name}/{file}" in WALL_DATE_FILES:
            item.add_marker(pytest.mark.wall_date)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A wall_date test that failed after the run crossed UTC midnight: skipped, with the reason."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    today = datetime.now(UTC).date()
    if report.failed and item.get_closest_marker("wall_date") and today != RUN_STARTED_ON:
        said = f"the run crossed UTC midnight ({RUN_STARTED_ON} to {today}): this test's days were taken on both"
        report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1] or 0, f"Skipped: {said}")
