// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IDIDRegistry} from "./interfaces/IDIDRegistry.sol";
import {IRecognitionRegistry} from "./interfaces/IRecognitionRegistry.sol";
import {ITrustedIssuersRegistry} from "./interfaces/ITrustedIssuersRegistry.sol";

/// @title RecognitionRegistry
/// @notice See {IRecognitionRegistry}.
contract RecognitionRegistry is IRecognitionRegistry {
    /// @dev Largest decision document accepted, in bytes.
    uint256 public constant MAX_DOCUMENT_BYTES = 8192;
    /// @dev Most decisions one authority may publish (bounds {decisionIds}).
    uint256 public constant MAX_DECISIONS = 1024;
    /// @dev The first four bytes of the attribute id a Root TAO gives a TAO's accreditation for
    /// recognition decisions (keccak256 of the type it grants, `RecognitionDecision`).
    bytes4 private constant RECOGNITION_PURPOSE = bytes4(keccak256("RecognitionDecision"));

    IDIDRegistry public immutable didRegistry;
    ITrustedIssuersRegistry public immutable trustRegistry;

    mapping(bytes32 authorityDid => bytes32[]) private _ids;
    mapping(bytes32 decisionId => Decision) private _decisions;
    mapping(bytes32 decisionId => Revision[]) private _revisions;

    constructor(IDIDRegistry dids, ITrustedIssuersRegistry tir) {
        didRegistry = dids;
        trustRegistry = tir;
    }

    /// @inheritdoc IRecognitionRegistry
    function publish(
        bytes32 authorityDid,
        bytes32 authorityAttributeId,
        string calldata document,
        uint64 validFrom,
        uint64 validUntil
    ) external returns (bytes32 decisionId) {
        _requireController(authorityDid);
        bytes32 rootDid = _requireAuthority(authorityDid, authorityAttributeId);
        uint256 length = bytes(document).length;
        if (length == 0 || length > MAX_DOCUMENT_BYTES) revert InvalidDocument(length);
        if (validFrom == 0) validFrom = uint64(block.timestamp);
        if (validUntil <= validFrom || validUntil <= block.timestamp) revert InvalidValidity(validFrom, validUntil);
        decisionId = sha256(bytes(document));
        if (_decisions[decisionId].status != Status.None) revert DecisionExists(decisionId);
        if (_ids[authorityDid].length >= MAX_DECISIONS) revert TooManyDecisions(authorityDid);

        _ids[authorityDid].push(decisionId);
        _decisions[decisionId] = Decision({
            authorityDid: authorityDid,
            authorityAttributeId: authorityAttributeId,
            rootDid: rootDid,
            status: Status.Active,
            validFrom: validFrom,
            validUntil: validUntil,
            documentBlock: uint64(block.number)
        });
        _revisions[decisionId].push(Revision(Status.Active, 0, uint64(block.timestamp), uint64(block.number)));
        emit DecisionDocument(decisionId, authorityDid, document);
        emit DecisionRevised(decisionId, authorityDid, uint8(Status.Active), 0);
    }

    /// @inheritdoc IRecognitionRegistry
    function setDecisionStatus(bytes32 authorityDid, bytes32 decisionId, Status status, uint8 reason) external {
        _requireController(authorityDid);
        Decision storage d = _decisions[decisionId];
        Status current = d.status;
        if (current == Status.None) revert UnknownDecision(decisionId);
        if (d.authorityDid != authorityDid) revert NotDecisionAuthority(decisionId, authorityDid);
        bool allowed = (status == Status.Revoked && current != Status.Revoked)
            || (status == Status.Suspended && current == Status.Active)
            || (status == Status.Active && current == Status.Suspended);
        if (!allowed) revert InvalidDecisionStatusChange(uint8(current), uint8(status));
        d.status = status;
        _revisions[decisionId].push(Revision(status, reason, uint64(block.timestamp), uint64(block.number)));
        emit DecisionRevised(decisionId, authorityDid, uint8(status), reason);
    }

    /// @inheritdoc IRecognitionRegistry
    function decisionIds(bytes32 authorityDid) external view returns (bytes32[] memory) {
        return _ids[authorityDid];
    }

    /// @inheritdoc IRecognitionRegistry
    function decision(bytes32 decisionId) external view returns (Decision memory, Revision[] memory) {
        return (_decisions[decisionId], _revisions[decisionId]);
    }

    /// @dev The authority's attribute must be a Root TAO onboarding, or a TAO accreditation for
    /// recognition decisions granted by the Root TAO itself (its id begins with RECOGNITION_PURPOSE),
    /// active now; returns the root of its tree.
    function _requireAuthority(bytes32 did, bytes32 attributeId) private view returns (bytes32) {
        (ITrustedIssuersRegistry.Attribute memory a,) = trustRegistry.attribute(did, attributeId);
        if (a.issuerType != ITrustedIssuersRegistry.IssuerType.RootTAO) {
            if (a.issuerType != ITrustedIssuersRegistry.IssuerType.TAO) {
                revert NotRecognitionAuthority(did, attributeId, uint8(a.issuerType));
            }
            if (a.parentDid != a.rootDid || bytes4(attributeId) != RECOGNITION_PURPOSE) {
                revert NotAccreditedForRecognition(did, attributeId);
            }
        }
        bool active = a.status == ITrustedIssuersRegistry.Status.Active && a.validFrom <= block.timestamp
            && block.timestamp < a.validUntil;
        if (!active) revert AuthorityNotActive(did, attributeId);
        return a.rootDid;
    }

    function _requireController(bytes32 did) private view {
        if (!didRegistry.isController(did, msg.sender)) revert NotController(did, msg.sender);
    }
}
