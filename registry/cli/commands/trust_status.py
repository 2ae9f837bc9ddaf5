"""`registry trust suspend|reinstate|revoke` and their `-root` forms: the status changes of an
accreditation (trust.py holds the commands). Each names the accreditation's holder by its legal
name, says "unchanged" (exit 0) when it is already as asked, even when another write made it so
while this one was on its way, and refuses to undo a revocation, which is final."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import typer

from registry.cli.exits import arguments
from registry.cli.options import account_of, did_of, load_identity, parse_since, settings_of
from registry.cli.output import out, warn
from registry.errors import InputError
from registry.text import short_attribute


def _attribute_id(attribute: str | None) -> str | None:
    """`--attribute` as hex digits: the whole id (64), or its start as text output shows it (8 or more,
    `registry.text.short_attribute`), found among the holder's accreditations by `_chosen`."""
    if attribute is None:
        return None
    digits = attribute.removeprefix("0x").lower()
    if not 8 <= len(digits) <= 64 or any(c not in "0123456789abcdef" for c in digits):
        raise InputError(
            f"--attribute must be an attribute id (64 hex digits, or its first 8 or more as `registry issuer "
            f"history` shows it), not {attribute[:70]!r}"
        )
    return digits


def _chosen(trust: Any, did: str, digits: str) -> bytes:
    """The one accreditation of `did` whose id starts with `digits`; refused in one line otherwise."""
    found = [a for a in trust.attribute_ids(did) if a.hex().startswith(digits)]
    if len(found) == 1:
        return found[0]
    listed = ", ".join(a.hex() for a in found)
    raise InputError(
        f"{did} holds several accreditations whose id starts with {digits}: pass more of it, one of {listed}"
        if found
        else f"{did} holds no accreditation whose id starts with {digits} (`registry issuer history DID` lists them)"
    )


def _check_reason(reason: int) -> None:
    """A reason code fits the chain's 8 bits; one without words (5 to 255, a scheme of the authority's
    own) is taken, but said: verifiers and `issuer history` will show only its number."""
    from registry.ops.trust import REASONS

    if not 0 <= reason <= 255:
        raise InputError(f"--reason must be a reason code from 0 to 255, not {reason}")
    if reason not in REASONS:
        words = ", ".join(f"{code} {text}" for code, text in REASONS.items())
        warn(
            f"reason {reason} has no words in this registry (only {words}): verifiers will see "
            f'"reason {reason}" alone, so publish what it means to those who check your accreditations'
        )


def change_accreditation(
    ctx: typer.Context, parent: str, child: str, attribute: str | None, status: str, reason: int,
    rpc: list[str] | None, deployment: Path | None, for_cause_from: str | None = None,
) -> None:  # fmt: skip
    from registry.formats.credential import iso
    from registry.ops.registry import Registry
    from registry.ops.trust import REASONS, AttrStatus, Trust

    with arguments():  # the command line itself: a usage error (64), before any key or node is used
        _check_reason(reason)
        chosen = _attribute_id(attribute)
        since = parse_since(for_cause_from) if for_cause_from is not None else None
    settings = settings_of(ctx, rpc, deployment)
    registry = Registry.connect(settings)
    trust = Trust(registry, settings.public_url)
    identity = load_identity(settings, parent)
    child_did = did_of(settings, child)
    local = child if child != child_did else _home_name(settings, child_did)  # its name in this home
    target = (
        _chosen(trust, child_did, chosen) if chosen else trust.child_attribute(identity.did, child_did, parent, local)
    )
    why = REASONS.get(reason, f"reason {reason}")
    whose = trust.named(child_did, local)  # by its legal name too, as `issuer history` names it
    if since is None and _unchanged(trust, child_did, whose, target, AttrStatus[status]):
        return
    if since is not None:
        since = _from_its_start(trust, child_did, target, since)
        receipt = trust.revoke_for_cause(identity, child_did, target, since, reason)
        done = f"revoked for cause, void from {iso(since)},"
    else:
        receipt = _sent_or_unchanged(
            partial(trust.set_status, identity, child_did, target, AttrStatus[status], reason),
            partial(_unchanged, trust, child_did, whose, target, AttrStatus[status]),
        )
        if receipt is None:
            return
        done = _DONE[status]
    out.print(
        f"accreditation {short_attribute(target)} of {whose}: {done} in block {receipt['blockNumber']} "
        f"({_reason_words(reason, why)})"
    )


def _home_name(settings: Any, did: str) -> str | None:
    """What this home calls `did` (its identity's name, its trust list's), as `issuer history` names it."""
    from registry.cli.commands.issuer import known_names

    return known_names(settings, None, {}).get(did)


def _sent_or_unchanged(send: Callable[[], Any], unchanged: Callable[[], bool]) -> Any:
    """`send()`'s receipt; None when the contract refused the change because another write (a second
    process of the same parent, or this home's earlier write, rebroadcast on the way) made it so
    meanwhile: then it is "unchanged", said by `unchanged()`, as when asked twice in turn."""
    from registry.errors import TransactionReverted

    try:
        return send()
    except TransactionReverted as exc:
        if exc.error_name != "InvalidStatusChange" or not unchanged():
            raise
        return None


def _from_its_start(trust: Any, child_did: str, target: bytes, since: int) -> int:
    """Void from a date before the accreditation began is void from its start: the same effect (it
    covered nothing before), said, not refused (`--for-cause-from today` on the day it was granted)."""
    from registry.formats.credential import iso

    began = int(trust.attribute(child_did, target).valid_from)
    if since >= began:
        return since
    warn(f"{iso(since)} is before the accreditation began: it is void from its start, {iso(began)}")
    return began


_DONE = {"ACTIVE": "reinstated", "SUSPENDED": "suspended", "REVOKED": "revoked"}  # what a status change did


def _reason_words(reason: int, why: str) -> str:
    """ "reason 3: audit pending"; a code without words is said once ("reason 9", not "reason 9: reason 9")."""
    return why if why == f"reason {reason}" else f"reason {reason}: {why}"


def _unchanged(trust: Any, child_did: str, whose: str, target: bytes, asked: Any) -> bool:
    """True (and said) when the accreditation is already as asked; refused when it is revoked, which
    is final: said before anything is sent, rather than as the contract's refusal."""
    from registry.ops.trust import AttrStatus

    now = trust.attribute(child_did, target).status
    if now is asked:
        out.print(f"unchanged: accreditation {short_attribute(target)} of {whose} is already {now.name.lower()}")
        return True
    if now is AttrStatus.REVOKED:
        raise InputError(
            f"accreditation {short_attribute(target)} of {whose} is revoked, and revocation is final: it cannot be "
            f"{'reinstated' if asked is AttrStatus.ACTIVE else 'suspended'}"
        )
    return False


def change_root(
    ctx: typer.Context, root: str, attribute: str | None, status: str, reason: int, governance: str | None,
    rpc: list[str] | None, deployment: Path | None,
) -> None:  # fmt: skip
    """Governance changes a Root TAO's own accreditation: the top of every chain under it."""
    from registry.ops.registry import Registry
    from registry.ops.trust import REASONS, AttrStatus, Trust

    with arguments():  # the command line itself: a usage error (64), before any key or node is used
        _check_reason(reason)
        chosen = _attribute_id(attribute)
    settings = settings_of(ctx, rpc, deployment)
    registry = Registry.connect(settings)
    trust = Trust(registry, settings.public_url)
    refusal = "pass --governance NAME or set REGISTRY_GOVERNANCE_KEY (no default off the local chain)"
    account = account_of(settings, registry.client, governance, "REGISTRY_GOVERNANCE_KEY", refusal)
    root_did = did_of(settings, root)
    target = _chosen(trust, root_did, chosen) if chosen else trust.root_attribute(root_did)
    whose = trust.named(root_did, root if root != root_did else _home_name(settings, root_did))
    if _unchanged(trust, root_did, whose, target, AttrStatus[status]):
        return
    receipt = _sent_or_unchanged(
        partial(trust.set_root_status, account, root_did, target, AttrStatus[status], reason),
        partial(_unchanged, trust, root_did, whose, target, AttrStatus[status]),
    )
    if receipt is None:
        return
    out.print(
        f"Root TAO accreditation {short_attribute(target)} of {whose}: {_DONE[status]} in block "
        f"{receipt['blockNumber']} ({_reason_words(reason, REASONS.get(reason, f'reason {reason}'))})"
    )
