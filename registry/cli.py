"""The `registry` command: a thin shell over the library, Rich output, one-line errors.

Everything printed that did not come from this file (credential content, verifier messages, file
names, DIDs, command-line values) goes through registry/text.py: `out` interprets no Rich markup
unless a print says `markup=True`, and then every value in its template is `markup(...)`;
whatever reaches `out` has its control and invisible format characters escaped (`_Output`).

Exit codes: 0 success (for `verify`: valid; for `issuer check`: trusted), 1 failure, not valid or
not trusted, 2 could not determine (the chain or the deployment could not be used), 64 the
command line is wrong (an unknown option anywhere; for `verify` and `issuer check` also a file
that is not there or a date that is not a date: never a verdict), 74 the output or local state
(the journal, the status allocation, a holder file) could not be written or read.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from registry.config import Settings
from registry.errors import (
    ChainUnavailable,
    ConfigError,
    DeploymentMismatch,
    InputError,
    KeyStoreError,
    RegistryError,
    StateError,
    TransactionReverted,
)
from registry.files import STDIN, read_capped, size_words
from registry.text import is_text, json_text, markup, shown, shown_lines

app = typer.Typer(
    name="registry",
    help="Blockchain-anchored skills credential registry (EBSI-style).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
node_app = typer.Typer(help="Run a local anvil chain.", no_args_is_help=True)
identity_app = typer.Typer(help="Create and show identities (DIDs and their encrypted keys).", no_args_is_help=True)
did_app = typer.Typer(help="Register and resolve DIDs.", no_args_is_help=True)
trust_app = typer.Typer(
    help="Accreditation chain: onboard roots, accredit, suspend, reinstate, revoke.", no_args_is_help=True
)
issuer_app = typer.Typer(help="Check an issuer's accreditation chain.", no_args_is_help=True)
passport_app = typer.Typer(help="Skills passports: a holder's credentials, presented together.", no_args_is_help=True)
journal_app = typer.Typer(
    help="The write journal: what was sent, and reconciliation after crashes.", no_args_is_help=True
)
status_app = typer.Typer(
    help="Status lists: publish the issuer-signed StatusList2021 credential.", no_args_is_help=True
)
app.add_typer(status_app, name="status")
app.add_typer(journal_app, name="journal")
app.add_typer(trust_app, name="trust")
app.add_typer(passport_app, name="passport")
app.add_typer(issuer_app, name="issuer")
app.add_typer(node_app, name="node")
app.add_typer(identity_app, name="identity")
app.add_typer(did_app, name="did")


class _Output(Console):
    """The console: no markup unless asked for, and no control or invisible format character from
    any text it is given (our own newlines aside), so nothing printed can move the cursor, erase a
    line or reorder the text after it."""

    def render_str(self, text: str, **kwargs: Any) -> Any:
        return super().render_str(shown_lines(text), **kwargs)

    def on_broken_pipe(self) -> None:
        # Whoever read our output stopped reading (`| head`): leave quietly with the code a
        # process ended by SIGPIPE gets, not 1, which `verify` reserves for "not valid".
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_BROKEN_PIPE)


out = _Output(soft_wrap=True, emoji=False, highlight=False, markup=False)


def _write(text: str) -> None:
    """Plain output (JSON): flushed at once, so a reader that stopped reading is noticed here and
    answered as Rich output is (exit 141), not by typer's catch-all (exit 1, "not valid")."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_BROKEN_PIPE) from None


def _text(value: Any) -> Any:
    """A text option that goes into something signed must be Unicode text: bytes that are not
    UTF-8 (which Python reads from the command line as lone surrogates) no encoder can write."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and not is_text(item):
            raise typer.BadParameter(f"{shown(item[:60])} holds bytes that are not UTF-8 text")
    return value


RpcOpt = Annotated[
    list[str] | None,
    typer.Option("--rpc", help="JSON-RPC URL (env REGISTRY_RPC_URL).", show_default=False),
]
ServiceOpt = Annotated[
    str | None,
    typer.Option("--service", help="Use a registry service (its URL) instead of a direct RPC connection."),
]
DeploymentOpt = Annotated[
    Path | None,
    typer.Option("--deployment", help="Deployment file (env REGISTRY_DEPLOYMENT).", show_default=False),
]


class _State:
    home: Path | None = None


_state = _State()


def _settings(rpc: list[str] | None = None, deployment: Path | None = None) -> Settings:
    kwargs: dict[str, Any] = {"rpc_urls": tuple(rpc or ()), "deployment_path": deployment}
    if _state.home is not None:
        kwargs["home"] = _state.home
    return Settings(**kwargs)


@app.callback()
def _root(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Local state directory (env REGISTRY_HOME, default ./.registry).",
            show_default=False,
        ),
    ] = None,
) -> None:
    _state.home = home


def _passphrase(confirm: bool = False) -> str:
    value = os.environ.get("REGISTRY_PASSPHRASE")
    if value:
        return value
    if not sys.stdin.isatty():
        raise KeyStoreError("no passphrase: set REGISTRY_PASSPHRASE or run in a terminal to be prompted")
    result: str = typer.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)
    return result


def _load_identity(settings: Settings, name: str) -> Any:
    from registry.keystore import KeyStore

    return KeyStore(settings.keys_dir).load(name, _passphrase())


# -- node ---------------------------------------------------------------------------------


def _node(settings: Settings, port: int) -> Any:
    from registry.chain.node import AnvilNode

    return AnvilNode(settings.node_dir, port=port)


PortOpt = Annotated[int, typer.Option("--port", help="Port for the local node.")]


@node_app.command("start")
def node_start(port: PortOpt = 8545) -> None:
    """Start anvil in the background; its state persists in <home>/node."""
    node = _node(_settings(), port)
    info = node.start()
    out.print(f"anvil is running on {info.rpc_url} (pid {info.pid}); state in {node.state_file}")


@node_app.command("stop")
def node_stop(port: PortOpt = 8545) -> None:
    """Stop the local node (its state is written to disk first)."""
    node = _node(_settings(), port)
    out.print("anvil stopped" if node.stop() else "anvil was not running")


@node_app.command("status")
def node_status(port: PortOpt = 8545) -> None:
    """Say whether the local node runs and answers."""
    node = _node(_settings(), port)
    info = node.status()
    if info is None or not info.running:
        out.print("anvil is not running")
        raise typer.Exit(1)
    from registry.chain.client import ChainClient

    client = ChainClient(info.rpc_url)
    out.print(
        f"anvil is running on {info.rpc_url} (pid {info.pid}): "
        f"chain id {client.chain_id}, block {client.block_number()}"
    )


@node_app.command("fund")
def node_fund(
    name: Annotated[str, typer.Argument(help="Identity whose controller account to fund.")],
    rpc: RpcOpt = None,
    ether: Annotated[int, typer.Option(help="Balance to set, in ether.")] = 100,
) -> None:
    """Give an identity's account a balance on a local anvil chain (anvil_setBalance)."""
    from registry.chain.client import ChainClient
    from registry.keystore import KeyStore

    settings = _settings(rpc)
    info = KeyStore(settings.keys_dir).public_info(name)
    address = next((k.get("address") for k in info["keys"] if k.get("use") == "controller"), None)
    if not address:
        raise InputError(f"identity {name} has no controller account")
    client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
    client.request("anvil_setBalance", [address, hex(ether * 10**18)])
    out.print(f"{name} ({address}) now holds {ether} ETH on {settings.rpc_url}")


# -- deploy -------------------------------------------------------------------------------


@app.command()
def deploy(
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
    deployer: Annotated[
        str | None,
        typer.Option(help="Identity that pays for the deployment (default: anvil's first dev account, local only)."),
    ] = None,
) -> None:
    """Deploy the registry contracts and record them in the deployment file."""
    from registry.chain.client import ChainClient
    from registry.chain.deployment import deploy as do_deploy
    from registry.chain.node import ANVIL_DEV_KEY
    from registry.ethaccount import Account

    settings = _settings(rpc, deployment)
    client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
    if deployer:
        account = _load_identity(settings, deployer).account
    else:
        key = os.environ.get("REGISTRY_DEPLOYER_KEY")
        if not key and client.chain_id != 31337:
            raise ConfigError("chain is not a local anvil chain: pass --deployer or set REGISTRY_DEPLOYER_KEY")
        account = Account.from_key(key or ANVIL_DEV_KEY)
    result = do_deploy(client, account)
    result.save(settings.deployment_file)
    table = Table(
        "contract",
        "address",
        title=f"Deployed on chain {result.chain_id} at block {result.deployment_block}",
    )
    for name, record in result.contracts.items():
        table.add_row(name, record.address)
    out.print(table)
    out.print(f"deployment recorded in {settings.deployment_file}")


# -- identities and DIDs ------------------------------------------------------------------


@identity_app.command("create")
def identity_create(
    name: Annotated[str, typer.Argument(help="A local name for the identity.")],
    person: Annotated[
        bool,
        typer.Option("--person", help="A natural person (did:key) instead of a legal entity (did:ebsi)."),
    ] = False,
) -> None:
    """Create an identity with fresh keys, encrypted with your passphrase."""
    from registry.keystore import KeyStore, new_legal_entity, new_natural_person

    settings = _settings()
    store = KeyStore(settings.keys_dir)
    if store.exists(name):
        raise KeyStoreError(f"identity {name} already exists")
    identity = new_natural_person(name) if person else new_legal_entity(name)
    path = store.save(identity, _passphrase(confirm=True))
    out.print(f"{name}: {identity.did}")
    if identity.controller_key is not None:
        out.print(f"  controller account {identity.account.address}")
    out.print(f"  keys encrypted in {path}")


@identity_app.command("show")
def identity_show(name: str) -> None:
    """Show an identity's DID and public keys (nothing is decrypted)."""
    from registry.formats.keys import thumbprint
    from registry.keystore import KeyStore

    info = KeyStore(_settings().keys_dir).public_info(name)
    out.print(f"{name}: {info['did']} ({info['kind']})")
    for key in info["keys"]:
        extra = f", account {key['address']}" if key.get("address") else ""
        jwk = key["publicJwk"]
        out.print(f"  {key['use']}: {jwk['crv']} key #{thumbprint(jwk)}{extra}")
        out.print(f"      x {jwk.get('x')}" + (f"  y {jwk['y']}" if jwk.get("y") else ""))


@did_app.command("register")
def did_register(name: str, rpc: RpcOpt = None, deployment: DeploymentOpt = None, service: ServiceOpt = None) -> None:
    """Register an identity's DID on-chain with its controller and signing keys."""
    from registry.ops.registry import Registry

    settings = _settings(rpc, deployment)
    identity = _load_identity(settings, name)
    if service:
        from registry.service.client import ServiceClient

        receipts = ServiceClient(service).register_did(identity)
        out.print(f"registered {identity.did} via {service} in block {receipts[0]['receipt']['blockNumber']}")
        return
    registry = Registry.connect(settings)
    receipt = registry.register_did(identity)
    out.print(f"registered {identity.did} in block {receipt['blockNumber']}")


@did_app.command("resolve")
def did_resolve(
    did: str,
    at: Annotated[str | None, typer.Option(help="Resolve as of this ISO date/time.")] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Print a DID document (did:ebsi from the chain; did:key locally)."""
    from registry.ops.documents import resolve_document

    settings = _settings(rpc, deployment)
    when = _parse_at(at)
    _write(json_text(resolve_document(settings, _did_of(settings, did), when), indent=2, ascii_only=True) + "\n")


# -- credentials --------------------------------------------------------------------------


def _parse_at(at: str | None) -> int | None:
    from registry.formats.credential import parse_time

    return parse_time(at) if at else None


@app.command()
def issue(
    issuer: Annotated[str, typer.Option(help="Issuer identity name.")],
    holder: Annotated[
        str | None, typer.Option(help="Holder DID (did:key) or identity name (single credential).", callback=_text)
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Name of the qualification or skill (single credential).", callback=_text)
    ] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Where to write the holder's credential file.")] = None,
    roster: Annotated[
        Path | None, typer.Option(help="CSV or JSON roster: issue and anchor a whole cohort in one transaction.")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Directory for a cohort's credential files.")
    ] = None,
    description: Annotated[str, typer.Option(help="What the holder achieved.", callback=_text)] = "",
    criteria: Annotated[str, typer.Option(help="How it was assessed.", callback=_text)] = "",
    achievement_type: Annotated[
        str, typer.Option("--type", help="Open Badges achievementType.", callback=_text)
    ] = "Certificate",
    skill: Annotated[
        list[str] | None, typer.Option(help="ESCO skill as URI=label (repeatable).", callback=_text)
    ] = None,
    eqf: Annotated[int | None, typer.Option(help="EQF level 1-8.")] = None,
    credential_type: Annotated[
        list[str] | None,
        typer.Option("--credential-type", help="Extra credential type, e.g. WeldingCertificate.", callback=_text),
    ] = None,
    profile: Annotated[str, typer.Option(help="ebsi (VCDM 1.1 JWT) or vcdm2 (VCDM 2.0 vc+jwt).")] = "ebsi",
    valid_until: Annotated[str | None, typer.Option(help="Expiry (ISO date).")] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Issue skills credentials and anchor them: one (--holder/--name/--out) or a cohort (--roster/--out-dir)."""
    from registry.formats.credential import Achievement, Skill
    from registry.ops.issuance import Issuer
    from registry.ops.registry import Registry

    settings = _settings(rpc, deployment)
    extra_types = tuple(credential_type or ())
    until = _parse_at(valid_until)
    if roster is not None:
        if holder or name or output:
            raise InputError("--roster issues a cohort: use --out-dir, not --holder/--name/--out")
        if out_dir is None:
            raise InputError("--roster needs --out-dir for the holders' credential files")
        _issue_cohort(settings, issuer, roster, out_dir, extra_types, until, profile)
        return
    if not (holder and name and output):
        raise InputError("a single credential needs --holder, --name and --out (or use --roster)")
    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    holder_did = _holder_did_of(settings, holder)
    skills = []
    for entry in skill or []:
        uri, sep, label = entry.partition("=")
        if not sep or not label.strip():
            raise InputError(f"--skill must be URI=label (with a label), not {entry[:60]!r}")
        skills.append(Skill(uri, label))
    achievement = Achievement(
        name=name,
        description=description or name,
        criteria=criteria or "Assessed by the issuer.",
        achievement_type=achievement_type,
        skills=tuple(skills),
        eqf_level=eqf,
    )
    achievement.to_json()  # refuse a bad skill URI or EQF level before touching the chain
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")
    registry = Registry.connect(settings)
    issuer_identity = _load_identity(settings, issuer)
    issuer_ops = Issuer(registry, issuer_identity, settings, profile)
    issuer_ops.check_can_issue(holder_did, achievement, valid_until=until, extra_types=extra_types)
    issued = issuer_ops.issue_single(holder_did, achievement, valid_until=until, extra_types=extra_types, out=output)
    receipt = issued.receipt or {}
    out.print(
        f"issued {shown(repr(name))} to {shown(holder_did)}\n  hash 0x{issued.credential_hash.hex()} anchored in block "
        f"{receipt.get('blockNumber')} ({receipt.get('gasUsed')} gas)\n  credential file: {shown(output)}"
    )


def _issue_cohort(
    settings: Settings, issuer: str, roster: Path, out_dir: Path, extra_types: tuple[str, ...],
    until: int | None, profile: str,
) -> None:  # fmt: skip
    from rich.progress import Progress

    from registry.ops.issuance import Issuer
    from registry.ops.registry import Registry
    from registry.ops.roster import load_roster

    entries = load_roster(roster, lambda h: _holder_did_of(settings, h))
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file, not a directory for the credential files")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise InputError(f"{out_dir} is not empty; not mixing cohorts")
    if not out_dir.parent.is_dir():
        raise InputError(f"the directory {out_dir.parent} does not exist")
    registry = Registry.connect(settings)
    identity = _load_identity(settings, issuer)
    issuer_ops = Issuer(registry, identity, settings, profile)
    if not entries:
        raise InputError(f"roster {roster} names nobody")
    # What is checked (expiry, key, accreditation for the types) is the same for every row.
    issuer_ops.check_can_issue(*entries[0], valid_until=until, extra_types=extra_types)
    width = len(str(len(entries)))
    # Which holder each file is for, at a glance: the end of their did:key.
    names = [
        f"{n:0{width}d}-{_slug(achievement.name)}-{holder_did[-8:]}.json"
        for n, (holder_did, achievement) in enumerate(entries, 1)
    ]
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"signing {len(entries)} credentials", total=len(entries))
        cohort = issuer_ops.issue_cohort(
            entries,
            valid_until=until,
            extra_types=extra_types,
            progress=lambda n: progress.advance(task, n),
            out_dir=out_dir,
            file_names=names,
        )
    gas = int(cohort.receipt["gasUsed"])
    out.print(
        f"issued {_count(len(entries), 'credential')}; cohort root 0x{cohort.root.hex()} anchored in block "
        f"{cohort.receipt['blockNumber']} ({gas} gas, {gas / len(entries):.1f} per credential)\n"
        f"  credential files (each with its Merkle proof): {shown(out_dir)}"
    )


def _slug(text: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(p for p in cleaned.split("-") if p)[:40] or "credential"


@passport_app.command("create")
def passport_create(
    holder: Annotated[str, typer.Option(help="The holder's identity name (a did:key person).")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the passport.")],
    files: Annotated[list[Path], typer.Argument(help="The holder's credential files.")],
    audience: Annotated[
        str | None,
        typer.Option(help="Who the passport is for (aud claim), e.g. the employer's URL or DID.", callback=_text),
    ] = None,
    nonce: Annotated[
        str | None,
        typer.Option(help="The challenge the verifier gave you (nonce claim), if it gave one.", callback=_text),
    ] = None,
    valid_for: Annotated[
        str, typer.Option(help="How long the passport can be used (exp claim): e.g. 30m, 12h, 7d; 1m to 365d.")
    ] = "7d",
) -> None:
    """Bundle a holder's credentials into a passport signed with the holder's did:key.

    The passport expires (default a week after it is made); give --audience and --nonce when the
    verifier told you who it is and gave you a challenge, so the passport cannot be replayed elsewhere."""
    from registry.chain.deployment import write_json_atomic
    from registry.formats.credential import load_holder_file
    from registry.ops.passport import check_valid_for, create_passport

    settings = _settings()
    lifetime = _duration(valid_for, "--valid-for")
    check_valid_for(lifetime)
    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    holder_files = [load_holder_file(read_capped(path, MAX_INPUT_BYTES), str(path)) for path in files]
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")
    identity = _load_identity(settings, holder)
    try:
        passport = create_passport(identity, holder_files, audience=audience, nonce=nonce, valid_for=lifetime)
    except InputError as exc:  # "credential 2 ..." -> the file it came from
        message = str(exc)
        for number, path in enumerate(files, 1):
            message = message.replace(f"credential {number} ", f"{path} ", 1)
        raise InputError(message) from exc
    write_json_atomic(output, passport)
    out.print(f"passport of {identity.did} with {_count(len(holder_files), 'credential')} written to {shown(output)}")


def _duration(text: str, option: str) -> int:
    """`30m`, `12h`, `7d` (or plain seconds) -> seconds."""
    import re

    match = re.fullmatch(r"\s*(\d{1,9})\s*([smhd]?)\s*", text)
    if match is None:
        raise InputError(f"{option} {text[:40]!r} is not a duration: write e.g. 30m, 12h or 7d")
    return int(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]


def _require_registered(registry: Any, did: str) -> None:
    """Named by its DID, before the contract refuses it by the DID's hash."""
    if not did.startswith("did:ebsi:"):
        raise InputError(f"{did[:60]} is not a did:ebsi: only registered organisations are accredited")
    if not registry.resolve(did).registered:
        raise InputError(f"{did} is not registered in the DID registry: it must run `registry did register` first")


def _trust_lists(paths: list[Path] | None) -> Any:
    """The roots of every --trust-list given, as one list (None when none was given)."""
    from registry.ops.trust import TrustList

    if not paths:
        return None
    lists = [TrustList.load(path) for path in paths]
    if len(lists) == 1:
        return lists[0]
    names = ", ".join(str(path) for path in paths)
    return TrustList(frozenset().union(*(t.roots for t in lists)), f"the trust lists {names}")


def _did_of(settings: Settings, value: str) -> str:
    """A DID given as such (it must be one: DID syntax), or the DID of a local identity."""
    if value.startswith("did:"):
        from registry.formats.did import check_did

        return check_did(value)
    from registry.keystore import KeyStore

    return str(KeyStore(settings.keys_dir).public_info(value)["did"])


def _holder_did_of(settings: Settings, value: str) -> str:
    """A holder: a person's did:key (given as such, or a local identity's), which must decode to a
    public key, or nobody could ever present the credential as theirs."""
    from registry.formats.didkey import decode_did_key

    did = _did_of(settings, value)
    if not did.startswith("did:key:"):
        raise InputError(f"the holder must be a person's did:key, not {did[:60]!r}")
    try:
        decode_did_key(did)
    except InputError as exc:
        raise InputError(f"the holder {did[:60]!r} is not a valid did:key: {exc}") from exc
    return did


def _governance_account(settings: Settings, client: Any, governance: str | None) -> Any:
    from registry.chain.node import ANVIL_DEV_KEY
    from registry.ethaccount import Account

    if governance:
        return _load_identity(settings, governance).account
    key = os.environ.get("REGISTRY_GOVERNANCE_KEY")
    if not key and client.chain_id != 31337:
        raise ConfigError("pass --governance NAME or set REGISTRY_GOVERNANCE_KEY (no default off the local chain)")
    return Account.from_key(key or ANVIL_DEV_KEY)


def _scopes(types: str, schema: str | None, jurisdiction: str | None) -> list[Any]:
    from registry.formats.accreditation import Scope

    names = tuple(t.strip() for t in types.split(",") if t.strip())
    if not names:
        raise InputError("--types needs at least one credential type")
    return [Scope(types=names, schema_id=schema, jurisdiction=jurisdiction)]


TypesOpt = Annotated[
    str,
    typer.Option(help="Comma-separated credential types, e.g. SkillsCredential,WeldingCertificate.", callback=_text),
]
SchemaOpt = Annotated[str | None, typer.Option(help="Credential schema id the scope is limited to.", callback=_text)]
JurisdictionOpt = Annotated[str | None, typer.Option(help="Jurisdiction URI the scope is limited to.", callback=_text)]
UntilOpt = Annotated[str | None, typer.Option("--valid-until", help="End of validity (ISO date; default one year).")]


def _until(valid_until: str | None) -> int:
    import time as _time

    return _parse_at(valid_until) or int(_time.time()) + 365 * 24 * 3600


@trust_app.command("onboard-root")
def trust_onboard_root(
    root: Annotated[str, typer.Argument(help="Identity name of the Root TAO (it signs its authorisation).")],
    types: TypesOpt,
    governance: Annotated[str | None, typer.Option(help="Identity holding the governance role.")] = None,
    schema: SchemaOpt = None,
    jurisdiction: JurisdictionOpt = None,
    valid_until: UntilOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Governance onboards a Root TAO (e.g. a national vocational authority)."""
    from registry.ops.registry import Registry
    from registry.ops.trust import Trust

    settings = _settings(rpc, deployment)
    registry = Registry.connect(settings)
    account = _governance_account(settings, registry.client, governance)
    identity = _load_identity(settings, root)
    _require_registered(registry, identity.did)
    attribute = Trust(registry, settings.public_url).onboard_root(
        account, identity, _scopes(types, schema, jurisdiction), _until(valid_until)
    )
    out.print(f"{identity.did} is a Root TAO (attribute {attribute.hex()})")


@trust_app.command("accredit")
def trust_accredit(
    parent: Annotated[str, typer.Option(help="Identity name of the accrediting Root TAO or TAO.")],
    child: Annotated[str, typer.Option(help="DID (or local identity name) of the party accredited.")],
    as_: Annotated[str, typer.Option("--as", help="tao (may accredit others) or ti (may issue).")],
    types: TypesOpt,
    schema: SchemaOpt = None,
    jurisdiction: JurisdictionOpt = None,
    valid_until: UntilOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """A Root TAO or TAO accredits a TAO or a TI, with a scope and a validity period."""
    from registry.ops.registry import Registry
    from registry.ops.trust import IssuerType, Trust

    kinds = {"tao": IssuerType.TAO, "ti": IssuerType.TI}
    if as_.lower() not in kinds:
        raise InputError("--as must be tao or ti")
    settings = _settings(rpc, deployment)
    registry = Registry.connect(settings)
    trust = Trust(registry, settings.public_url)
    identity = _load_identity(settings, parent)
    parent_attribute = trust.active_attribute(identity.did)
    child_did = _did_of(settings, child)
    _require_registered(registry, child_did)
    attribute = trust.accredit(
        identity, parent_attribute, child_did, kinds[as_.lower()], _scopes(types, schema, jurisdiction),
        _parse_at(valid_until),  # None: a year, or the parent's own end if that comes first
    )  # fmt: skip
    out.print(f"{shown(child_did)} accredited as {as_.upper()} by {identity.did} (attribute {attribute.hex()})")


def _change_accreditation(
    parent: str,
    child: str,
    attribute: str | None,
    status: str,
    reason: int,
    rpc: list[str] | None,
    deployment: Path | None,
) -> None:
    from registry.ops.registry import Registry
    from registry.ops.trust import AttrStatus, Trust

    if not 0 <= reason <= 255:
        raise InputError(f"--reason must be a reason code from 0 to 255, not {reason}")
    chosen: bytes | None = None
    if attribute is not None:
        text = attribute.removeprefix("0x")
        if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise InputError(f"--attribute must be an attribute id of 64 hex digits, not {attribute[:70]!r}")
        chosen = bytes.fromhex(text)
    settings = _settings(rpc, deployment)
    registry = Registry.connect(settings)
    trust = Trust(registry, settings.public_url)
    identity = _load_identity(settings, parent)
    child_did = _did_of(settings, child)
    target = chosen if chosen is not None else trust.child_attribute(identity.did, child_did)
    receipt = trust.set_status(identity, child_did, target, AttrStatus[status], reason)
    out.print(f"accreditation {target.hex()} of {shown(child_did)}: {status.lower()} in block {receipt['blockNumber']}")


ParentOpt = Annotated[str, typer.Option(help="Identity name of the party that granted the accreditation.")]
ChildOpt = Annotated[str, typer.Option(help="DID (or local identity name) of the accredited party.")]
AttributeOpt = Annotated[str | None, typer.Option(help="Attribute id, when the child holds several from this parent.")]
AccReasonOpt = Annotated[
    int, typer.Option(help="Reason code (0 unspecified, 1 requirements not met, 2 fraud, 3 audit).")
]


@trust_app.command("suspend")
def trust_suspend(
    parent: ParentOpt,
    child: ChildOpt,
    attribute: AttributeOpt = None,
    reason: AccReasonOpt = 3,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Suspend a child's accreditation (reversible)."""
    _change_accreditation(parent, child, attribute, "SUSPENDED", reason, rpc, deployment)


@trust_app.command("reinstate")
def trust_reinstate(
    parent: ParentOpt,
    child: ChildOpt,
    attribute: AttributeOpt = None,
    reason: AccReasonOpt = 4,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Reinstate a suspended accreditation."""
    _change_accreditation(parent, child, attribute, "ACTIVE", reason, rpc, deployment)


@trust_app.command("revoke")
def trust_revoke(
    parent: ParentOpt,
    child: ChildOpt,
    attribute: AttributeOpt = None,
    reason: AccReasonOpt = 1,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Revoke a child's accreditation (final; what it issued before stays valid)."""
    _change_accreditation(parent, child, attribute, "REVOKED", reason, rpc, deployment)


@issuer_app.command("check")
def issuer_check(
    did: Annotated[str, typer.Argument(help="The issuer's DID (or a local identity name).")],
    at: Annotated[str | None, typer.Option(help="Check as of this ISO date/time (default now).")] = None,
    trust_list: Annotated[
        list[Path] | None,
        typer.Option("--trust-list", help="File naming the Root TAOs you accept (repeat to accept several lists)."),
    ] = None,
    credential_type: Annotated[
        list[str] | None, typer.Option("--type", help="Require accreditation for this credential type.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Walk the issuer's accreditation chain to its Root TAO: exit 0 trusted, 1 not, 2 could not determine."""
    from registry.chain.client import read_deadline
    from registry.ops.registry import Registry
    from registry.ops.trust import Need, Trust, evaluate_at

    settings = _verdict_settings(rpc, deployment)
    with _arguments():
        target = _did_of(settings, did)
        roots = _trust_lists(trust_list)
        when = _parse_at(at)
    # Every chain read of the check ends within the read deadline (REGISTRY_READ_DEADLINE).
    with read_deadline(settings.read_deadline_s, "read deadline (REGISTRY_READ_DEADLINE)"), _view_calls():
        try:
            registry = Registry.connect(settings, journal=False)  # a read: the journal is not needed
        except ConfigError as exc:  # no usable deployment file: the question cannot be answered here
            raise DeploymentMismatch(str(exc)) from exc
        chain = Trust(registry, settings.public_url).fetch([target])[target]
        need = Need(types=("SkillsCredential", *credential_type)) if credential_type else None
        # The service's issuer check answers through the same function: the two cannot disagree.
        head = registry.block_timestamp()
        report = evaluate_at(chain, when, head, roots, need, registry.client.syncing)
    if as_json:
        _write(json_text(report.to_json(), indent=2, ascii_only=True) + "\n")
    elif report.undetermined:
        why = report.summary.removeprefix("could not determine: ")
        out.print(f"[bold]{markup(target)}[/]: [bold yellow]COULD NOT DETERMINE[/] — {markup(why)}", markup=True)
    else:
        colour = "green" if report.ok else "red"
        out.print(
            f"[bold]{markup(target)}[/]: [bold {colour}]{'TRUSTED' if report.ok else 'NOT TRUSTED'}[/] — "
            f"{markup(report.summary)}",
            markup=True,
        )
        for link in report.path:
            symbol = _SYMBOL["pass" if link.ok else "fail"]
            out.print(f"  {symbol} {markup(link.issuer_type)} {markup(link.did)}: {markup(link.message)}", markup=True)
            by = link.evidence.get("accreditedBy")
            scopes = link.evidence.get("scopes")
            if by or scopes:
                valid = f"valid {link.evidence.get('validFrom')} to {link.evidence.get('validUntil')}"
                out.print(f"      [dim]{markup(f'accredited by {by}; scope {scopes}; {valid}')}[/]", markup=True)
        for note in report.notes:
            out.print(f"  [dim]note: {markup(note)}[/]", markup=True)
    raise typer.Exit(2 if report.undetermined else 0 if report.ok else 1)


@did_app.command("rotate-key")
def did_rotate_key(name: str, rpc: RpcOpt = None, deployment: DeploymentOpt = None) -> None:
    """Replace an identity's credential-signing key: the new key is added, the old one ends now."""
    from registry.formats import keys as keyfmt
    from registry.keystore import KeyStore
    from registry.ops.registry import Registry

    settings = _settings(rpc, deployment)
    passphrase = _passphrase()
    store = KeyStore(settings.keys_dir)
    identity = store.load(name, passphrase)
    registry = Registry.connect(settings)
    new_key = keyfmt.generate(keyfmt.KeyType.P256)
    registry.rotate_signing_key(identity, new_key)
    identity.signing_key = new_key
    store.save(identity, passphrase, overwrite=True)
    out.print(f"{identity.did}: new signing key {identity.kid}; the previous key's validity ended now")


@status_app.command("publish")
def status_publish(
    issuer: Annotated[str, typer.Option(help="Issuer identity name.")],
    list_number: Annotated[
        int,
        typer.Option(
            "--list",
            help="List number, 1 for the issuer's first list (a status URL ends in this number for a revocation "
            "list, and in 2^32 + it for a suspension list).",
        ),
    ] = 1,
    purpose: Annotated[str, typer.Option(help="revocation or suspension.")] = "revocation",
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Sign the current status list with the issuer's key and publish it on-chain for the service to serve."""
    from registry.ops.registry import Purpose, Registry
    from registry.ops.statuslists import StatusLists

    if not 1 <= list_number < 2**32:
        raise InputError(f"--list must be a list number from 1 to {2**32 - 1}, not {list_number}")
    settings = _settings(rpc, deployment)
    registry = Registry.connect(settings)
    identity = _load_identity(settings, issuer)
    receipt = StatusLists(registry, settings.public_url).publish(identity, Purpose.parse(purpose), list_number)
    out.print(f"published {purpose} list {list_number} of {identity.did} in block {receipt['blockNumber']}")


@journal_app.command("status")
def journal_status(
    all_: Annotated[bool, typer.Option("--all", help="Include confirmed operations.")] = False,
    deployment: DeploymentOpt = None,
) -> None:
    """List journaled writes (unfinished ones by default). Reads the journal without writing to it;
    rows of a deployment other than the deployment file's are named so."""
    from registry.chain import writer
    from registry.chain.deployment import Deployment
    from registry.chain.txmanager import Journal, deployment_key

    settings = _settings(None, deployment)
    if not settings.journal_file.exists():
        out.print("no journal yet: nothing has been written from this home")
        return
    journal = Journal(settings.journal_file, read_only=True)
    if journal.note:
        sys.stderr.write(f"warning: {journal.note}\n")
    current: str | None = None
    try:
        found = Deployment.load(settings.deployment_file)
        current = deployment_key(found.chain_id, found.deployment_block_hash, found.address("CredentialRegistry"))
    except RegistryError:
        pass  # no deployment file here: rows are listed without that comparison
    operations = [op for op in journal.all() if all_ or op.state in ("intended", "sent")]
    if not operations:
        out.print("every journaled write is confirmed")
        return
    # One operation per line, then what it covers and its notes (indented): nothing is cut to a
    # table column's width, so every file a pending row names is there to read in full.
    for op in operations:
        notes = [op.error] if op.error else []
        if op.state in ("intended", "sent"):
            if op.deployment is None:
                notes.append("deployment not recorded (an older journal): never sent automatically")
            elif current is not None and op.deployment != current:
                notes.append(f"another deployment (chain {op.deployment.split(':')[0]}): never sent here")
            if op.owner_pid is not None and writer.owner_alive(op.owner_pid, op.owner_start):
                notes.append(f"process {op.owner_pid} is driving it")
            if op.files is not None and op.files_state != "written":
                notes.append("holder files not yet known complete: reconcile sends it if they are, else abandons it")
        call = f"{op.call.function} (status-list publication, signed when sent)" if op.intent else op.call.function
        line = f"{op.id[:8]}  {op.state:<9}  {call}  sender {op.sender}"
        line += f"  nonce {op.nonce}" if op.nonce is not None else ""
        line += f"  block {op.block}" if op.block is not None else ""
        line += f"  transaction {op.tx_hash}" if op.tx_hash else ""
        out.print(line, markup=False)
        if op.files is not None:
            out.print(f"    anchors {op.files.describe()}", markup=False)
        for note in notes:
            out.print(f"    note: {note}", markup=False)


@journal_app.command("reconcile")
def journal_reconcile(
    identity: Annotated[str, typer.Option("--issuer", help="Identity whose writes to reconcile.")],
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Bring every unfinished or reorged write of an identity on-chain, exactly once."""
    from registry.ops.registry import Registry

    settings = _settings(rpc, deployment)
    registry = Registry.connect(settings)
    who = _load_identity(settings, identity)
    assert registry.client.tx_manager is not None
    actions = registry.client.tx_manager.reconcile(who.account, who, explicit=True)
    for action in actions:
        out.print(action)
    out.print(f"reconciled: {len(actions)} operation(s) acted on" if actions else "nothing to reconcile")


# What `verify` (and `passport create`, and a revocation CSV's files) read of one input at most:
# the service's request body limit. A credential file is refused above 1 MiB by its parser; a
# passport may be larger. Above this, nothing is read: the command line is refused (exit 64).
MAX_INPUT_BYTES = 2 * 1024 * 1024
MAX_CSV_BYTES = 64 * 1024 * 1024


def _sources(paths: list[str]) -> list[str | Path]:
    """The inputs named on the command line ("-" for stdin), directories expanded; nothing read
    yet, but every file's kind and size known: a device, a FIFO or an oversized file anywhere
    refuses the command line before any report is printed."""
    sources: list[str | Path] = []
    for raw in paths:
        if raw == STDIN:
            sources.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".jwt"))
            if not files:
                raise InputError(f"directory {path} holds no .json or .jwt files")
            sources.extend(files)
        elif path.is_file():
            sources.append(path)
        elif path.exists():
            raise InputError(f"{path} is not a regular file (a device, a pipe or a socket)")
        else:
            raise InputError(f"no such file: {path}")
    for source in sources:
        try:
            if source != STDIN and Path(source).stat().st_size > MAX_INPUT_BYTES:
                raise InputError(f"{source} is larger than {size_words(MAX_INPUT_BYTES)}")
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror}") from exc
    return sources


def _read(source: str | Path) -> tuple[str, bytes]:
    """One input, at most MAX_INPUT_BYTES of it."""
    return ("stdin" if source == STDIN else str(source)), read_capped(source, MAX_INPUT_BYTES)


def _read_argument(source: str | Path) -> tuple[str, bytes]:
    """`_read` for a verdict command: an input it cannot read is a command-line error (64)."""
    with _arguments():
        return _read(source)


def _read_credentials(paths: list[str]) -> list[tuple[str, bytes]]:
    return [_read(source) for source in _sources(paths)]


def _status_targets(paths: list[str], default_reason: int) -> list[Any]:
    """The credentials named for a status change (`StatusTarget`s): credential files, directories,
    stdin, or CSV files with a `file` (relative to the CSV) or `credential` column and an optional
    `reason` column. Everything is read and checked before anything is sent."""
    import csv
    import io

    from registry.formats.credential import load_holder_file
    from registry.ops.issuance import StatusTarget

    targets: list[StatusTarget] = []
    plain: list[str] = []
    for raw in paths:
        if not raw.lower().endswith(".csv"):
            plain.append(raw)
            continue
        path = Path(raw)
        try:
            text = read_capped(path, MAX_CSV_BYTES, f"CSV {path}").decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"CSV {path} is not UTF-8 text") from exc
        try:
            rows = list(csv.DictReader(io.StringIO(text), strict=True))
        except csv.Error as exc:
            raise InputError(f"CSV {path} is malformed: {exc}") from exc
        if not rows:
            raise InputError(f"CSV {path} names no credentials (a header row, then one row per credential)")
        for n, row in enumerate(rows, 2):
            where = f"{path.name} line {n}"
            if None in row:
                raise InputError(f"{where}: more fields than the header has columns")
            reason_text = (row.get("reason") or "").strip()
            if reason_text and not (reason_text.isascii() and reason_text.isdigit() and len(reason_text) < 4):
                raise InputError(f"{where}: reason must be a number")
            reason = int(reason_text) if reason_text else default_reason
            if row.get("credential"):
                targets.append(StatusTarget(where, load_holder_file(row["credential"], where).credential, reason))
            elif row.get("file"):
                target = (path.parent / row["file"]).resolve()
                content = read_capped(target, MAX_INPUT_BYTES, f"{row['file']} ({where})")
                source = f"{row['file']} ({where})"
                targets.append(StatusTarget(source, load_holder_file(content, source).credential, reason))
            else:
                raise InputError(f"{where}: needs a file or credential column")
    if plain:
        targets.extend(
            StatusTarget(source, load_holder_file(content, source).credential, default_reason)
            for source, content in _read_credentials(plain)
        )
    return targets


def _status_change(
    paths: list[str],
    purpose: str,
    set_: bool,
    reason: int,
    issuer: str,
    rpc: list[str] | None,
    deployment: Path | None,
) -> None:
    from registry.ops.issuance import Issuer, plan_status_change
    from registry.ops.registry import REASONS, Purpose, Registry

    targets = _status_targets(paths, reason)
    unknown = sorted({t.reason for t in targets} - set(REASONS))
    if unknown:
        known = ", ".join(f"{k} {v}" for k, v in REASONS.items())
        raise InputError(f"unknown reason code {unknown[0]}; known: {known}")
    settings = _settings(rpc, deployment)
    registry = Registry.connect(settings)
    identity = _load_identity(settings, issuer)
    issuer_ops = Issuer(registry, identity, settings)
    which = Purpose.parse(purpose)
    verb = {("revocation", True): "revoked", ("suspension", True): "suspended", ("suspension", False): "reinstated"}
    # Under the issuer's writer lock from the check to the last confirmation: another process of
    # this issuer (same home) cannot change the same credentials in between: its plan waits for ours.
    with issuer_ops.writing():
        # Every credential is checked (this issuer's? already in that state?) before anything is sent.
        plan = plan_status_change(registry, identity, targets, which, set_=set_)
        for target, why in plan.unchanged:
            out.print(f"unchanged: {shown(target.source)} is {shown(why)}")
        if not plan.changes:
            out.print(f"nothing to change: {_count(len(plan.unchanged), 'credential')} already as asked")
            return
        # One transaction per (reason, list), each carrying its reason code on-chain, and the
        # changed lists' publications: journaled together before the first is sent.
        done = _send_status_changes(registry, identity, issuer_ops, plan.changes, which, set_)
    for code, (sent, receipts) in sorted(done.items()):
        tokens = [t.token for t in sent]
        gas = sum(int(r["gasUsed"]) for r in receipts)
        blocks = ", ".join(str(r["blockNumber"]) for r in receipts)
        out.print(
            f"{verb[(purpose, set_)]} {_count(len(tokens), 'credential')} in block {blocks} ({gas} gas), "
            f"reason: {REASONS[code]}"
        )


# How long a status change refused by a change still in the node's pool waits for its block.
STATUS_RACE_WAIT_S = 30.0


def _send_status_changes(
    registry: Any, identity: Any, issuer_ops: Any, changes: dict[int, list[Any]], which: Any, set_: bool
) -> dict[int, tuple[list[Any], list[dict[str, Any]]]]:
    """Send every reason group's change as one journaled batch; returns, per reason, the targets
    changed and their receipts.

    When the contract refuses a group because some of its entries are already in the state asked
    for (a process of another home changed them after our plan read the chain: `StatusAlreadySet`,
    `StatusNotSet`, or a revert on-chain, which names no error), each such credential is named with
    the change that won, never with our reason, and the rest is sent again.
    """
    from registry.ops.issuance import plan_status_change

    done: dict[int, tuple[list[Any], list[dict[str, Any]]]] = {}
    pending = dict(changes)
    for attempt in range(3):
        outcome = issuer_ops.apply_status_changes(
            {code: [t.token for t in chosen] for code, chosen in pending.items()}, which, set_=set_, publish=True
        )
        if outcome.publication_failure is not None:  # the changes stand; the list is published later
            sys.stderr.write(
                f"warning: a status list was not published ({outcome.publication_failure}); "
                "run `registry status publish` once the cause is fixed\n"
            )
        retry: dict[int, list[Any]] = {}
        for code, chosen in sorted(pending.items()):
            exc = outcome.failures.get(code)
            if exc is None:
                done[code] = (chosen, outcome.receipts[code])
                continue
            if not isinstance(exc, TransactionReverted):
                raise exc
            if exc.error_name not in (None, "StatusAlreadySet", "StatusNotSet") or attempt == 2:
                raise exc
            again = plan_status_change(registry, identity, chosen, which, set_=set_)
            if not again.unchanged and exc.error_name is not None:
                # Refused against the node's pending state: the change that won is not in a block
                # yet. Wait for the next one, so it can be named.
                _wait_for_next_block(registry.client, STATUS_RACE_WAIT_S)
                again = plan_status_change(registry, identity, chosen, which, set_=set_)
            if not again.unchanged:
                raise exc  # nothing changed under us: the refusal is about something else
            for target, why in again.unchanged:
                out.print(f"unchanged: {shown(target.source)} is {shown(why)}")
            if again.changes.get(code):
                retry[code] = again.changes[code]
        if not retry:
            break
        pending = retry
    return done


def _wait_for_next_block(client: Any, timeout_s: float) -> None:
    """Until the node has a block after its current one, or `timeout_s` has passed."""
    import time

    start = client.block_number()
    deadline = time.monotonic() + timeout_s
    while client.block_number() <= start and time.monotonic() < deadline:
        time.sleep(0.2)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


IssuerOpt = Annotated[str, typer.Option(help="Issuer identity name.")]
ReasonOpt = Annotated[int, typer.Option(help="Reason code (0 unspecified, 1 issued in error, 2 fraud, ...).")]
FilesArg = Annotated[list[str], typer.Argument(help="Credential files, directories, or - for stdin.")]
StatusFilesArg = Annotated[
    list[str],
    typer.Argument(
        help="Credential files, directories, - for stdin, or CSV files (a file or credential column, "
        "and an optional reason column)."
    ),
]


@app.command()
def revoke(
    files: StatusFilesArg,
    issuer: IssuerOpt,
    reason: ReasonOpt = 0,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Revoke credentials (final)."""
    _status_change(files, "revocation", True, reason, issuer, rpc, deployment)


@app.command()
def suspend(
    files: StatusFilesArg,
    issuer: IssuerOpt,
    reason: ReasonOpt = 6,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Suspend credentials (reversible with `reinstate`)."""
    _status_change(files, "suspension", True, reason, issuer, rpc, deployment)


@app.command()
def reinstate(
    files: StatusFilesArg,
    issuer: IssuerOpt,
    reason: ReasonOpt = 7,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Lift a suspension."""
    _status_change(files, "suspension", False, reason, issuer, rpc, deployment)


_SYMBOL = {
    "pass": "[green]✔[/]",
    "fail": "[red]✘[/]",
    "unknown": "[yellow]?[/]",
    "skipped": "[dim]-[/]",
}
_COLOUR = {"valid": "green", "could not determine": "yellow"}


@app.command()
def verify(
    files: FilesArg,
    at: Annotated[str | None, typer.Option(help="Was it valid at this ISO date/time?")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report(s) as JSON.")] = False,
    trust_list: Annotated[
        list[Path] | None,
        typer.Option("--trust-list", help="File naming the Root TAOs you accept (repeat to accept several lists)."),
    ] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
    service: ServiceOpt = None,
    audience: Annotated[
        str | None,
        typer.Option(help="Who you are, as the holder was told (passports only): a passport made for another fails."),
    ] = None,
    nonce: Annotated[
        str | None,
        typer.Option(help="The challenge you gave the holder (passports only): a passport without it is refused."),
    ] = None,
) -> None:
    """Verify credentials and passports: exit 0 valid, 1 not valid, 2 could not determine.

    Exit 64 when the command line itself is wrong (an unknown option, a file that is not there,
    a date that is not a date): that is never a verdict."""

    with _arguments():
        when = _parse_at(at)
        sources = _sources(files)
        roots = _trust_lists(trust_list)
    if service:
        _verify_via_service(service, sources, at, roots, as_json, audience=audience, nonce=nonce)
        return
    from rich.progress import Progress

    from registry.chain.client import start_read_deadline
    from registry.ops.passport import is_passport
    from registry.ops.registry import Registry
    from registry.ops.verify import Verifier, note_single_node

    settings = _verdict_settings(rpc, deployment)

    def verifier_for(url: str) -> Verifier:
        endpoint = Settings(home=settings.home, rpc_urls=(url,), deployment_path=settings.deployment_path)
        try:
            registry = Registry.connect(endpoint, journal=False)
        except (ChainUnavailable, DeploymentMismatch, ConfigError) as exc:
            return Verifier(None, roots, unavailable=str(exc), anchor_window_s=settings.anchor_window_s)
        return Verifier(registry, roots, anchor_window_s=settings.anchor_window_s)

    # Every chain read ends within the read deadline: REGISTRY_READ_DEADLINE seconds for each
    # slice of up to 100 credentials (attaching to the chain included), however the node paces
    # its answers; past it, the verdict is "could not determine".
    slices = -(-len(sources) // 100)
    start_read_deadline(settings.read_deadline_s * slices, "read deadline (REGISTRY_READ_DEADLINE)")
    urls = list(settings.rpc_urls) or [settings.rpc_url]
    if len(urls) > 1:
        factories = [(u, functools.partial(verifier_for, u)) for u in urls]
        _verify_quorum(factories, [_read_argument(s) for s in sources], when, as_json, audience, nonce)
        return
    verifier = verifier_for(urls[0])
    # Files are read, verified and reported a slice at a time, so memory stays flat however many
    # there are; only the verdict counts are kept for the summary.
    chunk = 500
    counts: dict[str, int] = {}
    worst = 0
    emitted = 0
    single = len(sources) == 1
    with Progress(console=Console(stderr=True), transient=True, disable=single) as progress:
        task = progress.add_task(f"verifying {len(sources)} files", total=len(sources))
        for start in range(0, len(sources), chunk):
            inputs = [_read_argument(source) for source in sources[start : start + chunk]]
            credentials = [n for n, (_, content) in enumerate(inputs) if not is_passport(content)]
            results: list[Any] = [None] * len(inputs)
            reports = verifier.verify_many([inputs[n] for n in credentials], when) if credentials else []
            for n, report in zip(credentials, reports, strict=True):
                results[n] = report
            for n, (source, content) in enumerate(inputs):
                if results[n] is None:
                    results[n] = verifier.verify_passport(source, content, when, audience=audience, nonce=nonce)
            for report in results:
                note_single_node(report)
                counts[str(report.verdict)] = counts.get(str(report.verdict), 0) + 1
                worst = max(worst, report.verdict.exit_code)
                if as_json:
                    text = json_text(report.to_json(), indent=2, ascii_only=True)
                    _write(text if single else ("[\n" if emitted == 0 else ",\n") + text)
                else:
                    _print_report(report)
                emitted += 1
            progress.advance(task, len(inputs))
    if as_json:
        _write("\n" if single else "\n]\n")
    elif not single:
        _print_counts(counts, emitted)
    raise typer.Exit(worst)


def _verify_via_service(
    service: str,
    sources: list[str | Path],
    at: str | None,
    trust_list: Any,
    as_json: bool,
    *,
    audience: str | None = None,
    nonce: str | None = None,
) -> None:
    """POST /verify for each file: the service answers with the same report the library builds,
    printed the same way (passports credential by credential, a summary table for many files).

    A file the service could not answer for (unreachable, a wrong URL, still rate-limited after
    waiting as it asked) gets "could not determine" and the next file is still sent; the exit
    code is the worst verdict."""
    from rich.progress import Progress

    from registry.service.client import ServiceClient, ServiceError

    client = ServiceClient(service)
    roots = sorted(trust_list.roots) if trust_list is not None else None
    worst = 0
    counts: dict[str, int] = {}
    single = len(sources) == 1
    with Progress(console=Console(stderr=True), transient=True, disable=single or as_json) as progress:
        task = progress.add_task(f"verifying {len(sources)} files via {markup(service)}", total=len(sources))
        for emitted, source in enumerate(sources):
            name, content = _read_argument(source)
            report: dict[str, Any]
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                message = f"{name} is not UTF-8 text, so not a credential"
                report = {"verdict": "invalid", "summary": f"INVALID: format: {message}",
                          "checks": [{"name": "format", "outcome": "fail", "message": message}]}  # fmt: skip
            else:
                try:
                    answer = client.verify(text, at=at, trust_list=roots, audience=audience, nonce=nonce)
                    report = _service_report(answer)
                except (ChainUnavailable, ServiceError) as exc:
                    summary = f"COULD NOT DETERMINE: the service did not answer: {exc}"
                    report = {"verdict": "could not determine", "summary": summary, "checks": []}
            report = _named(report, name)
            verdict = str(report.get("verdict"))
            counts[verdict] = counts.get(verdict, 0) + 1
            worst = max(worst, {"valid": 0, "could not determine": 2}.get(verdict, 1))
            if as_json:
                text = json_text(report, indent=2, ascii_only=True)
                _write(text if single else ("[\n" if emitted == 0 else ",\n") + text)
            else:
                _print_report(_as_report(report))
            progress.advance(task)
    if as_json:
        _write("\n" if single else "\n]\n")
    else:
        if not single:
            _print_counts(counts, len(sources))
        out.print(f"[dim]verified via {markup(service)}[/]", markup=True)
    raise typer.Exit(worst)


def _service_report(answer: Any) -> dict[str, Any]:
    """The service's answer, if it has the shape of a report (the service's own response models),
    else ServiceError: whatever a service sends is printed only once it reads as a report."""
    from pydantic import TypeAdapter, ValidationError

    from registry.service.client import ServiceError
    from registry.service.schemas import PassportReport, VerifyReport

    try:
        TypeAdapter(VerifyReport | PassportReport).validate_python(answer)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) if exc.errors() else "it"
        raise ServiceError(200, {"title": "not a verification report", "detail": f"{where} is malformed"}) from exc
    result: dict[str, Any] = answer
    return result


def _named(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The service names what it was sent "request"; the reader knows it as the file."""
    named = {**report, "source": name}
    if isinstance(report.get("credentials"), list):
        named["credentials"] = [{**inner, "source": f"{name} #{n}"} for n, inner in enumerate(report["credentials"], 1)]
    return named


def _as_report(data: dict[str, Any]) -> Any:
    """A report as JSON (the service's answer) in the shape `_print_report` reads."""
    from types import SimpleNamespace as make

    checks = [
        make(name=c.get("name"), outcome=c.get("outcome"), message=c.get("message"), evidence=c.get("evidence") or {})
        for c in data.get("checks", [])
    ]
    fields = {"source": data.get("source"), "verdict": data.get("verdict"), "summary": data.get("summary"),
              "checks": checks}  # fmt: skip
    if isinstance(data.get("credentials"), list):
        fields["credentials"] = [_as_report(inner) for inner in data["credentials"]]
    else:
        fields["credential"] = data.get("credential") or {}
    return make(**fields)


def _verify_quorum(
    verifiers: list[Any],
    inputs: list[tuple[str, bytes]],
    when: int | None,
    as_json: bool,
    audience: str | None = None,
    nonce: str | None = None,
) -> None:
    from registry.ops.verify import verify_with_quorum

    results = verify_with_quorum(verifiers, inputs, when, audience=audience, nonce=nonce)
    if as_json:
        payload: Any = [r.to_json() for r in results] if len(results) > 1 else results[0].to_json()
        _write(json_text(payload, indent=2, ascii_only=True) + "\n")
    else:
        for report in results:
            _print_report(report)
        if len(results) > 1:
            _print_summary(results)
    raise typer.Exit(max(r.verdict.exit_code for r in results))


def _print_report(report: Any, indent: str = "") -> None:
    """The verdict line (not indented), then indented lines: nothing from the credential or the
    file name can start a line of its own or style itself (see registry/text.py)."""
    colour = _COLOUR.get(str(report.verdict), "red")
    out.print(f"{indent}[bold]{markup(report.source)}[/]: [bold {colour}]{markup(report.summary)}[/]", markup=True)
    if hasattr(report, "credentials"):  # a passport: holder checks, then each credential
        for check in report.checks:
            _print_check(check, indent)
        for inner in report.credentials:
            _print_report(inner, indent + "  ")
        return
    info = report.credential
    if info:
        out.print(
            f"{indent}  {shown(info.get('achievement') or '')} — issuer {shown(info.get('issuer'))}, "
            f"holder {shown(info.get('subject'))}"
        )
    for check in report.checks:
        _print_check(check, indent)
        evidence = ", ".join(f"{k} {v}" for k, v in check.evidence.items() if v is not None)
        if evidence:
            out.print(f"{indent}      [dim]{markup(evidence)}[/]", markup=True)


def _print_check(check: Any, indent: str) -> None:
    symbol = _SYMBOL.get(str(check.outcome), "?")
    out.print(f"{indent}  {symbol} {markup(check.name)}: {markup(check.message)}", markup=True)


def _print_counts(counts: dict[str, int], total: int) -> None:
    table = Table("verdict", "credentials", title=f"{total} credentials checked")
    for verdict, count in sorted(counts.items()):
        table.add_row(shown(verdict), str(count))
    out.print(table)


def _print_summary(reports: list[Any]) -> None:
    counts: dict[str, int] = {}
    for report in reports:
        counts[str(report.verdict)] = counts.get(str(report.verdict), 0) + 1
    _print_counts(counts, len(reports))


def _serve_command() -> None:
    from registry.service.cli import serve

    app.command("serve", help="Run the registry service (EBSI-style REST API, /verify, web page).")(serve)


_serve_command()


EXIT_USAGE = 64  # sysexits.h EX_USAGE
EXIT_IO = 74  # sysexits.h EX_IOERR
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE


class _BadArguments(RegistryError):
    """What the command line named is wrong (not a verdict about a credential or an issuer)."""


@contextmanager
def _arguments() -> Iterator[None]:
    """Around the reading of a verdict command's arguments: an InputError there is a usage error
    (exit 64), so a missing file or a mistyped date is never reported as "not valid" (exit 1)."""
    try:
        yield
    except InputError as exc:
        raise _BadArguments(str(exc)) from exc


def _verdict_settings(rpc: list[str] | None, deployment: Path | None) -> Settings:
    """The settings of `verify` or `issuer check`: an unusable value (REGISTRY_READ_DEADLINE=abc)
    is a mistake in how the command was run (exit 64), never a verdict."""
    from registry.chain.client import repeated_endpoint

    try:
        # The same node given twice (127.0.0.1 and localhost, say) is not a second opinion.
        same = repeated_endpoint(rpc) if rpc and len(rpc) > 1 else None
        if same is not None:
            raise ConfigError(
                f"--rpc {same[0]} and --rpc {same[1]} are the same endpoint: a quorum needs independent "
                "nodes; give each endpoint once"
            )
        return _settings(rpc, deployment)
    except ConfigError as exc:
        raise _BadArguments(str(exc)) from exc


@contextmanager
def _view_calls() -> Iterator[None]:
    """Around a verdict command's chain reads: a view call the node says reverted is a node that
    cannot be believed (our views do not revert), so "could not determine", never "not trusted"."""
    try:
        yield
    except TransactionReverted as exc:
        raise ChainUnavailable(f"the node refused a read it should answer: {exc}") from exc


def _fail(message: str, code: int) -> None:
    # Plain write, not Rich: an error stays one line whatever the terminal width.
    sys.stderr.write("error: " + shown(" ".join(message.split())) + "\n")
    sys.exit(code)


def main() -> None:
    try:
        from typer._click.exceptions import UsageError  # typer >= 0.20 vendors click
    except ImportError:  # pragma: no cover - an older typer on plain click
        from click.exceptions import UsageError  # type: ignore[assignment]
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        if not exc.format_message():  # a command group named alone: its help was the answer
            sys.exit(0)
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        _fail(exc.format_message() + where, EXIT_USAGE)
    except (ChainUnavailable, DeploymentMismatch) as exc:
        _fail(str(exc), 2)
    except _BadArguments as exc:
        _fail(str(exc), EXIT_USAGE)
    except StateError as exc:  # the journal, the status allocation or holder files: local state
        _fail(str(exc), EXIT_IO)
    except RegistryError as exc:
        _fail(str(exc), 1)
    except (KeyboardInterrupt, typer.Abort):
        _fail("interrupted", 130)
    except BrokenPipeError:
        # Whoever read our output stopped reading (`| head`): leave quietly, as tools killed by SIGPIPE do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as exc:
        # A file named on the command line fails with its name; the output (stdout) without one.
        where = f"{exc.filename}" if exc.filename else "the output"
        _fail(f"cannot write {where}: {exc.strerror or exc}", EXIT_IO)
    if code == 130:  # typer turns Ctrl-C into a silent exit 130
        _fail("interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
