"""`registry passport ...`: a holder's credentials bundled and signed with the holder's did:key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.commands.wallet import WalletOpt
from registry.cli.options import duration, load_identity, settings_of, text
from registry.cli.output import count, out
from registry.errors import InputError
from registry.text import shown

app = typer.Typer(help="Skills passports: a holder's credentials, presented together.", no_args_is_help=True)

FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="The holder's credential files; with --from-wallet, credential ids (default: all).", show_default=False
    ),
]
FromWalletOpt = Annotated[
    bool, typer.Option("--from-wallet", help="Take the credentials from your wallet and sign with its key.")
]


@app.command("create")
def passport_create(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--out", help="Where to write the passport.")],
    files: FilesArg = None,
    holder: Annotated[str | None, typer.Option(help="The holder's identity name (a did:key person).")] = None,
    from_wallet: FromWalletOpt = False,
    wallet: WalletOpt = None,
    audience: Annotated[
        str | None,
        typer.Option(help="Who the passport is for (aud claim), e.g. the employer's URL or DID.", callback=text),
    ] = None,
    nonce: Annotated[
        str | None,
        typer.Option(help="The challenge the verifier gave you (nonce claim), if it gave one.", callback=text),
    ] = None,
    valid_for: Annotated[
        str, typer.Option(help="How long the passport can be used (exp claim): e.g. 30m, 12h, 7d; 1m to 365d.")
    ] = "7d",
) -> None:
    """Bundle a holder's credentials into a passport signed with the holder's did:key.

    The passport expires (default a week after it is made); give --audience and --nonce when the
    verifier told you who it is and gave you a challenge, so the passport cannot be replayed elsewhere."""
    from registry.chain.deployment import write_json_atomic
    from registry.files import read_capped
    from registry.formats.credential import load_holder_file
    from registry.ops.inputs import MAX_INPUT_BYTES
    from registry.ops.passport import check_valid_for, create_passport

    settings = settings_of(ctx)
    lifetime = duration(valid_for, "--valid-for")
    check_valid_for(lifetime)
    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")
    if from_wallet:
        if holder:
            raise InputError("--from-wallet signs with your wallet's key: leave out --holder")
        identity, holder_files, names = _from_wallet(ctx, wallet, files or [])
    else:
        if not holder or not files:
            raise InputError("give --holder NAME and the credential files, or --from-wallet")
        names = files
        holder_files = [load_holder_file(read_capped(Path(path), MAX_INPUT_BYTES), path) for path in files]
        identity = load_identity(settings, holder)
    try:
        passport = create_passport(identity, holder_files, audience=audience, nonce=nonce, valid_for=lifetime)
    except InputError as exc:  # "credential 2 ..." -> the file it came from
        message = str(exc)
        for number, path in enumerate(names, 1):
            message = message.replace(f"credential {number} ", f"{path} ", 1)
        raise InputError(message) from exc
    write_json_atomic(output, passport)
    out.print(f"passport of {identity.did} with {count(len(holder_files), 'credential')} written to {shown(output)}")


def _from_wallet(ctx: typer.Context, directory: Path | None, ids: list[str]) -> tuple[Any, list[Any], list[str]]:
    """The wallet's key and the credentials named by id (all, when none is named), all about that key."""
    from registry.cli.commands.wallet import wallet_of, wallet_passphrase

    store = wallet_of(ctx, directory)
    entries = [store.find(i) for i in ids] if ids else store.entries()
    if not entries:
        raise InputError(f"the wallet {store.directory} holds no credential: `registry wallet import` them first")
    dids = sorted({str(e.subject) for e in entries})
    if len(dids) > 1:
        raise InputError(
            f"these credentials were issued to {len(dids)} of your keys ({', '.join(d[:24] + '...' for d in dids)}); "
            "a passport is signed by one key: name the credentials of one key by id"
        )
    identity = store.identity_for(dids[0], wallet_passphrase())
    return identity, [e.holder_file for e in entries], [e.id for e in entries]
