"""A skills passport's own checks: the holder signed it, every credential is about the holder,
it is used in its time, each credential once, for whom and for which challenge it was made.

The credentials inside are verified as any others (by the verifier given); the passport's verdict
is derived from its own checks' codes and the credentials' verdicts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.ops.passport import Passport, check_holder_signature, load_passport
from registry.ops.trust import CLOCK_SKEW_S
from registry.ops.verify.fields import MAX_TIMESTAMP, str_list
from registry.ops.verify.report import Check, Code, Outcome, PassportReport, Report, Verdict

VerifyMany = Callable[[Sequence[tuple[str, str | bytes]], int | None], list[Report]]


def _numeric_date(payload: dict[str, Any], claim: str) -> int | None:
    """A JWT time claim as unix seconds; None when absent; InputError when malformed."""
    if claim not in payload:
        return None
    value = payload[claim]
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_TIMESTAMP:
        raise InputError(f"the presentation's {claim} claim is not a whole number of seconds between 1970 and 9999")
    return value


def _time_check(payload: dict[str, Any], at: int | None) -> Check:
    """`iat` and `exp` are required (EBSI's presentation library requires `exp` too: a presentation
    that never expires can be replayed for ever), `nbf` is checked when present. `nbf`/`exp` are
    judged at the time asked (`--at`) or now; `iat` against our clock, as a credential's signing
    time is. Each is allowed CLOCK_SKEW_S of clock disagreement."""
    now = int(time.time())
    when = at if at is not None else now
    try:
        issued, not_before, expires = (_numeric_date(payload, c) for c in ("iat", "nbf", "exp"))
        if issued is None or expires is None:
            raise InputError(
                "the presentation has no " + ("signing time (iat)" if issued is None else "expiry (exp)")
                + "; a presentation without one could be replayed for ever"
            )  # fmt: skip
    except InputError as exc:
        return Check(Code.PRESENTATION_TIME, Outcome.FAIL, str(exc))
    iso = vcfmt.iso
    if issued > now + CLOCK_SKEW_S:
        return Check(Code.PRESENTATION_TIME, Outcome.FAIL, f"claims to be signed in the future ({iso(issued)})")
    if not_before is not None and when + CLOCK_SKEW_S < not_before:
        return Check(Code.PRESENTATION_TIME, Outcome.FAIL, f"not valid before {iso(not_before)}")
    if when >= expires + CLOCK_SKEW_S:
        evidence = {"issued": iso(issued), "expires": iso(expires)}
        return Check(Code.PRESENTATION_TIME, Outcome.FAIL, f"expired on {iso(expires)}", evidence)
    return Check(Code.PRESENTATION_TIME, Outcome.PASS, f"signed {iso(issued)}, valid until {iso(expires)}")


def _distinct_check(passport: Passport) -> Check:
    first_seen: dict[bytes, int] = {}
    repeated: list[str] = []
    for number, holder_file in enumerate(passport.credentials, 1):
        earlier = first_seen.setdefault(vcfmt.credential_hash(holder_file.credential), number)
        if earlier != number:
            repeated.append(f"#{number} repeats #{earlier}")
    if repeated:
        message = "the same credential is in the passport twice: " + ", ".join(repeated)
        return Check(Code.DISTINCT_CREDENTIALS, Outcome.FAIL, message)
    return Check(Code.DISTINCT_CREDENTIALS, Outcome.PASS, "each credential is in the passport once")


def _audience_checks(payload: dict[str, Any], audience: str | None, nonce: str | None) -> list[Check]:
    checks: list[Check] = []
    aud = payload.get("aud")  # RFC 7519: one string or a list of them
    addressed = [aud] if isinstance(aud, str) else str_list(aud) if isinstance(aud, list) else []
    shown = ", ".join(repr(a[:80]) for a in addressed[:3]) or "nobody"
    if audience is None:
        if aud is not None:
            message = f"not checked (made for {shown}): give --audience to check"
            checks.append(Check(Code.AUDIENCE, Outcome.SKIPPED, message))
    elif audience.strip() in [a.strip() for a in addressed]:  # spaces around a name are nobody's intent
        checks.append(Check(Code.AUDIENCE, Outcome.PASS, f"made for {audience.strip()[:80]!r}"))
    else:
        checks.append(Check(Code.AUDIENCE, Outcome.FAIL, _not_for(addressed, shown, audience.strip())))
    if nonce is None and "nonce" in payload:  # a challenge it answers, which nobody asked about here
        checks.append(
            Check(Code.NONCE, Outcome.SKIPPED, "not checked: it answers a challenge (nonce) you did not give")
        )
    if nonce is not None:
        if payload.get("nonce") == nonce:
            checks.append(Check(Code.NONCE, Outcome.PASS, "answers the challenge (nonce) given"))
        elif "nonce" not in payload:
            message = "carries no nonce, so it does not answer the challenge given"
            checks.append(Check(Code.NONCE, Outcome.FAIL, message))
        else:
            checks.append(Check(Code.NONCE, Outcome.FAIL, "carries another nonce than the challenge given"))
    return checks


def _not_for(addressed: list[str], shown: str, audience: str) -> str:
    """Why a passport is not for `audience`: whom it names, and a difference in letter case only
    said as such (an audience is compared exactly, spaces around it aside)."""
    message = f"made for {shown}, not for {audience[:80]!r}"
    if audience.casefold() in [a.strip().casefold() for a in addressed]:
        message += " (they differ in letter case only: the audience must be given as the passport names it)"
    return message


def presentation_checks(passport: Passport, at: int | None, audience: str | None, nonce: str | None) -> list[Check]:
    """The presentation's own claims: when it may be used, each credential once, for whom."""
    payload = passport.parsed.payload
    return [_time_check(payload, at), _distinct_check(passport), *_audience_checks(payload, audience, nonce)]


def _passport_verdict(checks: list[Check], reports: list[Report]) -> tuple[Verdict, str]:
    verdicts = [r.verdict for r in reports]
    valid = sum(v is Verdict.VALID for v in verdicts)
    failed = next((c for c in checks if c.outcome is Outcome.FAIL), None)
    if failed is not None:
        return Verdict.INVALID, f"INVALID: {failed.name}: {failed.message}"
    if valid == len(verdicts):
        return Verdict.VALID, f"VALID: all {valid} credentials valid" if valid > 1 else "VALID: its credential is valid"
    if all(v in (Verdict.VALID, Verdict.UNTRUSTED_ROOT) for v in verdicts):
        return Verdict.UNTRUSTED_ROOT, (
            f"ROOT NOT TRUSTED: {valid} of {len(verdicts)} credentials valid, the others genuine but under a "
            "Root TAO you have not said you trust"
        )
    if all(v in (Verdict.VALID, Verdict.NOT_YET_ISSUED) for v in verdicts):
        return Verdict.NOT_YET_ISSUED, (
            f"NOT YET ISSUED: {valid} of {len(verdicts)} credentials valid at the time asked, the others issued later"
        )
    if all(v in (Verdict.VALID, Verdict.INDETERMINATE) for v in verdicts):
        return Verdict.INDETERMINATE, f"COULD NOT DETERMINE: {valid} of {len(verdicts)} valid"
    return Verdict.INVALID, f"NOT ALL VALID: {valid} of {len(verdicts)} credentials valid"


def verify_passport(
    verify_many: VerifyMany,
    source: str,
    content: str | bytes,
    at: int | None,
    audience: str | None,
    nonce: str | None,
) -> PassportReport:
    """Holder binding first (the holder signed the presentation, and every credential is about the
    holder), then the presentation itself, then each credential; one verdict per credential and one
    overall."""
    try:
        passport = load_passport(content, source)
    except InputError as exc:
        check = Check(Code.PRESENTATION, Outcome.FAIL, str(exc))
        return PassportReport(source, Verdict.INVALID, f"INVALID: {exc}", None, [check], [])
    checks: list[Check] = []
    problem = check_holder_signature(passport)
    if problem:
        checks.append(Check(Code.HOLDER_SIGNATURE, Outcome.FAIL, problem))
    else:
        checks.append(Check(Code.HOLDER_SIGNATURE, Outcome.PASS, f"signed by the holder {passport.holder}"))
    inputs = [(f"{source} #{n}", f.dumps()) for n, f in enumerate(passport.credentials, 1)]
    reports = verify_many(inputs, at)
    strangers = [r.source for r in reports if r.credential and r.credential.get("subject") != passport.holder]
    if strangers:
        message = f"{', '.join(strangers)} are about someone else, not the holder"
        checks.append(Check(Code.HOLDER_BINDING, Outcome.FAIL, message))
    else:
        checks.append(Check(Code.HOLDER_BINDING, Outcome.PASS, "every credential is about the presentation's holder"))
    checks.extend(presentation_checks(passport, at, audience, nonce))
    verdict, summary = _passport_verdict(checks, reports)
    return PassportReport(source, verdict, summary, passport.holder, checks, reports)
