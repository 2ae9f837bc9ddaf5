"""Turn contract reverts into sentences.

Contracts revert with custom errors (`NotController(didHash, account)`); this module finds the
error by its 4-byte selector in our ABIs, decodes its arguments and renders a plain sentence
for the CLI and the API.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from registry.chain.artifacts import ALL_CONTRACTS, abi
from registry.chain.codec import decode
from registry.formats.eth import keccak_text

# One sentence per custom error; fields are the error's argument names. An error that two contracts
# share (contracts/interfaces/IRegistryErrors.sol) has one selector and so one sentence.
SENTENCES: dict[str, str] = {
    "DIDAlreadyRegistered": "this DID is already registered",
    "DIDNotRegistered": "DID {didHash} is not registered in the DID registry",
    "NotController": "account {account} does not control DID {didHash}",
    "SenderKeyMismatch": "the first key must be the sender's own secp256k1 key "
    "(key account {expected}, sender {sender})",
    "InvalidVerificationMethod": "this key type/relationship combination is not allowed (key type {keyType}, "
    "relationship bits {relationships}: a key needs a type and relationships from 1 to 15, and "
    "capabilityInvocation needs a secp256k1 key)",
    "InvalidValidity": "the validity window from {start} to {end} (Unix seconds) is not acceptable: it must be "
    "non-empty and not over, a new key's may not start in the past, and an expiry may only shorten a key's window",
    "DuplicateKey": "this public key is already in the DID document",
    "UnknownVerificationMethod": "the DID document has no key at position {index}",
    "KeyPossessionNotProven": "the new controller key did not sign its consent (expected {expected}, got {recovered})",
    "InvalidDID": "a DID must be 1 to 128 bytes long (this one has {length})",
    "AlreadyAnchored": "account {account} already anchored {value}",
    "EmptyCohort": "a cohort must contain at least one credential",
    "LengthMismatch": "two argument lists differ in length ({left} and {right})",
    "WordOutOfRange": "status word {word} is beyond the end of the list",
    "IndexOutOfRange": "status index {index} is beyond the end of the list (131,072 entries)",
    "InvalidMask": "invalid status mask for word {word}: it must name at least one of the word's 224 entries "
    "and nothing else",
    "RevocationIsFinal": "a revocation cannot be undone (revocation list {list})",
    "StatusAlreadySet": "entries of status word {word} of list {listId} are already set: "
    "a revocation or suspension is recorded once and never overwritten",
    "StatusNotSet": "entries of status word {word} of list {listId} are not set: there is nothing to clear",
    "InvalidListId": "status list id {listId} is out of range",
    "InvalidCredential": "a published status-list credential must be 1 to 65,536 bytes (got {length})",
    "AccessControlUnauthorizedAccount": "account {account} is not the registry's governance (it lacks the role "
    "this needs): only governance may do this",
    "AccessControlBadConfirmation": "an account can only renounce its own roles",
    "AttributeExists": "this accreditation id is already used for this DID",
    "UnknownAttribute": "no accreditation {attributeId} for this DID",
    "ParentNotActive": "the accrediting party's own accreditation is not active",
    "AccreditationNotAllowed": "this party may not accredit that kind of issuer (a Root TAO or TAO accredits "
    "TAOs and TIs; a TI accredits nobody)",
    "NotParent": "only the party that granted this accreditation may change it",
    "NotRootTAO": "accreditation {attributeId} is not a Root TAO's onboarding: its parent changes it, not governance",
    "InvalidStatusChange": "that status change is not allowed (a revocation is final; suspend an active "
    "accreditation, reinstate a suspended one)",
    "InvalidBody": "the accreditation credential is empty or too large ({length} bytes)",
    "TooManyAttributes": "this DID already holds the maximum number of accreditations (64)",
    "EffectiveTimeInFuture": "a revocation for cause reaches back, never forward: the date stated ({since}, Unix "
    "seconds) is later than the block's time ({blockTime})",
    "EffectiveTimeBeforeValidity": "the date stated for the revocation for cause ({since}, Unix seconds) is before "
    "the accreditation's validity began ({validFrom}): give a date within it",
    "InvalidReason": "a reason code is a number from 0 to 255, not {reason}",
    "DecisionExists": "recognition decision {decisionId} is already published (the same document)",
    "UnknownDecision": "there is no recognition decision {decisionId}",
    "NotRecognitionAuthority": "accreditation {attributeId} of the authority is not a Root TAO's or TAO's: "
    "only an accredited authority publishes recognition decisions",
    "NotAccreditedForRecognition": "accreditation {attributeId} of the authority is a TAO's, but not one for "
    "recognition decisions granted by its Root TAO",
    "AuthorityNotActive": "the authority's accreditation {attributeId} is not active now",
    "NotDecisionAuthority": "only the authority that published recognition decision {decisionId} may change it",
    "InvalidDecisionStatusChange": "that status change is not allowed (a revocation is final; suspend a "
    "published decision, reinstate a suspended one)",
    "InvalidDocument": "the recognition decision document is empty or too large ({length} bytes)",
    "TooManyDecisions": "this authority already published the maximum number of recognition decisions (1,024)",
}


def _format(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


@cache
def _selectors() -> dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    table: dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    for contract in ALL_CONTRACTS:
        for item in abi(contract):
            if item.get("type") != "error":
                continue
            types = tuple(_abi_type(i) for i in item["inputs"])
            names = tuple(i["name"] for i in item["inputs"])
            signature = f"{item['name']}({','.join(types)})"
            table[keccak_text(signature)[:4]] = (item["name"], types, names)
    return table


def _abi_type(item: dict[str, Any]) -> str:
    kind: str = item["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in item["components"])
        return f"({inner}){kind[5:]}"
    return kind


def decode_revert(data: str | bytes | None) -> tuple[str | None, tuple[Any, ...], str]:
    """Return (error name, args, sentence) for revert data; unknown data gets a generic sentence."""
    if data is None:
        return None, (), "the contract refused the call without a reason"
    raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else data
    if len(raw) < 4:
        return None, (), "the contract refused the call without a reason"
    entry = _selectors().get(raw[:4])
    if entry is None:
        return None, (), f"the contract refused the call (unknown error 0x{raw[:4].hex()})"
    name, types, names = entry
    try:
        args = tuple(decode(list(types), raw[4:]))
    except Exception:  # malformed revert data from a contract that is not ours
        return name, (), f"the contract refused the call ({name})"
    template = SENTENCES.get(name)
    fields = {n: _format(a) for n, a in zip(names, args, strict=True)}
    sentence = template.format(**fields) if template else f"{name}({', '.join(fields.values())})"
    return name, args, sentence
