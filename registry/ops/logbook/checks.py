"""The verifier of a shared logbook extract.

For each entry: the learner's signature and that the entry belongs to this learner's logbook; the
countersignature over exactly this entry; the signer's authorisation (signed and anchored by the
programme's provider, for this programme and the unit's role, in force on the entry's date and when
it was countersigned, not revoked before the sign-off, not reached back by a revocation for cause);
the day anchor (the leaf binding entry, countersignature and status entry, its proof to a root the
provider anchored); backdating (an entry dated more than the programme's window before its anchor
is reported); and the entry's own status. "Could not determine" is never valid or invalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.contracts.statusword import Purpose, bit_of
from registry.errors import InputError
from registry.formats import jwt
from registry.formats.logbook import Extract, Programme, entry_date
from registry.formats.logbook.records import LEAF_ENCODING, day_leaf, did_key_signed, sha256_hex, signed_by
from registry.formats.merkle import leaf_hash, process_proof
from registry.ops.logbook.provider import DAY, FOR_CAUSE, programme_of, status_of
from registry.ops.registry import REASONS, Registry, Rel

VALID, INVALID, REVOKED, UNKNOWN = "valid", "not valid", "revoked", "could not determine"


@dataclass
class EntryReport:
    id: str
    date: str = ""
    unit: str = ""
    hours: float = 0.0
    invalid: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    revoked: str | None = None

    @property
    def verdict(self) -> str:
        if self.invalid:
            return INVALID
        if self.revoked:
            return REVOKED
        return UNKNOWN if self.unknown else VALID

    def to_json(self) -> dict[str, Any]:
        reasons = self.invalid + ([self.revoked] if self.revoked else []) + self.unknown
        return {"id": self.id, "date": self.date, "unit": self.unit, "hours": self.hours,
                "verdict": self.verdict, "reasons": reasons, "notes": self.notes}  # fmt: skip


@dataclass
class ExtractReport:
    learner: str
    logbook: str
    programme: str
    problems: list[str]
    entries: list[EntryReport]
    unknown: list[str] = field(default_factory=list)  # about the whole extract: could not determine

    @property
    def verdict(self) -> str:
        if self.problems or any(e.verdict == INVALID for e in self.entries):
            return INVALID
        if self.unknown or any(e.verdict == UNKNOWN for e in self.entries):
            return UNKNOWN
        return REVOKED if any(e.verdict == REVOKED for e in self.entries) else VALID

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "learner": self.learner, "logbook": self.logbook,
                "programme": self.programme, "problems": self.problems + self.unknown,
                "entries": [e.to_json() for e in self.entries]}  # fmt: skip


class _Reads:
    """The chain reads of one extract, each made once."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._states: dict[str, Any] = {}
        self._anchors: dict[tuple[str, bytes], Any] = {}
        self._revocations: dict[tuple[str, int, int], tuple[int, int] | None] = {}

    def state(self, did: str) -> Any:
        if did not in self._states:
            self._states[did] = self.registry.resolve(did)
        return self._states[did]

    def provider_signed(self, parsed: jwt.CompactJWS, provider: str) -> bool:
        """Signed by a current or former assertion key of `provider` (the signing time is bounded by the anchor)."""
        if parsed.payload.get("iss") != provider or not (parsed.kid or "").startswith(provider + "#"):
            return False
        method = self.state(provider).method_by_thumbprint((parsed.kid or "").partition("#")[2])
        return method is not None and method.has(Rel.ASSERTION_METHOD) and jwt.verify(parsed, method.jwk)

    def anchored(self, provider: str, token_or_root: str | bytes) -> Any:
        """The provider's anchor of a token's hash (or of a root), None when it has none."""
        value = bytes.fromhex(sha256_hex(token_or_root)) if isinstance(token_or_root, str) else token_or_root
        accounts = [m.account for m in self.state(provider).controllers() if m.account]
        for account in accounts:
            if (account, value) not in self._anchors:
                pairs = [(account, value)]
                result = self.registry.client.call(self.registry.anchors_call(pairs))
                self._anchors[(account, value)] = self.registry.anchor_records(pairs, result)[0]
            record = self._anchors[(account, value)]
            if record.exists:
                return record
        return None

    def revocation(self, account: str, number: int, index: int) -> tuple[int, int] | None:
        """(reason, time) of the revocation of a status entry, None when it stands."""
        key = (account, number, index)
        if key not in self._revocations:
            (values,) = self.registry.client.call(
                self.registry.status_words_call([(account, Purpose.REVOCATION, number, index)])
            )
            found = None
            if bit_of(int(values[0]), index):
                change = self.registry.entry_change(account, Purpose.REVOCATION, number, index, {})
                found = (change[0].reason, change[1]) if change else (0, 0)
            self._revocations[key] = found
        return self._revocations[key]


@dataclass
class _Context:
    reads: _Reads
    programme: Programme
    learner: str
    logbook: str
    for_cause: dict[str, str]  # authorisation hash -> the date from which its sign-offs are untrusted


def _load_records(reads: _Reads, provider: str, records: list[str], problems: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for n, token in enumerate(records):
        try:
            parsed = signed_by(token, "authorisation-revocation+jwt")
            entry_date(parsed.payload.get("untrustedFrom"))
        except InputError as exc:
            problems.append(f"revocation record {n + 1}: {exc}")
            continue
        if not reads.provider_signed(parsed, provider) or reads.anchored(provider, token) is None:
            problems.append(f"revocation record {n + 1} is not signed and anchored by the programme's provider")
            continue
        found[str(parsed.payload.get("authorisation"))] = str(parsed.payload["untrustedFrom"])
    return found


def _accredited(
    reads: _Reads, provider: str, at: int, trust_list: Any, problems: list[str], unknown: list[str]
) -> None:
    """The provider's accreditation (as a skills-credential issuer) when it published the programme."""
    from registry.ops.trust import Need, Trust, evaluate

    chain = Trust(reads.registry, "").fetch([provider])[provider]
    report = evaluate(chain, at, trust_list, Need(types=("SkillsCredential",)))
    if report.undetermined:
        unknown.append(f"the provider's accreditation when it published the programme: {report.summary}")
    elif not report.ok:
        problems.append(f"the provider was not accredited when it published the programme: {report.summary}")


def _context(
    registry: Registry, extract: Extract, records: list[str], problems: list[str], trust_list: Any, unknown: list[str]
) -> _Context | None:
    reads = _Reads(registry)
    try:
        programme = programme_of(extract.programme)
        enrolment = signed_by(extract.enrolment, "logbook-enrolment+jwt")
    except InputError as exc:
        problems.append(str(exc))
        return None
    provider = programme.provider
    published = None
    if not reads.provider_signed(signed_by(extract.programme, "programme+jwt"), provider):
        problems.append("the programme is not signed by its provider")
    elif (published := reads.anchored(provider, extract.programme)) is None:
        problems.append("the programme was never anchored by its provider")
    else:
        _accredited(reads, provider, published.timestamp, trust_list, problems, unknown)
    if not reads.provider_signed(enrolment, provider) or reads.anchored(provider, extract.enrolment) is None:
        problems.append("the enrolment is not signed and anchored by the programme's provider")
    if enrolment.payload.get("programmeHash") != sha256_hex(extract.programme):
        problems.append("the enrolment names another programme (or another version of it)")
    for_cause = _load_records(reads, provider, extract.records + records, problems)
    learner, logbook = str(enrolment.payload.get("sub")), str(enrolment.payload.get("logbook"))
    return None if problems or unknown else _Context(reads, programme, learner, logbook, for_cause)


def _learner_part(ctx: _Context, token: str, report: EntryReport) -> dict[str, Any] | None:
    parsed = signed_by(token, "logbook-entry+jwt")
    p = parsed.payload
    report.id, report.date, report.unit = str(p.get("jti")), str(p.get("date")), str(p.get("unit"))
    report.hours = float(p["hours"]) if isinstance(p.get("hours"), int | float) else 0.0
    if not did_key_signed(parsed):
        report.invalid.append("the learner's signature does not verify: the entry was altered")
    if p.get("iss") != ctx.learner or p.get("logbook") != ctx.logbook:
        report.invalid.append("the entry belongs to another learner's logbook, not this one")
    if ctx.programme.unit(report.unit) is None:
        report.invalid.append(f"the programme has no unit {report.unit[:40]!r}")
    entry_date(report.date)
    return p


def _signoff_part(ctx: _Context, f: Any, report: EntryReport) -> None:
    if f.countersignature is None or f.authorisation is None:
        report.invalid.append("the entry is not countersigned")
        return
    sig = signed_by(f.countersignature, "logbook-countersignature+jwt")
    if not did_key_signed(sig) or sig.payload.get("entry") != sha256_hex(f.entry):
        report.invalid.append("the countersignature is not a signature over this entry")
        return
    if sig.payload.get("authorisation") != sha256_hex(f.authorisation):
        report.invalid.append("the countersignature names another authorisation than the one carried")
        return
    _authorisation_part(ctx, f.authorisation, sig.payload, report)


def _authorisation_part(ctx: _Context, token: str, sig: dict[str, Any], report: EntryReport) -> None:
    provider, reads = ctx.programme.provider, ctx.reads
    parsed = signed_by(token, "supervisor-authorisation+jwt")
    a = parsed.payload
    subject = a.get("vc", {}).get("credentialSubject", {}) if isinstance(a.get("vc"), dict) else {}
    unit = ctx.programme.unit(report.unit)
    anchor = reads.anchored(provider, token) if reads.provider_signed(parsed, provider) else None
    if anchor is None:
        report.invalid.append("the signer's authorisation is not signed and anchored by the programme's provider")
    elif a.get("sub") != sig.get("iss") or subject.get("programme") != ctx.programme.ref:
        report.invalid.append(f"the signer is not authorised for the programme {ctx.programme.ref}")
    elif unit is not None and subject.get("role") != unit.signer:
        report.invalid.append(
            f"unit {unit.id} is signed off by an {unit.signer}, and the signer is a {subject.get('role')}"
        )
    else:
        _in_force(ctx, token, a, sig, report, anchor.account)


def _in_force(
    ctx: _Context, token: str, a: dict[str, Any], sig: dict[str, Any], report: EntryReport, account: str
) -> None:
    """In force on the entry's day and when countersigned; its status in the lists of the account
    that anchored it."""
    day, signed = entry_date(report.date), int(sig.get("iat", 0))
    nbf, exp = int(a.get("nbf", 0)), int(a.get("exp", 0))
    if day + DAY <= nbf or day >= exp or signed >= exp:
        report.invalid.append("the entry was dated or countersigned outside the signer's authorisation period")
        return
    number, index = status_of(a)
    revoked = ctx.reads.revocation(account, number, index)
    untrusted = ctx.for_cause.get(sha256_hex(token))
    if untrusted is not None and day >= entry_date(untrusted):
        report.invalid.append(
            f"the signer's authorisation was revoked for cause: her sign-offs from {untrusted} are not trusted"
        )
    elif revoked is not None and signed >= revoked[1]:
        report.invalid.append("the entry was countersigned after the signer's authorisation was revoked")
    elif revoked is not None and revoked[0] == FOR_CAUSE and untrusted is None:
        report.unknown.append(
            f"the signer's authorisation was revoked for cause ({REASONS[FOR_CAUSE]}): ask the provider for its "
            "revocation record (from which date her sign-offs are untrusted) and give it with --record"
        )


def _anchor_part(ctx: _Context, f: Any, report: EntryReport) -> None:
    if f.anchor is None or f.countersignature is None:
        report.invalid.append("the entry carries no day anchor")
        return
    values = day_leaf(f.entry, f.countersignature, f.anchor["list"], f.anchor["index"])
    try:
        root = process_proof(
            leaf_hash(values, LEAF_ENCODING), [bytes.fromhex(p.removeprefix("0x")) for p in f.anchor["proof"]]
        )
    except ValueError:
        root = b""
    record = ctx.reads.anchored(ctx.programme.provider, root) if root else None
    if record is None or "0x" + root.hex() != f.anchor["root"]:
        report.invalid.append("the entry's proof does not lead to a day root its provider anchored")
        return
    day = entry_date(report.date)
    if day > record.timestamp:
        report.invalid.append("the entry is dated after it was anchored")
    elif day + DAY + ctx.programme.backdating_days * DAY <= record.timestamp:
        report.notes.append(f"backdated: dated more than {ctx.programme.backdating_days} days before its day anchor")
    revoked = ctx.reads.revocation(record.account, int(f.anchor["list"]), int(f.anchor["index"]))
    if revoked is not None:
        report.revoked = f"the entry was revoked ({REASONS.get(revoked[0], f'code {revoked[0]}')})"


def verify_extract(
    registry: Registry, extract: Extract, records: list[str] | None = None, trust_list: Any = None
) -> ExtractReport:
    """Check a shared extract. `trust_list` (a TrustList): the roots the verifier accepts for the
    provider's accreditation (None: any root this registry's governance onboarded, said so)."""
    problems: list[str] = []
    unknown: list[str] = []
    ctx = _context(registry, extract, list(records or []), problems, trust_list, unknown)
    if ctx is None:
        return ExtractReport("", "", "", problems, [], unknown)
    reports = []
    for n, f in enumerate(extract.entries):
        report = EntryReport(id=f"entry {n + 1}")
        try:
            _learner_part(ctx, f.entry, report)
            if not report.invalid:
                _signoff_part(ctx, f, report)
                _anchor_part(ctx, f, report)
        except (InputError, KeyError, TypeError, ValueError) as exc:
            report.invalid.append(f"the entry is malformed: {exc}")
        reports.append(report)
    return ExtractReport(ctx.learner, ctx.logbook, ctx.programme.ref, problems, reports, unknown)
