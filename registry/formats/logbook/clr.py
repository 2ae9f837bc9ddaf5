"""A completed logbook's summary as a 1EdTech Comprehensive Learner Record 2.0 credential (pure).

A `ClrCredential` (VCDM 2.0) whose `credentialSubject` is a `ClrSubject`: `achievement` lists the
programme and each unit of its standard (OB 3.0 `Achievement`s, aligned to their ESCO skills and the
programme's EQF level); `verifiableCredential` holds one OB 3.0 `OpenBadgeCredential` per unit the
learner completed (entries, hours and period in its subject's narrative and activity dates);
`association` says each unit `isChildOf` the programme. `evidence` names the logbook and its root,
and the qualification credential that summarises it. The provider signs the whole as CLR 2.0's
VC-JWT (the nested credentials are covered by that signature; they carry no proof of their own).
"""

from __future__ import annotations

import uuid
from typing import Any

from registry.formats import jwt
from registry.formats.credential import EQF_PREFIX, iso
from registry.formats.logbook.programme import Programme, Unit

VC2 = "https://www.w3.org/ns/credentials/v2"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_SCHEMA = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
OB3_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"


def _alignment(skills: tuple[str, ...], eqf_level: int | None) -> list[dict[str, Any]]:
    found = [{"type": ["Alignment"], "targetName": s.rsplit("/", 1)[-1], "targetUrl": s, "targetFramework": "ESCO",
              "targetCode": s.rsplit("/", 1)[-1]} for s in skills]  # fmt: skip
    if eqf_level is not None:
        found.append({"type": ["Alignment"], "targetName": f"EQF level {eqf_level}",
                      "targetUrl": f"{EQF_PREFIX}{eqf_level}", "targetFramework": "European Qualifications Framework",
                      "targetCode": str(eqf_level)})  # fmt: skip
    return found


def _achievement(aid: str, name: str, description: str, criteria: str, creator: dict[str, Any],
                 kind: str, alignment: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    return {"id": aid, "type": ["Achievement"], "achievementType": kind, "creator": creator, "name": name,
            "description": description, "criteria": {"narrative": criteria}, "alignment": alignment}  # fmt: skip


def unit_achievement_id(programme: Programme, unit: Unit) -> str:
    return f"{programme.id}@{programme.version}#{unit.id}"


def _unit_credential(
    programme: Programme, unit: Unit, achievement: dict[str, Any], issuer: dict[str, Any], learner: str,
    row: dict[str, Any], valid_from: str,
) -> dict[str, Any]:  # fmt: skip
    hours, entries = row["hours"], row["entries"]
    return {
        "@context": [VC2, OB3_CONTEXT], "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": issuer, "validFrom": valid_from,
        "name": f"{programme.title}: {unit.title}",
        "credentialSubject": {
            "id": learner, "type": ["AchievementSubject"], "achievement": achievement,
            "narrative": f"{hours:g} h over {entries} logbook entries signed off by an authorised {unit.signer}",
        },
        "credentialSchema": [{"id": OB3_SCHEMA, "type": SCHEMA_TYPE}],
    }  # fmt: skip


def build_clr(
    programme: Programme, issuer_name: str, learner: str, summary: dict[str, Any], qualification: str, issued_at: int
) -> dict[str, Any]:
    """The ClrCredential of a logbook `summary` (formats/logbook/summary.py), unsigned."""
    issuer = {"id": programme.provider, "type": ["Profile"], "name": issuer_name}
    creator = {"id": programme.provider, "type": ["Profile"]}
    valid_from = iso(issued_at)
    top_id = f"{programme.id}@{programme.version}"
    top = _achievement(top_id, programme.title, f"The competency standard of {programme.title}",
                       f"Every unit's hours signed off in the learner's skills logbook ({len(programme.units)} units)",
                       creator, "Certificate", _alignment((), programme.eqf_level))  # fmt: skip
    rows = {u["id"]: u for u in summary["units"]}
    units, credentials = [], []
    for unit in programme.units:
        aid = unit_achievement_id(programme, unit)
        achievement = _achievement(aid, unit.title, f"Unit {unit.id} of {programme.title}",
                                   f"{unit.hours} h of work signed off by an authorised {unit.signer}",
                                   creator, "Competency", _alignment(unit.skills, None))  # fmt: skip
        units.append(achievement)
        row = rows.get(unit.id)
        if row is not None and row["hours"] >= unit.hours:
            credentials.append(_unit_credential(programme, unit, achievement, issuer, learner, row, valid_from))
    return {
        "@context": [VC2, CLR_CONTEXT, OB3_CONTEXT], "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"], "issuer": issuer, "validFrom": valid_from,
        "name": f"{programme.title}: skills logbook",
        "description": f"{summary['entries']} entries, {summary['hours']:g} h, {summary['from']} to {summary['until']}",
        "credentialSubject": {
            "id": learner, "type": ["ClrSubject"], "verifiableCredential": credentials,
            "achievement": [top, *units],
            "association": [{"type": "Association", "associationType": "isChildOf", "sourceId": a["id"],
                             "targetId": top_id} for a in units],
        },
        "evidence": [{"id": summary["id"], "type": ["Evidence"], "name": "Skills logbook",
                      "narrative": f"Logbook root {summary['root']}; summarised by the qualification {qualification}"}],
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_TYPE}],
    }  # fmt: skip


def sign_clr(clr: dict[str, Any], key: Any, kid: str, issued_at: int) -> str:
    """The ClrCredential as CLR 2.0's VC-JWT (as 1EdTech's `simple.jwt` fixture): the credential in
    the `vc` claim, `iss`, `sub`, `jti` and `nbf` mirroring it."""
    payload = {"iss": clr["issuer"]["id"], "sub": clr["credentialSubject"]["id"], "jti": clr["id"], "nbf": issued_at,
               "iat": issued_at, "vc": clr}  # fmt: skip
    return jwt.sign({"alg": "ES256", "typ": "JWT", "kid": kid}, payload, key)


NOT_CHECKED_HERE = (
    "a 1EdTech CLR 2.0 ClrCredential (the summary `registry logbook complete` writes beside the "
    "qualification): its format is not checked by `registry verify`; check the logbook's extract with "
    "`registry logbook verify EXTRACT`, and the qualification it summarises with `registry verify qualification.json`"
)
