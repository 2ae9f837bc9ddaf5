// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IDIDRegistry} from "./interfaces/IDIDRegistry.sol";
import {ITrustedIssuersRegistry} from "./interfaces/ITrustedIssuersRegistry.sol";

/// @title TrustedIssuersRegistry
/// @notice See {ITrustedIssuersRegistry}.
contract TrustedIssuersRegistry is ITrustedIssuersRegistry, AccessControl {
    /// @dev May onboard Root TAOs and change their status.
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");
    /// @dev Largest accreditation JWT accepted, in bytes.
    uint256 public constant MAX_BODY_BYTES = 16_384;
    /// @dev Most attributes one DID may hold (bounds {trustChainOf}'s work per DID).
    uint256 public constant MAX_ATTRIBUTES = 64;

    IDIDRegistry public immutable didRegistry;

    mapping(bytes32 didHash => bytes32[]) private _ids;
    bytes32[] private _issuers;
    mapping(bytes32 didHash => mapping(bytes32 attributeId => Attribute)) private _attributes;
    mapping(bytes32 didHash => mapping(bytes32 attributeId => Revision[])) private _revisions;

    constructor(IDIDRegistry registry, address governance) {
        didRegistry = registry;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _grantRole(GOVERNANCE_ROLE, governance);
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function onboardRoot(bytes32 rootDid, bytes32 attributeId, string calldata body, uint64 validFrom, uint64 validUntil)
        external
        onlyRole(GOVERNANCE_ROLE)
    {
        _requireRegistered(rootDid);
        _create(rootDid, attributeId, bytes32(0), bytes32(0), rootDid, IssuerType.RootTAO, body, validFrom, validUntil);
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function accredit(
        bytes32 parentDid,
        bytes32 parentAttributeId,
        bytes32 childDid,
        bytes32 attributeId,
        IssuerType childType,
        string calldata body,
        uint64 validFrom,
        uint64 validUntil
    ) external {
        _requireController(parentDid);
        _requireRegistered(childDid);
        Attribute storage parent = _attributes[parentDid][parentAttributeId];
        if (parent.issuerType == IssuerType.None) revert UnknownAttribute(parentDid, parentAttributeId);
        if (!_activeNow(parent)) revert ParentNotActive(parentDid, parentAttributeId);
        bool allowed = (childType == IssuerType.TAO || childType == IssuerType.TI)
            && (parent.issuerType == IssuerType.RootTAO || parent.issuerType == IssuerType.TAO);
        if (!allowed) revert AccreditationNotAllowed(uint8(parent.issuerType), uint8(childType));
        _create(childDid, attributeId, parentDid, parentAttributeId, parent.rootDid, childType, body, validFrom, validUntil);
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function setAttributeStatus(bytes32 actorDid, bytes32 didHash, bytes32 attributeId, Status status, uint8 reason)
        external
    {
        _requireController(actorDid);
        Attribute storage a = _existing(didHash, attributeId);
        if (a.parentDid != actorDid) revert NotParent(didHash, attributeId, actorDid);
        _revise(didHash, attributeId, a, status, reason);
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function revokeForCauseSince(
        bytes32 actorDid,
        bytes32 didHash,
        bytes32 attributeId,
        uint256 since,
        uint256 reason
    ) external {
        _requireController(actorDid);
        Attribute storage a = _existing(didHash, attributeId);
        if (a.parentDid != actorDid) revert NotParent(didHash, attributeId, actorDid);
        if (since > block.timestamp) revert EffectiveTimeInFuture(since, uint64(block.timestamp));
        if (reason > type(uint8).max) revert InvalidReason(reason);
        // `since` fits 64 bits from here: it is not after the block's time.
        if (since < a.validFrom) revert EffectiveTimeBeforeValidity(uint64(since), a.validFrom);
        _revise(didHash, attributeId, a, Status.Revoked, uint8(reason));
        emit AttributeRevokedForCause(didHash, attributeId, actorDid, uint8(reason), uint64(since));
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function setRootStatus(bytes32 rootDid, bytes32 attributeId, Status status, uint8 reason)
        external
        onlyRole(GOVERNANCE_ROLE)
    {
        Attribute storage a = _existing(rootDid, attributeId);
        if (a.issuerType != IssuerType.RootTAO) revert NotRootTAO(rootDid, attributeId);
        _revise(rootDid, attributeId, a, status, reason);
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function issuerCount() external view returns (uint256) {
        return _issuers.length;
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function issuersPage(uint256 start, uint256 count) external view returns (bytes32[] memory dids) {
        uint256 total = _issuers.length;
        uint256 end = start >= total ? start : (total - start < count ? total : start + count);
        dids = new bytes32[](end - start);
        for (uint256 i = start; i < end; ++i) {
            dids[i - start] = _issuers[i];
        }
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function attributeIds(bytes32 didHash) external view returns (bytes32[] memory) {
        return _ids[didHash];
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function attribute(bytes32 didHash, bytes32 attributeId)
        external
        view
        returns (Attribute memory, Revision[] memory)
    {
        return (_attributes[didHash][attributeId], _revisions[didHash][attributeId]);
    }

    /// @inheritdoc ITrustedIssuersRegistry
    function trustChainOf(bytes32 didHash, uint256 maxLinks) external view returns (Link[] memory links) {
        links = new Link[](maxLinks);
        bytes32[] memory queue = new bytes32[](maxLinks + 1);
        uint256 head;
        uint256 tail;
        uint256 count;
        queue[tail++] = didHash;
        while (head < tail && count < maxLinks) {
            bytes32 did = queue[head++];
            bytes32[] storage ids = _ids[did];
            for (uint256 i = 0; i < ids.length && count < maxLinks; ++i) {
                Attribute storage a = _attributes[did][ids[i]];
                links[count++] = Link(did, ids[i], a, _revisions[did][ids[i]]);
                if (a.parentDid != bytes32(0) && tail <= maxLinks && !_queued(queue, tail, a.parentDid)) {
                    queue[tail++] = a.parentDid;
                }
            }
        }
        assembly ("memory-safe") {
            mstore(links, count)
        }
    }

    function _queued(bytes32[] memory queue, uint256 tail, bytes32 did) private pure returns (bool) {
        for (uint256 i = 0; i < tail; ++i) {
            if (queue[i] == did) return true;
        }
        return false;
    }

    function _create(
        bytes32 did,
        bytes32 attributeId,
        bytes32 parentDid,
        bytes32 parentAttributeId,
        bytes32 rootDid,
        IssuerType issuerType,
        string calldata body,
        uint64 validFrom,
        uint64 validUntil
    ) private {
        if (bytes(body).length == 0 || bytes(body).length > MAX_BODY_BYTES) revert InvalidBody(bytes(body).length);
        if (validFrom == 0) validFrom = uint64(block.timestamp);
        if (validUntil <= validFrom || validUntil <= block.timestamp) revert InvalidValidity(validFrom, validUntil);
        if (_attributes[did][attributeId].issuerType != IssuerType.None) revert AttributeExists(did, attributeId);
        if (_ids[did].length >= MAX_ATTRIBUTES) revert TooManyAttributes(did);

        if (_ids[did].length == 0) _issuers.push(did);
        _ids[did].push(attributeId);
        _attributes[did][attributeId] = Attribute({
            parentDid: parentDid,
            parentAttributeId: parentAttributeId,
            rootDid: rootDid,
            bodyHash: sha256(bytes(body)),
            issuerType: issuerType,
            status: Status.Active,
            validFrom: validFrom,
            validUntil: validUntil,
            bodyBlock: uint64(block.number)
        });
        _revisions[did][attributeId].push(Revision(Status.Active, 0, uint64(block.timestamp), uint64(block.number)));
        emit AttributeBody(did, attributeId, body);
        emit AttributeRevised(did, attributeId, parentDid, uint8(issuerType), uint8(Status.Active), 0);
    }

    function _revise(bytes32 did, bytes32 attributeId, Attribute storage a, Status status, uint8 reason) private {
        Status current = a.status;
        bool allowed = (status == Status.Revoked && current != Status.Revoked)
            || (status == Status.Suspended && current == Status.Active)
            || (status == Status.Active && current == Status.Suspended);
        if (!allowed) revert InvalidStatusChange(uint8(current), uint8(status));
        a.status = status;
        _revisions[did][attributeId].push(Revision(status, reason, uint64(block.timestamp), uint64(block.number)));
        emit AttributeRevised(did, attributeId, a.parentDid, uint8(a.issuerType), uint8(status), reason);
    }

    function _existing(bytes32 did, bytes32 attributeId) private view returns (Attribute storage a) {
        a = _attributes[did][attributeId];
        if (a.issuerType == IssuerType.None) revert UnknownAttribute(did, attributeId);
    }

    function _activeNow(Attribute storage a) private view returns (bool) {
        return a.status == Status.Active && a.validFrom <= block.timestamp && block.timestamp < a.validUntil;
    }

    function _requireRegistered(bytes32 did) private view {
        (uint64 registeredAt,) = didRegistry.registration(did);
        if (registeredAt == 0) revert DIDNotRegistered(did);
    }

    function _requireController(bytes32 did) private view {
        if (!didRegistry.isController(did, msg.sender)) revert NotController(did, msg.sender);
    }
}
