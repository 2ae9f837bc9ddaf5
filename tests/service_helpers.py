"""Assertions shared by the service tests (a plain module: pytest_plugins must not import it)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import httpx
import uvicorn

from registry.chain.node import free_port
from registry.config import Settings
from registry.service.app import create_app
from registry.service.config import ServiceConfig


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


@dataclass
class RunningService:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_service(settings: Settings, config: ServiceConfig) -> RunningService:
    """uvicorn serving create_app(settings, config) on a free loopback port, in a thread."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.02)
    return RunningService(f"http://127.0.0.1:{port}", server, thread)
