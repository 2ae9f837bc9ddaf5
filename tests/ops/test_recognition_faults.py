"""Operator faults on issue #17's writes, with real `registry` processes (tests/ops/test_writer_faults.py's
helpers): a SIGKILL in the middle of each write (`rpl issue` between its holder file and the evidence
manifest the same journal row names, `recognition publish` right after sending), then the same
command again together with a second process of the same RPL centre (`registry rpl issue`) and of
the same authority (`registry recognition publish`), all at once.

What must hold: every credential file on disk is anchored once, with its manifest, and no status
entry is shared; a killed `rpl issue` leaves no holder file without its manifest once the rerun has
reconciled; each decision is published once; nothing stays pending in the journal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.chain import writer
from registry.config import Settings
from registry.formats.accreditation import Scope
from registry.formats.credential import credential_hash, load_holder_file
from registry.formats.rpl import RPL_TYPE
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops.issuance import own_status_entry
from registry.ops.logbook import Provider
from registry.ops.recognition.authority import Recognition
from registry.ops.registry import Purpose, Registry
from registry.ops.trust import IssuerType, Trust
from tests.conftest import GOVERNANCE, ONE_YEAR, PASSPHRASE, ROOT_SCOPE, WELDING
from tests.ops.test_writer_faults import _anchor_events, _anchored, _pending

DAY = 86_400
RPL_SCOPE = Scope(types=("SkillsCredential", RPL_TYPE))


@dataclass
class World:
    settings: Settings
    registry: Registry
    centre: Identity
    authority: Identity
    holder: str
    assessment: Path
    authorisation: Path


def _party(registry: Registry, settings: Settings, name: str) -> Identity:
    identity = new_legal_entity(name)
    registry.client.request("anvil_setBalance", [identity.account.address, hex(10**20)])
    registry.register_did(identity)
    KeyStore(settings.keys_dir).save(identity, PASSPHRASE)
    return identity


@pytest.fixture(scope="module")
def world(anvil, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> World:  # type: ignore[no-untyped-def]
    """A home root, an RPL centre it accredits with an authorised assessor and an assessment with one
    evidence file; a destination authority (a Root TAO). One home for the module."""
    home = tmp_path_factory.mktemp("recognition-faults")
    settings = Settings(home=home / "home", rpc_urls=(anvil.rpc_url,), deployment_path=deployment_file)
    registry = Registry.connect(settings)
    trust = Trust(registry, "http://registry.test")
    root, centre, authority = (_party(registry, settings, n) for n in ("home-root", "rpl-centre", "authority"))
    until = int(time.time()) + ONE_YEAR
    trust.accredit(root, trust.onboard_root(GOVERNANCE, root, [RPL_SCOPE], until), centre.did, IssuerType.TI,
                   [RPL_SCOPE], until)  # fmt: skip
    trust.onboard_root(GOVERNANCE, authority, [ROOT_SCOPE], until)
    provider = Provider(registry, centre, settings)
    standard = provider.publish_programme({
        "id": "urn:rpl:welding", "version": 1, "title": "RPL welding", "eqfLevel": 3, "durationMonths": 1,
        "backdatingDays": 7, "units": [{"id": "W", "title": "Welds", "skills": [WELDING.uri], "hours": 1,
                                         "signer": "assessor"}],
    })  # fmt: skip
    now = registry.signing_time()
    (home / "auth.jwt").write_text(
        provider.authorise(standard, new_natural_person("assessor").did, "assessor", now - 30 * DAY, now + 30 * DAY)
    )
    (home / "weld.jpg").write_bytes(b"\xff\xd8 a fillet weld" * 40)
    (home / "assessment.json").write_text(json.dumps({
        "name": "MIG/MAG welding (RPL)", "eqf": 3, "skills": [{"uri": WELDING.uri, "label": WELDING.label}],
        "methods": ["observation"], "date": time.strftime("%Y-%m-%d", time.gmtime(now - DAY)),
        "evidence": [{"file": "weld.jpg", "name": "Fillet weld", "genre": "Photograph"}],
    }))  # fmt: skip
    holder = new_natural_person("nadia").did
    return World(settings, registry, centre, authority, holder, home / "assessment.json", home / "auth.jwt")


def _rpl_issue(world: World, out: Path) -> list[str]:
    return ["rpl", "issue", "--issuer", world.centre.name, "--holder", world.holder, "--assessment",
            str(world.assessment), "--assessor-authorisation", str(world.authorisation), "--out", str(out)]  # fmt: skip


def _publish(world: World, level: int) -> list[str]:
    return ["recognition", "publish", world.authority.name, "--types", "SkillsCredential", "--eqf-levels", str(level),
            "--root", world.authority.did, "--qualification", f"Level {level} welder", "--framework", "de-dqr",
            "--level", str(level), "--json"]  # fmt: skip


def _start(world: World, args: list[str], directory: Path, crash_at: str | None = None) -> subprocess.Popen[str]:
    """A real `registry` process of the world's home, its output in files of `directory` (read while it runs)."""
    environment = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    environment.pop("REGISTRY_CRASH_AT", None)
    if crash_at:
        environment["REGISTRY_CRASH_AT"] = crash_at
    argv = [sys.executable, "-m", "registry", "--home", str(world.settings.home), *args, "--rpc",
            world.settings.rpc_url, "--deployment", str(world.settings.deployment_file)]  # fmt: skip
    n = len(list(directory.glob(".*.stderr")))
    with open(directory / f".{n}.stdout", "w") as out, open(directory / f".{n}.stderr", "w") as err:
        process = subprocess.Popen(argv, stdout=out, stderr=err, text=True, env=environment)
    process.files = (directory / f".{n}.stdout", directory / f".{n}.stderr")  # type: ignore[attr-defined]
    return process


def _stderr(process: subprocess.Popen[str]) -> str:
    return process.files[1].read_text()  # type: ignore[attr-defined]


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.wait(timeout=180)
    stdout, stderr = (path.read_text() for path in process.files)  # type: ignore[attr-defined]
    for path in process.files:  # type: ignore[attr-defined]
        path.unlink()
    assert "Traceback" not in stderr, stderr
    return process.returncode, stdout, stderr


def _settled(world: World, outs: list[Path]) -> set[tuple[int, int]]:
    """Nothing pending; each credential file anchored once, its manifest beside it; the status entries held."""
    assert [(op.call.function, op.state) for op in _pending(world.settings)] == []
    account = world.centre.account.address
    held = set()
    for out in outs:
        holder_file = load_holder_file(out.read_bytes(), str(out))
        value = credential_hash(holder_file.credential)
        assert _anchored(world.registry, account, value) and _anchor_events(world.registry, account, value) == 1
        manifest = json.loads(out.with_name(out.stem + ".evidence.json").read_text())
        assert manifest["credential"] == out.name, manifest
        held.add(own_status_entry(holder_file.credential, world.centre.did, account, Purpose.REVOCATION))
    assert len(held) == len(outs), "a status entry is shared"
    return held


def _documents(world: World, decision: str) -> int:
    """DecisionDocument events of one decision (one per publication that landed)."""
    contract = world.registry.recognition
    topics = contract.document_topics(bytes.fromhex(decision[2:]))
    return len(
        world.registry.client.request(*world.registry.client.logs_request(contract.address, topics, 0, "latest"))
    )


def _together(world: World, directory: Path, commands: list[list[str]]) -> list[tuple[int, str, str]]:
    """`commands` as real processes all at once: the test holds the centre's and the authority's
    writer locks until every process waits for one, then lets them race; each must have waited."""
    accounts = (world.centre.account.address, world.authority.account.address)
    with ExitStack() as locks:
        for account in accounts:
            locks.enter_context(writer.exclusive(world.settings.journal_file, account, "the test"))
        started = [_start(world, args, directory) for args in commands]
        deadline = time.monotonic() + 60
        while not all("waiting up to" in _stderr(p) or p.poll() is not None for p in started):
            assert time.monotonic() < deadline, "the writers never reached the lock"
            time.sleep(0.1)
    results = [_finish(p) for p in started]
    assert all(code == 0 and "another registry process is writing for" in err for code, _, err in results), results
    return results


def test_killed_mid_write_then_raced_by_a_second_process_leaves_nothing_half_written(
    world: World, tmp_path: Path
) -> None:
    """A SIGKILL in the middle of `rpl issue` (between the holder file and its manifest) and of
    `recognition publish` (after sending); then each command again, together with a second process
    of the same centre and of the same authority, all at once."""
    killed, other = tmp_path / "killed.json", tmp_path / "other.json"
    crashed = [_start(world, _rpl_issue(world, killed), tmp_path, crash_at="during-files"),
               _start(world, _publish(world, 5), tmp_path, crash_at="after-send")]  # fmt: skip
    assert [_finish(p)[0] for p in crashed] == [-signal.SIGKILL, -signal.SIGKILL]
    # Killed between the holder file and its manifest: a credential nobody may keep, its row pending.
    assert killed.exists() and not killed.with_name("killed.evidence.json").exists()
    orphan = credential_hash(load_holder_file(killed.read_bytes(), str(killed)).credential)
    assert {op.call.function for op in _pending(world.settings)} == {"anchor", "publish"}

    results = _together(world, tmp_path, [_rpl_issue(world, killed), _rpl_issue(world, other), _publish(world, 5),
                                          _publish(world, 4)])  # fmt: skip
    # Whichever ran first reconciled: the orphan's row abandoned and its file removed, then issued anew.
    assert any("abandoned" in err for _, _, err in results[:2]), results
    _settled(world, [killed, other])
    assert not _anchored(world.registry, world.centre.account.address, orphan)
    decisions = [json.loads(stdout)["id"] for _, stdout, _ in results[2:]]
    assert len(set(decisions)) == 2 and [_documents(world, d) for d in decisions] == [1, 1]  # each landed once
    # The rerun's level-5 decision is the killed run's (in force already: "unchanged"), not a second one.
    assert set(decisions) == {"0x" + i.hex() for i in Recognition(world.registry).ids(world.authority.did)}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left
    assert os.stat(killed.with_name("killed.evidence.json")).st_mode & 0o077 == 0  # the salts: owner only
