// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";

/// @title StatusWord
/// @notice The bit layout of the credential registry's status lists in one place, as
/// OpenZeppelin's `BitMaps` keeps its own: the storage word, the ids that pack a list, a word or
/// an entry into one number, and the packed fields of {ICredentialRegistry-StatusWordChanged}.
/// `registry/` reads the same layout; a change here is a change of the on-chain format.
///
/// A list holds 131,072 entries (StatusList2021's minimum) in 586 words of 256 bits:
///
///     bits 255..224  the block of the word's last change, as uint32 (0: never changed)
///     bits 223..0    entry `word * 224 + i` is bit i (1: revoked, or suspended)
///
/// Ids:
///
///     listId = purpose << 32 | list      purpose 0 revocation, 1 suspension; list a uint32
///     entry  = listId << 32 | index      index < 131,072 ({ICredentialRegistry-setStatus})
///     wordId = listId << 32 | word       word < 586 (the event's indexed topic)
///
/// Every function is internal and pure: the compiler inlines them, so the library costs no gas
/// over writing the arithmetic out in place.
library StatusWord {
    /// @dev Entries per list.
    uint256 internal constant LIST_SIZE = 131_072;
    /// @dev Entries per storage word; the remaining 32 bits hold the block of the last change.
    uint256 internal constant BITS_PER_WORD = 224;
    /// @dev Words per list (the last one partly used).
    uint256 internal constant WORDS_PER_LIST = (LIST_SIZE + BITS_PER_WORD - 1) / BITS_PER_WORD;
    /// @dev The entry bits of a word.
    uint256 internal constant ENTRY_MASK = (uint256(1) << BITS_PER_WORD) - 1;

    /// @dev `purpose << 32 | list`.
    function listId(ICredentialRegistry.Purpose purpose, uint32 list) internal pure returns (uint256) {
        return (uint256(purpose) << 32) | list;
    }

    /// @dev Whether `id` can be a list id: a uint32 list number under purpose 0 or 1.
    function isListId(uint256 id) internal pure returns (bool) {
        return id >> 33 == 0;
    }

    /// @dev The list id and index packed in an entry (`listId << 32 | index`), unchecked.
    function splitEntry(uint256 entry) internal pure returns (uint256 id, uint256 index) {
        return (entry >> 32, entry & 0xFFFFFFFF);
    }

    /// @dev `listId << 32 | word`: the indexed topic of {ICredentialRegistry-StatusWordChanged}.
    function wordId(uint256 id, uint256 word) internal pure returns (uint256) {
        return (id << 32) | word;
    }

    /// @dev The word holding entry `index`.
    function wordOf(uint256 index) internal pure returns (uint256) {
        return index / BITS_PER_WORD;
    }

    /// @dev The word holding entry `index`, and the mask of its bit there.
    function locate(uint256 index) internal pure returns (uint256 word, uint256 mask) {
        return (index / BITS_PER_WORD, uint256(1) << (index % BITS_PER_WORD));
    }

    /// @dev Whether `mask` names no entry, or a bit that is not an entry's (the block field).
    function isBadMask(uint256 mask) internal pure returns (bool) {
        return mask == 0 || mask > ENTRY_MASK;
    }

    /// @dev The entries of `mask` that are set in `value`.
    function setIn(uint256 value, uint256 mask) internal pure returns (uint256) {
        return value & mask;
    }

    /// @dev The entries of `mask` that are clear in `value`.
    function clearIn(uint256 value, uint256 mask) internal pure returns (uint256) {
        return ~value & mask;
    }

    /// @dev The block of the word's last change (0: never changed).
    function lastChange(uint256 value) internal pure returns (uint256) {
        return value >> BITS_PER_WORD;
    }

    /// @dev `value` with every entry of `mask` flipped and `blockNumber` (truncated to 32 bits)
    /// as its last change. `mask` is within ENTRY_MASK, so the block field is rewritten whole.
    function flip(uint256 value, uint256 mask, uint256 blockNumber) internal pure returns (uint256) {
        return ((value ^ mask) & ENTRY_MASK) | (uint256(uint32(blockNumber)) << BITS_PER_WORD);
    }

    /// @dev The event's `change`: the entries changed in bits 0..223, the block of the word's
    /// previous change in bits 224..255.
    function packChange(uint256 mask, uint256 previousBlock) internal pure returns (uint256) {
        return mask | (previousBlock << BITS_PER_WORD);
    }

    /// @dev The event's `flags`: the reason code in bits 0..7, in bit 8 whether the entries were
    /// set (revoked or suspended: 1) or cleared (reinstated: 0).
    function packFlags(bool set, uint8 reason) internal pure returns (uint256) {
        return (set ? 256 : 0) | reason;
    }
}
