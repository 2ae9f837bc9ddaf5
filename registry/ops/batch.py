"""Verifying a mixed list of inputs, credentials and passports, in the order they were given.

Credentials are verified together (`Verifier.verify_many` does per-issuer work once per batch);
each passport on its own, with the audience and nonce the verifier expects. The caller reads its
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
    for n, (source, content) in enumerate(inputs):
        if results[n] is None:
            results[n] = verifier.verify_passport(source, content, when, audience=audience, nonce=nonce)
    return results
