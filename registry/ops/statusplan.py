"""Deciding a status change (revoke, suspend, reinstate) before anything is sent.

Every credential named is checked (this issuer's, its current state read from the chain in one
call) so a batch never stops half-done; sending the plan is ops/statuschange.py's and
ops/issuance.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry.contracts.credentials import StatusEvent
from registry.contracts.statusword import Purpose, bit_of, first_entry, word_of
from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.keystore import Identity
from registry.ops.registry import REASONS, Registry
from registry.ops.statusentries import NotOwnEntry, own_status_entry


@dataclass(frozen=True)
class StatusTarget:
    """One credential named for a status change: where it came from, its JWT, the reason code, and
    the issuer's free-text note (kept in its own records only, never sent: ops/issued.py)."""

    source: str
    token: str
    reason: int
    note: str | None = None


@dataclass
class StatusPlan:
    """What a status change will do, decided before anything is sent.

    `changes` groups, by reason code, the credentials whose bit will change (one transaction per
    reason and list); `unchanged` holds the ones already in the state asked for, with why.
    """

    changes: dict[int, list[StatusTarget]]
    unchanged: list[tuple[StatusTarget, str]]


def plan_status_change(
    registry: Registry, identity: Identity, targets: Sequence[StatusTarget], purpose: Purpose, *, set_: bool,
    local_names: Callable[[], Mapping[str, str]] | None = None,
) -> StatusPlan:  # fmt: skip
    """Check every credential before any transaction is sent, so a batch never stops half-done.

    Every credential must be this issuer's (an error names the first that is not). Its current
    state is read from the chain (one call for all): a credential already in the state asked for
    is left alone, so a second revocation cannot overwrite the first one's reason and time; a
    revoked credential is never suspended or reinstated (revocation is final), and asking to
    reinstate one is refused. The same credential named twice counts once, and twice with two
    reasons is refused.
    """
    account = identity.account.address
    seen: dict[tuple[int, int], StatusTarget] = {}
    slots: list[tuple[StatusTarget, tuple[int, int], tuple[int, int] | None]] = []
    for target in targets:
        try:
            own = own_status_entry(target.token, identity.did, account, purpose)
            revocation = (
                own_status_entry(target.token, identity.did, account, Purpose.REVOCATION)
                if purpose is Purpose.SUSPENSION
                else None
            )
        except NotOwnEntry as exc:
            raise InputError(f"{target.source}: {exc.named(_names(registry, exc, identity, local_names))}") from exc
        except InputError as exc:
            raise InputError(f"{target.source}: {exc}") from exc
        earlier = seen.get(own)
        if earlier is not None:
            if earlier.reason != target.reason:
                raise InputError(f"{target.source} is named twice, with reasons {earlier.reason} and {target.reason}")
            continue
        seen[own] = target
        slots.append((target, own, revocation))
    words = _current_words(registry, account, purpose, slots)
    plan = StatusPlan({}, [])
    histories: dict[Any, list[StatusEvent]] = {}
    for target, own, revocation in slots:
        revoked = revocation is not None and words[(Purpose.REVOCATION, *revocation)]
        current = words[(purpose, *own)]
        if revoked and not set_:
            raise InputError(f"{target.source} is revoked, and revocation is final: it cannot be reinstated")
        if revoked:
            assert revocation is not None
            change = _by_change(registry, account, Purpose.REVOCATION, revocation, histories)
            plan.unchanged.append((target, _state(Purpose.REVOCATION, True) + change))
        elif current == set_:
            change = _by_change(registry, account, purpose, own, histories)
            plan.unchanged.append((target, _state(purpose, set_) + change))
        else:
            plan.changes.setdefault(target.reason, []).append(target)
    return plan


def _by_change(
    registry: Registry, account: str, purpose: Purpose, entry: tuple[int, int], histories: dict[Any, list[StatusEvent]]
) -> str:
    """Which change put an entry in its state, read from its StatusWordChanged events: the
    transaction, block, reason and time of the change that counts (a losing racer's own reason was
    not recorded, and it must say whose was)."""
    found = registry.entry_change(account, purpose, entry[0], entry[1], histories)
    if found is None:
        return ""
    event, when = found
    verb = "by" if event.set else "since its reinstatement by"
    return (
        f" {verb} transaction {event.tx_hash} in block {event.block} "
        f"(reason: {REASONS.get(event.reason, f'code {event.reason}')}, {vcfmt.iso(when)})"
    )


def _state(purpose: Purpose, set_: bool) -> str:
    """How a credential already in the state asked for is described ("<file> is ...")."""
    if purpose is Purpose.REVOCATION:
        return "already revoked"
    return "already suspended" if set_ else "not suspended"


def _current_words(
    registry: Registry,
    account: str,
    purpose: Purpose,
    slots: Sequence[tuple[StatusTarget, tuple[int, int], tuple[int, int] | None]],
) -> dict[tuple[Purpose, int, int], bool]:
    """Each (purpose, list, index) named in `slots`: is its bit set now? One view call for all words."""
    wanted = {(purpose, *own) for _, own, _ in slots}
    wanted |= {(Purpose.REVOCATION, *rev) for _, _, rev in slots if rev is not None}
    keys = sorted({(p, number, word_of(index)) for p, number, index in wanted})
    if not keys:
        return {}
    call = registry.credentials.status_words_for([(account, p, number, first_entry(word)) for p, number, word in keys])
    (values,) = registry.client.call(call)
    value_of = {key: int(value) for key, value in zip(keys, values, strict=True)}
    return {(p, number, index): bit_of(value_of[(p, number, word_of(index))], index) for p, number, index in wanted}


def _names(
    registry: Registry, refusal: NotOwnEntry, identity: Identity, local: Callable[[], Mapping[str, str]] | None
) -> dict[str, str]:
    """The legal names the registry's accreditations give the two issuers, else their names in this
    home (`local`: DID -> identity name): a courtesy, so a read that fails names nobody."""
    from registry.errors import RegistryError
    from registry.ops.trust import Trust, legal_names

    names = {**(local() if local is not None else {}), identity.did: identity.name}
    wanted = [d for d in (refusal.owner, refusal.did) if d.startswith("did:ebsi:")]
    try:
        chains = Trust(registry, "").fetch(wanted)
    except RegistryError:
        return names
    for chain in chains.values():
        names.update(legal_names(chain))
    return names
