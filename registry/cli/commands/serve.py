"""`registry serve`: the service's own command (registry/service/cli.py), offered here so that
one `registry` command runs everything. Its options are the service's; loading this module
loads only typer and the service's configuration, not FastAPI or uvicorn."""

from __future__ import annotations

from registry.service.cli import serve

HELP = """Run the registry service: a web page and an API where anyone can verify a credential.

Also the EBSI-compatible registry APIs (DIDs, trusted issuers, status lists) and the logbook boxes of
`logbook sync`; its settings are below. Each number may be set in the environment instead, as
REGISTRY_SERVICE_ and the option's name (REGISTRY_SERVICE_RATE, REGISTRY_SERVICE_MAX_BODY, ...); the option
wins. Behind a proxy or load balancer give --proxy-headers: the rate limit and the body cap count per client
address."""

__all__ = ["HELP", "serve"]
