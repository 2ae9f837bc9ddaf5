// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Trusted issuers registry (EBSI-style TIR)
/// @notice Governance onboards Root TAOs; a Root TAO accredits TAOs (accreditation bodies); a TAO
/// accredits further TAOs and TIs (trusted issuers). Every accreditation is an attribute of the
/// accredited DID: the parent's signed accreditation credential (a JWT) whose sha256 is stored
/// and whose text is emitted once in {AttributeBody}, in the block kept as `bodyBlock`, so a
/// reader fetches it with a one-block log query. Status changes (suspend, reinstate, revoke) are
/// appended as revisions; nothing is overwritten, so the status at any past time is known.
///
/// DIDs are `keccak256(bytes(did))`; who controls a DID is the DID registry's answer.
interface ITrustedIssuersRegistry {
    /// @dev EBSI's issuer types. `Revoked` is not used as a type here: status is a separate field.
    enum IssuerType {
        None,
        RootTAO,
        TAO,
        TI
    }

    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @dev One accreditation of `did` (the attribute's owner) by `parentDid`. For a Root TAO
    /// the parent is zero (governance onboarded it).
    struct Attribute {
        bytes32 parentDid;
        bytes32 parentAttributeId;
        bytes32 rootDid;
        bytes32 bodyHash;
        IssuerType issuerType;
        Status status;
        uint64 validFrom;
        uint64 validUntil;
        uint64 bodyBlock;
    }

    /// @dev One entry of an attribute's append-only status history.
    struct Revision {
        Status status;
        uint8 reason;
        uint64 timestamp;
        uint64 blockNumber;
    }

    /// @dev An attribute with its history, as returned by {trustChainOf}.
    struct Link {
        bytes32 did;
        bytes32 attributeId;
        Attribute attribute;
        Revision[] revisions;
    }

    /// @dev The DID is not registered in the DID registry.
    error UnknownDID(bytes32 didHash);
    /// @dev `account` does not control the DID that must act.
    error NotController(bytes32 didHash, address account);
    /// @dev An attribute with this id already exists for this DID.
    error AttributeExists(bytes32 didHash, bytes32 attributeId);
    /// @dev No such attribute.
    error UnknownAttribute(bytes32 didHash, bytes32 attributeId);
    /// @dev The parent's own accreditation is not active now.
    error ParentNotActive(bytes32 parentDid, bytes32 parentAttributeId);
    /// @dev A parent of type `parentType` may not create a child of type `childType`.
    error AccreditationNotAllowed(uint8 parentType, uint8 childType);
    /// @dev Only the DID that created an attribute may change it.
    error NotParent(bytes32 didHash, bytes32 attributeId, bytes32 caller);
    /// @dev The requested status change is not allowed (revocation is final; no-op changes are refused).
    error InvalidStatusChange(uint8 from, uint8 to);
    /// @dev validUntil must be after validFrom and in the future.
    error InvalidValidity(uint64 validFrom, uint64 validUntil);
    /// @dev The accreditation body is empty or larger than MAX_BODY_BYTES.
    error InvalidBody(uint256 length);
    /// @dev An issuer has reached MAX_ATTRIBUTES attributes.
    error TooManyAttributes(bytes32 didHash);

    /// @notice An accreditation was created; `body` is the accreditation JWT.
    event AttributeBody(bytes32 indexed didHash, bytes32 indexed attributeId, string body);
    /// @notice An attribute was created or its status changed (an appended revision).
    event AttributeRevised(
        bytes32 indexed didHash,
        bytes32 indexed attributeId,
        bytes32 indexed parentDid,
        uint8 issuerType,
        uint8 status,
        uint8 reason
    );

    /// @notice Governance onboards a Root TAO with its self-signed authorisation JWT.
    function onboardRoot(bytes32 rootDid, bytes32 attributeId, string calldata body, uint64 validFrom, uint64 validUntil)
        external;

    /// @notice A Root TAO or TAO (sender controls `parentDid`) accredits `childDid` as a TAO or TI.
    function accredit(
        bytes32 parentDid,
        bytes32 parentAttributeId,
        bytes32 childDid,
        bytes32 attributeId,
        IssuerType childType,
        string calldata body,
        uint64 validFrom,
        uint64 validUntil
    ) external;

    /// @notice The parent (or governance, for roots) changes an accreditation's status.
    function setAttributeStatus(bytes32 actorDid, bytes32 didHash, bytes32 attributeId, Status status, uint8 reason)
        external;

    /// @notice Governance changes a Root TAO's status.
    function setRootStatus(bytes32 rootDid, bytes32 attributeId, Status status, uint8 reason) external;

    /// @notice Number of DIDs holding at least one attribute, and one page of them with the
    /// block each was first accredited in (for listing, as EBSI's `GET /issuers`).
    function issuerCount() external view returns (uint256);

    function issuersPage(uint256 start, uint256 count) external view returns (bytes32[] memory dids);

    /// @notice The attribute ids of a DID.
    function attributeIds(bytes32 didHash) external view returns (bytes32[] memory);

    /// @notice One attribute and its whole history.
    function attribute(bytes32 didHash, bytes32 attributeId)
        external
        view
        returns (Attribute memory, Revision[] memory);

    /// @notice Every attribute of `didHash` and, transitively, of the parents they name, breadth
    /// first, at most `maxLinks` links: a whole accreditation chain and its history in one call.
    function trustChainOf(bytes32 didHash, uint256 maxLinks) external view returns (Link[] memory links);
}
