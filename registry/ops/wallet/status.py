"""What the wallet's credentials certify and, where a chain is configured, their status now.

Status is the verifier's verdict (ops/verify), read exactly as `registry verify` reads it: the
registry the home's deployment names, else the one the first credential names, through the node
given (--rpc, REGISTRY_RPC_URL); the roots of the home's trust list. Without a node or deployment
the status is not checked, and is said to be not checked: never shown as valid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry.errors import ChainUnavailable, ConfigError, DeploymentMismatch
from registry.formats.certified import Certified, certified
from registry.ops.wallet.store import Entry, vc_of

if TYPE_CHECKING:
    from registry.config import Settings


@dataclass(frozen=True)
class Listed:
    entry: Entry
    certifies: Certified
    verdict: str | None
    """the verifier's verdict now ("valid", "revoked", ...); None: not checked"""
    summary: str | None


def chain_configured(settings: Settings) -> bool:
    """Is there a chain to ask: a node named (--rpc, REGISTRY_RPC_URL) or a deployment?"""
    from registry.ops.locate import has_own_deployment

    return bool(settings.rpc_urls) or bool(os.environ.get("REGISTRY_RPC_URL")) or has_own_deployment(settings)


def describe(entries: list[Entry]) -> list[Listed]:
    """Each credential's content, its status not checked."""
    return [Listed(e, certified(vc_of(e.holder_file.credential)), None, None) for e in entries]


def check_now(settings: Settings, entries: list[Entry]) -> list[Listed]:
    """Each credential's content and its verdict now (issuer by its accredited name)."""
    if not entries:
        return []
    verifier = _verifier(settings, entries)
    inputs = [(e.id, e.holder_file.dumps().encode()) for e in entries]
    reports = verifier.verify_many(inputs, None)
    listed = []
    for entry, report in zip(entries, reports, strict=True):
        what = report.certifies or certified(vc_of(entry.holder_file.credential))
        listed.append(Listed(entry, what, str(report.verdict), report.summary))
    return listed


def _verifier(settings: Settings, entries: list[Entry]) -> Any:
    from registry.chain.client import start_read_deadline
    from registry.ops.inputs import trust_lists
    from registry.ops.locate import connect_named, has_own_deployment, named_registry
    from registry.ops.registry import Registry
    from registry.ops.verify import Verifier

    roots = trust_lists(None, settings)
    located = None
    if not has_own_deployment(settings):
        located = named_registry(entries[0].id, entries[0].holder_file.dumps().encode())
        if located is not None and roots is not None:
            roots = roots.for_registry(located)
    start_read_deadline(settings.read_deadline_s * -(-len(entries) // 100), "read deadline (REGISTRY_READ_DEADLINE)")
    try:
        if located is not None:
            registry = connect_named(settings, located)
        elif has_own_deployment(settings):
            registry = Registry.connect(settings, journal=False)
        else:
            raise ConfigError("the credentials name no registry, and there is no deployment file")
    except (ChainUnavailable, DeploymentMismatch, ConfigError) as exc:
        return Verifier(None, roots, unavailable=str(exc), anchor_window_s=settings.anchor_window_s)
    return Verifier(
        registry, roots, anchor_window_s=settings.anchor_window_s, keep_issuers=True, require_trusted_root=True
    )
