"""`did register`: the DID with its controller key, then its signing key, two transactions.

A run stopped between them (killed, the node gone) left the DID without its signing key, and
running it again was refused for good ("this DID is already registered: nothing to do"): every
credential its issuer then signed was INVALID. The chain is read first, and only what it lacks is
sent; a DID another account registered is still the contract's to refuse.
"""

from __future__ import annotations

from typing import Any

from registry.contracts.did import Rel
from registry.formats import keys as keyfmt
from registry.keystore import Identity
from registry.ops.registry import Registry


def register(registry: Registry, identity: Identity) -> dict[str, Any] | None:
    """The last receipt; None when the DID holds this identity's controller and signing keys already."""
    state = registry.resolve(identity.did)
    receipt = None
    ours = state.registered and state.controller(identity.account.address) is not None
    if not ours:
        _, x, y = keyfmt.to_coordinates(identity.controller_jwk)
        receipt = registry.client.transact(identity.account, registry.dids.register(identity.did, x, y))
    if not ours or state.method_by_thumbprint(keyfmt.thumbprint(identity.signing_jwk)) is None:
        receipt = registry.add_key(identity, identity.signing_jwk, Rel.ASSERTION_METHOD | Rel.AUTHENTICATION)
    return receipt
