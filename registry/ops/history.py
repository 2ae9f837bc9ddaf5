"""A status word's history, read newest first, at a cost that does not grow with it.

Each `StatusWordChanged` event names the block of the word's change before it, so the history is
a chain the reader follows back from the block the word stores. Followed one block at a time, a
word changed K times costs K log queries, and a verifier needs only the newest changes: the one
that set the entry it asks about, or the newest one before the time it asks about. So the walk
stops as soon as the caller has what it needs (`enough`), follows the chain one block at a time
for the first few steps only (most words change a handful of times), then reads the rest in
windows: topic-filtered `eth_getLogs` over block ranges within a node's log-range limit
(`REGISTRY_LOG_WINDOW`, default 5,000 blocks, Besu's default limit), several in one JSON-RPC batch.
A walk costs at most `HISTORY_BUDGET` requests; past that it stops and says so (`History.cut`),
and the caller keeps the verdict the word itself gives (now) or answers "could not determine" (a
question about the past), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from registry.chain.client import BadAnswer, ChainClient
from registry.config import DEFAULT_LOG_WINDOW
from registry.contracts.credentials import CredentialRegistry, StatusEvent

# The JSON-RPC requests (batch elements counted one by one) one word's history may cost.
HISTORY_BUDGET = 14
# One-block steps before the walk switches to windows (a word changed this often or less costs
# exactly one query per change, the cheapest way to read it).
SINGLE_STEPS = 3
# Windows sent in one batch.
WINDOWS_PER_BATCH = 8


@dataclass(frozen=True)
class History:
    """What a walk read: changes newest first; `complete` when it reached the word's first change,
    `cut` when the budget ran out before the caller had enough."""

    events: list[StatusEvent]
    complete: bool
    cut: bool


def windows(top: int, floor: int, window: int, count: int) -> list[tuple[int, int]]:
    """Up to `count` block ranges of `window` blocks, newest first, from `top` down to `floor`."""
    ranges: list[tuple[int, int]] = []
    high = top
    while high >= floor and len(ranges) < count:
        low = max(floor, high - window + 1)
        ranges.append((low, high))
        high = low - 1
    return ranges


class WordWalk:
    """One word's changes, read back from `last` (the block the word stores). A walk resumes where
    it stopped when asked for more (`run` again, with another `enough`), within one budget."""

    def __init__(
        self,
        client: ChainClient,
        binding: CredentialRegistry,
        topics: list[str | None],
        word: int,
        last: int,
        *,
        window: int = DEFAULT_LOG_WINDOW,
        floor: int = 0,
        budget: int | None = HISTORY_BUDGET,
    ) -> None:
        self.client = client
        self.binding = binding
        self.topics = topics
        self.word = word
        self.window = window
        self.floor = floor
        self.budget = budget
        self.events: list[StatusEvent] = []
        self.spent = 0
        self.block = last  # the next block to read; 0 once the first change was read
        self.pruned = False  # the node does not show a change the chain names

    def _left(self) -> int:
        return 1 << 30 if self.budget is None else self.budget - self.spent

    def _take(self, logs: Sequence[dict[str, Any]]) -> None:
        """Add the changes of block `self.block` (newest first), and step to the change before them."""
        block = self.block
        self.events.extend(self.binding.status_event(log, block, self.word) for log in reversed(logs))
        previous = self.events[-1].previous_change
        if previous >= block:
            # The chain points back to earlier blocks only: anything else would loop (or walk a
            # lie) until the deadline, where the node's answer is what is wrong.
            raise BadAnswer(
                "the node answered something that is not a valid eth_getLogs result for StatusWordChanged "
                f"(a change in block {block} names block {previous} as the one before it)"
            )
        self.block = previous

    def _logs(self, low: int, high: int) -> tuple[str, list[Any]]:
        return self.client.logs_request(self.binding.address, self.topics, low, high)

    def _history(self, cut: bool = False) -> History:
        return History(self.events, self.block == 0, cut)

    def run(self, enough: Callable[[list[StatusEvent]], bool]) -> History:
        """Read on until `enough(events)`, the word's first change, a pruned node, or the budget."""
        while self.block and not self.pruned and not enough(self.events):
            if self._left() <= 0:
                return self._history(cut=True)
            if self.spent < SINGLE_STEPS:
                self.spent += 1
                logs = self.client.request(*self._logs(self.block, self.block))
                if not logs:  # a node without the older logs (pruned): the walk stops early
                    self.pruned = True
                else:
                    self._take(logs)
            else:
                self._windows(enough)
        return self._history()

    def _windows(self, enough: Callable[[list[StatusEvent]], bool]) -> None:
        """One batch of windows below `self.block`, followed through as far as it reaches."""
        if self.block < self.floor:
            self.pruned = True
            return
        ranges = windows(self.block, self.floor, self.window, min(WINDOWS_PER_BATCH, self._left()))
        self.spent += len(ranges)
        by_block: dict[int, list[dict[str, Any]]] = {}
        for logs in self.client.batch([self._logs(low, high) for low, high in ranges]):
            for log in logs:
                by_block.setdefault(int(log["blockNumber"], 16), []).append(log)
        lowest = ranges[-1][0]
        while self.block >= lowest and self.block and not enough(self.events):
            found = sorted(by_block.get(self.block, ()), key=lambda log: int(log["logIndex"], 16))
            if not found:  # the chain names a change the node does not show: pruned
                self.pruned = True
                return
            self._take(found)


# Windows of a search for a value's first anchoring sent in one batch.
SEARCH_WINDOWS_PER_BATCH = 16


def earliest_anchoring(
    client: ChainClient, binding: CredentialRegistry, value: bytes, floor: int, window: int
) -> dict[str, Any] | None:
    """The first `Anchored` log of `value`, by any account, or None: the blocks from `floor` (the
    deployment) to the head, oldest first, in windows of `window` blocks (a node refuses wider
    ranges), a batch of windows per round trip, until one holds a log."""
    topics = binding.anchored_topics(None, value)
    head = client.block_number()
    low = floor
    while low <= head:
        ranges: list[tuple[int, int]] = []
        while low <= head and len(ranges) < SEARCH_WINDOWS_PER_BATCH:
            ranges.append((low, min(head, low + window - 1)))
            low = ranges[-1][1] + 1
        for logs in client.batch([client.logs_request(binding.address, topics, a, b) for a, b in ranges]):
            if logs:
                return dict(min(logs, key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16))))
    return None


def everything(events: list[StatusEvent]) -> bool:
    """The `enough` of a caller that wants the whole history."""
    del events
    return False
