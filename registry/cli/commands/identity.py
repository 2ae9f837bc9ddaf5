"""`registry identity ...`: identities (a DID and its keys, encrypted with a passphrase) kept
under <home>/keys. Nothing here touches the chain."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.options import passphrase, settings_of
from registry.cli.output import out, write
from registry.errors import KeyStoreError
from registry.text import shown

app = typer.Typer(help="Create and show identities (DIDs and their encrypted keys).", no_args_is_help=True)


@app.command("create")
def identity_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A local name for the identity.")],
    person: Annotated[
        bool,
        typer.Option("--person", help="A natural person (did:key) instead of a legal entity (did:ebsi)."),
    ] = False,
) -> None:
    """Create an identity with fresh keys, encrypted with your passphrase."""
    from registry.keystore import KeyStore, new_legal_entity, new_natural_person

    settings = settings_of(ctx)
    store = KeyStore(settings.keys_dir)
    if store.exists(name):
        raise KeyStoreError(f"identity {name} already exists")
    identity = new_natural_person(name) if person else new_legal_entity(name)
    path = store.save(identity, passphrase(confirm=True))
    out.print(f"{name}: {identity.did}")
    if identity.controller_key is not None:
        out.print(f"  controller account {identity.account.address}")
    out.print(f"  keys encrypted in {path}")


@app.command("show")
def identity_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The identity's local name.")],
    did_only: Annotated[
        bool, typer.Option("--did", help="Print only the DID, whole, on one line (for scripts: DID=$(...)).")
    ] = False,
) -> None:
    """Show an identity's DID and public keys (nothing is decrypted)."""
    from registry.formats.keys import thumbprint
    from registry.keystore import KeyStore

    info = KeyStore(settings_of(ctx).keys_dir).public_info(name)
    if did_only:  # the DID alone, whole and inert (read from a file on disk)
        write(f"{shown(info['did'])}\n")
        return
    out.print(f"{name}: {info['did']} ({info['kind']})")
    for key in info["keys"]:
        extra = f", account {key['address']}" if key.get("address") else ""
        jwk = key["publicJwk"]
        out.print(f"  {key['use']}: {jwk['crv']} key #{thumbprint(jwk)}{extra}")
        out.print(f"      x {jwk.get('x')}" + (f"  y {jwk['y']}" if jwk.get("y") else ""))
