"""The chain reads a batch makes only when a credential needs them, each once per batch.

Key and controller windows are in seconds, and several blocks can share the second a key was
retired in: what landed in that second before the retirement was still done under the key. These
reads settle such ties (the DID document just before a block, the retirement's own event, an
anchor's place in its block), and fetch block times and status-word histories. One `Lookups`
lives for one `verify_many` call, so a cohort's members share every answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from registry.chain.client import header_time
from registry.errors import ChainUnavailable
from registry.ops.history import HISTORY_BUDGET, History, WordWalk
from registry.ops.registry import (
    AnchorRecord,
    DidState,
    Purpose,
    Registry,
    Rel,
    StatusEvent,
    VerificationMethod,
    did_hash,
)
from registry.ops.verify.item import iso, iso_or_none
from registry.ops.verify.report import Code, Outcome, Row

# How many blocks after a change to search for the retirement of a key in the same second.
_SAME_SECOND_BLOCKS = 1000
_NOT_LOGS = "the node answered something that is not a valid eth_getLogs result"


def _not_logs() -> NoReturn:
    raise ChainUnavailable(_NOT_LOGS)


def _log_position(log: Any) -> tuple[int, int]:
    """(block number, log index) of a log as the node gave it; a malformed one is the node's fault."""
    try:
        return int(log["blockNumber"], 16), int(log["logIndex"], 16)
    except (KeyError, TypeError, ValueError) as exc:
        raise ChainUnavailable(_NOT_LOGS) from exc


# (the key or why there is none, the "issuer DID" row, and if it is a key, its "signature" and
# "signing key" rows).
KeyRows = tuple[VerificationMethod | str, Row, Row | None, Row | None]


def _key_rows(state: DidState, fragment: str, alg: str, method: VerificationMethod | str) -> KeyRows:
    issuer = state.did
    registered: Row = (
        Code.ISSUER_DID, Outcome.PASS, f"{issuer} is registered",
        {"registered": iso(state.registered_at), "registeredBlock": state.registered_block},
    )  # fmt: skip
    if isinstance(method, str):
        return method, registered, None, None
    signed: Row = (Code.SIGNATURE, Outcome.PASS, f"signed by {issuer}#{fragment[:12]}…", {"alg": alg})
    valid: Row = (
        Code.SIGNING_KEY, Outcome.PASS, "the key was valid in the issuer's DID document when it signed",
        {"notBefore": iso(method.not_before), "notAfter": iso_or_none(method.not_after)},
    )  # fmt: skip
    return method, registered, signed, valid


class Lookups:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._walks: dict[tuple[Any, ...], WordWalk] = {}
        self._block_times: dict[int, int] = {}
        self._retirements: dict[tuple[str, int, int, int], tuple[int, int] | bool | None] = {}
        self._anchor_logs: dict[tuple[str, bytes], int | None] = {}
        self._controllers: dict[tuple[str, str], VerificationMethod | None] = {}
        self._methods: dict[tuple[str, str], VerificationMethod | str] = {}
        self._key_rows: dict[tuple[str, str, str], KeyRows] = {}

    # -- what depends only on the issuer's document: worked out once per batch ----------------

    def controller(self, state: DidState, account: str) -> VerificationMethod | None:
        """`state.controller(account)`, once per (DID, account) in a batch."""
        key = (state.did, account)
        if key not in self._controllers:
            self._controllers[key] = state.controller(account)
        return self._controllers[key]

    def assertion_method(self, state: DidState, fragment: str) -> VerificationMethod | str:
        """The assertionMethod key with this thumbprint, or why there is none (once per key in a batch)."""
        key = (state.did, fragment)
        if key not in self._methods:
            method = state.method_by_thumbprint(fragment)
            if method is None:
                self._methods[key] = f"the issuer's DID document has no key #{fragment}"
            elif not method.has(Rel.ASSERTION_METHOD):
                self._methods[key] = "the signing key is not an assertionMethod of the issuer"
            else:
                self._methods[key] = method
        return self._methods[key]

    def key_rows(self, state: DidState, fragment: str, alg: str) -> KeyRows:
        """The assertion key with this thumbprint (or why there is none) and the rows a credential
        it signed gets when its key and signature hold: "issuer DID", "signature", "signing key";
        written once per key in a batch, shared by its credentials (`Row`s are not changed in place)."""
        key = (state.did, fragment, alg)
        found = self._key_rows.get(key)
        if found is None:
            found = self._key_rows[key] = _key_rows(state, fragment, alg, self.assertion_method(state, fragment))
        return found

    # -- chain reads ----------------------------------------------------------------------------

    def word_history(
        self,
        account: str,
        purpose: Purpose,
        number: int,
        word: int,
        last: int,
        enough: Callable[[list[StatusEvent]], bool],
    ) -> History:
        """One status word's newest changes until `enough` (`registry.ops.history`): one walk per word
        in a batch, resumed where it stopped for the next entry of the word, within one budget."""
        key = (account, purpose, number, word, last)
        if key not in self._walks:
            self._walks[key] = self.registry.word_walk(account, purpose, number, word, last, budget=HISTORY_BUDGET)
        return self._walks[key].run(enough)

    def in_window(self, did: str, controller: VerificationMethod, event: StatusEvent, time_: int) -> bool | None:
        """Did `controller`'s account control `did` when `event` landed? By block time, and in the
        second its control ended by the order of the blocks (None: that order could not be read)."""
        start, end = controller.not_before, controller.not_after
        if time_ != end:
            return start <= time_ < end
        return self.ended_after(did, controller, event.block, lambda: event.log_index)

    def anchored_under(self, did: str, method: VerificationMethod, record: AnchorRecord) -> bool | None:
        """Was `method` valid in `did`'s document when `record` was anchored (None: unknown)?"""
        if record.timestamp != method.not_after:
            return method.valid_at(record.timestamp)
        return self.ended_after(did, method, record.block, lambda: self.anchor_log_index(record))

    def ended_after(
        self, did: str, method: VerificationMethod, block: int, log_index: Callable[[], int | None]
    ) -> bool | None:
        """Was `method`'s end set by a transaction after (`block`, the log at `log_index()`)?

        The DID document just before `block` says whether the end was already set; if not, the
        retirement's own event says where it landed. True: later, so the key was still valid
        there; False: earlier (or ahead of time); None: the same block and the order inside it
        could not be read, or the node has no record of the retirement."""
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
        client = self.registry.client
        (_, methods) = client.call_many(self.registry.resolve_calls(did), max(block - 1, 0))
        if method.index < len(methods[0]) and int(methods[0][method.index][5]) == method.not_after:
            return False
        dids = self.registry.dids
        topics = dids.expiry_set_topics(did_hash(did), method.index)
        # On chains whose block times strictly increase, a retirement "now" in that second is in that
        # very block; anvil may mine many blocks in one second: look a little further.
        last = max(block, min(block + _SAME_SECOND_BLOCKS, client.block_number()))
        logs = client.request(*client.logs_request(self.registry.did_address, topics, block, last))
        if not isinstance(logs, list):
            _not_logs()
        for log in logs:
            if dids.expiry_not_after(log) == method.not_after:
                return _log_position(log)
        return None

    def anchor_log_index(self, record: AnchorRecord) -> int | None:
        """The anchor's place in its block (its Anchored log); None when the node shows no log."""
        key = (record.account, record.value)
        if key not in self._anchor_logs:
            client = self.registry.client
            topics = self.registry.credentials.anchored_topics(record.account, record.value)
            request = client.logs_request(self.registry.credential_address, topics, record.block, record.block)
            logs = client.request(*request)
            if not isinstance(logs, list):
                _not_logs()
            self._anchor_logs[key] = _log_position(logs[0])[1] if logs else None
        return self._anchor_logs[key]

    def event_times(self, events: Sequence[StatusEvent]) -> dict[int, int]:
        blocks = sorted({e.block for e in events} - set(self._block_times))
        if blocks:
            client = self.registry.client
            headers = client.batch([("eth_getBlockByNumber", [hex(b), False]) for b in blocks])
            self._block_times.update(
                {b: header_time(h, b, client.rpc_url) for b, h in zip(blocks, headers, strict=True)}
            )
        return {e.block: self._block_times[e.block] for e in events}
