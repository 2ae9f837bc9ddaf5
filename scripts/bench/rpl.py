"""Gas of recognition of prior learning (issue #17), through the code an RPL centre and an employer
run: one RPL assessment credential (`RplIssuer`, evidence hashed into the credential only) and one
work-experience attestation (`Attester`), each anchored in its own transaction. Only the anchor is
on-chain, so each costs what a single anchor costs; the figures show it is so.

The centre is accredited under a root of its own (onboarded here by the bench's governance), so
the world's training centre and its accreditation, which the other figures rest on, are untouched.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from registry.formats.accreditation import Scope
from registry.formats.credential import Achievement, Occupation
from registry.formats.rpl import RPL_TYPE, WorkPeriod, parse_assessment
from registry.keystore import new_legal_entity
from registry.ops.logbook import Provider
from registry.ops.rpl import Attester, RplIssuer
from registry.ops.trust import IssuerType, Trust
from scripts.bench.world import ONE_YEAR, WELDING, World, fund

RPL_SCOPE = Scope(types=("SkillsCredential", RPL_TYPE))
WELDER = Occupation("http://data.europa.eu/esco/occupation/07b6bdd0-9ba7-45e1-8b79-3b8b7b5a07c8", "welder")
DAY = 86_400


def _centre(world: World) -> tuple[Any, str]:
    """An RPL centre accredited under a root of its own, and an assessor's authorisation (under the
    centre's assessment standard, published as a logbook programme)."""
    registry, settings = world.registry, world.settings
    root, centre = new_legal_entity("rpl-root"), new_legal_entity("rpl-centre")
    for identity in (root, centre):
        fund(world.client, identity)
        registry.register_did(identity)
    trust, until = Trust(registry, settings.public_url), int(time.time()) + ONE_YEAR
    attribute = trust.onboard_root(world.chain.deployer, root, [RPL_SCOPE], until)
    trust.accredit(root, attribute, centre.did, IssuerType.TI, [RPL_SCOPE], until)
    provider = Provider(registry, centre, settings)
    standard = provider.publish_programme({
        "id": "urn:rpl:welding", "version": 1, "title": "RPL: welding", "eqfLevel": 3, "durationMonths": 1,
        "backdatingDays": 7, "units": [{"id": "W", "title": "Welds", "skills": [WELDING.uri], "hours": 1,
                                         "signer": "assessor"}],
    })  # fmt: skip
    now = registry.signing_time()
    return centre, provider.authorise(standard, world.holders[-1], "assessor", now - DAY, now + ONE_YEAR)


def rpl_gas(world: World, home: Path) -> dict[str, Any]:
    """Gas of one RPL credential and one work-experience attestation (the centre's standard and each
    assessor's authorisation are one anchor each, once: not per credential)."""
    centre, token = _centre(world)
    employer = new_legal_entity("employer")
    fund(world.client, employer)
    world.registry.register_did(employer)
    holder = world.holders[0]
    period = WorkPeriod(WELDER, int(time.time()) - 400 * DAY, int(time.time()) - 30 * DAY,
                        ("MIG welding of steel frames",), "Bench Stahlbau GmbH")  # fmt: skip
    attester = Attester(world.registry, employer, world.settings, period)
    stand_in = Achievement("work", "", "")
    attester.check_can_issue(holder, stand_in, valid_until=None, extra_types=())
    kept = home / "rpl-evidence"
    kept.mkdir(exist_ok=True)
    attestation = attester.issue_single(holder, stand_in, out=kept / "attestation.json")
    (kept / "weld.jpg").write_bytes(b"a weld" * 1000)
    (kept / "testimony.txt").write_text("She welded for us for three years.")
    assessment = {
        "methods": ["observation", "practical-test", "testimony"], "date": time.strftime("%Y-%m-%d"),
        "evidence": [{"file": "weld.jpg", "name": "Weld", "genre": "Photograph"},
                     {"file": "testimony.txt", "name": "Employer", "genre": "Testimony"}],
        "attestations": ["attestation.json"],
    }  # fmt: skip
    _, parsed = parse_assessment(assessment, kept)
    issuer = RplIssuer(world.registry, centre, world.settings, parsed)
    issuer.prepare(token)
    achievement = Achievement("MIG welding (RPL)", "MIG welding (RPL)", "RPL", "Competency", (WELDING,), eqf_level=3)
    done = issuer.issue_rpl(holder, achievement, home / "rpl-credential.json", None)
    gas = {"rpl_credential": int(done.issued.receipt["gasUsed"])} if done.issued.receipt else {}
    if attestation.receipt:
        gas["work_attestation"] = int(attestation.receipt["gasUsed"])
    return {name: {"gas": value, "credentials": 1, "per_credential": float(value), "transactions": 1}
            for name, value in gas.items()}  # fmt: skip
