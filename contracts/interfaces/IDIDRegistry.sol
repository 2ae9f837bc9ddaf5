// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IRegistryErrors} from "./IRegistryErrors.sol";

/// @title DID registry for legal entities (EBSI-style did:ebsi documents)
/// @notice A DID is identified on-chain by `keccak256(bytes(did))`; the DID string itself is
/// only emitted in {DIDRegistered}, whose block is kept in storage so a reader fetches it
/// with a one-block log query. Each verification method is a public key with a set of
/// relationships and a validity window [notBefore, notAfter). Windows can only shrink and
/// never reach into the past, so a document resolves "as of" any earlier time from
/// storage alone. A secp256k1 key with the capabilityInvocation relationship makes its
/// Ethereum address a controller: the accounts that may change the document.
///
/// `DIDNotRegistered`, `NotController` and `InvalidValidity` come from {IRegistryErrors}.
interface IDIDRegistry is IRegistryErrors {
    /// @dev Curve of a verification method's public key.
    enum KeyType {
        None,
        Secp256k1,
        P256,
        Ed25519
    }

    /// @dev A public key and what it may be used for, valid in [notBefore, notAfter) (seconds).
    /// `x`/`y` are the affine coordinates (Ed25519: `x` is the 32-byte key, `y` is zero).
    /// `relationships` packs one bit per verification relationship: 1 authentication,
    /// 2 assertionMethod, 4 capabilityInvocation, 8 capabilityDelegation (the contract's
    /// RELATIONSHIP_* constants). `notAfter == type(uint64).max` (NO_EXPIRY) means no expiry.
    struct VerificationMethod {
        bytes32 x;
        bytes32 y;
        KeyType keyType;
        uint8 relationships;
        uint64 notBefore;
        uint64 notAfter;
    }

    /// @dev The DID is already registered.
    error DIDAlreadyRegistered(bytes32 didHash);
    /// @dev The first key of a DID must be the sender's own secp256k1 key.
    /// @param expected the account of the key passed
    /// @param sender the account that sent the registration
    error SenderKeyMismatch(address expected, address sender);
    /// @dev The key type or relationship set is not acceptable: no key type, no relationship or
    /// an unknown one, or capabilityInvocation on a key that is not secp256k1.
    /// @param keyType the {KeyType} asked for, as a number
    /// @param relationships the relationship bits asked for (see {VerificationMethod})
    error InvalidVerificationMethod(uint8 keyType, uint8 relationships);
    /// @dev The same public key is already listed in this DID document.
    error DuplicateKey(bytes32 didHash, bytes32 keyHash);
    /// @dev No verification method at this index.
    error UnknownVerificationMethod(bytes32 didHash, uint256 index);
    /// @dev The proof-of-possession signature for a new controller key does not match the key.
    error KeyPossessionNotProven(address expected, address recovered);
    /// @dev The DID string is empty or longer than MAX_DID_LENGTH (128) bytes.
    /// @param length the DID string's length in bytes
    error InvalidDID(uint256 length);

    /// @notice A DID was registered; `did` is the full DID string.
    event DIDRegistered(bytes32 indexed didHash, string did, address indexed controller);
    /// @notice A verification method was added at position `index` of the DID document.
    /// @param relationships the relationship bits (see {VerificationMethod})
    event VerificationMethodAdded(
        bytes32 indexed didHash,
        uint256 indexed index,
        KeyType keyType,
        uint8 relationships,
        bytes32 x,
        bytes32 y,
        uint64 notBefore,
        uint64 notAfter
    );
    /// @notice A verification method's validity now ends at `notAfter` (rotation, expiry or revocation).
    event VerificationMethodExpirySet(bytes32 indexed didHash, uint256 indexed index, uint64 notAfter);

    /// @notice Registers `did` with the sender's secp256k1 key as its first verification method
    /// (capabilityInvocation + authentication, valid from now, no expiry), which makes the sender
    /// its controller. Further keys are added with {addVerificationMethod}.
    /// @param did the DID string (at most MAX_DID_LENGTH bytes)
    /// @param x the X coordinate of the sender's secp256k1 public key
    /// @param y the Y coordinate of the sender's secp256k1 public key
    function register(string calldata did, bytes32 x, bytes32 y) external;

    /// @notice Adds a verification method. A secp256k1 key with capabilityInvocation needs
    /// `possessionSignature`: the key's EIP-712 signature over {AddController} with the window as
    /// passed (zeros for the defaults), so nobody can name another party's account as their
    /// controller. Other keys pass empty bytes.
    /// @param didHash the DID to change (the sender must control it)
    /// @param method the key; `relationships` packs relationship bits (see {VerificationMethod});
    /// `notBefore` 0 means now (otherwise not in the past), `notAfter` 0 means no expiry
    /// @param possessionSignature the new controller key's EIP-712 signature (r, s, v), or empty
    /// @return index the method's position in the DID document
    function addVerificationMethod(bytes32 didHash, VerificationMethod calldata method, bytes calldata possessionSignature)
        external
        returns (uint256 index);

    /// @notice Ends a verification method's validity at `notAfter` (>= now, <= current notAfter;
    /// 0 means now). Signatures made before that moment stay attributable to the key.
    function expireVerificationMethod(bytes32 didHash, uint256 index, uint64 notAfter) external;

    /// @notice Whether the DID is registered, when, and the block whose logs hold its string.
    function registration(bytes32 didHash) external view returns (uint64 registeredAt, uint64 registeredBlock);

    /// @notice The whole key history of a DID in one call.
    function verificationMethods(bytes32 didHash) external view returns (VerificationMethod[] memory);

    /// @notice The window in which `account` controls the DID (zeros if it never did).
    function controllerValidity(bytes32 didHash, address account)
        external
        view
        returns (uint64 notBefore, uint64 notAfter);

    /// @notice Whether `account` controls the DID now.
    function isController(bytes32 didHash, address account) external view returns (bool);

    /// @notice Number of registered DIDs.
    function didCount() external view returns (uint256);

    /// @notice One page of registered DIDs in registration order (for listing): at most `count`
    /// from position `start` (fewer at the end), each with the block whose logs hold its string.
    function didsPage(uint256 start, uint256 count) external view returns (bytes32[] memory hashes, uint64[] memory blocks);
}
