"""Quorum reads: one question to several RPC endpoints of one chain, and a verdict only when they agree.

A single node could lie about the issuer's keys, anchors and status; several endpoints of
independent operators can only fool the verifier together. Every endpoint is asked at once, each
in its own thread, so one that hangs costs its read deadline once, not once per endpoint.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from registry.ops.passport import is_passport
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
    verdicts = {r.verdict for _, r in answered}
    base = answered[0][1] if answered else per_endpoint[0][1]
    evidence = {url: str(r.verdict) for url, r in per_endpoint}
    if len(verdicts) == 1 and len(answered) * 2 > len(per_endpoint):
        note = f"{len(answered)} of {len(per_endpoint)} endpoints agree"
        if silent:
            note += f"; no answer from {', '.join(silent)}"
        base.checks.append(Check(Code.QUORUM, Outcome.PASS, note, dict(evidence)))
        return base
    if len(verdicts) > 1:
        message = "the endpoints disagree: " + ", ".join(f"{u} says {r.verdict}" for u, r in answered)
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
) -> list[AnyReport]:
    """Ask several RPC endpoints of one chain and compare: a verdict stands only when a majority
    of endpoints answered and every endpoint that answered agrees; disagreement is reported.
    Credentials and passports alike: a passport is compared on its overall verdict.

    A verifier may be given as a function that makes it (attaching to its endpoint), so a slow
    endpoint's attach delays no other one."""
    from registry.ops.verify.verifier import Verifier

    passports = {n for n, (_, content) in enumerate(inputs) if is_passport(content)}
    credentials = [n for n in range(len(inputs)) if n not in passports]

    def ask(given: Verifier | Callable[[], Verifier]) -> list[AnyReport]:
        verifier = given if isinstance(given, Verifier) else given()
        reports: dict[int, AnyReport] = {}
        if credentials:
            answered = verifier.verify_many([inputs[n] for n in credentials], at)
            reports.update(zip(credentials, answered, strict=True))
        for n in passports:
            reports[n] = verifier.verify_passport(inputs[n][0], inputs[n][1], at, audience=audience, nonce=nonce)
        return [reports[n] for n in range(len(inputs))]

    answers = list(zip([url for url, _ in verifiers], in_parallel(ask, [v for _, v in verifiers]), strict=True))
    return [_settle([(url, reports[n]) for url, reports in answers]) for n in range(len(inputs))]
