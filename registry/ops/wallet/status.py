"""What the wallet's credentials certify and, where a chain is configured, their status now.

Status is the verifier's verdict (ops/verify), read exactly as `registry verify` reads it: the
registry the home's deployment names, else the one the first credential names, through the node
given (--rpc, REGISTRY_RPC_URL); the roots of the home's trust list. Without a node or deployment
the status is not checked, and is said to be not checked: never shown as valid.

`wallet import` reads the same status (`on_import`): a credential whose checks show it is not
genuine (altered, forged, never anchored) is refused with the whole import; a revoked, suspended or
otherwise not valid one is hers to keep (her history), imported and said to be so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from registry.errors import InputError
from registry.formats.certified import Certified, certified
from registry.formats.flags import TextWarning, text_warnings
from registry.ops.wallet.store import Checked, Entry, vc_of

if TYPE_CHECKING:
    from registry.config import Settings


@dataclass(frozen=True)
class Listed:
    entry: Entry
    certifies: Certified
    verdict: str | None
    """the verifier's verdict now ("valid", "revoked", ...); None: not checked"""
    summary: str | None
    root: tuple[str, str | None] | None = None
    """(DID, name) of the Root TAO it is accredited under, when that is all that keeps it from VALID"""
    warnings: list[TextWarning] = field(default_factory=list)
    """its texts to read closely (formats/flags.py), as `registry verify` flags them; never a status"""


def chain_configured(settings: Settings) -> bool:
    """Is there a chain to ask: a node named (--rpc, REGISTRY_RPC_URL, the home's configuration) or a deployment?"""
    from registry.ops.locate import has_own_deployment

    return settings.rpc_url_named or has_own_deployment(settings)


def describe(entries: list[Entry]) -> list[Listed]:
    """Each credential's content, its status not checked."""
    listed = []
    for entry in entries:
        what = certified(vc_of(entry.holder_file.credential))
        listed.append(Listed(entry, what, None, None, warnings=text_warnings(what)))
    return listed


def check_now(settings: Settings, entries: list[Entry]) -> list[Listed]:
    """Each credential's content and its verdict now (issuer by its accredited name)."""
    if not entries:
        return []
    from registry.ops.passport_checks import read_deadline_for
    from registry.ops.rpl.checks import add_rpl_checks

    with read_deadline_for(settings, len(entries)):
        verifier = _verifier(settings, entries)
        inputs = [(e.id, e.holder_file.dumps().encode()) for e in entries]
        reports = verifier.verify_many(inputs, None)
        for report in reports:  # an RPL credential's assessor, as `verify` checks it
            add_rpl_checks(report, verifier.registry, None)
    listed = []
    for entry, report in zip(entries, reports, strict=True):
        what = _what(report, entry.holder_file)
        listed.append(Listed(entry, what, str(report.verdict), report.summary, _root(report), _warnings(report, what)))
    return listed


def _what(report: Any, holder_file: Any) -> Certified:
    """What a checked credential certifies: nothing, when its signature does not verify (what the
    file says is no issuer's word: not shown as certified, as `registry verify` shows it)."""
    if report.certifies is not None:
        return report.certifies
    forged = any(str(c.code) == "signature" and str(c.outcome) == "fail" for c in report.checks)
    return certified({}) if forged else certified(vc_of(holder_file.credential))


def _warnings(report: Any, what: Certified) -> list[TextWarning]:
    """What to read closely: the report's warnings (its accreditation chain's names too), else, when the
    verifier showed nothing it claims, none; what the file says, when only the file could be read."""
    if report.certifies is not None:
        return list(report.warnings)
    return text_warnings(what) if what["name"] or what["issuer"]["did"] else []


def _verifier(settings: Settings, entries: list[Entry]) -> Any:
    from registry.ops.passport_checks import verifier_for

    first = (entries[0].id, entries[0].holder_file.dumps().encode())
    return verifier_for(settings, first, len(entries))


@dataclass(frozen=True)
class Arrival:
    """What `wallet import` says of a credential it takes."""

    certifies: Certified
    verdict: str | None
    """the verifier's verdict now; None: not checked (no node or deployment)"""
    summary: str | None
    change: tuple[str, str] | None = None
    """(time, reason) of the revocation or suspension in force, when its time is known"""
    root: tuple[str, str | None] | None = None
    """(DID, name) of the Root TAO it is accredited under, when that is all that keeps it from VALID"""
    warnings: list[TextWarning] = field(default_factory=list)
    """its texts to read closely (formats/flags.py); never a status"""


def on_import(settings: Settings, checked: list[Checked]) -> list[Arrival]:
    """Each credential's status now, where a chain is configured; InputError naming the first one
    whose checks show it is not genuine (nothing is imported then)."""
    if not checked or not chain_configured(settings):
        said = [certified(vc_of(c.holder_file.credential)) for c in checked]
        return [Arrival(what, None, None, warnings=text_warnings(what)) for what in said]
    inputs = [(c.where, c.holder_file.dumps().encode()) for c in checked]
    from registry.ops.passport_checks import NOT_GENUINE, read_deadline_for, verifier_for

    with read_deadline_for(settings, len(inputs)):
        reports = verifier_for(settings, inputs[0], len(inputs)).verify_many(inputs, None)
    arrivals = []
    for item, report in zip(checked, reports, strict=True):
        failed = [c for c in report.checks if str(c.outcome) == "fail"]
        forged = next((c for c in failed if str(c.code) in NOT_GENUINE), None)
        if forged is not None:
            raise InputError(f"{item.where} is not genuine ({forged.code}: {forged.message}); nothing was imported")
        status = next((c for c in failed if str(c.code) in ("revocation status", "suspension status")), None)
        change = None
        if status is not None and isinstance(status.evidence.get("time"), str):
            change = (status.evidence["time"], status.message.partition(": ")[2] or status.message)
        what = _what(report, item.holder_file)
        arrivals.append(
            Arrival(what, str(report.verdict), report.summary, change, _root(report), _warnings(report, what))
        )
    return arrivals


def _root(report: Any) -> tuple[str, str | None] | None:
    """The root of a credential that is genuine and in force but under a root her trust list does
    not name (or she has none): the one thing a worker may want to know of it."""
    if str(report.verdict) != "root not trusted":
        return None
    evidence: dict[str, Any] = next((c.evidence for c in report.checks if str(c.code) == "accreditation"), {})
    root, name = evidence.get("root"), evidence.get("root_name")
    return (root, name if isinstance(name, str) else None) if isinstance(root, str) else None


def names_of(checked: list[Checked]) -> list[tuple[str, str | None]]:
    """(id, the name of what it certifies) of each credential, read from its own token: no chain."""
    return [(c.id, certified(vc_of(c.holder_file.credential))["name"]) for c in checked]
