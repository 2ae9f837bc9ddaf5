// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IDIDRegistry} from "./interfaces/IDIDRegistry.sol";

/// @title DIDRegistry
/// @notice See {IDIDRegistry}.
contract DIDRegistry is IDIDRegistry, EIP712 {
    /// @dev The bits of `VerificationMethod.relationships`, one per DID Core verification relationship.
    uint8 public constant RELATIONSHIP_AUTHENTICATION = 1;
    uint8 public constant RELATIONSHIP_ASSERTION_METHOD = 2;
    uint8 public constant RELATIONSHIP_CAPABILITY_INVOCATION = 4;
    uint8 public constant RELATIONSHIP_CAPABILITY_DELEGATION = 8;
    uint8 private constant _ALL_RELATIONSHIPS = 15;
    /// @dev `notAfter` of a verification method that does not expire.
    uint64 public constant NO_EXPIRY = type(uint64).max;
    /// @dev Longest DID string accepted, in bytes.
    uint256 public constant MAX_DID_LENGTH = 128;

    /// @dev EIP-712 statement by a secp256k1 key that it agrees to control `didHash`.
    bytes32 public constant ADD_CONTROLLER_TYPEHASH =
        keccak256("AddController(bytes32 didHash,bytes32 x,bytes32 y,uint64 notBefore,uint64 notAfter)");

    struct Registration {
        uint64 registeredAt;
        uint64 registeredBlock;
    }

    struct Window {
        uint64 notBefore;
        uint64 notAfter;
    }

    mapping(bytes32 didHash => Registration) private _registrations;
    mapping(bytes32 didHash => VerificationMethod[]) private _methods;
    mapping(bytes32 didHash => mapping(bytes32 keyHash => bool)) private _keyListed;
    mapping(bytes32 didHash => mapping(address account => Window)) private _controllers;
    bytes32[] private _dids;

    constructor() EIP712("DIDRegistry", "1") {}

    modifier onlyController(bytes32 didHash) {
        _checkController(didHash, msg.sender);
        _;
    }

    /// @inheritdoc IDIDRegistry
    function register(string calldata did, bytes32 x, bytes32 y) external {
        uint256 length = bytes(did).length;
        if (length == 0 || length > MAX_DID_LENGTH) revert InvalidDID(length);
        bytes32 didHash = keccak256(bytes(did));
        if (_registrations[didHash].registeredAt != 0) revert DIDAlreadyRegistered(didHash);
        address keyAccount = _secp256k1Address(x, y);
        if (keyAccount != msg.sender) revert SenderKeyMismatch(keyAccount, msg.sender);

        _registrations[didHash] = Registration(uint64(block.timestamp), uint64(block.number));
        _dids.push(didHash);
        emit DIDRegistered(didHash, did, msg.sender);
        _addMethod(
            didHash,
            VerificationMethod({
                x: x,
                y: y,
                keyType: KeyType.Secp256k1,
                relationships: RELATIONSHIP_CAPABILITY_INVOCATION | RELATIONSHIP_AUTHENTICATION,
                notBefore: uint64(block.timestamp),
                notAfter: NO_EXPIRY
            })
        );
    }

    /// @inheritdoc IDIDRegistry
    function addVerificationMethod(bytes32 didHash, VerificationMethod calldata method, bytes calldata possessionSignature)
        external
        onlyController(didHash)
        returns (uint256 index)
    {
        VerificationMethod memory m = method;
        if (m.notBefore == 0) m.notBefore = uint64(block.timestamp);
        if (m.notAfter == 0) m.notAfter = NO_EXPIRY;
        if (m.notBefore < block.timestamp || m.notAfter <= m.notBefore) {
            revert InvalidValidity(m.notBefore, m.notAfter);
        }
        if (m.keyType == KeyType.None || m.relationships == 0 || m.relationships > _ALL_RELATIONSHIPS) {
            revert InvalidVerificationMethod(uint8(m.keyType), m.relationships);
        }
        if (m.relationships & RELATIONSHIP_CAPABILITY_INVOCATION != 0) {
            if (m.keyType != KeyType.Secp256k1) revert InvalidVerificationMethod(uint8(m.keyType), m.relationships);
            // The consent covers the window as the caller asked for it (zeros: the defaults), which
            // is what the new key's holder could sign before knowing the block's time.
            _checkPossession(didHash, method, possessionSignature);
        }
        index = _addMethod(didHash, m);
    }

    /// @inheritdoc IDIDRegistry
    function expireVerificationMethod(bytes32 didHash, uint256 index, uint64 notAfter)
        external
        onlyController(didHash)
    {
        VerificationMethod[] storage methods = _methods[didHash];
        if (index >= methods.length) revert UnknownVerificationMethod(didHash, index);
        VerificationMethod storage m = methods[index];
        if (notAfter == 0) notAfter = uint64(block.timestamp);
        if (notAfter < block.timestamp || notAfter > m.notAfter) revert InvalidValidity(m.notBefore, notAfter);
        // A window that has not started yet collapses to empty rather than inverting.
        uint64 end = notAfter < m.notBefore ? m.notBefore : notAfter;
        m.notAfter = end;
        if (m.relationships & RELATIONSHIP_CAPABILITY_INVOCATION != 0) {
            _controllers[didHash][_secp256k1Address(m.x, m.y)].notAfter = end;
        }
        emit VerificationMethodExpirySet(didHash, index, end);
    }

    /// @inheritdoc IDIDRegistry
    function registration(bytes32 didHash) external view returns (uint64 registeredAt, uint64 registeredBlock) {
        Registration memory r = _registrations[didHash];
        return (r.registeredAt, r.registeredBlock);
    }

    /// @inheritdoc IDIDRegistry
    function verificationMethods(bytes32 didHash) external view returns (VerificationMethod[] memory) {
        return _methods[didHash];
    }

    /// @inheritdoc IDIDRegistry
    function controllerValidity(bytes32 didHash, address account)
        external
        view
        returns (uint64 notBefore, uint64 notAfter)
    {
        Window memory w = _controllers[didHash][account];
        return (w.notBefore, w.notAfter);
    }

    /// @inheritdoc IDIDRegistry
    function isController(bytes32 didHash, address account) public view returns (bool) {
        Window memory w = _controllers[didHash][account];
        return w.notBefore != 0 && w.notBefore <= block.timestamp && block.timestamp < w.notAfter;
    }

    /// @inheritdoc IDIDRegistry
    function didCount() external view returns (uint256) {
        return _dids.length;
    }

    /// @inheritdoc IDIDRegistry
    function didsPage(uint256 start, uint256 count)
        external
        view
        returns (bytes32[] memory hashes, uint64[] memory blocks)
    {
        uint256 total = _dids.length;
        uint256 end = start >= total ? start : (total - start < count ? total : start + count);
        hashes = new bytes32[](end - start);
        blocks = new uint64[](end - start);
        for (uint256 i = start; i < end; ++i) {
            hashes[i - start] = _dids[i];
            blocks[i - start] = _registrations[_dids[i]].registeredBlock;
        }
    }

    function _checkController(bytes32 didHash, address account) internal view {
        if (_registrations[didHash].registeredAt == 0) revert DIDNotRegistered(didHash);
        if (!isController(didHash, account)) revert NotController(didHash, account);
    }

    function _checkPossession(bytes32 didHash, VerificationMethod calldata m, bytes calldata signature)
        internal
        view
    {
        bytes32 structHash = keccak256(abi.encode(ADD_CONTROLLER_TYPEHASH, didHash, m.x, m.y, m.notBefore, m.notAfter));
        address expected = _secp256k1Address(m.x, m.y);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != expected) {
            revert KeyPossessionNotProven(expected, recovered);
        }
    }

    function _addMethod(bytes32 didHash, VerificationMethod memory m) internal returns (uint256 index) {
        bytes32 keyHash = keccak256(abi.encode(m.keyType, m.x, m.y));
        if (_keyListed[didHash][keyHash]) revert DuplicateKey(didHash, keyHash);
        _keyListed[didHash][keyHash] = true;
        index = _methods[didHash].length;
        _methods[didHash].push(m);
        if (m.relationships & RELATIONSHIP_CAPABILITY_INVOCATION != 0) {
            _controllers[didHash][_secp256k1Address(m.x, m.y)] = Window(m.notBefore, m.notAfter);
        }
        emit VerificationMethodAdded(didHash, index, m.keyType, m.relationships, m.x, m.y, m.notBefore, m.notAfter);
    }

    /// @dev The Ethereum account of an uncompressed secp256k1 public key.
    function _secp256k1Address(bytes32 x, bytes32 y) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(x, y)))));
    }
}
