"""The words and the JSON a verification report is sent in: `registry verify --json`, `POST /verify`.

`Check.to_json`, `Report.to_json` and `PassportReport.to_json` (report.py) are declared to return
these TypedDicts, so mypy holds what they build to what is declared here; the service publishes
the same types as its response models (FastAPI documents a TypedDict as it does a pydantic model),
so the OpenAPI document cannot drift from what is sent. They are not the report classes because
the JSON differs from the objects on purpose: a check's `code` is sent as its label under `name`,
a report's checks are kept as compact rows until read, and a passport's report adds `kind`.
TypedDict from typing_extensions: pydantic needs it before Python 3.12; nothing here needs pydantic.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict

from registry.formats.certified import Aligned, Certified, Holder, Party
from registry.formats.flags import TextWarning

__all__ = [
    "Aligned", "Area", "Certified", "Check", "Competencies", "Holder", "HolderName", "HolderWriting", "Outcome",
    "Party",
    "PassportReport", "Programme", "TextWarning", "Verdict", "VerifyReport",
]  # fmt: skip


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    INDETERMINATE = "could not determine"
    # Genuine, anchored and accredited, under a Root TAO the verifier has not said it trusts (its
    # trust list leaves it out, or it gave none): not "valid" for this verifier, and not "invalid"
    # either. Exit code 1, as every verdict that is not "rely on it" (docs/TRUST-LISTS.md).
    UNTRUSTED_ROOT = "root not trusted"
    # Asked about a time (`verify --at`, the API's `at`) before the credential was anchored: it did
    # not exist then, so it was not valid then (exit code 1), and nothing says it is forged: a
    # genuine credential, issued later. Any failure of its own is still INVALID first.
    NOT_YET_ISSUED = "not yet issued"

    @property
    def exit_code(self) -> int:
        if self is Verdict.VALID:
            return 0
        if self is Verdict.INDETERMINATE:
            return 2
        return 1


class Check(TypedDict):
    name: str
    outcome: Outcome
    message: str
    evidence: dict[str, Any]


class EvidenceItem(TypedDict):
    """One evidence item of an RPL credential, as `verify --evidence DIR` found it."""

    id: str | None
    name: str | None
    genre: str | None
    state: Literal["matched", "altered", "not shown"]
    """matched: the file shown is the one assessed; altered: a file was shown and is not (this item is
    not valid); not shown: the holder did not show it"""
    message: str


class EvidenceReport(TypedDict):
    """What `verify --evidence DIR` found: an item a shown file does not match is not valid; the
    credential's own verdict stands (an altered item makes the command exit 1)."""

    directory: str
    summary: str
    matched: int
    altered: int
    not_shown: int
    items: list[EvidenceItem]


class VerifyReport(TypedDict):
    """The report on one credential (`registry verify --json`)."""

    source: str
    verdict: Verdict
    summary: str
    checks: list[Check]
    credential: dict[str, Any]
    certifies: Certified | None
    """what the credential certifies, as its issuer signed it (None: it did not parse)"""
    warnings: NotRequired[list[TextWarning]]
    """texts to read closely (formats/flags.py): a name, title or label holding an invisible, control or
    reordering character, or a name with a word mixing Latin, Greek and Cyrillic letters (a look-alike);
    never a verdict; absent from the reports of services that predate it"""
    checked_at: str
    accreditation_policy: NotRequired[str]
    """which accreditation the issuer had to hold: "issuance" (in force when the credential was
    anchored) or "now" (at the time asked); absent from the reports of services that predate it"""
    recognition: NotRequired[dict[str, Any]]
    """`verify --recognised-in`: an authority's recognition decisions applied (ops/recognition/apply.py)"""
    evidence: NotRequired[EvidenceReport]
    """with `verify --evidence DIR` only: each evidence item shown and matched, shown and altered, or not shown"""


class PassportReport(TypedDict):
    """The report on a skills passport: the holder's checks, then one report per credential."""

    source: str
    kind: Literal["passport"]
    verdict: Verdict
    summary: str
    holder: str | None
    """the holder's DID, when the passport names one"""
    checks: list[Check]
    competencies: Competencies
    """the passport as a summary of competencies (ops/verify/summary.py), shown before the evidence"""
    credentials: list[VerifyReport]


class Area(TypedDict):
    """An ESCO skill or occupation the valid credentials certify, with the highest EQF level among them."""

    kind: Literal["skill", "occupation"]
    uri: str
    label: str | None
    eqf_level: int | None
    """the highest EQF level of the valid credentials aligned to it (None: none of them gives one)"""
    credentials: list[int]
    """the credentials behind it, by their number in the passport (1-based)"""


class Programme(TypedDict):
    """One credential of the passport as the summary lists it, whatever its verdict."""

    number: int
    name: str | None
    verdict: Verdict
    counted: bool
    """whether it counts toward the competencies (valid, in a passport that passed its own checks)"""
    issuer: Party
    issued: str | None
    valid_until: str | None
    eqf_level: int | None
    assurance: NotRequired[str]
    """"registered organisation": a work-experience attestation, by an organisation whose DID is registered
    but that is not an accredited awarding body (its `assurance` check passed); absent for any other"""


class HolderWriting(TypedDict):
    """One way a name is written, and which credentials write it so."""

    name: str
    credentials: list[int]


class HolderName(TypedDict):
    """A name the counted credentials give the holder, and which of them give it."""

    name: str
    """as the first credential giving it writes it"""
    credentials: list[int]
    """by their number in the passport (1-based)"""
    written: NotRequired[list[HolderWriting]]
    """only when the credentials write this one name in several ways (spacing, letter case, Unicode
    form): each writing, with the credentials writing it so"""
    differences: NotRequired[list[str]]
    """with `written`: how its writings differ: "Unicode form", "spacing", "letter case" (some of them)"""


class Competencies(TypedDict):
    """A passport as a summary of competencies: what its valid credentials certify, grouped."""

    holder: Holder
    highest_eqf_level: int | None
    skills: list[Area]
    occupations: list[Area]
    issuers: list[Party]
    """who issued the credentials that count, each once"""
    programmes: list[Programme]
    """every credential, counted or not, with its verdict"""
    counted: int
    holder_names: NotRequired[list[HolderName]]
    """only when the counted credentials name the holder differently (one person, by her DID: a name
    spelt or transliterated otherwise, or a look-alike): each name with the credentials giving it;
    `holder.name` is the first. One name written in several ways (spacing, letter case, Unicode form)
    is one entry with its `written` ways: a single entry means one name, written differently"""
    note: str
    """one sentence: how many credentials count, and why the others do not"""
    national_equivalents: NotRequired[list[dict[str, Any]]]
    """`verify --recognised-in`: what the counted credentials are recognised as there (number, qualification,
    level, framework, decision), when any credential carries a recognition finding"""
