"""The API's request and response bodies, as published in /openapi.json.

Our own answers are not declared here: the verification and issuer-check reports are the types ops
declares beside the `to_json` that builds them (registry/ops/verify/shapes.py,
registry/ops/trust/shapes.py), imported below, so the document says what the CLI's `--json` says.

What stays declared here is on purpose:
- EBSI's shapes (`Issuer`, `IssuerAttribute`, `IssuerAttributeResponse`, `Timestamp`, the pagination
  of `PaginatedList`): EBSI's wire, not ours. The routers build them from ops' data (a `Link`'s
  bytes and integer types become EBSI's hex and `issuerType` words, an Anchored event becomes
  `timestampedBy`), so no ops type has these fields to reuse; EBSI clients read them as they are.
- `Problem`: RFC 7807, the service's own error answer.
- Requests (`VerifyRequest`, the write bodies): what a client may send, with the bounds the
  service enforces on it; ops takes Python arguments, not bodies.
- `UnsignedTransaction`, `SentTransaction`, `Receipt`: what the service's write routes answer; ops
  has no report for them (the service builds the transaction, the client signs it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, with_config

from registry.ops.trust.shapes import LinkCheck, TrustReport
from registry.ops.verify.shapes import Check, PassportReport, VerifyReport

ADDRESS = r"^0x[0-9a-fA-F]{40}$"
HEX32 = r"^(0x)?[0-9a-fA-F]{64}$"
DID = r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$"


class Problem(BaseModel):
    """RFC 7807 problem details (served as application/problem+json)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class Links(BaseModel):
    first: str
    prev: str
    next: str
    last: str


class ListItem(BaseModel):
    """An entry of a list: its identifier and the URL of its resource."""

    model_config = ConfigDict(extra="allow")
    href: str


class PaginatedList(BaseModel):
    self: str
    items: list[dict[str, Any]]
    total: int
    pageSize: int
    links: Links


class RecognitionDecisionList(PaginatedList):
    authority: str = Field(description="the authority's DID")
    authority_name: str | None = Field(description="its legal name, as its accreditation states it (null: none)")


class IssuerAttribute(BaseModel):
    hash: str = Field(description="sha256 of `body`, 64 hex characters")
    body: str = Field(description="the accreditation credential (JWT)")
    issuerType: Literal["RootTAO", "TAO", "TI", "Revoked"] = Field(
        description="the accredited type while the accreditation is in force; Revoked once revoked, and "
        "while it is suspended (not in force, see `status`): EBSI's verifier library refuses on Revoked alone"
    )
    tao: str = Field(description="the DID that accredited this issuer (itself for a Root TAO)")
    rootTao: str
    status: Literal["suspended"] | None = Field(
        default=None,
        description="not an EBSI field: present only while the accreditation is suspended (issuerType then "
        "reads Revoked); reinstating it restores its type and removes this field. Its `/revisions` keep its "
        "history, the type it was accredited as included",
    )
    revokedForCauseFrom: str | None = Field(
        default=None,
        description="not an EBSI field: present only when the accreditation was revoked for cause, the date "
        "(ISO 8601 UTC) from which it is void, stated by the party that revoked it; an ordinary revocation takes "
        "effect when it is made (its `/revisions`). A verifier asking about a credential issued before that date "
        "may still accept it (policy `issuance`); one issued on or after it is refused",
    )


class Issuer(BaseModel):
    did: str
    attributes: list[IssuerAttribute]


class IssuerAttributeResponse(BaseModel):
    did: str
    attribute: IssuerAttribute


class Timestamp(BaseModel):
    hash: str = Field(description="the anchored value, 0x + 64 hex")
    timestampedBy: str = Field(description="the account that anchored it")
    blockNumber: int
    timestamp: str = Field(description="the block's time, ISO 8601 UTC")
    transactionHash: str
    data: str = Field(description="the Anchored event's data: the ABI-encoded cohort size (1 for one credential)")


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential: str | dict[str, Any] = Field(
        description="a compact JWT-VC, a holder file (as a JSON object or as its text), or the text of a printed "
        "passport's QR code (SKC1: + Base45 of the deflated holder file)"
    )
    at: str | None = Field(
        default=None,
        description="A date or date-time, read as `registry verify --at` reads it (a bare date: the end of "
        "that day, UTC): was it valid then?",
    )
    trustList: list[str] | None = Field(
        default=None,
        max_length=100,
        description="the Root TAO DIDs you accept; default: the service's trust list (`serve --trust-list`)",
    )
    audience: str | None = Field(
        default=None,
        max_length=2048,
        description="passports only: who you are; a passport whose aud does not name you is refused",
    )
    nonce: str | None = Field(
        default=None,
        max_length=2048,
        description="passports only: the challenge you gave the holder; a passport without it is refused",
    )
    recognisedIn: str | None = Field(
        default=None,
        max_length=2048,
        description=(
            "a destination authority (its DID, or its name in the service's trust list): its recognition "
            "decisions are applied to the report (`recognition`); default: the operator's (`serve --recognised-in`)"
        ),
    )
    accreditationPolicy: Literal["issuance", "now"] = Field(
        default="issuance",
        description=(
            "which accreditation the issuer must hold: the one in force when the credential was anchored "
            "(issuance, the default) or the one in force at the time asked (now, as EBSI's verifier library)"
        ),
    )


# The reports' JSON is declared once, in ops, beside the `to_json` that builds it (mypy holds one to
# the other); these are those types. The published schema is stricter than ops needs to say: a
# report has no member beyond its own (additionalProperties false), as before, and the passport's
# `holder` keeps its description (its attribute docstring).
for _report in (VerifyReport, PassportReport):
    with_config(ConfigDict(extra="forbid", use_attribute_docstrings=True))(_report)
for _part in (Check, TrustReport, LinkCheck):
    with_config(ConfigDict())(_part)  # its own, so it does not take a report's extra="forbid"


class TrustedRoot(BaseModel):
    did: str
    name: str | None


class ServiceTrustList(BaseModel):
    """The service's own trust list (`registry serve --trust-list`), by name."""

    configured: bool
    name: str | None
    roots: list[TrustedRoot]


# -- writes -------------------------------------------------------------------------------


class PublicKey(BaseModel):
    """A public JWK (EC: kty, crv, x, y; OKP: kty, crv, x)."""

    model_config = ConfigDict(extra="allow")
    kty: str = Field(max_length=8)
    crv: str = Field(max_length=16)
    x: str = Field(max_length=64)
    y: str | None = Field(default=None, max_length=64)


class BuildBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender: str = Field(alias="from", pattern=ADDRESS, description="the account that will sign")


class RegisterDid(BuildBase):
    did: str = Field(pattern=DID, max_length=128)
    controllerJwk: PublicKey = Field(description="the sender's secp256k1 public key")


class AddKey(BuildBase):
    did: str = Field(pattern=DID, max_length=128)
    publicKeyJwk: PublicKey
    relationships: int = Field(
        ge=1,
        le=15,
        description="bits: 1 authentication, 2 assertionMethod, 4 capabilityInvocation, 8 capabilityDelegation",
    )
    notBefore: int = Field(default=0, ge=0, le=2**64 - 1)
    notAfter: int = Field(default=0, ge=0, le=2**64 - 1)
    possessionSignature: str = Field(default="0x", pattern=r"^0x([0-9a-fA-F]{2})*$", max_length=300)


class Accredit(BuildBase):
    parentDid: str = Field(pattern=DID, max_length=128)
    parentAttributeId: str = Field(pattern=HEX32)
    childDid: str = Field(pattern=DID, max_length=128)
    attributeId: str = Field(pattern=HEX32)
    issuerType: Literal["TAO", "TI"]
    body: str = Field(min_length=1, max_length=65_536, description="the accreditation JWT, signed by the parent")
    validFrom: int = Field(default=0, ge=0, le=2**64 - 1)
    validUntil: int = Field(ge=0, le=2**64 - 1)


class AttributeStatus(BuildBase):
    actorDid: str = Field(pattern=DID, max_length=128)
    did: str = Field(pattern=DID, max_length=128)
    attributeId: str = Field(pattern=HEX32)
    status: Literal["active", "suspended", "revoked"]
    reason: int = Field(default=0, ge=0, le=255)


class Anchor(BuildBase):
    did: str = Field(pattern=DID, max_length=128, description="the issuer DID the sender speaks for")
    hash: str = Field(pattern=HEX32)


class AnchorCohort(BuildBase):
    did: str = Field(pattern=DID, max_length=128)
    root: str = Field(pattern=HEX32)
    count: int = Field(ge=1, le=2**32 - 1)


class SetStatus(BuildBase):
    did: str = Field(pattern=DID, max_length=128)
    purpose: Literal["revocation", "suspension"]
    listNumber: int = Field(ge=0, le=2**32 - 1, description="the list number among the sender's lists of that purpose")
    index: int = Field(ge=0, lt=131_072)
    reason: int = Field(default=0, ge=0, le=255)


class UpdateStatus(BuildBase):
    did: str = Field(pattern=DID, max_length=128)
    purpose: Literal["revocation", "suspension"]
    listNumber: int = Field(ge=0, le=2**32 - 1, description="the list number among the sender's lists of that purpose")
    indexes: list[int] = Field(min_length=1, max_length=10_000)
    set: bool
    reason: int = Field(default=0, ge=0, le=255)


class PublishStatusList(BuildBase):
    did: str = Field(pattern=DID, max_length=128)
    purpose: Literal["revocation", "suspension"]
    listNumber: int = Field(ge=0, le=2**32 - 1, description="the list number among the sender's lists of that purpose")
    credential: str = Field(min_length=1, max_length=65_536, description="the status-list credential JWT")


class UnsignedTransaction(BaseModel):
    """Sign this with the sender's key (eth_account: Account.sign_transaction(tx)) and send it back."""

    operation: str
    contract: str
    function: str
    transaction: dict[str, Any] = Field(description="to, data, value, gas, nonce, chainId and fee fields")


class SendTransaction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signedRawTransaction: str = Field(pattern=r"^0x([0-9a-fA-F]{2})+$", max_length=300_000)
    did: str | None = Field(
        default=None,
        pattern=DID,
        max_length=128,
        description="for credential-registry calls (anchor, status, status lists): the DID the signer speaks for",
    )
    waitForReceipt: bool = False


class Receipt(BaseModel):
    status: int
    blockNumber: int
    gasUsed: int


class SentTransaction(BaseModel):
    transactionHash: str
    signer: str
    contract: str
    function: str
    receipt: Receipt | None = None


class SchemaListItem(BaseModel):
    schemaId: str
    href: str
