"""`registry serve`: the service's own command (registry/service/cli.py), offered here so that
one `registry` command runs everything. Its options are the service's; loading this module
loads only typer and the service's configuration, not FastAPI or uvicorn."""

from __future__ import annotations

from registry.service.cli import serve

HELP = "Run the registry service (EBSI-style REST API, /verify, web page)."

__all__ = ["HELP", "serve"]
