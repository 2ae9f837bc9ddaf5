"""Sending a planned status change (revoke, suspend, reinstate) when other processes may be
changing the same credentials at the same time.

`plan_status_change` (ops/issuance.py) decides, under the issuer's writer lock, what will change;
another home's process can still change the same entries between that plan and our transaction.
The contract then refuses the group (`StatusAlreadySet`, `StatusNotSet`, or a revert on-chain,
which names no error). Such a credential is named with the change that won, never with our
reason, and the rest of its group is sent again (at most three rounds).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from registry.errors import InputError, TransactionReverted
from registry.ops.issuance import StatusTarget, plan_status_change

# How long a status change refused by a change still in the node's pool waits for its block.
STATUS_RACE_WAIT_S = 30.0

Sent = dict[int, tuple[list[StatusTarget], list[dict[str, Any]]]]


def check_reasons(targets: Sequence[StatusTarget]) -> None:
    """Every reason code named must be a known one (InputError naming the known ones)."""
    from registry.ops.registry import REASONS

    unknown = [t for t in targets if t.reason not in REASONS]
    if unknown:
        known = ", ".join(f"{k} {v}" for k, v in REASONS.items())
        # A list's row names itself ("par3.json (rev.csv line 3)"); --reason, for every file, needs no place.
        where = f"{unknown[0].source}: " if " line " in unknown[0].source else ""
        raise InputError(f"{where}unknown reason code {unknown[0].reason}; known: {known}")


def send_status_changes(
    registry: Any,
    identity: Any,
    issuer_ops: Any,
    changes: dict[int, list[StatusTarget]],
    which: Any,
    set_: bool,
    *,
    unchanged: Callable[[StatusTarget, str], None],
    unpublished: Callable[[Exception], None],
) -> Sent:
    """Send every reason group's change as one journaled batch; returns, per reason, the targets
    changed and their receipts. `unchanged(target, why)` hears of each credential another process
    changed first; `unpublished(exc)` of a status list whose publication failed (the changes stand)."""
    done: Sent = {}
    pending = dict(changes)
    for attempt in range(3):
        outcome = issuer_ops.apply_status_changes(
            {code: [t.token for t in chosen] for code, chosen in pending.items()}, which, set_=set_, publish=True
        )
        if outcome.publication_failure is not None:
            unpublished(outcome.publication_failure)
        retry: dict[int, list[StatusTarget]] = {}
        for code, chosen in sorted(pending.items()):
            exc = outcome.failures.get(code)
            if exc is None:
                done[code] = (chosen, outcome.receipts[code])
                continue
            again = _replan(registry, identity, chosen, which, set_, exc, last=attempt == 2)
            for target, why in again.unchanged:
                unchanged(target, why)
            if again.changes.get(code):
                retry[code] = again.changes[code]
        if not retry:
            break
        pending = retry
    return done


def _replan(
    registry: Any, identity: Any, chosen: list[StatusTarget], which: Any, set_: bool, exc: Exception, *, last: bool
) -> Any:
    """The plan again for a refused group, if the refusal is one a racing change explains; else
    the refusal itself is raised."""
    if not isinstance(exc, TransactionReverted):
        raise exc
    if exc.error_name not in (None, "StatusAlreadySet", "StatusNotSet") or last:
        raise exc
    again = plan_status_change(registry, identity, chosen, which, set_=set_)
    if not again.unchanged and exc.error_name is not None:
        # Refused against the node's pending state: the change that won is not in a block yet.
        # Wait for the next one, so it can be named.
        wait_for_next_block(registry.client, STATUS_RACE_WAIT_S)
        again = plan_status_change(registry, identity, chosen, which, set_=set_)
    if not again.unchanged:
        raise exc  # nothing changed under us: the refusal is about something else
    return again


def wait_for_next_block(client: Any, timeout_s: float) -> None:
    """Until the node has a block after its current one, or `timeout_s` has passed."""
    start = client.block_number()
    deadline = time.monotonic() + timeout_s
    while client.block_number() <= start and time.monotonic() < deadline:
        time.sleep(0.2)
