"""Settings: where the chain is, which deployment to use, where local state lives.

Every value comes from, in order: an explicit argument (a CLI option), an environment variable,
the home's configuration file (<home>/config.json, written by `registry config set` and by
`registry node start`; for the node's URL only), a default for the local development chain.
Nothing here is anvil-specific: point `rpc_url` and `deployment_file` at a Besu, geth or testnet
deployment and the same commands work.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from registry.durable import write_json_atomic
from registry.errors import ConfigError, InputError, SettingsError

DEFAULT_PORT = 8545
DEFAULT_RPC_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
# Whole-request deadlines, not per-read timeouts (a node trickling one byte at a time would reset a
# read timeout forever): no JSON-RPC request takes longer than REGISTRY_RPC_TIMEOUT, and all the
# chain reads of one `verify` (per 100 credentials) or `issuer check` end within
# REGISTRY_READ_DEADLINE, after which the answer is "could not determine".
DEFAULT_RPC_TIMEOUT_S = 10.0
DEFAULT_READ_DEADLINE_S = 8.0
# A credential's anchor must land within this many seconds after its signing time (`iat`): a node
# whose newest block is inside that window and has no anchor may simply be behind ("could not
# determine"); one whose newest block is past it, and has no anchor, proves the credential was
# never anchored in time (INVALID).
DEFAULT_ANCHOR_WINDOW_S = 3600
DEFAULT_CONFIRMATIONS = 1
# The widest block range one eth_getLogs query spans (Besu refuses more than 5,000 by default): a
# long status-word history or a timestamp search is read in windows of this many blocks.
DEFAULT_LOG_WINDOW = 5_000
# The service URL written into credentials (termsOfUse, credentialStatus). Verifiers read the
# path, not the host, so a credential stays checkable against any mirror of the registry.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"


def env_seconds(name: str, default: float, *, zero_ok: bool = False) -> float:
    """A positive number of seconds from the environment variable `name` (0 too with `zero_ok`),
    else `default`."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    low_ok = seconds >= 0 if zero_ok else seconds > 0
    if not (low_ok and seconds < 1e9):  # NaN fails this too
        kind = "a number of seconds" if zero_ok else "a positive number of seconds"
        raise SettingsError(f"{name} must be {kind}, not {value[:40]!r}")
    return seconds


def env_blocks(name: str, default: int) -> int:
    """A positive whole number of blocks from the environment variable `name`, else `default`."""
    value = os.environ.get(name)
    if not value:
        return default
    if not value.strip().isdigit() or not 0 < int(value) < 10**9:
        raise SettingsError(f"{name} must be a positive whole number of blocks, not {value[:40]!r}")
    return int(value)


# The home's own configuration (<home>/config.json): what the centre set once, read by every command
# run with that home after the command line and the environment. Keys, as `registry config` names them:
CONFIG_FILE = "config.json"
CONFIG_KEYS = {"rpc-url": "the node's JSON-RPC URL (after --rpc and REGISTRY_RPC_URL)"}
_MAX_CONFIG_BYTES = 64 * 1024


def home_config(home: Path) -> dict[str, str]:
    """The home's configuration file as a dict (empty when there is none); a damaged file is a
    ConfigError saying which and what to do, never silently the defaults."""
    path = home / CONFIG_FILE
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8")) if len(raw) <= _MAX_CONFIG_BYTES else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise SettingsError(f"{path} is not a configuration file (a JSON object of strings): fix or remove it")
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise SettingsError(f"{path} names {unknown[0]!r}, which is not a setting (known: {', '.join(CONFIG_KEYS)})")
    return data


def _http_url(url: str) -> bool:
    """Is `url` http(s)://host[:port][/path] (a port, if any, above 0; at most 2000 characters)?"""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a bad port or IPv6 address
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and port_ok and len(url) <= 2000


def env_url(name: str, default: str | None) -> str | None:
    """An http(s) URL from the environment variable `name`, else `default`: what issuers write into
    every credential (status lists, schema, the locator's service), so a value that is no URL is
    refused before anything is signed (it made credentials no verifier could ever check)."""
    value = os.environ.get(name)
    if not value:
        return default
    if not _http_url(value):
        raise SettingsError(f"{name} must be an http(s) URL, https://HOST[:PORT][/PATH], not {value[:80]!r}")
    return value


def check_rpc_url(url: str) -> str:
    """A JSON-RPC URL as the configuration keeps it: http(s)://host[:port][/path]."""
    if not _http_url(url):
        raise SettingsError(
            f"{url[:80]!r} is not a node URL: write it as http://HOST:PORT (for example http://127.0.0.1:8545)"
        )
    return url


def check_service_url(url: str) -> str:
    """A registry service's URL (--service): http(s)://host[:port][/path]."""
    if not _http_url(url):
        raise InputError(
            f"--service {url[:80]!r} is not a registry service's URL: write it as https://HOST[:PORT] "
            "(for example https://registry.example)"
        )
    return url


def set_home_config(home: Path, key: str, value: str | None) -> Path:
    """Set (or with None, remove) `key` in the home's configuration file, written whole and atomically."""
    if key not in CONFIG_KEYS:
        raise SettingsError(f"{key!r} is not a setting (known: {', '.join(CONFIG_KEYS)})")
    data = home_config(home)
    if value is None:
        data.pop(key, None)
    else:
        data[key] = check_rpc_url(value)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = home / CONFIG_FILE
    write_json_atomic(path, data, mode=0o600)
    return path


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: _env_path("REGISTRY_HOME", Path.cwd() / ".registry"))
    rpc_urls: tuple[str, ...] = ()
    deployment_path: Path | None = None
    rpc_timeout_s: float = field(default_factory=lambda: env_seconds("REGISTRY_RPC_TIMEOUT", DEFAULT_RPC_TIMEOUT_S))
    read_deadline_s: float = field(
        default_factory=lambda: env_seconds("REGISTRY_READ_DEADLINE", DEFAULT_READ_DEADLINE_S)
    )
    anchor_window_s: int = field(
        default_factory=lambda: int(env_seconds("REGISTRY_ANCHOR_WINDOW", DEFAULT_ANCHOR_WINDOW_S))
    )
    confirmations: int = field(default_factory=lambda: env_blocks("REGISTRY_CONFIRMATIONS", DEFAULT_CONFIRMATIONS))
    public_url: str = field(default_factory=lambda: str(env_url("REGISTRY_PUBLIC_URL", DEFAULT_PUBLIC_URL)))
    log_window: int = field(default_factory=lambda: env_blocks("REGISTRY_LOG_WINDOW", DEFAULT_LOG_WINDOW))
    # The public registry service named in holder files' locators (formats/locator.py), if any.
    public_service: str | None = field(default_factory=lambda: env_url("REGISTRY_PUBLIC_SERVICE", None))

    @property
    def rpc_url(self) -> str:
        return self.rpc_url_source[0]

    @property
    def rpc_url_source(self) -> tuple[str, str]:
        """The node's URL and where it came from: --rpc > REGISTRY_RPC_URL > <home>/config.json > default."""
        if self.rpc_urls:
            return self.rpc_urls[0], "--rpc"
        if os.environ.get("REGISTRY_RPC_URL"):
            return os.environ["REGISTRY_RPC_URL"], "REGISTRY_RPC_URL"
        configured = home_config(self.home).get("rpc-url")
        if configured:
            return configured, str(self.home / CONFIG_FILE)
        return DEFAULT_RPC_URL, "default"

    @property
    def rpc_url_named(self) -> bool:
        """Was a node named (--rpc, REGISTRY_RPC_URL, the home's configuration), not just the default?"""
        return self.rpc_url_source[1] != "default"

    @property
    def deployment_file(self) -> Path:
        if self.deployment_path is not None:
            return self.deployment_path
        return _env_path("REGISTRY_DEPLOYMENT", self.home / "deployment.json")

    @property
    def journal_file(self) -> Path:
        return self.home / "journal.sqlite"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def node_dir(self) -> Path:
        return self.home / "node"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"

    @property
    def trust_list_file(self) -> Path:
        """The verifier's default trust list: REGISTRY_TRUST_LIST, else <home>/trust-list.json.
        `verify` and `issuer check` use it when no --trust-list is given (the command line wins);
        the home's file only when it exists, a file the variable names always (a missing one is an
        error, not "no trust list")."""
        return _env_path("REGISTRY_TRUST_LIST", self.home / "trust-list.json")

    @property
    def trust_list_required(self) -> bool:
        """Is the default trust list named explicitly (REGISTRY_TRUST_LIST), so it must exist?"""
        return bool(os.environ.get("REGISTRY_TRUST_LIST"))
