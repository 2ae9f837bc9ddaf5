"""Service settings (on top of the chain `Settings`): abuse limits, CORS, head freshness."""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from registry.config import Settings
from registry.errors import InputError, SettingsError

if TYPE_CHECKING:
    from registry.ops.trust import TrustList

# Requests must come back fast or not at all: a node that hangs must not hold a worker for long.
DEFAULT_RPC_TIMEOUT_S = 5.0
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024  # a 1 MiB holder file, JSON-escaped inside a request body
DEFAULT_BODY_DEADLINE_S = 30.0  # that much at 70 KB/s; a body slower than that is cut (408)
# Per client address. Sized for one ecosystem verifier checking a passport of 20 credentials through
# EBSI's libraries: they ask about 8 requests per credential (12 for the first of an issuer), all
# at once (the presentation library verifies its credentials concurrently), so 160 requests arrive
# in under a second (measured: tests/interop/test_ebsi_libraries.py); the burst holds them with a
# margin, and the rate refills a burst in two seconds. docs/INTEROP.md, "Rate limits".
DEFAULT_RATE_PER_S = 100.0
DEFAULT_BURST = 200
DEFAULT_HEAD_MAX_AGE_S = 0.25
DEFAULT_RECEIPT_TIMEOUT_S = 30.0
# All the chain reads of one request end within this (each JSON-RPC request within the RPC timeout).
DEFAULT_REQUEST_DEADLINE_S = 8.0


@dataclass(frozen=True)
class ServiceConfig:
    # Largest request body accepted (413 beyond), and how long it may take to arrive whole (408 beyond).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_deadline_s: float = DEFAULT_BODY_DEADLINE_S
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
    # Seconds within which all the chain reads of one request end (503 beyond), however slowly
    # the node answers; the RPC timeout bounds each JSON-RPC request inside it.
    request_deadline_s: float = DEFAULT_REQUEST_DEADLINE_S
    # The authority's own trust list (`registry serve --trust-list FILE...`): the roots POST /verify,
    # the issuer check and the web page accept when a request names none of its own.
    trust_list: TrustList | None = None
    # Without any trust list (neither the request's nor the service's), a genuine credential's root
    # is one nobody said they trust: "root not trusted", never "valid". `registry serve` sets it
    # (from_environment); an app built in Python without it accepts any root this registry's
    # governance onboarded and names it, as `Verifier` does by default.
    require_trusted_root: bool = False
    # The directory of published programmes and of the boxes entry files wait in for their next
    # signer (`registry serve --logbook-dir`, ops/logbook/store.py); shared by every worker process
    # (and every machine, on a network file system). None: the logbook routes that keep state answer 404.
    logbook_dir: Path | None = None
    # The destination authority whose recognition decisions /verify and the page apply (`registry serve
    # --recognised-in`, a DID or a name in the service's trust list); None: no recognition finding.
    recognised_in: str | None = None
    # Whether uvicorn reads X-Forwarded-For (`registry serve --proxy-headers`); False: a request that
    # carries one is said once in the log (proxyhint.py); None (an app built in Python): not known.
    proxy_headers: bool | None = None
    # How old the node's newest block may be before /health answers 503 node-behind (`registry serve
    # --max-block-age`, REGISTRY_SERVICE_MAX_BLOCK_AGE): a node that stopped following its network
    # without saying so. None (the default): off, as a quiet chain (anvil, a dev chain mining only
    # when there are transactions) has old blocks and is healthy.
    max_block_age_s: float | None = None


# Each numeric setting: the `registry serve` option that sets it, its least value, and whether that
# value itself is allowed. A deadline of nan never ran out, a negative rate let every request
# through, and a body cap of 0 or a timeout of 0 made every request fail: refused at start instead.
_LIMITS: dict[str, tuple[str, float, bool, str]] = {
    "REGISTRY_SERVICE_RPC_TIMEOUT": ("--rpc-timeout", 0.0, False, "seconds"),
    "REGISTRY_SERVICE_DEADLINE": ("--deadline", 0.0, False, "seconds"),
    "REGISTRY_SERVICE_RATE": ("--rate", 0.0, True, "requests a second (0: no limit)"),
    "REGISTRY_SERVICE_BURST": ("--burst", 1.0, True, "requests"),
    "REGISTRY_SERVICE_MAX_BODY": ("--max-body", 1.0, True, "bytes"),
    "REGISTRY_SERVICE_HEAD_MAX_AGE": ("--head-max-age", 0.0, True, "seconds (0: ask on every request)"),
    "REGISTRY_SERVICE_MAX_BLOCK_AGE": ("--max-block-age", 0.0, False, "seconds (unset: no limit)"),
}


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if not value:
        return default
    option, least, inclusive, unit = _LIMITS.get(name, (name, -math.inf, True, ""))
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and (number >= least if inclusive else number > least):
        return number
    bound = f"at least {least:g}" if inclusive else f"more than {least:g}"
    raise SettingsError(f"{option} ({name}) must be a number of {unit}, {bound}, not {value!r}")


def from_environment(env: Mapping[str, str]) -> tuple[Settings, ServiceConfig]:
    """Settings for a worker process (uvicorn --workers starts each from an import string)."""
    rpc = env.get("REGISTRY_RPC_URL")
    deployment = env.get("REGISTRY_DEPLOYMENT")
    settings = Settings(
        rpc_urls=(rpc,) if rpc else (),
        deployment_path=Path(deployment) if deployment else None,
        rpc_timeout_s=_float(env, "REGISTRY_SERVICE_RPC_TIMEOUT", DEFAULT_RPC_TIMEOUT_S),
    )
    origins = tuple(o.strip() for o in env.get("REGISTRY_SERVICE_CORS_ORIGINS", "").split(",") if o.strip())
    config = ServiceConfig(
        max_body_bytes=int(_float(env, "REGISTRY_SERVICE_MAX_BODY", DEFAULT_MAX_BODY_BYTES)),
        rate_per_s=_float(env, "REGISTRY_SERVICE_RATE", DEFAULT_RATE_PER_S),
        burst=int(_float(env, "REGISTRY_SERVICE_BURST", DEFAULT_BURST)),
        cors_origins=origins,
        head_max_age_s=_float(env, "REGISTRY_SERVICE_HEAD_MAX_AGE", DEFAULT_HEAD_MAX_AGE_S),
        request_deadline_s=_float(env, "REGISTRY_SERVICE_DEADLINE", DEFAULT_REQUEST_DEADLINE_S),
        trust_list=service_trust_list(env.get("REGISTRY_SERVICE_TRUST_LIST", "")),
        require_trusted_root=True,
        logbook_dir=logbook_directory(env.get("REGISTRY_SERVICE_LOGBOOK_DIR", "")),
        recognised_in=env.get("REGISTRY_SERVICE_RECOGNISED_IN") or None,
        proxy_headers={"1": True, "0": False}.get(env.get("REGISTRY_SERVICE_PROXY_HEADERS", "")),
        max_block_age_s=_float(env, "REGISTRY_SERVICE_MAX_BLOCK_AGE", 0.0) or None,  # unset: 0, off
    )
    if config.recognised_in is not None:
        from registry.ops.recognition.apply import authority_of

        try:  # the service's list is --trust-list's alone (no default list): said as such
            where = "the service's trust list (--trust-list" + (")" if config.trust_list else ": none given)")
            authority_of(config.recognised_in, config.trust_list, where=where)
        except InputError as exc:
            raise SettingsError(str(exc)) from exc
    return settings, config


def logbook_directory(value: str) -> Path | None:
    """`--logbook-dir`: made if it is not there yet, and refused at start unless it is a directory the
    service may write (a file there, or a read-only one, failed only at the first deposit, a 500)."""
    if not value:
        return None
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "it is not a directory" if path.exists() or exc.errno == errno.ENOTDIR else exc.strerror
        raise SettingsError(f"--logbook-dir {path}: {why}; name a directory the service may write") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise SettingsError(f"--logbook-dir {path}: the service may not write there; name a directory it may write")
    return path


def service_trust_list(value: str) -> TrustList | None:
    """The trust lists `registry serve --trust-list` names (paths joined by os.pathsep), as one list
    the service's answers call by its name, as the CLI does ('the trust list "NAME"'), else "the
    service's trust list"."""
    from registry.ops.inputs import trust_lists
    from registry.ops.trust import TrustList

    paths = [Path(p) for p in value.split(os.pathsep) if p]
    try:
        loaded = trust_lists(paths)
    except (InputError, OSError) as exc:
        raise SettingsError(f"--trust-list: {exc}") from exc
    if loaded is None:
        return None
    # Named by its title, if it has one, else as the service's: never by the path of a file on the server.
    label = f'the trust list "{loaded.title}"' if loaded.title else "the service's trust list"
    return TrustList(loaded.roots, label, entries=loaded.listed(), title=loaded.title)
