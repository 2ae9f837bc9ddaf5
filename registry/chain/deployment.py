"""Deploying the registry contracts and the file that records a deployment.

The deployment file is what every other command reads: chain id, contract addresses, the block
the contracts were deployed in (where log queries start), the sha256 of the creation bytecode
each address was deployed from, and the keccak of the code found there afterwards. Attaching
to a deployment checks, in one batched round trip, that the node serves that chain id and that
each address holds exactly that code, so a wrong network or "a contract that is not ours" is
named as such instead of surfacing later as a confusing revert.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_abi import encode
from eth_utils import keccak

from registry.chain.artifacts import CONTRACT_NAMES, artifact_hash, load_artifact
from registry.chain.client import ChainClient, checksum
from registry.errors import ConfigError, DeploymentMismatch, InputError, TransactionReverted
from registry.formats import safejson

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

FORMAT = "skills-registry-deployment/1"


@dataclass(frozen=True)
class ContractRecord:
    address: str
    artifact_sha256: str
    code_keccak: str


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    deployment_block: int
    deployed_at: str
    deployer: str
    contracts: dict[str, ContractRecord]

    def address(self, name: str) -> str:
        try:
            return self.contracts[name].address
        except KeyError as exc:
            raise ConfigError(f"the deployment file has no {name} contract") from exc

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"format": FORMAT, **data}

    @classmethod
    def from_json(cls, data: Any, source: str = "deployment file") -> Deployment:
        if not isinstance(data, dict):
            raise ConfigError(f"{source} is malformed: a JSON object was expected")
        try:
            if data.get("format") != FORMAT:
                raise ConfigError(f"{source} is not a registry deployment file (format {data.get('format')!r})")
            contracts = {
                name: ContractRecord(
                    address=checksum(rec["address"]),
                    artifact_sha256=str(rec["artifact_sha256"]),
                    code_keccak=str(rec["code_keccak"]),
                )
                for name, rec in data["contracts"].items()
            }
            return cls(
                chain_id=int(data["chain_id"]),
                deployment_block=int(data["deployment_block"]),
                deployed_at=str(data["deployed_at"]),
                deployer=str(data["deployer"]),
                contracts=contracts,
            )
        except ConfigError:
            raise
        except KeyError as exc:
            raise ConfigError(f"{source} is malformed: it has no {exc.args[0]!r} field") from exc
        except (AttributeError, TypeError, ValueError) as exc:
            # Which value is wrong, not which Python operation failed on it.
            raise ConfigError(f"{source} is malformed: a field has the wrong type or value") from exc

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            text = path.read_text()
        except FileNotFoundError as exc:
            raise ConfigError(f"no deployment file at {path}; run `registry deploy` or pass --deployment") from exc
        except OSError as exc:
            raise ConfigError(f"cannot read deployment file {path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"deployment file {path} is not UTF-8 text") from exc
        try:
            data = safejson.loads(text, f"deployment file {path}")
        except InputError as exc:
            raise ConfigError(str(exc)) from exc
        return cls.from_json(data, source=f"deployment file {path}")

    def save(self, path: Path) -> None:
        write_json_atomic(path, self.to_json())


def write_json_atomic(path: Path, data: Any, mode: int = 0o644) -> None:
    """Write JSON so that a crash leaves either the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def code_keccak(code_hex: str) -> str:
    return "0x" + keccak(hexstr=code_hex).hex()


def _constructor_args(name: str, records: dict[str, ContractRecord], governance: str) -> bytes:
    if name == "TrustedIssuersRegistry":
        return encode(["address", "address"], [records["DIDRegistry"].address, governance])
    return b""


def deploy(client: ChainClient, deployer: LocalAccount, governance: str | None = None) -> Deployment:
    """Deploy every registry contract from `deployer` and describe the result.

    `governance` (default: the deployer) may onboard Root TAOs and administers that role.
    """
    start_block = client.block_number()
    records: dict[str, ContractRecord] = {}
    nonce = int(client.request("eth_getTransactionCount", [deployer.address, "pending"]), 16)
    for name in CONTRACT_NAMES:
        args = _constructor_args(name, records, checksum(governance or deployer.address))
        bytecode = load_artifact(name)["bytecode"] + args.hex()
        gas = int(client.request("eth_estimateGas", [{"from": deployer.address, "data": bytecode}]), 16)
        tx = {
            "data": bytecode,
            "value": 0,
            "gas": int(gas * 1.2) + 50_000,
            "nonce": nonce,
            "chainId": client.chain_id,
            **client.fee_fields(),
        }
        signed = deployer.sign_transaction(tx)
        receipt = client.wait_for_receipt(client.send_signed(signed.raw_transaction))
        if receipt.get("status") != 1 or not receipt.get("contractAddress"):
            raise TransactionReverted(f"deploying {name} failed")
        address = checksum(receipt["contractAddress"])
        records[name] = ContractRecord(
            address=address,
            artifact_sha256=artifact_hash(name),
            code_keccak=code_keccak(client.get_code(address)),
        )
        nonce += 1
    return Deployment(
        chain_id=client.chain_id,
        deployment_block=start_block + 1,
        deployed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        deployer=deployer.address,
        contracts=records,
    )


def check_deployment(client: ChainClient, deployment: Deployment) -> None:
    """Raise DeploymentMismatch unless the node serves the deployment's chain and code."""
    names = list(deployment.contracts)
    results = client.batch(
        [("eth_chainId", [])] + [("eth_getCode", [deployment.contracts[n].address, "latest"]) for n in names]
    )
    chain_id = int(results[0], 16)
    client._chain_id = chain_id
    if chain_id != deployment.chain_id:
        raise DeploymentMismatch(
            f"the deployment file is for chain id {deployment.chain_id}, "
            f"but {client.rpc_url} serves chain id {chain_id}"
        )
    for name, code in zip(names, results[1:], strict=True):
        record = deployment.contracts[name]
        if code in ("0x", "0x0", None):
            raise DeploymentMismatch(f"no contract code at {record.address} ({name}) on chain {chain_id}")
        if code_keccak(code) != record.code_keccak:
            raise DeploymentMismatch(f"the code at {record.address} is not the {name} this deployment recorded")
    for name in CONTRACT_NAMES:
        if name not in deployment.contracts:
            raise DeploymentMismatch(f"the deployment file lacks the {name} contract")
