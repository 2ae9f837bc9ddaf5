"""RPL assessment credentials (issue #17): what an accredited centre signs when it recognises
skills a person learned outside formal training.

The credential is an Open Badges 3.0 AchievementCredential (VCDM 2.0 `vc+jwt`, our `vcdm2`
profile) of types `SkillsCredential` and `RPLAssessmentCredential`: the achievement names the
skills recognised (ESCO) and the level (EQF) as every skills credential does; the subject adds the
`assessment` (the methods used, its date, and the assessor: her did:key and the centre's signed
authorisation of her as an assessor, a logbook `supervisor-authorisation+jwt` with role assessor);
the credential's OB 3.0 `evidence` lists the items the holder keeps, each by a salted hash
(formats/rpl/evidence.py), and the work-experience attestations it relied on, by credential hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.formats.credential import iso, parse_time
from registry.formats.rpl.evidence import MAX_ITEMS, EvidenceFile

RPL_TYPE = "RPLAssessmentCredential"
# The methods an RPL assessment may use (as the issue names them), written as the credential says them.
METHODS = ("observation", "interview", "practical-test", "portfolio", "testimony")


def method_of(text: Any) -> str:
    value = str(text).strip().lower().replace(" ", "-").replace("_", "-")
    if value not in METHODS:
        raise InputError(f"an assessment method is one of {', '.join(METHODS)}, not {str(text)[:40]!r}")
    return value


@dataclass(frozen=True)
class Assessment:
    """The assessment behind an RPL credential: methods, date, assessor, evidence."""

    methods: tuple[str, ...]
    date: int
    assessor: str = ""  # her did:key, from the authorisation
    authorisation: str = ""  # the centre's supervisor-authorisation+jwt (role assessor)
    evidence: tuple[EvidenceFile, ...] = ()
    attestations: tuple[Path, ...] = field(default=())

    def subject_part(self) -> dict[str, Any]:
        return {
            "type": "RPLAssessment",
            "methods": list(self.methods),
            "date": iso(self.date),
            "assessor": {"id": self.assessor, "type": "Assessor", "authorisation": self.authorisation},
        }


def parse_assessment(data: Any, base: Path) -> tuple[dict[str, Any], Assessment]:
    """The assessment JSON (`registry rpl issue --assessment`): the achievement's fields
    (name, description, skills, eqf) and the assessment; evidence files relative to `base`."""
    if not isinstance(data, dict):
        raise InputError("the assessment must be a JSON object")
    methods = data.get("methods")
    if not isinstance(methods, list) or not methods:
        raise InputError(f"the assessment needs `methods`: a list of {', '.join(METHODS)}")
    evidence = data.get("evidence", [])
    attestations = data.get("attestations", [])
    if not isinstance(evidence, list) or not isinstance(attestations, list):
        raise InputError("`evidence` and `attestations` must be lists")
    if len(evidence) + len(attestations) > MAX_ITEMS:
        raise InputError(f"at most {MAX_ITEMS} evidence items")
    files = tuple(EvidenceFile.from_json(entry, base, n) for n, entry in enumerate(evidence, 1))
    names = [f.path.name for f in files]
    if len(set(names)) != len(names):
        raise InputError("two evidence files have the same name: the holder keeps them side by side, rename one")
    date = data.get("date")
    if not isinstance(date, str):
        raise InputError("the assessment needs its `date` (YYYY-MM-DD)")
    for path in attestations:
        if not isinstance(path, str) or not (base / path).is_file():
            raise InputError(f"the attestation file {str(path)[:80]!r} does not exist")
    try:
        when = parse_time(date)
    except InputError as exc:
        raise InputError(f"the assessment's `date` must be YYYY-MM-DD, not {date[:40]!r}") from exc
    assessment = Assessment(
        methods=tuple(dict.fromkeys(method_of(m) for m in methods)),
        date=when,
        evidence=files,
        attestations=tuple(base / str(p) for p in attestations),
    )
    return data, assessment


def add_rpl_parts(vc: dict[str, Any], assessment: Assessment, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    """`vc` (an OB 3.0 AchievementCredential) with the assessment and its evidence."""
    vc["credentialSubject"]["assessment"] = assessment.subject_part()
    if evidence:
        vc["evidence"] = evidence
    return vc


def rpl_parts(vc: Any) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(the subject's assessment, the evidence items) of a credential, whatever it holds."""
    if not isinstance(vc, dict):
        return None, []
    subject = vc.get("credentialSubject")
    assessment = subject.get("assessment") if isinstance(subject, dict) else None
    evidence = vc.get("evidence")
    items = [e for e in evidence if isinstance(e, dict)] if isinstance(evidence, list) else []
    return (assessment if isinstance(assessment, dict) else None), items[:MAX_ITEMS]
