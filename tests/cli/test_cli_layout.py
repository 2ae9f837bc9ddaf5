"""The `registry` command as a package (registry/cli/): its entry points and its shape.

Pure tests (no chain): the console script's module, `python -m registry` and `python -m
registry.cli` (which `make bench` times for the cold start) all run the same app; every module
of the package stays under ~400 lines and every function under 60, so a newcomer can hold a
command group in the head (docs/ARCHITECTURE.md, "The command line").
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "registry" / "cli"


@pytest.mark.parametrize("module", ["registry", "registry.cli"])
def test_both_module_entry_points_run_the_app(module: str) -> None:
    result = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "COLUMNS": "100"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    for group in ("verify", "issue", "revoke", "serve", "trust", "journal", "node", "did"):
        assert f"│ {group} " in result.stdout


def test_an_unknown_command_is_a_usage_error_through_main() -> None:
    result = subprocess.run([sys.executable, "-m", "registry", "nonsense"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 64
    assert result.stderr.startswith("error: No such command 'nonsense'.") and result.stderr.count("\n") == 1


def test_the_console_script_is_the_packages_main() -> None:
    import tomllib

    from registry import cli

    project = tomllib.loads((CLI.parent.parent / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["registry"] == "registry.cli:main"
    assert callable(cli.main) and cli.app.info.name == "registry"


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    paths = sorted(CLI.rglob("*.py"))
    assert {p.stem for p in paths} >= {"app", "exits", "options", "output", "verify", "issue", "status", "trust"}
    for path in paths:
        text = path.read_text()
        if text.count("\n") > 400:
            too_long.append(f"{path.name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                assert node.end_lineno is not None
                if node.end_lineno - start + 1 > 60:
                    too_long.append(f"{path.name}: {node.name} is {node.end_lineno - start + 1} lines")
    assert not too_long, too_long


# What `registry verify` must not import (issue 12, its cold start): web3/eth-account (seconds),
# eth_utils/eth_abi/pydantic (a third of the command before chain/codec.py), the service, the
# issuer's journal and the other command groups. Structural, not timed: a timed test would fail
# on a busy machine; an import that creeps back in fails here on any machine.
NOT_FOR_VERIFY = (
    "web3", "eth_account", "eth_utils", "eth_abi", "eth_keys", "pydantic", "fastapi", "starlette", "uvicorn",
    "jwcrypto", "babel", "sqlite3", "registry.service", "registry.chain.txmanager", "registry.ops.issuance",
    "registry.ops.logbook", "registry.ops.rpl.assessor", "registry.cli.commands.issue",
    "registry.cli.commands.logbook", "registry.cli.commands.wallet", "registry.cli.commands.passport",
)  # fmt: skip


def test_the_verify_path_up_to_the_chain_read_loads_nothing_it_does_not_need() -> None:
    """The verify command built as `registry verify` builds it, with every module it loads before its
    first chain read (a verifier through one node, reports printed): none of NOT_FOR_VERIFY.
    tests/cli/test_cli.py runs a real verification against a node and checks the same."""
    probe = (
        "import sys, typer\n"
        "from registry.cli import app\n"
        "root = typer.main.get_command(app)\n"
        "root.get_command(root.make_context('registry', ['verify', 'x']), 'verify')\n"
        "import registry.ops.inputs, registry.ops.locate, registry.ops.registry, registry.ops.verify\n"
        "import registry.ops.batch, registry.ops.rpl.checks, registry.cli.output, rich.progress\n"
        f"print(','.join(m for m in {NOT_FOR_VERIFY!r} if any(k == m or k.startswith(m + '.') for k in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded: {result.stdout.strip()}"
