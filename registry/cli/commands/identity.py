"""`registry identity ...`: identities (a DID and its keys, encrypted with a passphrase) kept
under <home>/keys. Nothing here touches the chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.options import passphrase, settings_of
from registry.cli.output import out, warn, write
from registry.errors import InputError, KeyStoreError
from registry.text import shown

app = typer.Typer(
    help="Identities kept in this home: a DID and its keys, encrypted under a passphrase.\n\nA DID (decentralised "
    "identifier) is the public name others check your signatures against.",
    no_args_is_help=True,
)


@app.command("create")
def identity_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A local name for the identity.")],
    person: Annotated[
        bool,
        typer.Option(
            "--person",
            help="A person (a learner, a supervisor: did:key) instead of an organisation (training centre, "
            "authority, employer: did:ebsi, registered on-chain with `did register`).",
        ),
    ] = False,
) -> None:
    """Create an identity with fresh keys, encrypted under your passphrase.

    The passphrase is asked twice (or read from REGISTRY_PASSPHRASE); every command that signs as this
    identity asks for it again."""
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


@app.command("handover")
def identity_handover(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's identity (one this centre made for her).")],
    output: Annotated[
        Path | None, typer.Option("--out", help="Write her key here, encrypted under HER passphrase.")
    ] = None,
    confirm: Annotated[
        str | None,
        typer.Option(help="The code her wallet showed when she imported the key (or a file holding it)."),
    ] = None,
) -> None:
    """Give a person the key this centre made for her, then delete the centre's copy.

    First --out FILE writes her key, encrypted under her own passphrase (asked twice, or
    REGISTRY_HOLDER_PASSPHRASE); she imports it with `registry wallet import-key FILE`, which shows a
    code. Then --confirm CODE deletes this centre's copy."""
    from registry.ops.handover import code_of
    from registry.ops.handover import confirm as confirm_handover

    settings = settings_of(ctx)
    if (output is None) == (confirm is None):
        raise InputError("give --out FILE to hand the key over, or --confirm CODE once she has imported it")
    if confirm is not None:
        record = confirm_handover(settings.home, settings.keys_dir, name, code_of(confirm))
        out.print(f"confirmed: {name}'s key ({record['did']}) is in its holder's wallet; this centre's copy is deleted")
        return
    assert output is not None
    _export_handover(settings, name, output)


def _export_handover(settings: Any, name: str, output: Path) -> None:
    from registry.durable import write_json_atomic
    from registry.keystore import KeyStore
    from registry.ops.handover import make_handover, pending_path, record_pending

    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")
    store = KeyStore(settings.keys_dir, warn)
    if not store.exists(name) and pending_path(settings.home, name).exists():
        raise InputError(
            f"{name}'s key was made for a roster: it is already in its handover file, under the one-time passphrase "
            f"on the sheet; she imports it with `registry wallet import-key`, then confirm with --confirm CODE"
        )
    if store.public_info(name).get("kind") != "natural-person":
        raise KeyStoreError(f"{name} is not a person's identity (did:key); only those are handed over")
    identity = store.load(name, passphrase())
    theirs = passphrase(True, "REGISTRY_HOLDER_PASSPHRASE", "Her passphrase (the worker's, for the file)")
    handover = make_handover(identity, theirs, holder_name=None)
    write_json_atomic(output, handover.document, mode=0o600)
    record_pending(settings.home, name, handover, output, keep_copy=False)
    out.print(f"{name}'s key ({identity.did}) written to {shown(output)}, encrypted under her passphrase")
    out.print(
        f"  she imports it with `registry wallet import-key {shown(output.name)}`, which shows a confirmation code; "
        f"then run `registry identity handover {name} --confirm CODE` to delete this centre's copy"
    )
