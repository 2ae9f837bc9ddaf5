"""DID documents in EBSI's shape, resolved from the chain (did:ebsi) or locally (did:key)."""

from __future__ import annotations

import time
from typing import Any

from registry.config import Settings
from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.did import check_did
from registry.formats.didkey import resolve_did_key
from registry.ops.registry import DidState, Registry, Rel

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]
_RELATIONSHIPS = {
    Rel.AUTHENTICATION: "authentication",
    Rel.ASSERTION_METHOD: "assertionMethod",
    Rel.CAPABILITY_INVOCATION: "capabilityInvocation",
    Rel.CAPABILITY_DELEGATION: "capabilityDelegation",
}


def document_from_state(state: DidState, at: int) -> dict[str, Any]:
    """The document as it stood at `at`: only keys whose window contains `at` are listed."""
    if not state.registered or state.registered_at > at:
        raise InputError(f"{state.did} is not registered" + (f" on {iso(at)}" if state.registered else ""))
    doc: dict[str, Any] = {
        "@context": DID_CONTEXT,
        "id": state.did,
        "controller": [state.did],
        "verificationMethod": [],
    }
    for name in _RELATIONSHIPS.values():
        doc[name] = []
    for method in state.methods:
        if not method.valid_at(at):
            continue
        vm_id = f"{state.did}#{method.thumbprint}"
        doc["verificationMethod"].append(
            {
                "id": vm_id,
                "type": "JsonWebKey2020",
                "controller": state.did,
                "publicKeyJwk": method.jwk,
            }
        )
        for rel, name in _RELATIONSHIPS.items():
            if method.has(rel):
                doc[name].append(vm_id)
    return {k: v for k, v in doc.items() if v != []}


def resolve_document(settings: Settings, did: str, at: int | None = None) -> dict[str, Any]:
    check_did(did)
    if did.startswith("did:key:"):
        document: dict[str, Any] = resolve_did_key(did)
        return document
    if not did.startswith("did:ebsi:"):
        raise InputError(f"cannot resolve {did.split(':')[1]!r} DIDs (did:ebsi and did:key are supported)")
    registry = Registry.connect(settings, journal=False)  # a read: the journal is not needed
    state = registry.resolve(did)
    return document_from_state(state, at if at is not None else int(time.time()))
