"""`registry passport ...`: a holder's credentials bundled and signed with the holder's did:key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.options import duration, load_identity, settings_of, text
from registry.cli.output import count, out
from registry.errors import InputError
from registry.text import shown

app = typer.Typer(help="Skills passports: a holder's credentials, presented together.", no_args_is_help=True)


@app.command("create")
def passport_create(
    ctx: typer.Context,
    holder: Annotated[str, typer.Option(help="The holder's identity name (a did:key person).")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the passport.")],
    files: Annotated[list[Path], typer.Argument(help="The holder's credential files.")],
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
    holder_files = [load_holder_file(read_capped(path, MAX_INPUT_BYTES), str(path)) for path in files]
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")
    identity = load_identity(settings, holder)
    try:
        passport = create_passport(identity, holder_files, audience=audience, nonce=nonce, valid_for=lifetime)
    except InputError as exc:  # "credential 2 ..." -> the file it came from
        message = str(exc)
        for number, path in enumerate(files, 1):
            message = message.replace(f"credential {number} ", f"{path} ", 1)
        raise InputError(message) from exc
    write_json_atomic(output, passport)
    out.print(f"passport of {identity.did} with {count(len(holder_files), 'credential')} written to {shown(output)}")
