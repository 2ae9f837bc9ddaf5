"""Verification: every check a relying party needs, with its on-chain evidence.

Verification is batch-shaped: many credentials are parsed and signature-checked locally, then
the chain is asked everything at once: the issuers' DID documents in one JSON-RPC batch, then
all anchors and status words in one more (two view calls that take arrays). The per-credential
chain cost stays flat however many credentials are checked.

Three verdicts matter to a caller and are never confused: valid, not valid (invalid, revoked,
suspended), and "could not determine" (the chain could not be asked). An RPC failure turns every
chain-dependent check into `unknown`, never into `fail`.
"""

from __future__ import annotations

import contextvars
import gc
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

from registry.chain.client import BadAnswer, contract_abi, header_time, repeated_endpoint, shown_url
from registry.config import DEFAULT_ANCHOR_WINDOW_S
from registry.errors import ChainUnavailable, InputError, TransactionReverted
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.did import split_did_url
from registry.formats.merkle import ProofMemo, keccak256, verify_proof
from registry.formats.vcdm2 import detect_profile, parse_vc2, skills_context_loader
from registry.ops.issuance import parse_status_entry, status_entries
from registry.ops.passport import Passport, check_holder_signature, is_passport, load_passport
from registry.ops.registry import (
    NO_EXPIRY,
    REASONS,
    AnchorRecord,
    DidState,
    Purpose,
    Registry,
    Rel,
    StatusEvent,
    VerificationMethod,
    bit_of,
    change_in_force,
    did_hash,
    last_change_block,
)
from registry.ops.trust import CLOCK_SKEW_S, Need, Position, Trust, TrustList, evaluate, time_problem

MAX_TIMESTAMP = vcfmt.MAX_TIMESTAMP
# Said with every VALID verdict read from one node: what it rests on beyond the signature.
SINGLE_NODE_NOTE = (
    "read from one node: trust in the node operator (it could lie about the issuer's keys, anchors and "
    "status); give several --rpc endpoints of independent operators for a quorum"
)


# How many blocks after a change to search for the retirement of a key in the same second.
_SAME_SECOND_BLOCKS = 1000

_SAME_BLOCK = (
    "could not check: the {what} landed in the block that retired the issuer's {key}, and the node did not "
    "say which came first"
)

# The checks that need the chain; when it cannot be asked they are reported as unknown (with one
# status check for each status list the credential names, between the anchor and accreditation).
_CHAIN_CHECKS_BEFORE_STATUS = ("issuer DID", "signing key", "signature", "anchor")
_CHAIN_CHECKS_AFTER_STATUS = ("accreditation",)


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    INDETERMINATE = "could not determine"

    @property
    def exit_code(self) -> int:
        if self is Verdict.VALID:
            return 0
        if self is Verdict.INDETERMINATE:
            return 2
        return 1


@dataclass(slots=True)
class Check:
    name: str
    outcome: Outcome
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    source: str
    verdict: Verdict
    summary: str
    checks: list[Check]
    credential: dict[str, Any]
    checked_at: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = str(self.verdict)
        for check in data["checks"]:
            check["outcome"] = str(check["outcome"])
        return data

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)


@dataclass(slots=True)
class PassportReport:
    source: str
    verdict: Verdict
    summary: str
    holder: str | None
    checks: list[Check]
    credentials: list[Report]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": "passport",
            "verdict": str(self.verdict),
            "summary": self.summary,
            "holder": self.holder,
            "checks": [{**asdict(c), "outcome": str(c.outcome)} for c in self.checks],
            "credentials": [r.to_json() for r in self.credentials],
        }

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)


@dataclass(slots=True)
class _Item:
    """One credential moving through the verification phases."""

    source: str
    checks: list[Check] = field(default_factory=list)
    holder: vcfmt.HolderFile | None = None
    parsed: jwt.CompactJWS | None = None
    issuer: str = ""
    fragment: str = ""
    issued_at: int = 0
    valid_from: int = 0
    valid_until: int | None = None
    value: bytes = b""  # what is anchored: credential hash, or cohort root
    credential_hash: bytes = b""
    statuses: list[tuple[str, str, Purpose, int, int]] = field(default_factory=list)
    fatal: bool = False
    info: dict[str, Any] = field(default_factory=dict)
    anchor: AnchorRecord | None = None
    did_state: DidState | None = None  # the issuer's DID document, once the key check read it
    signing_method: VerificationMethod | None = None  # the key that signed, once its signature verified

    def add(self, name: str, outcome: Outcome, message: str, **evidence: Any) -> None:
        self.checks.append(Check(name, outcome, message, evidence))
        if outcome is Outcome.FAIL:
            self.fatal = True


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return []


def _issuer_id(vc: dict[str, Any]) -> Any:
    issuer = vc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


class Verifier:
    """Verifies credentials against one deployment.

    `trust_list` names the Root TAOs the relying party accepts; without one, any root that this
    registry's governance onboarded is accepted and the report says so.
    """

    def __init__(
        self,
        registry: Registry | None,
        trust_list: TrustList | None = None,
        *,
        unavailable: str | None = None,
        anchor_window_s: int = DEFAULT_ANCHOR_WINDOW_S,
    ) -> None:
        self.registry = registry
        self.trust_list = trust_list
        self.unavailable = unavailable
        self.anchor_window_s = anchor_window_s
        self._merkle_memo: ProofMemo = {}
        self._histories: dict[tuple[Any, ...], list[StatusEvent]] = {}
        self._block_times: dict[int, int] = {}
        self._retirements: dict[tuple[str, int, int, int], tuple[int, int] | bool | None] = {}
        self._anchor_logs: dict[tuple[str, bytes], int | None] = {}

    # -- phase 1: offline ---------------------------------------------------------------

    def _parse(self, item: _Item, content: str | bytes) -> None:
        try:
            item.holder = vcfmt.load_holder_file(content, item.source)
            item.parsed = jwt.parse(item.holder.credential)
            profile = detect_profile(item.parsed)
            if profile == "vcdm2.0-vc+jwt":
                item.parsed, vc = parse_vc2(item.holder.credential, loader=skills_context_loader)
                fields = _fields_v2(item.parsed, vc)
            else:
                vc, fields = _fields_v1(item.parsed)
        except InputError as exc:
            item.add("format", Outcome.FAIL, str(exc))
            return
        item.issuer = fields["issuer"]
        item.fragment = fields["fragment"]
        item.issued_at = fields["signed_at"]
        item.valid_from = fields["valid_from"]
        item.valid_until = fields["valid_until"]
        item.statuses = fields["statuses"]
        item.credential_hash = vcfmt.credential_hash(item.holder.credential)
        item.value = item.credential_hash
        subject = vc.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        item.info = {
            "id": vc.get("id"),
            "profile": profile,
            "issuer": item.issuer,
            "subject": fields["subject"],
            "types": fields["types"],
            "achievement": achievement.get("name") if isinstance(achievement, dict) else None,
            "issued": vcfmt.iso(item.issued_at),
            "hash": "0x" + item.credential_hash.hex(),
            "schema": fields["schema"],
        }
        label = "VCDM 2.0 vc+jwt" if profile == "vcdm2.0-vc+jwt" else "EBSI JWT-VC (VCDM 1.1)"
        item.add("format", Outcome.PASS, f"a well-formed {label}", alg=item.parsed.alg, kid=item.parsed.kid)
        if item.holder.cohort is not None:
            cohort = item.holder.cohort
            # StandardMerkleTree leaf for one bytes32 value: abi.encode(bytes32) is the value itself.
            leaf = keccak256(keccak256(item.credential_hash))
            if not verify_proof(cohort.root, leaf, cohort.proof, self._merkle_memo):
                item.add(
                    "cohort proof",
                    Outcome.FAIL,
                    "the Merkle proof does not lead from this credential to the cohort root",
                )
                return
            item.value = cohort.root
            item.add(
                "cohort proof", Outcome.PASS, f"member of a cohort of {cohort.size}", root="0x" + cohort.root.hex()
            )

    # -- phase 2: the chain ----------------------------------------------------------------

    def _resolve_issuers(self, items: Sequence[_Item]) -> dict[str, DidState]:
        assert self.registry is not None
        registry = self.registry
        dids = tuple(sorted({i.issuer for i in items if not i.fatal}))

        def resolve() -> dict[str, DidState]:
            calls = [c for did in dids for c in registry.resolve_calls(did)]
            results = registry.client.call_many(calls)
            return {did: Registry.did_state(did, results[2 * n], results[2 * n + 1]) for n, did in enumerate(dids)}

        return registry.client.memo(("did-states", dids), resolve)

    def _check_key(self, item: _Item, state: DidState) -> None:
        assert item.parsed is not None
        item.did_state = state
        if not state.registered:
            item.add("issuer DID", Outcome.FAIL, f"{item.issuer} is not registered in the DID registry")
            return
        item.add(
            "issuer DID",
            Outcome.PASS,
            f"{item.issuer} is registered",
            registered=vcfmt.iso(state.registered_at),
            registeredBlock=state.registered_block,
        )
        method = state.method_by_thumbprint(item.fragment)
        if method is None:
            item.add(
                "signing key",
                Outcome.FAIL,
                f"the issuer's DID document has no key #{item.fragment}",
            )
            return
        if not method.has(Rel.ASSERTION_METHOD):
            item.add(
                "signing key",
                Outcome.FAIL,
                "the signing key is not an assertionMethod of the issuer",
            )
            return
        # `iat` is the signer's word: it must fall in the key's window (its last second included, as
        # a signature in the second the key was retired may precede the retirement); what settles
        # it is the anchor's block (_check_key_at_anchor).
        if not method.not_before <= item.issued_at <= method.not_after:
            item.add(
                "signing key",
                Outcome.FAIL,
                f"the signing key was not valid when the credential was signed ({vcfmt.iso(item.issued_at)})",
                notBefore=vcfmt.iso(method.not_before),
                notAfter=_iso_or_none(method.not_after),
            )
            return
        if not jwt.verify(item.parsed, method.jwk):
            item.add(
                "signature",
                Outcome.FAIL,
                "the signature does not match the content and the issuer's key",
            )
            return
        item.add(
            "signature",
            Outcome.PASS,
            f"signed by {item.issuer}#{item.fragment[:12]}…",
            alg=item.parsed.alg,
        )
        item.signing_method = method
        item.add(
            "signing key",
            Outcome.PASS,
            "the key was valid in the issuer's DID document when it signed",
            notBefore=vcfmt.iso(method.not_before),
            notAfter=_iso_or_none(method.not_after),
        )

    def _check_key_at_anchor(self, item: _Item) -> None:
        """A key's signature counts only on what was anchored while the key was valid.

        `iat` is whatever the signer wrote: after `did rotate-key`, the old key could otherwise
        sign a credential dated back into its window and have it anchored later. The anchor's
        block time is what the chain proves, so a credential anchored at or after the key's end
        is refused, as a status change or an anchor by a former controller is."""
        method, record = item.signing_method, item.anchor
        if method is None or record is None:
            return
        valid = self._anchored_under(item.issuer, method, record)
        if valid:
            return
        check = next(c for c in item.checks if c.name == "signing key")
        check.evidence["anchored"] = vcfmt.iso(record.timestamp)
        if valid is None:
            check.outcome, check.message = Outcome.UNKNOWN, _SAME_BLOCK.format(what="anchor", key="signing key")
            return
        check.outcome = Outcome.FAIL
        check.message = (
            f"the signing key was retired on {vcfmt.iso(method.not_after)}, and the credential was anchored "
            f"after that ({vcfmt.iso(record.timestamp)}, block {record.block}): whatever its iat says, "
            "it was not signed while the key was valid"
        )
        item.fatal = True

    def _chain_phase(self, items: list[_Item], at: int | None) -> None:
        assert self.registry is not None
        live = [i for i in items if not i.fatal]
        states = self._resolve_issuers(live)
        for item in live:
            self._check_key(item, states[item.issuer])
        live = [i for i in live if not i.fatal]
        # One batch: every distinct (controller account, anchored value) pair and every distinct
        # status word. A cohort's members share one root and a handful of words.
        pair_index: dict[tuple[str, bytes], int] = {}
        word_index: dict[tuple[str, Purpose, int, int], int] = {}
        item_pairs: list[list[int]] = []
        item_words: list[list[int]] = []
        for item in live:
            accounts = [m.account for m in states[item.issuer].controllers() if m.account]
            item_pairs.append([pair_index.setdefault((a, item.value), len(pair_index)) for a in accounts])
            item_words.append(
                [word_index.setdefault((s[1], s[2], s[3], s[4] // 224), len(word_index)) for s in item.statuses]
            )
        anchor_pairs = list(pair_index)
        status_keys = [(account, purpose, number, word * 224) for account, purpose, number, word in word_index]
        client = self.registry.client
        abi = contract_abi("CredentialRegistry")
        requests = [("eth_getBlockByNumber", ["latest", False])]
        if anchor_pairs:
            requests.append(client.call_request(self.registry.anchors_call(anchor_pairs)))
        if status_keys:
            requests.append(client.call_request(self.registry.status_words_call(status_keys)))
        if at is None:  # a current question: is the node itself current? (in the same round trip)
            requests.append(("eth_syncing", []))
        results = client.batch(requests)
        syncing = results.pop() is not False if at is None else None
        head_time = header_time(results[0], "latest", client.rpc_url)
        # The time rule (trust.time_problem) holds for "now" too: past the newest block, only a node
        # that reports it is not syncing is answered; a time in the future never is.
        asked = int(time.time()) if at is None else at
        problem = time_problem(
            asked, head_time, client.syncing if syncing is None else lambda: bool(syncing), current=at is None
        )
        for item in live:
            if problem is not None:
                item.add("time asked", Outcome.UNKNOWN, f"could not check: {problem}")
            elif at is not None and at > head_time + CLOCK_SKEW_S:
                item.add("time asked", Outcome.PASS, idle_chain_note(head_time), newestBlock=vcfmt.iso(head_time))
        anchors = (
            Registry.anchor_records(anchor_pairs, abi.decode_output("anchorsOf", results[1])) if anchor_pairs else []
        )
        words = [int(w) for w in abi.decode_output("statusWordsFor", results[-1])[0]] if status_keys else []
        if len(words) != len(status_keys):
            raise BadAnswer("the node answered something that is not a valid eth_call result for statusWordsFor")
        chains = Trust(self.registry, "").fetch({item.issuer for item in live})
        verdicts: dict[tuple[Any, ...], Any] = {}
        for item, pairs, word_ids in zip(live, item_pairs, item_words, strict=True):
            self._check_anchor(item, states[item.issuer], [anchors[p] for p in pairs], at, head_time)
            self._check_key_at_anchor(item)
            self._check_status(item, [words[w] for w in word_ids], at)
        anchored = [item.anchor for item in live if item.anchor is not None]
        logs = self.registry.anchor_logs(anchored) if anchored else {}
        for item in live:
            if item.anchor is None:
                continue
            log = logs[(item.anchor.account, item.anchor.value)]
            check = next((c for c in item.checks if c.name == "anchor" and c.outcome is Outcome.PASS), None)
            if check is not None:
                check.evidence["transaction"] = None if log is None else str(log["transactionHash"])
            self._check_accreditation(
                item, chains[item.issuer], self._anchor_position(item.anchor, log, chains[item.issuer]), verdicts
            )

    def _anchor_position(self, anchor: AnchorRecord, log: dict[str, Any] | None, chain: Any) -> Position | None:
        """Where the anchor sits on the chain, when that decides what was in force at issuance: only
        when an accreditation of the issuer's chain changed in the anchor's second (a block holds one
        second, a second may hold many blocks). Then the revisions in the anchor's own block are
        ordered by log index too (one more log query); elsewhere the block number orders them."""
        assert self.registry is not None
        if not chain.same_second(anchor.timestamp):
            return None
        Trust(self.registry, "").read_revision_order(chain, anchor.block)
        try:
            index = int(log["logIndex"], 16) if log is not None else None
        except (TypeError, KeyError, ValueError):  # not a log index: the order stays unknown
            index = None
        return Position(anchor.block, index)

    def _check_accreditation(
        self, item: _Item, chain: Any, position: Position | None, verdicts: dict[tuple[Any, ...], Any]
    ) -> None:
        """Was the issuer accredited for this credential when it was anchored (the time the chain proves,
        and, within that second, the anchor's place in the chain)?

        The answer depends only on (issuer, anchoring time and place, what the credential needs), so a
        cohort's members, anchored together, share one evaluation.
        """
        assert item.anchor is not None
        anchored_at = item.anchor.timestamp
        types = item.info.get("types") or ()
        key = (item.issuer, anchored_at, position, tuple(types), item.info.get("schema"))
        if key not in verdicts:
            verdicts[key] = self._accreditation_check(
                chain, anchored_at, Need(types=key[3], schema_id=key[4]), position
            )
        outcome, message, evidence = verdicts[key]
        item.add("accreditation", outcome, message, **evidence)

    def _accreditation_check(
        self, chain: Any, anchored_at: int, need: Need, position: Position | None = None
    ) -> tuple[Outcome, str, dict[str, Any]]:
        """The accreditation check's outcome, message and evidence, worded once per verdict."""
        assert self.registry is not None
        report = self.registry.client.memo(
            ("accreditation", chain.did, anchored_at, position, need, self.trust_list),
            lambda: evaluate(chain, anchored_at, self.trust_list, need, position),
        )
        if report.undetermined:
            return Outcome.UNKNOWN, report.summary, {}
        evidence: dict[str, Any] = {
            "root": report.root,
            "path": " <- ".join(f"{link.issuer_type} {link.did}" for link in reversed(report.path)),
        }
        if report.notes:
            evidence["note"] = "; ".join(report.notes)
        if not report.ok:
            return Outcome.FAIL, f"at issuance ({vcfmt.iso(anchored_at)}): {report.summary}", evidence
        message = f"at issuance: {report.summary}"
        changed_later = [n for n in report.notes if "revoked on" in n or "suspended on" in n]
        if changed_later:
            message += "; note: " + "; ".join(changed_later)
        return Outcome.PASS, message, evidence

    def _check_anchor(
        self, item: _Item, state: DidState, records: list[AnchorRecord], at: int | None, head_time: int
    ) -> int | None:
        """Add the anchor check; return the anchoring time when it passed."""
        found = [r for r in records if r.exists]
        what = "cohort root" if item.holder and item.holder.cohort else "credential hash"
        hint = (
            ""
            if item.holder and item.holder.cohort
            else " (a credential issued in a cohort is anchored through its cohort's root: check the holder "
            "file, which carries the Merkle proof, not the bare JWT)"
        )
        if not found and head_time <= item.issued_at:
            # The node has no block after the signing (a lagging replica, a node catching up): it
            # cannot have seen the anchor yet, so its absence there proves nothing.
            item.add(
                "anchor", Outcome.UNKNOWN,
                f"could not check: the node's latest block ({vcfmt.iso(head_time)}) is not later than the "
                f"credential's signing ({vcfmt.iso(item.issued_at)}); it may not have seen the anchor yet",
            )  # fmt: skip
            return None
        if not found and head_time <= item.issued_at + self.anchor_window_s:
            # Past the signing but inside the anchoring window: the anchor may sit in a block this
            # node (a replica behind the others) has not seen yet. Only a head past the window shows
            # the credential was not anchored in time; until then, its absence proves nothing.
            item.add(
                "anchor", Outcome.UNKNOWN,
                f"could not check: the node may be behind: it has no anchor, but its newest block "
                f"({vcfmt.iso(head_time)}) is within the {self.anchor_window_s} s anchoring window after the "
                f"credential's signing ({vcfmt.iso(item.issued_at)}); ask another node, or again later{hint}",
                newestBlock=vcfmt.iso(head_time), anchoringWindow=self.anchor_window_s,
            )  # fmt: skip
            return None
        if not found:
            item.add(
                "anchor",
                Outcome.FAIL,
                f"the {what} is not anchored by any controller of {item.issuer}, and the {self.anchor_window_s} s "
                f"anchoring window after its signing has passed{hint}",
            )
            return None
        record = min(found, key=lambda r: r.block)
        controller = state.controller(record.account)
        controlled = controller is not None and self._anchored_under(item.issuer, controller, record)
        if controlled is None:
            item.add("anchor", Outcome.UNKNOWN, _SAME_BLOCK.format(what="anchor", key="controller key"))
            return None
        if not controlled:
            item.add(
                "anchor",
                Outcome.FAIL,
                f"account {record.account} did not control {item.issuer} when it anchored",
            )
            return None
        if record.timestamp + CLOCK_SKEW_S < item.issued_at:
            item.add("anchor", Outcome.FAIL, "the anchor predates the credential's issuance date")
            return None
        if at is not None and record.timestamp > at:
            item.add("anchor", Outcome.FAIL, f"the credential was not anchored yet on {vcfmt.iso(at)}")
            return None
        if item.holder and item.holder.cohort and record.count != item.holder.cohort.size:
            item.add("anchor", Outcome.FAIL, "the cohort size on-chain differs from the holder file")
            return None
        item.anchor = record
        item.add(
            "anchor",
            Outcome.PASS,
            f"{what} anchored by {item.issuer} on {vcfmt.iso(record.timestamp)} (block {record.block})",
            account=record.account,
            block=record.block,
            time=vcfmt.iso(record.timestamp),
            transaction=None,  # filled in below, in one batch for all credentials
        )
        return record.timestamp

    def _check_status(self, item: _Item, words: list[int], at: int | None) -> None:
        """Each status entry: whose list it is, then its bit as the list's account left it while it
        controlled the issuer's DID.

        Status words are keyed by the account that writes them, and any account can write its own.
        So a list counts only if its account controlled the issuer's DID when the credential was
        anchored (else its issuer could never change this credential's status), and a change counts
        only if its block came inside that account's controller window: after a controller is
        rotated out, its key can still write, but what it writes is ignored. The word's history
        (each StatusWordChanged event names the block of the change before it) gives the bit as it
        was at the window's end; where that history cannot be read, "could not determine".
        """
        assert self.registry is not None
        state = item.did_state
        for (did, account, purpose, number, index), word in zip(item.statuses, words, strict=True):
            name = f"{purpose.label} status"
            del did
            controller = state.controller(account) if state is not None else None
            anchored: bool | None = True
            if controller is not None and item.anchor is not None:
                anchored = self._anchored_under(item.issuer, controller, item.anchor)
                if anchored is None:
                    item.add(name, Outcome.UNKNOWN, _SAME_BLOCK.format(what="anchor", key="controller key"))
                    continue
            if controller is None or not anchored:
                when_anchored = "when the credential was anchored" if controller is not None else "at any time"
                item.add(
                    "status list", Outcome.FAIL,
                    f"the {purpose.label} list belongs to account {account}, which did not control {item.issuer} "
                    f"{when_anchored}: the issuer could not change this credential's status",
                    account=account, list=number, index=index,
                )  # fmt: skip
                continue
            start, end = controller.not_before, controller.not_after
            last = last_change_block(word)
            # Now, under a window that never ends, a clear bit needs no history: it is the answer (a
            # change before the window leaves the bit clear). Only a set bit (for its reason and
            # time), a question about the past, or a window that ended reads the word's history.
            if not last or (at is None and end >= NO_EXPIRY and not bit_of(word, index)):
                item.add(name, Outcome.PASS, f"not {_past(purpose)}", list=number, index=index)
                continue
            word_key = (account, purpose, number, index // 224, last)
            if word_key not in self._histories:
                self._histories[word_key] = self.registry.status_history(account, purpose, number, index // 224, last)
            history = self._histories[word_key]
            # The walk goes newest first; a node without the older logs (pruned) stops it early.
            complete = bool(history) and history[-1].previous_change == 0
            touching = [e for e in history if (e.mask >> (index % 224)) & 1]
            when = self._event_times(touching)
            if (
                at is None
                and (touching or complete)
                and (touching[0].set if touching else False) != bit_of(word, index)
            ):
                raise ChainUnavailable("status history disagrees with the status word (node out of sync)")
            asked = [e for e in touching if at is None or when[e.block] <= at]
            inside = {e: self._in_window(item.issuer, controller, e, when[e.block]) for e in asked}
            if any(v is None for v in inside.values()):
                message = _SAME_BLOCK.format(what=f"{purpose.label} change", key="controller key")
                item.add(name, Outcome.UNKNOWN, message, list=number, index=index)
                continue
            relevant = [e for e in asked if inside[e]]
            # The changes that would have mattered: newer than the newest that counts.
            ignored = [e for e in asked[: asked.index(relevant[0]) if relevant else None] if not inside[e]]
            evidence: dict[str, Any] = {"list": number, "index": index}
            note = ""
            if ignored:
                evidence["ignored"] = [
                    {"block": e.block, "time": vcfmt.iso(when[e.block]), "transaction": e.tx_hash,
                     "change": _past(purpose) if e.set else f"not {_past(purpose)}"}
                    for e in ignored
                ]  # fmt: skip
                note = (
                    f"; {len(ignored)} change(s) by {account} ignored: it controlled {item.issuer} only from "
                    f"{vcfmt.iso(start)} until {_iso_or_none(end) or 'now'}"
                )
            if not relevant and not complete:
                item.add(
                    name, Outcome.UNKNOWN,
                    f"could not check: the node did not return this status word's whole history, which is needed "
                    f"to read it as {account} left it while it controlled {item.issuer}",
                    **evidence,
                )  # fmt: skip
                continue
            if not relevant or not relevant[0].set:
                item.add(name, Outcome.PASS, f"not {_past(purpose)}{note}", **evidence)
                continue
            event = change_in_force(relevant)  # the change that put it in this state
            assert event is not None
            item.add(
                name,
                Outcome.FAIL,
                f"{_past(purpose)} on {vcfmt.iso(when[event.block])}: {reason_text(event.reason)}{note}",
                reasonCode=event.reason,
                block=event.block,
                time=vcfmt.iso(when[event.block]),
                transaction=event.tx_hash,
                **evidence,
            )

    def _in_window(self, did: str, controller: VerificationMethod, event: StatusEvent, time_: int) -> bool | None:
        """Did `controller`'s account control `did` when `event` landed? By block time, and in the
        second its control ended by the order of the blocks (None: that order could not be read)."""
        start, end = controller.not_before, controller.not_after
        if time_ != end:
            return start <= time_ < end
        return self._ended_after(did, controller, event.block, lambda: event.log_index)

    def _anchored_under(self, did: str, method: VerificationMethod, record: AnchorRecord) -> bool | None:
        """Was `method` valid in `did`'s document when `record` was anchored (None: unknown)?"""
        if record.timestamp != method.not_after:
            return method.valid_at(record.timestamp)
        return self._ended_after(did, method, record.block, lambda: self._anchor_log_index(record))

    def _ended_after(
        self, did: str, method: VerificationMethod, block: int, log_index: Callable[[], int | None]
    ) -> bool | None:
        """Was `method`'s end set by a transaction after (`block`, the log at `log_index()`)?

        Validity windows are in seconds, and several blocks (on anvil), or one block, can share the
        second a key was retired in; then what happened in that second before the retirement was
        still done under the key. The DID document just before `block` says whether the end was
        already set; if not, the retirement's own event says where it landed. True: later, so the
        key was still valid there; False: earlier (or ahead of time); None: the same block and the
        order inside it could not be read, or the node has no record of the retirement."""
        key = (did, method.index, method.not_after, block)
        if key not in self._retirements:
            self._retirements[key] = self._retirement(did, method, block)
        found = self._retirements[key]
        if not isinstance(found, tuple):
            return found
        where, position = found
        if where != block:
            return where > block
        mine = log_index()
        return None if mine is None or mine < 0 else position > mine

    def _retirement(self, did: str, method: VerificationMethod, block: int) -> tuple[int, int] | bool | None:
        """Where `method` got its end: False if it already had it before `block`, else the (block,
        log index) of the event that set it, or None when the node shows none."""
        assert self.registry is not None
        client = self.registry.client
        (_, methods) = client.call_many(self.registry.resolve_calls(did), max(block - 1, 0))
        if method.index < len(methods[0]) and int(methods[0][method.index][5]) == method.not_after:
            return False
        abi = contract_abi("DIDRegistry")
        topics: list[str | None] = [
            abi.event_topic("VerificationMethodExpirySet"),
            "0x" + did_hash(did).hex(),
            "0x" + method.index.to_bytes(32, "big").hex(),
        ]
        # On chains whose block times strictly increase, a retirement "now" in that second is in that
        # very block; anvil may mine many blocks in one second: look a little further.
        last = max(block, min(block + _SAME_SECOND_BLOCKS, client.block_number()))
        logs = client.request(*client.logs_request(self.registry.did_address, topics, block, last))
        if not isinstance(logs, list):
            _not_logs()
        for log in logs:
            if int(abi.decode_event("VerificationMethodExpirySet", log)["notAfter"]) == method.not_after:
                return _log_position(log)
        return None

    def _anchor_log_index(self, record: AnchorRecord) -> int | None:
        """The anchor's place in its block (its Anchored log); None when the node shows no log."""
        assert self.registry is not None
        key = (record.account, record.value)
        if key not in self._anchor_logs:
            client = self.registry.client
            abi = contract_abi("CredentialRegistry")
            topics: list[str | None] = [
                abi.event_topic("Anchored"), "0x" + bytes(12).hex() + record.account[2:].lower(),
                "0x" + record.value.hex(),
            ]  # fmt: skip
            request = client.logs_request(self.registry.credential_address, topics, record.block, record.block)
            logs = client.request(*request)
            if not isinstance(logs, list):
                _not_logs()
            self._anchor_logs[key] = _log_position(logs[0])[1] if logs else None
        return self._anchor_logs[key]

    def _event_times(self, events: Sequence[StatusEvent]) -> dict[int, int]:
        assert self.registry is not None
        blocks = sorted({e.block for e in events} - set(self._block_times))
        if blocks:
            client = self.registry.client
            headers = client.batch([("eth_getBlockByNumber", [hex(b), False]) for b in blocks])
            self._block_times.update(
                {b: header_time(h, b, client.rpc_url) for b, h in zip(blocks, headers, strict=True)}
            )
        return {e.block: self._block_times[e.block] for e in events}

    # -- phase 3: verdicts ---------------------------------------------------------------

    @staticmethod
    def _validity(item: _Item, at: int) -> None:
        if at < item.valid_from:
            item.add("validity period", Outcome.FAIL, f"not valid before {vcfmt.iso(item.valid_from)}")
        elif item.valid_until is not None and at >= item.valid_until:
            item.add("validity period", Outcome.FAIL, f"expired on {vcfmt.iso(item.valid_until)}")
        else:
            until = f"until {vcfmt.iso(item.valid_until)}" if item.valid_until else "with no expiry date"
            item.add("validity period", Outcome.PASS, f"valid from {vcfmt.iso(item.valid_from)} {until}")

    @staticmethod
    def _verdict(item: _Item) -> tuple[Verdict, str]:
        failed = [c for c in item.checks if c.outcome is Outcome.FAIL]
        unknown = [c for c in item.checks if c.outcome is Outcome.UNKNOWN]
        for check in failed:
            if check.name == "revocation status":
                return Verdict.REVOKED, f"REVOKED: {check.message}"
        for check in failed:
            if check.name == "suspension status":
                return Verdict.SUSPENDED, f"SUSPENDED: {check.message}"
        if failed:
            return Verdict.INVALID, f"INVALID: {failed[0].name}: {failed[0].message}"
        if unknown:
            return Verdict.INDETERMINATE, f"COULD NOT DETERMINE: {unknown[0].message}"
        return Verdict.VALID, "VALID: every check passed"

    def verify_many(self, inputs: Sequence[tuple[str, str | bytes]], at: int | None = None) -> list[Report]:
        """Verify (source name, content) pairs; `at` (unix seconds) asks "was it valid then"."""
        with _gc_paused() if len(inputs) >= _GC_PAUSE_MIN_BATCH else nullcontext():
            return self._verify_many(inputs, at)

    def _verify_many(self, inputs: Sequence[tuple[str, str | bytes]], at: int | None) -> list[Report]:
        started = time.time()
        self._merkle_memo = {}  # shared by the cohort proofs of this call only
        self._histories = {}  # status-word histories, shared by the credentials of one word
        self._block_times = {}
        self._retirements = {}
        self._anchor_logs = {}
        items = [_Item(source) for source, _ in inputs]
        for item, (_, content) in zip(items, inputs, strict=True):
            self._parse(item, content)
            if not item.fatal and item.issued_at > started + CLOCK_SKEW_S:
                # Checked here, against our clock: a future date must not buy "could not determine".
                item.add(
                    "signing time", Outcome.FAIL, f"claims to be signed in the future ({vcfmt.iso(item.issued_at)})"
                )
        chain_error: str | None = None
        if self.registry is None:
            chain_error = self.unavailable or "no chain connection configured"
        else:
            try:
                self._chain_phase(items, at)
            except (ChainUnavailable, TransactionReverted) as exc:
                chain_error = str(exc)
        for item in items:
            format_ok = any(c.name == "format" and c.outcome is Outcome.PASS for c in item.checks)
            if not format_ok:
                continue
            if chain_error is not None and not item.fatal:
                done = {c.name for c in item.checks}
                statuses = dict.fromkeys(f"{s[2].label} status" for s in item.statuses)
                for name in (*_CHAIN_CHECKS_BEFORE_STATUS, *statuses, *_CHAIN_CHECKS_AFTER_STATUS):
                    if name not in done:
                        item.add(name, Outcome.UNKNOWN, f"could not check: {chain_error}")
            self._validity(item, at if at is not None else int(started))
        reports = []
        for item in items:
            verdict, summary = self._verdict(item)
            reports.append(
                Report(
                    source=item.source,
                    verdict=verdict,
                    summary=summary,
                    checks=item.checks,
                    credential=item.info,
                    checked_at=vcfmt.iso(at if at is not None else int(started)),
                )
            )
        return reports

    def verify(self, source: str, content: str | bytes, at: int | None = None) -> Report:
        return self.verify_many([(source, content)], at)[0]

    def verify_passport(
        self,
        source: str,
        content: str | bytes,
        at: int | None = None,
        *,
        audience: str | None = None,
        nonce: str | None = None,
    ) -> PassportReport:
        """Holder binding first (the holder signed the presentation, and every credential is
        about the holder), then the presentation itself (its time claims, each credential once,
        the verifier's audience and nonce when it states them), then each credential; one verdict
        per credential and one overall."""
        try:
            passport = load_passport(content, source)
        except InputError as exc:
            check = Check("presentation", Outcome.FAIL, str(exc))
            return PassportReport(source, Verdict.INVALID, f"INVALID: {exc}", None, [check], [])
        checks: list[Check] = []
        problem = check_holder_signature(passport)
        if problem:
            checks.append(Check("holder signature", Outcome.FAIL, problem))
        else:
            checks.append(Check("holder signature", Outcome.PASS, f"signed by the holder {passport.holder}"))
        inputs = [(f"{source} #{n}", f.dumps()) for n, f in enumerate(passport.credentials, 1)]
        reports = self.verify_many(inputs, at)
        strangers = [r.source for r in reports if r.credential and r.credential.get("subject") != passport.holder]
        if strangers:
            checks.append(
                Check("holder binding", Outcome.FAIL, f"{', '.join(strangers)} are about someone else, not the holder")
            )
        else:
            checks.append(Check("holder binding", Outcome.PASS, "every credential is about the presentation's holder"))
        checks.extend(_presentation_checks(passport, at, audience, nonce))
        verdicts = [r.verdict for r in reports]
        valid = sum(v is Verdict.VALID for v in verdicts)
        if any(c.outcome is Outcome.FAIL for c in checks):
            failed = next(c for c in checks if c.outcome is Outcome.FAIL)
            verdict, summary = Verdict.INVALID, f"INVALID: {failed.name}: {failed.message}"
        elif valid == len(verdicts):
            verdict, summary = Verdict.VALID, f"VALID: all {valid} credentials valid"
        elif all(v in (Verdict.VALID, Verdict.INDETERMINATE) for v in verdicts):
            verdict, summary = Verdict.INDETERMINATE, f"COULD NOT DETERMINE: {valid} of {len(verdicts)} valid"
        else:
            verdict, summary = Verdict.INVALID, f"NOT ALL VALID: {valid} of {len(verdicts)} credentials valid"
        return PassportReport(source, verdict, summary, passport.holder, checks, reports)


def _numeric_date(payload: dict[str, Any], claim: str) -> int | None:
    """A JWT time claim as unix seconds; None when absent; InputError when malformed."""
    if claim not in payload:
        return None
    value = payload[claim]
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_TIMESTAMP:
        raise InputError(f"the presentation's {claim} claim is not a whole number of seconds between 1970 and 9999")
    return value


def _presentation_checks(passport: Passport, at: int | None, audience: str | None, nonce: str | None) -> list[Check]:
    """The presentation's own claims: when it may be used, each credential once, for whom.

    Times: `iat` and `exp` are required (EBSI's presentation library requires `exp` too: a
    presentation that never expires can be replayed for ever), `nbf` is checked when present.
    `nbf`/`exp` are judged at the time asked (`--at`) or now; `iat` against our clock, as a
    credential's signing time is. Each is allowed CLOCK_SKEW_S of clock disagreement.
    """
    checks: list[Check] = []
    payload = passport.parsed.payload
    now = int(time.time())
    when = at if at is not None else now
    try:
        issued, not_before, expires = (_numeric_date(payload, c) for c in ("iat", "nbf", "exp"))
        if issued is None or expires is None:
            raise InputError(
                "the presentation has no " + ("signing time (iat)" if issued is None else "expiry (exp)")
                + "; a presentation without one could be replayed for ever"
            )  # fmt: skip
    except InputError as exc:
        checks.append(Check("presentation time", Outcome.FAIL, str(exc)))
    else:
        evidence = {"issued": vcfmt.iso(issued), "expires": vcfmt.iso(expires)}
        if issued > now + CLOCK_SKEW_S:
            checks.append(
                Check("presentation time", Outcome.FAIL, f"claims to be signed in the future ({vcfmt.iso(issued)})")
            )
        elif not_before is not None and when + CLOCK_SKEW_S < not_before:
            checks.append(Check("presentation time", Outcome.FAIL, f"not valid before {vcfmt.iso(not_before)}"))
        elif when >= expires + CLOCK_SKEW_S:
            checks.append(Check("presentation time", Outcome.FAIL, f"expired on {vcfmt.iso(expires)}", evidence))
        else:
            message = f"signed {vcfmt.iso(issued)}, valid until {vcfmt.iso(expires)}"
            checks.append(Check("presentation time", Outcome.PASS, message))
    first_seen: dict[bytes, int] = {}
    repeated: list[str] = []
    for number, holder_file in enumerate(passport.credentials, 1):
        earlier = first_seen.setdefault(vcfmt.credential_hash(holder_file.credential), number)
        if earlier != number:
            repeated.append(f"#{number} repeats #{earlier}")
    if repeated:
        message = "the same credential is in the passport twice: " + ", ".join(repeated)
        checks.append(Check("distinct credentials", Outcome.FAIL, message))
    else:
        checks.append(Check("distinct credentials", Outcome.PASS, "each credential is in the passport once"))
    aud = payload.get("aud")  # RFC 7519: one string or a list of them
    addressed = [aud] if isinstance(aud, str) else _str_list(aud) if isinstance(aud, list) else []
    shown = ", ".join(repr(a[:80]) for a in addressed[:3]) or "nobody"
    if audience is None:
        if aud is not None:
            checks.append(
                Check("audience", Outcome.SKIPPED, f"not checked (made for {shown}): give --audience to check")
            )
    elif audience in addressed:
        checks.append(Check("audience", Outcome.PASS, f"made for {audience[:80]!r}"))
    else:
        checks.append(Check("audience", Outcome.FAIL, f"made for {shown}, not for {audience[:80]!r}"))
    if nonce is not None:
        if payload.get("nonce") == nonce:
            checks.append(Check("nonce", Outcome.PASS, "answers the challenge (nonce) given"))
        elif "nonce" not in payload:
            checks.append(Check("nonce", Outcome.FAIL, "carries no nonce, so it does not answer the challenge given"))
        else:
            checks.append(Check("nonce", Outcome.FAIL, "carries another nonce than the challenge given"))
    return checks


class _CollectorPause:
    """The cyclic garbage collector off while a batch is verified.

    A batch allocates many small containers and frees them by reference counting (they form no
    cycles), but the allocations alone trigger collections that rescan every long-lived object of
    the process; in the benchmark that was a quarter of the verification time. Reentrant and
    thread-safe: the collector comes back when the last batch in flight ends, and only if it was
    on before the first began.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


_gc_paused = _CollectorPause()
# Only batches pause the collector: a service verifying one credential per request, under steady
# load, would otherwise keep it off for good and let cyclic garbage pile up.
_GC_PAUSE_MIN_BATCH = 64


def _common(vc: dict[str, Any], kid: str | None, issuer: str) -> dict[str, Any]:
    """Checks and fields shared by both profiles: signing key, status entries."""
    if not kid:
        raise InputError("the JWT header has no kid")
    kid_did, fragment = split_did_url(kid)
    if kid_did != issuer:
        raise InputError("the signing key (kid) belongs to another DID than the issuer")
    statuses = [parse_status_entry(e) for e in status_entries({"vc": vc})]
    for did, *_ in statuses:
        if did != issuer:
            raise InputError("a status list belongs to another DID than the issuer")
    return {"fragment": fragment, "statuses": statuses, "schema": vcfmt.schema_id(vc)}


def _fields_v1(parsed: jwt.CompactJWS) -> tuple[dict[str, Any], dict[str, Any]]:
    """EBSI's VCDM 1.1 JWT: the registered claims must mirror the credential in `vc`."""
    payload = parsed.payload
    vc = payload.get("vc")
    if not isinstance(vc, dict):
        raise InputError("the JWT has no `vc` claim holding a credential")
    types = _str_list(vc.get("type"))
    contexts = _str_list(vc.get("@context"))
    subject = vc.get("credentialSubject")
    problems = []
    if not contexts or contexts[0] != vcfmt.VC_V1_CONTEXT:
        problems.append("@context must start with the VC 1.1 context")
    if not types or types[0] != "VerifiableCredential" or "VerifiableAttestation" not in types:
        problems.append("type must start with VerifiableCredential and include VerifiableAttestation")
    if payload.get("iss") != _issuer_id(vc):
        problems.append("iss differs from the credential's issuer")
    if not isinstance(subject, dict) or payload.get("sub") != subject.get("id"):
        problems.append("sub differs from credentialSubject.id")
    if payload.get("jti") != vc.get("id"):
        problems.append("jti differs from the credential id")
    for claim in ("iat", "nbf", "exp"):
        value = payload.get(claim)
        if claim == "exp" and value is None:
            continue
        # bool is an int in Python; and times must fit a calendar (years 1970 to 9999).
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_TIMESTAMP:
            problems.append(f"the {claim} claim is missing, not an integer or out of range")
    if problems:
        raise InputError("; ".join(problems))
    if vcfmt.parse_time(str(vc.get("validFrom", vc.get("issuanceDate", "")))) != payload["nbf"]:
        raise InputError("nbf differs from validFrom")
    issuer = str(payload["iss"])
    fields = _common(vc, parsed.kid, issuer)
    fields.update(
        issuer=issuer,
        subject=payload.get("sub"),
        types=types,
        signed_at=int(payload["iat"]),
        valid_from=int(payload["nbf"]),
        valid_until=int(payload["exp"]) if "exp" in payload else None,
    )
    return vc, fields


def _fields_v2(parsed: jwt.CompactJWS, vc: dict[str, Any]) -> dict[str, Any]:
    """VCDM 2.0 vc+jwt: the payload is the credential; it was signed when it was awarded.

    The JWT's own `nbf` and `exp`, when present (parse_vc2 checked they are well-formed), bound the
    validity as much as `validFrom`/`validUntil` do: the later start and the earlier end count."""
    issuer = str(_issuer_id(vc))
    subject = vc.get("credentialSubject")
    valid_from = vcfmt.parse_time(str(vc.get("validFrom", "")))
    valid_until = vcfmt.parse_time(vc["validUntil"]) if isinstance(vc.get("validUntil"), str) else None
    awarded = vc.get("awardedDate")
    signed_at = vcfmt.parse_time(awarded) if isinstance(awarded, str) else valid_from
    if "nbf" in vc:
        valid_from = max(valid_from, int(vc["nbf"]))
    if "exp" in vc:
        valid_until = int(vc["exp"]) if valid_until is None else min(valid_until, int(vc["exp"]))
    fields = _common(vc, parsed.kid, issuer)
    fields.update(
        issuer=issuer,
        subject=subject.get("id") if isinstance(subject, dict) else None,
        types=_str_list(vc.get("type")),
        signed_at=signed_at,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return fields


def _not_logs() -> NoReturn:
    raise ChainUnavailable("the node answered something that is not a valid eth_getLogs result")


def _log_position(log: Any) -> tuple[int, int]:
    """(block number, log index) of a log as the node gave it; a malformed one is the node's fault."""
    try:
        return int(log["blockNumber"], 16), int(log["logIndex"], 16)
    except (KeyError, TypeError, ValueError) as exc:
        raise ChainUnavailable("the node answered something that is not a valid eth_getLogs result") from exc


def reason_text(code: int) -> str:
    return REASONS.get(code, f"reason {code}")


def _past(purpose: Purpose) -> str:
    return "revoked" if purpose is Purpose.REVOCATION else "suspended"


def _iso_or_none(ts: int) -> str | None:
    return None if ts >= 2**63 else vcfmt.iso(ts)


def idle_chain_note(head_time: int) -> str:
    return (
        f"answered as of the chain's newest block ({vcfmt.iso(head_time)}): no block since, and the node "
        "reports it is not syncing, so nothing has changed"
    )


def note_single_node(report: Report | PassportReport) -> None:
    """A VALID verdict read from one node says what it rests on (the verdict itself is unchanged)."""
    if report.verdict is Verdict.VALID:
        report.checks.append(Check("quorum", Outcome.SKIPPED, SINGLE_NODE_NOTE))


def in_parallel(work: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """`work(item)` for each item, each in its own thread (and the caller's context: a read deadline
    set around the call holds in every thread). Endpoints of a quorum are asked at once, so one that
    hangs costs its deadline once, not once per endpoint before it."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, work, item) for item in items]
        return [f.result() for f in futures]


def verify_with_quorum(
    verifiers: Sequence[tuple[str, Verifier | Callable[[], Verifier]]],
    inputs: Sequence[tuple[str, str | bytes]],
    at: int | None = None,
    *,
    audience: str | None = None,
    nonce: str | None = None,
) -> list[Report | PassportReport]:
    """Ask several RPC endpoints of one chain and compare: a verdict stands only when a majority
    of endpoints answered and every endpoint that answered agrees; disagreement is reported.
    Credentials and passports alike: a passport is compared on its overall verdict.

    The endpoints are asked at once, each in its own thread; a verifier may be given as a function
    that makes it (attaching to its endpoint), so a slow endpoint's attach delays no other one."""
    same = repeated_endpoint([url for url, _ in verifiers])
    if same is not None:  # one node given twice would agree with itself
        raise InputError(f"{same[0]} and {same[1]} are the same endpoint: a quorum needs independent nodes")
    passports = {n for n, (_, content) in enumerate(inputs) if is_passport(content)}
    credentials = [n for n in range(len(inputs)) if n not in passports]

    def ask(given: Verifier | Callable[[], Verifier]) -> list[Report | PassportReport]:
        try:
            verifier = given if isinstance(given, Verifier) else given()
            reports: dict[int, Report | PassportReport] = {}
            if credentials:
                answered = verifier.verify_many([inputs[n] for n in credentials], at)
                reports.update(zip(credentials, answered, strict=True))
            for n in passports:
                reports[n] = verifier.verify_passport(inputs[n][0], inputs[n][1], at, audience=audience, nonce=nonce)
            return [reports[n] for n in range(len(inputs))]
        except Exception as exc:  # one endpoint's fault is that endpoint's "could not determine"
            return [_failed_endpoint(source, n in passports, exc, at) for n, (source, _) in enumerate(inputs)]

    shown = [shown_url(url) for url, _ in verifiers]  # never an endpoint's credentials in evidence
    answers = list(zip(shown, in_parallel(ask, [v for _, v in verifiers]), strict=True))
    final: list[Report | PassportReport] = []
    for n in range(len(inputs)):
        per_endpoint = [(url, reports[n]) for url, reports in answers]
        answered = [(url, r) for url, r in per_endpoint if r.verdict is not Verdict.INDETERMINATE]
        silent = [url for url, r in per_endpoint if r.verdict is Verdict.INDETERMINATE]
        # Endpoints agree when their verdicts and the evidence behind them (reason, block, time and
        # transaction of a status change and of the anchor) agree: the report shown is one of them.
        verdicts = {(r.verdict, _key_evidence(r)) for _, r in answered}
        base = answered[0][1] if answered else per_endpoint[0][1]
        evidence = {url: str(r.verdict) for url, r in per_endpoint}
        if len(verdicts) == 1 and len(answered) * 2 > len(per_endpoint):
            note = f"{len(answered)} of {len(per_endpoint)} endpoints agree"
            if silent:
                note += f"; no answer from {', '.join(silent)}"
            base.checks.append(Check("quorum", Outcome.PASS, note, dict(evidence)))
            final.append(base)
            continue
        if len({r.verdict for _, r in answered}) > 1:
            message = "the endpoints disagree: " + ", ".join(f"{u} says {r.verdict}" for u, r in answered)
        elif len(verdicts) > 1:
            message = "the endpoints disagree on the evidence: " + ", ".join(
                f"{u} says {r.summary}" for u, r in answered
            )
        else:
            message = f"only {len(answered)} of {len(per_endpoint)} endpoints answered"
        base.checks.append(Check("quorum", Outcome.UNKNOWN, message, dict(evidence)))
        base.verdict = Verdict.INDETERMINATE
        base.summary = f"COULD NOT DETERMINE: {message}"
        final.append(base)
    return final


# What quorum endpoints must agree on besides the verdict: each status change and the anchor, as
# the report states them (a node can keep the verdict and lie about the reason or the time).
_EVIDENCE_KEYS = ("reasonCode", "block", "time", "transaction", "account", "list", "index")


def _key_evidence(report: Report | PassportReport) -> tuple[Any, ...]:
    own = tuple(
        (c.name, str(c.outcome), tuple(repr(c.evidence.get(k)) for k in _EVIDENCE_KEYS))
        for c in report.checks
        if c.name == "anchor" or c.name.endswith("status") or c.name == "status list"
    )
    inner = tuple(_key_evidence(r) for r in report.credentials) if isinstance(report, PassportReport) else ()
    return own, inner


def _failed_endpoint(source: str, passport: bool, exc: BaseException, at: int | None) -> Report | PassportReport:
    """The report of an endpoint whose verification failed unexpectedly: could not determine."""
    reason = f"could not check: this endpoint failed ({type(exc).__name__})"
    checks = [Check("chain", Outcome.UNKNOWN, reason)]
    summary = f"COULD NOT DETERMINE: {reason}"
    if passport:
        return PassportReport(source, Verdict.INDETERMINATE, summary, None, checks, [])
    when = vcfmt.iso(at if at is not None else int(time.time()))
    return Report(source, Verdict.INDETERMINATE, summary, checks, {}, when)
