"""The application factory: routers, problem+json errors, abuse limits, CORS, static pages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from registry import __version__
from registry.config import Settings
from registry.service import errors, openapi
from registry.service.chain import ChainAccess
from registry.service.config import ServiceConfig
from registry.service.middleware import (
    WORKER_THREADS,
    BlockHeader,
    BodyLimit,
    FamilyLimit,
    RateLimit,
    ReadCache,
    ReadDeadline,
)
from registry.service.proxyhint import ProxyHint
from registry.service.responses import JSONResponse
from registry.service.routers import (
    did,
    health,
    logbook,
    pages,
    recognition,
    timestamps,
    tir,
    transactions,
    tsr,
    verify,
)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Routes run in anyio's worker threads: more of them than its default 40, so requests stuck on
    # a slow upstream (each bounded by FamilyLimit) leave threads for everyone else.
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(settings: Settings, config: ServiceConfig | None = None) -> FastAPI:
    """A service instance for one deployment. Reads the deployment file now (a missing or
    malformed one fails at start-up); the chain itself is first asked on the first request.
    """
    config = config or ServiceConfig()
    app = FastAPI(
        title="Skills credential registry",
        version=__version__,
        description=(
            "EBSI-compatible read APIs (DID registry v5, trusted issuers registry v5, timestamps v4, "
            "trusted schemas registry v3), credential verification, and client-signed issuer writes. "
            "Errors are RFC 7807 application/problem+json. Every chain-derived answer carries "
            "X-Block-Number: the block it was read at."
        ),
        docs_url=None,  # served by the pages router, from local copies of Swagger UI and ReDoc
        redoc_url=None,
        default_response_class=JSONResponse,
        lifespan=_lifespan,
    )
    app.state.settings, app.state.config = settings, config
    app.state.chain = ChainAccess(settings, config.head_max_age_s)
    app.state.probe_log = health.ProbeLog()  # one per process, made before any probe can race to make it
    errors.install(app)
    openapi.install(app)
    routers = (did.router, tir.router, timestamps.router, tsr.router, verify.router, recognition.router,
               transactions.router, logbook.router, health.router, pages.router)  # fmt: skip
    for router in routers:
        app.include_router(router)
    static = Path(str(resources.files("registry.service") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.mount(pages.DOCS_ASSETS, StaticFiles(directory=pages.docs_assets_directory()), name="docs-assets")
    # Starlette wraps each added middleware around the previous ones: the last added runs first.
    # So CORS is outermost (its headers reach even 429/413 answers), then the rate limit, then the
    # body cap and deadline (the whole body read before anything else), then the route family's
    # slot (so a body that trickles in holds none); then the read cache, which replays whole
    # answers (X-Block-Number included) computed at the current head. Innermost, the request's
    # deadline for its chain reads.
    # Sending a transaction may wait for its receipt as well (receipt_timeout_s).
    send = {"/api/transactions/send": config.request_deadline_s + config.receipt_timeout_s}
    forget = app.state.chain.cache.clear  # an answer that did not decode may have been cached: never reuse it
    app.add_middleware(ReadDeadline, seconds=config.request_deadline_s, longer=send, on_bad_answer=forget)
    app.add_middleware(BlockHeader)
    app.add_middleware(ReadCache, access=app.state.chain)
    paths = [getattr(route, "path", "") for router in routers for route in router.routes]
    paths += [app.openapi_url or "", "/static", pages.DOCS_ASSETS]
    app.add_middleware(FamilyLimit, families=frozenset(p.lstrip("/").split("/", 1)[0] for p in paths))
    app.add_middleware(BodyLimit, limit=config.max_body_bytes, deadline_s=config.body_deadline_s)
    if config.rate_per_s > 0:
        app.add_middleware(RateLimit, rate_per_s=config.rate_per_s, burst=config.burst)
    if config.proxy_headers is False:  # behind a proxy, every client would share one limit: said once
        app.add_middleware(ProxyHint)
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Accept", "Cache-Control"],
            expose_headers=["X-Block-Number", "X-Published-Block"],
        )
    return app
