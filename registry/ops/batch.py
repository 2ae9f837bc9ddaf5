"""Verifying a mixed list of inputs, credentials and passports, in the order they were given.

Credentials are verified together (`Verifier.verify_many` does per-issuer work once per batch);
each passport on its own, with the audience and nonce the verifier expects (a credential given with
them is said not to be checked for them: only a passport carries them). The caller reads its
inputs a slice at a time (`SLICE`) and reports each slice before reading the next, so memory
stays flat however many files there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Inputs read, verified and reported together.
SLICE = 500


def verify_inputs(
    verifier: Any,
    inputs: Sequence[tuple[str, bytes]],
    when: int | None,
    *,
    audience: str | None = None,
    nonce: str | None = None,
) -> list[Any]:
    """One report per input (name, content), in the inputs' order: a `Report` for a credential,
    a `PassportReport` for a passport."""
    from registry.ops.passport import is_passport

    credentials = [n for n, (_, content) in enumerate(inputs) if not is_passport(content)]
    results: list[Any] = [None] * len(inputs)
    reports = verifier.verify_many([inputs[n] for n in credentials], when) if credentials else []
    for n, report in zip(credentials, reports, strict=True):
        results[n] = report
    note_not_presented(reports, audience, nonce)
    for n, (source, content) in enumerate(inputs):
        if results[n] is None:
            results[n] = verifier.verify_passport(source, content, when, audience=audience, nonce=nonce)
    return results


def verify_quorum(
    verifiers: list[Any], inputs: list[tuple[str, bytes]], when: int | None, *, audience: str | None, nonce: str | None
) -> list[Any]:
    """`verify_inputs` through a quorum of nodes (ops/verify/quorum.py): one report per input."""
    from registry.ops.rpl.checks import add_rpl_checks
    from registry.ops.verify import verify_with_quorum

    def assessor(report: Any, verifier: Any) -> None:  # an RPL credential's, as one node's `verify` checks it
        add_rpl_checks(report, verifier.registry, None)

    results: list[Any] = verify_with_quorum(verifiers, inputs, when, audience=audience, nonce=nonce, then=assessor)
    note_not_presented(results, audience, nonce)
    return results


NOT_PRESENTED = (
    "not checked: this is a single credential, not a passport, so nothing shows that its holder presented it "
    "to you; ask the holder for a passport made for you"
)


def note_not_presented(reports: Sequence[Any], audience: str | None, nonce: str | None) -> None:
    """Credentials verified with an audience or a nonce to check: they carry neither (only a passport,
    signed by its holder, does), so each credential's report says it was not checked; the verdict
    stays as it is. Passports' reports are left as they are."""
    from registry.ops.verify import Check, Code, Outcome, PassportReport

    if audience is None and nonce is None:
        return
    code = Code.AUDIENCE if audience is not None else Code.NONCE
    for report in reports:
        if not isinstance(report, PassportReport):
            report.checks.append(Check(code, Outcome.SKIPPED, NOT_PRESENTED))
