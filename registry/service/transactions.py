"""Client-signed writes, EBSI's way: the service builds unsigned transactions, the caller signs them
with its own key, and the service checks a signed transaction before broadcasting it.

Checks on a signed transaction: it is for this chain (EIP-155 or typed, never replayable across
chains), it calls one of our contracts (never creates one), with a function an issuer may call,
moving no value; the signer controls the DID the call acts for (for credential-registry calls,
which are namespaced by sender and name no DID, the DID the request names); its nonce is the
signer's next one (a gap would leave it queued in the node, unmined, to run whenever the gap
fills; a used nonce can never be mined); and a dry run (a gas estimate) does not revert and
needs no more gas than the transaction carries, so a doomed transaction is refused before it
costs the signer gas or sits in the node's pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rlp
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes

from registry.contracts.credentials import CredentialRegistry
from registry.contracts.deployed import binding
from registry.contracts.did import DIDRegistry
from registry.contracts.tir import TrustedIssuersRegistry
from registry.errors import InputError
from registry.ethaccount import Account, Transaction, TypedTransaction
from registry.formats import jwt
from registry.formats.did import check_ebsi_did
from registry.formats.keys import eth_address
from registry.ops.registry import Registry, did_hash
from registry.service.errors import Problem

# What an issuer (or accreditation body) may do through the service. Governance operations
# (onboarding roots) and anything else stay with their own tooling.
ALLOWED: dict[str, frozenset[str]] = {
    DIDRegistry.NAME: frozenset({"register", "addVerificationMethod", "expireVerificationMethod"}),
    TrustedIssuersRegistry.NAME: frozenset({"accredit", "setAttributeStatus"}),
    CredentialRegistry.NAME: frozenset({"anchor", "anchorCohort", "setStatus", "updateStatus", "publishStatusList"}),
}


@dataclass(frozen=True)
class SignedCall:
    raw: bytes
    signer: str
    chain_id: int | None
    to: str | None
    value: int
    data: bytes
    nonce: int = 0
    gas: int = 0


def decode_signed(raw: bytes) -> SignedCall:
    """Decode a signed legacy (EIP-155), EIP-2930 or EIP-1559 transaction and recover its signer."""
    try:
        if raw and raw[0] >= 0xC0:
            fields = rlp.decode(raw, Transaction).as_dict()
            v = int(fields["v"])
            chain_id = None if v in (27, 28) else (v - 35) // 2
        elif raw and raw[0] in (1, 2):
            fields = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
            chain_id = int(fields["chainId"])
        else:
            raise Problem(
                400, "only legacy, EIP-2930 and EIP-1559 transactions are accepted", slug="invalid-transaction"
            )
        signer = Account.recover_transaction(raw)
    except Problem:
        raise
    except Exception as exc:  # rlp, eth_account and eth_keys raise many unrelated types on junk input
        raise Problem(400, "not a signed Ethereum transaction", slug="invalid-transaction") from exc
    to = fields.get("to")
    return SignedCall(
        raw=raw,
        signer=to_checksum_address(signer),
        chain_id=chain_id,
        to=to_checksum_address(bytes(to)) if to else None,
        value=int(fields.get("value", 0)),
        data=bytes(fields.get("data", b"")),
        nonce=int(fields.get("nonce", 0)),
        gas=int(fields.get("gas", 0)),
    )


def _controls(registry: Registry, didhash: bytes, account: str) -> bool:
    (ok,) = registry.client.call(registry.dids.is_controller(didhash, account))
    return bool(ok)


def require_controller(registry: Registry, didhash: bytes, account: str, did: str | None = None) -> None:
    if not _controls(registry, didhash, account):
        who = did or "0x" + didhash.hex()
        raise Problem(403, f"{account} does not control {who}", slug="not-controller")


def check_signed(registry: Registry, tx: SignedCall, did: str | None) -> tuple[str, str]:
    """Refuse anything but an allowed call by a controller; returns (contract, function)."""
    deployment = registry.deployment
    if tx.chain_id != deployment.chain_id:
        raise Problem(
            400,
            f"the transaction is for chain {tx.chain_id}, this registry runs on chain {deployment.chain_id}",
            slug="wrong-chain",
        )
    if tx.to is None:
        raise Problem(
            403,
            "this is a contract creation, which the service never relays: it only sends calls to this registry's "
            "contracts",
            slug="contract-creation",
        )
    contract = next((name for name, rec in deployment.contracts.items() if rec.address == tx.to), None)
    if contract is None:
        raise Problem(403, f"{tx.to} is not one of this registry's contracts", slug="not-our-contract")
    if tx.value:
        raise Problem(403, "registry calls move no value", slug="value-not-allowed")
    target = binding(contract, tx.to)
    function = None if target is None else target.function_of(tx.data, ALLOWED.get(contract, ()))
    if target is None or function is None:
        raise Problem(403, f"this call to {contract} is not an issuer operation", slug="function-not-allowed")
    try:
        args = target.decode_input(function, tx.data)
    except (DecodingError, ValueError, OverflowError) as exc:
        raise Problem(400, f"the {function} arguments do not decode", slug="invalid-transaction") from exc
    if contract == DIDRegistry.NAME and function == "register":
        check_registrable(str(args[0]))
        if eth_address(bytes(args[1]), bytes(args[2])) != tx.signer:
            raise Problem(403, "register names a controller key that is not the signer's", slug="not-controller")
    elif contract in (DIDRegistry.NAME, TrustedIssuersRegistry.NAME):
        require_controller(registry, bytes(args[0]), tx.signer)
    else:
        if did is None:
            raise Problem(
                400, "credential-registry calls need `did`: the DID the signer speaks for", slug="did-required"
            )
        require_controller(registry, did_hash(did), tx.signer, did)
        if function == "publishStatusList":
            check_status_list_issuer(str(args[1]), did)
    check_nonce(registry, tx)
    check_gas(registry, tx)
    return contract, function


def check_registrable(did: str) -> None:
    """Only well-formed did:ebsi legal-entity identifiers are registered (the DID registry read
    API refuses any other as malformed, so one registered could never be read back)."""
    try:
        check_ebsi_did(did)
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-did") from exc


def check_nonce(registry: Registry, tx: SignedCall) -> None:
    """The nonce must be the signer's next one, counting its transactions already in the pool."""
    expected = int(registry.client.request("eth_getTransactionCount", [tx.signer, "pending"]), 16)
    if tx.nonce > expected:
        raise Problem(
            409,
            f"nonce {tx.nonce} leaves a gap: {tx.signer}'s next nonce is {expected}; the node would hold this "
            f"transaction unmined until nonces {expected} to {tx.nonce - 1} are used. Sign it with nonce {expected}",
            slug="nonce-gap",
            title="The transaction's nonce is not the signer's next",
            nonce=tx.nonce,
            expectedNonce=expected,
        )
    if tx.nonce < expected:
        raise _nonce_used(registry, tx, expected)


def _nonce_used(registry: Registry, tx: SignedCall, expected: int) -> Problem:
    """A used nonce. The same signed bytes sent again (a client retrying after the service dropped
    its connection mid-request, say by a restart) were told "can never be mined" of a transaction
    that was mined: that one is named, with its block and status, and nothing is sent again."""
    tx_hash = "0x" + keccak(tx.raw).hex()
    receipt = registry.client.request("eth_getTransactionReceipt", [tx_hash])
    extra: dict[str, Any] = {"nonce": tx.nonce, "expectedNonce": expected}
    if receipt is None:
        detail = (
            f"nonce {tx.nonce} is already used by {tx.signer} (mined or waiting in the node's pool), so this "
            f"transaction can never be mined: its next nonce is {expected}"
        )
    else:
        # As the node gives it: hex quantities (its shape checked by registry/chain/answers.py).
        mined = {key: int(str(receipt.get(key) or "0x0"), 16) for key in ("status", "blockNumber", "gasUsed")}
        detail = (
            f"nonce {tx.nonce} is already used by this very transaction, sent before: {tx_hash}, mined in block "
            f"{mined['blockNumber']} ({'succeeded' if mined['status'] == 1 else 'reverted'}); nothing was sent again"
        )
        extra.update(transactionHash=tx_hash, receipt=mined)
    title = "The transaction's nonce is not the signer's next"
    return Problem(409, detail, slug="nonce-used", title=title, **extra)


def check_gas(registry: Registry, tx: SignedCall) -> None:
    """The dry run: a gas estimate, which reverts (a 422 with the contract's reason) when the call
    would, and must not exceed the gas the transaction carries. With less, it would run out of
    gas, or (below the intrinsic or calldata floor cost) never be mined at all."""
    estimate = int(
        registry.client.request(
            "eth_estimateGas", [{"from": tx.signer, "to": tx.to, "data": "0x" + tx.data.hex(), "value": "0x0"}]
        ),
        16,
    )
    if tx.gas < estimate:
        raise Problem(
            400,
            f"the transaction carries {tx.gas} gas and needs at least {estimate}: sign it again with more "
            "(the service's unsigned transactions carry enough)",
            slug="insufficient-gas",
            gas=tx.gas,
            estimate=estimate,
        )


def check_status_list_issuer(token: str, did: str) -> None:
    try:
        iss = jwt.parse(token).payload.get("iss")
    except InputError as exc:
        raise Problem(400, f"the status-list credential is not a JWT: {exc}", slug="invalid-input") from exc
    if iss != did:
        raise Problem(403, f"the status-list credential is issued by {iss}, not {did}", slug="not-controller")


def receipt_summary(receipt: dict[str, Any]) -> dict[str, int]:
    return {
        "status": int(receipt.get("status", 0)),
        "blockNumber": int(receipt.get("blockNumber", 0)),
        "gasUsed": int(receipt.get("gasUsed", 0)),
    }
