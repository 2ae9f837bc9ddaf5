"""Build the Solidity contracts into the artifacts committed inside the package.

Only `make contracts` (and the staleness test) touch this module; installing the package and
verifying credentials read the committed artifacts and need neither node nor solc.

The compiler is one pinned solc release driven through py-solc-x's standard-JSON interface:
a native `solc` on PATH when it is that exact release, otherwise the npm (WebAssembly) build of
the same release behind `scripts/solc`, a small adapter that answers `--version` and
`--standard-json` as native solc does.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from registry.errors import RegistryError

SOLC_VERSION = "0.8.30"
# Paris: no PUSH0/MCOPY/transient storage, so the bytecode runs on older Besu and geth
# networks as well as on anvil's current rules.
EVM_VERSION = "paris"
OPTIMIZER_RUNS = 1_000_000
CONTRACTS = ("DIDRegistry", "TrustedIssuersRegistry", "CredentialRegistry", "RecognitionRegistry")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"
OPENZEPPELIN_DIR = PROJECT_ROOT / "node_modules" / "@openzeppelin" / "contracts"


class CompilerError(RegistryError):
    """The contracts could not be compiled."""


def source_files() -> list[Path]:
    """Our Solidity sources, in a stable order."""
    return sorted(CONTRACTS_DIR.rglob("*.sol"))


def sources_hash(files: list[Path] | None = None) -> str:
    """A sha256 over the relative paths and bytes of our sources plus the compiler settings."""
    digest = hashlib.sha256()
    digest.update(f"solc {SOLC_VERSION} evm {EVM_VERSION} runs {OPTIMIZER_RUNS} via-ir\n".encode())
    for path in files if files is not None else source_files():
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\n")
        digest.update(path.read_bytes())
        digest.update(b"\n")
    return digest.hexdigest()


def _native_solc() -> str | None:
    found = shutil.which("solc")
    if not found:
        return None
    try:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return found if f"Version: {SOLC_VERSION}+" in out else None


def solc_binary() -> str:
    """A solc executable of the pinned release: native when available, else the npm adapter."""
    native = _native_solc()
    if native:
        return native
    adapter = PROJECT_ROOT / "scripts" / "solc"
    if not (PROJECT_ROOT / "node_modules" / "solc").is_dir():
        raise CompilerError("npm solc is not installed; run `npm ci` (make does this for you)")
    return str(adapter)


def _standard_input() -> dict[str, Any]:
    sources = {path.relative_to(PROJECT_ROOT).as_posix(): {"content": path.read_text()} for path in source_files()}
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "viaIR": True,
            "evmVersion": EVM_VERSION,
            "remappings": ["@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"],
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }


def compile_contracts() -> dict[str, dict[str, Any]]:
    """Compile every contract and return the artifacts by contract name (not written)."""
    import solcx  # imported here: only the build needs py-solc-x's compiler driver

    binary = solc_binary()
    try:
        output = solcx.compile_standard(
            _standard_input(),
            solc_binary=binary,
            allow_paths=[str(PROJECT_ROOT), str(OPENZEPPELIN_DIR)],
        )
    except solcx.exceptions.SolcError as exc:
        raise CompilerError(f"solc failed: {exc}") from exc
    version_line = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    compiler = version_line.strip().splitlines()[-1].removeprefix("Version: ")
    digest = sources_hash()
    artifacts: dict[str, dict[str, Any]] = {}
    for path_name, contracts in output["contracts"].items():
        for name, data in contracts.items():
            if name not in CONTRACTS:
                continue
            artifacts[name] = {
                "contractName": name,
                "sourceName": path_name,
                "abi": data["abi"],
                "bytecode": "0x" + data["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + data["evm"]["deployedBytecode"]["object"],
                "compiler": {
                    "version": compiler,
                    "evmVersion": EVM_VERSION,
                    "optimizerRuns": OPTIMIZER_RUNS,
                },
                "sourcesHash": digest,
            }
    missing = set(CONTRACTS) - set(artifacts)
    if missing:
        raise CompilerError(f"compiler output lacks {', '.join(sorted(missing))}")
    return artifacts


def write_artifacts(artifacts: dict[str, dict[str, Any]]) -> list[Path]:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for name, artifact in sorted(artifacts.items()):
        target = ARTIFACTS_DIR / f"{name}.json"
        target.write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")
        written.append(target)
    return written
