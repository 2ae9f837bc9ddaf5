"""The status checks: each status entry's bit, as its list's account left it while it controlled
the issuer's DID.

Status words are keyed by the account that writes them, and any account can write its own. So a
list counts only if its account controlled the issuer's DID when the credential was anchored (else
its issuer could never change this credential's status), and a change counts only if its block
came inside that account's controller window: after a controller is rotated out, its key can
still write, but what it writes is ignored. The word's history (each StatusWordChanged event names
the block of the change before it) gives the bit as it was at the window's end; where that history
cannot be read, "could not determine". The history is read only as far as the entry needs
(`_Settled`), within a budget (`registry.ops.history`): past it, now, the bit in storage stands
as the verdict without its reason and time; at a past time, "could not determine".
"""

from __future__ import annotations

from typing import Any

from registry.errors import ChainUnavailable
from registry.ops.history import HISTORY_BUDGET
from registry.ops.registry import (
    BITS_PER_WORD,
    NO_EXPIRY,
    AnchorRecord,
    DidState,
    Purpose,
    StatusEvent,
    VerificationMethod,
    bit_of,
    change_in_force,
    last_change_block,
)
from registry.ops.verify.fields import StatusRef
from registry.ops.verify.item import SAME_BLOCK, Item, iso, iso_or_none
from registry.ops.verify.lookups import Lookups
from registry.ops.verify.report import Code, Outcome, reason_text


def past(purpose: Purpose) -> str:
    return "revoked" if purpose is Purpose.REVOCATION else "suspended"


# The common answer's code and message, per purpose (the hot path of a batch).
_CODES = {purpose: Code.status(purpose) for purpose in Purpose}
_NOT = {purpose: f"not {past(purpose)}" for purpose in Purpose}


def check_status(item: Item, words: list[int], at: int | None, lookups: Lookups) -> None:
    """One status check per entry the credential names (or a failed `status list` check)."""
    state = item.did_state
    anchor = item.anchor
    for ref, word in zip(item.statuses, words, strict=True):
        if state is not None and anchor is not None and _clear(item, ref, word, at, lookups, state, anchor):
            continue
        _, account, purpose, number, index = ref
        controller = lookups.controller(state, account) if state is not None else None
        anchored: bool | None = True
        if controller is not None and item.anchor is not None:
            anchored = lookups.anchored_under(item.issuer, controller, item.anchor)
            if anchored is None:
                item.add(Code.status(purpose), Outcome.UNKNOWN, SAME_BLOCK.format(what="anchor", key="controller key"))
                continue
        if controller is None or not anchored:
            when_anchored = "when the credential was anchored" if controller is not None else "at any time"
            item.add(
                Code.STATUS_LIST, Outcome.FAIL,
                f"the {purpose.label} list belongs to account {account}, which did not control {item.issuer} "
                f"{when_anchored}: the issuer could not change this credential's status",
                account=account, list=number, index=index,
            )  # fmt: skip
            continue
        _check_entry(item, ref, word, controller, at, lookups)


def _clear(
    item: Item, ref: StatusRef, word: int, at: int | None, lookups: Lookups, state: DidState, anchor: AnchorRecord
) -> bool:
    """The common answer, found without more: now, the entry's bit clear in a word its account wrote
    while controlling the issuer's DID (from before the anchor, to no end), or a word never changed.
    Then the row is added (as `_check_entry` words it) and True returned; otherwise nothing is."""
    account, purpose, index = ref[1], ref[2], ref[4]
    controller = lookups.controller(state, account)
    if controller is None or not controller.not_before <= anchor.timestamp < controller.not_after:
        return False  # (including an anchor in the second the controller was retired: asked in full)
    if word >> BITS_PER_WORD and (at is not None or controller.not_after < NO_EXPIRY or bit_of(word, index)):
        return False
    item.rows.append((_CODES[purpose], Outcome.PASS, _NOT[purpose], {"list": ref[3], "index": index}))
    return True


# The block headers one entry's check may read to place its changes in time (each change that
# touched the entry, newest first, until one settles the question).
TIMES_BUDGET = 6


class _Settled:
    """The `enough` of a status walk: whether the changes read so far settle one entry's state, at
    `at` (None: now) as the controller's account left it inside its window. Now, under a window
    that never ends, the newest change that touched the entry is the one in force (the contract
    refuses to set a set entry or clear a clear one); otherwise the newest that touched it at or
    before the time asked and inside the window, or one before the window began (everything older
    is outside it too). Places changes in time by their blocks' headers, at most TIMES_BUDGET."""

    def __init__(
        self, item: Item, controller: VerificationMethod, at: int | None, index: int, lookups: Lookups
    ) -> None:
        self.item, self.controller, self.at, self.index, self.lookups = item, controller, at, index, lookups
        self.open_now = at is None and controller.not_after >= NO_EXPIRY
        self.gave_up = False

    def __call__(self, events: list[StatusEvent]) -> bool:
        touching = [e for e in events if bit_of(e.mask, self.index)]
        if not touching or self.open_now:
            return bool(touching)
        if len(touching) > TIMES_BUDGET:
            self.gave_up = True
            return True
        when = self.lookups.event_times(touching)
        for event in touching:
            time_ = when[event.block]
            if self.at is not None and time_ > self.at:
                continue
            if time_ < self.controller.not_before:
                return True
            if self.lookups.in_window(self.item.issuer, self.controller, event, time_) is not False:
                return True
        return False


def _check_entry(
    item: Item, ref: StatusRef, word: int, controller: VerificationMethod, at: int | None, lookups: Lookups
) -> None:
    _, account, purpose, number, index = ref
    code = _CODES[purpose]
    last = last_change_block(word)
    # Now, under a window that never ends, a clear bit needs no history: it is the answer (a change
    # before the window leaves the bit clear). Only a set bit (for its reason and time), a question
    # about the past, or a window that ended reads the word's history.
    if not last or (at is None and controller.not_after >= NO_EXPIRY and not bit_of(word, index)):
        item.add(code, Outcome.PASS, _NOT[purpose], list=number, index=index)
        return
    settled = _Settled(item, controller, at, index, lookups)
    history = lookups.word_history(account, purpose, number, index // BITS_PER_WORD, last, settled)
    if history.cut or settled.gave_up:
        _beyond_budget(item, ref, word, settled.open_now)
        return
    # The walk goes newest first; a node without the older logs (pruned) stops it early.
    complete = history.complete
    touching = [e for e in history.events if bit_of(e.mask, index)]
    when = lookups.event_times(touching)
    if at is None and (touching or complete) and (touching[0].set if touching else False) != bit_of(word, index):
        raise ChainUnavailable("status history disagrees with the status word (node out of sync)")
    asked = [e for e in touching if at is None or when[e.block] <= at]
    inside = {e: lookups.in_window(item.issuer, controller, e, when[e.block]) for e in asked}
    if any(v is None for v in inside.values()):
        message = SAME_BLOCK.format(what=f"{purpose.label} change", key="controller key")
        item.add(code, Outcome.UNKNOWN, message, list=number, index=index)
        return
    relevant = [e for e in asked if inside[e]]
    evidence: dict[str, Any] = {"list": number, "index": index}
    note = _ignored(item, ref, controller, asked, relevant, inside, when, evidence)
    before_window = any(when[e.block] < controller.not_before for e in asked)
    if not relevant and not (complete or before_window):
        item.add(
            code, Outcome.UNKNOWN,
            f"could not check: the node did not return this status word's whole history, which is needed "
            f"to read it as {account} left it while it controlled {item.issuer}",
            **evidence,
        )  # fmt: skip
        return
    if not relevant or not relevant[0].set:
        item.add(code, Outcome.PASS, f"not {past(purpose)}{note}", **evidence)
        return
    event = change_in_force(relevant)  # the change that put it in this state
    assert event is not None
    changed = when[event.block]
    item.add(
        code, Outcome.FAIL, f"{past(purpose)} on {iso(changed)}: {reason_text(event.reason)}{note}",
        reasonCode=event.reason, block=event.block, time=iso(changed), transaction=event.tx_hash, **evidence,
    )  # fmt: skip


def _beyond_budget(item: Item, ref: StatusRef, word: int, open_now: bool) -> None:
    """The word changed more often since the change that matters than a walk may read. Now, under
    a controller window that never ends, the bit in storage is the verdict and only its reason,
    time and transaction are missing; a question about the past (or a window that ended) needs the
    change itself, so it is "could not determine"."""
    _, account, purpose, number, index = ref
    code = Code.status(purpose)
    evidence: dict[str, Any] = {"list": number, "index": index}
    unread = (
        f"this status word changed more often since than a verifier reads ({HISTORY_BUDGET} log queries in "
        f"windows of REGISTRY_LOG_WINDOW blocks)"
    )
    if open_now:
        item.add(
            code, Outcome.FAIL if bit_of(word, index) else Outcome.PASS,
            f"{'' if bit_of(word, index) else 'not '}{past(purpose)} (the status word says so; when and why were "
            f"not read: {unread})",
            **evidence,
        )  # fmt: skip
        return
    item.add(
        code, Outcome.UNKNOWN,
        f"could not check: the {purpose.label} entry as {account} left it at the time asked is not known: {unread}",
        **evidence,
    )  # fmt: skip


def _ignored(
    item: Item,
    ref: StatusRef,
    controller: VerificationMethod,
    asked: list[StatusEvent],
    relevant: list[StatusEvent],
    inside: dict[StatusEvent, bool | None],
    when: dict[int, int],
    evidence: dict[str, Any],
) -> str:
    """The changes that would have mattered (newer than the newest that counts) but were made
    outside the account's controller window: put in the evidence, and said in a note."""
    _, account, purpose, _, _ = ref
    ignored = [e for e in asked[: asked.index(relevant[0]) if relevant else None] if not inside[e]]
    if not ignored:
        return ""
    evidence["ignored"] = [
        {"block": e.block, "time": iso(when[e.block]), "transaction": e.tx_hash,
         "change": past(purpose) if e.set else f"not {past(purpose)}"}
        for e in ignored
    ]  # fmt: skip
    return (
        f"; {len(ignored)} change(s) by {account} ignored: it controlled {item.issuer} only from "
        f"{iso(controller.not_before)} until {iso_or_none(controller.not_after) or 'now'}"
    )
