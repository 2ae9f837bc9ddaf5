"""The credential registry (`contracts/interfaces/ICredentialRegistry.sol`) in Python: anchors,
status words and status-list publications; calls, decoded answers and events, and the effect
check the journal is given for this contract's writes.

The bit layout is `registry.contracts.statusword`'s; nothing here repeats it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from registry.chain.client import BadAnswer, Call, chain_time
from registry.contracts import statusword as sw
from registry.contracts.base import Binding, address_topic, bytes32_topic, uint_topic

if TYPE_CHECKING:
    from registry.chain.client import ChainClient

# The journal intent of a status-list publication: its credential is signed when it is sent.
PUBLISH = "publish-status-list"
# A status change the contract refuses because entries are already in the state asked for: done
# only when every entry it names is (another process may have changed some of them, not all).
STATUS_ALREADY = frozenset({"StatusAlreadySet", "StatusNotSet"})

# A topic lists at most this many alternatives (nodes bound them; past it, the query names the accounts only).
MAX_TOPIC_VALUES = 1_000


@dataclass(frozen=True)
class AnchorRecord:
    account: str
    value: bytes
    timestamp: int
    block: int
    count: int

    @property
    def exists(self) -> bool:
        return self.block != 0


@dataclass(frozen=True)
class StatusEvent:
    block: int
    tx_hash: str
    word: int
    mask: int
    set: bool
    reason: int
    previous_change: int
    log_index: int = -1  # its place in its block; -1 when unknown


def _hex_or_unknown(value: Any) -> int:
    """A log's hex position, or -1 when the node gave none (or garbage): the order is then unknown."""
    try:
        return int(value, 16) if isinstance(value, str) else -1
    except ValueError:
        return -1


class CredentialRegistry(Binding):
    NAME: ClassVar[str] = "CredentialRegistry"
    ALREADY_DONE: ClassVar[frozenset[str]] = frozenset({"AlreadyAnchored"})

    # -- writes -------------------------------------------------------------------------------

    def anchor(self, value: bytes) -> Call:
        return self.call("anchor", value)

    def anchor_cohort(self, root: bytes, count: int) -> Call:
        return self.call("anchorCohort", root, count)

    def set_status(self, purpose: sw.Purpose | int, number: int, index: int, reason: int) -> Call:
        """One entry set (revoked or suspended)."""
        return self.call("setStatus", sw.entry_id(sw.list_id(purpose, number), index), reason)

    def update_status(
        self,
        purpose: sw.Purpose | int,
        number: int,
        words: Sequence[int],
        masks: Sequence[int],
        set_: bool,
        reason: int,
    ) -> Call:
        return self.call("updateStatus", int(purpose), number, list(words), list(masks), set_, reason)

    def update_entries(
        self, purpose: sw.Purpose | int, number: int, indexes: Sequence[int], set_: bool, reason: int
    ) -> Call:
        """Entries of one list set or cleared, grouped into words."""
        words, masks = sw.masks_for(indexes)
        return self.update_status(purpose, number, words, masks, set_, reason)

    def publish_status_list(self, list_id: int, credential: str | None = None) -> Call:
        """A publication; without `credential`, the journal's intent (signed when it is sent)."""
        return (
            self.call("publishStatusList", list_id)
            if credential is None
            else self.call("publishStatusList", list_id, credential)
        )

    # -- reads --------------------------------------------------------------------------------

    def anchor_of(self, account: str, value: bytes) -> Call:
        return self.call("anchorOf", account, value)

    def anchors_of(self, pairs: Sequence[tuple[str, bytes]]) -> Call:
        return self.call("anchorsOf", [a for a, _ in pairs], [v for _, v in pairs])

    @staticmethod
    def anchor_records(pairs: Sequence[tuple[str, bytes]], result: tuple[Any, ...]) -> list[AnchorRecord]:
        if len(result[0]) != len(pairs):
            raise BadAnswer("the node answered something that is not a valid eth_call result for anchorsOf")
        return [
            AnchorRecord(account, value, chain_time(int(r[0]), "eth_call", "anchor time"), int(r[1]), int(r[2]))
            for (account, value), r in zip(pairs, result[0], strict=True)
        ]

    def status_words_for(self, entries: Sequence[tuple[str, sw.Purpose | int, int, int]]) -> Call:
        """The words holding (account, purpose, list, entry index) each, in one call."""
        return self.call(
            "statusWordsFor",
            [e[0] for e in entries],
            [int(e[1]) for e in entries],
            [e[2] for e in entries],
            [e[3] for e in entries],
        )

    def words_of(self, account: str, purpose: int, number: int, words: Sequence[int]) -> Call:
        """The values of words `words` of one list (each named by its first entry)."""
        return self.status_words_for([(account, purpose, number, sw.first_entry(w)) for w in words])

    def status_words(self, account: str, purpose: sw.Purpose | int, number: int) -> Call:
        """Every word of one list."""
        return self.call("statusWords", account, int(purpose), number, 0, sw.WORDS_PER_LIST)

    def status_list_publication(self, account: str, list_id: int) -> Call:
        return self.call("statusListPublication", account, list_id)

    # -- events -------------------------------------------------------------------------------

    def anchored_topics(self, account: str | None, value: bytes) -> list[str | None]:
        return [self.topic("Anchored"), None if account is None else address_topic(account), bytes32_topic(value)]

    def anchored_by_topics(self, accounts: Sequence[str], values: Sequence[bytes] = ()) -> list[Any]:
        """The `Anchored` logs of any of `accounts` (a topic that lists alternatives matches any); of
        these `values` only, when given and at most MAX_TOPIC_VALUES (the node then returns the anchors
        asked about, not every anchor the accounts made in the blocks between them)."""
        topics: list[Any] = [self.topic("Anchored"), sorted({address_topic(a) for a in accounts})]
        if 0 < len(values) <= MAX_TOPIC_VALUES:
            topics.append(sorted({bytes32_topic(v) for v in values}))
        return topics

    @staticmethod
    def anchored_key(log: dict[str, Any]) -> tuple[str, str]:
        """(account, value) of an `Anchored` log, as lower-case hex without 0x, from its topics."""
        topics = log["topics"]
        if len(topics) < 3:
            raise BadAnswer("the node answered something that is not a valid eth_getLogs result for Anchored")
        return topics[1][-40:].lower(), topics[2][2:].lower()

    def status_changed_topics(
        self, account: str, purpose: sw.Purpose | int, number: int, word: int
    ) -> list[str | None]:
        return [
            self.topic("StatusWordChanged"),
            address_topic(account),
            uint_topic(sw.word_id(sw.list_id(purpose, number), word)),
        ]

    def status_event(self, log: dict[str, Any], block: int, word: int) -> StatusEvent:
        """One `StatusWordChanged` log, its packed fields unpacked."""
        values = self.decode_event("StatusWordChanged", log)
        mask, previous, set_, reason = sw.unpack_change(int(values["change"]), int(values["flags"]))
        return StatusEvent(
            block=block,
            tx_hash=str(log["transactionHash"]),
            word=word,
            mask=mask,
            set=set_,
            reason=reason,
            previous_change=previous,
            log_index=_hex_or_unknown(log.get("logIndex")),
        )

    def published_topics(self, account: str, list_id: int) -> list[str | None]:
        return [self.topic("StatusListPublished"), address_topic(account), uint_topic(list_id)]

    def published_credential(self, log: dict[str, Any]) -> str:
        return str(self.decode_event("StatusListPublished", log)["credential"])

    # -- what a journaled write changes ---------------------------------------------------------

    @staticmethod
    def list_changed(call: Call) -> int | None:
        """The status list a status change writes to (None for any other call)."""
        if call.function == "setStatus":
            return sw.split_entry(int(call.args[0]))[0]
        if call.function == "updateStatus":
            return sw.list_id(int(call.args[0]), int(call.args[1]))
        return None

    @staticmethod
    def list_published(call: Call) -> int | None:
        """The status list a publication publishes (None for any other call)."""
        return int(call.args[0]) if call.function == "publishStatusList" else None


class CredentialEffects:
    """Whether a credential-registry write is already on-chain, read from contract state."""

    def __init__(self, client: ChainClient) -> None:
        self.client = client

    def done(self, sender: str, call: Call) -> bool | None:
        """True/False from contract state where we know how to read it; None when we cannot tell."""
        binding = CredentialRegistry(call.address)
        if call.function in ("anchor", "anchorCohort"):
            record = self.client.call(binding.anchor_of(sender, call.args[0]))[0]
            return int(record[1]) != 0
        if call.function == "setStatus":
            lid, index = sw.split_entry(int(call.args[0]))
            purpose, number = sw.split_list_id_raw(lid)
            word = self.client.call(binding.status_words_for([(sender, purpose, number, index)]))[0][0]
            return sw.bit_of(int(word), index)
        if call.function == "updateStatus":
            purpose, number, words, masks, set_, _ = call.args
            current = self.client.call(binding.words_of(sender, purpose, number, words))[0]
            return all(sw.in_state(int(v), m, set_) for v, m in zip(current, masks, strict=True))
        if call.function == "publishStatusList":
            # Done when the latest publication is later than the list's last change (it is current).
            lid = int(call.args[0])
            purpose, number = sw.split_list_id_raw(lid)
            published, words = self.client.call_many(
                [binding.status_list_publication(sender, lid), binding.status_words(sender, purpose, number)]
            )
            last_change = max((sw.last_change_block(int(w)) for w in words[0]), default=0)
            return int(published[0]) != 0 and int(published[0]) > last_change
        return None

    def refused_as_done(self, sender: str, call: Call, error: str | None) -> bool:
        """Whether a resubmission refused with contract error `error` means the write is done."""
        if error in CredentialRegistry.ALREADY_DONE:
            return True
        return error in STATUS_ALREADY and bool(self.done(sender, call))

    def still_to_change(self, sender: str, call: Call) -> Call:
        """An `updateStatus` narrowed to the entries not yet in the state it asks for (another
        process may have changed some of them since it was journaled: the contract refuses a change
        that names an entry already so, and what is left must still be sent); any other call as is."""
        if call.function != "updateStatus":
            return call
        purpose, number, words, masks, set_, reason = call.args
        current = self.client.call(CredentialRegistry(call.address).words_of(sender, purpose, number, words))[0]
        left = [(w, sw.still_to_change(int(v), m, set_)) for w, m, v in zip(words, masks, current, strict=True)]
        left = [(w, m) for w, m in left if m]
        return Call(
            call.address, call.contract, call.function,
            (purpose, number, [w for w, _ in left], [m for _, m in left], set_, reason),
        )  # fmt: skip
