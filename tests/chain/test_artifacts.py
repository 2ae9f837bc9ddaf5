"""The committed contract artifacts match the sources, and the contracts use OpenZeppelin."""

from __future__ import annotations

import re

import pytest

from registry.chain import compiler
from registry.chain.artifacts import ALL_CONTRACTS, CONTRACT_NAMES, load_artifact


@pytest.mark.parametrize("name", ALL_CONTRACTS)
def test_artifact_was_built_from_the_current_sources(name: str) -> None:
    artifact = load_artifact(name)
    assert artifact["sourcesHash"] == compiler.sources_hash(), (
        f"contracts/ changed since {name}.json was built: run `make contracts` and commit the artifacts"
    )


@pytest.mark.parametrize("name", ALL_CONTRACTS)
def test_artifact_records_the_pinned_compiler(name: str) -> None:
    artifact = load_artifact(name)
    assert artifact["compiler"]["version"].startswith(compiler.SOLC_VERSION + "+")
    assert artifact["compiler"]["evmVersion"] == compiler.EVM_VERSION
    assert artifact["bytecode"].startswith("0x") and len(artifact["bytecode"]) > 1000


def test_editing_one_byte_of_a_source_changes_the_hash(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil

    original = compiler.sources_hash()
    shutil.copytree(compiler.CONTRACTS_DIR, tmp_path / "contracts")
    monkeypatch.setattr(compiler, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(compiler, "CONTRACTS_DIR", tmp_path / "contracts")
    assert compiler.sources_hash() == original
    # A file in a subdirectory (the status-word layout the credential registry inlines) counts too.
    target = tmp_path / "contracts" / "libraries" / "StatusWord.sol"
    assert "131_072" in target.read_text()
    target.write_text(target.read_text().replace("131_072", "131_073"))
    assert compiler.sources_hash() != original


def test_security_primitives_come_from_openzeppelin() -> None:
    text = "\n".join(p.read_text() for p in compiler.source_files())
    for library in ("EIP712", "ECDSA", "MerkleProof", "AccessControl"):
        if library == "AccessControl" and "TrustedIssuersRegistry" not in CONTRACT_NAMES:
            continue
        assert re.search(rf'import \{{{library}\}} from "@openzeppelin/contracts/', text), library
