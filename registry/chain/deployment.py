"""Deploying the registry contracts and the file that records a deployment.

The deployment file is what every other command reads: chain id, contract addresses, the block
the contracts were deployed in (where log queries start) and its hash, the sha256 of the
creation bytecode each address was deployed from, and the keccak of the code found there
afterwards. Attaching to a deployment checks, in one batched round trip, that the node serves
that chain id, that its block at that height has that hash, and that each address holds exactly
that code, so a wrong network or "a contract that is not ours" is named as such instead of
surfacing later as a confusing revert.

The block hash is what tells two chains apart when chain id and code cannot: every local
anvil or Hardhat chain has chain id 31337, and the same development account deploying the same
contracts gets the same addresses and code on each. A file written before the hash was
recorded has none, and attaches without that comparison.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from registry.chain.artifacts import ALL_CONTRACTS, CONTRACT_NAMES, EXTENSIONS, artifact_hash, load_artifact
from registry.chain.client import ChainClient, checksum
from registry.chain.codec import encode
from registry.durable import write_json_atomic
from registry.errors import ChainUnavailable, ConfigError, DeploymentMismatch, InputError, TransactionReverted
from registry.files import MIB, read_capped
from registry.formats import safejson
from registry.formats.eth import keccak_hexstr
from registry.formats.locator import Locator

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

FORMAT = "skills-registry-deployment/1"
MAX_DEPLOYMENT_BYTES = MIB


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
    # Hash of block `deployment_block`; None in files written before it was recorded.
    deployment_block_hash: str | None = None

    def address(self, name: str) -> str:
        try:
            return self.contracts[name].address
        except KeyError as exc:
            raise ConfigError(f"the deployment file has no {name} contract") from exc

    def locator(self, service: str | None = None) -> Locator | None:
        """This deployment as a holder file names it (formats/locator.py); None for a file written
        before the block hash was recorded, which cannot name its chain apart from a reset one."""
        if self.deployment_block_hash is None or any(n not in self.contracts for n in CONTRACT_NAMES):
            return None
        records = [self.contracts[n] for n in CONTRACT_NAMES]
        addresses = tuple(r.address.lower() for r in records)
        codes = tuple(r.code_keccak.lower() for r in records)
        extra = self.contracts.get("RecognitionRegistry")
        recognition = None if extra is None else (extra.address.lower(), extra.code_keccak.lower())
        return Locator(
            self.chain_id, self.deployment_block, self.deployment_block_hash, addresses, codes,  # type: ignore[arg-type]
            service, recognition,
        )  # fmt: skip

    @classmethod
    def from_locator(cls, locator: Locator) -> Deployment:
        """The deployment a holder file's locator names, to attach to as to a deployment file
        (chain id, block hash and code are checked the same way)."""
        contracts = {
            name: ContractRecord(address=checksum(address), artifact_sha256=artifact_hash(name), code_keccak=code)
            for name, address, code in zip(CONTRACT_NAMES, locator.addresses, locator.code_hashes, strict=True)
        }
        if locator.recognition is not None:
            address, code = locator.recognition
            record = ContractRecord(checksum(address), artifact_hash("RecognitionRegistry"), code)
            contracts["RecognitionRegistry"] = record
        return cls(locator.chain_id, locator.block, "", "", contracts, locator.block_hash)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["deployment_block_hash"] is None:
            del data["deployment_block_hash"]
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
            block_hash = data.get("deployment_block_hash")
            if block_hash is not None and not _is_hash(block_hash):
                raise ConfigError(f"{source} is malformed: deployment_block_hash is not a 32-byte hex hash")
            return cls(
                chain_id=_number(data["chain_id"], "chain_id", source, 1),
                deployment_block=_number(data["deployment_block"], "deployment_block", source, 0),
                deployed_at=str(data["deployed_at"]),
                deployer=str(data["deployer"]),
                contracts=contracts,
                deployment_block_hash=block_hash.lower() if block_hash is not None else None,
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
        if not path.exists() and not path.is_symlink():
            raise ConfigError(
                f"no deployment file at {path}: pass the registry's deployment file with --deployment FILE "
                "(or REGISTRY_DEPLOYMENT); only whoever runs a new registry writes one, with `registry deploy`"
            )
        try:
            text = read_capped(path, MAX_DEPLOYMENT_BYTES, f"deployment file {path}").decode("utf-8")
        except InputError as exc:
            raise ConfigError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"deployment file {path} is not UTF-8 text") from exc
        try:
            data = safejson.loads(text, f"deployment file {path}")
        except InputError as exc:
            raise ConfigError(str(exc)) from exc
        return cls.from_json(data, source=f"deployment file {path}")

    def save(self, path: Path) -> None:
        write_json_atomic(path, self.to_json())


def _number(value: Any, name: str, source: str, least: int) -> int:
    """A whole number as a registry locator carries it (formats/locator.py), or ConfigError: a chain id
    of -1 was taken, written into a trust list's pin by `trust-list add --registry`, and the list then
    refused by every command that read it."""
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value < 2**64:
        raise ConfigError(f"{source} is malformed: {name} must be a whole number from {least} to 2^64-1")
    return value


def _is_hash(value: object) -> TypeGuard[str]:
    return (
        isinstance(value, str)
        and len(value) == 66
        and value[:2] in ("0x", "0X")
        and all(c in "0123456789abcdefABCDEF" for c in value[2:])
    )


def _short_hash(value: str) -> str:
    return f"{value[:10]}…{value[-4:]}" if len(value) > 16 else value


def code_keccak(code_hex: str) -> str:
    return "0x" + keccak_hexstr(code_hex).hex()


def _constructor_args(name: str, records: dict[str, ContractRecord], governance: str) -> bytes:
    if name == "TrustedIssuersRegistry":
        return encode(["address", "address"], [records["DIDRegistry"].address, governance])
    if name == "RecognitionRegistry":
        tir = records["TrustedIssuersRegistry"].address
        return encode(["address", "address"], [records["DIDRegistry"].address, tir])
    return b""


def _deploy_one(
    client: ChainClient,
    deployer: LocalAccount,
    name: str,
    records: dict[str, ContractRecord],
    governance: str | None,
    nonce: int,
) -> tuple[dict[str, Any], ContractRecord]:
    """Deploy contract `name` (its constructor given the addresses in `records`); its receipt and record."""
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
    record = ContractRecord(
        address=address, artifact_sha256=artifact_hash(name), code_keccak=code_keccak(client.get_code(address))
    )
    return receipt, record


def missing_extensions(deployment: Deployment) -> list[str]:
    """The contracts deployed beside the registry's since it was made (EXTENSIONS) that it lacks."""
    return [name for name in EXTENSIONS if name not in deployment.contracts]


def deploy_extensions(client: ChainClient, deployer: LocalAccount, deployment: Deployment) -> Deployment:
    """An upgrade in place: the extensions `deployment` lacks (a registry deployed before recognition
    decisions) deployed beside its contracts, which are kept with everything they hold; the deployment
    block stays the registry's. The caller has checked the node serves `deployment`."""
    records = dict(deployment.contracts)
    nonce = int(client.request("eth_getTransactionCount", [deployer.address, "pending"]), 16)
    for name in missing_extensions(deployment):
        _, records[name] = _deploy_one(client, deployer, name, records, None, nonce)
        nonce += 1
    return replace(deployment, contracts=records)


def deploy(client: ChainClient, deployer: LocalAccount, governance: str | None = None) -> Deployment:
    """Deploy every registry contract from `deployer` and describe the result.

    `governance` (default: the deployer) may onboard Root TAOs and administers that role.
    """
    records: dict[str, ContractRecord] = {}
    first_receipt: dict[str, Any] = {}
    nonce = int(client.request("eth_getTransactionCount", [deployer.address, "pending"]), 16)
    for name in ALL_CONTRACTS:
        receipt, records[name] = _deploy_one(client, deployer, name, records, governance, nonce)
        first_receipt = first_receipt or receipt
        nonce += 1
    block = int(first_receipt["blockNumber"])
    block_hash = str(first_receipt["blockHash"]).lower()
    # The block's hash identifies this chain in the file; make sure it is still the chain's block
    # at that height now that every contract is deployed (a reorg during deployment would leave
    # the file naming an orphaned block, and every later attach would refuse it).
    header = client.request("eth_getBlockByNumber", [hex(block), False])
    current = str(header.get("hash", "")).lower() if isinstance(header, dict) else None
    if current != block_hash:
        raise ChainUnavailable(
            f"block {block}, where {CONTRACT_NAMES[0]} was deployed, was replaced by a reorg during deployment "
            f"({_short_hash(block_hash)} is now {_short_hash(current) if current else 'missing'}); deploy again"
        )
    return Deployment(
        chain_id=client.chain_id,
        deployment_block=block,
        deployed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        deployer=deployer.address,
        contracts=records,
        deployment_block_hash=block_hash,
    )


def check_deployment(client: ChainClient, deployment: Deployment) -> None:
    """Raise DeploymentMismatch unless the node serves the deployment's chain and code.

    One batch: chain id, the block at the deployment's height (when the file records its hash)
    and the code at each address.
    """
    names = list(deployment.contracts)
    expected_hash = deployment.deployment_block_hash
    requests: list[tuple[str, list[Any]]] = [("eth_chainId", [])]
    if expected_hash is not None:
        requests.append(("eth_getBlockByNumber", [hex(deployment.deployment_block), False]))
    requests += [("eth_getCode", [deployment.contracts[n].address, "latest"]) for n in names]
    results = client.batch(requests)
    chain_id = int(results[0], 16)
    client._chain_id = chain_id
    if chain_id != deployment.chain_id:
        raise DeploymentMismatch(
            f"the deployment file is for chain id {deployment.chain_id}, "
            f"but {client.rpc_url} serves chain id {chain_id}: point at a node of chain {deployment.chain_id} "
            "(--rpc, REGISTRY_RPC_URL), or use the deployment file of the registry on this one (--deployment)"
        )
    codes = results[1:]
    if expected_hash is not None:
        header, codes = results[1], results[2:]
        _check_block(client, deployment, expected_hash, header)
    for name, code in zip(names, codes, strict=True):
        record = deployment.contracts[name]
        if code in ("0x", "0x0", None):
            raise DeploymentMismatch(
                f"no contract code at {record.address} ({name}) on chain {chain_id}: the deployment file names a "
                "wrong address, or the registry is not deployed on this chain; use the deployment file "
                "`registry deploy` wrote for it"
            )
        if code_keccak(code) != record.code_keccak:
            raise DeploymentMismatch(
                f"the code at {record.address} is not the {name} this deployment recorded: the deployment file "
                "names a wrong address; use the deployment file `registry deploy` wrote for this chain"
            )
    for name in CONTRACT_NAMES:
        if name not in deployment.contracts:
            raise DeploymentMismatch(f"the deployment file lacks the {name} contract")


def _check_block(client: ChainClient, deployment: Deployment, expected: str, header: Any) -> None:
    """The node's block at the deployment's height must be the one the deployment recorded.

    The deployment block is normally deep, so a different hash (or no such block: a node on
    another chain that is not that long, or one that lost its blocks) means this node does not
    serve the chain the deployment file describes, whatever its chain id and code say.
    """
    block = deployment.deployment_block
    if header is None:
        raise DeploymentMismatch(
            f"the deployment file is for another chain, or the node is behind: {client.rpc_url} has no block "
            f"{block}, which the deployment recorded as {_short_hash(expected)}; wait for a node still syncing, or "
            "use the deployment file of the registry on this chain (a new chain: `registry deploy`)"
        )
    actual = header.get("hash") if isinstance(header, dict) else None
    if not _is_hash(actual):
        raise ChainUnavailable(f"malformed answer from {client.rpc_url} to eth_getBlockByNumber({block})")
    if actual.lower() != expected:
        raise DeploymentMismatch(
            f"the deployment file is for another chain: block {block} at {client.rpc_url} is "
            f"{_short_hash(actual.lower())}, the deployment recorded {_short_hash(expected)}; use the deployment "
            "file of the registry on this chain, or a node of the deployment's chain"
        )
