"""`registry config`: the node's URL set once per home, and the order in which it is read
(--rpc > REGISTRY_RPC_URL > <home>/config.json > default). Real `registry` processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _registry(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    argv = [sys.executable, "-m", "registry", "--home", str(home), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=base | (env or {}), timeout=60)


def _shown_url(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("rpc-url"))
    return " ".join(line.split()[1:])


def test_the_node_url_is_remembered_and_the_command_line_and_environment_still_win(tmp_path: Path) -> None:
    home = tmp_path / "centre"
    assert _shown_url(_registry(home, "config", "show")) == "http://127.0.0.1:8545 (from default)"
    assert not home.exists()  # showing writes nothing
    assert _registry(home, "config", "set", "rpc-url", "http://127.0.0.1:18999").returncode == 0
    assert _shown_url(_registry(home, "config", "show")) == f"http://127.0.0.1:18999 (from {home / 'config.json'})"
    from_env = _registry(home, "config", "show", env={"REGISTRY_RPC_URL": "http://127.0.0.1:17000"})
    assert _shown_url(from_env) == "http://127.0.0.1:17000 (from REGISTRY_RPC_URL)"
    # A command that reaches for the node asks the remembered one (nobody listens there: it says so).
    unreachable = _registry(home, "deploy")
    assert unreachable.returncode == 2 and "127.0.0.1:18999" in unreachable.stderr, unreachable.stderr
    assert "registry config set rpc-url URL" in unreachable.stderr  # the hint names the setting
    assert _registry(home, "config", "unset", "rpc-url").returncode == 0
    assert _shown_url(_registry(home, "config", "show")) == "http://127.0.0.1:8545 (from default)"


def test_a_bad_url_or_a_damaged_file_is_one_line_and_nothing_written(tmp_path: Path) -> None:
    home = tmp_path / "centre"
    bad = _registry(home, "config", "set", "rpc-url", "localhost:8545")
    assert bad.returncode == 64 and bad.stderr.count("\n") == 1 and "is not a node URL" in bad.stderr
    assert not (home / "config.json").exists()
    unknown = _registry(home, "config", "set", "colour", "blue")
    assert unknown.returncode == 64 and "'colour' is not a setting (known: rpc-url)" in unknown.stderr
    home.mkdir()
    (home / "config.json").write_text("{not json")
    damaged = _registry(home, "config", "show")
    assert damaged.returncode == 64 and damaged.stderr.count("\n") == 1 and "fix or remove it" in damaged.stderr


def test_a_setting_that_cannot_be_used_is_a_usage_error_in_every_command(tmp_path: Path) -> None:
    """A bad value in the environment, the home's config.json or a service option exits 64 (EX_USAGE,
    registry/cli/exits.py: how the command was run is wrong), one line naming the setting, in every
    command alike: `config show`, `serve`, `identity create`, `did resolve` exited 1, as a failure,
    while `verify` already said 64 (and 1 is "not valid" there)."""
    home, verify = tmp_path / "centre", ("verify", str(Path(__file__)))
    cases = [
        (("config", "show"), {"REGISTRY_CONFIRMATIONS": "0"}, "REGISTRY_CONFIRMATIONS must be"),
        (("serve", "--rate", "-1"), {}, "--rate (REGISTRY_SERVICE_RATE) must be"),
        (("serve",), {"REGISTRY_SERVICE_BURST": "0"}, "--burst (REGISTRY_SERVICE_BURST) must be"),
        (("identity", "create", "x"), {"REGISTRY_SCRYPT_N": "5", "REGISTRY_PASSPHRASE": "p"}, "REGISTRY_SCRYPT_N"),
        (("did", "resolve", "did:ebsi:zeKnaikiW2AVnTs51vsruZC"), {"REGISTRY_LOG_WINDOW": "x"}, "REGISTRY_LOG_WINDOW"),
        (verify, {"REGISTRY_RPC_URL": "notaurl"}, "not an http(s) JSON-RPC URL: 'notaurl'"),
        (verify, {"REGISTRY_PUBLIC_URL": "ftp://x"}, "REGISTRY_PUBLIC_URL must be an http(s) URL"),
    ]
    for args, env, words in cases:
        result = _registry(home, *args, env=env)
        said = f"{args} {env}: {result.returncode} {result.stderr}"
        assert result.returncode == 64 and result.stderr.count("\n") == 1 and words in result.stderr, said
        assert "Traceback" not in result.stderr and not (home / "keys").exists(), said
