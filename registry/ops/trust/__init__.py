"""The accreditation chain: write it (onboard roots, accredit, suspend, reinstate, revoke) and
check it end to end for a cross-border authority.

Each link is checked as EBSI's own verifier library does not: the accreditation's signature
against the parent's key valid when it signed, its subject and attribute id, its place in the
chain (termsOfUse), its scope against what the parent holds and what the child uses, its
validity period, and its status *at the time in question* from the append-only revisions.

The rooms: `model` (the data: links, revisions, chain reads, reports), `trustlist` (the roots a
verifier accepts), `scope` (what an accreditation may grant and covers), `bodies` (one
accreditation credential checked), `timing` (which times the chain answers, what held then),
`evaluation` (the check, pure), `history` (every revision of an issuer's accreditations, pure) and
`tir` (the registry's reads and writes: `Trust`).

Every name is re-exported here, loaded on first use (PEP 562): importing this package costs
nothing, and `from registry.ops.trust import TrustList` loads the trust list alone, not the
JSON-RPC and ABI machinery that only `Trust` needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.lazyexports import lazy_exports

if TYPE_CHECKING:
    from registry.ops.trust.bodies import check_body
    from registry.ops.trust.evaluation import (
        Relevance,
        evaluate,
        evaluate_at,
        note_registered,
        walk,
        without_trust_list,
    )
    from registry.ops.trust.history import (
        GOVERNANCE,
        AccreditationRecord,
        Change,
        accreditation_history,
        changes_of,
        legal_names,
    )
    from registry.ops.trust.model import (
        DEFAULT_VALIDITY,
        MAX_DEPTH,
        MAX_LINKS,
        REASONS,
        AttrStatus,
        BodyChecks,
        ChainData,
        IssuerType,
        LaterChange,
        Link,
        LinkCheck,
        Need,
        OrderUnknown,
        Position,
        Revision,
        TrustReport,
    )
    from registry.ops.trust.scope import check_scope_syntax, scope_covers
    from registry.ops.trust.timing import CLOCK_SKEW_S, LinkStatus, link_status, time_problem
    from registry.ops.trust.tir import Trust, link_from_tuple
    from registry.ops.trust.trustlist import MAX_TRUST_LIST_BYTES, Root, TrustList

_WHERE = {
    "model": (
        "DEFAULT_VALIDITY", "MAX_DEPTH", "MAX_LINKS", "REASONS", "AttrStatus", "BodyChecks", "ChainData",
        "IssuerType", "LaterChange", "Link", "LinkCheck", "Need", "OrderUnknown", "Position", "Revision",
        "TrustReport",
    ),
    "trustlist": ("MAX_TRUST_LIST_BYTES", "Root", "TrustList"),
    "scope": ("check_scope_syntax", "scope_covers"),
    "history": ("GOVERNANCE", "AccreditationRecord", "Change", "accreditation_history", "changes_of", "legal_names"),
    "bodies": ("check_body",),
    "timing": ("CLOCK_SKEW_S", "LinkStatus", "link_status", "time_problem"),
    "evaluation": ("Relevance", "evaluate", "evaluate_at", "note_registered", "walk", "without_trust_list"),
    "tir": ("Trust", "link_from_tuple"),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = [
    "CLOCK_SKEW_S",
    "DEFAULT_VALIDITY",
    "GOVERNANCE",
    "MAX_DEPTH",
    "MAX_LINKS",
    "MAX_TRUST_LIST_BYTES",
    "REASONS",
    "AccreditationRecord",
    "AttrStatus",
    "BodyChecks",
    "ChainData",
    "Change",
    "IssuerType",
    "LaterChange",
    "Link",
    "LinkCheck",
    "LinkStatus",
    "Need",
    "OrderUnknown",
    "Position",
    "Relevance",
    "Revision",
    "Root",
    "Trust",
    "TrustList",
    "TrustReport",
    "accreditation_history",
    "changes_of",
    "check_body",
    "check_scope_syntax",
    "evaluate",
    "evaluate_at",
    "legal_names",
    "link_from_tuple",
    "link_status",
    "note_registered",
    "scope_covers",
    "time_problem",
    "walk",
    "without_trust_list",
]


__getattr__, __dir__ = lazy_exports(__name__, _MODULE_OF, __all__)
