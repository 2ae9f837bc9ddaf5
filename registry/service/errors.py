"""RFC 7807 problem+json: every error the service returns, mapped in this one place."""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.chain.client import shown_url
from registry.errors import (
    ChainUnavailable,
    ConfigError,
    DeploymentMismatch,
    InputError,
    RegistryError,
    StateError,
    TransactionReverted,
)
from registry.service.responses import JSONResponse
from registry.text import shown_lines

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("registry.service")


class _Inert(logging.Filter):
    """The service's log quotes what clients and nodes said: written inert (registry/text.py), so
    that text cannot drive the operator's terminal (erase lines, fake entries)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = shown_lines(record.getMessage()), None
        return True


log.addFilter(_Inert())


# What clients read instead of the node's URL: it is internal, and may carry credentials
# (https://user:key@provider/...). The service's own log keeps the full message, credentials
# redacted (registry.chain.client.shown_url).
CHAIN_NODE = "the service's chain node"


class Redactor:
    """Replaces the service's JSON-RPC URLs (and their credentials, host:port) in text sent to clients."""

    def __init__(self, urls: Iterable[str]) -> None:
        secrets: set[str] = set()
        for url in urls:
            if not url:
                continue
            secrets.update((url, url.rstrip("/"), url.rstrip("/") + "/", shown_url(url)))
            try:
                parts = urllib.parse.urlsplit(url)
            except ValueError:
                continue
            if parts.netloc:  # user:key@host:port, and host:port
                secrets.update((parts.netloc, parts.netloc.rpartition("@")[2]))
        secrets.discard("")
        self._secrets = tuple(secrets)
        alternatives = "|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True))
        # Text whose JSON form would spell a secret differently (escaped) is always walked.
        self._json_escaped = any(json.dumps(s, ensure_ascii=False)[1:-1] != s for s in secrets)
        # "cannot reach the chain at URL", "the node at URL answered ...": the phrase replaces both words.
        self._pattern = re.compile(rf"(?:the (?:chain|node) at )?(?:{alternatives})") if alternatives else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub(CHAIN_NODE, text) if self._pattern is not None else text

    def may_name(self, json_text: str) -> bool:
        """Whether `json_text` (a JSON document) may name the node; False is certain."""
        if self._pattern is None:
            return False
        return self._json_escaped or any(secret in json_text for secret in self._secrets)

    def json(self, value: Any, named: set[str] | None = None) -> Any:
        """`value` (JSON data) with every string redacted; the strings that named the node are
        added to `named` (for the service's log)."""
        if isinstance(value, str):
            redacted = self(value)
            if named is not None and redacted != value:
                named.add(value)
            return redacted
        if isinstance(value, dict):
            return {k: self.json(v, named) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v, named) for v in value]
        return value


def problem_type(slug: str) -> str:
    # A URN, not a URL: nothing is served at it, and a URL would promise a page.
    return f"urn:skills-registry:problem:{slug}"


class Problem(Exception):
    """An error answer: status, a short title, what happened, and machine-readable extras."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers or {}
        self.extra = extra


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(problem.slug) if problem.slug else "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    body.update(problem.extra)
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers)


def from_registry_error(exc: RegistryError) -> Problem:
    if isinstance(exc, InputError):
        return Problem(400, str(exc), slug="invalid-input")
    if isinstance(exc, TransactionReverted):
        return Problem(
            422, str(exc), slug="transaction-refused", title="The contract refuses this call", error=exc.error_name
        )
    if isinstance(exc, ChainUnavailable):
        return Problem(503, str(exc), slug="chain-unavailable", title="The chain cannot be reached")
    if isinstance(exc, DeploymentMismatch):
        return Problem(503, str(exc), slug="deployment-mismatch", title="The chain does not hold our contracts")
    if isinstance(exc, ConfigError):
        return Problem(503, str(exc), slug="misconfigured", title="The service is misconfigured")
    if isinstance(exc, StateError):  # its own files (a full disk, a read-only directory): its log says which
        detail = "the service cannot read or write its own files just now; try again later (its operator is told why)"
        return Problem(503, detail, slug="storage-unavailable", title="The service's storage is unavailable")
    return Problem(500, "internal error", slug="internal")


def redactor(request: Request) -> Redactor:
    """The redactor of this service's node URLs (kept by its ChainAccess)."""
    found = getattr(getattr(request.app.state, "chain", None), "redact", None)
    return found if isinstance(found, Redactor) else Redactor(request.app.state.settings.rpc_urls)


def _body_hint(request: Request, errors: Any) -> str | None:
    """What to send instead, for the body mistakes a person makes by hand (curl): not JSON, JSON
    without its Content-Type, or a holder file posted as it is instead of inside {"credential": ...}."""
    kinds = {str(e.get("type")) for e in errors if tuple(e.get("loc", ()))[:1] == ("body",)}
    if "json_invalid" in kinds:
        error = next(e for e in errors if e.get("type") == "json_invalid")
        place = tuple(error.get("loc", ()))[1:2]
        why = (error.get("ctx") or {}).get("error") or "not JSON"
        return f"the body is not valid JSON ({why}{f' at character {place[0]}' if place else ''})"
    if any(e.get("type") == "missing" and tuple(e.get("loc", ())) == ("body",) for e in errors):
        return 'the body is empty: send a JSON object (for /verify: {"credential": the file, its JWT or its QR text})'
    if "model_attributes_type" in kinds:
        if "json" not in request.headers.get("content-type", ""):
            return "the body must be a JSON object sent with the header Content-Type: application/json"
        return 'the body must be a JSON object (for /verify: {"credential": the file, its JWT or its QR text})'
    extra = {tuple(e.get("loc", ()))[1:2] for e in errors if e.get("type") == "extra_forbidden"}
    missing = [tuple(e.get("loc", ()))[1] for e in errors if e.get("type") == "missing" and len(e.get("loc", ())) == 2]
    if request.url.path.rstrip("/") == "/verify" and ("presentation",) in extra:
        return 'this is a skills passport file posted as it is: send it as {"credential": <the file>}'
    if request.url.path.rstrip("/") == "/verify" and {("format",), ("anchor",), ("registry",)} & extra:
        return 'this is a credential file posted as it is: send it as {"credential": <the file>}'
    if ("format",) in extra and len(missing) == 1:  # a file posted bare where the body holds it under a name
        return f'this is a file posted as it is: send it as {{"{missing[0]}": <the file>}}'
    return None


def _unparsed_body(cause: BaseException | None) -> str:
    """Why FastAPI could not parse a body it took for JSON (it says only "There was an error parsing
    the body"), and what to send instead."""
    if isinstance(cause, RecursionError):
        why = "it is nested too deeply"
    elif isinstance(cause, UnicodeDecodeError):
        why = "it is not UTF-8 text"
    elif isinstance(cause, ValueError) and "digits" in str(cause):
        why = "it holds a number of more than 4,300 digits"
    else:
        why = "it is not valid JSON"
    send = '{"credential": the file, its JWT or its QR text}'
    return f"the body could not be read: {why}; send a JSON object (for /verify: {send})"


def install(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_registry_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RegistryError)
        problem = from_registry_error(exc)
        if problem.status == 503:
            # The node's URL stays in our log; the client reads the reason without it.
            log.warning("%s %s: %s", request.method, request.url.path, exc)
            problem.detail = redactor(request)(problem.detail)
        return problem_response(problem, request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        elif exc.status_code == 400 and detail == "There was an error parsing the body":  # FastAPI's words
            detail = _unparsed_body(exc.__cause__)
        return problem_response(Problem(exc.status_code, detail, headers=dict(exc.headers or {})), request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"location": "request", "message": "invalid"}
        detail = _body_hint(request, exc.errors()) or f"{first['location']}: {first['message']}"
        return problem_response(Problem(400, detail, slug="invalid-request", errors=errors), request.url.path)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem_response(Problem(500, "internal error", slug="internal"), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RegistryError, on_registry_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
