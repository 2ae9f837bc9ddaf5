"""Issuer writes: build an unsigned transaction, sign it yourself, send it back to be checked and
broadcast. The service holds no key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from registry.chain.client import Call, NodeRefused
from registry.errors import InputError
from registry.formats import keys as keyfmt
from registry.formats.keys import KeyType
from registry.ops.registry import Purpose, Registry, did_hash, list_id, masks_for
from registry.ops.trust import AttrStatus, IssuerType
from registry.service import schemas as s
from registry.service.deps import AccessDep, ConfigDep, RegistryDep
from registry.service.errors import Problem
from registry.service.routers.common import parse_hex32, problems
from registry.service.transactions import (
    check_registrable,
    check_signed,
    check_status_list_issuer,
    decode_signed,
    receipt_summary,
    require_controller,
)

router = APIRouter(prefix="/api/transactions", tags=["Issuer writes (client-signed)"])


def _builds(path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(path, response_model=s.UnsignedTransaction, responses=problems(400, 403, 422, 503))


def _key(jwk: s.PublicKey) -> tuple[KeyType, bytes, bytes]:
    try:
        return keyfmt.to_coordinates(jwk.model_dump(exclude_none=True))
    except (InputError, KeyError, ValueError) as exc:
        raise Problem(400, f"public key: {exc}", slug="invalid-input") from exc


def _build(registry: Registry, body: s.BuildBase, call: Call) -> dict[str, Any]:
    """The unsigned transaction; gas is estimated here, so a call the contract refuses is a 422 now."""
    tx = registry.client.build_transaction(body.sender, call)
    tx.pop("from")
    return {"operation": call.function, "contract": call.contract, "function": call.function, "transaction": tx}


def _speaks_for(registry: Registry, body: s.BuildBase, did: str) -> None:
    """Credential-registry writes are namespaced by sender: it must control the DID it names."""
    require_controller(registry, did_hash(did), body.sender, did)


@_builds("/register-did")
def build_register_did(body: s.RegisterDid, registry: RegistryDep) -> Any:
    """Register a did:ebsi with the sender's secp256k1 key as its first controller."""
    check_registrable(body.did)
    kind, x, y = _key(body.controllerJwk)
    if kind is not KeyType.SECP256K1:
        raise Problem(400, "the controller key must be secp256k1", slug="invalid-input")
    return _build(registry, body, registry.dids.register(body.did, x, y))


@_builds("/add-verification-method")
def build_add_key(body: s.AddKey, registry: RegistryDep) -> Any:
    """Add a key to a DID document (a controller key needs its EIP-712 possession signature)."""
    kind, x, y = _key(body.publicKeyJwk)
    method = (x, y, int(kind), body.relationships, body.notBefore, body.notAfter)
    signature = bytes.fromhex(body.possessionSignature[2:])
    return _build(registry, body, registry.dids.add_verification_method(did_hash(body.did), method, signature))


@_builds("/accredit")
def build_accredit(body: s.Accredit, registry: RegistryDep) -> Any:
    """A Root TAO or TAO accredits a TAO or TI with an accreditation JWT it signed."""
    return _build(registry, body, registry.tir.accredit(
        did_hash(body.parentDid), parse_hex32(body.parentAttributeId, "parentAttributeId"),
        did_hash(body.childDid), parse_hex32(body.attributeId, "attributeId"),
        int(IssuerType[body.issuerType]), body.body, body.validFrom, body.validUntil,
    ))  # fmt: skip


@_builds("/attribute-status")
def build_attribute_status(body: s.AttributeStatus, registry: RegistryDep) -> Any:
    """Suspend, reinstate or revoke an accreditation the actor granted."""
    return _build(registry, body, registry.tir.set_attribute_status(
        did_hash(body.actorDid), did_hash(body.did), parse_hex32(body.attributeId, "attributeId"),
        int(AttrStatus[body.status.upper()]), body.reason,
    ))  # fmt: skip


@_builds("/anchor")
def build_anchor(body: s.Anchor, registry: RegistryDep) -> Any:
    """Anchor one credential hash (sha256 of the JWT)."""
    _speaks_for(registry, body, body.did)
    return _build(registry, body, registry.credentials.anchor(parse_hex32(body.hash, "hash")))


@_builds("/anchor-cohort")
def build_anchor_cohort(body: s.AnchorCohort, registry: RegistryDep) -> Any:
    """Anchor the Merkle root of a cohort of `count` credentials."""
    _speaks_for(registry, body, body.did)
    return _build(registry, body, registry.credentials.anchor_cohort(parse_hex32(body.root, "root"), body.count))


@_builds("/set-status")
def build_set_status(body: s.SetStatus, registry: RegistryDep) -> Any:
    """Revoke or suspend one entry (the cheap single-entry path)."""
    _speaks_for(registry, body, body.did)
    call = registry.credentials.set_status(Purpose.parse(body.purpose), body.listNumber, body.index, body.reason)
    return _build(registry, body, call)


@_builds("/update-status")
def build_update_status(body: s.UpdateStatus, registry: RegistryDep) -> Any:
    """Set (revoke, suspend) or clear (reinstate) many entries of one list in one transaction."""
    _speaks_for(registry, body, body.did)
    words, masks = masks_for(body.indexes)
    purpose = Purpose.parse(body.purpose)
    call = registry.credentials.update_status(purpose, body.listNumber, words, masks, body.set, body.reason)
    return _build(registry, body, call)


@_builds("/publish-status-list")
def build_publish_status_list(body: s.PublishStatusList, registry: RegistryDep) -> Any:
    """Publish the issuer-signed status-list credential of one of the sender's lists."""
    _speaks_for(registry, body, body.did)
    check_status_list_issuer(body.credential, body.did)
    lid = list_id(Purpose.parse(body.purpose), body.listNumber)
    return _build(registry, body, registry.credentials.publish_status_list(lid, body.credential))


@router.post("/send", response_model=s.SentTransaction, responses=problems(400, 403, 409, 422, 503))
def send_signed_transaction(
    body: s.SendTransaction, registry: RegistryDep, access: AccessDep, config: ConfigDep
) -> Any:
    """EBSI's sendSignedTransaction: check the signed transaction (chain, contract, function, signer
    controls the DID, nonce, gas), broadcast it, and return its hash (and receipt with `waitForReceipt`).

    409 when the nonce is not the signer's next, or when the node refuses the transaction (its
    reason, e.g. a fee under the base fee or too little ether, is in `detail` and `reason`); 503
    only when the node cannot be reached.
    """
    tx = decode_signed(bytes.fromhex(body.signedRawTransaction[2:]))
    contract, function = check_signed(registry, tx, body.did)
    try:
        tx_hash = access.base.send_signed(tx.raw)
    except NodeRefused as exc:
        raise Problem(
            409,
            f"the node refused the transaction: {exc.reason}",
            slug="node-refused",
            title="The node refuses this transaction",
            reason=exc.reason,
        ) from exc
    access.forget_head()  # read-your-writes: the next request asks the node for the new head
    result: dict[str, Any] = {
        "transactionHash": tx_hash,
        "signer": tx.signer,
        "contract": contract,
        "function": function,
    }
    if body.waitForReceipt:
        result["receipt"] = receipt_summary(access.base.wait_for_receipt(tx_hash, config.receipt_timeout_s))
        access.forget_head()
    return result
