// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Errors shared by the DID registry and the trusted issuers registry
/// @notice Declared once, as OpenZeppelin's `IERC20Errors` declares the errors several tokens
/// share: both registries answer "who controls this DID" and "is this validity window
/// acceptable" with the same facts, so a client decodes them with one selector each.
interface IRegistryErrors {
    /// @dev No DID with this hash is registered in the DID registry.
    /// @param didHash `keccak256(bytes(did))`
    error DIDNotRegistered(bytes32 didHash);

    /// @dev `account` is not a current controller of the DID that must act (a secp256k1 key with
    /// the capabilityInvocation relationship whose window holds the current block's time).
    /// @param didHash the DID that must act
    /// @param account the sender
    error NotController(bytes32 didHash, address account);

    /// @dev A validity window `[start, end)` is refused: it is empty, ends in the past, starts in
    /// the past (a new verification method), or would extend an existing window (expiry).
    /// @param start the window's first second (a verification method's notBefore, an
    /// accreditation's validFrom)
    /// @param end the first second after it (notAfter, validUntil)
    error InvalidValidity(uint64 start, uint64 end);
}
