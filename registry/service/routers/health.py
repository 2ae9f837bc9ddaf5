"""`/health` for a load balancer or an uptime monitor in front of several service processes.

200 when this process answers and its node serves our deployment (the same check every chain
answer makes: chain id, the deployment block's hash, code); 503 as a problem otherwise, naming
what is wrong (node unreachable, another deployment, a node still syncing, with `--max-block-age` a
node whose newest block is older than that) without naming the node. HEAD is answered too, as
monitors often send it; so is HEAD on the page.

A load balancer probes every second or so: a failing probe is logged once when probes start failing
(and when the reason changes), and once when they pass again, with how many failed; not each time.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import APIRouter, Request

from registry.errors import RegistryError
from registry.formats.credential import iso
from registry.service.config import ServiceConfig
from registry.service.deps import AccessDep, ConfigDep, LazyRegistryDep
from registry.service.errors import Problem, from_registry_error, log, redactor
from registry.service.routers.common import problems

router = APIRouter(tags=["Service"])


class ProbeLog:
    """This process's record of failing probes: one log line when they start failing (or fail for
    another reason), one when they pass again with the count; nothing for the probes in between."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reason: str | None = None  # the problem's slug while failing
        self.failed = 0
        self.since = 0.0

    def failing(self, slug: str, detail: str) -> None:
        with self._lock:
            if self.reason is None:
                self.failed, self.since = 0, time.time()
            self.failed += 1
            if self.reason == slug:
                return
            self.reason = slug
        log.warning("GET /health fails (%s): %s; said once, until it passes again", slug, detail)

    def passing(self) -> None:
        with self._lock:
            if self.reason is None:
                return
            failed, since, self.reason = self.failed, self.since, None
        log.warning("GET /health passes again, after %d failed probes since %s", failed, iso(int(since)))


class Unhealthy(Exception):
    """The problem that makes this process unfit to answer now, and what the log says of it (the
    node's URL stays in the log, out of the answer)."""

    def __init__(self, problem: Problem, said: str | None = None) -> None:
        super().__init__(problem.detail)
        self.problem = problem
        self.said = said or problem.detail


def _head(request: Request, config: ServiceConfig, get_registry: Any) -> tuple[Any, int]:
    """The head this process reads at and its age in seconds, or Unhealthy."""
    try:
        registry = get_registry()
        syncing = registry.client.syncing()
    except RegistryError as exc:
        problem = from_registry_error(exc)
        if problem.status != 503:
            raise
        problem.detail = redactor(request)(problem.detail)
        raise Unhealthy(problem, str(exc)) from None
    head = request.state.head  # the head the registry was pinned at, our deployment checked there
    age = max(0, int(time.time()) - head.timestamp)
    if syncing:
        raise Unhealthy(
            Problem(
                503,
                f"the service's chain node reports it is still syncing: its newest block, {head.number}, is {age} s "
                'old, so every answer about now is "could not determine"; wait for it to catch up, or point the '
                "service at a node in sync (--rpc)",
                slug="node-syncing",
                title="The chain node is still syncing",
                headers={"Retry-After": "10"},
            )
        )
    limit = config.max_block_age_s
    if limit is not None and age > limit:
        raise Unhealthy(
            Problem(
                503,
                f"the service's chain node has no block newer than {head.number}, {age} s old, more than "
                f"--max-block-age {limit:g} s: it may have stopped following its network; check the node, or point "
                "the service at one in sync (--rpc)",
                slug="node-behind",
                title="The chain node is behind its network",
                headers={"Retry-After": "10"},
            )
        )
    return head, age


@router.get("/health", responses=problems(503))
@router.head("/health", include_in_schema=False)
def health(request: Request, access: AccessDep, config: ConfigDep, get_registry: LazyRegistryDep) -> dict[str, Any]:
    """Whether this service can answer from its chain now: the head it reads at and how old the
    head's block is (a node that stopped following its network shows here as a growing age, and as
    a 503 beyond `--max-block-age` when that is set). A node that reports it is still syncing is a
    503: every answer about now would be "could not determine"."""
    probes: ProbeLog = request.app.state.probe_log  # made with the app (create_app)
    try:
        head, age = _head(request, config, get_registry)
    except Unhealthy as unhealthy:
        probes.failing(unhealthy.problem.slug or "", unhealthy.said)
        raise unhealthy.problem from None
    probes.passing()
    return {
        "status": "ok",
        "block": head.number,
        "block_time": iso(head.timestamp),
        "block_age_s": age,
        "chain_id": access.deployment.chain_id,
    }
