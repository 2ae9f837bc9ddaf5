"""A service behind a reverse proxy, started without `--proxy-headers`: said once in its log.

The rate limit and the count of large bodies received at once are per client address
(middleware.py). Behind a proxy, without `--proxy-headers`, every request comes from the proxy's
address: all clients share one bucket and one count, and one busy client makes everyone's requests
429 or 503. A request carrying X-Forwarded-For (or Forwarded) is the cheap sign; the first one a
process sees makes one warning naming the option, and every request after it costs one flag check.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("registry.service")

_FORWARDED = (b"x-forwarded-for", b"forwarded")


def forwarded_warning(proxy: str) -> str:
    return (
        f"requests arrive through a proxy at {proxy} (X-Forwarded-For), but --proxy-headers is off: every client "
        "behind it counts as that one address, so they share one rate limit (--rate, --burst) and one count of "
        f"large bodies; restart with --proxy-headers --forwarded-allow-ips {proxy}"
    )


class ProxyHint:
    """Added by `create_app` only when `registry serve` runs without `--proxy-headers`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.told = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.told and scope["type"] == "http" and any(k in _FORWARDED for k, _ in scope.get("headers", ())):
            self.told = True
            client: Any = scope.get("client")
            log.warning("%s", forwarded_warning(str(client[0]) if client else "an unknown address"))
        await self.app(scope, receive, send)
