"""Gas per recognition decision (issue #17): publish, suspend, reinstate and revoke one, through the
code users run (`registry recognition ...` calls the same `Recognition`).

`make bench` measures it in its gas phase (run.py); on its own, `python -m scripts.bench.recognition`
prints the figures from a fresh anvil in seconds.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from registry.formats.accreditation import Scope as Scope_
from registry.formats.frameworks import find_framework
from registry.formats.recognition import RECOGNITION_TYPE, DecisionDocument, Outcome, Scope
from registry.keystore import new_legal_entity
from registry.ops.recognition.authority import Recognition
from registry.ops.recognition.model import DecisionStatus
from registry.ops.trust import IssuerType, Trust
from scripts.bench.world import ONE_YEAR, SCOPE, World, build, fund

REASON_UNDER_REVIEW, REASON_REVIEW_CLOSED, REASON_SUPERSEDED = 3, 4, 1


def decision_for(authority: str, root: str) -> DecisionDocument:
    """A representative decision: two types at one EQF level from one root, an outcome, conditions."""
    framework = find_framework("de-dqr")
    assert framework is not None
    return DecisionDocument(
        authority=authority,
        scope=Scope(types=("SkillsCredential", "WeldingCertificate"), eqf_levels=(4,), root=root),
        outcome=Outcome("Schweißer/in (MIG/MAG)", framework.id, "4"),
        valid_from=int(time.time()),
        valid_until=int(time.time()) + 5 * ONE_YEAR,
        conditions="with a practical test on plate and pipe",
        reference="REC-2026-0001",
    )


def recognition_gas(world: World) -> dict[str, Any]:
    """A destination authority (a Root TAO of its own) publishes one decision, then suspends,
    reinstates and revokes it; a recognition body it accredits publishes one: each transaction's gasUsed."""
    client, registry = world.client, world.registry
    authority = new_legal_entity("recognition-office")
    fund(client, authority)
    registry.register_did(authority)
    trust = Trust(registry, world.settings.public_url)
    until = int(time.time()) + ONE_YEAR
    root_attribute = trust.onboard_root(world.chain.deployer, authority, [SCOPE, Scope_((RECOGNITION_TYPE,))], until)
    recognition = Recognition(registry)
    document = decision_for(authority.did, world.root)
    published = client.transact(authority.account, recognition.publish_call(authority, document))
    # A second decision of the same authority: its list of decisions is no longer a fresh slot.
    following = replace(document, scope=replace(document.scope, eqf_levels=(5,)), reference="REC-2026-0002")
    next_published = client.transact(authority.account, recognition.publish_call(authority, following))
    # A recognition body the authority accredits for recognition decisions publishes its first one.
    body = new_legal_entity("recognition-body")
    fund(client, body)
    registry.register_did(body)
    trust.accredit(authority, root_attribute, body.did, IssuerType.TAO, [Scope_((RECOGNITION_TYPE,))], until)
    by_body = client.transact(body.account, recognition.publish_call(body, decision_for(body.did, world.root)))
    decision_id = document.decision_id()
    changes = {}
    for name, status, reason in (
        ("recognition_suspend", DecisionStatus.SUSPENDED, REASON_UNDER_REVIEW),
        ("recognition_reinstate", DecisionStatus.ACTIVE, REASON_REVIEW_CLOSED),
        ("recognition_revoke", DecisionStatus.REVOKED, REASON_SUPERSEDED),
    ):
        changes[name] = recognition.set_status(authority, decision_id, status, reason)
    size = len(document.text().encode("utf-8"))
    figures = {
        "recognition_publish": _op(published, note=f"the authority's first decision, {size} bytes in the event"),
        "recognition_publish_next": _op(next_published, note="a further decision of the same authority"),
        "recognition_publish_by_body": _op(by_body, note="a recognition body's first decision (a TAO accredited "
                                           "for recognition decisions by its Root TAO)"),
    }  # fmt: skip
    figures.update({name: _op(receipt) for name, receipt in changes.items()})
    return figures


def _op(receipt: dict[str, Any], **extra: Any) -> dict[str, Any]:
    gas = int(receipt["gasUsed"])
    return {"gas": gas, "credentials": 1, "per_credential": float(gas), "transactions": 1, **extra}


def main() -> int:
    from scripts.bench.chain import bench_chain

    with tempfile.TemporaryDirectory(prefix="bench-recognition-") as tmp, bench_chain() as chain:
        print(json.dumps(recognition_gas(build(chain, Path(tmp) / "home", holders=1)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
