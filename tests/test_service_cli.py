"""`registry` commands through the service instead of a direct RPC connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import PASSPHRASE, fund, welding_certificate

from registry.config import Settings
from registry.keystore import Identity, KeyStore, new_legal_entity
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose, Registry

pytest_plugins = ("service_fixtures",)


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


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
    assert "COULD NOT DETERMINE" in result.stdout


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
