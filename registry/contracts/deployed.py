"""The bindings of a deployment, by contract name (the names `registry.chain.deployment` records)."""

from __future__ import annotations

from registry.contracts.base import Binding
from registry.contracts.credentials import CredentialRegistry
from registry.contracts.did import DIDRegistry
from registry.contracts.recognition import RecognitionRegistry
from registry.contracts.tir import TrustedIssuersRegistry

BINDINGS: dict[str, type[Binding]] = {
    b.NAME: b for b in (DIDRegistry, TrustedIssuersRegistry, CredentialRegistry, RecognitionRegistry)
}


def binding(contract: str, address: str) -> Binding | None:
    """The binding of `contract` at `address` (None: not one of the registry's contracts)."""
    kind = BINDINGS.get(contract)
    return None if kind is None else kind(address)
