"""`/health` for a load balancer or an uptime monitor in front of several service processes.

200 when this process answers and its node serves our deployment (the same check every chain
answer makes: chain id, the deployment block's hash, code); 503 as a problem otherwise, naming
what is wrong (node unreachable, another deployment, a node still syncing) without naming the node. HEAD is answered
too, as monitors often send it; so is HEAD on the page.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request

from registry.formats.credential import iso
from registry.service.deps import AccessDep, RegistryDep
from registry.service.errors import Problem
from registry.service.routers.common import problems

router = APIRouter(tags=["Service"])


@router.get("/health", responses=problems(503))
@router.head("/health", include_in_schema=False)
def health(request: Request, access: AccessDep, registry: RegistryDep) -> dict[str, Any]:
    """Whether this service can answer from its chain now: the head it reads at and how old the
    head's block is (a node that stopped following its network shows here as a growing age). A node
    that reports it is still syncing is a 503: every answer about now would be "could not determine"."""
    head = request.state.head  # the head RegistryDep read and checked our deployment at
    if registry.client.syncing():
        age = max(0, int(time.time()) - head.timestamp)
        raise Problem(
            503,
            f"the service's chain node reports it is still syncing: its newest block, {head.number}, is {age} s "
            'old, so every answer about now is "could not determine"; wait for it to catch up, or point the '
            "service at a node in sync (--rpc)",
            slug="node-syncing",
            title="The chain node is still syncing",
            headers={"Retry-After": "10"},
        )
    return {
        "status": "ok",
        "block": head.number,
        "block_time": iso(head.timestamp),
        "block_age_s": max(0, int(time.time()) - head.timestamp),
        "chain_id": access.deployment.chain_id,
    }
