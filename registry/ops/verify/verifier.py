"""The verifier: every check a relying party needs, in three phases over a batch of credentials.

Verification is batch-shaped: many credentials are parsed and signature-checked locally, then
the chain is asked everything at once: the issuers' DID documents in one JSON-RPC batch, then
all anchors and status words in one more (two view calls that take arrays). The per-credential
chain cost stays flat however many credentials are checked, and what depends only on the issuer
(its controllers, its accreditation chain) is worked out once per batch.

Three verdicts matter to a caller and are never confused: valid, not valid (invalid, revoked,
suspended), and "could not determine" (the chain could not be asked). An RPC failure turns every
chain-dependent check into `unknown`, never into `fail`.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from registry.chain.client import BadAnswer, header_time
from registry.config import DEFAULT_ANCHOR_WINDOW_S
from registry.errors import ChainUnavailable, InputError, TransactionReverted
from registry.formats.locator import Locator
from registry.formats.merkle import ProofMemo
from registry.ops.registry import BITS_PER_WORD, DidState, Purpose, Registry
from registry.ops.trust import CLOCK_SKEW_S, Trust, TrustList, time_problem
from registry.ops.verify import chain_checks, offline, presentation
from registry.ops.verify.chain_checks import Batch
from registry.ops.verify.issuers import IssuerCache
from registry.ops.verify.item import Item, iso
from registry.ops.verify.lookups import Lookups
from registry.ops.verify.registries import check_registry, here_of
from registry.ops.verify.report import (
    CHAIN_CHECKS_AFTER_STATUS,
    CHAIN_CHECKS_BEFORE_STATUS,
    DEFAULT_POLICY,
    POLICIES,
    Code,
    Outcome,
    PassportReport,
    Report,
    verdict_of,
)
from registry.ops.verify.status import check_status


def idle_chain_note(head_time: int) -> str:
    return (
        f"answered as of the chain's newest block ({iso(head_time)}): no block since, and the node "
        "reports it is not syncing, so nothing has changed"
    )


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


class _Reads:
    """The batch's one round of anchor and status-word reads, indexed per credential."""

    def __init__(self, live: list[Item], states: dict[str, DidState]) -> None:
        # Every distinct (controller account, anchored value) pair and every distinct status word.
        # A cohort's members share one root and a handful of words; an issuer's controllers are
        # listed once.
        accounts = {did: [m.account for m in state.controllers() if m.account] for did, state in states.items()}
        pair_index: dict[tuple[str, bytes], int] = {}
        word_index: dict[tuple[str, Purpose, int, int], int] = {}
        self.pairs = [[pair_index.setdefault((a, i.value), len(pair_index)) for a in accounts[i.issuer]] for i in live]
        self.words = [
            [word_index.setdefault((s[1], s[2], s[3], s[4] // BITS_PER_WORD), len(word_index)) for s in i.statuses]
            for i in live
        ]
        self.anchor_pairs = list(pair_index)
        self.status_keys = [(a, purpose, number, word * BITS_PER_WORD) for a, purpose, number, word in word_index]


class Verifier:
    """Verifies credentials against one deployment.

    `trust_list` names the Root TAOs the relying party accepts: a credential whose chain holds up
    to another root gets the verdict "root not trusted" (a failed `trusted root` check), never
    "valid" nor "invalid". Without a list, `require_trusted_root` (the CLI and the service set it)
    gives every root that verdict, as nobody said they trust it; a library caller that leaves it
    off takes any root this registry's governance onboarded, and the report names it.
    """

    def __init__(
        self,
        registry: Registry | None,
        trust_list: TrustList | None = None,
        *,
        unavailable: str | None = None,
        anchor_window_s: int = DEFAULT_ANCHOR_WINDOW_S,
        keep_issuers: bool = False,
        require_trusted_root: bool = False,
        schema_sources: Sequence[str] = (),
        accreditation_policy: str = DEFAULT_POLICY,
        no_list_hint: Callable[[str], str] | None = None,
        named_registry: Locator | None = None,
    ) -> None:
        if accreditation_policy not in POLICIES:
            raise InputError(
                f"the accreditation policy is one of {', '.join(POLICIES)}, not {accreditation_policy[:40]!r}"
            )
        self.accreditation_policy = accreditation_policy
        self.registry = registry
        # With `keep_issuers` (a command verifying many slices of files), issuers' DID documents and
        # accreditation chains are read once for all the calls of `verify_many` (`issuers.py`).
        self.issuers = IssuerCache() if keep_issuers else None
        self.trust_list = trust_list
        self.require_trusted_root = require_trusted_root
        # What a verifier without any trust list is told to do, given the root (None: the CLI's words).
        self.no_list_hint = no_list_hint
        # The registry the files named, read because the verifier has no deployment of its own (None:
        # its own): what needs no root there (an attestation) counts only where the trust list pins one.
        self.named_registry = named_registry
        self.unavailable = unavailable
        self.anchor_window_s = anchor_window_s
        # Trusted schemas registries (base URLs) a schema that is not ours is fetched from (schemas.py).
        self.schema_sources = tuple(schema_sources)

    # -- phase 2: the chain ----------------------------------------------------------------

    def _resolve_issuers(self, items: Sequence[Item]) -> dict[str, DidState]:
        assert self.registry is not None
        registry = self.registry
        dids = tuple(sorted({i.issuer for i in items if not i.fatal}))

        def resolve(wanted: Sequence[str]) -> dict[str, DidState]:
            calls = [c for did in wanted for c in registry.resolve_calls(did)]
            results = registry.client.call_many(calls)
            return {did: Registry.did_state(did, results[2 * n], results[2 * n + 1]) for n, did in enumerate(wanted)}

        if self.issuers is not None:
            self.issuers.refresh(registry)
            return self.issuers.read("states", dids, resolve)
        return registry.client.memo(("did-states", dids), lambda: resolve(dids))

    def _chains(self, dids: set[str]) -> dict[str, Any]:
        """The accreditation chains of these issuers (kept for the command with `keep_issuers`)."""
        assert self.registry is not None
        trust = Trust(self.registry, "")
        if self.issuers is not None:
            return self.issuers.read("chains", dids, trust.fetch)
        return trust.fetch(dids)

    def _read(self, reads: _Reads, at: int | None) -> tuple[int, list[Any], list[int], bool | None]:
        """Head time, anchor records and status words, in one JSON-RPC batch; for a current question
        (no `at`), whether the node reports it is syncing too (in the same round trip), else None."""
        assert self.registry is not None
        registry, client = self.registry, self.registry.client
        credentials = registry.credentials
        requests: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", ["latest", False])]
        if reads.anchor_pairs:
            requests.append(client.call_request(registry.anchors_call(reads.anchor_pairs)))
        if reads.status_keys:
            requests.append(client.call_request(registry.status_words_call(reads.status_keys)))
        if at is None:  # a current question: is the node itself current?
            requests.append(("eth_syncing", []))
        results = client.batch(requests)
        syncing = results.pop() is not False if at is None else None
        head_time = header_time(results[0], "latest", client.rpc_url)
        anchors = (
            Registry.anchor_records(reads.anchor_pairs, credentials.decode_output("anchorsOf", results[1]))
            if reads.anchor_pairs
            else []
        )
        words = (
            [int(w) for w in credentials.decode_output("statusWordsFor", results[-1])[0]] if reads.status_keys else []
        )
        if len(words) != len(reads.status_keys):
            raise BadAnswer("the node answered something that is not a valid eth_call result for statusWordsFor")
        return head_time, anchors, words, syncing

    def _time_asked(self, live: list[Item], at: int | None, head_time: int, syncing: bool | None) -> None:
        """The time rule (`trust.time_problem`) holds for "now" too: past the newest block, only a node
        that reports it is not syncing is answered (`syncing`, read in the head's batch for a current
        question); a time in the future never is."""
        assert self.registry is not None
        asked = int(time.time()) if at is None else at
        problem = time_problem(
            asked,
            head_time,
            self.registry.client.syncing if syncing is None else lambda: bool(syncing),
            current=at is None,
        )
        for item in live:
            if problem is not None:
                item.add(Code.TIME_ASKED, Outcome.UNKNOWN, f"could not check: {problem}")
            elif at is not None and at > head_time + CLOCK_SKEW_S:
                item.add(Code.TIME_ASKED, Outcome.PASS, idle_chain_note(head_time), newestBlock=iso(head_time))

    def _chain_phase(self, items: list[Item], at: int | None) -> None:
        assert self.registry is not None
        registry = self.registry
        live = [i for i in items if not i.fatal]
        states = self._resolve_issuers(live)
        lookups = Lookups(registry)
        for item in live:
            chain_checks.check_key(item, states[item.issuer], lookups)
        live = [i for i in live if not i.fatal]
        reads = _Reads(live, {i.issuer: states[i.issuer] for i in live})
        head_time, anchors, words, syncing = self._read(reads, at)
        for item in live:
            chain_checks.settle_key(item, head_time)
        self._time_asked(live, at, head_time, syncing)
        chains = self._chains({item.issuer for item in live})
        batch = Batch(registry, lookups, at, head_time, self.anchor_window_s, self.trust_list,
                      require_trusted_root=self.require_trusted_root, policy=self.accreditation_policy)  # fmt: skip
        if self.no_list_hint is not None:
            batch.no_list_hint = self.no_list_hint
        if self.named_registry is not None:
            batch.named_registry = f"chain {self.named_registry.chain_id}'s registry deployed in block " \
                                   f"{self.named_registry.block}"  # fmt: skip
        for item, pairs, word_ids in zip(live, reads.pairs, reads.words, strict=True):
            if item.fatal:  # a key its DID document lacks (settle_key)
                continue
            cohort = item.cohort
            # What decides the anchor check: a cohort's members share it (`check_anchor`).
            size = None if cohort is None else cohort.size
            key = (item.issuer, tuple(pairs), item.issued_at, item.signing_stated or item.signing_method, size)
            chain_checks.check_anchor(item, states[item.issuer], [anchors[p] for p in pairs], batch, key)
            chain_checks.check_key_at_anchor(item, batch.lookups)
            check_status(item, [words[w] for w in word_ids], at, batch.lookups)
        self._accreditations([item for item in live if item.anchor is not None], chains, batch)

    @staticmethod
    def _accreditations(anchored: list[Item], chains: dict[str, Any], batch: Batch) -> None:
        """The anchoring transactions (one log query for all), then each credential's accreditation;
        a cohort's members share their anchor's log and place."""
        registry = batch.registry
        logs = registry.anchor_logs([item.anchor for item in anchored if item.anchor]) if anchored else {}
        places: dict[tuple[str, str, bytes], Any] = {}
        for item in anchored:
            assert item.anchor is not None
            key = (item.issuer, item.anchor.account, item.anchor.value)
            log = logs[key[1:]]
            evidence = item.anchor_evidence  # the passed anchor row's: a cohort's members share it
            if evidence is not None:
                evidence["transaction"] = None if log is None else str(log["transactionHash"])
            chain = chains[item.issuer]
            if key not in places:
                places[key] = chain_checks.anchor_position(registry, item.anchor, log, chain)
            chain_checks.check_accreditation(item, chain, places[key], batch)

    # -- the batch -------------------------------------------------------------------------

    def verify_many(self, inputs: Sequence[tuple[str, str | bytes]], at: int | None = None) -> list[Report]:
        """Verify (source name, content) pairs; `at` (unix seconds) asks "was it valid then"."""
        with _gc_paused() if len(inputs) >= _GC_PAUSE_MIN_BATCH else nullcontext():
            return self._verify_many(inputs, at)

    def _chain_error(self, items: list[Item], at: int | None) -> str | None:
        if self.registry is None:
            return self.unavailable or "no chain connection configured"
        try:
            self._chain_phase(items, at)
        except (ChainUnavailable, TransactionReverted) as exc:
            return str(exc)
        return None

    @staticmethod
    def _unknown(item: Item, chain_error: str) -> None:
        """Every chain check a credential did not get, as "could not check"."""
        done = {row[0] for row in item.rows}
        statuses = dict.fromkeys(Code.status(s[2]) for s in item.statuses)
        for code in (*CHAIN_CHECKS_BEFORE_STATUS, *statuses, *CHAIN_CHECKS_AFTER_STATUS):
            if code not in done:
                item.add(code, Outcome.UNKNOWN, f"could not check: {chain_error}")

    def _verify_many(self, inputs: Sequence[tuple[str, str | bytes]], at: int | None) -> list[Report]:
        started = time.time()
        memo: ProofMemo = {}  # shared by the cohort proofs of this call only
        items = [Item(source) for source, _ in inputs]
        here = here_of(self.registry.deployment) if self.registry is not None else None
        for item, (_, content) in zip(items, inputs, strict=True):
            offline.check_format(item, content, memo, self.schema_sources)
            if self.registry is not None and item.format_ok:
                check_registry(item, here)
            offline.check_signing_time(item, started, CLOCK_SKEW_S)
        chain_error = self._chain_error(items, at)
        when = at if at is not None else int(started)
        for item in items:
            if not item.format_ok:
                continue
            if chain_error is not None and not item.fatal:
                self._unknown(item, chain_error)
            offline.check_validity(item, when, CLOCK_SKEW_S if at is None else 0)
        checked_at = iso(when)
        reports = []
        for item in items:
            verdict, summary = verdict_of(item.rows)
            reports.append(Report(item.source, verdict, summary, None, item.info, checked_at, rows=item.rows,
                                  accreditation_policy=self.accreditation_policy))  # fmt: skip
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
        return presentation.verify_passport(self.verify_many, source, content, at, audience, nonce)
