"""Faults on the logbook's chain writes, with real `registry logbook anchor` processes
(tests/ops/test_recognition_faults.py's helpers): SIGKILLed at each step of a day's anchor (the day's
record written, the journal row, before and after sending, after the receipt, between the entry
files), each killed run finishing what the one before it left; then two processes of the same
provider anchoring the same logbooks at once. A day's anchor sent through the service
(ops/logbook/relay.py) killed after the relay and before it: journaled all the same. And `logbook
enrol`, `supervisor authorise` and `supervisor revoke --untrusted-from` killed between their
document and its anchor.

What must hold after every kill: no entry file names a root that is not on-chain, and nothing is
left half-written (entry files are renamed whole). At the end: every countersigned entry anchored
once, in a root anchored exactly once (no root on-chain that no entry holds); no status entry
shared; nothing pending in the journal, no day record or temporary file left; each learner's extract
VALID by `registry logbook verify`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.chain import writer
from registry.chain.txmanager import Journal
from registry.config import Settings
from registry.errors import ChainUnavailable, InputError, StateError
from registry.formats.credential import credential_hash, load_holder_file
from registry.formats.jwt import b64url_decode
from registry.formats.logbook.records import sha256_hex
from registry.keystore import Identity, KeyStore, new_natural_person
from registry.ops.journal import journal_view, reconcile
from registry.ops.logbook import Logbook, Provider, verify_extract
from registry.ops.logbook.book import countersign, load_entry
from registry.ops.logbook.reports import Reads
from registry.ops.registry import Registry
from registry.ops.trust import TrustList
from tests.conftest import PASSPHRASE, HangUpProxy
from tests.ops.test_logbook import DAY, PROGRAMME, day
from tests.ops.test_logbook import _provider as accredited_provider
from tests.ops.test_recognition_faults import _finish, _start, _stderr
from tests.ops.test_writer_faults import _anchor_events, _pending

pytest_plugins = ("tests.helpers.service_fixtures",)

# The order matters: each killed run first finishes what the one before it left (the journal's
# reconciliation, then the day records), and must not meet its own crash point while doing so.
KILLS = (
    "after-files",  # the day's record written, no journal row: the next run drops it, anchors anew
    "after-send",  # sent, not confirmed: the next run awaits it and writes the entry files
    "during-files",  # killed finishing the previous day, one entry file written of four
    "after-receipt",  # confirmed, its entry files not written: the next run writes them
    "before-send",  # journaled, never sent ("after-row" is the same state): left for the two processes at the end
)


@dataclass
class World:
    settings: Settings
    registry: Registry
    provider: Provider
    learners: list[Identity]
    books: list[Logbook]
    supervisor: Identity
    authorisation: str
    trust_list: Path
    start: int  # the first block of the test's writes


@pytest.fixture(scope="module")
def world(anvil, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> World:  # type: ignore[no-untyped-def]
    """An accredited provider kept in its home's key store, one supervisor, two learners' logbooks."""
    home = tmp_path_factory.mktemp("logbook-faults")
    settings = Settings(home=home / "home", rpc_urls=(anvil.rpc_url,), deployment_path=deployment_file)
    registry = Registry.connect(settings)
    provider, root = accredited_provider(registry, settings)
    KeyStore(settings.keys_dir).save(provider.identity, PASSPHRASE)
    programme = provider.publish_programme(PROGRAMME)
    now = registry.signing_time()
    supervisor = new_natural_person("sup")
    authorisation = provider.authorise(programme, supervisor.did, "supervisor", now - 60 * DAY, now + 60 * DAY)
    learners = [new_natural_person(name) for name in ("amina", "bob")]
    books = [Logbook.create(home / p.name, programme, provider.enrol(programme, p.did)) for p in learners]
    TrustList(frozenset({root}), "test roots").save(home / "trust-list.json")
    return World(settings, registry, provider, learners, books, supervisor, authorisation, home / "trust-list.json",
                 registry.client.block_number() + 1)  # fmt: skip


def _countersigned_entries(world: World, run: int) -> None:
    """One countersigned entry per learner, as the supervisor's `logbook sign` leaves them."""
    now = world.registry.signing_time()
    for learner, book in zip(world.learners, world.books, strict=True):
        fields = {"date": day(-1), "unit": "U1", "activity": f"welds, run {run}", "hours": 1, "workplace": "Yard 3"}
        book.save(countersign(book.add(learner, fields, None, now), world.supervisor, world.authorisation, now))


def _anchor(world: World) -> list[str]:
    return ["logbook", "anchor", *(str(b.directory) for b in world.books), "--issuer", world.provider.identity.name]


def _entry_files(world: World) -> list[Path]:
    return sorted(p for b in world.books for p in (b.directory / "entries").glob("*.json") if p.name[0] != ".")


def _temporary_files(world: World) -> list[Path]:
    """What a writer killed mid-write left beside the entry files (removed by the next run)."""
    return sorted(p for b in world.books for p in (b.directory / "entries").glob(".*.tmp"))


def _on_chain(world: World, root: str) -> bool:
    registry, account = world.registry, world.provider.identity.account.address
    return int(registry.client.call(registry.credentials.anchor_of(account, bytes.fromhex(root[2:])))[0][1]) != 0


def _nothing_half_written(world: World) -> None:
    """No entry file names a root that is not on-chain (each is whole: renamed into place)."""
    for path in _entry_files(world):
        anchor = load_entry(path).anchor
        assert anchor is None or _on_chain(world, anchor["root"]), f"{path.name} names a root that is not on-chain"


def _provider_roots(world: World, expect: int = 0) -> list[str]:
    """Every value the provider anchored since the test began (one per Anchored event); polled for a
    moment until there are `expect` of them (a loaded anvil has answered eth_call with a block's
    state before eth_getLogs returned its logs: tests/ops/test_writer_faults.py's `_anchor_events`;
    the wait ends once they are there, so 30 s costs a passing run nothing)."""
    registry, contract = world.registry, world.registry.credentials
    deadline = time.monotonic() + 30
    while True:
        found: list[str] = []
        if world.start <= registry.client.block_number():  # a node refuses a range that starts after its head
            topics = contract.anchored_by_topics([world.provider.identity.account.address])
            request = registry.client.logs_request(contract.address, topics, world.start, "latest")
            found = ["0x" + contract.anchored_key(log)[1] for log in registry.client.request(*request)]
        if len(found) >= expect or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _days_left(world: World) -> list[Path]:
    folder = world.settings.state_dir / world.provider.identity.name / "logbook-days"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _race(world: World, directory: Path) -> list[tuple[int, str, str]]:
    """Two `logbook anchor` of the same provider and logbooks at once: the test holds the
    provider's writer lock until both wait for it, then lets them go."""
    with ExitStack() as lock:
        lock.enter_context(writer.exclusive(world.settings.journal_file, world.provider.identity.account.address, "t"))
        started = [_start(world, _anchor(world), directory) for _ in range(2)]
        deadline = time.monotonic() + 60
        while not all("waiting up to" in _stderr(p) or p.poll() is not None for p in started):
            assert time.monotonic() < deadline, "the processes never reached the lock"
            time.sleep(0.05)
    return [_finish(p) for p in started]


def test_anchor_killed_at_each_step_then_raced_anchors_every_entry_once(world: World, tmp_path: Path) -> None:
    for run, step in enumerate(KILLS):
        _countersigned_entries(world, run)
        killed = _start(world, _anchor(world), tmp_path, crash_at=step)
        code, _, err = _finish(killed)
        assert code == -signal.SIGKILL, (step, err)
        _nothing_half_written(world)
        pending = [op.call.function for op in _pending(world.settings)]
        assert pending == ([] if step in ("after-files", "during-files", "after-receipt") else ["anchorCohort"]), step
        assert len(_days_left(world)) == 1, step  # the day of this run, or of the run before
        if pending:  # `journal status` names the day's record beside its row
            (row,) = journal_view(world.settings.journal_file, world.settings.deployment_file, False).rows
            assert f"a logbook day: {_days_left(world)[0]} keeps its entry files" in row.notes[-1], row.notes
        if step == "during-files":  # one entry file of the day written, the other three not yet
            assert sum(load_entry(p).anchor is not None for p in _entry_files(world)) == 1
    _countersigned_entries(world, len(KILLS))
    results = _race(world, tmp_path)
    assert all(code == 0 and "another registry process is writing for" in err for code, _, err in results), results
    outs = sorted(out for _, out, _ in results)
    assert outs[0].startswith("anchored 2 entries of 2 logbooks under root 0x"), outs  # the new ones only
    assert outs[1] == "nothing to anchor: every countersigned entry is already anchored\n", outs
    _settled(world, tmp_path, len(KILLS) + 1)


def _settled(world: World, directory: Path, runs: int) -> None:
    """After `runs` runs of one entry per learner: nothing pending or left, every entry anchored once
    in a root anchored once, no status entry shared, each extract VALID by `registry logbook verify`."""
    assert [op.call.function for op in _pending(world.settings)] == [] and _days_left(world) == []
    assert _temporary_files(world) == []
    entries = [load_entry(p) for p in _entry_files(world)]
    assert len(entries) == 2 * runs and all(e.anchor is not None for e in entries)
    roots = {str(e.anchor["root"]) for e in entries if e.anchor is not None}
    anchored = _provider_roots(world, expect=len(roots))
    assert sorted(anchored) == sorted(roots), "a root anchored twice, or one that no entry holds"
    account = world.provider.identity.account.address
    assert all(_anchor_events(world.registry, account, bytes.fromhex(r[2:])) == 1 for r in roots)
    held = {(e.anchor["list"], e.anchor["index"]) for e in entries if e.anchor is not None}
    assert len(held) == len(entries), "a status entry is shared"
    extracts = []
    for book in world.books:
        extract = directory / f"{book.directory.name}-extract.json"
        extract.write_text(json.dumps(book.share(None, []).to_json()))
        extracts.append(extract)
    checks = [
        _start(world, ["logbook", "verify", str(e), "--json", "--trust-list", str(world.trust_list)], directory)
        for e in extracts
    ]
    for check in checks:
        code, out, _ = _finish(check)
        report = json.loads(out)
        assert code == 0 and report["verdict"] == "valid", out
        assert [e["verdict"] for e in report["entries"]] == ["valid"] * runs


def test_a_damaged_day_record_is_a_one_line_error_naming_it(world: World) -> None:
    """A day record that is not one (edited by hand, another tool's file) stops the provider's next
    anchor with one line naming it, before anything is allocated or sent."""
    folder = world.settings.state_dir / world.provider.identity.name / "logbook-days"
    folder.mkdir(parents=True, exist_ok=True)
    damaged = folder / "0-damaged.json"
    damaged.write_text(json.dumps({"format": "registry-logbook-day/1", "root": "0x12", "list": 0, "entries": []}))
    try:
        refused = pytest.raises(InputError, match=r"0-damaged.json is not a logbook day record .*: move it aside$")
        with refused, world.provider.issuer.writing():
            world.provider.finish_days()
    finally:
        damaged.unlink()


def test_enrol_authorise_and_revoke_killed_before_their_anchor_are_finished_by_the_same_command(
    world: World, tmp_path: Path
) -> None:
    """`logbook enrol`, `supervisor authorise` and `supervisor revoke --untrusted-from`, all at once,
    each SIGKILLed once its document is written (the logbook, the authorisation, the for-cause record)
    and before its anchor; then the same three commands again: each finishes its document (anchored
    once, the authorisation revoked once) and none signs another, so no anchor is one nobody holds."""
    registry, provider = world.registry, world.provider
    account = provider.identity.account.address
    programme = tmp_path / "programme.jwt"
    programme.write_text(world.books[0].programme_token + "\n")
    now = registry.signing_time()
    revoked = tmp_path / "revoked.jwt"
    revoked.write_text(provider.authorise(world.books[0].programme_token, new_natural_person("ex").did,
                                          "supervisor", now - 60 * DAY, now + 60 * DAY) + "\n")  # fmt: skip
    world.start = registry.client.block_number() + 1
    name = provider.identity.name
    book, out, record = tmp_path / "book", tmp_path / "assessor.jwt", tmp_path / "record.jwt"
    commands = [
        ["logbook", "enrol", new_natural_person("cleo").did, "--programme", str(programme), "--issuer", name,
         "--dir", str(book)],
        ["supervisor", "authorise", new_natural_person("ida").did, "--programme", str(programme), "--issuer", name,
         "--out", str(out), "--role", "assessor", "--valid-from", day(-1), "--valid-until", day(30)],
        ["supervisor", "revoke", str(revoked), "--issuer", name, "--untrusted-from", day(-2), "--record", str(record)],
    ]  # fmt: skip
    killed = [_start(world, c, tmp_path, crash_at="after-files") for c in commands]
    assert [_finish(p)[0] for p in killed] == [-signal.SIGKILL] * 3
    documents = [json.loads((book / "logbook.json").read_text())["enrolment"], out.read_text().strip(),
                 record.read_text().strip()]  # fmt: skip
    assert _provider_roots(world) == []  # each kept whole before its anchor, none anchored yet
    authorisation = json.loads(b64url_decode(revoked.read_text().split(".")[1]))["vc"]["credentialStatus"]
    reads = Reads(registry)
    assert reads.revocation(provider.identity.did, account, authorisation["list"], authorisation["index"]) is None

    again = [_finish(p) for p in [_start(world, c, tmp_path) for c in commands]]
    assert all(code == 0 for code, _, _ in again), again
    assert [out.count("anchored now") for _, out, _ in again[:2]] == [1, 1], again
    hashes = sorted("0x" + sha256_hex(d) for d in documents)
    assert sorted(_provider_roots(world, expect=3)) == hashes  # each once, and nothing else: no second document signed
    assert (
        Reads(registry).revocation(provider.identity.did, account, authorisation["list"], authorisation["index"])
        is not None
    )
    assert [op.call.function for op in _pending(world.settings)] == []


def test_an_entry_revoked_again_is_nothing_to_change(world: World, tmp_path: Path) -> None:
    """A second `logbook revoke` of an entry (the first stopped after its transaction, or ran at the
    same time and went first) changes nothing and sends nothing, instead of a refused transaction."""
    provider, learner, now = world.provider, new_natural_person("dora"), world.registry.signing_time()
    programme = world.books[0].programme_token
    book = Logbook.create(tmp_path / "book", programme, provider.enrol(programme, learner.did))
    fields = {"date": day(-1), "unit": "U1", "activity": "welds", "hours": 1, "workplace": "Yard 3"}
    entry = countersign(book.add(learner, fields, None, now), world.supervisor, world.authorisation, now)
    provider.anchor_day([entry], book.path_of)
    assert provider.revoke_entry(entry, reason=2) is None  # revoked now
    rows = _rows(world)
    assert (provider.revoke_entry(entry, reason=3) or "").startswith("already revoked by transaction 0x")
    assert _rows(world) == rows  # nothing journaled, nothing sent


def _rows(world: World) -> int:
    journal = Journal(world.settings.journal_file, read_only=True)
    try:
        return len(journal.all())
    finally:
        journal.close()


def test_two_completions_of_one_logbook_at_once_issue_one_qualification(world: World, tmp_path: Path) -> None:
    """Two `logbook complete` of one logbook at once: one issues the qualification, the other waits
    for the provider's writer lock and then finds the logbook complete (it issued a second one over
    the first's file: two anchored, one of them held by nobody)."""
    provider, registry, now = world.provider, world.registry, world.registry.signing_time()
    programme, learner, assessor = world.books[0].programme_token, new_natural_person("eve"), new_natural_person("al")
    signed_off = provider.authorise(programme, assessor.did, "assessor", now - 60 * DAY, now + 60 * DAY)
    book = Logbook.create(tmp_path / "book", programme, provider.enrol(programme, learner.did))
    entries = []
    for offset, unit, hours in ((0, "U1", 3), (0, "U1", 3), (0, "U2", 2)):  # her enrolment's day: they count
        fields = {"date": day(offset), "unit": unit, "activity": "welds", "hours": hours, "workplace": "Yard 3"}
        who, authorisation = (world.supervisor, world.authorisation) if unit == "U1" else (assessor, signed_off)
        entries.append(countersign(book.add(learner, fields, None, now), who, authorisation, now))
    provider.anchor_day(entries, book.path_of)
    world.start = registry.client.block_number() + 1
    with writer.exclusive(world.settings.journal_file, provider.identity.account.address, "the test"):
        started = [_start(world, ["logbook", "complete", str(book.directory), "--issuer", provider.identity.name],
                          tmp_path) for _ in range(2)]  # fmt: skip
        while not all("waiting up to" in _stderr(p) or p.poll() is not None for p in started):
            time.sleep(0.05)
    results = sorted(_finish(p) for p in started)
    assert [code for code, _, _ in results] == [0, 1], results
    assert results[0][1].startswith("qualification '") and " issued to " in results[0][1], results
    qualification = book.directory / "qualification.json"
    refused = results[1][2].splitlines()[-1]
    assert refused == f"error: the logbook is complete already: its qualification is {qualification}", results
    holder = load_holder_file(qualification.read_bytes(), str(qualification))
    assert _provider_roots(world, expect=1) == ["0x" + credential_hash(holder.credential).hex()]  # one, the one held


def test_an_entry_file_that_cannot_be_written_after_the_anchor_is_written_by_the_next_run(
    world: World, tmp_path: Path
) -> None:
    """The root confirmed, an entry file cannot be written (its directory is a file: a real OSError):
    one line naming the file, that the root is anchored and what to do; the day's record keeps the
    file, and the provider's next run writes it."""
    provider, learner, now = world.provider, new_natural_person("fay"), world.registry.signing_time()
    programme = world.books[0].programme_token
    book = Logbook.create(tmp_path / "book", programme, provider.enrol(programme, learner.did))
    fields = {"date": day(-1), "unit": "U1", "activity": "welds", "hours": 1, "workplace": "Yard 3"}
    entry = countersign(book.add(learner, fields, None, now), world.supervisor, world.authorisation, now)
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    with pytest.raises(StateError, match=r"^cannot write .*blocked/entry.json: .*; the day's root 0x[0-9a-f]{64} is "
                       r"anchored and .* keeps its entry files: run the same `registry logbook anchor`"):  # fmt: skip
        provider.anchor_day([entry], lambda f: blocked / "entry.json")
    assert len(_days_left(world)) == 1 and _on_chain(world, str(entry.anchor["root"]))
    blocked.unlink()
    with provider.issuer.writing():
        assert provider.finish_days() == {entry.id}  # completed now: no new anchor may take it
    assert load_entry(blocked / "entry.json").anchor == entry.anchor and _days_left(world) == []


def test_a_node_gone_at_the_broadcast_is_one_line_and_the_next_run_sends_the_day(world: World, tmp_path: Path) -> None:
    """The node hangs up on the day's broadcast (a real closed socket, tests/conftest.py's HangUpProxy):
    the error says the root is kept and to run the command again; no entry file names it; the next
    run (here `registry journal reconcile --issuer`'s work: the journal's rows, then the days) sends it and
    writes the entry."""
    provider, learner, now = world.provider, new_natural_person("gil"), world.registry.signing_time()
    programme = world.books[0].programme_token
    book = Logbook.create(tmp_path / "book", programme, provider.enrol(programme, learner.did))
    fields = {"date": day(-1), "unit": "U1", "activity": "welds", "hours": 1, "workplace": "Yard 3"}
    entry = countersign(book.add(learner, fields, None, now), world.supervisor, world.authorisation, now)
    book.save(entry)
    proxy = HangUpProxy(world.settings.rpc_url, lambda body: b"eth_sendRawTransaction" in body)
    try:
        cut = dataclasses.replace(world.settings, rpc_urls=(proxy.url,))
        silent = Provider(Registry.connect(cut), provider.identity, cut)
        with pytest.raises(ChainUnavailable, match=r"; the day's root is kept in the journal: run the same "
                           r"`registry logbook anchor` \(or `logbook sync`, or `registry journal reconcile "
                           r"--issuer NAME`\) again"):  # fmt: skip
            silent.anchor_day([load_entry(book.path_of(entry))], book.path_of)
        assert proxy.hung_up >= 1
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert load_entry(book.path_of(entry)).anchor is None and len(_days_left(world)) == 1
    done = reconcile(Registry.connect(world.settings), provider.identity, world.settings)  # `journal reconcile`
    assert done[-1] == "logbook: 1 day(s) a stopped run left finished or dropped", done
    anchor = load_entry(book.path_of(entry)).anchor
    assert anchor is not None and _on_chain(world, anchor["root"]) and _days_left(world) == []
    assert [op.call.function for op in _pending(world.settings)] == []


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", range(5))
def test_anchor_killed_at_random_moments_many_seeds(world: World, tmp_path: Path, seed: int) -> None:
    """`make fuzz`: `logbook anchor` SIGKILLed at a random moment of each of six runs (fixed seeds),
    each run adding a day's entries; then one run to the end, and the same invariants."""
    rng, programme = random.Random(seed), world.books[0].programme_token
    learners = [new_natural_person(f"r{seed}-{n}") for n in range(2)]
    books = [Logbook.create(tmp_path / p.name, programme, world.provider.enrol(programme, p.did)) for p in learners]
    mine = dataclasses.replace(world, learners=learners, books=books, start=world.registry.client.block_number() + 1)
    trials = 6
    for run in range(trials):
        _countersigned_entries(mine, run)
        process = _start(mine, _anchor(mine), tmp_path)
        time.sleep(rng.uniform(0.2, 2.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        _finish(process)
        _nothing_half_written(mine)
    _countersigned_entries(mine, trials)
    assert _finish(_start(mine, _anchor(mine), tmp_path))[0] == 0
    _settled(mine, tmp_path, trials + 1)


# A provider's process anchoring a logbook's countersigned entries through the service (the test's
# own: no command sends a day through the relay yet).
RELAYED = """
import os, sys
from pathlib import Path
from registry.config import Settings
from registry.keystore import KeyStore
from registry.ops.logbook import Logbook, Provider, verify_extract
from registry.ops.logbook.relay import anchor_day_through
from registry.ops.registry import Registry
from registry.service.client import ServiceClient

home, rpc, deployment, name, service, directory = sys.argv[1:]
settings = Settings(home=Path(home), rpc_urls=(rpc,), deployment_path=Path(deployment))
identity = KeyStore(settings.keys_dir).load(name, os.environ["PASSPHRASE"])
provider = Provider(Registry.connect(settings), identity, settings)
book = Logbook(Path(directory))
with provider.issuer.writing():  # as `logbook anchor`: what a killed run left first, then the entries
    held = provider.finish_days()
    files = [f for f in book.entries() if f.countersignature is not None and f.anchor is None and f.id not in held]
    anchor_day_through(provider, files, ServiceClient(service), book.path_of)
"""


def test_a_day_anchored_through_the_service_and_killed_is_finished_by_the_next_run(
    world: World, service: str, tmp_path: Path
) -> None:
    """`anchor_day_through` (the service builds and relays the transaction) goes through the provider's
    journal: a process SIGKILLed once the service relayed the day (on-chain, not yet recorded), then
    one killed before it asked the service, each finished by the next run; every entry anchored once,
    in a root anchored once, the extract VALID."""
    provider, learner, now = world.provider, new_natural_person("hal"), world.registry.signing_time()
    programme = world.books[0].programme_token
    book = Logbook.create(tmp_path / "book", programme, provider.enrol(programme, learner.did))
    world.start = world.registry.client.block_number() + 1
    roots = []
    for run, step in enumerate(("after-send", "before-send")):
        fields = {"date": day(-1), "unit": "U1", "activity": f"relayed {run}", "hours": 1, "workplace": "Yard 3"}
        book.save(countersign(book.add(learner, fields, None, now), world.supervisor, world.authorisation, now))
        argv = [sys.executable, "-c", RELAYED, str(world.settings.home), world.settings.rpc_url,
                str(world.settings.deployment_file), provider.identity.name, service, str(book.directory)]  # fmt: skip
        env = {**os.environ, "PASSPHRASE": PASSPHRASE, "REGISTRY_CRASH_AT": step}
        killed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        (row,) = _pending(world.settings)  # the day's row: its bytes relayed and on-chain, or never sent
        assert row.call.function == "anchorCohort" and row.state == ("sent" if step == "after-send" else "intended")
        roots.append("0x" + bytes(row.call.args[0]).hex())
        assert _on_chain(world, roots[-1]) == (step == "after-send") and len(_days_left(world)) == 1
        assert all(e.anchor is None or e.anchor["root"] in roots[:-1] for e in book.entries())
    done = reconcile(Registry.connect(world.settings), provider.identity, world.settings)  # `journal reconcile`
    assert done[-1] == "logbook: 1 day(s) a stopped run left finished or dropped", done
    assert [op.call.function for op in _pending(world.settings)] == [] and _days_left(world) == []
    entries = book.entries()
    assert sorted(str(e.anchor["root"]) for e in entries if e.anchor is not None) == sorted(roots)
    account = provider.identity.account.address
    assert [_anchor_events(world.registry, account, bytes.fromhex(r[2:])) for r in roots] == [1, 1]
    assert verify_extract(world.registry, book.share(None, [])).verdict == "valid"
