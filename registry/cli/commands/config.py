"""`registry config ...`: the home's own settings (<home>/config.json), set once and read by every
command run with that home, after the command line and the environment (registry/config.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.options import settings_of
from registry.cli.output import out
from registry.text import shown

app = typer.Typer(
    help="This home's settings (the node's URL), remembered for every later command.", no_args_is_help=True
)

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="The setting: rpc-url (the node's JSON-RPC URL).")]


@app.command("set")
def config_set(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(help="Its value, e.g. http://127.0.0.1:8545.")],
) -> None:
    """Remember a setting in <home>/config.json, for every later command.

    --rpc and REGISTRY_RPC_URL, when given, still win over it."""
    from registry.config import set_home_config

    settings = settings_of(ctx)
    path = set_home_config(settings.home, key, value)
    out.print(f"{key} = {shown(value)} (in {shown(str(path))})")
    url, source = settings.rpc_url_source
    if key == "rpc-url" and url != value:
        out.print(f"note: {source} still wins for now ({shown(url)}): commands use it while it is set")


@app.command("unset")
def config_unset(ctx: typer.Context, key: KeyArg) -> None:
    """Forget a setting: the environment or the default applies again."""
    from registry.config import set_home_config

    path = set_home_config(settings_of(ctx).home, key, None)
    out.print(f"{key} removed from {shown(str(path))}")


@app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Every setting's value now, and where it comes from.

    From --rpc, the environment, <home>/config.json, or the default."""
    settings = settings_of(ctx)
    url, source = settings.rpc_url_source
    out.print(f"home        {shown(str(settings.home))}")
    out.print(f"rpc-url     {shown(url)}  (from {shown(source)})")
    out.print(f"deployment  {shown(str(settings.deployment_file))}")
