"""`registry wallet ...`: the worker's own keys and credentials, in a directory of their own
(<home>/wallet, or --wallet DIR), under her own passphrase (REGISTRY_WALLET_PASSPHRASE, else asked).
The store, its backup and its status are registry/ops/wallet/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.exits import arguments
from registry.cli.options import DeploymentOpt, RpcOpt, passphrase, settings_of
from registry.cli.output import out, print_certified, print_warnings, write_json
from registry.errors import InputError
from registry.i18n import _, joined, ngettext
from registry.i18n.words import headline, localised, reason_word, verdict_word
from registry.text import named_did, shown

app = typer.Typer(
    help="Your wallet, as a worker or learner: your own key and the credentials issued to you.", no_args_is_help=True
)

WalletOpt = Annotated[
    Path | None,
    typer.Option("--wallet", help="The wallet directory (default <home>/wallet).", show_default=False),
]
WALLET_ENV = "REGISTRY_WALLET_PASSPHRASE"
BACKUP_ENV = "REGISTRY_BACKUP_PASSPHRASE"
HOLDER_ENV = "REGISTRY_HOLDER_PASSPHRASE"


def wallet_of(ctx: typer.Context, directory: Path | None) -> Any:
    from registry.cli.output import warn
    from registry.ops.wallet import Wallet

    return Wallet(directory if directory is not None else settings_of(ctx).home / "wallet", warn)


def held_wallet(ctx: typer.Context, directory: Path | None) -> Any:
    """The wallet a command reads, refused when there is none there (lost, or another home): never "0 credentials"."""
    store = wallet_of(ctx, directory)
    if not store.directory.is_dir():
        raise InputError(
            f"there is no wallet at {store.directory}: make one with `registry wallet create`, or restore yours "
            "from its backup with `registry wallet import-backup FILE`"
        )
    return store


MIN_NEW_PASSPHRASE = 8


def wallet_passphrase(confirm: bool = False, *, new: bool = False) -> str:
    if new:
        return new_passphrase(WALLET_ENV, "Wallet passphrase", confirm)
    return passphrase(confirm, WALLET_ENV, "Wallet passphrase")


def new_passphrase(env: str, prompt: str, confirm: bool = True) -> str:
    """A passphrase that will encrypt keys from now on: at least MIN_NEW_PASSPHRASE characters. Only
    new ones are held to it, so nobody is locked out of a wallet or backup made before."""
    from registry.errors import KeyStoreError

    value = passphrase(confirm, env, prompt)
    if len(value.strip()) < MIN_NEW_PASSPHRASE:
        raise KeyStoreError(f"the new {prompt.lower()} is too short: choose one of at least {MIN_NEW_PASSPHRASE} "
                            f"characters (typed, or in {env}); it alone protects the keys it encrypts")  # fmt: skip
    return value


@app.command("create")
def wallet_create(
    ctx: typer.Context,
    wallet: WalletOpt = None,
    name: Annotated[str, typer.Option(help="A local name for the key.")] = "own",
) -> None:
    """Make your own key and its DID (a did:key), to give to the centre that certifies you.

    The key is encrypted under your passphrase (asked twice, or REGISTRY_WALLET_PASSPHRASE; a new
    wallet's is at least 8 characters)."""
    store = wallet_of(ctx, wallet)
    identity, path = store.create(wallet_passphrase(confirm=True, new=not store.dids()), name)
    out.print(_("your DID: {did}").format(did=identity.did))
    out.print(
        "  "
        + _('your key "{name}", encrypted in {path}; give this DID to the centre that certifies you').format(
            name=shown(name), path=shown(path)
        )
    )


@app.command("import")
def wallet_import(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Credential files or passports given to you.")],
    wallet: WalletOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was imported as JSON.")] = False,
) -> None:
    """Keep credentials issued to you in your wallet.

    Each must be issued to one of your keys and intact; one the wallet holds already is left as it is, and
    named. With a node or deployment (--rpc, REGISTRY_RPC_URL, --deployment), each one's status now is said:
    a revoked or suspended one is kept as your history, one that is not genuine is refused with the whole
    import. --json: the credentials imported, as `wallet list --json` shows them, with the revocation or
    suspension in force and the root not on your list."""
    from registry.ops.wallet import read_sources
    from registry.ops.wallet.status import on_import

    settings = settings_of(ctx, rpc, deployment)
    store = wallet_of(ctx, wallet)
    checked, held = store.check_imports(read_sources(files))
    arrivals = on_import(settings, checked)  # a forgery refuses them all, before anything is written
    entries = store.add(checked)
    if as_json:
        write_json([_arrival_json(entry, arrival) for entry, arrival in zip(entries, arrivals, strict=True)])
        return
    if held:  # after a partial restore, say: left as they are, named
        out.print(_("already in your wallet, left as they are: {names}").format(names=_held_names(held)))
    if not checked:
        out.print(_("nothing new: your wallet {wallet} holds them all already").format(wallet=shown(store.directory)))
        return
    for entry, arrival in zip(entries, arrivals, strict=True):
        issuer = arrival.certifies["issuer"]
        what = _("{name} from {issuer}").format(
            name=shown(arrival.certifies["name"] or _("(no name)")), issuer=named_did(issuer["did"], issuer["name"])
        )
        out.print(_("imported {id}: {what}").format(id=entry.id, what=what))
        out.print("  " + _arrival_words(arrival, named_did(issuer["did"], issuer["name"])))
        print_warnings(arrival.warnings, "  ")
    done = ngettext("{n} credential imported into {wallet}", "{n} credentials imported into {wallet}", len(checked))
    out.print(done.format(n=len(checked), wallet=shown(store.directory)))


def _held_names(held: list[Any]) -> str:
    """Each credential by what it certifies and its id, as `wallet list` names them."""
    from registry.ops.wallet.status import names_of

    unnamed = _("(no name)")
    return joined(f"{shown(name or unnamed)} ({cid})" for cid, name in names_of(held))


def _arrival_words(arrival: Any, issuer: str) -> str:
    """Its status now, as `wallet import` says it: never "valid" unless the chain said so."""
    if arrival.verdict is None:
        return _("status not checked (no node or deployment; give --rpc URL to check)")
    if arrival.verdict == "valid":
        return _("status now: {verdict}").format(verdict=verdict_word("valid").upper())
    if arrival.verdict == "could not determine":
        why = str(arrival.summary).removeprefix("COULD NOT DETERMINE: ").removeprefix("could not check: ")
        return _("imported, but its status could not be checked now: {why}").format(why=shown(why))
    if arrival.root is not None:  # genuine and in force: only its root is not on her trust list (or she has none)
        return _root_words(arrival.root)
    if arrival.change is not None:  # revoked or suspended: hers to keep, as her history
        time, reason = arrival.change
        return _("imported, but {verdict} by {issuer} on {time}: {reason}").format(
            verdict=verdict_word(arrival.verdict).upper(),
            issuer=issuer,
            time=shown(time),
            reason=shown(reason_word(reason)),
        )
    return _("imported, but {status}").format(status=shown(headline(str(arrival.summary))))


def _root_words(root: tuple[str, str | None]) -> str:
    """Of a credential genuine and in force whose root her trust list does not name (or she has none):
    what she may want to know, instead of the verifier's advice to an employer on making a trust list."""
    return _("status now: genuine, not revoked or suspended; accredited under Root TAO {root}, which your "
             "trust list does not name").format(root=named_did(*root))  # fmt: skip


@app.command("import-key")
def wallet_import_key(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The handover file the centre gave you.")],
    wallet: WalletOpt = None,
    name: Annotated[str | None, typer.Option(help="A local name for the key (default: the centre's).")] = None,
) -> None:
    """Take into your wallet a key a training centre made for you, from the file it gave you.

    The file's passphrase is asked (or REGISTRY_HOLDER_PASSPHRASE). The code shown then lets the centre
    delete its copy (`identity handover --confirm CODE`)."""
    from registry.ops.handover import open_handover, read_handover

    store = wallet_of(ctx, wallet)
    data = read_handover(file)
    identity, code = open_handover(data, passphrase(False, HOLDER_ENV, "Handover passphrase"), str(file))
    kept, path = store.add_key(identity, wallet_passphrase(new=not store.dids()), name)
    out.print(_("your DID: {did}").format(did=identity.did))
    out.print(
        "  "
        + _('your key "{name}", now encrypted under your wallet passphrase in {path}').format(
            name=shown(kept), path=shown(path)
        )
    )
    out.print(_("confirmation code for the centre: {code}").format(code=code))
    out.print("  " + _("give it to the centre: with it, and only with it, the centre deletes its copy of your key"))


@app.command("list")
def wallet_list(
    ctx: typer.Context,
    wallet: WalletOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """List your credentials: what each certifies, who issued it, and its status now.

    The status is read from the chain when a node or deployment is configured (--rpc, REGISTRY_RPC_URL,
    --deployment)."""
    from registry.ops.wallet.status import chain_configured, check_now, describe

    settings = settings_of(ctx, rpc, deployment)
    store = held_wallet(ctx, wallet)
    entries = store.entries()
    checked = chain_configured(settings)
    listed = check_now(settings, entries) if checked else describe(entries)
    if as_json:
        write_json([_as_json(item) for item in listed])
        return
    for name, did in store.dids().items():  # what she gives a centre that is to certify her
        out.print(_('your DID (key "{name}"): {did}').format(name=shown(name), did=did))
    for item in listed:
        what = localised(dict(item.certifies))
        status = verdict_word(item.verdict).upper() if item.verdict is not None else _("status not checked")
        issuer = what["issuer"]["name"] or what["issuer"]["did"] or "?"
        name = what["name"] or _("(no name)")
        out.print(f"{item.entry.id}  {shown(name)}  [{shown(status)}]")
        issued = _("issuer {issuer}, issued {date}").format(issuer=shown(issuer), date=shown(what["issued"] or "?"))
        out.print(f"    {issued}")
        if item.root is not None:
            out.print(f"    {_root_words(item.root)}")
        elif item.summary and (item.verdict not in (None, "valid") or "; but " in item.summary):  # or a note
            out.print(f"    {shown(headline(item.summary))}")
        print_warnings(item.warnings, "    ")  # texts to read closely, as `registry verify` flags them
    held = ngettext("{n} credential in {wallet}", "{n} credentials in {wallet}", len(listed))
    note = "" if checked else " " + _("(status not checked: no node or deployment; give --rpc URL to check)")
    out.print(held.format(n=len(listed), wallet=shown(store.directory)) + note)


@app.command("show")
def wallet_show(
    ctx: typer.Context,
    credential: Annotated[str, typer.Argument(help="The credential's id (or its first digits), from `wallet list`.")],
    wallet: WalletOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Show what one credential certifies, in full, its status now, and the file it is kept in.

    The status is read when a node or deployment is configured; `registry verify FILE` checks the file."""
    from registry.ops.wallet.status import chain_configured, check_now, describe

    settings = settings_of(ctx, rpc, deployment)
    entry = held_wallet(ctx, wallet).find(credential)
    (item,) = check_now(settings, [entry]) if chain_configured(settings) else describe([entry])
    status = shown(headline(item.summary)) if item.summary else _("status not checked (no node or deployment)")
    if item.root is not None:
        status = _root_words(item.root)
    out.print(f"{entry.id}: {status}\n  {shown(entry.path)}")
    if item.verdict == "invalid" and not item.certifies["name"] and not item.certifies["issuer"]["did"]:
        out.print("  " + _("nothing of what it claims is shown: its signature does not verify"))
    else:
        print_certified(dict(item.certifies), "  ")
    print_warnings(item.warnings, "  ")
    kind = _("cohort member") if entry.holder_file.cohort is not None else _("anchored alone")
    out.print("  " + _("{kind}; check it now with `registry verify {file}`").format(kind=kind, file=shown(entry.path)))


@app.command("export")
def wallet_export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
    wallet: WalletOpt = None,
) -> None:
    """Back up the whole wallet into one file, under a passphrase you give.

    The passphrase (at least 8 characters) is asked twice (or REGISTRY_BACKUP_PASSPHRASE); inside,
    your keys stay encrypted under your wallet passphrase too."""
    from registry.ops.wallet.backup import export_backup

    store = wallet_of(ctx, wallet)
    keys, credentials = export_backup(store, new_passphrase(BACKUP_ENV, "Backup passphrase"), output)
    done = _("backed up {keys} and {credentials} to {file}")
    out.print(done.format(keys=_keys(keys), credentials=_credentials(credentials), file=shown(output)))


@app.command("import-backup")
def wallet_import_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup written by `wallet export`.")],
    wallet: WalletOpt = None,
) -> None:
    """Restore a backup into the wallet (merged: what it holds already is kept)."""
    from registry.ops.wallet.backup import open_backup, open_sealed, restore

    with arguments():  # another kind of file, named before any passphrase is asked for: a usage error (64)
        sealed = open_sealed(file)
    store = wallet_of(ctx, wallet)
    content = open_backup(file, sealed, passphrase(False, BACKUP_ENV, "Backup passphrase"))
    had_keys = bool(store.dids())
    done = restore(store, content, str(file))
    restored = _("restored {keys} and {credentials} into {wallet}").format(
        keys=_keys(len(done.keys)), credentials=_credentials(len(done.credentials)), wallet=shown(store.directory)
    )
    out.print(restored + (_("; {n} already held").format(n=done.skipped) if done.skipped else ""))
    if had_keys and done.keys:  # beside keys made here, under this wallet's passphrase
        out.print("  " + _("the keys restored keep the passphrase your wallet had when it was backed up: give that "
                           "one when you sign with them (a passport)"))  # fmt: skip


def _keys(n: int) -> str:
    return ngettext("{n} key", "{n} keys", n).format(n=n)


def _credentials(n: int) -> str:
    return ngettext("{n} credential", "{n} credentials", n).format(n=n)


def _arrival_json(entry: Any, arrival: Any) -> dict[str, Any]:
    """One credential `wallet import --json` took: `wallet list --json`'s keys, and what its words say
    beside its status (the revocation or suspension in force; the root her trust list does not name)."""
    change = {"time": arrival.change[0], "reason": arrival.change[1]} if arrival.change is not None else None
    root = {"did": arrival.root[0], "name": arrival.root[1]} if arrival.root is not None else None
    return {
        "id": entry.id,
        "file": str(entry.path),
        "certifies": arrival.certifies,
        "verdict": arrival.verdict,
        "status": arrival.verdict if arrival.verdict is not None else "not checked",
        "summary": arrival.summary,
        "change": change,
        "root": root,
        "warnings": arrival.warnings,
    }


def _as_json(item: Any) -> dict[str, Any]:
    return {
        "id": item.entry.id,
        "file": str(item.entry.path),
        "certifies": item.certifies,
        "verdict": item.verdict,
        "status": item.verdict if item.verdict is not None else "not checked",
        "summary": item.summary,
        "warnings": item.warnings,
    }
