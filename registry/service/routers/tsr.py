"""Trusted schemas registry v3: the JSON schemas our credentials name, by content-derived id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from registry.service.errors import Problem
from registry.service.pagination import Page, page_params, paginated
from registry.service.responses import JSONResponse
from registry.service.routers.common import problems
from registry.service.schemas import PaginatedList
from registry.service.trusted_schemas import trusted_schemas

router = APIRouter(prefix="/trusted-schemas-registry/v3", tags=["Trusted schemas registry (EBSI v3)"])


@router.get("/schemas", response_model=PaginatedList, responses=problems(400))
def list_schemas(request: Request, page: Annotated[Page, Depends(page_params)]) -> Any:
    """The schemas served here: items {schemaId, href}."""
    ids = sorted(trusted_schemas())
    start, count = page.bounds(len(ids))
    base = str(request.url_for("get_schema", schema_id="_")).removesuffix("_")
    return paginated(request, page, [{"schemaId": i, "href": base + i} for i in ids[start : start + count]], len(ids))


@router.get(
    "/schemas/{schema_id}",
    responses={200: {"content": {"application/schema+json": {}}, "description": "the JSON schema"}, **problems(404)},
)
def get_schema(schema_id: str) -> JSONResponse:
    """The schema whose id is multibase base58btc(sha256(RFC 8785 canonical JSON of the schema))."""
    schema = trusted_schemas().get(schema_id)
    if schema is None:
        raise Problem(404, f"no schema {schema_id[:80]}", slug="schema-not-found")
    return JSONResponse(schema, media_type="application/schema+json")
