"""Work-experience attestations (issue #17): an employer says a person worked for it, from when to
when, in which ESCO occupation, doing which tasks.

An Open Badges 3.0 AchievementCredential (VCDM 2.0 `vc+jwt`) of type `WorkExperienceAttestation`,
not a `SkillsCredential`: the achievement is the work itself (achievementType
`ext:WorkExperience`, aligned to the ESCO occupation), and the subject carries OB 3.0's own
`activityStartDate`, `activityEndDate`, `role` and `narrative` (the tasks). The employer need only
be a registered organisation (its did:ebsi in the DID registry), not an accredited awarding body;
the verifier says which assurance it carries (ops/verify/chain_checks.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from registry.errors import InputError
from registry.formats.credential import MAX_LABEL_CHARS, OB3_CONTEXT, Occupation, check_names_a_person, iso
from registry.formats.did import check_did
from registry.formats.vcdm2 import SKILLS_CONTEXT, VC_V2_CONTEXT, paired_status_entry
from registry.formats.vcdm2.skills import VC2_TYPES
from registry.formats.visible import check_visible

ATTESTATION_TYPE = "WorkExperienceAttestation"
MAX_TASKS = 50


@dataclass(frozen=True)
class WorkPeriod:
    occupation: Occupation
    start: int
    end: int | None
    tasks: tuple[str, ...]
    employer_name: str

    def check(self) -> None:
        self.occupation.alignment()
        if self.end is not None and self.end < self.start:
            raise InputError("the period of work ends before it starts")
        if not self.tasks or len(self.tasks) > MAX_TASKS or not all(t.strip() and len(t) <= 500 for t in self.tasks):
            raise InputError(f"say the tasks done: 1 to {MAX_TASKS} --task values of up to 500 characters")
        if not self.employer_name.strip() or len(self.employer_name) > 200:
            raise InputError("the employer's name must be 1 to 200 characters")
        check_names_a_person(self.employer_name, "the employer's name")
        check_visible(self.occupation.label, "the occupation's label", limit=MAX_LABEL_CHARS)
        for task in self.tasks:
            check_visible(task, "a task", limit=500)


def build_attestation(draft: Any, period: WorkPeriod, issued_at: int) -> dict[str, Any]:
    """The attestation for `draft` (a CredentialDraft: issuer, holder, dates, status, schema)."""
    period.check()
    # An employer attests work done: a period that starts, or ends, after today (a day's grace for
    # time zones) is not that yet.
    if period.start > issued_at + 86_400:
        starts = iso(period.start)[:10]
        raise InputError(f"the period of work starts {starts}, in the future: attest it once it has begun")
    if period.end is not None and period.end > issued_at + 86_400:
        raise InputError(
            f"the period of work ends {iso(period.end)[:10]}, in the future: attest the work done so far "
            "(leave out --until while it goes on)"
        )
    check_did(draft.issuer)
    check_did(draft.holder)
    label = period.occupation.label
    tasks = "\n".join(f"- {task}" for task in period.tasks)
    # The period and the tasks in the description too: what every verifier shows of an achievement
    # (verify, the page, a wallet, the printed passport), beside OB 3.0's own subject fields.
    when = f"from {iso(period.start)[:10]} " + (f"to {iso(period.end)[:10]}" if period.end else "(still working there)")
    achievement = {
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["Achievement"],
        "name": f"Work experience: {label}",
        "description": f"Worked as {label} for {period.employer_name} {when}: {'; '.join(period.tasks)}.",
        "criteria": {"narrative": "Attested by the employer from its own records."},
        "achievementType": "ext:WorkExperience",
        "alignment": [period.occupation.alignment()],
    }
    subject: dict[str, Any] = {"id": draft.holder, "type": ["AchievementSubject"], "achievement": achievement,
                               "activityStartDate": iso(period.start), "role": label,
                               "narrative": f"Tasks done:\n{tasks}"}  # fmt: skip
    if period.end is not None:
        subject["activityEndDate"] = iso(period.end)
    name = draft.achievement.holder_name  # the worker by name, as `issue --holder-name` writes it (never on-chain)
    if name is not None:
        if not name.strip() or len(name) > 200:
            raise InputError("the worker's name must be 1 to 200 characters")
        subject["identifier"] = [{"type": "IdentityObject", "identityHash": name.strip(), "identityType": "name",
                                  "hashed": False}]  # fmt: skip
    vc: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB3_CONTEXT, SKILLS_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": [*VC2_TYPES, ATTESTATION_TYPE],
        "name": achievement["name"],
        "issuer": {"id": draft.issuer, "type": ["Profile"], "name": period.employer_name},
        "validFrom": iso(draft.valid_from),
        "awardedDate": iso(issued_at),
        "credentialSubject": subject,
    }
    if draft.valid_until is not None:
        vc["validUntil"] = iso(draft.valid_until)
    if draft.schema_url:
        vc["credentialSchema"] = [{"id": draft.schema_url, "type": "JsonSchema"}]
    if draft.status:  # one object, as OB 3.0 allows: revocation, with its suspension twin named
        vc["credentialStatus"] = paired_status_entry(draft.status)
    return vc
