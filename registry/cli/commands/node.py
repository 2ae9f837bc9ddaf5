"""`registry node ...` (a managed local anvil) and `registry deploy` (the contracts on a chain)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from registry.cli.options import DeploymentOpt, RpcOpt, account_of, settings_of
from registry.cli.output import out, warn
from registry.config import Settings
from registry.errors import InputError
from registry.i18n import _

app = typer.Typer(help="A local test chain (anvil), to try the registry on one machine.", no_args_is_help=True)

StartPortOpt = Annotated[
    int | None,
    typer.Option(
        "--port",
        min=1,
        max=65535,
        help="Port for the local node (default: the port of the node URL in use, REGISTRY_RPC_URL or "
        "`registry config`, when it names this machine, else 8545). Its URL is remembered in <home>/config.json.",
        show_default=False,
    ),
]
PortOpt = Annotated[
    int | None,
    typer.Option(
        "--port", min=1, max=65535, help="Port of the local node (default: as `node start` chose).", show_default=False
    ),
]


def _node(settings: Settings, port: int) -> Any:
    from registry.chain.node import AnvilNode

    return AnvilNode(settings.node_dir, port=port)


def local_port(rpc_url: str) -> int | None:
    """The port of a JSON-RPC URL on this machine (http://127.0.0.1:18545 -> 18545), else None."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(rpc_url)
        port = parts.port
    except ValueError:
        return None
    return port if parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"} else None


@app.command("start")
def node_start(ctx: typer.Context, port: StartPortOpt = None) -> None:
    """Start a local test chain (anvil) in the background.

    Its state is kept in <home>/node (a restart carries on from it), its URL in <home>/config.json."""
    from registry.config import home_config, set_home_config

    settings = settings_of(ctx)
    # The commands after it read the chain at the URL in use: start the node there unless told otherwise.
    node = _node(settings, port or local_port(settings.rpc_url) or 8545)
    info = node.start()
    out.print(
        _("anvil is running on {url} (pid {pid}); state in {path}").format(
            url=info.rpc_url, pid=info.pid, path=node.state_file
        )
    )
    # Remembered for this home's later commands, unless the home names another machine's node
    # (a real network's, set with `registry config set rpc-url`) and no --port asked for this one.
    configured = home_config(settings.home).get("rpc-url")
    if configured != info.rpc_url and (port is not None or configured is None or local_port(configured)):
        set_home_config(settings.home, "rpc-url", info.rpc_url)
        out.print(_("this home's commands now use {url} (`registry config show`)").format(url=info.rpc_url))


def _port_in_use(ctx: typer.Context, port: int | None) -> int:
    """The local node's port: --port, else that of the node URL in use when it names this machine, else 8545."""
    return port or local_port(settings_of(ctx).rpc_url) or 8545


@app.command("stop")
def node_stop(ctx: typer.Context, port: PortOpt = None) -> None:
    """Stop the local node (its state is written to disk first)."""
    settings = settings_of(ctx)
    node = _node(settings, _port_in_use(ctx, port))
    if node.stop():
        out.print(_("anvil stopped"))
    else:
        out.print(
            _("anvil was not running from {path} (a node started with another home stops with that --home)").format(
                path=settings.node_dir
            )
        )


@app.command("status")
def node_status(ctx: typer.Context, port: PortOpt = None) -> None:
    """Say whether the local node runs and answers, or what answers at the node URL in use.

    Exit 0 when a node answers (this home's anvil or another), 1 when none does."""
    from registry.chain.client import ChainClient
    from registry.chain.node import rpc_ready

    settings = settings_of(ctx)
    node = _node(settings, _port_in_use(ctx, port))
    info = node.status()
    if info is not None and info.running:
        client = ChainClient(info.rpc_url)
        out.print(
            _("anvil is running on {url} (pid {pid}): chain id {chain}, block {block}").format(
                url=info.rpc_url, pid=info.pid, chain=client.chain_id, block=client.block_number()
            )
        )
        if port is None and settings.rpc_url.rstrip("/") != info.rpc_url:  # commands are pointed elsewhere
            _say_node_in_use(settings.rpc_url)
        return
    url = f"http://127.0.0.1:{port}" if port is not None else settings.rpc_url
    if rpc_ready(url):  # a node this home did not start (another home's, a container's, a real network's)
        client = ChainClient(url)
        out.print(
            _(
                "a node answers at {url}: chain id {chain}, block {block} (not started from {path}: `registry node "
                "stop` with the home that started it stops it)"
            ).format(url=url, chain=client.chain_id, block=client.block_number(), path=settings.node_dir)
        )
        return
    out.print(
        _("anvil is not running, and no node answers at {url} (`registry node start` starts one)").format(url=url)
    )
    raise typer.Exit(1)


def _say_node_in_use(url: str) -> None:
    """The node this home's commands use (REGISTRY_RPC_URL, the config file), when it is not its anvil."""
    from registry.chain.client import ChainClient
    from registry.chain.node import rpc_ready

    if rpc_ready(url):
        client = ChainClient(url)
        out.print(
            _(
                "but this home's commands use {url} (REGISTRY_RPC_URL or the config file): chain id {chain}, "
                "block {block}"
            ).format(url=url, chain=client.chain_id, block=client.block_number())
        )
    else:
        out.print(
            _(
                "but this home's commands use {url} (REGISTRY_RPC_URL or the config file), where no node answers: "
                "unset it, or start a node there"
            ).format(url=url)
        )


@app.command("fund")
def node_fund(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The organisation's identity name (its account pays its transactions).")],
    rpc: RpcOpt = None,
    ether: Annotated[int, typer.Option(help="Balance to set, in ether.")] = 100,
) -> None:
    """Give an identity's account test ether on the local chain, to pay for its transactions."""
    from registry.chain.client import ChainClient
    from registry.keystore import KeyStore

    settings = settings_of(ctx, rpc)
    info = KeyStore(settings.keys_dir).public_info(name)
    address = next((k.get("address") for k in info["keys"] if k.get("use") == "controller"), None)
    if not address:
        raise InputError(f"identity {name} has no controller account")
    client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
    client.request("anvil_setBalance", [address, hex(ether * 10**18)])
    out.print(
        _("{name} ({address}) now holds {ether} ETH on {url}").format(
            name=name, address=address, ether=ether, url=settings.rpc_url
        )
    )


def deploy(
    ctx: typer.Context,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
    deployer: Annotated[
        str | None,
        typer.Option(
            help="Identity that pays for the deployment (default: the key in REGISTRY_DEPLOYER_KEY; on the local "
            "chain only, anvil's first test account)."
        ),
    ] = None,
) -> None:
    """Deploy the registry contracts on the chain and record their addresses in the deployment file.

    The file (<home>/deployment.json, or --deployment) is what every later command reads the registry from."""
    from registry.chain.client import ChainClient
    from registry.chain.deployment import deploy as do_deploy
    from registry.chain.deployment import deploy_extensions

    settings = settings_of(ctx, rpc, deployment)
    client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
    refusal = "chain is not a local anvil chain: pass --deployer or set REGISTRY_DEPLOYER_KEY"
    replacing, upgraded = _replaceable(client, settings.deployment_file)
    account = account_of(settings, client, deployer, "REGISTRY_DEPLOYER_KEY", refusal)
    if upgraded is not None:  # the registry kept, with all it holds; what it lacks deployed beside it
        result = deploy_extensions(client, account, upgraded)
        title = _("Added to the registry deployed on chain {chain} at block {block}").format(
            chain=result.chain_id, block=result.deployment_block
        )
    else:
        result = do_deploy(client, account)
        title = _("Deployed on chain {chain} at block {block}").format(
            chain=result.chain_id, block=result.deployment_block
        )
    if replacing:
        warn(replacing)
    result.save(settings.deployment_file)
    table = Table(_("contract"), _("address"), title=title)
    for name, record in result.contracts.items():
        if upgraded is None or name not in upgraded.contracts:
            table.add_row(name, record.address)
    out.print(table)
    out.print(_("deployment recorded in {path}").format(path=settings.deployment_file))


def _replaceable(client: Any, file: Path) -> tuple[str | None, Any]:
    """Refuse to overwrite a deployment file whose registry is still on this chain, or on another
    chain (every command of this home reads the registry it names: its DIDs, accreditations and
    anchors would be lost from view); one whose registry is gone (a local chain started afresh) is
    replaced, and said so (the returned note). A registry still here that lacks a contract deployed
    beside it since (a deployment made before recognition decisions) is returned, to be upgraded in place."""
    from registry.chain.deployment import Deployment, check_deployment, missing_extensions
    from registry.errors import DeploymentMismatch, RegistryError

    if not file.exists():
        return None, None
    try:
        recorded = Deployment.load(file)
    except RegistryError as exc:
        raise InputError(f"{file} is there but is not a usable deployment file ({exc}): move it away first") from exc
    elsewhere = f"give another file with --deployment FILE (or move {file} away) to deploy a new registry"
    if recorded.chain_id != client.chain_id:
        raise InputError(f"{file} records the registry of chain {recorded.chain_id}, not this one: {elsewhere}")
    try:
        check_deployment(client, recorded)
    except DeploymentMismatch as exc:
        return f"replaced {file}: the registry it named is no longer on this chain ({exc})", None
    if missing_extensions(recorded):
        return None, recorded
    raise InputError(
        f"{file} records a registry deployed in block {recorded.deployment_block} that is still on this chain "
        f"(every command of this home reads it): {elsewhere}"
    )
