"""The checks that read the chain: the issuer's DID and key, the anchor, the accreditation.

Each is one function over a credential (`Item`) and what the batch already read; the status
checks, which read the most, are in `status.py`. Every chain fact a check relies on is put in
its evidence, so a reader can check it on any node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from registry.formats import jwt
from registry.ops.registry import AnchorRecord, DidState, Registry, VerificationMethod
from registry.ops.trust import CLOCK_SKEW_S, AttrStatus, LaterChange, Need, Position, Trust, TrustList, evaluate
from registry.ops.trust.trustlist import no_list_hint, unpinned_hint
from registry.ops.verify.absent import missing_anchor
from registry.ops.verify.attestations import assurance_row, is_attestation, unvouched_row
from registry.ops.verify.item import SAME_BLOCK, Item, iso, iso_or_none
from registry.ops.verify.lookups import Lookups
from registry.ops.verify.report import Code, Outcome, Row


@dataclass
class Batch:
    """What one `verify_many` call shares across its credentials."""

    registry: Registry
    lookups: Lookups
    at: int | None
    head_time: int
    anchor_window_s: int
    trust_list: TrustList | None
    # Accreditation answers (rows) by (issuer, anchoring time and place, what the credential needs).
    accreditations: dict[tuple[Any, ...], tuple[list[Row], bool]] = field(default_factory=dict)
    # Without a trust list, is a root nobody said they trust reported (`Verifier(require_trusted_root=)`)?
    require_trusted_root: bool = False
    # Anchor answers (the row, and the record when it holds) by what decides them (`check_anchor`).
    anchors: dict[tuple[Any, ...], tuple[Row, AnchorRecord | None]] = field(default_factory=dict)
    # Which accreditation counts: the one in force at anchoring ("issuance") or at the time asked ("now").
    policy: str = "issuance"
    # What a verifier without any trust list is told to do (the CLI's words; the service passes its own).
    no_list_hint: Callable[[str], str] = no_list_hint
    # The registry the files name, when it is not the verifier's own deployment (as the report names it).
    named_registry: str | None = None


def _key_problem(
    item: Item, method: VerificationMethod, parsed: jwt.CompactJWS
) -> tuple[Code, str, dict[str, Any]] | None:
    """What is wrong with the credential's signature by this assertion key, if anything."""
    # `iat` is the signer's word: it must fall in the key's window (its last second included, as a
    # signature in the second the key was retired may precede the retirement); what settles it is
    # the anchor's block (check_key_at_anchor), which alone bounds a signing no `iat` states.
    if item.signing_stated and not method.not_before <= item.issued_at <= method.not_after:
        message = f"the signing key was not valid when the credential was signed ({iso(item.issued_at)})"
        window = {"notBefore": iso(method.not_before), "notAfter": iso_or_none(method.not_after)}
        return Code.SIGNING_KEY, message, window
    if not jwt.verify_with(parsed, _verifying_key(method, parsed.alg)):
        return Code.SIGNATURE, "the signature does not match the content and the issuer's key", {}
    return None


@lru_cache(maxsize=1024)
def _verifying_key(method: VerificationMethod, alg: str) -> jwt.PublicKey | None:
    """The issuer key's public key object for `alg`, built once per key, not once per credential
    (the method is a frozen record of the key's bytes, window and relationships)."""
    return jwt.public_key(alg, method.jwk)


def check_key(item: Item, state: DidState, lookups: Lookups) -> None:
    """The issuer's DID is registered, the key that signed is its assertion key, the signature holds.

    The rows that say so depend only on the issuer's document and the key (`Lookups.key_rows`):
    written once per batch and shared by the credentials they hold for; the key's window and the
    signature are checked for each."""
    parsed = item.parsed
    assert parsed is not None
    item.did_state = state
    if not state.registered:
        item.add(Code.ISSUER_DID, Outcome.FAIL, f"{item.issuer} is not registered in the DID registry")
        return
    method, registered, signed, valid = lookups.key_rows(state, item.fragment, parsed.alg)
    item.rows.append(registered)
    if isinstance(method, str) and item.signing_stated and state.method_by_thumbprint(item.fragment) is None:
        item.key_missing = len(item.rows)  # INVALID, or the node is behind: settled by its head (settle_key)
        item.rows.append((Code.SIGNING_KEY, Outcome.UNKNOWN, method, {}))
        return
    problem = (Code.SIGNING_KEY, method, {}) if isinstance(method, str) else _key_problem(item, method, parsed)
    if problem is not None:
        code, message, evidence = problem
        item.add(code, Outcome.FAIL, message, **evidence)
        return
    assert signed is not None and valid is not None and not isinstance(method, str)
    item.rows += (signed, valid if item.signing_stated else _valid_at_anchor(valid))
    item.signing_method = method


def settle_key(item: Item, head: int) -> None:
    """A key the node's copy of the issuer's DID document lacks. Valid when the credential was signed, it
    was added by `iat`: a node whose newest block is later than that second has it: INVALID; one whose
    newest block is earlier, or of that very second (the key may be in a later block of it), may not
    have seen it: could not determine."""
    position = item.key_missing
    if position is None:
        return
    missing = item.rows[position][2]
    if head > item.issued_at:
        item.replace(position, Outcome.FAIL, missing)
        return
    item.replace(position, Outcome.UNKNOWN, (
        f"could not check: {missing} at this node, whose newest block ({iso(head)}) is not later than the "
        f"credential's signing ({iso(item.issued_at)}): it may be behind, and not have seen the block that "
        "added the key; ask another node, or again later"))  # fmt: skip
    item.fatal = True  # nothing more is read for it


def _valid_at_anchor(valid: Row) -> Row:
    """The signing key row of a credential stating no signing time (held to the key at its anchor)."""
    code, outcome, _, evidence = valid
    message = (
        "the key was valid in the issuer's DID document when the credential was anchored (it states no signing "
        "time: a VCDM 2.0 credential without iat)"
    )
    return code, outcome, message, evidence


def check_key_at_anchor(item: Item, lookups: Lookups) -> None:
    """A key's signature counts only on what was anchored while the key was valid.

    `iat` is whatever the signer wrote: after `did rotate-key`, the old key could otherwise
    sign a credential dated back into its window and have it anchored later. The anchor's
    block time is what the chain proves, so a credential anchored at or after the key's end
    is refused, as a status change or an anchor by a former controller is."""
    method, record = item.signing_method, item.anchor
    if method is None or record is None:
        return
    valid = lookups.anchored_under(item.issuer, method, record)
    if valid:
        return
    position = item.row(Code.SIGNING_KEY)
    assert position is not None
    code, outcome, message, evidence = item.rows[position]  # shared by the batch: changed in a copy
    item.rows[position] = (code, outcome, message, {**evidence, "anchored": iso(record.timestamp)})
    if valid is None:
        item.replace(position, Outcome.UNKNOWN, SAME_BLOCK.format(what="anchor", key="signing key"))
        return
    if record.timestamp < method.not_before:  # signed with a key the issuer's DID document did not hold yet
        item.replace(
            position, Outcome.FAIL,
            f"the signing key was added to {item.issuer}'s DID document on {iso(method.not_before)}, after the "
            f"credential was anchored ({iso(record.timestamp)}, block {record.block}): it was not the issuer's key "
            "when the credential was anchored",
        )  # fmt: skip
        return
    item.replace(
        position, Outcome.FAIL,
        f"the signing key was retired on {iso(method.not_after)}, and the credential was anchored after that "
        f"({iso(record.timestamp)}, block {record.block}): whatever its iat says, it was not signed while the "
        "key was valid",
    )  # fmt: skip


def _anchor_problem(item: Item, state: DidState, record: AnchorRecord, batch: Batch) -> tuple[Outcome, str] | None:
    controller = batch.lookups.controller(state, record.account)
    controlled = controller is not None and batch.lookups.anchored_under(item.issuer, controller, record)
    if controlled is None:
        return Outcome.UNKNOWN, SAME_BLOCK.format(what="anchor", key="controller key")
    if not controlled:
        return Outcome.FAIL, f"account {record.account} did not control {item.issuer} when it anchored"
    if item.signing_stated and record.timestamp + CLOCK_SKEW_S < item.issued_at:
        return Outcome.FAIL, "the anchor predates the credential's issuance date"
    cohort = item.cohort
    if cohort is not None and record.count != cohort.size:
        return Outcome.FAIL, "the cohort size on-chain differs from the holder file"
    return None


def check_anchor(item: Item, state: DidState, records: list[AnchorRecord], batch: Batch, key: Any = None) -> None:
    """The earliest anchor by an account that controlled the issuer's DID when it anchored.

    The answer depends only on the issuer, the records read, the signing time and the cohort's
    size: a caller that names those in `key` has it worked out once per batch for a cohort's
    members, which then share the row."""
    found = batch.anchors.get(key) if key is not None else None
    if found is None:
        found = _anchor_row(item, state, records, batch)
        if key is not None:
            batch.anchors[key] = found
    row, item.anchor = found
    if item.anchor is not None:
        item.anchor_evidence = row[3]
    item.rows.append(row)
    if row[1] is Outcome.FAIL:
        item.fatal = True
    elif item.anchor is not None and batch.at is not None and item.anchor.timestamp > batch.at:
        item.rows.append(_issued_later(batch.at, item.anchor.timestamp, item.anchor.block))


@lru_cache(maxsize=256)  # a cohort's members, anchored together, share it
def _issued_later(at: int, anchored: int, block: int) -> Row:
    """The time asked predates the anchor: the credential did not exist then. Its own failure
    (the verdict NOT_YET_ISSUED), not the anchor's: the anchor holds, and the other checks still
    say whether the credential is genuine."""
    return (
        Code.TIME_ASKED, Outcome.FAIL, f"not valid on {iso(at)}: issued later, anchored on {iso(anchored)} "
        f"(block {block})", {"anchored": iso(anchored), "block": block},
    )  # fmt: skip


def _anchor_row(
    item: Item, state: DidState, records: list[AnchorRecord], batch: Batch
) -> tuple[Row, AnchorRecord | None]:
    found = [r for r in records if r.exists]
    if not found:
        return missing_anchor(item, batch.head_time, batch.anchor_window_s), None
    record = found[0] if len(found) == 1 else min(found, key=lambda r: r.block)
    problem = _anchor_problem(item, state, record, batch)
    if problem is not None:
        return (Code.ANCHOR, *problem, {}), None
    what = "cohort root" if item.cohort else "credential hash"
    return (
        Code.ANCHOR, Outcome.PASS,
        f"{what} anchored by {item.issuer} on {iso(record.timestamp)} (block {record.block})",
        {"account": record.account, "block": record.block, "time": iso(record.timestamp),
         "transaction": None},  # filled in after, in one batch for all credentials
    ), record  # fmt: skip


def anchor_position(
    registry: Registry, anchor: AnchorRecord, log: dict[str, Any] | None, chain: Any
) -> Position | None:
    """Where the anchor sits on the chain, when that decides what was in force at issuance: only
    when an accreditation of the issuer's chain changed in the anchor's second (a block holds one
    second, a second may hold many blocks). Then the revisions in the anchor's own block are
    ordered by log index too (one more log query); elsewhere the block number orders them."""
    if not chain.same_second(anchor.timestamp):
        return None
    Trust(registry, "").read_revision_order(chain, anchor.block)
    try:
        index = int(log["logIndex"], 16) if log is not None else None
    except (TypeError, KeyError, ValueError):  # not a log index: the order stays unknown
        index = None
    return Position(anchor.block, index)


def check_accreditation(item: Item, chain: Any, position: Position | None, batch: Batch) -> None:
    """Was the issuer accredited for this credential when it was anchored (the time the chain
    proves, and, within that second, the anchor's place in the chain)?

    The answer depends only on (issuer, anchoring time and place, what the credential needs), so a
    cohort's members, anchored together, share one evaluation. A work-experience attestation needs
    no accreditation: it gets its `assurance` instead (attestations.py)."""
    assert item.anchor is not None
    if is_attestation(item.types):
        item.rows.append(assurance_row())
        unvouched = unvouched_row(item.issuer, batch.named_registry, batch.trust_list, batch.require_trusted_root)
        if unvouched is not None:
            item.rows.append(unvouched)
        return
    when, place = item.anchor.timestamp, position
    asked = batch.at if batch.at is not None else batch.head_time
    # "now": the accreditation in force at the time asked, as EBSI's library asks it; a time before
    # the credential existed (NOT_YET_ISSUED) is asked at its anchoring instead, to say it is genuine.
    if batch.policy == "now" and asked >= when:
        when, place = asked, None
    key = (item.issuer, when, place, item.types, item.schema)
    found = batch.accreditations.get(key)
    if found is None:
        need = Need(types=item.types, schema_id=item.schema)
        rows = _accreditation(batch, chain, when, need, place)
        found = batch.accreditations[key] = rows, any(row[1] is Outcome.FAIL for row in rows)
    rows, failed = found
    item.rows += rows  # shared by the credentials they hold for (rows are not changed in place)
    if failed:
        item.fatal = True


def _accreditation(batch: Batch, chain: Any, anchored_at: int, need: Need, position: Position | None) -> list[Row]:
    """The accreditation check's outcome, message and evidence (naming the policy), worded once per
    verdict; `anchored_at` is the time the policy asks about. Then, when
    the chain holds up to a root the verifier has not said it trusts, a failed TRUSTED_ROOT check
    (the verdict UNTRUSTED_ROOT, not INVALID: the credential itself is sound)."""
    trust_list = batch.trust_list
    report = batch.registry.client.memo(
        ("accreditation", chain.did, anchored_at, position, need, trust_list),
        lambda: evaluate(chain, anchored_at, trust_list, need, position),
    )
    if report.undetermined:
        return [(Code.ACCREDITATION, Outcome.UNKNOWN, report.summary, {})]
    label = "now" if batch.policy == "now" else "at issuance"
    notes = {change.note: _as_policy(change, batch.policy) for change in report.changed_later}
    evidence = _evidence(report, batch.policy, notes)
    untrusted = report.root is not None and report.trusted_root is False  # the chain holds; its root is not listed
    if not report.ok and not untrusted:
        return [(Code.ACCREDITATION, Outcome.FAIL, f"{label} ({iso(anchored_at)}): {report.summary}", evidence)]
    message = (
        f"{label}: accredited through an unbroken chain to Root TAO {report.root_label}"
        if untrusted
        else f"{label}: {report.summary}"
    )
    if report.changed_later:  # trust's data, not its wording, says which accreditations changed later
        message += "; note: " + "; ".join(notes[change.note] for change in report.changed_later)
    rows: list[Row] = [(Code.ACCREDITATION, Outcome.PASS, message, evidence)]
    if untrusted and trust_list is not None:
        why = f"the issuer is accredited under Root TAO {report.root_label}, which is not in {trust_list.name}"
        if report.root in trust_list.unpinned:  # listed, but for another registry (or only the verifier's own)
            why += " " + unpinned_hint(report.root)
        rows.append((Code.TRUSTED_ROOT, Outcome.FAIL, why, {"root": report.root}))
    elif trust_list is None and batch.require_trusted_root:
        hint = batch.no_list_hint(str(report.root))
        why = f"the issuer is accredited under Root TAO {report.root_label}, which you have not said you trust {hint}"
        rows.append((Code.TRUSTED_ROOT, Outcome.FAIL, why, {"root": report.root}))
    return rows


def _evidence(report: Any, policy: str, notes: dict[str, str]) -> dict[str, Any]:
    """The accreditation check's evidence: the policy, the root, the path as one line of bare DIDs
    (root first; kept as it always was), the same links with the legal name each accreditation states
    (`path_links`, the name None where none is stated), the notes, and the issuer's and root's names."""
    evidence: dict[str, Any] = {
        "policy": policy,
        "root": report.root,
        "path": " <- ".join(f"{link.issuer_type} {link.did}" for link in reversed(report.path)),
        "path_links": [
            {"issuer_type": link.issuer_type, "did": link.did, "name": link.evidence.get("name")}
            for link in reversed(report.path)
        ],
    }
    if report.notes:
        evidence["note"] = "; ".join(notes.get(note, note) for note in report.notes)
    if report.path and isinstance(name := report.path[0].evidence.get("name"), str):
        evidence["issuer_name"] = name  # the issuer's legal name, as its accreditation states it
    root_link = report.path[-1] if report.root and report.path and report.path[-1].did == report.root else None
    if root_link is not None and isinstance(root_name := root_link.evidence.get("name"), str):
        evidence["root_name"] = root_name  # the root's name, as its onboarding states it
    return evidence


def _as_policy(change: LaterChange, policy: str) -> str:
    """A later change's note as this verifier's policy draws its consequence: trust's own note says what
    the registry keeps valid (what was issued before), which "now" does not: it refuses from then on."""
    if policy != "now" or not change.fact:
        return change.note
    lasts = "while it lasts" if change.status is AttrStatus.SUSPENDED else "from then on"
    return f"{change.fact}: under the accreditation policy now, what it covers is refused {lasts}"
