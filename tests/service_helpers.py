"""Assertions shared by the service tests (a plain module: pytest_plugins must not import it)."""

from __future__ import annotations

import httpx


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict:  # type: ignore[type-arg]
    """An RFC 7807 answer: the status, problem+json, and the fields every problem has."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if slug is not None:
        assert body["type"] == f"urn:skills-registry:problem:{slug}"
    return body
