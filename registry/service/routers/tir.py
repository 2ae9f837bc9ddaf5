"""Trusted issuers registry v5: issuers, their attributes (accreditations) and revisions, and the
issuer-signed status-list credentials published on-chain.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.accreditation import ISSUER_TYPES
from registry.formats.credential import iso
from registry.formats.did import check_party_did
from registry.ops.registry import Registry, did_hash, split_list_id
from registry.ops.statuslists import StatusLists
from registry.ops.trust import AttrStatus, ChainData, IssuerType, Link, Trust, changes_of, legal_names
from registry.service.deps import RegistryDep, SettingsDep
from registry.service.errors import Problem
from registry.service.names import did_names
from registry.service.pagination import Page, page_params, paginated
from registry.service.responses import JSONResponse
from registry.service.routers.common import parse_hex32, problems
from registry.service.schemas import Issuer, IssuerAttributeResponse, PaginatedList

router = APIRouter(prefix="/trusted-issuers-registry/v5", tags=["Trusted issuers registry (EBSI v5)"])
_PROXY = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _did(did: str) -> str:
    """A DID's syntax; a malformed did:ebsi is the client's mistake (400), not an issuer that is missing,
    as the DID registry answers it."""
    try:
        return check_party_did(did)
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-did") from exc


def _chain(registry: Registry, did: str) -> ChainData:
    """The issuer's attributes and everything above them; 404 when it holds none."""
    chain = Trust(registry, "").fetch([did])[did]
    if not chain.of(did_hash(did)):
        raise Problem(404, f"{did} holds no attribute in the trusted issuers registry", slug="issuer-not-found")
    return chain


def _ebsi_type(status: AttrStatus, issuer_type: IssuerType) -> str:
    """The issuerType an EBSI client reads: the accredited type only while the accreditation is in
    force, Revoked otherwise. Revoked while suspended too (with `status: "suspended"` beside it, and the
    type back once reinstated): EBSI's verifier library refuses an accreditation on issuerType
    "Revoked" alone and would take any other value, Undefined included, for one in force.
    """
    if status in (AttrStatus.REVOKED, AttrStatus.SUSPENDED):
        return "Revoked"
    return ISSUER_TYPES.get(int(issuer_type), "TI")


def _attribute(chain: ChainData, link: Link) -> dict[str, Any]:
    """EBSI's attribute shape, with `status: "suspended"` added while suspended (issuerType then
    reads Revoked; a reinstated accreditation reads exactly as before its suspension) and
    `revokedForCauseFrom` once revoked for cause.
    """
    tao = link.did_hash if link.issuer_type is IssuerType.ROOT_TAO else link.parent_did_hash
    attribute = {
        "hash": link.body_hash.hex(),
        "body": chain.bodies.get(link.key, ""),
        "issuerType": _ebsi_type(link.status, link.issuer_type),
        "tao": chain.name(tao),
        "rootTao": chain.name(link.root_did_hash),
    }
    if link.status is AttrStatus.SUSPENDED:
        attribute["status"] = "suspended"
    if link.cause_from:
        attribute["revokedForCauseFrom"] = iso(link.cause_from)
    return attribute


def _link(chain: ChainData, did: str, attribute_id: str) -> Link:
    link = chain.links.get((did_hash(did), parse_hex32(attribute_id, "the attribute id")))
    if link is None:
        raise Problem(404, f"{did} has no attribute {attribute_id}", slug="attribute-not-found")
    return link


@router.get("/issuers", response_model=PaginatedList, responses=problems(400, 503))
def list_issuers(request: Request, registry: RegistryDep, page: Annotated[Page, Depends(page_params)]) -> Any:
    """DIDs holding at least one attribute, in the order they were first accredited: items {did, href}."""
    (total,) = registry.client.call(registry.tir.issuer_count())
    start, count = page.bounds(int(total))
    items: list[dict[str, str]] = []
    if count:
        (hashes,) = registry.client.call(registry.tir.issuers_page(start, count))
        names = did_names(registry, [bytes(h) for h in hashes])
        base = str(request.url_for("get_issuer", did="_")).removesuffix("_")
        items = [{"did": n, "href": base + n} for n in names if n is not None]
    return paginated(request, page, items, int(total))


@router.get("/issuers/{did}", response_model=Issuer, responses=problems(400, 404, 503))
def get_issuer(did: str, registry: RegistryDep) -> Any:
    """The issuer and all its attributes: {did, attributes: [{hash, body, issuerType, tao, rootTao}]}.

    A suspended accreditation is not in force: its issuerType reads Revoked and it carries
    `status: "suspended"`; once reinstated it reads as before.
    """
    chain = _chain(registry, _did(did))
    # A Response skips FastAPI's re-validation of what we built; the shape is the response_model's
    # (tests/service/test_service_read.py checks these answers against the published OpenAPI schemas).
    return JSONResponse({"did": did, "attributes": [_attribute(chain, link) for link in chain.of(did_hash(did))]})


@router.get("/issuers/{did}/attributes", response_model=PaginatedList, responses=problems(400, 404, 503))
def list_attributes(
    did: str, request: Request, registry: RegistryDep, page: Annotated[Page, Depends(page_params)]
) -> Any:
    """The issuer's attribute ids: items {id (64 hex, no 0x), href}."""
    (ids,) = registry.client.call(registry.tir.attribute_ids(did_hash(_did(did))))
    if not ids:
        raise Problem(404, f"{did} holds no attribute in the trusted issuers registry", slug="issuer-not-found")
    start, count = page.bounds(len(ids))
    base = str(request.url_for("get_attribute", did=did, attribute_id="_")).removesuffix("_")
    items = [{"id": bytes(i).hex(), "href": base + bytes(i).hex()} for i in ids[start : start + count]]
    return paginated(request, page, items, len(ids))


@router.get(
    "/issuers/{did}/attributes/{attribute_id}",
    response_model=IssuerAttributeResponse,
    responses=problems(400, 404, 503),
)
def get_attribute(did: str, attribute_id: str, registry: RegistryDep) -> Any:
    """One attribute: {did, attribute: {hash, body, issuerType, tao, rootTao}} (issuerType Revoked and
    `status: "suspended"` while the accreditation is suspended).
    """
    chain = _chain(registry, _did(did))
    return JSONResponse({"did": did, "attribute": _attribute(chain, _link(chain, did, attribute_id))})


@router.get(
    "/issuers/{did}/attributes/{attribute_id}/revisions",
    response_model=PaginatedList,
    responses=problems(400, 404, 503),
)
def list_revisions(
    did: str,
    attribute_id: str,
    request: Request,
    registry: RegistryDep,
    page: Annotated[Page, Depends(page_params)],
) -> Any:
    """The attribute's append-only history, oldest first: items {revision, change, status, issuerType,
    reason, reasonText, timestamp, effectiveFrom, blockNumber, actor, actorName}; issuerType is what the
    attribute read at that revision (Revoked while suspended or once revoked; `status` tells which), change says what
    the revision did (accredited or onboarded, suspended, reinstated, revoked, revoked for cause),
    effectiveFrom when it took effect (its timestamp, but for a revocation for cause the earlier date
    its revoker stated, from which the accreditation is void) and actor who made it (the DID that
    granted the attribute, or the registry's governance for a Root TAO; actorName its legal name, as
    its own accreditation states it, or null): the same history
    `registry issuer history` prints (registry/ops/trust/history.py).
    """
    chain = _chain(registry, _did(did))
    link = _link(chain, did, attribute_id)
    changes = changes_of(chain, link, legal_names(chain))
    start, count = page.bounds(len(changes))
    items = [
        {
            "revision": c.revision,
            "change": c.change,
            "status": c.status.name.lower(),
            "issuerType": _ebsi_type(c.status, link.issuer_type),
            "reason": c.reason,
            "reasonText": c.reason_text,
            "timestamp": iso(c.timestamp),
            "effectiveFrom": iso(c.effective),
            "blockNumber": c.block,
            "actor": c.actor,
            "actorName": c.actor_name,
        }
        for c in changes[start : start + count]
    ]
    return paginated(request, page, items, len(changes))


@router.get(
    "/issuers/{did}/proxies/{proxy_id}/credentials/status/{list_id}",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {}}, "description": "the status-list credential (JWT)"},
        **problems(400, 404, 409, 503),
    },
)
def get_status_list(did: str, proxy_id: str, list_id: int, registry: RegistryDep, settings: SettingsDep) -> Any:
    """The issuer-signed StatusList2021 credential, as published on-chain by `proxyId` (the account
    that writes the list); `list_id` is purpose << 32 | number.

    409 when a status word changed after the publication: the list is then known to be outdated
    and is not served as current; the issuer must publish again.
    """
    _did(did)
    if not _PROXY.fullmatch(proxy_id):
        raise Problem(400, "proxyId must be the 0x address that writes the list", slug="invalid-input")
    if not 0 <= list_id < 2**33:
        raise Problem(400, f"status list id {list_id} is out of range", slug="invalid-input")
    purpose, number = split_list_id(list_id)
    state = registry.resolve(did)
    if state.controller_window(proxy_id) is None:
        raise Problem(404, f"{proxy_id.lower()} never controlled {did}", slug="status-list-not-found")
    publication = StatusLists(registry, settings.public_url).published(proxy_id, purpose, number)
    if publication is None or _issuer_of(publication.credential) != did:
        raise Problem(404, f"{did} never published status list {list_id}", slug="status-list-not-found")
    if not publication.current:
        raise Problem(
            409,
            "the status list published in block "
            f"{publication.block} is outdated: a status changed since; the issuer must publish it again",
            slug="status-list-stale",
            title="Published status list is outdated",
            publishedBlock=publication.block,
        )
    return PlainTextResponse(publication.credential, headers={"X-Published-Block": str(publication.block)})


def _issuer_of(token: str) -> str | None:
    try:
        iss = jwt.parse(token).payload.get("iss")
    except InputError:
        return None
    return iss if isinstance(iss, str) else None
