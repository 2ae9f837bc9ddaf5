"""The assessor of an RPL credential: a person the centre authorised as an assessor, with the
logbook's authorisation model (registry/ops/logbook/provider.py): a `supervisor-authorisation+jwt`
the centre signed and anchored, role `assessor`, in force for a period, revocable in the centre's
status lists. Its `programme` is the centre's RPL assessment standard, published with
`registry programme publish` like a logbook programme (its units: the skills it assesses).

The same check runs when the centre issues (it refuses an assessor not authorised on the
assessment's date) and when a verifier reads the credential (the authorisation travels inside it).
"""

from __future__ import annotations

from typing import Any

from registry.errors import InputError
from registry.formats.logbook.records import signed_by
from registry.ops.logbook.provider import status_of
from registry.ops.logbook.reports import Reads
from registry.ops.registry import REASONS, Registry


def authorised_assessor(token: str) -> str:
    """The did:key an assessor authorisation names (its signature is checked by `assessor_problem`)."""
    parsed = signed_by(token, "supervisor-authorisation+jwt")
    subject = (
        parsed.payload.get("vc", {}).get("credentialSubject", {}) if isinstance(parsed.payload.get("vc"), dict) else {}
    )
    person = parsed.payload.get("sub")
    if subject.get("role") != "assessor" or not isinstance(person, str) or subject.get("id") != person:
        raise InputError(
            "the authorisation is not an assessor's: authorise her with `supervisor authorise --role assessor`"
        )
    return person


def authorised_name(token: Any) -> str | None:
    """The assessor's name her authorisation gives (`supervisor authorise --name`), None where none:
    the centre's word, shown beside her DID (never read from an authorisation that does not hold)."""
    try:
        vc = signed_by(token, "supervisor-authorisation+jwt").payload.get("vc") if isinstance(token, str) else None
    except InputError:
        return None
    subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
    name = subject.get("name") if isinstance(subject, dict) else None
    return name if isinstance(name, str) and name else None


def assessor_problem(
    registry: Registry, centre: str, token: Any, assessor: Any, when: int, later: list[tuple[int, int]] | None = None
) -> str | None:
    """Why `token` does not show `assessor` authorised by `centre` as an assessor at `when`; None
    when it does. Reads the chain (the centre's keys, the authorisation's anchor and its status).
    A revocation after `when` goes into `later` as (reason, time): a verifier says it (ops/rpl/checks.py)."""
    try:
        if not isinstance(token, str):
            raise InputError("the credential carries no assessor authorisation")
        person = authorised_assessor(token)
        parsed = signed_by(token, "supervisor-authorisation+jwt")
        number, index = status_of(parsed.payload)
    except InputError as exc:
        return str(exc)
    if person != assessor:
        return "the authorisation names another person than the assessor"
    reads = Reads(registry)
    if not reads.provider_signed(parsed, centre):
        return "the assessor's authorisation is not signed by the issuing centre"
    anchor = reads.anchored(centre, token)
    if anchor is None:
        return "the assessor's authorisation was never anchored by the issuing centre"
    nbf, exp = int(parsed.payload.get("nbf", 0)), int(parsed.payload.get("exp", 0))
    if not nbf <= when < exp:
        return "the assessment is dated outside the assessor's authorisation period"
    revoked = reads.revocation(centre, anchor.account, number, index)
    if revoked is not None and revoked[1] <= when:
        return f"the assessor's authorisation was revoked before the assessment ({REASONS.get(revoked[0], revoked[0])})"
    if revoked is not None and later is not None:
        later.append(revoked)
    return None
