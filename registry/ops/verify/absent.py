"""What a node's lack of a credential's anchor shows (`chain_checks.check_anchor` finds none).

Nothing, while the anchor may sit in a block the node has not seen: until its newest block is past
the anchoring window after the latest time the credential can have been signed. Then INVALID.
"""

from __future__ import annotations

from typing import Any

from registry.ops.verify.item import Item, iso
from registry.ops.verify.report import Code, Outcome, Row


def missing_anchor(item: Item, head: int, window: int) -> Row:
    """No controller anchored it: unknown while the node may not have seen the anchor yet."""
    if item.holder is not None and item.holder.bare:
        return _token_alone(item, head, window)
    if not item.signing_stated and item.signing_method is not None:
        return _no_signing_time(item, head, window, item.signing_method.not_after)
    if head <= item.issued_at:
        # The node has no block after the signing (a lagging replica, a node catching up): it
        # cannot have seen the anchor yet, so its absence there proves nothing.
        return (
            Code.ANCHOR, Outcome.UNKNOWN,
            f"could not check: the node's latest block ({iso(head)}) is not later than the "
            f"credential's signing ({iso(item.issued_at)}); it may not have seen the anchor yet", {},
        )  # fmt: skip
    if head <= item.issued_at + window:
        # Past the signing but inside the anchoring window: the anchor may sit in a block this node
        # (a replica behind the others) has not seen yet. Only a head past the window shows the
        # credential was not anchored in time; until then, its absence proves nothing.
        return (
            Code.ANCHOR, Outcome.UNKNOWN,
            f"could not check: the node may be behind: it has no anchor, but its newest block "
            f"({iso(head)}) is within the {window} s anchoring window after the "
            f"credential's signing ({iso(item.issued_at)}); ask another node, or again later",
            {"newestBlock": iso(head), "anchoringWindow": window},
        )  # fmt: skip
    what = "cohort root" if item.cohort else "credential hash"
    return (
        Code.ANCHOR, Outcome.FAIL,
        f"the {what} is not anchored by any controller of {item.issuer}, and the {window} s "
        f"anchoring window after its signing has passed", {},
    )  # fmt: skip


def _token_alone(item: Item, head: int, window: int) -> Row:
    """A bare JWT whose own hash no controller anchored: what a cohort member's always is (its
    cohort's root is anchored, and only its holder file carries the Merkle proof to that root). So
    its absence is never proof of forgery (issue #13), and waiting does not help: "could not
    determine" from the token alone, saying what to verify instead; never INVALID, never VALID."""
    message = (
        f"could not check from this token alone: its hash is not anchored on its own by any controller of "
        f"{item.issuer}, and a credential issued in a cohort never is (its cohort's root is); only its holder "
        "file (the .json the issuer wrote, with its Merkle proof), or a passport made from it, can show it "
        "anchored: ask the holder for that file and verify it"
    )
    evidence: dict[str, Any] = {"anchoringWindow": window}
    if head <= item.issued_at + window:  # anchored alone, it might also be in a block this node has not seen
        message += (
            f" (anchored on its own, it may also be in a block this node has not seen yet: its newest block, "
            f"{iso(head)}, is within the {window} s anchoring window after its signing)"
        )
        evidence["newestBlock"] = iso(head)
    return Code.ANCHOR, Outcome.UNKNOWN, message, evidence


def _no_signing_time(item: Item, head: int, window: int, key_end: int) -> Row:
    """A credential stating no signing time (a VCDM 2.0 one without `iat`): its dates (its award's,
    its validFrom) are not its signing's, so the window is not counted from them. It was signed
    while its key was valid, as late as the key's end: only a newest block past the window after
    that shows it was not anchored in time. A key still valid: it may have been signed a moment ago."""
    what = "cohort root" if item.cohort else "credential hash"
    if head <= key_end + window:
        if head < key_end:
            late = "its signing key is still valid, so it may have been signed a moment ago"
        else:
            late = f"its signing key was retired on {iso(key_end)}, within the {window} s anchoring window"
        return (
            Code.ANCHOR, Outcome.UNKNOWN,
            f"could not check: the {what} is not anchored at this node, and the credential states no signing "
            f"time (no iat); {late}, and its anchor may not have landed yet; ask again later",
            {"newestBlock": iso(head), "anchoringWindow": window},
        )  # fmt: skip
    return (
        Code.ANCHOR, Outcome.FAIL,
        f"the {what} is not anchored by any controller of {item.issuer}, and the {window} s anchoring window "
        f"after its signing key was retired ({iso(key_end)}) has passed", {},
    )  # fmt: skip
