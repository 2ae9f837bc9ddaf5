"""The time rules: which times the chain can answer for (`time_problem`), and what an
accreditation's revisions say held at one of them (`link_status`), by the second or, for an
on-chain event, by the chain's own order (block, then log index)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from registry.formats.credential import iso
from registry.ops.trust.model import REASONS, AttrStatus, ChainData, Link, Position, Revision

# Clocks of issuers and nodes disagree a little: a time this far past the chain's newest block is
# still "now" (the verifier's allowance for an anchor "before" a JWT's iat, too).
CLOCK_SKEW_S = 300


def time_problem(
    at: int, head_time: int, syncing: Callable[[], bool] | None, now: int | None = None, current: bool = False
) -> str | None:
    """Why the chain cannot say what held at `at` (unix seconds), or None when it can.

    The rule: a time in the future (later than the verifier's own clock, plus clock skew) is never
    answered, whatever the node's newest block says, as nobody knows yet what happens until then. A
    time up to the chain's newest block is answered from the chain. A later time (now included,
    however recent the newest block) is answered as of the newest block only when the node reports
    it is not syncing (`syncing()` false: eth_syncing): a chain without new blocks (anvil, a private
    network that makes no empty blocks) has simply not changed since. A node that reports it is
    syncing, or one that cannot be asked (`syncing` None), may be behind: "could not determine".
    A `current` question (no time given: now) always needs a node that is not syncing, whatever
    the newest block's timestamp says (a block of this very second may not be the chain's last).
    """
    now = int(time.time()) if now is None else now
    if at > now + CLOCK_SKEW_S:
        return (
            f"{iso(at)} is in the future, later than the chain's newest block ({iso(head_time)}); "
            "what happens until then is not known yet"
        )
    if at < head_time and not current:
        return None
    if syncing is None or syncing():
        return (
            f"the node reports it is still syncing: its newest block ({iso(head_time)}) may not be the "
            f"chain's, so what holds at {iso(at)} is not known; ask another node, or again later"
        )
    return None


def accreditation_reason(revision: Revision) -> str:
    """Why an accreditation was revoked, suspended or reinstated, in words ("fraud")."""
    return REASONS.get(revision.reason, f"reason {revision.reason}")


def reason_of(revision: Revision) -> str:
    """The same, as a clause for a sentence: " (reason: fraud)"."""
    if revision.reason not in REASONS:  # a code without words: " (reason 9)", not " (reason: reason 9)"
        return f" (reason {revision.reason})"
    return f" (reason: {accreditation_reason(revision)})"


@dataclass
class LinkStatus:
    """An accreditation's standing at the time in question: in force or not, in a sentence, with
    its evidence; `later` is the revocation or standing suspension made after it (in force only),
    `void_from` the date a later revocation for cause reaches back to."""

    active: bool
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    later: Revision | None = None
    void_from: int | None = None


def link_status(chain: ChainData, link: Link, at: int, position: Position | None = None) -> LinkStatus:
    """Was `link` in force at `at` (before `position`, for an on-chain event)? See `Link.revision_at`.

    A revocation for cause reaches back: from the date its revoker stated (`Link.cause_from`) on,
    the accreditation held nothing, whatever its revisions said then. Any other change takes effect
    when it was made."""
    revision = link.revision_at(at, position, chain.revision_logs)
    # Within one second the block tells what came first: say it when the order came from the chain.
    when = iso(at) if position is None else f"{iso(at)} (block {position.block})"

    def on(r: Revision) -> str:
        return iso(r.timestamp) if position is None else f"{iso(r.timestamp)} (block {r.block})"

    evidence: dict[str, Any] = {"validFrom": iso(link.valid_from), "validUntil": iso(link.valid_until)}
    cause = link.for_cause()
    if cause is not None and at >= link.cause_from:
        evidence.update(revokedAt=iso(cause.timestamp), block=cause.block, reason=accreditation_reason(cause),
                        revokedForCauseFrom=iso(link.cause_from))  # fmt: skip
        return LinkStatus(
            False,
            f"accreditation revoked for cause from {iso(link.cause_from)}: {accreditation_reason(cause)} "
            f"(revoked on {on(cause)}, reaching back to that date; {when} is not before it)",
            evidence,
        )
    if revision is None:
        return LinkStatus(False, f"not yet accredited on {when} (accredited {on(link.revisions[0])})", evidence)
    if revision.status is AttrStatus.REVOKED:
        evidence.update(revokedAt=iso(revision.timestamp), block=revision.block, reason=accreditation_reason(revision))
        return LinkStatus(
            False,
            f"accreditation revoked on {on(revision)}{_before(revision.timestamp, at, position, when)}"
            f"{reason_of(revision)}",
            evidence,
        )
    if revision.status is AttrStatus.SUSPENDED:
        evidence.update(
            suspendedAt=iso(revision.timestamp), block=revision.block, reason=accreditation_reason(revision)
        )
        message = f"accreditation suspended on {on(revision)} and not reinstated by {when}{reason_of(revision)}"
        return LinkStatus(False, message, evidence)
    if at >= link.valid_until:  # when, said (it read "not within its validity period on <the time asked>")
        ended = _before(link.valid_until, at, None, when)
        return LinkStatus(False, f"accreditation expired on {iso(link.valid_until)}{ended}", evidence)
    if at < link.valid_from:
        return LinkStatus(False, f"accreditation valid only from {iso(link.valid_from)}, after {when}", evidence)
    return _in_force(link, revision, when, on, evidence)


def _before(then: int, at: int, position: Position | None, when: str) -> str:
    """ ", before <the time asked>", or ", the very second asked" when the change came in that second
    (under the policy "now" without --at the time asked is the newest block's, the block of a
    revocation just made: it read "revoked on T, before T"); it holds from its second on. With an
    on-chain event's `position` the blocks order them, and `when` names both."""
    if then < at or position is not None:
        return f", before {when}"
    return ", the very second asked"


def _in_force(
    link: Link, revision: Revision, when: str, on: Callable[[Revision], str], evidence: dict[str, Any]
) -> LinkStatus:
    """An accreditation in force at the time in question (`when`), with the revocation or standing
    suspension made after it, which does not reach back (a revocation for cause reaches back only
    to its date, later than `when`)."""
    later = link.revoked()
    if later is not None:
        evidence.update(revokedAt=iso(later.timestamp), block=later.block)
        void_from = link.cause_from or None
        if void_from is not None:
            evidence["revokedForCauseFrom"] = iso(void_from)
            message = (
                f"active on {when}; revoked for cause later, on {on(later)}{reason_of(later)}, reaching back "
                f"to {iso(void_from)}, after {when}"
            )
        else:
            message = f"active on {when}; revoked later, on {on(later)}{reason_of(later)}, which does not reach back"
        return LinkStatus(True, message, evidence, later, void_from)
    latest = link.revisions[-1] if link.revisions else None
    if latest is not None and latest.status is AttrStatus.SUSPENDED and latest is not revision:
        evidence.update(suspendedAt=iso(latest.timestamp), block=latest.block)
        message = (
            f"active on {when}; suspended later, on {on(latest)}{reason_of(latest)}, and still suspended, "
            "which does not reach back"
        )
        return LinkStatus(True, message, evidence, latest)
    return LinkStatus(True, f"active on {when}", evidence)
