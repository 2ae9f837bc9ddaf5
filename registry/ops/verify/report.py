"""What a verification answers: checks that carry a code, and the verdict derived from the codes.

A check's label ("revocation status") and the verdict it leads to (REVOKED) both follow from its
`Code`; nothing downstream matches on the English. The JSON a report renders to is what callers
(the CLI's `--json`, the service) have always seen: each check as name, outcome, message, evidence;
shapes.py declares it, and the outcome and verdict words, for mypy and the service's OpenAPI.

Reports are built lazily: the hot loop keeps each credential's results as compact rows, and a
report turns them into `Check` objects only when someone reads `checks` (rendering, the service
rewriting a message, a quorum adding its own check). The credentials a row holds for in a batch (a
cohort's members, one issuer's key) share it, so a row is replaced, not changed in place (only an
anchor's transaction is filled into its row's evidence, the same for every credential sharing it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import Any, NamedTuple

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.certified import certified, own_name
from registry.formats.credential import iso
from registry.formats.europass import certified_edc, is_edc
from registry.formats.flags import TextWarning, text_warnings
from registry.formats.vcdm2 import PROFILE_VCDM20, parse_vc2, skills_context_loader
from registry.ops.registry import REASONS, Purpose
from registry.ops.verify import shapes
from registry.ops.verify.shapes import Outcome, Verdict
from registry.ops.verify.summary import summarise

# Said with every VALID verdict read from one node: what it rests on beyond the signature.
SINGLE_NODE_NOTE = (
    "read from one node: trust in the node operator (it could lie about the issuer's keys, anchors and "
    "status); give several --rpc endpoints of independent operators for a quorum"
)


class Code(StrEnum):
    """Every check a report can carry; the value is the label reports show (and JSON's `name`)."""

    FORMAT = "format"
    # The credential against the JSON schema it names (`credentialSchema`); schemas.py.
    SCHEMA = "schema"
    # Which registry the credential was checked in; unknown when its file names another one.
    REGISTRY = "registry"
    COHORT_PROOF = "cohort proof"
    SIGNING_TIME = "signing time"
    TIME_ASKED = "time asked"
    ISSUER_DID = "issuer DID"
    SIGNING_KEY = "signing key"
    SIGNATURE = "signature"
    ANCHOR = "anchor"
    STATUS_LIST = "status list"
    REVOCATION_STATUS = "revocation status"
    SUSPENSION_STATUS = "suspension status"
    ACCREDITATION = "accreditation"
    # Instead of ACCREDITATION for a work-experience attestation: attested by a registered
    # organisation, not an accredited awarding body (ops/verify/attestations.py).
    ASSURANCE = "assurance"
    # An RPL credential's assessor: authorised by the issuing centre on the assessment's date
    # (checked with `verify --evidence`, ops/rpl/checks.py).
    ASSESSOR = "assessor"
    # Is the accreditation chain's Root TAO one the verifier trusts? Fails alone: UNTRUSTED_ROOT.
    TRUSTED_ROOT = "trusted root"
    VALIDITY_PERIOD = "validity period"
    QUORUM = "quorum"
    # A quorum endpoint whose verification failed as a whole (an unexpected fault): could not check.
    CHAIN = "chain"
    # A passport's own checks.
    PRESENTATION = "presentation"
    HOLDER_SIGNATURE = "holder signature"
    HOLDER_BINDING = "holder binding"
    PRESENTATION_TIME = "presentation time"
    DISTINCT_CREDENTIALS = "distinct credentials"
    AUDIENCE = "audience"
    NONCE = "nonce"

    @property
    def label(self) -> str:
        return self.value

    @staticmethod
    def status(purpose: Purpose) -> Code:
        return Code.REVOCATION_STATUS if purpose is Purpose.REVOCATION else Code.SUSPENSION_STATUS


# A failed check with one of these codes gives its own verdict (first match wins), any other INVALID.
_FAIL_VERDICTS = ((Code.REVOCATION_STATUS, Verdict.REVOKED), (Code.SUSPENSION_STATUS, Verdict.SUSPENDED))
# The checks that need the chain; when it cannot be asked they are reported as unknown (with one
# status check for each status list the credential names, between the anchor and accreditation).
CHAIN_CHECKS_BEFORE_STATUS = (Code.ISSUER_DID, Code.SIGNING_KEY, Code.SIGNATURE, Code.ANCHOR)
CHAIN_CHECKS_AFTER_STATUS = (Code.ACCREDITATION,)


@dataclass(slots=True)
class Check:
    code: Code
    outcome: Outcome
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.code.label

    def to_json(self) -> shapes.Check:
        return {"name": self.code.label, "outcome": self.outcome, "message": self.message,
                "evidence": dict(self.evidence)}  # fmt: skip


# One check as the hot loop keeps it: (code, outcome, message, evidence).
Row = tuple[Code, Outcome, str, dict[str, Any]]


_VALID: tuple[Verdict, str] = (Verdict.VALID, "VALID: every check passed")
_OUTCOME = itemgetter(1)


def verdict_of(rows: list[Row]) -> tuple[Verdict, str]:
    """The verdict and summary a credential's checks give, by their codes and outcomes."""
    outcomes = list(map(_OUTCOME, rows))  # the common answer in C: nothing failed or unknown
    if Outcome.FAIL not in outcomes and Outcome.UNKNOWN not in outcomes:
        return _VALID
    failed = [r for r in rows if r[1] is Outcome.FAIL]
    for code, verdict in _FAIL_VERDICTS:
        for row in failed:
            if row[0] is code:
                return verdict, f"{verdict.name}: {row[2]}"
    # A root the verifier does not trust is the verdict only for a credential otherwise sound.
    untrusted = [r for r in failed if r[0] is Code.TRUSTED_ROOT]
    failed = [r for r in failed if r[0] is not Code.TRUSTED_ROOT]
    # Asked about a time before it was anchored: not yet issued, unless something else is wrong with
    # it (its validity period, which starts at issuance, is necessarily not reached then either).
    later = next((r for r in failed if r[0] is Code.TIME_ASKED), None)
    if later is not None and all(r[0] in (Code.TIME_ASKED, Code.VALIDITY_PERIOD) for r in failed):
        return Verdict.NOT_YET_ISSUED, f"NOT YET ISSUED: {later[2]}"
    if failed:
        return Verdict.INVALID, f"INVALID: {failed[0][0].label}: {failed[0][2]}"
    unknown = next((r for r in rows if r[1] is Outcome.UNKNOWN), None)
    if unknown is not None:
        return Verdict.INDETERMINATE, f"COULD NOT DETERMINE: {unknown[2]}"
    if untrusted:
        return Verdict.UNTRUSTED_ROOT, f"ROOT NOT TRUSTED: genuine and anchored; {untrusted[0][2]}"
    return _VALID


class CredentialInfo(NamedTuple):
    """What a report shows of the credential, as the hot loop keeps it (a dict when read)."""

    id: Any
    profile: str
    issuer: str
    subject: Any
    types: list[str]
    achievement: Any
    issued: int
    hash: bytes
    schema: Any
    # The compact JWT (a str the garbage collector does not track, unlike the decoded credential
    # object with its dozen containers): decoded again only when a report is rendered
    # (`Report.certifies`), which is rare beside the batch itself.
    token: str | None = None

    def vc(self) -> Any:
        """The credential object, decoded again from the token (it parsed once, so it parses again)."""
        if self.token is None:
            return None
        if self.profile == PROFILE_VCDM20:
            return parse_vc2(self.token, loader=skills_context_loader)[1]
        return jwt.parse(self.token).payload.get("vc")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile": self.profile,
            "issuer": self.issuer,
            "subject": self.subject,
            "types": self.types,
            "achievement": self.achievement,
            "issued": iso(self.issued),
            "hash": "0x" + self.hash.hex(),
            "schema": self.schema,
        }


# Which accreditation a credential's issuer must hold (`verify --accreditation-policy`): the one in
# force when the credential was anchored ("issuance", the default: a credential stays what it was
# when an accreditation ends later; the report notes the change), or the one in force at the time
# asked ("now": what EBSI's verifier library does; an accreditation revoked since makes it INVALID).
POLICIES = ("issuance", "now")
DEFAULT_POLICY = "issuance"


def check_challenge(
    audience: str | None, nonce: str | None, names: tuple[str, str] = ("--audience", "--nonce")
) -> None:
    """An audience or nonce asked for must say something: a blank one (an unset shell variable, an
    empty field) is the asker's mistake, refused before any verdict. Judged, it failed every genuine
    passport, and matched one made for nobody (`aud: ""`) or for the empty challenge."""
    whats = ("who you are", "the challenge you gave the holder")
    for value, name, what in zip((audience, nonce), names, whats, strict=True):
        if value is not None and not value.strip():
            raise InputError(f"{name} is empty: give {what}, or leave it out")


class Report:
    """One credential's report; `checks` are made from the compact rows, and `credential` from
    its compact info, when first read."""

    # `_info`: the compact info once `credential` turned it into a dict (unset until then: nothing
    # is added to what the hot loop does per credential).
    __slots__ = (
        "_checks", "_credential", "_info", "_rows", "accreditation_policy", "checked_at", "evidence",
        "recognition", "source",
        "summary", "verdict",
    )  # fmt: skip

    def __init__(
        self,
        source: str,
        verdict: Verdict,
        summary: str,
        checks: list[Check] | None = None,
        credential: dict[str, Any] | CredentialInfo | None = None,
        checked_at: str = "",
        *,
        rows: list[Row] | None = None,
        accreditation_policy: str = DEFAULT_POLICY,
    ) -> None:
        self.source = source
        self.accreditation_policy = accreditation_policy
        self.verdict = verdict
        self.summary = summary
        self._credential = credential
        self.checked_at = checked_at
        self._rows = rows
        self._checks = checks
        # `verify --recognised-in`: an authority's recognition decisions applied (ops/recognition); None: not asked.
        self.recognition: dict[str, Any] | None = None
        # What `verify --evidence` found of the credential's evidence items (ops/rpl/checks.py).
        self.evidence: shapes.EvidenceReport | None = None

    @property
    def credential(self) -> dict[str, Any]:
        info = self._credential
        if not isinstance(info, dict):
            self._info = info  # the compact info, kept for `certifies`
            info = self._credential = {} if info is None else info.to_dict()
        return info

    @credential.setter
    def credential(self, value: dict[str, Any]) -> None:
        self._credential = value

    @property
    def checks(self) -> list[Check]:
        if self._checks is None:
            # A row's evidence may be shared by a batch's credentials (a cohort's members share most
            # of their rows): each check gets its own copy, which its reader may change.
            self._checks = [
                Check(code, outcome, message, dict(evidence)) for code, outcome, message, evidence in self._rows or ()
            ]
            self._rows = None
        return self._checks

    @checks.setter
    def checks(self, value: list[Check]) -> None:
        self._checks, self._rows = value, None

    def vc(self) -> Any:
        """The credential object, decoded again (None: it did not parse)."""
        info = self._credential if isinstance(self._credential, CredentialInfo) else getattr(self, "_info", None)
        return info.vc() if info is not None else None

    @property
    def certifies(self) -> shapes.Certified | None:
        """What the credential certifies (None: it did not parse, or its signature does not verify), read
        from it now; the issuer by the legal name its accreditation gives it, when the accreditation check
        found one, else (a work-experience attestation whose assurance check passed) by the name it gives
        itself in the attestation it signed."""
        vc = self.vc()
        signature = self.check(Code.SIGNATURE)
        if vc is None or (signature is not None and signature.outcome is Outcome.FAIL):
            return None  # a signature that does not verify: what the file says is no issuer's word
        accreditation = self.check(Code.ACCREDITATION)
        name = accreditation.evidence.get("issuer_name") if accreditation is not None else None
        assurance = self.check(Code.ASSURANCE)
        attested = assurance is not None and assurance.outcome is Outcome.PASS
        if name is None and attested:
            name = own_name(vc)  # an attestation's employer, by the name it signed (registered, not accredited)
        read = certified_edc if is_edc(vc) else certified
        found = read(vc, name if isinstance(name, str) else None)
        if attested:  # an EQF level is awarded by an accredited body: an attestation's says nothing
            found["eqf_level"] = None
        return found

    @property
    def warnings(self) -> list[TextWarning]:
        """The texts to read closely (formats/flags.py): what the credential certifies, and the names
        its issuer's accreditation chain states; never a verdict."""
        return self._warnings(self.certifies)

    def _warnings(self, certifies: shapes.Certified | None) -> list[TextWarning]:
        accreditation = self.check(Code.ACCREDITATION)
        links = accreditation.evidence.get("path_links") if accreditation is not None else None
        issuer = certifies["issuer"]["did"] if certifies else None
        names = [
            ("root authority name" if link.get("issuer_type") == 1 else "accreditation body name", link.get("name"))
            for link in (links if isinstance(links, list) else ())
            if isinstance(link, dict) and link.get("did") != issuer
        ]
        recognition = self.recognition or {}  # `verify --recognised-in`: the authority's name and decisions' words
        names.append(("recognition authority name", recognition.get("authority_name")))
        for decision in recognition.get("decisions") or ():
            names += [(f"recognised {key}", decision.get(key)) for key in ("qualification", "level", "conditions")]
        return text_warnings(certifies, names)

    def to_json(self) -> shapes.VerifyReport:
        certifies = self.certifies
        data: shapes.VerifyReport = {
            "source": self.source,
            "verdict": self.verdict,
            "summary": self.summary,
            "checks": [c.to_json() for c in self.checks],
            "credential": dict(self.credential),
            "certifies": certifies,
            "warnings": self._warnings(certifies),
            "checked_at": self.checked_at,
            "accreditation_policy": self.accreditation_policy,
        }
        if self.recognition is not None:
            data["recognition"] = self.recognition
        if self.evidence is not None:
            data["evidence"] = self.evidence
        return data

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.code == name), None)

    def __repr__(self) -> str:
        return f"Report({self.source!r}, {self.verdict!s}, {self.summary!r})"


@dataclass(slots=True)
class PassportReport:
    source: str
    verdict: Verdict
    summary: str
    holder: str | None
    checks: list[Check]
    credentials: list[Report]

    def to_json(self) -> shapes.PassportReport:
        credentials = [r.to_json() for r in self.credentials]
        checks = [c.to_json() for c in self.checks]
        return {
            "source": self.source,
            "kind": "passport",
            "verdict": self.verdict,
            "summary": self.summary,
            "holder": self.holder,
            "checks": checks,
            "competencies": summarise(credentials, self.holder, checks),
            "credentials": credentials,
        }

    @property
    def competencies(self) -> shapes.Competencies:
        """The passport as a summary of competencies (ops/verify/summary.py), read from the reports now."""
        return summarise([r.to_json() for r in self.credentials], self.holder, [c.to_json() for c in self.checks])

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.code == name), None)


def reason_text(code: int) -> str:
    return REASONS.get(code, f"reason {code}")


def note_single_node(report: Report | PassportReport) -> None:
    """A VALID verdict read from one node says what it rests on (the verdict itself is unchanged)."""
    if report.verdict is Verdict.VALID:
        report.checks.append(Check(Code.QUORUM, Outcome.SKIPPED, SINGLE_NODE_NOTE))
