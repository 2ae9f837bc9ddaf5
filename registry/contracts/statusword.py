"""The credential registry's status-list layout, in Python, in one place.

The same layout as `contracts/libraries/StatusWord.sol` (whose NatSpec is the reference): a list
holds 131,072 entries in 586 storage words; a word keeps 224 entries in bits 0..223 and the block
of its last change in bits 224..255. Ids pack into one number: `listId = purpose << 32 | list`,
`entry = listId << 32 | index`, `wordId = listId << 32 | word`. A `StatusWordChanged` event packs
the changed entries and the word's previous change into `change`, and the reason and direction
into `flags`.

Everything that reads or writes status bits (the credential registry binding, issuance, the
journal's effect check, status-list credentials, allocation, the verifier) imports it from here,
so a change of the on-chain format is a change of this file and of the Solidity library only.
Pure: no chain, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from registry.errors import InputError

LIST_SIZE = 131_072
BITS_PER_WORD = 224
WORDS_PER_LIST = (LIST_SIZE + BITS_PER_WORD - 1) // BITS_PER_WORD
STATUS_MASK = (1 << BITS_PER_WORD) - 1  # the entry bits of a word (the rest: its last change)
_SET_FLAG = 0x100  # `flags` bit 8: the entries were set (revoked or suspended)
_REASON_BITS = 0xFF  # `flags` bits 0..7: the reason code
_U32 = 0xFFFFFFFF


class Purpose(IntEnum):
    """The contract's `Purpose` enum: which of an account's two list families."""

    REVOCATION = 0
    SUSPENSION = 1

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Purpose:
        try:
            return cls[text.upper()]
        except KeyError as exc:
            raise InputError(f"status purpose must be revocation or suspension, not {text!r}") from exc


def list_id(purpose: Purpose | int, number: int) -> int:
    """`purpose << 32 | list`."""
    return (int(purpose) << 32) | number


def split_list_id(value: int) -> tuple[Purpose, int]:
    """(purpose, list number) of a list id; out of range is an InputError."""
    if value >> 33:
        raise InputError(f"status list id {value} is out of range")
    return Purpose(value >> 32), value & _U32


def split_list_id_raw(value: int) -> tuple[int, int]:
    """(purpose, list number) of a list id, unchecked (for ids the contract accepted)."""
    return value >> 32, value & _U32


def entry_id(list_id_: int, index: int) -> int:
    """`listId << 32 | index`: what `setStatus` takes."""
    return (list_id_ << 32) | index


def split_entry(entry: int) -> tuple[int, int]:
    """(list id, index) of an entry id, unchecked."""
    return entry >> 32, entry & _U32


def word_id(list_id_: int, word: int) -> int:
    """`listId << 32 | word`: the indexed topic of `StatusWordChanged`."""
    return (list_id_ << 32) | word


def word_of(index: int) -> int:
    """The word holding entry `index`."""
    return index // BITS_PER_WORD


def first_entry(word: int) -> int:
    """The first entry of word `word` (any entry of a word names the word in `statusWordsFor`)."""
    return word * BITS_PER_WORD


def bit_of(word_value: int, index: int) -> bool:
    """Entry `index`'s bit in the value of its word."""
    return bool((word_value >> (index % BITS_PER_WORD)) & 1)


def entries(word_value: int) -> int:
    """The entry bits of a word's value (without its last-change block)."""
    return word_value & STATUS_MASK


def last_change_block(word_value: int) -> int:
    """The block of the word's last change (0: never changed)."""
    return word_value >> BITS_PER_WORD


def masks_for(indexes: Sequence[int]) -> tuple[list[int], list[int]]:
    """Group entry indexes into (strictly increasing word indexes, bit masks)."""
    by_word: dict[int, int] = {}
    for index in indexes:
        if not 0 <= index < LIST_SIZE:
            raise InputError(f"status index {index} is outside 0..{LIST_SIZE - 1}")
        word, bit = divmod(index, BITS_PER_WORD)
        by_word[word] = by_word.get(word, 0) | (1 << bit)
    words = sorted(by_word)
    return words, [by_word[w] for w in words]


def unpack_change(change: int, flags: int) -> tuple[int, int, bool, int]:
    """A `StatusWordChanged` event's packed fields: (mask of entries changed, block of the word's
    previous change, whether the entries were set, reason code)."""
    return change & STATUS_MASK, change >> BITS_PER_WORD, bool(flags & _SET_FLAG), flags & _REASON_BITS


def in_state(word_value: int, mask: int, set_: bool) -> bool:
    """Whether every entry of `mask` is already set (`set_`) or clear in `word_value`."""
    return (word_value & mask) == mask if set_ else (word_value & mask) == 0


def still_to_change(word_value: int, mask: int, set_: bool) -> int:
    """The entries of `mask` not yet in the state asked for."""
    return (mask & ~word_value) if set_ else (mask & word_value)
