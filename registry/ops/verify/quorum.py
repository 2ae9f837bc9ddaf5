"""Quorum reads: one question to several RPC endpoints of one chain, and a verdict only when they agree.

A single node could lie about the issuer's keys, anchors and status; several endpoints of
independent operators can only fool the verifier together. Every endpoint is asked at once, each
in its own thread, so one that hangs costs its read deadline once, not once per endpoint.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from registry.chain.client import repeated_endpoint, shown_url
from registry.errors import InputError
from registry.ops.passport import is_passport
from registry.ops.verify.item import iso
from registry.ops.verify.report import Check, Code, Outcome, PassportReport, Report, Verdict

if TYPE_CHECKING:
    from registry.ops.verify.verifier import Verifier

AnyReport = Report | PassportReport


def in_parallel(work: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """`work(item)` for each item, each in its own thread (and the caller's context: a read deadline
    set around the call holds in every thread)."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, work, item) for item in items]
        return [f.result() for f in futures]


def _settle(per_endpoint: list[tuple[str, AnyReport]]) -> AnyReport:
    """One input's reports from every endpoint, as one report with a quorum check."""
    answered = [(url, r) for url, r in per_endpoint if r.verdict is not Verdict.INDETERMINATE]
    silent = [url for url, r in per_endpoint if r.verdict is Verdict.INDETERMINATE]
    # Endpoints agree when their verdicts and the evidence behind them (reason, block, time and
    # transaction of a status change and of the anchor) agree: the report shown is one of them.
    verdicts = {(r.verdict, _key_evidence(r)) for _, r in answered}
    base = answered[0][1] if answered else per_endpoint[0][1]
    evidence = {url: str(r.verdict) for url, r in per_endpoint}
    if len(verdicts) == 1 and len(answered) * 2 > len(per_endpoint):
        note = f"{len(answered)} of {len(per_endpoint)} endpoints agree"
        if silent:
            note += f"; no answer from {', '.join(silent)}"
        base.checks.append(Check(Code.QUORUM, Outcome.PASS, note, dict(evidence)))
        return base
    if len({r.verdict for _, r in answered}) > 1:
        message = "the endpoints disagree: " + ", ".join(f"{u} says {r.verdict}" for u, r in answered)
    elif len(verdicts) > 1:
        message = "the endpoints disagree on the evidence: " + ", ".join(f"{u} says {r.summary}" for u, r in answered)
    else:
        message = f"only {len(answered)} of {len(per_endpoint)} endpoints answered"
    base.checks.append(Check(Code.QUORUM, Outcome.UNKNOWN, message, dict(evidence)))
    base.verdict = Verdict.INDETERMINATE
    base.summary = f"COULD NOT DETERMINE: {message}"
    return base


def verify_with_quorum(
    verifiers: Sequence[tuple[str, Verifier | Callable[[], Verifier]]],
    inputs: Sequence[tuple[str, str | bytes]],
    at: int | None = None,
    *,
    audience: str | None = None,
    nonce: str | None = None,
    then: Callable[[AnyReport, Verifier], Any] = lambda report, verifier: None,
) -> list[AnyReport]:
    """Ask several RPC endpoints of one chain and compare: a verdict stands only when a majority
    of endpoints answered and every endpoint that answered agrees; disagreement is reported.
    Credentials and passports alike: a passport is compared on its overall verdict. `then` adds
    a caller's checks to each endpoint's report, with that endpoint's verifier, before they are compared.

    A verifier may be given as a function that makes it (attaching to its endpoint), so a slow
    endpoint's attach delays no other one."""
    from registry.ops.verify.verifier import Verifier

    same = repeated_endpoint([url for url, _ in verifiers])
    if same is not None:  # one node given twice would agree with itself
        raise InputError(f"{same[0]} and {same[1]} are the same endpoint: a quorum needs independent nodes")
    passports = {n for n, (_, content) in enumerate(inputs) if is_passport(content)}
    credentials = [n for n in range(len(inputs)) if n not in passports]

    def ask(given: Verifier | Callable[[], Verifier]) -> list[AnyReport]:
        try:
            verifier = given if isinstance(given, Verifier) else given()
            reports: dict[int, AnyReport] = {}
            if credentials:
                answered = verifier.verify_many([inputs[n] for n in credentials], at)
                reports.update(zip(credentials, answered, strict=True))
            for n in passports:
                reports[n] = verifier.verify_passport(inputs[n][0], inputs[n][1], at, audience=audience, nonce=nonce)
            for report in reports.values():  # more checks, read through this endpoint too (an RPL assessor's)
                then(report, verifier)
            return [reports[n] for n in range(len(inputs))]
        except Exception as exc:  # one endpoint's fault is that endpoint's "could not determine"
            return [_failed_endpoint(source, n in passports, exc, at) for n, (source, _) in enumerate(inputs)]

    shown = [shown_url(url) for url, _ in verifiers]  # never an endpoint's credentials in evidence
    answers = list(zip(shown, in_parallel(ask, [v for _, v in verifiers]), strict=True))
    return [_settle([(url, reports[n]) for url, reports in answers]) for n in range(len(inputs))]


# What quorum endpoints must agree on besides the verdict: each status change and the anchor, as
# the report states them (a node can keep the verdict and lie about the reason or the time).
_EVIDENCE_CODES = frozenset((Code.ANCHOR, Code.STATUS_LIST, Code.REVOCATION_STATUS, Code.SUSPENSION_STATUS))
_EVIDENCE_KEYS = ("reasonCode", "block", "time", "transaction", "account", "list", "index")


def _key_evidence(report: AnyReport) -> tuple[Any, ...]:
    own = tuple(
        (c.code, str(c.outcome), tuple(repr(c.evidence.get(k)) for k in _EVIDENCE_KEYS))
        for c in report.checks
        if c.code in _EVIDENCE_CODES
    )
    inner = tuple(_key_evidence(r) for r in report.credentials) if isinstance(report, PassportReport) else ()
    return own, inner


def _failed_endpoint(source: str, passport: bool, exc: BaseException, at: int | None) -> AnyReport:
    """The report of an endpoint whose verification failed unexpectedly: could not determine."""
    reason = f"could not check: this endpoint failed ({type(exc).__name__})"
    checks = [Check(Code.CHAIN, Outcome.UNKNOWN, reason)]
    summary = f"COULD NOT DETERMINE: {reason}"
    if passport:
        return PassportReport(source, Verdict.INDETERMINATE, summary, None, checks, [])
    return Report(source, Verdict.INDETERMINATE, summary, checks, {}, iso(at if at is not None else int(time.time())))
