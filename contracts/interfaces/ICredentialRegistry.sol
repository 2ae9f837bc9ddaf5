// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Credential anchors and status lists
/// @notice Anchors are opaque 32-byte values: the hash of one credential, or the Merkle root
/// (OpenZeppelin StandardMerkleTree, leaf encoding `bytes32`) of a cohort. Nothing about the
/// credential or its holder is stored; the hashes are of signed JWTs that carry a random id,
/// so they cannot be guessed from the content.
///
/// Every write lands in the sender's own namespace (`keccak256(sender, ...)`), which keeps a
/// write to a single storage slot and makes front-running another issuer's anchor pointless.
/// Which DID an account speaks for is the DID registry's business: a verifier checks that the
/// anchoring account controlled the issuer's DID at the time.
///
/// Status lists follow StatusList2021 / BitstringStatusList: 131,072 entries per list, one
/// list per (account, purpose, list number). Each storage word holds 224 entries (bits 0..223)
/// and, in its top 32 bits, the block of its last change; every change emits
/// {StatusWordChanged} with the previous change's block, so the history of a word is a chain of
/// one-block log queries (the ERC-1056 "changed" pattern) instead of an unbounded log scan.
/// The layout of words, ids and packed event fields is written once, in the `StatusWord` library.
interface ICredentialRegistry {
    /// @dev What a status list records. Revocation is final; suspension is reversible.
    enum Purpose {
        Revocation,
        Suspension
    }

    /// @dev One anchor: the time and block it was written in. `count` is 1 for a single
    /// credential and N for a cohort root. All zero: not anchored.
    struct Anchor {
        uint48 timestamp;
        uint48 blockNumber;
        uint32 count;
    }

    /// @dev This account already anchored this value.
    error AlreadyAnchored(address account, bytes32 value);
    /// @dev A cohort must hold at least one credential.
    error EmptyCohort();
    /// @dev Two arrays that must be the same length are not.
    error LengthMismatch(uint256 left, uint256 right);
    /// @dev The word index is beyond the end of a 131,072-entry list.
    error WordOutOfRange(uint256 word);
    /// @dev The entry index is beyond the end of a 131,072-entry list.
    error IndexOutOfRange(uint256 index);
    /// @dev A mask uses bits above the 224 entry bits of a word, or is empty.
    error InvalidMask(uint256 word, uint256 mask);
    /// @dev A list id is `purpose << 32 | list` with purpose 0 or 1.
    error InvalidListId(uint256 listId);
    /// @dev A published status-list credential must be 1 to 65,536 bytes.
    error InvalidCredential(uint256 length);
    /// @dev Revocation cannot be undone: {updateStatus} was asked to clear revocation entries.
    /// @param list the revocation list named
    /// @param word the first word named (0 when none was)
    error RevocationIsFinal(uint32 list, uint256 word);
    /// @dev A status change would set entries that are already set: a revocation or suspension
    /// is recorded once, with the reason and time of the change that made it, and is never
    /// overwritten.
    /// @param listId `purpose << 32 | list`
    /// @param word the word index in the list
    /// @param mask those entries of the word that are set already (bit i: entry word * 224 + i)
    error StatusAlreadySet(uint256 listId, uint256 word, uint256 mask);
    /// @dev A reinstatement would clear entries that are not set.
    /// @param listId `purpose << 32 | list`
    /// @param word the word index in the list
    /// @param mask those entries of the word that are not set (bit i: entry word * 224 + i)
    error StatusNotSet(uint256 listId, uint256 word, uint256 mask);

    /// @notice `account` anchored `value`, a credential hash (count 1) or a cohort root (count N).
    event Anchored(address indexed account, bytes32 indexed value, uint32 count);

    /// @notice Entries of one status word changed. The fields are packed to keep a single
    /// revocation cheap (one 64-byte data field).
    /// @param account the list's owner (the sender of the change)
    /// @param wordId `listId << 32 | word`, where listId is `purpose << 32 | list`
    /// @param change bits 0..223: the mask of entries changed (bit i: entry word * 224 + i);
    /// bits 224..255: the block of the word's previous change (0: none), the link to follow back
    /// @param flags bits 0..7: the reason code; bit 8: 1 when the entries were set (revoked or
    /// suspended), 0 when cleared (reinstated); bits 9..255: zero
    event StatusWordChanged(address indexed account, uint256 indexed wordId, uint256 change, uint256 flags);

    /// @notice `account` published the signed status-list credential for `listId`: a JWT the
    /// issuer built from the list's words as it read them before sending, and signed. A word
    /// whose last change is at or after this block is newer than the credential.
    /// `previous` is the block of the previous publication (0: none).
    event StatusListPublished(address indexed account, uint256 indexed listId, string credential, uint256 previous);

    /// @notice Anchors one credential hash in the sender's namespace; reverts with
    /// {AlreadyAnchored} when the sender anchored it before.
    function anchor(bytes32 credentialHash) external;

    /// @notice Anchors the Merkle root of a cohort of `count` (at least 1) credentials, as {anchor}.
    function anchorCohort(bytes32 root, uint32 count) external;

    /// @notice Sets (revoke/suspend) or clears (reinstate) status entries in one transaction.
    /// Every entry named must change: one already in the state asked for reverts the whole call
    /// ({StatusAlreadySet}, {StatusNotSet}).
    /// @param purpose revocation or suspension; revocation bits can only be set ({RevocationIsFinal})
    /// @param list the list number within the sender's lists of that purpose
    /// @param words word indexes (entry index / 224), each below 586
    /// @param masks for each word, the entries to change: bit i is entry word * 224 + i, and only
    /// bits 0..223 may be used ({InvalidMask})
    /// @param set true to set the bits, false to clear them
    /// @param reason an application reason code carried by the event
    function updateStatus(
        Purpose purpose,
        uint32 list,
        uint256[] calldata words,
        uint256[] calldata masks,
        bool set,
        uint8 reason
    ) external;

    /// @notice Sets one status entry (the cheap path for a single revocation or suspension);
    /// reverts with {StatusAlreadySet} when it is set already.
    /// @param entry `listId << 32 | index`, where listId is {listId}(purpose, list)
    /// @param reason an application reason code carried by the event
    function setStatus(uint256 entry, uint8 reason) external;

    /// @notice Publishes the issuer-signed status-list credential of one of the sender's lists, so
    /// a stateless service can serve it to ecosystem verifiers without holding the issuer's key.
    /// @param listId `purpose << 32 | list`
    /// @param credential the signed JWT, 1 to 65,536 bytes, emitted in {StatusListPublished}
    function publishStatusList(uint256 listId, string calldata credential) external;

    /// @notice The block of the latest status-list publication of (`account`, `listId`) (0: none).
    function statusListPublication(address account, uint256 listId) external view returns (uint256);

    /// @notice The anchor of `value` by `account` (all zero when absent).
    function anchorOf(address account, bytes32 value) external view returns (Anchor memory);

    /// @notice Anchors for many (account, value) pairs in one call.
    function anchorsOf(address[] calldata accounts, bytes32[] calldata values)
        external
        view
        returns (Anchor[] memory);

    /// @notice Whether `leaf` is in the cohort `root` anchored by `account` (OpenZeppelin MerkleProof).
    function verifyCohortMember(address account, bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool anchored, Anchor memory record);

    /// @notice The raw words of a list (entry bits 0..223, the block of the word's last change in
    /// bits 224..255), `count` words from `start`, fewer at the end of the list.
    function statusWords(address account, Purpose purpose, uint32 list, uint256 start, uint256 count)
        external
        view
        returns (uint256[] memory);

    /// @notice The raw words holding many entries in one call: the word of entry `indexes[i]` of
    /// (`accounts[i]`, `purposes[i]`, `lists[i]`); its bit `indexes[i] % 224` is the entry.
    function statusWordsFor(
        address[] calldata accounts,
        Purpose[] calldata purposes,
        uint32[] calldata lists,
        uint256[] calldata indexes
    ) external view returns (uint256[] memory);

    /// @notice The id used in events and storage for a list: `purpose << 32 | list`.
    function listId(Purpose purpose, uint32 list) external pure returns (uint256);
}
