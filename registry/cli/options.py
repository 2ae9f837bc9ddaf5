"""What every command shares of its command line: the options several commands take, the
settings built from them and `--home`, and how a name given on the command line becomes an
identity, a DID, a time or an account.

`--home` is an option of `registry` itself (it goes before the command); the root callback puts
it in typer's context object (`Home`), where each command reads it through `settings_of(ctx)`:
nothing is kept in a module global, so two runs in one process (tests run `main()` in process)
cannot see each other's home.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.exits import arguments
from registry.config import Settings
from registry.errors import ConfigError, InputError, KeyStoreError, SettingsError
from registry.text import is_text, short_did, shown


@dataclass(frozen=True)
class Home:
    """The context object: what `registry --home DIR` said (None: REGISTRY_HOME or ./.registry)."""

    home: Path | None = None


def settings_of(ctx: typer.Context, rpc: list[str] | None = None, deployment: Path | None = None) -> Settings:
    kwargs: dict[str, Any] = {"rpc_urls": tuple(rpc or ()), "deployment_path": deployment}
    state = ctx.find_root().obj
    if isinstance(state, Home) and state.home is not None:
        kwargs["home"] = state.home
    return Settings(**kwargs)


def verdict_settings(ctx: typer.Context, rpc: list[str] | None, deployment: Path | None) -> Settings:
    """The settings of `verify` or `issuer check`: an unusable value (REGISTRY_READ_DEADLINE=abc),
    or one node named twice, is a mistake in how the command was run (exit 64), never a verdict."""
    from registry.chain.client import repeated_endpoint
    from registry.chain.transport import endpoint_identity

    with arguments(ConfigError):
        for url in rpc or []:
            endpoint_identity(url)  # "--rpc notaurl" is a mistyped command line, not a node that failed
        # The same node given twice (127.0.0.1 and localhost, say) is not a second opinion.
        same = repeated_endpoint(rpc) if rpc and len(rpc) > 1 else None
        if same is not None:
            raise ConfigError(
                f"--rpc {same[0]} and --rpc {same[1]} are the same endpoint: a quorum needs independent "
                "nodes; give each endpoint once"
            )
        settings = settings_of(ctx, rpc, deployment)
        if not rpc:  # REGISTRY_RPC_URL or the home's config.json: a URL that is none is a setting to fix
            url, source = settings.rpc_url_source
            try:
                endpoint_identity(url)
            except ConfigError as exc:
                raise SettingsError(f"{source}: {exc}") from exc
        return settings


def language(option: str | None) -> None:
    """The language of this run's human output (registry/i18n): `--lang`, else the environment."""
    from registry import i18n

    try:
        i18n.use(i18n.choose(option))
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from exc


def text(value: Any) -> Any:
    """A text option that goes into something signed must be Unicode text: bytes that are not
    UTF-8 (which Python reads from the command line as lone surrogates) no encoder can write."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and not is_text(item):
            raise typer.BadParameter(f"{shown(item[:60])} holds bytes that are not UTF-8 text")
    return value


HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Where your keys, settings and records are kept (env REGISTRY_HOME, default ./.registry).",
        show_default=False,
    ),
]


def early_language(value: str | None) -> str | None:
    """`--lang` as soon as it is parsed (an eager option, read before a `--help` given after it, which
    answers at once): `registry --lang fr --help` in French. A language we lack is left as the
    environment's; the root callback (`language`) names the mistake."""
    from registry import i18n

    with contextlib.suppress(InputError):
        i18n.use(i18n.choose(value))
    return value


LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the human output: en, fr or ar (env REGISTRY_LANG, else LC_ALL/LC_MESSAGES/LANG; "
        "default en). --json output stays English.",
        show_default=False,
        is_eager=True,
        callback=early_language,
    ),
]
RpcOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rpc",
        help="The node's JSON-RPC URL (env REGISTRY_RPC_URL, else `registry config set rpc-url`).",
        show_default=False,
    ),
]
ServiceOpt = Annotated[
    str | None,
    typer.Option("--service", help="Use a registry service (its URL) instead of a direct RPC connection."),
]
DeploymentOpt = Annotated[
    Path | None,
    typer.Option(
        "--deployment",
        help="The deployment file, naming the registry's contracts (env REGISTRY_DEPLOYMENT, default "
        "<home>/deployment.json).",
        show_default=False,
    ),
]
IssuerOpt = Annotated[str, typer.Option(help="Issuer identity name.")]
# A status change's reason (`ops/inputs.reason_code`), for the commands whose help does not list them all.
ReasonWordOpt = Annotated[
    str, typer.Option(metavar="CODE|WORD", help="Reason code, or its word (as `registry revoke --help` lists).")
]
# How `--at` reads what people type (registry/formats/dates.py).
AT_HELP = "2026-05-01, 1 May 2026, yesterday: the end of that day, UTC; 2026-05-01 14:00: UTC; offsets allowed"
TrustListOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--trust-list",
        help="File naming the roots (Root TAOs, e.g. national authorities) you accept (repeat to accept several "
        "lists; default: REGISTRY_TRUST_LIST, else <home>/trust-list.json if there is one).",
    ),
]


def passphrase(confirm: bool = False, env: str = "REGISTRY_PASSPHRASE", prompt: str = "Passphrase") -> str:
    """A passphrase from the environment variable `env`, else asked (twice with `confirm`)."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise KeyStoreError(f"{prompt} not given: set {env} or run in a terminal to be prompted")
    result: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    if not result:
        raise KeyStoreError(f"the {prompt.lower()} is empty")
    return result


def load_identity(settings: Settings, name: str) -> Any:
    from registry.cli.hints import acting
    from registry.cli.output import warn
    from registry.keystore import KeyStore

    identity = KeyStore(settings.keys_dir, warn).load(name, passphrase())
    acting(name)  # a refusal's hint names the identity the command used (cli/hints.py)
    return identity


def account_of(settings: Settings, client: Any, name: str | None, env: str, refusal: str) -> Any:
    """The account that pays for a governance write: the identity `name`, else the key in the
    environment variable `env`, else (on a local anvil chain only) anvil's first development
    account; off the local chain without either, ConfigError(`refusal`)."""
    from registry.chain.node import ANVIL_DEV_KEY
    from registry.ethaccount import Account

    if name:
        return load_identity(settings, name).account
    key = os.environ.get(env)
    if not key and client.chain_id != 31337:
        raise ConfigError(refusal)
    return Account.from_key(key or ANVIL_DEV_KEY)


def did_of(settings: Settings, value: str, *, lenient: bool = False) -> str:
    """A DID given as such (it must be one: DID syntax, and a did:ebsi a well-formed legal-entity
    identifier unless `lenient`), or the DID of a local identity."""
    if value.startswith("did:"):
        from registry.formats.did import check_did, check_party_did

        return check_did(value) if lenient else check_party_did(value)
    from registry.keystore import KeyStore

    return str(KeyStore(settings.keys_dir).public_info(value)["did"])


def holder_did_of(settings: Settings, value: str) -> str:
    """A holder: a person's did:key (given as such, or a local identity's), which must decode to a
    public key, or nobody could ever present the credential as theirs."""
    from registry.errors import KeyStoreError
    from registry.formats.didkey import decode_did_key

    if value.startswith("did:") and not value.startswith("did:key:"):  # before a did:ebsi's own checks
        raise InputError(f"the holder must be a person's did:key, not {short_did(value)}")
    try:
        did = did_of(settings, value)
    except (KeyStoreError, InputError) as exc:  # not "make it with `identity create`": her key is hers
        # A person's name ("Awa Sarr") is no identity name either: said as of a name not found.
        if not str(exc).startswith(("no identity named", "identity name ")) or value.startswith("did:"):
            raise
        raise KeyStoreError(
            f"no identity named {shown(value[:64])} in {settings.keys_dir}: give her did:key as she reads it "
            "(`registry identity show NAME --did`, or her wallet); in a roster, a row with only her holder_name "
            "gets a key made for her and handed over"
        ) from exc
    if not did.startswith("did:key:"):
        raise InputError(f"the holder must be a person's did:key, not {short_did(did)}")
    try:
        decode_did_key(did)
    except InputError as exc:
        # Shown by start and end: a did:key mistyped or cut short differs from hers at its end.
        raise InputError(
            f"the holder {short_did(did)} ({len(did)} characters) is not a valid did:key ({exc}): copy her DID "
            "whole, as `registry identity show NAME --did` or her wallet prints it"
        ) from exc
    return did


def parse_at(at: str | None) -> int | None:
    """A time asked about (`--at`), as Unix seconds; None: now (not given, or today's date). A bare
    date is the end of that day, UTC; a time without an offset is UTC (registry/formats/dates.py)."""
    from registry.formats.dates import asked_time

    return asked_time(at)


def parse_until(value: str | None) -> int | None:
    """An end of validity (`--valid-until`); a bare date includes that whole day, UTC."""
    from registry.formats.dates import until_time

    return until_time(value) if value else None


def parse_since(value: str) -> int:
    """A date something holds from (`--for-cause-from`); a bare date is the START of that day, UTC."""
    from registry.formats.dates import since_time

    return since_time(value)


def duration(value: str, option: str) -> int:
    """`30m`, `12h`, `7d` (or plain seconds) -> seconds."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*([smhd]?)\s*", value)
    if match is None:
        raise InputError(f"{option} {value[:40]!r} is not a duration: write e.g. 30m, 12h or 7d")
    return int(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
