"""Gas of the accreditation chain's writes (the trusted issuers registry): onboard a Root TAO,
accredit a TAO and a TI, suspend, reinstate and revoke an accreditation, and revoke one for cause
from a stated date, through the code users run (`registry trust ...` calls the same `Trust`).

`make bench` measures it in its gas phase (run.py); on its own, `python -m scripts.bench.accreditation`
prints the figures from a fresh anvil in seconds.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from registry.chain.client import ChainClient
from registry.keystore import new_legal_entity
from registry.ops.trust import AttrStatus, IssuerType, Trust
from scripts.bench.world import ONE_YEAR, SCOPE, World, build, fund

REASON_REQUIREMENTS, REASON_FRAUD, REASON_AUDIT_PENDING, REASON_AUDIT_PASSED = 1, 2, 3, 4


def _last_receipt(client: ChainClient) -> dict[str, Any]:
    """The receipt of the newest block's transaction (anvil mines each transaction in its own block)."""
    block = client.request("eth_getBlockByNumber", ["latest", False])
    receipt: dict[str, Any] = client.request("eth_getTransactionReceipt", [block["transactions"][-1]])
    return receipt


def accreditation_gas(world: World) -> dict[str, Any]:
    """A fresh Root TAO -> TAO -> two TIs; one TI suspended, reinstated and revoked, the other
    revoked for cause from a date before the revocation: each transaction's gasUsed."""
    client, registry = world.client, world.registry
    trust = Trust(registry, world.settings.public_url)
    root, tao, first, second = (new_legal_entity(n) for n in ("authority", "accreditor", "centre-a", "centre-b"))
    for identity in (root, tao, first, second):
        fund(client, identity)
        registry.register_did(identity)
    until = int(time.time()) + ONE_YEAR
    receipts: dict[str, dict[str, Any]] = {}
    root_attribute = trust.onboard_root(world.chain.deployer, root, [SCOPE], until)
    receipts["accreditation_onboard_root"] = _last_receipt(client)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [SCOPE], until - 60)
    receipts["accreditation_accredit_tao"] = _last_receipt(client)
    first_attribute = trust.accredit(tao, tao_attribute, first.did, IssuerType.TI, [SCOPE], until - 120)
    receipts["accreditation_accredit_ti"] = _last_receipt(client)
    second_attribute = trust.accredit(tao, tao_attribute, second.did, IssuerType.TI, [SCOPE], until - 120)
    for name, status, reason in (
        ("accreditation_suspend", AttrStatus.SUSPENDED, REASON_AUDIT_PENDING),
        ("accreditation_reinstate", AttrStatus.ACTIVE, REASON_AUDIT_PASSED),
        ("accreditation_revoke", AttrStatus.REVOKED, REASON_REQUIREMENTS),
    ):
        receipts[name] = trust.set_status(tao, first.did, first_attribute, status, reason)
    since = int(client.request("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
    receipts["accreditation_revoke_for_cause"] = trust.revoke_for_cause(
        tao, second.did, second_attribute, since, REASON_FRAUD
    )
    return {name: _op(receipt) for name, receipt in receipts.items()}


def _op(receipt: dict[str, Any]) -> dict[str, Any]:
    raw = receipt["gasUsed"]
    gas = int(raw, 16) if isinstance(raw, str) else int(raw)  # a raw receipt's quantity is hex
    return {"gas": gas, "credentials": 1, "per_credential": float(gas), "transactions": 1}


def main() -> int:
    from scripts.bench.chain import bench_chain

    with tempfile.TemporaryDirectory(prefix="bench-accreditation-") as tmp, bench_chain() as chain:
        print(json.dumps(accreditation_gas(build(chain, Path(tmp) / "home", holders=1)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
