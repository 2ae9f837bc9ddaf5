"""Which registry `registry verify` reads: the verifier's own deployment file when it has one,
else the registry the holder file names (its locator, formats/locator.py). `issuer check` and
`issuer history`, with no file to name one, read the registry the verifier's trust list pins.

An employer abroad has a holder file and a node's URL, not the issuer's deployment file; the file
says which chain, block and addresses its registry has, and attaching checks them exactly as a
deployment file's are checked (chain id, the deployment block's hash, the code at each address). A
node on another chain, or without that block or code, is "could not determine", never "invalid".
Which roots count there is the trust list's business (`TrustList.for_registry`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from registry.chain.client import ChainClient
from registry.chain.deployment import Deployment, check_deployment
from registry.errors import ChainUnavailable, ConfigError, DeploymentMismatch, InputError
from registry.formats import credential as vcfmt
from registry.formats.locator import Locator
from registry.ops.registry import Registry

if TYPE_CHECKING:
    from registry.config import Settings


def has_own_deployment(settings: Settings) -> bool:
    """Did the verifier name a deployment (option, variable) or keep one in its home?"""
    return (
        settings.deployment_path is not None
        or bool(os.environ.get("REGISTRY_DEPLOYMENT"))
        or settings.deployment_file.exists()
    )


def named_registry(name: str, content: bytes) -> Locator | None:
    """The registry a holder file (or a passport's first credential that says) names; None when it
    names none or cannot be read (its own report then says what is wrong)."""
    from registry.ops.passport import is_passport, load_passport

    try:
        if is_passport(content):
            raws = [f.registry for f in load_passport(content, name).credentials if f.registry is not None]
            raw = raws[0] if raws else None
        else:
            raw = vcfmt.load_holder_file(content, name).registry
        return Locator.from_json(raw, name) if raw is not None else None
    except InputError:
        return None


def connect_named(settings: Settings, locator: Locator) -> Registry:
    """Attach to the registry a file names through the node in `settings` (DeploymentMismatch: the
    node is not on that registry)."""
    client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
    try:
        check_deployment(client, Deployment.from_locator(locator))
    except ChainUnavailable as exc:
        if locator.service is None:
            raise
        raise ChainUnavailable(f"{exc}; the file names its registry's service: --service {locator.service}") from exc
    except DeploymentMismatch as exc:
        raise DeploymentMismatch(
            f"the node you gave ({settings.rpc_url}) is not on the credential's registry (chain {locator.chain_id}, "
            f"deployed in block {locator.block}): "
            + str(exc)
            .replace("the deployment file is for", "the credential's registry is on")
            .replace("the deployment recorded", "the credential's registry names")
            .replace("this deployment recorded", "the credential's registry names")
            + "; give a node of that chain (--rpc URL)"
            + (f", or --service {locator.service}" if locator.service else "")
        ) from exc
    return Registry(client, Deployment.from_locator(locator), settings.log_window)


def no_registry(settings: Settings) -> str:
    """What a verifier is told when nothing names a registry: never to deploy one."""
    return (
        "no registry to check in: the file names none (a bare JWT never does: its holder file, the .json the "
        "issuer wrote, does; nor does a file written before files named their registry) and there is no "
        f"deployment file at {settings.deployment_file}; verify the holder file, or pass the issuer's registry as "
        "--deployment FILE, or verify through its service with --service URL"
    )


def connect_for_issuer(settings: Settings, roots: Any) -> tuple[Registry, Any]:
    """The registry `issuer check` and `issuer history` read, and the roots that count there: the
    verifier's own deployment; else the one registry its trust list pins its roots to (a registry
    it said it accepts, `trust-list add --registry`), where only the roots pinned to it count, as in
    `verify`. ConfigError, never advising `deploy`, when neither names one registry."""
    if has_own_deployment(settings):
        return Registry.connect(settings, journal=False), roots  # a read: the journal is not needed
    pins = {pin.key: pin for root in (roots.listed() if roots is not None else ()) for pin in root.registries}
    if len(pins) != 1:
        why = "no trust list pins a registry" if not pins else f"your trust list pins {len(pins)} registries"
        raise ConfigError(
            f"no registry to check in: there is no deployment file at {settings.deployment_file} and {why}; "
            "pass the registry's deployment file (as its root publishes it) with --deployment FILE"
        )
    (pin,) = pins.values()
    client = ChainClient(settings.rpc_url, settings.rpc_timeout_s)
    deployment = Deployment.from_locator(pin)
    check_deployment(client, deployment)
    return Registry(client, deployment, settings.log_window), roots.for_registry(pin)
