"""`registry --home H` is where every command keeps and reads its state: run from a directory of
its own, no command ever creates ./.registry there. Every command of the typer app is either run
here (read-only ones, against a home holding an identity) or named below with why it is not; a new
command that is neither fails the walk. Also: every reason code in `revoke`/`suspend`/`reinstate --help`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from registry.cli import app
from registry.errors import RegistryError
from tests.conftest import PASSPHRASE

CLOSED = "http://127.0.0.1:9"  # the discard port: nobody answers JSON-RPC there
# Run against the home (each must leave the working directory as it was).
READ_ONLY: dict[str, list[str]] = {
    "config show": ["config", "show"],
    "node status": ["node", "status"],
    "identity show": ["identity", "show", "org"],
    "did resolve": ["did", "resolve", "person"],
    "wallet list": ["wallet", "list"],
    "wallet show": ["wallet", "show", "1"],
    "journal status": ["journal", "status"],
    "issued": ["issued", "--issuer", "org"],
    "trust-list show": ["trust-list", "show"],
    "verify": ["verify", "missing.json"],
    "issuer check": ["issuer", "check", "org"],
    "issuer history": ["issuer", "history", "org"],
    "logbook show": ["logbook", "show", "missing"],
    "logbook verify": ["logbook", "verify", "missing.json"],
    "recognition list": ["recognition", "list", "org"],
    "recognition show": ["recognition", "show", "0x" + "ab" * 32],
    "recognition frameworks": ["recognition", "frameworks"],
}
# Not run here: each writes, or starts something, and each has its own test with a --home.
WRITES = {
    "config set", "config unset", "node start", "node stop", "node fund", "deploy", "issue", "revoke",
    "suspend", "reinstate", "serve", "status publish", "journal reconcile", "trust onboard-root",
    "trust accredit", "trust suspend", "trust reinstate", "trust revoke", "trust suspend-root",
    "trust reinstate-root", "trust revoke-root", "trust-list create", "trust-list add",
    "trust-list remove", "passport create", "passport print", "wallet create", "wallet import",
    "wallet import-key", "wallet export", "wallet import-backup", "identity create", "identity handover",
    "did register", "did rotate-key", "programme publish", "supervisor authorise", "supervisor revoke",
    "logbook enrol", "logbook add", "logbook sign", "logbook anchor", "logbook revoke", "logbook share",
    "logbook complete", "logbook sync",
    "recognition publish", "recognition suspend", "recognition reinstate", "recognition revoke",
    "rpl issue", "rpl disclose", "attest",
}  # fmt: skip


def _commands(group: typer.core.TyperGroup, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group
            found.extend(_commands(command, f"{prefix}{name} "))
        else:
            found.append(prefix + name)
    return found


def test_every_command_is_walked_or_named() -> None:
    every = set(_commands(typer.main.get_command(app)))  # type: ignore[arg-type]
    assert every == set(READ_ONLY) | WRITES, (every - set(READ_ONLY) - WRITES, set(READ_ONLY) | WRITES - every)


def test_every_option_of_every_command_says_what_it_is_for() -> None:
    def bare(group: typer.core.TyperGroup, prefix: str = "") -> list[str]:
        found = []
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                found.extend(bare(command, f"{prefix}{name} "))  # type: ignore[arg-type]
            else:
                found.extend(f"{prefix}{name} --{p.name}" for p in command.params if p.param_type_name == "option"
                             and not getattr(p, "help", None) and not getattr(p, "hidden", False))  # fmt: skip
        return found

    assert bare(typer.main.get_command(app)) == []  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("centre") / "home"
    runner = CliRunner()
    env = {"REGISTRY_PASSPHRASE": PASSPHRASE}
    for args in (["identity", "create", "org"], ["identity", "create", "person", "--person"]):
        result = runner.invoke(app, ["--home", str(home), *args], env=env)
        assert result.exit_code == 0, result.output
    return home


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_a_read_only_command_keeps_to_its_home(
    name: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in ("REGISTRY_HOME", "REGISTRY_DEPLOYMENT", "REGISTRY_TRUST_LIST"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("REGISTRY_RPC_URL", CLOSED)
    before = sorted(p.relative_to(home) for p in home.rglob("*"))
    result = CliRunner().invoke(app, ["--home", str(home), *READ_ONLY[name]])
    # In process, a refusal is the exception `registry` would print as one line (cli/exits.py run):
    # what it names of the local state is in the home given.
    assert result.exception is None or isinstance(result.exception, SystemExit | RegistryError), result.exception
    if isinstance(result.exception, RegistryError) and ".registry" in str(result.exception):
        pytest.fail(f"{name} looked in ./.registry: {result.exception}")
    assert not (tmp_path / ".registry").exists(), f"{name} created ./.registry"
    assert list(tmp_path.iterdir()) == [], f"{name} wrote {list(tmp_path.iterdir())}"
    # Read-only in the home too (a journal opened for reading is not created).
    assert sorted(p.relative_to(home) for p in home.rglob("*")) == before, name


@pytest.mark.parametrize(
    "command", ["revoke", "suspend", "reinstate", "trust suspend", "trust reinstate", "trust revoke"]
)
def test_every_reason_code_is_in_help(command: str) -> None:
    from registry.ops.registry import REASONS
    from registry.ops.trust.model import REASONS as ACCREDITATION_REASONS

    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "100"})
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    for code, words in (ACCREDITATION_REASONS if command.startswith("trust") else REASONS).items():
        assert f"{code} {words}" in text, (code, words)
    assert ", ..." not in text  # no code hidden behind "..."
    if not command.startswith("trust"):
        from registry.ops.registry import REASON_WORDS

        assert "never on-chain" in text  # where the note goes
        assert "or its word: " + ", ".join(REASON_WORDS) + "." in text  # `--reason fraud` as a clerk types it
    else:  # the chain takes any 8-bit code: those without words are said to be shown bare
        assert "Codes 5 to 255 have no words here" in text


@pytest.mark.parametrize("command", ["suspend", "revoke"])
def test_an_accreditation_reason_code_without_words_is_taken_with_a_warning(tmp_path: Path, command: str) -> None:
    """Codes 5 to 255 fit the chain (an authority's own scheme), but nobody reads words for them: said
    before anything is sent, not refused (the run goes on, here to its missing identity)."""
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "trust", command, "--parent", "nobody", "--child",
                                      "did:ebsi:zabc", "--reason", "9", "--rpc", CLOSED])  # fmt: skip
    assert "warning: reason 9 has no words in this registry (only 0 unspecified, " in result.stderr, result.stderr
    assert result.exit_code != 64  # not a usage error: the code itself is allowed


@pytest.mark.parametrize("command", ["recognition suspend", "recognition reinstate", "recognition revoke"])
def test_every_decision_reason_code_is_in_help(command: str) -> None:
    from registry.ops.recognition.model import REASONS

    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "100"})
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert all(f"{code} {words}" in text for code, words in REASONS.items()), text


def test_commands_that_write_without_a_chain_write_into_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from a directory of their own: each writes into --home, none into ./.registry; `serve` reads
    # the home's deployment file (absent here: its one-line refusal names the home's path).
    cwd, home, elsewhere = tmp_path / "cwd", tmp_path / "home", tmp_path / "elsewhere"
    cwd.mkdir(), elsewhere.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("REGISTRY_HOME", raising=False)
    monkeypatch.delenv("REGISTRY_DEPLOYMENT", raising=False)
    env = {"REGISTRY_PASSPHRASE": PASSPHRASE, "REGISTRY_WALLET_PASSPHRASE": PASSPHRASE,
           "REGISTRY_BACKUP_PASSPHRASE": PASSPHRASE}  # fmt: skip
    for args in (
        ["config", "set", "rpc-url", CLOSED],
        ["identity", "create", "clerk"],
        ["wallet", "create"],
        ["trust-list", "create", "--name", "Ours"],
        ["wallet", "export", "--out", str(elsewhere / "backup.json")],
    ):
        result = CliRunner().invoke(app, ["--home", str(home), *args], env=env)
        assert result.exit_code == 0, (args, result.output, result.exception)
    assert list(cwd.iterdir()) == []
    assert {"config.json", "keys", "wallet", "trust-list.json"} <= {p.name for p in home.iterdir()}
    saved = dict(os.environ)
    try:  # `serve` hands its settings to its workers through its own environment: put ours back after
        served = CliRunner().invoke(app, ["--home", str(home), "serve", "--port", "9"])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert isinstance(served.exception, RegistryError) and str(home.resolve() / "deployment.json") in str(
        served.exception
    ), served.exception
    assert list(cwd.iterdir()) == []
