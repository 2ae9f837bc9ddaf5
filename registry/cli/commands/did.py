"""`registry did ...`: DIDs on the chain (register, resolve, rotate the signing key)."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.exits import arguments
from registry.cli.options import (
    AT_HELP,
    DeploymentOpt,
    RpcOpt,
    ServiceOpt,
    did_of,
    load_identity,
    parse_at,
    passphrase,
    settings_of,
)
from registry.cli.output import out, warn, write_json
from registry.errors import KeyStoreError
from registry.text import shown

app = typer.Typer(
    help="Register and resolve DIDs (decentralised identifiers: the public names signatures are checked against).",
    no_args_is_help=True,
)
NameArg = Annotated[str, typer.Argument(help="The identity's local name (`identity create`).")]


@app.command("register")
def did_register(
    ctx: typer.Context, name: NameArg, rpc: RpcOpt = None, deployment: DeploymentOpt = None, service: ServiceOpt = None
) -> None:
    """Register an organisation's DID on-chain, with its controller and signing keys.

    The identity (`identity create`) pays for the transaction: on a local chain, `node fund` it first."""
    from registry.ops.registry import Registry

    settings = settings_of(ctx, rpc, deployment)
    identity = load_identity(settings, name)
    if service:
        from registry.service.client import ServiceClient

        receipts = ServiceClient(service).register_did(identity)
        out.print(f"registered {identity.did} via {service} in block {receipts[0]['receipt']['blockNumber']}")
        return
    from registry.ops.didregistration import register

    receipt = register(Registry.connect(settings), identity)
    if receipt is None:  # run again after it finished: as other writers say it
        out.print(f"unchanged: {identity.did} is registered with its controller and signing keys already")
        return
    out.print(f"registered {identity.did} in block {receipt['blockNumber']}")


@app.command("resolve")
def did_resolve(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(help="The DID (did:ebsi or did:key), or a local identity name.")],
    at: Annotated[str | None, typer.Option(help=f"Resolve as of this date/time ({AT_HELP}).")] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Print a DID document (did:ebsi from the chain; did:key locally)."""
    from registry.ops.documents import resolve_document

    settings = settings_of(ctx, rpc, deployment)
    with arguments(KeyStoreError):  # a DID mistyped, a name no identity has, a date that is none: 64
        when, target = parse_at(at), did_of(settings, did)
    write_json(resolve_document(settings, target, when))


@app.command("rotate-key")
def did_rotate_key(ctx: typer.Context, name: NameArg, rpc: RpcOpt = None, deployment: DeploymentOpt = None) -> None:
    """Replace an identity's credential-signing key: a new key is added, the old one ends now.

    Credentials signed and anchored with the old key before the rotation stay valid."""
    from registry.cli.hints import acting
    from registry.keystore import KeyStore
    from registry.ops.registry import Registry
    from registry.ops.rotation import rotate_signing_key

    settings = settings_of(ctx, rpc, deployment)
    secret = passphrase()
    store = KeyStore(settings.keys_dir, warn)
    identity = store.load(name, secret)
    acting(name)  # a refusal's hint names it (cli/hints.py)
    registry = Registry.connect(settings)
    rotated = rotate_signing_key(registry, settings, store, identity, secret)
    who = f"{shown(name)} ({identity.did})"
    if rotated.resumed:
        out.print(f"{who}: the rotation a stopped run began is finished")
    out.print(f"{who}: new signing key {rotated.identity.kid}; the previous key's validity ended now "
              "(credentials signed with it before stay valid; new ones are signed with the new key)")  # fmt: skip
