"""Faults on the issuer's side of the registry: a real `registry` process SIGKILLed at every step of
`issue`, `issue --roster` and `revoke` (and at random moments), two and five processes of one
issuer writing at once, a full filesystem, a truncated or damaged journal, a read-only one, rows
of another deployment, and a live process's rows left to it.

After each fault the same invariants are checked, from the files on disk, the journal and the
chain (`assert_invariants`):
- every holder file on disk is anchored, or named by a pending journal row (`journal status`
  lists it); after `journal reconcile`, every one is anchored and nothing is pending;
- no status entry is held by two credentials;
- no write was sent twice (one `Anchored` event per value, one status change per revoked bit);
- no traceback, ever.

Kills are real SIGKILLs: at chosen steps through the REGISTRY_CRASH_AT hook, and at random delays
under a fixed seed. The full disk and the read-only journal are real too: small tmpfs mounts
(which need root; without it those tests are skipped, saying so).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from registry.chain import writer
from registry.chain.client import Call
from registry.chain.deployment import Deployment, deploy
from registry.chain.txmanager import Journal, deployment_key
from registry.config import Settings
from registry.errors import StateError
from registry.formats.credential import credential_hash, load_holder_file
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer, own_status_entry
from registry.ops.registry import Purpose, Registry
from registry.ops.statuslists import StatusLists
from registry.ops.verify import Verdict, Verifier
from tests.chain.test_faults import _accredited_issuer, anchored_events, own_chain, status_events_touching
from tests.conftest import PASSPHRASE, one_chain_second, welding_certificate
from tests.helpers.commands import registry_in_process

__all__ = ["own_chain"]  # a fixture, used below


def again(args: tuple[str, ...] | list[str]) -> list[str]:
    """These tests give one holder the same credential again and again on purpose (writers racing,
    killed and run again): `--again`, which `issue` asks for a credential it gave her before."""
    return ["--again"] if args[:1] in (("issue",), ["issue"]) else []


def registry_cmd(settings: Settings, *args: str, crash_at: str | None = None, env: dict[str, str] | None = None,
                 wait: bool = True) -> subprocess.Popen[str] | subprocess.CompletedProcess[str]:  # fmt: skip
    """A real `registry` process for this home (--rpc/--deployment added to chain commands)."""
    environment = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE, **(env or {})}
    environment.pop("REGISTRY_CRASH_AT", None)
    if crash_at:
        environment["REGISTRY_CRASH_AT"] = crash_at
    argv = [sys.executable, "-m", "registry", *_arguments(settings, args)]
    if not wait:
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    return subprocess.run(argv, capture_output=True, text=True, env=environment, timeout=180)


def _arguments(settings: Settings, args: tuple[str, ...]) -> list[str]:
    """`registry`'s arguments for `args` in this home (--rpc/--deployment added to chain commands)."""
    argv = ["--home", str(settings.home), *args, *again(args), "--deployment", str(settings.deployment_file)]
    return argv if args[:2] == ("journal", "status") else [*argv, "--rpc", settings.rpc_url]


def run_here(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """As `run`, in this process as `python -m registry` runs it (tests/helpers/commands.py): for the
    look and the reconcile after a killed process, a Python start less each. Never for what is
    killed, nor where the test process's own rows must be another process's (a live owner)."""
    environment = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    environment.pop("REGISTRY_CRASH_AT", None)
    result = registry_in_process(_arguments(settings, args), environment)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def run(settings: Settings, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = registry_cmd(settings, *args, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, subprocess.CompletedProcess)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def one_line_error(result: Any) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@dataclass
class World:
    settings: Settings
    registry: Registry
    issuer: Identity
    holders: list[str]


@pytest.fixture(scope="module")
def world(anvil, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> World:  # type: ignore[no-untyped-def]
    """One accredited issuer and its home for the whole module (each test writes in its own
    directory; the invariants are checked per directory, and nothing may stay pending)."""
    home = tmp_path_factory.mktemp("writer-faults")
    settings = Settings(home=home / "home", rpc_urls=(anvil.rpc_url,), deployment_path=deployment_file)
    issuer = _accredited_issuer(settings)
    holders = [new_natural_person(f"w{n}").did for n in range(3)]
    return World(settings, Registry.connect(settings), issuer, holders)


def _anchored(registry: Registry, account: str, value: bytes) -> bool:
    record = registry.client.call(
        Call(registry.credential_address, "CredentialRegistry", "anchorOf", (account, value))
    )[0]
    return int(record[1]) != 0


def _anchor_events(registry: Registry, account: str, value: bytes) -> int:
    """Anchored events for `value`; polled briefly, because under load anvil has been seen to
    answer eth_call with a new block's state a moment before eth_getLogs returns that block's logs
    (once in a loaded full run: anchorOf set, zero events; the same run alone passed). It is asked
    only of an anchored value, so the wait ends at the first event: 30 s costs a passing run nothing."""
    deadline = time.monotonic() + 30
    while True:
        count = anchored_events(registry, account, value)
        if count or time.monotonic() > deadline:
            return count
        time.sleep(0.1)


def _pending(settings: Settings) -> list:  # type: ignore[type-arg]
    journal = Journal(settings.journal_file, read_only=True)
    try:
        return [op for op in journal.all() if op.state in ("intended", "sent")]
    finally:
        journal.close()


def _disk_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".csv"))


def assert_invariants(world: World, root: Path, *, settled: bool) -> dict[tuple[int, int], str]:
    """The invariants of this module's docstring for the files under `root`; `settled`: after a
    reconcile (nothing may be pending, every file anchored, no staging or temporary file left).
    Returns the revocation entries held, by credential."""
    account = world.issuer.account.address
    pending = _pending(world.settings)
    if settled:
        assert [op for op in pending if op.sender == account] == [], [(o.call.function, o.error) for o in pending]
    named: set[str] = set()
    prefixes: list[str] = []
    for op in pending:
        if op.files:
            named |= set(op.files.paths)
            prefixes += [op.files.staging + os.sep] if op.files.staging else []
            prefixes += [str(Path(p).parent / f".{Path(p).name}.") for p in op.files.paths]
    held: dict[tuple[int, int], str] = {}
    for path in _disk_files(root):
        if path.is_relative_to(world.settings.home):
            continue  # the registry's own state, not holder files
        is_named = str(path) in named or any(str(path).startswith(p) for p in prefixes)
        try:
            holder = load_holder_file(path.read_bytes(), str(path))
        except Exception:
            assert not settled and is_named, f"{path}: a partial file nobody names"
            continue
        value = holder.cohort.root if holder.cohort else credential_hash(holder.credential)
        if _anchored(world.registry, account, value):
            events = _anchor_events(world.registry, account, value)
            assert events == 1, f"{path}: {events} Anchored events for one anchor"
        else:
            assert not settled and is_named, f"{path}: neither anchored nor named as pending"
        if settled:
            assert not path.name.startswith(".") and ".partial-" not in str(path), f"{path} left behind"
        entry = own_status_entry(holder.credential, world.issuer.did, account, Purpose.REVOCATION)
        assert held.setdefault(entry, holder.credential) == holder.credential, f"{path}: status entry {entry} shared"
    return held


def reconcile(world: World, here: bool = False) -> subprocess.CompletedProcess[str]:
    """`journal reconcile` as a real process, or with `here` in this process (`run_here`)."""
    result = (run_here if here else run)(world.settings, "journal", "reconcile", "--issuer", world.issuer.name)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _cohort_roster(world: World, directory: Path, size: int, tag: str) -> Path:
    roster = directory / f"roster-{tag}.csv"
    roster.write_text("holder,name\n" + "".join(f"{world.holders[n % 3]},Course {tag} {n}\n" for n in range(size)))
    return roster


# -- a kill at every step ----------------------------------------------------------------------

ISSUE_STEPS = ("after-allocation", "after-row", "after-files", "before-send", "after-send", "after-receipt")
COHORT_STEPS = ("after-allocation", "after-row", "during-files", "after-files", "before-send", "after-send",
                "after-receipt")  # fmt: skip
REVOKE_STEPS = ("before-send", "after-send", "between-batch", "before-publication", "after-receipt")
# The steps this module adds run in the default run; the per-transaction ones (before-send,
# after-send, after-receipt: also in test_faults.py's default run) and the rest under `make fuzz`.
DEFAULT_STEPS = {("issue", "after-row"), ("issue", "after-files"), ("cohort", "during-files"),
                 ("cohort", "after-files"), ("revoke", "between-batch"), ("revoke", "before-publication")}  # fmt: skip
CASES = [
    pytest.param(operation, step, marks=() if (operation, step) in DEFAULT_STEPS else pytest.mark.fuzz)
    for operation, steps in (("issue", ISSUE_STEPS), ("cohort", COHORT_STEPS), ("revoke", REVOKE_STEPS))
    for step in steps
]


def _start(world: World, operation: str, directory: Path, tag: str, **kwargs: object):  # type: ignore[no-untyped-def]
    name = world.issuer.name
    if operation == "issue":
        return registry_cmd(world.settings, "issue", "--issuer", name, "--holder", world.holders[0], "--name",
                            "Welding", "--out", str(directory / f"{tag}.json"), **kwargs)  # type: ignore[arg-type]  # fmt: skip
    if operation == "cohort":
        roster = _cohort_roster(world, directory, 5, tag)
        return registry_cmd(world.settings, "issue", "--issuer", name, "--roster", str(roster), "--out-dir",
                            str(directory / f"cohort-{tag}"), **kwargs)  # type: ignore[arg-type]  # fmt: skip
    # A revocation list with two reasons over two credentials: two transactions and a publication.
    issuer = Issuer(world.registry, world.issuer, world.settings)
    rows = []
    for n, reason in enumerate((1, 2)):
        path = directory / f"{tag}-to-revoke-{n}.json"
        path.write_text(issuer.issue_single(world.holders[n], welding_certificate()).holder_file.dumps())
        rows.append(f"{path.name},{reason}")
    csv = directory / f"{tag}-revocations.csv"
    csv.write_text("file,reason\n" + "\n".join(rows) + "\n")
    return registry_cmd(world.settings, "revoke", str(csv), "--issuer", name, **kwargs)  # type: ignore[arg-type]


def _revocations_done(world: World, directory: Path, tag: str) -> None:
    """Each credential of the list revoked once, with the reason its CSV row gave; the list's
    publication current."""
    account = world.issuer.account.address
    verifier = Verifier(world.registry)
    for n, reason in enumerate((1, 2)):
        holder = load_holder_file((directory / f"{tag}-to-revoke-{n}.json").read_bytes())
        number, index = own_status_entry(holder.credential, world.issuer.did, account, Purpose.REVOCATION)
        assert status_events_touching(world.registry, account, Purpose.REVOCATION, number, index) == 1
        status = verifier.verify("c", holder.credential).check("revocation status")
        assert status is not None and status.evidence["reasonCode"] == reason
        publication = StatusLists(world.registry, "http://x").published(account, Purpose.REVOCATION, number)
        assert publication is not None and publication.current


@pytest.mark.parametrize(("operation", "step"), CASES)
def test_killed_at_every_step_leaves_nothing_or_what_journal_status_names(
    world: World, tmp_path: Path, operation: str, step: str
) -> None:
    killed = _start(world, operation, tmp_path, step, crash_at=step)
    assert isinstance(killed, subprocess.CompletedProcess)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    # Right after the kill: every file on disk is anchored or named by a pending row, and
    # `journal status` (a read-only look) lists every pending row.
    assert_invariants(world, tmp_path, settled=False)
    status = run_here(world.settings, "journal", "status")
    assert status.returncode == 0, status.stderr
    for op in _pending(world.settings):
        assert op.id[:8] in status.stdout
    reconcile(world, here=True)
    held = assert_invariants(world, tmp_path, settled=True)
    if operation == "revoke":
        _revocations_done(world, tmp_path, step)
    elif step in ("after-allocation", "after-row", "during-files"):
        assert held == {}  # nothing was completely written: nothing anchored, nothing left
    else:
        assert len(held) == (1 if operation == "issue" else 5)  # the files, all anchored


# -- a kill at a random moment -------------------------------------------------------------------


def _random_kills(world: World, root: Path, seed: int, trials: int) -> None:
    rng = random.Random(seed)
    for trial in range(trials):
        directory = root / f"t{trial}"
        directory.mkdir()
        operation = rng.choice(["issue", "cohort", "revoke"])
        process = _start(world, operation, directory, f"r{trial}", wait=False)
        assert isinstance(process, subprocess.Popen)
        time.sleep(rng.uniform(0.2, 3.0))
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr
        assert_invariants(world, directory, settled=False)
        reconcile(world, here=True)
        assert_invariants(world, directory, settled=True)
        if operation == "revoke" and process.returncode == 0:
            _revocations_done(world, directory, f"r{trial}")


def test_sigkill_at_random_moments_loses_and_doubles_nothing(world: World, tmp_path: Path) -> None:
    _random_kills(world, tmp_path, seed=18, trials=3)


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", range(10))
def test_sigkill_at_random_moments_many_seeds(world: World, tmp_path: Path, seed: int) -> None:
    _random_kills(world, tmp_path, seed=seed, trials=6)


# -- several processes of one issuer at once -----------------------------------------------------


def together(world: World, directory: Path, commands: list[list[str]]) -> list[tuple[str, str]]:
    """Run `commands` as real `registry` processes of the world's issuer, all at once: the test
    holds the issuer's writer lock until every one of them is waiting for it, then lets them race.
    Each must succeed without a traceback; returns their (stdout, stderr)."""
    environment = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    environment.pop("REGISTRY_CRASH_AT", None)
    started = []
    with writer.exclusive(world.settings.journal_file, world.issuer.account.address, "the test"):
        for n, args in enumerate(commands):
            argv = [sys.executable, "-m", "registry", "--home", str(world.settings.home), *args, *again(args), "--rpc",
                    world.settings.rpc_url, "--deployment", str(world.settings.deployment_file)]  # fmt: skip
            out, err = directory / f".{n}.stdout", directory / f".{n}.stderr"
            with open(out, "w") as o, open(err, "w") as e:
                started.append((subprocess.Popen(argv, stdout=o, stderr=e, env=environment), out, err))
        deadline = time.monotonic() + 120
        while not all("waiting up to" in e.read_text() or p.poll() is not None for p, _, e in started):
            assert time.monotonic() < deadline, "the writers never reached the lock"
            time.sleep(0.1)
    results = []
    for process, out, err in started:
        process.wait(timeout=180)
        stdout, stderr = out.read_text(), err.read_text()
        out.unlink()
        err.unlink()
        assert process.returncode == 0 and "Traceback" not in stderr, stdout + stderr
        assert "another registry process is writing for" in stderr  # it did wait
        results.append((stdout, stderr))
    return results


@pytest.mark.parametrize("writers", [2, 5])
def test_concurrent_writers_of_one_issuer_share_no_status_entry(world: World, tmp_path: Path, writers: int) -> None:
    commands = []
    for n in range(writers):
        if n % 2 == 0:
            roster = _cohort_roster(world, tmp_path, 30, f"c{n}")
            commands.append(["issue", "--issuer", world.issuer.name, "--roster", str(roster), "--out-dir",
                             str(tmp_path / f"cohort-{n}")])  # fmt: skip
        else:
            commands.append(["issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name",
                             "Welding", "--out", str(tmp_path / f"single-{n}.json")])  # fmt: skip
    together(world, tmp_path, commands)
    held = assert_invariants(world, tmp_path, settled=True)
    assert len(held) == sum(30 if n % 2 == 0 else 1 for n in range(writers))


def test_two_concurrent_revocations_of_one_credential_record_one_reason(world: World, tmp_path: Path) -> None:
    issuer = Issuer(world.registry, world.issuer, world.settings)
    path = tmp_path / "one.json"
    path.write_text(issuer.issue_single(world.holders[0], welding_certificate()).holder_file.dumps())
    commands = [["revoke", str(path), "--issuer", world.issuer.name, "--reason", reason] for reason in ("1", "4")]
    outputs = [stdout for stdout, _ in together(world, tmp_path, commands)]
    told = [o for o in outputs if "revoked 1 credential" in o]
    assert len(told) == 1 and sum("already revoked" in o for o in outputs) == 1, outputs
    reason = 1 if "issued in error" in told[0] else 4
    token = load_holder_file(path.read_bytes()).credential
    status = Verifier(world.registry).verify("c", token).check("revocation status")
    assert status is not None and status.evidence["reasonCode"] == reason  # what its user was told
    number, index = own_status_entry(token, world.issuer.did, world.issuer.account.address, Purpose.REVOCATION)
    assert status_events_touching(world.registry, world.issuer.account.address, Purpose.REVOCATION, number, index) == 1


def test_a_writer_that_waits_too_long_is_refused_in_one_line(world: World, tmp_path: Path) -> None:
    out = tmp_path / "late.json"
    with writer.exclusive(world.settings.journal_file, world.issuer.account.address, "the test"):
        late = run(world.settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name",
                   "W", "--out", str(out), env={"REGISTRY_LOCK_TIMEOUT": "1"})  # fmt: skip
    assert late.returncode == 1
    assert f"another registry process is writing for {world.issuer.name} (pid {os.getpid()}); waiting up to 1 s" in (
        late.stderr
    )
    assert "still writing" in one_line_error(late) and "nothing was done" in late.stderr
    assert not out.exists()


# -- ownership and deployments -------------------------------------------------------------------


def test_reconcile_leaves_a_live_processes_row_and_takes_over_a_dead_ones(world: World) -> None:
    registry = world.registry
    value = os.urandom(32)
    call = Call(registry.credential_address, "CredentialRegistry", "anchor", (value,))
    key = deployment_key(
        registry.deployment.chain_id, registry.deployment.deployment_block_hash, registry.credential_address
    )
    journal = Journal(world.settings.journal_file)
    (op_id,) = journal.add_batch(world.issuer.account.address, [(call, None)], deployment=key)  # owned by pytest
    left = reconcile(world)
    assert f"process {os.getpid()} is still driving it; left to it" in left.stdout
    assert not _anchored(registry, world.issuer.account.address, value)
    dead = subprocess.Popen(["true"])  # a process that has ended: its pid owns nothing
    dead.wait()
    journal.update(op_id, owner_pid=dead.pid, owner_start="1")
    taken = reconcile(world)
    assert "sent now (its process journaled it, then stopped before sending it)" in taken.stdout
    assert anchored_events(registry, world.issuer.account.address, value) == 1
    journal.close()


def test_rows_of_another_deployment_are_never_sent(own_chain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from eth_account import Account

    from registry.chain.client import ChainClient
    from registry.chain.node import ANVIL_DEV_KEY

    node, settings = own_chain
    ti = _accredited_issuer(settings)
    out = tmp_path / "old-chain.json"
    holder = new_natural_person("w").did
    # A first credential publishes the issuer's first status lists (issue #13), so the killed run's
    # first send is its anchor.
    first = run(
        settings, "issue", "--issuer", ti.name, "--holder", holder, "--name", "W", "--out", str(tmp_path / "a.json")
    )
    assert first.returncode == 0, first.stderr
    killed = registry_cmd(settings, "issue", "--issuer", ti.name, "--holder", holder, "--name", "W", "--out",
                          str(out), crash_at="before-send")  # fmt: skip
    assert isinstance(killed, subprocess.CompletedProcess) and killed.returncode == -signal.SIGKILL
    value = credential_hash(load_holder_file(out.read_bytes()).credential)
    # The chain is reset and the contracts deployed again: same deployer, same addresses.
    old = Deployment.load(settings.deployment_file)
    node.kill()
    node.state_file.unlink(missing_ok=True)
    node.start()
    client = ChainClient(node.rpc_url)
    new = deploy(client, Account.from_key(ANVIL_DEV_KEY))
    new.save(settings.deployment_file)
    assert new.address("CredentialRegistry") == old.address("CredentialRegistry")
    assert new.deployment_block_hash != old.deployment_block_hash
    client.request("anvil_setBalance", [ti.account.address, hex(10**20)])
    result = run(settings, "journal", "reconcile", "--issuer", ti.name)
    assert result.returncode == 0 and "another deployment; not sent here" in result.stdout, result.stdout
    registry = Registry.connect(settings)
    assert not _anchored(registry, ti.account.address, value)
    assert int(client.request("eth_getTransactionCount", [ti.account.address, "latest"]), 16) == 0  # nothing sent
    status = run(settings, "journal", "status")
    assert "another deployment" in status.stdout


# -- the environment: full disk, damaged or read-only journal ---------------------------------------


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real small filesystem, mounted for the test (needs root: skipped otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; run as root to test a full disk and a read-only journal")
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()[:80]})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(directory: Path) -> Path:
    """Fill the filesystem of `directory` to the last byte."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * chunk)
    finally:
        os.close(fd)
    return filler


def _home_on(world: World, mount: Path) -> Settings:
    """A home on `mount` holding a copy of the world issuer's key."""
    settings = Settings(home=mount / "home", rpc_urls=world.settings.rpc_urls,
                        deployment_path=world.settings.deployment_file)  # fmt: skip
    KeyStore(settings.keys_dir).save(world.issuer, PASSPHRASE)
    return settings


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(world: World, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "2m") as mount:
        settings = _home_on(world, mount)
        first = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W",
                    "--out", str(tmp_path / "before.json"))  # fmt: skip
        assert first.returncode == 0, first.stderr
        # The holder file's disk is full (the journal's is not).
        with tmpfs(tmp_path / "out", "64k") as out_mount:
            _fill(out_mount)
            blocked = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name",
                          "W", "--out", str(out_mount / "x.json"))  # fmt: skip
            assert blocked.returncode == 74, blocked.stdout + blocked.stderr
            assert one_line_error(blocked) == (
                f"error: cannot write {out_mount}/x.json: No space left on device; nothing was anchored and no file "
                "was left; free some space, then run the command again"
            )
            roster = _cohort_roster(world, tmp_path, 3, "full")
            cohort = run(settings, "issue", "--issuer", world.issuer.name, "--roster", str(roster), "--out-dir",
                         str(out_mount / "cohort"))  # fmt: skip
            assert cohort.returncode == 74, cohort.stdout + cohort.stderr
            assert one_line_error(cohort) == (
                f"error: cannot write the holder files into {out_mount}/cohort: No space left on device; nothing was "
                "anchored and no file was left; free some space, then run the command again"
            )
            assert [p.name for p in out_mount.iterdir()] == ["filler"]
        # The journal's disk is full.
        filler = _fill(mount)
        full = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W",
                   "--out", str(tmp_path / "y.json"))  # fmt: skip
        assert full.returncode == 74, full.stdout + full.stderr
        assert str(settings.journal_file) in one_line_error(full)
        assert not (tmp_path / "y.json").exists()
        filler.unlink()
        after = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W",
                    "--out", str(tmp_path / "z.json"))  # fmt: skip
        assert after.returncode == 0, after.stderr
        ops = Journal(settings.journal_file, read_only=True).all()
        assert [op for op in ops if op.state in ("intended", "sent")] == []
        assert all("abandoned" in (op.error or "") for op in ops if op.state == "failed")
        shadow = World(settings, world.registry, world.issuer, world.holders)
        assert_invariants(shadow, tmp_path, settled=True)


def test_a_full_disk_under_the_issuers_records_says_what_was_issued_and_leaves_no_half_line(
    world: World, tmp_path: Path
) -> None:
    """The records (`<home>/issued/NAME.jsonl`) on a disk that fills while a cohort's lines are appended
    (its own real tmpfs; the journal's disk has room). Found by hand: `os.write` wrote what fitted and the
    rest was dropped unsaid, so the records ended in half a line, the command said it issued (exit 0), and
    every later `issued` or `issue` was refused ("line 2 is damaged"; `issue` then said "cannot write the
    output" of a cohort it had anchored). Now: one line naming the file, what was issued and what to do
    (exit 74), the records exactly as before, and `issued` recovers the lines from the journal once there
    is room. Forced the old failure: on the old ops/issued.py the first assertion failed (exit 0)."""
    settings = Settings(home=tmp_path / "home", rpc_urls=world.settings.rpc_urls,
                        deployment_path=world.settings.deployment_file)  # fmt: skip
    KeyStore(settings.keys_dir).save(world.issuer, PASSPHRASE)
    first = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W",
                "--out", str(tmp_path / "first.json"))  # fmt: skip
    assert first.returncode == 0, first.stderr
    records = settings.home / "issued" / f"{world.issuer.name}.jsonl"
    before = records.read_bytes()  # one line, in the first of the tmpfs's 4 KiB pages
    with tmpfs(records.parent, "64k") as mount:
        records.write_bytes(before)
        filler = _fill(mount)
        roster = _cohort_roster(world, tmp_path, 10, "records")  # ten lines: past the page's end
        cohort = run(settings, "issue", "--issuer", world.issuer.name, "--roster", str(roster), "--out-dir",
                     str(tmp_path / "cohort"))  # fmt: skip
        assert cohort.returncode == 74, cohort.stdout + cohort.stderr
        line = one_line_error(cohort)
        assert line.startswith(f"error: cannot write {records}: No space left on device; 10 credential(s) were issued")
        assert f"`registry issued --issuer {world.issuer.name}`, which recovers it from the journal" in line, line
        assert records.read_bytes() == before  # no half line
        assert len(list((tmp_path / "cohort").iterdir())) == 10
        filler.unlink()
        listed = run(settings, "issued", "--issuer", world.issuer.name)
        assert listed.returncode == 0, listed.stderr
        assert "10 credentials recovered from the journal" in listed.stderr
        lines = records.read_text().splitlines()
        assert len(lines) == 11 and all(json.loads(text)["event"] == "issued" for text in lines)


def test_a_torn_last_record_is_no_record_and_the_next_line_starts_whole(tmp_path: Path) -> None:
    """A records file an older version left ending in half a line (a full disk): `issued` used to refuse it
    for good, and the next append was glued to the half line, damaging both. The half line is no record;
    the next append starts after the last whole line. (A whole last record without its line end keeps it.)"""
    from registry.ops.issued import _append, read_records

    records = tmp_path / "issued" / "centre.jsonl"
    whole = {"event": "issued", "hash": "0x01", "time": 1, "status": {}}
    _append(records, [whole], "done", "then")
    with records.open("ab") as handle:
        handle.write(b'{"event": "issued", "hash": "0x02", "ti')  # what the disk took of a line
    assert [r.hash for r in read_records(tmp_path, "centre")] == ["0x01"]
    _append(records, [{**whole, "hash": "0x03"}], "done", "then")
    assert [r.hash for r in read_records(tmp_path, "centre")] == ["0x01", "0x03"]
    records.write_bytes(records.read_bytes().rstrip(b"\n"))  # a whole last record, its line end lost
    _append(records, [{**whole, "hash": "0x04"}], "done", "then")
    assert [r.hash for r in read_records(tmp_path, "centre")] == ["0x01", "0x03", "0x04"]


def test_a_read_only_journal_is_listed_and_writes_are_refused_in_one_line(world: World, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "4m") as mount:
        settings = _home_on(world, mount)
        out = tmp_path / "pending.json"
        killed = registry_cmd(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0],
                              "--name", "W", "--out", str(out), crash_at="before-send")  # fmt: skip
        assert isinstance(killed, subprocess.CompletedProcess) and killed.returncode == -signal.SIGKILL
        (pending,) = _pending(settings)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        status = run(settings, "journal", "status")
        assert status.returncode == 0, status.stderr
        assert pending.id[:8] in status.stdout and str(out) in status.stdout.replace("\n", "")
        refused = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W",
                      "--out", str(tmp_path / "no.json"))  # fmt: skip
        assert refused.returncode == 74 and "read-only" in one_line_error(refused)
        assert not (tmp_path / "no.json").exists()
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        done = run(settings, "journal", "reconcile", "--issuer", world.issuer.name)
        assert done.returncode == 0 and "sent now" in done.stdout, done.stdout + done.stderr
        shadow = World(settings, world.registry, world.issuer, world.holders)
        assert_invariants(shadow, tmp_path, settled=True)


@pytest.mark.parametrize("damage", ["empty", "half", "garbage"])
def test_a_damaged_journal_is_never_read_as_empty(world: World, tmp_path: Path, damage: str) -> None:
    settings = Settings(home=tmp_path / "home", rpc_urls=world.settings.rpc_urls,
                        deployment_path=world.settings.deployment_file)  # fmt: skip
    KeyStore(settings.keys_dir).save(world.issuer, PASSPHRASE)
    for n in range(2):
        made = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W",
                   "--out", str(tmp_path / f"{n}.json"))  # fmt: skip
        assert made.returncode == 0, made.stderr
    data = settings.journal_file.read_bytes()
    if damage == "empty":
        damaged = b""
    elif damage == "half":
        damaged = data[: len(data) // 2]
    else:
        damaged = data[:4096] + os.urandom(len(data) - 8192) + data[-4096:]
    settings.journal_file.write_bytes(damaged)
    for args in (("journal", "status"), ("journal", "reconcile", "--issuer", world.issuer.name),
                 ("issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W", "--out",
                  str(tmp_path / "after.json"))):  # fmt: skip
        result = run(settings, *args)
        assert result.returncode == 74, (args, result.stdout, result.stderr)
        line = one_line_error(result)
        assert str(settings.journal_file) in line and ("damaged" in line or "empty" in line), line
    assert not (tmp_path / "after.json").exists()
    assert settings.journal_file.read_bytes() == damaged  # nothing was written over it


# -- the status allocation ---------------------------------------------------------------------------


def test_the_old_allocation_file_is_imported_once_with_its_used_entries(issuer: Issuer, holder: Identity) -> None:
    state = issuer.settings.state_dir / issuer.identity.name
    state.mkdir(parents=True)
    used = [i for i in range(16 * 224) if i != 1234]
    (state / "status-allocation.json").write_text(
        json.dumps({"list": 1, "nextWord": 16, "pool": {"list": 1, "start": 0, "used": used}})
    )
    issued = issuer.issue_single(holder.did, welding_certificate())
    assert (issued.list_number, issued.index) == (1, 1234)  # the one entry the file said was free
    assert not (state / "status-allocation.json").exists()
    assert (state / "status-allocation.json.imported").exists()
    again = issuer.issue_single(holder.did, welding_certificate())
    assert again.index >= 16 * 224  # the pool was full: new words after the file's
    with pytest.raises(StateError, match="constraint failed"), issuer.tx.journal.write() as db:
        db.execute("INSERT INTO status_entries VALUES (?, 1, 1234, 'again', 0)", (issuer.identity.account.address,))


def test_a_damaged_allocation_file_is_a_one_line_error(issuer: Issuer, holder: Identity, tmp_path: Path) -> None:
    state = issuer.settings.state_dir / issuer.identity.name
    state.mkdir(parents=True)
    (state / "status-allocation.json").write_text('{"list": 1, "nextWo')
    out = tmp_path / "x.json"
    result = run(issuer.settings, "issue", "--issuer", issuer.identity.name, "--holder", holder.did, "--name", "W",
                 "--out", str(out))  # fmt: skip
    assert result.returncode == 74
    assert "status allocation file" in one_line_error(result) and str(state / "status-allocation.json") in result.stderr
    assert not out.exists()


def test_a_lost_journal_never_hands_out_an_entry_again(issuer: Issuer, holder: Identity, settings: Settings) -> None:
    first = issuer.issue_single(holder.did, welding_certificate())
    issuer.tx.journal.close()
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(settings.journal_file) + suffix).unlink()
    fresh = Issuer(Registry.connect(settings), issuer.identity, settings)
    second = fresh.issue_single(holder.did, welding_certificate())
    assert second.list_number == first.list_number + 1  # a list nobody has used


def test_a_journal_of_an_earlier_version_is_listed_upgraded_and_its_rows_never_sent_blindly(
    world: World, tmp_path: Path
) -> None:
    """A journal written before rows recorded their deployment: `journal status` lists its pending
    row (read-only, as it is), the next write upgrades it in place, and its row is never sent into
    whatever deployment is current (it may be another chain at the same addresses)."""
    import sqlite3

    settings = Settings(home=tmp_path / "home", rpc_urls=world.settings.rpc_urls,
                        deployment_path=world.settings.deployment_file)  # fmt: skip
    KeyStore(settings.keys_dir).save(world.issuer, PASSPHRASE)
    settings.home.mkdir(exist_ok=True)
    value = os.urandom(32)
    old = sqlite3.connect(settings.journal_file)
    old.executescript(
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE operations (id TEXT PRIMARY KEY, sender TEXT NOT NULL, contract TEXT NOT NULL,"
        " address TEXT NOT NULL, function TEXT NOT NULL, args TEXT NOT NULL, state TEXT NOT NULL CHECK"
        " (state IN ('intended', 'sent', 'confirmed', 'failed')), nonce INTEGER, tx_hash TEXT, raw_tx TEXT,"
        " block INTEGER, error TEXT, created REAL NOT NULL, updated REAL NOT NULL);"
    )
    old.execute(
        "INSERT INTO operations VALUES ('0ld0ld0l-row', ?, 'CredentialRegistry', ?, 'anchor', ?, 'intended',"
        " NULL, NULL, NULL, NULL, NULL, 1, 1)",
        (world.issuer.account.address, world.registry.credential_address, json.dumps([{"$bytes": value.hex()}])),
    )
    old.commit()
    old.close()
    status = run(settings, "journal", "status")
    assert status.returncode == 0 and "0ld0ld0l" in status.stdout and "older journal" in status.stdout
    result = run(settings, "journal", "reconcile", "--issuer", world.issuer.name)
    assert result.returncode == 0 and "an unrecorded deployment (an older journal); not sent here" in result.stdout
    assert not _anchored(world.registry, world.issuer.account.address, value)
    made = run(settings, "issue", "--issuer", world.issuer.name, "--holder", world.holders[0], "--name", "W",
               "--out", str(tmp_path / "new.json"))  # fmt: skip
    assert made.returncode == 0, made.stderr


# -- a signing key rotated while an issue waits, and a rotation stopped half-way -----------------


def _another_accredited_issuer(world: World, name: str) -> Identity:
    """A second TI of the module's TAO (rotating the module's own issuer would retire the key its
    other tests hold in memory)."""
    from registry.ops.trust import IssuerType, Trust
    from tests.conftest import ONE_YEAR, WELDING_SCOPE

    store = KeyStore(world.settings.keys_dir)
    tao = store.load("tao", PASSPHRASE)
    ti = new_legal_entity(name)
    world.registry.client.request("anvil_setBalance", [ti.account.address, hex(10**20)])
    world.registry.register_did(ti)
    store.save(ti, PASSPHRASE)
    trust = Trust(world.registry, "http://registry.test")
    tao_attr = trust.attribute_ids(tao.did)[0]
    trust.accredit(tao, tao_attr, ti.did, IssuerType.TI, [WELDING_SCOPE], int(time.time()) + ONE_YEAR // 2)
    return ti


def test_a_key_rotated_while_an_issue_waits_and_a_rotation_stopped_half_way(world: World, tmp_path: Path) -> None:
    from registry.formats import keys as keyfmt
    from registry.ops.rotation import pending_path, rotate_signing_key

    store = KeyStore(world.settings.keys_dir)
    out = tmp_path / "signed-with-the-old-key.json"
    # An issue that checked its key, then waited for the lock while `did rotate-key` ended that key,
    # signed with it anyway: a credential INVALID from birth, exit 0. Now it checks again under the lock.
    # The key is added and ended in one chain second, its window empty (not_after == not_before): what a
    # fast machine did by chance, and the issue said "not a current assertion key" (CI failed on it).
    with one_chain_second(world.registry.client):
        ti = _another_accredited_issuer(world, "rotating")
        with writer.exclusive(world.settings.journal_file, ti.account.address, ti.name):
            waiting = registry_cmd(world.settings, "issue", "--issuer", ti.name, "--holder", world.holders[0],
                                   "--name", "W", "--out", str(out), wait=False)  # fmt: skip
            assert isinstance(waiting, subprocess.Popen) and waiting.stderr is not None
            assert "waiting up to" in waiting.stderr.readline()
            rotate_signing_key(world.registry, world.settings, store, ti, PASSPHRASE)  # this process holds the lock
    ended = world.registry.resolve(ti.did).method_by_thumbprint(ti.kid.partition("#")[2])
    assert ended is not None and ended.not_before == ended.not_after
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 1 and "Traceback" not in err
    assert "signing key ended at" in err and "nothing was signed; run the command again" in err
    assert not out.exists()
    # A rotation SIGKILLed after the chain ended the old key, before the identity file was rewritten:
    # the new key was lost with it, and rotating again was refused ("the validity window ... is not
    # acceptable"). Now the key is written first and the same command finishes the rotation.
    killed = run(world.settings, "did", "rotate-key", ti.name, crash_at="before-key-saved")
    assert killed.returncode == -signal.SIGKILL and pending_path(store, ti.name).exists()
    before = len(world.registry.resolve(ti.did).methods)
    finished = run(world.settings, "did", "rotate-key", ti.name)  # the same command again: said by its name
    assert finished.returncode == 0 and finished.stdout.startswith(
        f"{ti.name} ({ti.did}): the rotation a stopped run began is finished\n{ti.name} ({ti.did}): new signing key "
    ) and "credentials signed with it before stay valid" in finished.stdout, finished.stdout  # fmt: skip
    assert len(world.registry.resolve(ti.did).methods) == before  # nothing added twice
    rotated = store.load(ti.name, PASSPHRASE)
    assert not pending_path(store, ti.name).exists()
    # What an earlier version's stopped rotation left (the old key ended, no new key kept) rotates again.
    world.registry.rotate_signing_key(rotated, keyfmt.generate(keyfmt.KeyType.P256))
    again_ = rotate_signing_key(world.registry, world.settings, store, rotated, PASSPHRASE)
    issuer = Issuer(world.registry, store.load(ti.name, PASSPHRASE), world.settings)
    assert issuer.identity.kid == again_.identity.kid
    issued = issuer.issue_single(world.holders[1], welding_certificate())
    report = Verifier(world.registry).verify("c", issued.holder_file.credential)
    assert report.verdict is Verdict.VALID, report.summary


def test_a_did_registration_stopped_between_its_two_transactions_is_finished_by_the_next_run(
    registry: Registry,
) -> None:
    """`did register` sends the registration, then the signing key. Stopped between the two (killed,
    the node gone), it left a DID without its signing key, and running it again was refused for
    good ("this DID is already registered: nothing to do"): every credential signed then, INVALID."""
    from registry.formats import keys as keyfmt
    from registry.ops.didregistration import register
    from tests.conftest import fund

    identity = new_legal_entity("halfway")
    fund(registry, identity)
    _, x, y = keyfmt.to_coordinates(identity.controller_jwk)
    registry.client.transact(identity.account, registry.dids.register(identity.did, x, y))  # stopped here
    signing = keyfmt.thumbprint(identity.signing_jwk)
    assert registry.resolve(identity.did).method_by_thumbprint(signing) is None
    assert register(registry, identity) is not None  # the signing key only: the registration stands
    state = registry.resolve(identity.did)
    assert state.method_by_thumbprint(signing) is not None and len(state.controllers()) == 1
    assert register(registry, identity) is None  # nothing left to send: `did register` says "unchanged"
