"""`registry` commands through the service instead of a direct RPC connection."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from registry.chain.node import AnvilNode
from registry.config import Settings
from registry.keystore import Identity, KeyStore, new_legal_entity
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose, Registry
from tests.conftest import PASSPHRASE, fund, welding_certificate
from tests.helpers.commands import registry_in_process

pytest_plugins = ("tests.helpers.service_fixtures",)


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    argv = ["--home", str(settings.home), *args]
    return registry_in_process(argv, env)  # tests/helpers/commands.py


def test_verify_through_the_service(
    settings: Settings, service: str, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    issued = issuer.issue_single(holder.did, welding_certificate())
    path.write_text(issued.holder_file.dumps())
    valid = run(settings, "verify", "--service", service, str(path))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "VALID" in valid.stdout and f"via {service}" in valid.stdout
    issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=2)
    revoked = run(settings, "verify", "--service", service, "--json", str(path))
    assert revoked.returncode == 1
    assert json.loads(revoked.stdout)["verdict"] == "revoked"


def test_service_unreachable_is_could_not_determine(settings: Settings, issuer: Issuer, holder: Identity,
                                                    tmp_path: Path) -> None:  # fmt: skip
    from registry.chain.node import free_port

    path = tmp_path / "c.json"
    path.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    result = run(settings, "verify", "--service", f"http://127.0.0.1:{free_port()}", str(path))
    assert result.returncode == 2
    assert "COULD NOT DETERMINE" in result.stdout and "connection refused or host unreachable" in result.stdout
    assert "HTTPConnectionPool" not in result.stdout  # the reason in a sentence, not urllib3's repr


def test_register_a_did_through_the_service_without_giving_it_a_key(
    settings: Settings, service: str, registry: Registry
) -> None:
    identity = new_legal_entity("via-service")
    fund(registry, identity)
    KeyStore(settings.keys_dir).save(identity, PASSPHRASE)
    result = run(settings, "did", "register", identity.name, "--service", service)
    assert result.returncode == 0, result.stdout + result.stderr
    state = registry.resolve(identity.did)
    assert state.registered and len(state.methods) == 2


def test_a_service_that_cannot_answer_gives_could_not_determine_and_the_batch_goes_on(
    settings: Settings, service_settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    # One request of burst, then one every 1,000 s: longer than the client waits out a 429, so the
    # second and third files get no answer.
    from registry.service.config import ServiceConfig
    from tests.helpers.service_helpers import start_service

    for n in range(3):
        (tmp_path / f"c{n}.json").write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    running = start_service(service_settings, ServiceConfig(rate_per_s=0.001, burst=1))
    try:
        result = run(settings, "verify", "--service", running.url, "--json", str(tmp_path))
    finally:
        running.stop()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    reports = json.loads(result.stdout)  # one JSON array for several files
    assert [r["verdict"] for r in reports] == ["valid", "could not determine", "could not determine"]
    assert [Path(r["source"]).name for r in reports] == ["c0.json", "c1.json", "c2.json"]
    assert "Too Many Requests" in reports[1]["summary"] or "429" in reports[1]["summary"]


def test_a_binary_file_through_the_service_is_not_a_credential(
    settings: Settings, service: str, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.json"
    junk.write_bytes(bytes(range(256)))
    result = run(settings, "verify", "--service", service, str(junk))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "is not UTF-8 text, so not a credential" in result.stdout


def test_a_short_rate_limit_is_waited_out_and_many_files_get_a_summary(
    settings: Settings, service_settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    # Two requests per second after a burst of one: the client waits as Retry-After says, so every
    # file gets its verdict; a passport is shown credential by credential, as without the service.
    from registry.ops.passport import create_passport
    from registry.service.config import ServiceConfig
    from tests.helpers.service_helpers import start_service

    files = [issuer.issue_single(holder.did, welding_certificate()).holder_file for _ in range(3)]
    for n, holder_file in enumerate(files):
        (tmp_path / f"c{n}.json").write_text(holder_file.dumps())
    (tmp_path / "passport.json").write_text(json.dumps(create_passport(holder, files[:2])))
    running = start_service(service_settings, ServiceConfig(rate_per_s=2, burst=1))
    try:
        result = run(settings, "verify", "--service", running.url, str(tmp_path))
    finally:
        running.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 credentials in 4 files checked" in result.stdout  # the passport holds two
    assert "passport.json #1: VALID" in result.stdout and "passport.json #2: VALID" in result.stdout


def test_serve_with_home_reads_that_home_in_every_worker(
    anvil: AnvilNode, deployment_file: Path, tmp_path: Path
) -> None:
    # `registry --home DIR serve`: the deployment file is DIR's (no --deployment, no REGISTRY_HOME),
    # in the command and in each uvicorn worker process (a real bug: they read ./.registry). Run
    # from a directory with no .registry of its own, with two workers.
    import shutil
    import signal
    import time

    import httpx

    from registry.chain.node import free_port

    home = tmp_path / "authority"
    home.mkdir()
    shutil.copy(deployment_file, home / "deployment.json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"REGISTRY_HOME", "REGISTRY_DEPLOYMENT"}}
    port = free_port()
    argv = [sys.executable, "-m", "registry", "--home", str(home), "serve", "--port", str(port), "--workers", "2",
            "--rpc", anvil.rpc_url]  # fmt: skip
    server = subprocess.Popen(argv, cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        answers = []
        while len(answers) < 6:  # new connections: the workers share the socket, so both answer some
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/did-registry/v5/identifiers", timeout=10))
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1][-2000:]
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.2)
        assert [a.status_code for a in answers] == [200] * 6, [a.text[:200] for a in answers]
        assert not (elsewhere / ".registry").exists()
        # The same command again while the first still runs (a newcomer re-pasting a quickstart).
        again = subprocess.run(argv, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
        assert again.returncode == 1 and again.stderr.count("\n") == 1, again.stderr
        assert f"error: cannot listen on 127.0.0.1 port {port}: " in again.stderr
        assert "(a service from an earlier run still running? stop it, or give another --port)" in again.stderr
        _killed_outright_it_takes_its_workers_along(server, port)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _killed_outright_it_takes_its_workers_along(server: subprocess.Popen[str], port: int) -> None:
    """`registry serve --workers N` killed with SIGKILL: its workers end with it (they served on with
    the old settings, holding the port, and the next `registry serve` was refused it)."""
    import signal
    import time

    import httpx

    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=20)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
        except httpx.ConnectError:
            return
        time.sleep(0.1)
    raise AssertionError("the workers of a killed `registry serve` still answer")
