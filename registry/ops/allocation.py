"""Status-list index allocation, kept by the issuer.

Indexes are random, not sequential, so a credential's position tells nothing about when it was
issued or who was issued next to it. They are random *within a region* of the list, though:
a cohort gets its own run of 224-entry words and a random subset of positions in it, and single
credentials draw from a shared pool of words. Revoking a whole cohort then touches a handful of
storage words (≈ N/224) instead of one fresh word per credential, which is what keeps bulk
revocation near 100 gas per credential.

The state is a small JSON file per identity, written atomically after each allocation.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from registry.chain.deployment import write_json_atomic
from registry.errors import InputError
from registry.ops.registry import BITS_PER_WORD, WORDS_PER_LIST

POOL_WORDS = 16  # a pool of 3,584 entries for credentials issued one by one


class StatusAllocator:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.state: dict[str, Any] = {"list": 1, "nextWord": 0, "pool": None}
        if path.exists():
            try:
                self.state = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise InputError(f"status allocation file {path} is unreadable") from exc

    def _save(self) -> None:
        write_json_atomic(self.path, self.state, mode=0o600)

    def _take_words(self, count: int) -> tuple[int, int]:
        """Reserve `count` fresh words; moves to the next list when this one is full."""
        if count > WORDS_PER_LIST:
            raise InputError(f"a cohort of more than {WORDS_PER_LIST * BITS_PER_WORD} credentials must be split")
        if self.state["nextWord"] + count > WORDS_PER_LIST:
            self.state["list"] += 1
            self.state["nextWord"] = 0
            self.state["pool"] = None
        start = int(self.state["nextWord"])
        self.state["nextWord"] = start + count
        return int(self.state["list"]), start

    def allocate_cohort(self, size: int) -> tuple[int, list[int]]:
        """(list number, one random distinct index per credential) for a cohort."""
        if size < 1:
            raise InputError("a cohort needs at least one credential")
        words = -(-size // BITS_PER_WORD)
        number, start = self._take_words(words)
        region = list(range(start * BITS_PER_WORD, (start + words) * BITS_PER_WORD))
        rng = secrets.SystemRandom()
        indexes = rng.sample(region, size)
        self._save()
        return number, indexes

    def allocate_single(self) -> tuple[int, int]:
        """(list number, a random unused index in the pool for single credentials)."""
        pool = self.state.get("pool")
        capacity = POOL_WORDS * BITS_PER_WORD
        if pool is None or len(pool["used"]) >= capacity or pool["list"] != self.state["list"]:
            number, start = self._take_words(POOL_WORDS)
            pool = {"list": number, "start": start * BITS_PER_WORD, "used": []}
            self.state["pool"] = pool
        used = set(pool["used"])
        rng = secrets.SystemRandom()
        while True:
            index = pool["start"] + rng.randrange(capacity)
            if index not in used:
                break
        pool["used"].append(index)
        self._save()
        return int(pool["list"]), index
