// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IRegistryErrors} from "./IRegistryErrors.sol";

/// @title Trusted issuers registry (EBSI-style TIR)
/// @notice Governance onboards Root TAOs; a Root TAO accredits TAOs (accreditation bodies); a TAO
/// accredits further TAOs and TIs (trusted issuers). Every accreditation is an attribute of the
/// accredited DID: the parent's signed accreditation credential (a JWT) whose sha256 is stored
/// and whose text is emitted once in {AttributeBody}, in the block kept as `bodyBlock`, so a
/// reader fetches it with a one-block log query. Status changes (suspend, reinstate, revoke) are
/// appended as revisions; nothing is overwritten, so the status at any past time is known.
///
/// A revocation takes effect when it is made, unless the party that granted the accreditation
/// revokes it for cause ({revokeForCauseSince}): it then states the time from which the
/// accreditation is void (fraud found out now that began then), carried by the revocation's
/// {AttributeRevokedForCause} event, which a reader fetches with a one-block log query at the
/// revocation revision's block, as it fetches the body.
///
/// DIDs are `keccak256(bytes(did))`; who controls a DID is the DID registry's answer.
/// `DIDNotRegistered`, `NotController` and `InvalidValidity` come from {IRegistryErrors}.
interface ITrustedIssuersRegistry is IRegistryErrors {
    /// @dev EBSI's issuer types. `Revoked` is not used as a type here: status is a separate field.
    enum IssuerType {
        None,
        RootTAO,
        TAO,
        TI
    }

    /// @dev An accreditation's status. Active <-> Suspended; either -> Revoked, which is final.
    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @dev One accreditation of `did` (the attribute's owner) by `parentDid`, under the parent's
    /// own attribute `parentAttributeId`, in the tree of Root TAO `rootDid`. For a Root TAO the
    /// parent is zero (governance onboarded it) and `rootDid` is itself. Valid in
    /// [validFrom, validUntil) (seconds); `bodyHash` is the sha256 of the accreditation JWT emitted
    /// in {AttributeBody} in block `bodyBlock`.
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

    /// @dev An attribute with this id already exists for this DID.
    error AttributeExists(bytes32 didHash, bytes32 attributeId);
    /// @dev No such attribute.
    error UnknownAttribute(bytes32 didHash, bytes32 attributeId);
    /// @dev The parent's own accreditation is not active now.
    error ParentNotActive(bytes32 parentDid, bytes32 parentAttributeId);
    /// @dev A parent of type `parentType` may not create a child of type `childType`: a Root TAO
    /// or TAO accredits TAOs and TIs, a TI accredits nobody.
    /// @param parentType the parent attribute's {IssuerType}, as a number
    /// @param childType the {IssuerType} asked for, as a number
    error AccreditationNotAllowed(uint8 parentType, uint8 childType);
    /// @dev Only the DID that granted an attribute may change it ({setAttributeStatus}).
    /// @param caller the DID the sender acted for (`actorDid`)
    error NotParent(bytes32 didHash, bytes32 attributeId, bytes32 caller);
    /// @dev {setRootStatus} names an attribute that is not a Root TAO's onboarding (a TAO's or
    /// TI's accreditation is changed by its parent, with {setAttributeStatus}).
    error NotRootTAO(bytes32 didHash, bytes32 attributeId);
    /// @dev The requested status change is not allowed (revocation is final; no-op changes are refused).
    /// @param from the attribute's current {Status}, as a number
    /// @param to the {Status} asked for, as a number
    error InvalidStatusChange(uint8 from, uint8 to);
    /// @dev The accreditation body is empty or larger than MAX_BODY_BYTES (16,384).
    error InvalidBody(uint256 length);
    /// @dev An issuer has reached MAX_ATTRIBUTES (64) attributes.
    error TooManyAttributes(bytes32 didHash);
    /// @dev {revokeForCauseSince} names a time after the block's: a revocation reaches back,
    /// never forward.
    /// @param since the time stated (seconds)
    /// @param blockTime the block's timestamp
    error EffectiveTimeInFuture(uint256 since, uint64 blockTime);
    /// @dev {revokeForCauseSince} names a time before the accreditation's validity began.
    /// @param since the time stated (seconds)
    /// @param validFrom the accreditation's first second of validity
    error EffectiveTimeBeforeValidity(uint64 since, uint64 validFrom);
    /// @dev {revokeForCauseSince} was given a reason code over 255.
    error InvalidReason(uint256 reason);

    /// @notice An accreditation was created; `body` is the accreditation JWT.
    event AttributeBody(bytes32 indexed didHash, bytes32 indexed attributeId, string body);
    /// @notice An attribute was created or its status changed (an appended revision).
    /// @param parentDid the DID that granted the attribute (zero for a Root TAO)
    /// @param issuerType the attribute's {IssuerType}, as a number
    /// @param status the attribute's new {Status}, as a number
    /// @param reason the application reason code of the change (0 on creation)
    event AttributeRevised(
        bytes32 indexed didHash,
        bytes32 indexed attributeId,
        bytes32 indexed parentDid,
        uint8 issuerType,
        uint8 status,
        uint8 reason
    );

    /// @notice An accreditation was revoked for cause (emitted with its {AttributeRevised}): it is
    /// void from `effectiveFrom`, a time the revoker stated, not from the block's time.
    /// @param parentDid the DID that granted the attribute, and revoked it
    /// @param reason the application reason code of the revocation
    /// @param effectiveFrom the first second the accreditation is void (seconds)
    event AttributeRevokedForCause(
        bytes32 indexed didHash,
        bytes32 indexed attributeId,
        bytes32 indexed parentDid,
        uint8 reason,
        uint64 effectiveFrom
    );

    /// @notice Governance onboards a Root TAO with its self-signed authorisation JWT.
    /// @param rootDid the Root TAO's DID (registered in the DID registry)
    /// @param attributeId the new attribute's id (unique for this DID)
    /// @param body the authorisation JWT (1 to MAX_BODY_BYTES bytes), emitted in {AttributeBody}
    /// @param validFrom the first second of validity (0: now)
    /// @param validUntil the first second after it (after validFrom and in the future)
    function onboardRoot(bytes32 rootDid, bytes32 attributeId, string calldata body, uint64 validFrom, uint64 validUntil)
        external;

    /// @notice A Root TAO or TAO (sender controls `parentDid`) accredits `childDid` as a TAO or TI,
    /// under the parent's own attribute `parentAttributeId`, which must be active now. `body`,
    /// `validFrom` and `validUntil` as in {onboardRoot}.
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

    /// @notice The party that granted an accreditation (sender controls `actorDid`, the
    /// attribute's parent) suspends, reinstates or revokes it. A Root TAO's onboarding is changed
    /// by governance with {setRootStatus}.
    /// @param reason an application reason code carried by {AttributeRevised}
    function setAttributeStatus(bytes32 actorDid, bytes32 didHash, bytes32 attributeId, Status status, uint8 reason)
        external;

    /// @notice The party that granted an accreditation (sender controls `actorDid`, the attribute's
    /// parent) revokes it for cause: the accreditation is void from `since`, a time it states (the
    /// fraud found out now began then), not from now. As {setAttributeStatus} revoking it (the same
    /// refusals, an appended Revoked revision and its {AttributeRevised}), then
    /// {AttributeRevokedForCause} with `since`. An active or suspended accreditation may be revoked
    /// for cause; a revoked one may not (revocation is final: {InvalidStatusChange}).
    /// `since` and `reason` are uint256, range-checked here: decoded as uint64 and uint8 they shared
    /// the decoder's checks with the other writes, which the optimizer then stopped inlining
    /// (measured: +27 to +30 gas on every suspension, reinstatement, revocation and onboarding).
    /// @param since the first second the accreditation is void (Unix seconds): not after the
    /// block's time ({EffectiveTimeInFuture}), not before the accreditation's `validFrom`
    /// ({EffectiveTimeBeforeValidity})
    /// @param reason an application reason code, 0 to 255 ({InvalidReason}), carried by both events
    function revokeForCauseSince(
        bytes32 actorDid,
        bytes32 didHash,
        bytes32 attributeId,
        uint256 since,
        uint256 reason
    ) external;

    /// @notice Governance suspends, reinstates or revokes a Root TAO's onboarding; any other
    /// attribute reverts with {NotRootTAO}.
    function setRootStatus(bytes32 rootDid, bytes32 attributeId, Status status, uint8 reason) external;

    /// @notice Number of DIDs holding at least one attribute.
    function issuerCount() external view returns (uint256);

    /// @notice One page of the DIDs holding at least one attribute, in the order of their first
    /// attribute (for listing, as EBSI's `GET /issuers`): at most `count` from position `start`.
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
