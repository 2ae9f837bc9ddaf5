"""The published OpenAPI document, made to say what the service really answers.

FastAPI documents a 422 `HTTPValidationError` on every route that takes parameters or a body;
this service answers a malformed request with a 400 problem+json (errors.py), and on the write
routes a 422 means "the contract refuses this call". So the default 422 goes, a 400 problem takes
its place, and every error answer is documented as what it is: application/problem+json with the
Problem schema. The rate limit (429) and, for routes with a body, the body cap (413) apply to
every route, so every route says so.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from registry.service.errors import PROBLEM_JSON

_PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": dict(_PROBLEM_SCHEMA)}}}


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def tidy(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite FastAPI's document in place (and return it)."""
    for path_item in document.get("paths", {}).values():
        for method in _METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            if "422" in responses and _is_fastapi_validation(responses["422"]):
                del responses["422"]
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    response["content"] = {PROBLEM_JSON: {"schema": dict(_PROBLEM_SCHEMA)}}
            if (operation.get("parameters") or operation.get("requestBody")) and "400" not in responses:
                responses["400"] = _problem("the request is malformed (problem details, RFC 7807)")
            if operation.get("requestBody") and "413" not in responses:
                responses["413"] = _problem("the request body is over the size cap")
            if "429" not in responses:
                responses["429"] = _problem("too many requests from this client: wait `Retry-After` seconds")
            operation["responses"] = dict(sorted(responses.items()))
    schemas = document.get("components", {}).get("schemas", {})
    for name in _VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    text = json.dumps(document)
    for name in _VALIDATION_SCHEMAS:
        assert f"#/components/schemas/{name}" not in text, name
    return document


def install(app: FastAPI) -> None:
    generate = app.openapi  # FastAPI's own, which builds the document once and keeps it

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = tidy(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
