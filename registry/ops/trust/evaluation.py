"""The check itself, pure (no chain access): find a path from a DID through its accreditations to
a root that held at the time in question, and when none does, say which link fails and why.

A DID may hold several accreditations; when none holds, the failure reported is the most
relevant one (`Relevance`): that of an accreditation whose own scope covers what is asked, then
an untrusted root over a revoked or suspended link, over anything else, over a scope that does
not cover the credential. The others are named after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import IntEnum
from typing import NamedTuple

from registry.formats.accreditation import ISSUER_TYPES, ParsedAccreditation, Scope
from registry.formats.credential import iso
from registry.ops.trust.bodies import check_body
from registry.ops.trust.model import (
    MAX_DEPTH,
    AttrStatus,
    ChainData,
    IssuerType,
    LaterChange,
    Link,
    LinkCheck,
    Need,
    OrderUnknown,
    Position,
    TrustReport,
)
from registry.ops.trust.scope import grants_within, not_covered, scope_covers
from registry.ops.trust.timing import LinkStatus, link_status, reason_of, time_problem
from registry.ops.trust.trustlist import TrustList
from registry.text import short_attribute


class Relevance(IntEnum):
    """How relevant a path's failure is when several accreditations fail, most relevant first."""

    ROOT_UNTRUSTED = 0  # the whole path holds, but its root is not one the verifier trusts
    STATUS = 1  # a link was not in force: revoked, suspended, not yet accredited, out of its validity
    OTHER = 2  # a broken, looping or malformed chain (and the rank of a path that holds)
    SCOPE = 3  # the path holds, but for something else than what is asked


class _Failure(NamedTuple):
    message: str
    relevance: Relevance


def evaluate_at(
    chain: ChainData,
    at: int | None,
    head_time: int,
    trust_list: TrustList | None,
    need: Need | None = None,
    syncing: Callable[[], bool] | None = None,
) -> TrustReport:
    """`issuer check` as the CLI and the service both answer it: `at` None is now, read at the node's
    head (`head_time`, always read). A time the chain has not reached is never answered trusted, nor
    untrusted (`time_problem`): now included, so a node that reports it is syncing gives "could not
    determine" for a current question too; a time in the future is never answered, as `verify --at`
    says of a credential."""
    now = int(time.time())
    problem = time_problem(now if at is None else at, head_time, syncing, now, current=at is None)
    if problem is not None:
        shown = iso(now if at is None else at)
        return TrustReport(chain.did, shown, False, f"could not determine: {problem}", [], undetermined=True)
    return evaluate(chain, at if at is not None else now, trust_list, need)


def evaluate(
    chain: ChainData, at: int, trust_list: TrustList | None, need: Need | None = None, position: Position | None = None
) -> TrustReport:
    """Find a chain from `chain.did` to a trusted root that holds at `at`; say which link fails if none does.

    `position` places the question on the chain (an anchor's block and log index): what was in
    force then is decided by the chain's order, not by the second (see `Link.revision_at`); when
    that order cannot be read, the report is `undetermined`.
    """
    from registry.ops.registry import did_hash  # loaded with the chain read that made `chain`

    own = chain.of(did_hash(chain.did))
    candidates = own if need is None else [link for link in own if link.issuer_type is IssuerType.TI]
    if not candidates:
        return TrustReport(chain.did, iso(at), False, _no_candidate(chain.did, own), [])
    try:
        walked = [walk(chain, link, at, trust_list, need, position) for link in candidates]
    except OrderUnknown as unknown:
        summary = (
            f"could not determine: an accreditation on the chain of {chain.did} changed in block {unknown.block}, "
            "the block of the anchor, and the node did not give their order within it"
        )
        return TrustReport(chain.did, iso(at), False, summary, [], undetermined=True)
    for report, _ in walked:
        if report.ok:
            return report
    if len(walked) == 1:
        return walked[0][0]
    return _most_relevant(chain, candidates, walked, need)


def _no_candidate(did: str, own: list[Link]) -> str:
    """Why a DID with no TI accreditation (none at all, or only a TAO's or Root TAO's) attests nothing."""
    if not own:
        return f"{did} holds no accreditation in the trusted issuers registry"
    roles = " and as a ".join(sorted({"Root TAO" if x.issuer_type is IssuerType.ROOT_TAO else "TAO" for x in own}))
    return (
        f"{did} is accredited as a {roles}, which accredits others but does not attest "
        "credentials: only a TI's credentials are accredited"
    )


def _most_relevant(
    chain: ChainData, candidates: list[Link], walked: list[tuple[TrustReport, Relevance]], need: Need | None
) -> TrustReport:
    """Several accreditations, none holds: the most relevant failure is that of an accreditation
    whose own scope covers what is asked (its reason is the real one), then by `Relevance`; its
    summary names the others'."""
    ranked = sorted(range(len(walked)), key=lambda n: (not _covers(chain, candidates[n], need), walked[n][1]))
    best, _ = walked[ranked[0]]
    others = "; ".join(f"{_scope_label(chain, candidates[n])}: {walked[n][0].summary}" for n in ranked[1:])
    best.summary = (
        f"{best.summary} (looked at the {len(walked)} accreditations {chain.did} holds: this one is "
        f"{_scope_label(chain, candidates[ranked[0]])}; the other{'s' if len(walked) > 2 else ''}: {others})"
    )
    return best


def _covers(chain: ChainData, link: Link, need: Need | None) -> bool:
    """Does the accreditation's own scope cover what is asked (anything, when nothing is)?"""
    acc, _ = check_body(chain, link)
    if acc is None:
        return False
    return need is None or scope_covers(acc.scopes, need)


def _scope_label(chain: ChainData, link: Link) -> str:
    """An accreditation, by what it is for."""
    acc, _ = check_body(chain, link)
    if acc is None:
        return f"accreditation {short_attribute(link.attribute_id)}, unreadable"
    return "for " + " | ".join(", ".join(s.types) for s in acc.scopes)


def _structure(chain: ChainData, first: Link) -> tuple[list[Link], str | None]:
    """Follow parent pointers to a root; (links in order, the structural problem if any)."""
    path = [first]
    seen = {first.key}
    link = first
    while link.issuer_type is not IssuerType.ROOT_TAO:
        parent = chain.links.get(link.parent_key)
        if parent is None:
            return path, f"the chain is broken above {chain.name(link.did_hash)}: its parent's accreditation is missing"
        if parent.key in seen:
            return path, f"the accreditation chain loops back to {chain.name(parent.did_hash)}"
        if len(path) >= MAX_DEPTH:
            return path, f"the accreditation chain is longer than {MAX_DEPTH} links"
        seen.add(parent.key)
        path.append(parent)
        link = parent
    return path, None


def _entry(chain: ChainData, link: Link) -> LinkCheck:
    return LinkCheck(
        chain.name(link.did_hash), link.attribute_id.hex(), ISSUER_TYPES.get(int(link.issuer_type), "?"), False, ""
    )


def walk(
    chain: ChainData,
    first: Link,
    at: int,
    trust_list: TrustList | None,
    need: Need | None,
    position: Position | None = None,
) -> tuple[TrustReport, Relevance]:
    """The path from `first` to its root checked at `at`: the report, and (failing) how relevant its reason is."""
    links, problem = _structure(chain, first)
    if problem is not None:
        return TrustReport(chain.did, iso(at), False, problem, [_entry(chain, x) for x in links]), Relevance.OTHER
    path: list[LinkCheck] = []
    later: list[LaterChange] = []
    child_scopes: tuple[Scope, ...] | None = None
    for link in links:
        entry = _entry(chain, link)
        path.append(entry)
        checked = _check_link(chain, link, entry, at, need if len(path) == 1 else None, position, child_scopes)
        if isinstance(checked, _Failure):
            return TrustReport(chain.did, iso(at), False, checked.message, path), checked.relevance
        acc, status = checked
        if status.later is not None:
            later.append(_later_change(entry, status, at, position))
        child_scopes = acc.scopes
        if link.issuer_type is IssuerType.ROOT_TAO:
            return _at_root(chain.did, entry.did, at, path, later, trust_list)
    return TrustReport(chain.did, iso(at), False, "the chain does not reach a Root TAO", path), Relevance.OTHER


def _check_link(
    chain: ChainData,
    link: Link,
    entry: LinkCheck,
    at: int,
    need: Need | None,
    position: Position | None,
    child_scopes: tuple[Scope, ...] | None,
) -> tuple[ParsedAccreditation, LinkStatus] | _Failure:
    """One link of a path: its accreditation, its status at `at`, what it covers (`need`, asked of
    the first link only) and grants (`child_scopes`, what the link below it holds). Fills `entry`."""
    name, kind = entry.did, entry.issuer_type
    acc, body_message = check_body(chain, link)
    if acc is None:
        entry.message = body_message
        return _Failure(f"{kind} link {name}: {body_message}", Relevance.OTHER)
    status = link_status(chain, link, at, position)
    entry.evidence = {"accreditedBy": acc.issuer, "scopes": [s.to_json() for s in acc.scopes], **status.evidence}
    if acc.subject_name is not None:  # the legal name the accreditation states, beside the DID in sentences
        entry.evidence["name"] = acc.subject_name
        if link.issuer_type is not IssuerType.ROOT_TAO:  # a root's is self-declared: said so where it is shown
            name = f"{acc.subject_name} ({name})"
    if not status.active:
        entry.message = status.message
        return _Failure(f"{kind} link {name}: {status.message}", Relevance.STATUS)
    if need is not None and not scope_covers(acc.scopes, need):
        entry.message = f"not accredited for {not_covered(acc.scopes, need)}"
        return _Failure(f"{name} is {entry.message}", Relevance.SCOPE)
    if child_scopes is not None and not grants_within(acc.scopes, child_scopes):
        entry.message = "granted a wider scope than it holds itself"
        return _Failure(f"{kind} link {name} granted its child a scope it does not hold", Relevance.SCOPE)
    entry.ok = True
    entry.message = f"{body_message}; {status.message}"
    return acc, status


def _later_change(entry: LinkCheck, status: LinkStatus, at: int, position: Position | None) -> LaterChange:
    """A link in force at `at` and revoked or suspended after it, as data and as its note."""
    assert status.later is not None
    later = status.later
    # Within one second the blocks say what came first: name them when they decided.
    then = iso(at) if position is None else f"{iso(at)} (block {position.block})"
    changed = "" if position is None else f" (block {later.block})"
    legal = entry.evidence.get("name") if entry.issuer_type != ISSUER_TYPES[int(IssuerType.ROOT_TAO)] else None
    who = f"{entry.issuer_type} {f'{legal} ({entry.did})' if legal else entry.did}'s accreditation"
    if status.void_from is not None:
        fact = (
            f"{who} was revoked for cause on {iso(later.timestamp)}{changed}{reason_of(later)}, void from "
            f"{iso(status.void_from)}, after {then}"
        )
        note = f"{fact}: what was issued before that date stays valid, anything issued from it is refused"
    elif later.status is AttrStatus.REVOKED:
        fact = f"{who} was revoked on {iso(later.timestamp)}{changed}, after {then}{reason_of(later)}"
        note = f"{fact}: what was issued before stays valid, anything issued after is refused"
    else:
        fact = (
            f"{who} was suspended on {iso(later.timestamp)}{changed}, after {then}{reason_of(later)}, "
            "and is still suspended"
        )
        note = f"{fact}: what was issued before stays valid, anything issued while it lasts is refused"
    return LaterChange(
        entry.did, entry.issuer_type, entry.attribute_id, later.status, later.timestamp, later.block, note,
        later.reason, status.void_from, fact,
    )  # fmt: skip


def _at_root(
    did: str, root: str, at: int, path: list[LinkCheck], later: list[LaterChange], trust_list: TrustList | None
) -> tuple[TrustReport, Relevance]:
    """A path that held up to its Root TAO `root`: trusted, unless the trust list leaves the root out."""
    report = TrustReport(did, iso(at), True, "", path, root=root, notes=[c.note for c in later], changed_later=later)
    if trust_list is None:
        report.notes.append("no trust list given: the root is accepted because this registry's governance onboarded it")
        report.summary = f"accredited through an unbroken chain to Root TAO {report.root_label}"
    elif root in trust_list.roots:
        report.trusted_root = True
        named = f" ({trust_list.name_of(root)})" if trust_list.name_of(root) else ""
        report.summary = (
            f"accredited through an unbroken chain to Root TAO {root}{named}, which {trust_list.name} trusts"
        )
    else:
        report.ok = False
        report.trusted_root = False
        report.summary = f"the chain ends at Root TAO {report.root_label}, which is not in {trust_list.name}"
        return report, Relevance.ROOT_UNTRUSTED
    return report, Relevance.OTHER


REGISTERED_ONLY = (
    "it is registered in the DID registry: the work-experience attestations it signs (`registry attest`) "
    "verify as a registered organisation's; a skills credential needs an accreditation"
)


def note_registered(report: TrustReport, registered: Callable[[str], bool]) -> None:
    """An organisation with no accreditation at all (an employer attesting work needs none): a note
    says it is registered, which is all its attestations need (`registered` reads the DID registry,
    only then). The verdict stays as it is. The CLI's and the service's issuer checks both add it."""
    if (
        report.undetermined
        or report.path
        or not report.summary.endswith(" holds no accreditation in the trusted issuers registry")
    ):
        return
    if registered(report.did):
        report.notes.append(REGISTERED_ONLY)


NO_TRUST_LIST = (
    "there is no trust list, so Root TAO {root} is neither trusted nor refused; the issuer is accredited "
    "through an unbroken chain to it {hint}"
)


def without_trust_list(report: TrustReport, hint: str) -> bool:
    """With no trust list at all nobody has said which roots count: a chain that holds up to its Root
    TAO is neither trusted nor refused, so "could not determine" (exit 2, never 0 nor 1), its summary
    naming the root and `hint` (how to give a list); the path found stays in the report. A chain that
    breaks is not trusted whatever a list would say, and stays so. The CLI's and the service's issuer
    checks both ask it; True when it is the answer."""
    if not report.ok or report.root is None or report.undetermined:
        return False
    report.ok, report.trusted_root, report.undetermined = False, None, True
    report.notes = [n for n in report.notes if not n.startswith("no trust list given")]
    report.summary = "could not determine: " + NO_TRUST_LIST.format(root=report.root_label, hint=hint)
    return True
