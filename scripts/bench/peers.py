"""The peers' deployable bytecode, taken from their npm packages, and the floor contract.

Nothing is re-compiled for the peers: we deploy exactly what their packages ship, so the figures
are theirs, not an approximation built from their sources.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.chain.compiler import EVM_VERSION, OPTIMIZER_RUNS, SOLC_VERSION, solc_binary

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
OA_PACKAGE = NODE_MODULES / "@govtechsg" / "document-store"
EAS_PACKAGE = NODE_MODULES / "@ethereum-attestation-service" / "eas-contracts"
FLOOR_SOURCE = Path(__file__).resolve().parent / "contracts" / "Floor.sol"

# The package ships its ABI and bytecode only inside its typechain factory, a CommonJS module that
# requires `ethers` (not a dependency of the package). A stub stands in for ethers: we only read
# the factory's static `abi` and `bytecode`, never call into ethers.
_OA_EXTRACT = """
const Module = require('module');
const original = Module.prototype.require;
Module.prototype.require = function (id) {
  if (id === 'ethers') return { ContractFactory: class {}, Interface: class {}, Contract: class {} };
  return original.apply(this, arguments);
};
const factory = require(process.argv[1]).DocumentStore__factory;
process.stdout.write(JSON.stringify({ abi: factory.abi, bytecode: factory.bytecode }));
"""


@dataclass(frozen=True)
class Artifact:
    name: str
    package: str
    abi: list[dict[str, Any]]
    bytecode: str


def _version(package_dir: Path) -> str:
    data = json.loads((package_dir / "package.json").read_text())
    return f"{data['name']}@{data['version']}"


def _require(package_dir: Path) -> None:
    if not package_dir.is_dir():
        raise SystemExit(f"{package_dir.relative_to(ROOT)} is missing: run `npm ci` (make bootstrap does)")


def document_store() -> Artifact:
    _require(OA_PACKAGE)
    factory = OA_PACKAGE / "dist" / "contracts" / "factories" / "contracts" / "DocumentStore__factory.js"
    out = subprocess.run(
        ["node", "-e", _OA_EXTRACT, str(factory)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    data = json.loads(out)
    return Artifact("DocumentStore", _version(OA_PACKAGE), data["abi"], data["bytecode"])


def _hardhat_artifact(relative: str, name: str) -> Artifact:
    _require(EAS_PACKAGE)
    data = json.loads((EAS_PACKAGE / "artifacts" / relative).read_text())
    if data.get("linkReferences"):
        raise SystemExit(f"{name} needs linked libraries; the benchmark does not link")
    return Artifact(name, _version(EAS_PACKAGE), data["abi"], data["bytecode"])


def schema_registry() -> Artifact:
    return _hardhat_artifact("contracts/SchemaRegistry.sol/SchemaRegistry.json", "SchemaRegistry")


def eas() -> Artifact:
    return _hardhat_artifact("contracts/EAS.sol/EAS.json", "EAS")


def floor() -> Artifact:
    """Compile the floor with our pinned compiler and the very settings our contracts use."""
    import solcx  # only the benchmark and `make contracts` need the compiler driver

    standard_input = {
        "language": "Solidity",
        "sources": {"Floor.sol": {"content": FLOOR_SOURCE.read_text()}},
        "settings": {
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "viaIR": True,
            "evmVersion": EVM_VERSION,
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    output = solcx.compile_standard(standard_input, solc_binary=solc_binary())
    data = output["contracts"]["Floor.sol"]["Floor"]
    return Artifact(
        "Floor",
        f"solc {SOLC_VERSION} (scripts/bench/contracts/Floor.sol)",
        data["abi"],
        "0x" + data["evm"]["bytecode"]["object"],
    )
