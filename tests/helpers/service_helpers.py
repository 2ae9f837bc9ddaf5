"""Assertions shared by the service tests (a plain module: pytest_plugins must not import it)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from registry.chain.node import free_port
from registry.config import Settings
from registry.service.app import create_app
from registry.service.config import ServiceConfig
from registry.service.protocol import HeadCappedProtocol


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
        uvicorn.Config(
            create_app(settings, config), host="127.0.0.1", port=port, log_level="warning", http=HeadCappedProtocol
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.02)
    return RunningService(f"http://127.0.0.1:{port}", server, thread)


@contextmanager
def serve_process(home: Path, rpc: str, deployment: Path, *options: str) -> Iterator[str]:
    """`registry serve` as users run it, in its own process (uvicorn and all); yields its URL once
    it answers, and stops it after."""
    port = free_port()
    argv = [sys.executable, "-m", "registry", "--home", str(home), "serve", "--port", str(port),
            "--rpc", rpc, "--deployment", str(deployment), *options]  # fmt: skip
    # Its log goes to a file, not a pipe nobody reads while it runs: a module of node faults logs
    # a line per 503 (20 KB in one run), and a full pipe (64 KiB) would stop the server mid-request.
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(url + "/trusted-schemas-registry/v3/schemas", timeout=5)
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"the service did not start: {log.read()}") from None
                    time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
