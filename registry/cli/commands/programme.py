"""`registry programme ...`: a provider publishes a programme for logbooks (issue #16, first cut).
The work is in registry/ops/logbook/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.options import DeploymentOpt, IssuerOpt, RpcOpt, load_identity, settings_of
from registry.cli.output import out
from registry.errors import InputError
from registry.text import shown

app = typer.Typer(
    help="Programmes: the competency standards (units, hours) a learner's logbook is recorded against.",
    no_args_is_help=True,
)
OutOpt = Annotated[Path, typer.Option("--out", help="Where to write the signed document.")]


def read_token(path: Path, what: str) -> str:
    """A signed record kept as a file of its compact JWS."""
    from registry.files import MIB, read_capped

    raw = read_capped(path, MIB, what)
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} ({path}) is not a compact JWS") from exc


def write_token(path: Path, token: str) -> None:
    """Write a signed document whole (a temporary file renamed), never over another file."""
    from registry.durable import discard_temporaries, write_bytes_atomic

    if path.exists():
        raise InputError(f"{path} already exists; not overwriting it")
    if not path.parent.is_dir():
        raise InputError(f"the directory {path.parent} does not exist")
    discard_temporaries(path)  # a run killed while writing it
    write_bytes_atomic(path, (token + "\n").encode("ascii"))


@app.command("publish")
def publish(
    ctx: typer.Context,
    programme: Annotated[Path, typer.Argument(help="The programme as JSON (id, version, title, units, ...).")],
    issuer: IssuerOpt,
    output: OutOpt,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Publish a programme: the training provider (an accredited issuer) signs it and anchors its hash.

    The signed file (--out) is what `logbook enrol` and `supervisor authorise` take."""
    from registry.formats.logbook import parse_programme
    from registry.ops.logbook import Provider
    from registry.ops.logbook.book import read_json
    from registry.ops.logbook.provider import programme_of
    from registry.ops.logbook.published import new_version_needed, same_document
    from registry.ops.registry import Registry

    settings = settings_of(ctx, rpc, deployment)
    data = read_json(programme, f"the programme {programme}")
    held = _held(output)  # an --out there already: refused unless it holds this very programme
    provider = Provider(Registry.connect(settings), load_identity(settings, issuer), settings)
    wanted = parse_programme({**data, "provider": provider.identity.did} if isinstance(data, dict) else data)
    if held is not None and not same_document(programme_of(held), wanted):
        if programme_of(held).ref == wanted.ref:
            raise InputError(new_version_needed(wanted))
        raise InputError(f"{output} already exists; not overwriting it")
    token, new = provider.publish(data, held)
    if held != token:  # none there, or this programme as a document never anchored (a run stopped)
        output.unlink(missing_ok=True)
        write_token(output, token)
    named = f"{shown(wanted.title)} ({shown(wanted.ref)})"
    if new:
        out.print(f"published programme {named} to {output}")
    else:
        out.print(f"programme {named} is published already, unchanged: nothing to do ({output} holds it)")


def _held(output: Path) -> str | None:
    """The programme an existing --out holds (None when there is no file; a file that is not one is refused)."""
    from registry.ops.logbook.provider import programme_of

    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")
    if not output.exists():
        return None
    try:
        token = read_token(output, "the programme")
        programme_of(token)
    except InputError as exc:
        raise InputError(f"{output} already exists; not overwriting it") from exc
    return token
