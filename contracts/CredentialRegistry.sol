// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";

/// @title CredentialRegistry
/// @notice See {ICredentialRegistry}.
contract CredentialRegistry is ICredentialRegistry {
    uint256 public constant LIST_SIZE = 131_072;
    uint256 public constant BITS_PER_WORD = 224;
    uint256 public constant WORDS_PER_LIST = (LIST_SIZE + BITS_PER_WORD - 1) / BITS_PER_WORD;
    uint256 private constant _STATUS_MASK = (uint256(1) << BITS_PER_WORD) - 1;

    mapping(bytes32 key => Anchor) private _anchors;
    mapping(bytes32 key => uint256) private _words;
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
        uint256 id = _listId(purpose, list);
        for (uint256 i = 0; i < words.length; ++i) {
            _changeWord(id, words[i], masks[i], set, reason);
        }
    }

    /// @inheritdoc ICredentialRegistry
    function setStatus(uint256 entry, uint8 reason) external {
        uint256 id = entry >> 32;
        uint256 index = entry & 0xFFFFFFFF;
        if (id >> 33 != 0) revert InvalidListId(id);
        if (index >= LIST_SIZE) revert IndexOutOfRange(index);
        _changeWord(id, index / BITS_PER_WORD, uint256(1) << (index % BITS_PER_WORD), true, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function publishStatusList(uint256 id, string calldata credential) external {
        if (id >> 33 != 0) revert InvalidListId(id);
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
        uint256 id = _listId(purpose, list);
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
            words[i] = _words[_wordKey(accounts[i], _listId(purposes[i], lists[i]), indexes[i] / BITS_PER_WORD)];
        }
    }

    /// @inheritdoc ICredentialRegistry
    function listId(Purpose purpose, uint32 list) external pure returns (uint256) {
        return _listId(purpose, list);
    }

    function _anchor(bytes32 value, uint32 count) internal {
        bytes32 key = _anchorKey(msg.sender, value);
        if (_anchors[key].blockNumber != 0) revert AlreadyAnchored(msg.sender, value);
        _anchors[key] = Anchor(uint48(block.timestamp), uint48(block.number), count);
        emit Anchored(msg.sender, value, count);
    }

    function _changeWord(uint256 id, uint256 word, uint256 mask, bool set, uint8 reason) internal {
        if (word >= WORDS_PER_LIST) revert WordOutOfRange(word);
        if (mask == 0 || mask > _STATUS_MASK) revert InvalidMask(word, mask);
        bytes32 key = _wordKey(msg.sender, id, word);
        uint256 current = _words[key];
        // Every bit of `mask` must change: a set bit is never set again (the first revocation's
        // reason and time stand, and a racing second one fails loudly), a clear one never cleared.
        if (set) {
            if (current & mask != 0) revert StatusAlreadySet(id, word, current & mask);
        } else if (~current & mask != 0) {
            revert StatusNotSet(id, word, ~current & mask);
        }
        // So every bit of `mask` flips, and the mask (within the status bits) never touches the block field.
        _words[key] = ((current ^ mask) & _STATUS_MASK) | (uint256(uint32(block.number)) << BITS_PER_WORD);
        uint256 previous = current >> BITS_PER_WORD;
        emit StatusWordChanged(
            msg.sender, (id << 32) | word, mask | (previous << BITS_PER_WORD), (set ? 256 : 0) | reason
        );
    }

    function _listId(Purpose purpose, uint32 list) internal pure returns (uint256) {
        return (uint256(purpose) << 32) | list;
    }

    function _anchorKey(address account, bytes32 value) internal pure returns (bytes32) {
        return keccak256(abi.encode(account, value));
    }

    function _wordKey(address account, uint256 id, uint256 word) internal pure returns (bytes32) {
        return keccak256(abi.encode(account, id, word));
    }
}
