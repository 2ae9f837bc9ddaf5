"""`registry serve`: run the service with uvicorn (the main CLI registers `serve` as a command)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from registry.errors import ConfigError, SettingsError
from registry.service import config as cfg

if TYPE_CHECKING:
    from fastapi import FastAPI


def app_from_environment() -> FastAPI:
    """The uvicorn factory: each worker process builds its app from REGISTRY_* variables."""
    # Imported here so that loading the `registry` command (for `verify`, say) does not pay for
    # FastAPI and uvicorn.
    from registry.service.app import create_app

    settings, config = cfg.from_environment(os.environ)
    _end_with_the_supervisor()
    return create_app(settings, config)


def _end_with_the_supervisor() -> None:
    """In a worker process of `registry serve --workers N`: stop (SIGTERM, a graceful shutdown) when
    the process that started it dies. A supervisor killed with SIGKILL left its workers serving on
    the port, with the old settings, and the next `registry serve` was refused the port. Linux only
    (prctl PR_SET_PDEATHSIG); elsewhere, and in a single-process service, nothing changes."""
    import multiprocessing
    import signal
    import sys

    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no libc prctl here: as before
        return
    if os.getppid() != parent.pid:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _first_app() -> FastAPI:
    """The app built once before uvicorn starts, so that a setting that cannot work stops `serve` here
    with its reason: a deployment file missing, unreadable or malformed is a setting (--deployment,
    REGISTRY_DEPLOYMENT, the home's), exit 64 as the others, with what to do (it was exit 1)."""
    try:
        return app_from_environment()
    except SettingsError:
        raise
    except ConfigError as exc:
        said = str(exc)
        if "--deployment" not in said:
            said += (
                "; give the registry's deployment file, as whoever deployed it publishes it, with --deployment FILE "
                "(or REGISTRY_DEPLOYMENT)"
            )
        raise SettingsError(said) from None


def _chain_environment(ctx: typer.Context, rpc: str | None, deployment: Path | None) -> dict[str, str]:
    """What each worker process reads of the chain settings: the node, the deployment file and the
    home `registry --home DIR` gave (the root command's context object carries it, as
    registry/cli/options.py's `Home`; read by attribute, the service does not import the CLI)."""
    env = {}
    home = getattr(ctx.find_root().obj, "home", None)
    if isinstance(home, Path):  # `registry --home DIR serve`: every worker process reads that home
        env["REGISTRY_HOME"] = str(home.resolve())
    if rpc:
        env["REGISTRY_RPC_URL"] = rpc
    if deployment:
        env["REGISTRY_DEPLOYMENT"] = str(deployment.resolve())
    return env


def check_free(host: str, port: int) -> None:
    """A port another process listens on (a service from an earlier run, say) is one line saying so."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            hint = "a service from an earlier run still running? stop it, or give another --port"
        elif isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            hint = "--host must be an address of this machine, such as 127.0.0.1 or 0.0.0.0"
        else:
            hint = "give another --host or --port"
        # A port in use is the machine's state (exit 1); an address that is not this machine's, a setting (64).
        refusal = ConfigError if exc.errno == errno.EADDRINUSE else SettingsError
        raise refusal(f"cannot listen on {host} port {port}: {exc.strerror or exc} ({hint})") from None


def startup_warnings(app: FastAPI, proxy_headers: bool, forwarded_allow_ips: str) -> list[str]:
    """What an operator should know before the service answers (it starts anyway: a node that comes up,
    or catches up, later needs no restart): its node does not serve its deployment now (unreachable, not
    deployed yet, another chain, a wrong address), said with what /health will answer; proxies named
    for a trust `--proxy-headers` was not given to apply. One attach, bounded by --rpc-timeout."""
    from registry.errors import ChainUnavailable, DeploymentMismatch
    from registry.i18n import _
    from registry.i18n.errorwords import error_message

    said = []
    if not proxy_headers and forwarded_allow_ips != "127.0.0.1":
        said.append(
            _(
                "--forwarded-allow-ips does nothing without --proxy-headers: every client behind the proxy shares "
                "one rate limit and one body count; give --proxy-headers too"
            )
        )
    try:
        app.state.chain.registry(fresh=True)
    except (ChainUnavailable, DeploymentMismatch, ConfigError) as exc:
        starts = _("{problem}; the service starts anyway, and answers 503 (GET /health says why) until that is fixed")
        said.append(starts.format(problem=error_message(str(exc))))
    return said


def _warn(message: str) -> None:
    import sys

    from registry.i18n import _
    from registry.text import shown

    sys.stderr.write(_("warning: {message}").format(message=shown(message)) + "\n")


TrustListOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--trust-list",
        help="Your trust list (repeatable): the roots /verify, the issuer check and the web page accept "
        "unless a request names its own (docs/TRUST-LISTS.md).",
    ),
]

RecognisedInOpt = Annotated[
    str | None,
    typer.Option(
        help="A destination authority (DID, or its name in --trust-list): /verify applies its recognition decisions."
    ),
]
RpcOpt = Annotated[
    str | None, typer.Option(help="The node's JSON-RPC URL (env REGISTRY_RPC_URL, else `registry config set rpc-url`).")
]
DeploymentOpt = Annotated[
    Path | None, typer.Option(help="The deployment file (env REGISTRY_DEPLOYMENT, default <home>/deployment.json).")
]
ProxyHeadersOpt = Annotated[
    bool,
    typer.Option(
        "--proxy-headers",
        help="Trust X-Forwarded-For from --forwarded-allow-ips. Needed behind a proxy or load balancer: the rate "
        "limit and the body cap count per client address, and without it every client is the proxy.",
    ),
]
# Behind a proxy every request comes from the proxy's address: without --proxy-headers all clients
# share one rate limit and one count of large bodies at once (docs/SECURITY.md).
_PER_CLIENT = "per client address: behind a proxy, give --proxy-headers, else all clients count as the proxy"
RateOpt = Annotated[
    float,
    typer.Option(help=f"Requests/s {_PER_CLIENT} (0: no limit).", envvar="REGISTRY_SERVICE_RATE", show_envvar=False),
]
MaxBodyOpt = Annotated[
    int,
    typer.Option(
        help=f"Largest request body in bytes (at most 4 bodies of this size at once {_PER_CLIENT}).",
        envvar="REGISTRY_SERVICE_MAX_BODY",
        show_envvar=False,
    ),
]
RpcTimeoutOpt = Annotated[
    float,
    typer.Option(
        help="Seconds within which one JSON-RPC request must be answered in full.",
        envvar="REGISTRY_SERVICE_RPC_TIMEOUT",
        show_envvar=False,
    ),
]
DeadlineOpt = Annotated[
    float,
    typer.Option(
        help="Seconds within which all the chain reads of one request must end (503 beyond).",
        envvar="REGISTRY_SERVICE_DEADLINE",
        show_envvar=False,
    ),
]
BurstOpt = Annotated[
    int,
    typer.Option(
        help="Requests a client may burst above the rate.", envvar="REGISTRY_SERVICE_BURST", show_envvar=False
    ),
]
HeadMaxAgeOpt = Annotated[
    float,
    typer.Option(
        help="Seconds a known chain head is reused before asking the node again.",
        envvar="REGISTRY_SERVICE_HEAD_MAX_AGE",
        show_envvar=False,
    ),
]
MaxBlockAgeOpt = Annotated[
    float | None,
    typer.Option(
        help="GET /health answers 503 (node-behind) when the node's newest block is older than this many seconds "
        "(unset: never; a chain that mines only when there are transactions has old blocks and is healthy).",
        envvar="REGISTRY_SERVICE_MAX_BLOCK_AGE",
        show_envvar=False,
    ),
]
LogbookDirOpt = Annotated[
    Path | None,
    typer.Option(help="Directory for published programmes and logbook entry boxes (shared by all server processes)."),
]


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (they share nothing).")] = 1,
    rpc_timeout: RpcTimeoutOpt = cfg.DEFAULT_RPC_TIMEOUT_S,
    deadline: DeadlineOpt = cfg.DEFAULT_REQUEST_DEADLINE_S,
    rate: RateOpt = cfg.DEFAULT_RATE_PER_S,
    burst: BurstOpt = cfg.DEFAULT_BURST,
    max_body: MaxBodyOpt = cfg.DEFAULT_MAX_BODY_BYTES,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Origin allowed to call from a browser (repeatable).")
    ] = None,
    head_max_age: HeadMaxAgeOpt = cfg.DEFAULT_HEAD_MAX_AGE_S,
    max_block_age: MaxBlockAgeOpt = None,
    proxy_headers: ProxyHeadersOpt = False,
    forwarded_allow_ips: Annotated[str, typer.Option(help="Proxies whose X-Forwarded-For is trusted.")] = "127.0.0.1",
    trust_list: TrustListOpt = None,
    logbook_dir: LogbookDirOpt = None,
    recognised_in: RecognisedInOpt = None,
) -> None:
    """Serve the EBSI-compatible APIs, POST /verify, client-signed writes and the web page."""
    env = {
        "REGISTRY_SERVICE_RPC_TIMEOUT": str(rpc_timeout),
        "REGISTRY_SERVICE_DEADLINE": str(deadline),
        "REGISTRY_SERVICE_RATE": str(rate),
        "REGISTRY_SERVICE_BURST": str(burst),
        "REGISTRY_SERVICE_MAX_BODY": str(max_body),
        "REGISTRY_SERVICE_CORS_ORIGINS": ",".join(cors_origin or []),
        "REGISTRY_SERVICE_HEAD_MAX_AGE": str(head_max_age),
        "REGISTRY_SERVICE_MAX_BLOCK_AGE": "" if max_block_age is None else str(max_block_age),
        "REGISTRY_SERVICE_TRUST_LIST": os.pathsep.join(str(p.resolve()) for p in trust_list or []),
        "REGISTRY_SERVICE_LOGBOOK_DIR": str(logbook_dir.resolve()) if logbook_dir else "",
        "REGISTRY_SERVICE_RECOGNISED_IN": recognised_in or "",
        "REGISTRY_SERVICE_PROXY_HEADERS": "1" if proxy_headers else "0",
    }
    os.environ.update(env | _chain_environment(ctx, rpc, deployment))
    import uvicorn

    from registry.service.protocol import HeadCappedProtocol

    app = _first_app()
    check_free(host, port)  # uvicorn's own refusal is a log line and exit code 3
    for message in startup_warnings(app, proxy_headers, forwarded_allow_ips):
        _warn(message)
    uvicorn.run(
        "registry.service.cli:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="warning",
        http=HeadCappedProtocol,  # uvicorn's httptools protocol, its request heads capped (431)
    )
