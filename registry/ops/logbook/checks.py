"""The verifier of a shared logbook extract.

For each entry: the learner's signature and that the entry belongs to this learner's logbook; the
countersignature over exactly this entry; the signer's authorisation (signed and anchored by the
programme's provider, for this programme and the unit's role, for the entry's workplace when the
authorisation names one, in force on the entry's date and when it was countersigned, not revoked
before the sign-off, not reached back by a revocation for cause);
the day anchor (the leaf binding entry, countersignature and status entry, its proof to a root the
provider anchored); backdating (an entry dated more than the programme's window before its anchor
is reported; one dated before the learner's enrolment day is reported too: learning outside the
programme, which goes through RPL); and the entry's own status. "Could not determine" is never valid or invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.logbook import Extract, entry_date
from registry.formats.logbook.records import (
    LEAF_ENCODING,
    day_leaf,
    did_key_signed,
    enrolment_day,
    sha256_hex,
    signed_by,
)
from registry.formats.merkle import leaf_hash, process_proof
from registry.ops.logbook.provider import DAY, FOR_CAUSE, programme_of, status_of
from registry.ops.logbook.reports import INVALID, REVOKED, UNKNOWN, VALID, Context, EntryReport, ExtractReport, Reads
from registry.ops.registry import REASONS, Registry

__all__ = ["INVALID", "REVOKED", "UNKNOWN", "VALID", "EntryReport", "ExtractReport", "verify_extract"]


def _load_records(reads: Reads, provider: str, records: list[str], problems: list[str]) -> dict[str, str]:
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
    reads: Reads, provider: str, at: int, trust: tuple[Any, ...], found: tuple[list[str], ...]
) -> str | None:
    """The provider's accreditation (as a skills-credential issuer) when it published the programme;
    the legal name that accreditation gives it, if any. `trust`: the verifier's trust list, whether
    a root is reported when there is none (as `registry verify` does: a root nobody said they trust
    is not trusted), and what such a verifier is told to do (None: the CLI's words). `found`:
    problems, could-not-determine, notes."""
    from registry.ops.trust import Need, evaluate
    from registry.ops.trust.trustlist import no_list_hint

    trust_list, require_trusted_root, hint = trust
    problems, unknown, notes = found
    chain = reads.chain(provider)
    report = evaluate(chain, at, trust_list, Need(types=("SkillsCredential",)))
    name = report.path[0].evidence.get("name") if report.path else None
    if report.undetermined:
        unknown.append(f"the provider's accreditation when it published the programme: {report.summary}")
    elif not report.ok:
        problems.append(f"the provider was not accredited when it published the programme: {report.summary}")
    elif trust_list is None and require_trusted_root:
        problems.append(
            f"root not trusted: the provider is accredited under Root TAO {report.root_label}, which you have not said "
            f"you trust {(hint or no_list_hint)(str(report.root))}"
        )
    else:
        notes.extend(report.notes)
    return name if isinstance(name, str) else None


def _context(
    registry: Registry,
    extract: Extract,
    records: list[str],
    trust: tuple[Any, ...],
    found: tuple[list[str], ...],
    names: dict[str, str | None],
) -> Context | None:
    """The extract's context, once its programme, enrolment and records stand; `names` gets the
    programme's title, the provider's legal name and the learner's name, as far as they are known."""
    problems, unknown, _notes = found
    reads = Reads(registry)
    try:
        programme = programme_of(extract.programme)
        enrolment = signed_by(extract.enrolment, "logbook-enrolment+jwt")
    except InputError as exc:
        problems.append(str(exc))
        return None
    provider = programme.provider
    learner_name = enrolment.payload.get("name")
    names.update(title=programme.title, learner=learner_name if isinstance(learner_name, str) else None,
                 providerDid=provider)  # fmt: skip
    published = None
    if not reads.provider_signed(signed_by(extract.programme, "programme+jwt"), provider):
        problems.append("the programme is not signed by its provider")
    elif (published := reads.anchored(provider, extract.programme)) is None:
        problems.append("the programme was never anchored by its provider")
    else:
        names["provider"] = _accredited(reads, provider, published.timestamp, trust, found)
    if not reads.provider_signed(enrolment, provider) or reads.anchored(provider, extract.enrolment) is None:
        problems.append("the enrolment is not signed and anchored by the programme's provider")
    if enrolment.payload.get("programmeHash") != sha256_hex(extract.programme):
        problems.append("the enrolment names another programme (or another version of it)")
    for_cause = _load_records(reads, provider, extract.records + records, problems)
    learner, logbook = str(enrolment.payload.get("sub")), str(enrolment.payload.get("logbook"))
    enrolled = enrolment_day(enrolment.payload)
    if problems or unknown:
        return None
    return Context(reads, programme, learner, logbook, for_cause, enrolled, trust_list=trust[0])


def _learner_part(ctx: Context, token: str, report: EntryReport) -> dict[str, Any] | None:
    parsed = signed_by(token, "logbook-entry+jwt")
    p = parsed.payload
    report.id, report.date, report.unit = str(p.get("jti")), str(p.get("date")), str(p.get("unit"))
    report.hours = float(p["hours"]) if isinstance(p.get("hours"), int | float) else 0.0
    if not 0 < report.hours <= 24:  # as `logbook add` writes them: else -16 h beside 40 h made a day of 24 h
        report.invalid.append(f"the entry claims {report.hours:g} h; an entry's hours are more than 0 and at most 24")
    report.workplace = str(p.get("workplace", "")).strip()
    report.activity = str(p.get("activity", "")).strip()
    if not did_key_signed(parsed):
        report.invalid.append("the learner's signature does not verify: the entry was altered")
    if p.get("iss") != ctx.learner or p.get("logbook") != ctx.logbook:
        report.invalid.append("the entry belongs to another learner's logbook, not this one")
    if (unit := ctx.programme.unit(report.unit)) is not None:
        report.title = unit.title
    else:
        report.invalid.append(f"the programme has no unit {report.unit[:40]!r}")
    if entry_date(report.date) < entry_date(ctx.enrolled or report.date) and not report.invalid:
        report.before_enrolment = True
        report.notes.append(before_enrolment_note(str(ctx.enrolled)))
    return p


def before_enrolment_note(enrolled: str) -> str:
    """What a verifier says of an entry dated before the learner's enrolment day (shown; never counted)."""
    return (
        f"before enrolment, not counted: dated before the learner's enrolment on {enrolled} (learning before it "
        "is recognised through RPL, not this logbook)"
    )


def _signoff_part(ctx: Context, f: Any, report: EntryReport) -> None:
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


def _a(role: str) -> str:
    """The role with its article ("a supervisor", "an assessor")."""
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


def _authorisation_part(ctx: Context, token: str, sig: dict[str, Any], report: EntryReport) -> None:
    provider, reads = ctx.programme.provider, ctx.reads
    parsed = signed_by(token, "supervisor-authorisation+jwt")
    a = parsed.payload
    subject = a.get("vc", {}).get("credentialSubject", {}) if isinstance(a.get("vc"), dict) else {}
    report.signer = str(sig.get("iss"))
    unit = ctx.programme.unit(report.unit)
    anchor = reads.anchored(provider, token) if reads.provider_signed(parsed, provider) else None
    if anchor is not None and a.get("sub") == sig.get("iss") and isinstance(subject.get("name"), str):
        report.signer_name = subject["name"]  # as the provider's own, anchored authorisation names her
    if anchor is None:
        report.invalid.append("the signer's authorisation is not signed and anchored by the programme's provider")
    elif a.get("sub") != sig.get("iss") or subject.get("programme") != ctx.programme.ref:
        report.invalid.append(f"the signer is not authorised for the programme {ctx.programme.ref}")
    elif unit is not None and subject.get("role") != unit.signer:
        report.invalid.append(
            f"unit {unit.id} is signed off by {_a(unit.signer)}, and the signer is {_a(str(subject.get('role')))}"
        )
    elif isinstance(place := subject.get("workplace"), str) and place != report.workplace:
        report.invalid.append(
            f"the signer is authorised only at the workplace {place[:80]!r}, and the entry was recorded at "
            f"{report.workplace[:80]!r}"
        )
    else:
        _in_force(ctx, token, a, sig, report, anchor.account)


def _in_force(
    ctx: Context, token: str, a: dict[str, Any], sig: dict[str, Any], report: EntryReport, account: str
) -> None:
    """In force on the entry's day and when countersigned; its status in the lists of the account
    that anchored it."""
    day, signed = entry_date(report.date), int(sig.get("iat", 0))
    nbf, exp = int(a.get("nbf", 0)), int(a.get("exp", 0))
    if day + DAY <= nbf or day >= exp or signed >= exp:
        report.invalid.append("the entry was dated or countersigned outside the signer's authorisation period")
        return
    number, index = status_of(a)
    revoked = ctx.reads.revocation(ctx.programme.provider, account, number, index)
    untrusted = ctx.for_cause.get(sha256_hex(token))
    # A sign-off is made when countersigned: an entry dated before the for-cause date but signed off
    # on or after it is one of the sign-offs not to be trusted.
    if untrusted is not None and max(day, signed) >= entry_date(untrusted):
        report.invalid.append(
            f"the signer's authorisation was revoked for cause: her sign-offs from {untrusted} are not trusted"
            + ("" if day >= entry_date(untrusted) else f" (this entry of {report.date} was signed off {iso(signed)})")
        )
    elif revoked is not None and signed >= revoked[1]:
        report.invalid.append("the entry was countersigned after the signer's authorisation was revoked")
    elif revoked is not None and revoked[0] == FOR_CAUSE and untrusted is None:
        report.unknown.append(
            f"the signer's authorisation was revoked for cause ({REASONS[FOR_CAUSE]}): ask the provider for its "
            "revocation record (from which date her sign-offs are untrusted) and give it with --record"
        )


def _anchor_part(ctx: Context, f: Any, report: EntryReport) -> None:
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
    if not _accredited_at_anchor(ctx, record, report):
        return
    day = entry_date(report.date)
    if day > record.timestamp:
        report.invalid.append("the entry is dated after it was anchored")
    elif day + DAY + ctx.programme.backdating_days * DAY <= record.timestamp:
        report.backdated = True
        report.notes.append(
            f"backdated: dated more than {ctx.programme.backdating_days} days before its day anchor "
            "(not counted towards completion)"
        )
    revoked = ctx.reads.revocation(
        ctx.programme.provider, record.account, int(f.anchor["list"]), int(f.anchor["index"])
    )
    if revoked is not None:
        report.revoked = f"the entry was revoked ({REASONS.get(revoked[0], f'code {revoked[0]}')})"


def _accredited_at_anchor(ctx: Context, record: Any, report: EntryReport) -> bool:
    """Was the provider accredited when it anchored this day, as an issuer must be when it anchors a
    credential (in the anchor's second, by the chain's order)? A provider whose accreditation was
    revoked could otherwise go on anchoring days whose entries verified as valid. Once per day anchor."""
    key = (record.account, record.value)
    if key not in ctx.days:
        from registry.ops.trust import Need, evaluate
        from registry.ops.verify.chain_checks import anchor_position

        registry, chain = ctx.reads.registry, ctx.reads.chain(ctx.programme.provider)
        log = registry.anchor_logs([record]).get(key) if chain.same_second(record.timestamp) else None
        position = anchor_position(registry, record, log, chain)
        found = evaluate(chain, record.timestamp, ctx.trust_list, Need(types=("SkillsCredential",)), position)
        untrusted = found.root is not None and found.trusted_root is False  # said once, of the programme
        why = (
            ""
            if found.ok or untrusted
            else f"the provider was not accredited when it anchored this day: {found.summary}"
        )
        if found.undetermined:
            why = f"the provider's accreditation when it anchored this day: {found.summary}"
        ctx.days[key] = (why, found.undetermined)
    why, undetermined = ctx.days[key]
    if why:
        (report.unknown if undetermined else report.invalid).append(why)
    return not why


def _prefetch(ctx: Context, extract: Extract) -> None:
    """The day anchors and status bits of every entry and authorisation, read in a few calls."""
    roots, statuses = [], []
    for f in extract.entries:
        try:
            if f.anchor is not None:
                root = bytes.fromhex(str(f.anchor["root"]).removeprefix("0x"))
                roots += [root] if len(root) == 32 else []
                statuses.append((int(f.anchor["list"]), int(f.anchor["index"])))
            if f.authorisation is not None:
                statuses.append(status_of(signed_by(f.authorisation, "supervisor-authorisation+jwt").payload))
        except (InputError, ValueError):
            continue  # the entry's own check names it
    ctx.reads.prefetch(ctx.programme.provider, roots, statuses)


def _ids(extract: Extract) -> tuple[str, str, str]:
    """The learner, logbook and programme an extract names (as it says, unchecked; blank if unreadable)."""
    try:
        enrolment = signed_by(extract.enrolment, "logbook-enrolment+jwt").payload
        ref = programme_of(extract.programme).ref
    except (InputError, KeyError, TypeError, ValueError):
        return "", "", ""
    return str(enrolment.get("sub", "")), str(enrolment.get("logbook", "")), ref


def _more_than_a_day(reports: list[EntryReport]) -> None:
    """Entries of one day that claim more hours than a day has are none of them valid (which of them
    is true cannot be told): each says so."""
    days: dict[str, float] = {}
    for report in reports:
        if not report.invalid and report.date:
            days[report.date] = days.get(report.date, 0.0) + report.hours
    for report in reports:
        if not report.invalid and days.get(report.date, 0.0) > 24:
            report.invalid.append(f"the entries dated {report.date} claim {days[report.date]:g} h, more than a day has")


def verify_extract(
    registry: Registry,
    extract: Extract,
    records: list[str] | None = None,
    trust_list: Any = None,
    qualification: dict[str, Any] | None = None,
    require_trusted_root: bool = False,
    no_list_hint: Callable[[str], str] | None = None,
) -> ExtractReport:
    """Check a shared extract. `trust_list` (a TrustList): the roots the verifier accepts for the
    provider's accreditation (None: any root this registry's governance onboarded, said so in the
    notes; or with `require_trusted_root`, as `registry verify` does, the root is not trusted).
    `qualification` (else the extract's own): the entries are also checked against its summary.
    `no_list_hint`: what a verifier without a trust list is told to do, given the root (the service's words)."""
    problems: list[str] = []
    unknown: list[str] = []
    notes: list[str] = []
    trust = (trust_list, require_trusted_root, no_list_hint)
    names: dict[str, str | None] = {}
    ctx = _context(registry, extract, list(records or []), trust, (problems, unknown, notes), names)
    if ctx is None:  # the entries are not checked; the report still says which logbook and how many
        learner, logbook, ref = _ids(extract)
        return ExtractReport(learner, logbook, ref, problems, [], unknown, notes=notes, count=len(extract.entries),
                             names=names)  # fmt: skip
    _prefetch(ctx, extract)
    reports: list[EntryReport] = []
    seen: dict[str, int] = {}  # an entry shown twice would count its hours twice
    for n, f in enumerate(extract.entries):
        report = EntryReport(id=f"entry {n + 1}")
        try:
            _learner_part(ctx, f.entry, report)
            if not report.invalid:
                _signoff_part(ctx, f, report)
                _anchor_part(ctx, f, report)
        except (InputError, KeyError, TypeError, ValueError) as exc:
            report.invalid.append(f"the entry is malformed: {exc}")
        if report.id in seen:
            report.invalid.append(f"the same entry as entry {seen[report.id]} of this extract, shown again")
        seen.setdefault(report.id, n + 1)
        reports.append(report)
    _more_than_a_day(reports)
    summary = None
    if (qualification := qualification or extract.qualification) is not None:
        from registry.ops.logbook.against import check_against

        summary = check_against(ctx, qualification, extract.entries, reports, problems, unknown)
    return ExtractReport(
        ctx.learner, ctx.logbook, ctx.programme.ref, problems, reports, unknown, summary, notes, len(reports), names
    )
