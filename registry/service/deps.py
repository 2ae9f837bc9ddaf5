"""FastAPI dependencies: the settings, the chain access and a per-request pinned registry.

The ones that only look something up are `async`: FastAPI runs a plain `def` dependency in its
thread pool, and a hop to a thread and back for each costs more than the lookup itself. Only
`get_registry`, which may ask the node for its head, stays a `def`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Header, Request

from registry.config import Settings
from registry.ops.registry import Registry
from registry.service.chain import ChainAccess, PinnedClient
from registry.service.config import ServiceConfig


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_config(request: Request) -> ServiceConfig:
    config: ServiceConfig = request.app.state.config
    return config


async def get_access(request: Request) -> ChainAccess:
    access: ChainAccess = request.app.state.chain
    return access


def wants_fresh(cache_control: str | None) -> bool:
    return cache_control is not None and any(
        d.strip() in ("no-cache", "max-age=0") for d in cache_control.lower().split(",")
    )


def _pinned(request: Request, access: ChainAccess, fresh: bool) -> Registry:
    """The registry pinned to the current head; the head is recorded for the X-Block-Number header."""
    registry = access.registry(fresh=fresh)
    assert isinstance(registry.client, PinnedClient)
    request.state.block = registry.client.head.number
    request.state.head = registry.client.head
    return registry


def get_registry(
    request: Request,
    access: Annotated[ChainAccess, Depends(get_access)],
    cache_control: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Registry:
    return _pinned(request, access, wants_fresh(cache_control))


async def get_lazy_registry(
    request: Request,
    access: Annotated[ChainAccess, Depends(get_access)],
    cache_control: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Callable[[], Registry]:
    """For routes that answer some requests without the chain, or turn its absence into a verdict."""
    return partial(_pinned, request, access, wants_fresh(cache_control))


SettingsDep = Annotated[Settings, Depends(get_settings)]
ConfigDep = Annotated[ServiceConfig, Depends(get_config)]
AccessDep = Annotated[ChainAccess, Depends(get_access)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
LazyRegistryDep = Annotated[Callable[[], Registry], Depends(get_lazy_registry)]
