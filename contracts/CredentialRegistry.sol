// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {StatusWord} from "./libraries/StatusWord.sol";

/// @title CredentialRegistry
/// @notice See {ICredentialRegistry}.
contract CredentialRegistry is ICredentialRegistry {
    /// @dev Entries per status list (see {StatusWord} for the layout).
    uint256 public constant LIST_SIZE = StatusWord.LIST_SIZE;
    /// @dev Entries per storage word.
    uint256 public constant BITS_PER_WORD = StatusWord.BITS_PER_WORD;
    /// @dev Words per status list.
    uint256 public constant WORDS_PER_LIST = StatusWord.WORDS_PER_LIST;

    /// @dev `keccak256(abi.encode(account, value))` → the anchor.
    mapping(bytes32 key => Anchor) private _anchors;
    /// @dev `keccak256(abi.encode(account, listId, word))` → the status word (see {StatusWord}).
    mapping(bytes32 key => uint256) private _words;
    /// @dev `keccak256(abi.encode(account, listId))` → the block of the latest publication.
    mapping(bytes32 key => uint256) private _publications;

    /// @inheritdoc ICredentialRegistry
    function anchor(bytes32 credentialHash) external {
        _anchor(credentialHash, 1);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorCohort(bytes32 root, uint32 count) external {
        if (count == 0) revert EmptyCohort();
        _anchor(root, count);
    }

    /// @inheritdoc ICredentialRegistry
    function updateStatus(
        Purpose purpose,
        uint32 list,
        uint256[] calldata words,
        uint256[] calldata masks,
        bool set,
        uint8 reason
    ) external {
        if (words.length != masks.length) revert LengthMismatch(words.length, masks.length);
        if (!set && purpose == Purpose.Revocation) revert RevocationIsFinal(list, words.length == 0 ? 0 : words[0]);
        uint256 id = StatusWord.listId(purpose, list);
        for (uint256 i = 0; i < words.length; ++i) {
            _changeWord(id, words[i], masks[i], set, reason);
        }
    }

    /// @inheritdoc ICredentialRegistry
    function setStatus(uint256 entry, uint8 reason) external {
        (uint256 id, uint256 index) = StatusWord.splitEntry(entry);
        if (!StatusWord.isListId(id)) revert InvalidListId(id);
        if (index >= LIST_SIZE) revert IndexOutOfRange(index);
        (uint256 word, uint256 mask) = StatusWord.locate(index);
        _changeWord(id, word, mask, true, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function publishStatusList(uint256 id, string calldata credential) external {
        if (!StatusWord.isListId(id)) revert InvalidListId(id);
        uint256 length = bytes(credential).length;
        if (length == 0 || length > 65_536) revert InvalidCredential(length);
        bytes32 key = keccak256(abi.encode(msg.sender, id));
        uint256 previous = _publications[key];
        _publications[key] = block.number;
        emit StatusListPublished(msg.sender, id, credential, previous);
    }

    /// @inheritdoc ICredentialRegistry
    function statusListPublication(address account, uint256 id) external view returns (uint256) {
        return _publications[keccak256(abi.encode(account, id))];
    }

    /// @inheritdoc ICredentialRegistry
    function anchorOf(address account, bytes32 value) external view returns (Anchor memory) {
        return _anchors[_anchorKey(account, value)];
    }

    /// @inheritdoc ICredentialRegistry
    function anchorsOf(address[] calldata accounts, bytes32[] calldata values)
        external
        view
        returns (Anchor[] memory records)
    {
        if (accounts.length != values.length) revert LengthMismatch(accounts.length, values.length);
        records = new Anchor[](values.length);
        for (uint256 i = 0; i < values.length; ++i) {
            records[i] = _anchors[_anchorKey(accounts[i], values[i])];
        }
    }

    /// @inheritdoc ICredentialRegistry
    function verifyCohortMember(address account, bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool anchored, Anchor memory record)
    {
        record = _anchors[_anchorKey(account, root)];
        anchored = record.blockNumber != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc ICredentialRegistry
    function statusWords(address account, Purpose purpose, uint32 list, uint256 start, uint256 count)
        external
        view
        returns (uint256[] memory words)
    {
        uint256 end = start >= WORDS_PER_LIST ? start : (WORDS_PER_LIST - start < count ? WORDS_PER_LIST : start + count);
        words = new uint256[](end - start);
        uint256 id = StatusWord.listId(purpose, list);
        for (uint256 w = start; w < end; ++w) {
            words[w - start] = _words[_wordKey(account, id, w)];
        }
    }

    /// @inheritdoc ICredentialRegistry
    function statusWordsFor(
        address[] calldata accounts,
        Purpose[] calldata purposes,
        uint32[] calldata lists,
        uint256[] calldata indexes
    ) external view returns (uint256[] memory words) {
        uint256 n = indexes.length;
        if (accounts.length != n) revert LengthMismatch(accounts.length, n);
        if (purposes.length != n) revert LengthMismatch(purposes.length, n);
        if (lists.length != n) revert LengthMismatch(lists.length, n);
        words = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            if (indexes[i] >= LIST_SIZE) revert IndexOutOfRange(indexes[i]);
            uint256 id = StatusWord.listId(purposes[i], lists[i]);
            words[i] = _words[_wordKey(accounts[i], id, StatusWord.wordOf(indexes[i]))];
        }
    }

    /// @inheritdoc ICredentialRegistry
    function listId(Purpose purpose, uint32 list) external pure returns (uint256) {
        return StatusWord.listId(purpose, list);
    }

    function _anchor(bytes32 value, uint32 count) internal {
        bytes32 key = _anchorKey(msg.sender, value);
        if (_anchors[key].blockNumber != 0) revert AlreadyAnchored(msg.sender, value);
        _anchors[key] = Anchor(uint48(block.timestamp), uint48(block.number), count);
        emit Anchored(msg.sender, value, count);
    }

    /// @dev Flips the entries `mask` of word `word` of the sender's list `id`, records this block
    /// as the word's last change and emits the change with the previous one's block.
    function _changeWord(uint256 id, uint256 word, uint256 mask, bool set, uint8 reason) internal {
        if (word >= WORDS_PER_LIST) revert WordOutOfRange(word);
        if (StatusWord.isBadMask(mask)) revert InvalidMask(word, mask);
        bytes32 key = _wordKey(msg.sender, id, word);
        uint256 current = _words[key];
        // Every bit of `mask` must change: a set bit is never set again (the first revocation's
        // reason and time stand, and a racing second one fails loudly), a clear one never cleared.
        if (set) {
            uint256 already = StatusWord.setIn(current, mask);
            if (already != 0) revert StatusAlreadySet(id, word, already);
        } else {
            uint256 missing = StatusWord.clearIn(current, mask);
            if (missing != 0) revert StatusNotSet(id, word, missing);
        }
        // So every bit of `mask` flips, and the mask (within the entry bits) never touches the block field.
        _words[key] = StatusWord.flip(current, mask, block.number);
        emit StatusWordChanged(
            msg.sender,
            StatusWord.wordId(id, word),
            StatusWord.packChange(mask, StatusWord.lastChange(current)),
            StatusWord.packFlags(set, reason)
        );
    }

    function _anchorKey(address account, bytes32 value) internal pure returns (bytes32) {
        return keccak256(abi.encode(account, value));
    }

    function _wordKey(address account, uint256 id, uint256 word) internal pure returns (bytes32) {
        return keccak256(abi.encode(account, id, word));
    }
}
