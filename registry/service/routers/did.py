"""DID registry v5: the list of identifiers and DID documents (optionally as of a time)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request

from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.did import check_did, check_ebsi_did
from registry.formats.didkey import resolve_did_key
from registry.ops.documents import document_from_state
from registry.service.deps import LazyRegistryDep, RegistryDep
from registry.service.errors import Problem
from registry.service.names import did_names
from registry.service.pagination import Page, page_params, paginated
from registry.service.responses import JSONResponse
from registry.service.routers.common import parse_at, problems
from registry.service.schemas import PaginatedList

router = APIRouter(prefix="/did-registry/v5", tags=["DID registry (EBSI v5)"])
DID_LD_JSON = "application/did+ld+json"
_ACCEPTABLE = ("application/did+ld+json", "application/json", "application/*", "*/*", "application/did+json")


def media_type(accept: str | None) -> str:
    """application/did+ld+json when the client asks for it, else application/json; 406 if neither fits."""
    if not accept:
        return "application/json"
    ranges = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if DID_LD_JSON in ranges:
        return DID_LD_JSON
    if any(r in _ACCEPTABLE for r in ranges):
        return "application/json"
    raise Problem(406, f"DID documents are served as {DID_LD_JSON} or application/json", slug="not-acceptable")


@router.get("/identifiers", response_model=PaginatedList, responses=problems(400, 503))
def list_identifiers(request: Request, registry: RegistryDep, page: Annotated[Page, Depends(page_params)]) -> Any:
    """Registered DIDs, oldest first: items are {did, href}."""
    (total,) = registry.client.call(registry.dids.did_count())
    start, count = page.bounds(int(total))
    items: list[dict[str, str]] = []
    if count:
        hashes, blocks = registry.client.call(registry.dids.dids_page(start, count))
        names = did_names(registry, [bytes(h) for h in hashes], [int(b) for b in blocks])
        base = str(request.url_for("get_identifier", did="_")).removesuffix("_")
        items = [{"did": n, "href": base + n} for n in names if n is not None]
    return paginated(request, page, items, int(total))


@router.get(
    "/identifiers/{did}",
    responses={
        200: {"content": {DID_LD_JSON: {}, "application/json": {}}, "description": "the DID document"},
        **problems(400, 404, 406, 503),
    },
)
def get_identifier(
    did: str,
    lazy_registry: LazyRegistryDep,
    valid_at: Annotated[
        str | None, Query(alias="valid-at", description="ISO 8601: the document as it stood then")
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """The DID document. did:ebsi from the chain; did:key resolved locally (it is its own document)."""
    kind = media_type(accept)
    at = parse_at(valid_at, "valid-at")
    try:
        check_did(did)
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-did") from exc
    if did.startswith("did:key:"):
        try:
            document: dict[str, Any] = resolve_did_key(did)
        except InputError as exc:
            raise Problem(400, str(exc), slug="invalid-did") from exc
        return JSONResponse(document, media_type=kind)
    if not did.startswith("did:ebsi:"):
        raise Problem(
            404, f"this registry holds did:ebsi identifiers (and resolves did:key), not {did}", slug="did-not-found"
        )
    try:
        check_ebsi_did(did)  # a malformed one is the client's mistake, not a DID that is missing
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-did") from exc
    state = lazy_registry().resolve(did)
    when = at if at is not None else int(time.time())
    if not state.registered or state.registered_at > when:
        suffix = f" on {iso(when)}" if state.registered else ""
        raise Problem(404, f"{did} is not registered{suffix}", slug="did-not-found")
    return JSONResponse(document_from_state(state, when), media_type=kind)
