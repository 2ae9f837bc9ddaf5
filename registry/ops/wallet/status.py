"""What the wallet's credentials certify and, where a chain is configured, their status now.

Status is the verifier's verdict (ops/verify), read exactly as `registry verify` reads it: the
registry the home's deployment names, else the one the first credential names, through the node
given (--rpc, REGISTRY_RPC_URL); the roots of the home's trust list. Without a node or deployment
the status is not checked, and is said to be not checked: never shown as valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    """Is there a chain to ask: a node named (--rpc, REGISTRY_RPC_URL, the home's configuration) or a deployment?"""
    from registry.ops.locate import has_own_deployment

    return settings.rpc_url_named or has_own_deployment(settings)


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
    from registry.ops.passport_checks import verifier_for

    first = (entries[0].id, entries[0].holder_file.dumps().encode())
    return verifier_for(settings, first, len(entries))
