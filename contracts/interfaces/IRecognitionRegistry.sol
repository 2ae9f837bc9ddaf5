// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IRegistryErrors} from "./IRegistryErrors.sol";

/// @title Recognition decisions of destination authorities
/// @notice A destination authority (a DID holding an active Root TAO onboarding, or an active TAO
/// accreditation for recognition decisions granted by a Root TAO, in the trusted issuers registry)
/// publishes recognition decisions: "credentials
/// of these types, at these EQF levels, from issuers under root R are recognised here as national
/// qualification Q, level N of framework F". The decision itself is a JSON document
/// (`registry-recognition-decision/1`, no personal data) whose sha256 is the decision's id; its
/// text is emitted once in {DecisionDocument}, in the block kept as `documentBlock`. Stored is only
/// what the contract enforces: the authority, the authority's accreditation and root, the validity
/// window and the status with its append-only history (published, suspended, reinstated, revoked,
/// each with time, block and reason code), as the trusted issuers registry keeps accreditations.
///
/// DIDs are `keccak256(bytes(did))`; who controls a DID is the DID registry's answer.
/// `NotController` and `InvalidValidity` come from {IRegistryErrors}.
interface IRecognitionRegistry is IRegistryErrors {
    /// @dev A decision's status. Active <-> Suspended; either -> Revoked, which is final.
    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @dev One decision, by `authorityDid`, published under its accreditation
    /// `authorityAttributeId` in the tree of Root TAO `rootDid`; applies in [validFrom, validUntil)
    /// (seconds) while active; its document was emitted in block `documentBlock`.
    struct Decision {
        bytes32 authorityDid;
        bytes32 authorityAttributeId;
        bytes32 rootDid;
        Status status;
        uint64 validFrom;
        uint64 validUntil;
        uint64 documentBlock;
    }

    /// @dev One entry of a decision's append-only status history.
    struct Revision {
        Status status;
        uint8 reason;
        uint64 timestamp;
        uint64 blockNumber;
    }

    /// @dev A decision with this id (the document's sha256) was already published.
    error DecisionExists(bytes32 decisionId);
    /// @dev No decision with this id.
    error UnknownDecision(bytes32 decisionId);
    /// @dev The authority's attribute is neither a Root TAO's onboarding nor a TAO's accreditation
    /// (a TI, an unknown attribute): it may not publish recognition decisions.
    /// @param issuerType the attribute's issuer type in the trusted issuers registry, as a number
    error NotRecognitionAuthority(bytes32 authorityDid, bytes32 attributeId, uint8 issuerType);
    /// @dev The authority's attribute is a TAO's accreditation, but not one for recognition decisions:
    /// a recognition body is a TAO accredited by the Root TAO itself (its parent is its root) under an
    /// attribute id that begins with RECOGNITION_PURPOSE, the Root TAO's statement, at accreditation
    /// time, that the accreditation is for that purpose (the accreditation credential's scope names the
    /// type `RecognitionDecision`, which verifiers check too).
    error NotAccreditedForRecognition(bytes32 authorityDid, bytes32 attributeId);
    /// @dev The authority's accreditation is not active now (suspended, revoked, outside its window).
    error AuthorityNotActive(bytes32 authorityDid, bytes32 attributeId);
    /// @dev Only the authority that published a decision may change it.
    /// @param caller the DID the sender acted for
    error NotDecisionAuthority(bytes32 decisionId, bytes32 caller);
    /// @dev The requested status change is not allowed (revocation is final; no-op changes are refused).
    /// @param from the decision's current {Status}, as a number
    /// @param to the {Status} asked for, as a number
    error InvalidDecisionStatusChange(uint8 from, uint8 to);
    /// @dev The decision document is empty or larger than MAX_DOCUMENT_BYTES (8,192).
    error InvalidDocument(uint256 length);
    /// @dev An authority has reached MAX_DECISIONS (1,024) decisions.
    error TooManyDecisions(bytes32 authorityDid);

    /// @notice A decision was published; `document` is its JSON text (sha256(document) == decisionId).
    event DecisionDocument(bytes32 indexed decisionId, bytes32 indexed authorityDid, string document);
    /// @notice A decision was published or its status changed (an appended revision).
    /// @param status the decision's new {Status}, as a number
    /// @param reason the application reason code of the change (0 on publication)
    event DecisionRevised(bytes32 indexed decisionId, bytes32 indexed authorityDid, uint8 status, uint8 reason);

    /// @notice The authority (sender controls `authorityDid`, whose attribute `authorityAttributeId`
    /// is an active Root TAO onboarding, or a TAO accreditation for recognition decisions granted by
    /// its Root TAO: {NotAccreditedForRecognition}) publishes a decision.
    /// @param document the decision's JSON text (1 to MAX_DOCUMENT_BYTES bytes); its sha256 is the id
    /// @param validFrom the first second the decision applies (0: now; may be in the past)
    /// @param validUntil the first second after it (after validFrom and in the future)
    /// @return decisionId sha256 of `document`
    function publish(
        bytes32 authorityDid,
        bytes32 authorityAttributeId,
        string calldata document,
        uint64 validFrom,
        uint64 validUntil
    ) external returns (bytes32 decisionId);

    /// @notice The authority that published a decision (sender controls `authorityDid`) suspends,
    /// reinstates or revokes it.
    /// @param reason an application reason code carried by {DecisionRevised}
    function setDecisionStatus(bytes32 authorityDid, bytes32 decisionId, Status status, uint8 reason) external;

    /// @notice The ids of an authority's decisions, in publication order.
    function decisionIds(bytes32 authorityDid) external view returns (bytes32[] memory);

    /// @notice One decision and its whole history.
    function decision(bytes32 decisionId) external view returns (Decision memory, Revision[] memory);
}
