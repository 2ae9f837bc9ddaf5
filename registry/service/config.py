"""Service settings (on top of the chain `Settings`): abuse limits, CORS, head freshness."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024  # a 1 MiB holder file, JSON-escaped inside a request body
DEFAULT_RATE_PER_S = 50.0
DEFAULT_BURST = 100
DEFAULT_HEAD_MAX_AGE_S = 0.25
DEFAULT_RECEIPT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ServiceConfig:
    # Largest request body accepted (413 beyond).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # Token bucket per client address: `rate_per_s` tokens a second, at most `burst` saved up.
    # A rate of 0 turns rate limiting off (benchmarks, or a limit enforced by a proxy in front).
    rate_per_s: float = DEFAULT_RATE_PER_S
    burst: int = DEFAULT_BURST
    # Origins allowed to call the API from a browser on another site; empty means same-origin only.
    cors_origins: tuple[str, ...] = ()
    # How old the known chain head may be before a request asks the node again. Reads are
    # answered "as of" that head (and say which in X-Block-Number); 0 asks on every request.
    # A request with `Cache-Control: no-cache` always gets a fresh head.
    head_max_age_s: float = DEFAULT_HEAD_MAX_AGE_S
    # How long POST /api/transactions/send waits for a receipt when one is asked for.
    receipt_timeout_s: float = DEFAULT_RECEIPT_TIMEOUT_S
