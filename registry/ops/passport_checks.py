"""What a holder checks before showing a passport: each credential's status now, so `passport
create` leaves out (by default) what the issuer revoked or suspended, what has expired and what is
otherwise not valid now (a verifier would find it so), refuses what is not genuine, and `passport
print` prints each credential's verdict beside it.

Status is read exactly as `registry verify` reads it (ops/verify): the registry of the home's
deployment, else the one the first file names, through the node given (--rpc, REGISTRY_RPC_URL),
with the home's trust list. Where no chain is configured, or it cannot be asked, the status is
"not checked", said so, and never taken for valid or revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry.errors import ChainUnavailable, ConfigError, DeploymentMismatch

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path

    from registry.config import Settings
    from registry.formats.credential import HolderFile


def verifier_for(
    settings: Settings, first: tuple[str, bytes], count: int, trust: list[Path] | None = None, *, lenient: bool = False
) -> Any:
    """A verifier for `count` inputs, the first of which is `first` (name, content): in the home's
    deployment, else the registry `first` names; one that cannot attach says why in every report.

    `trust`: trust lists to apply (else the verifier's default one, if any). `lenient`: when no trust
    list applies at all, report the chain's root without failing on it (a printed passport, whose
    reader brings their own trust list), instead of ROOT NOT TRUSTED.

    Its reads, and those of what it is used for, are bounded by a read deadline only inside
    `read_deadline_for` (a library caller's later reads are not: see there)."""
    from registry.ops.inputs import trust_lists
    from registry.ops.locate import connect_named, has_own_deployment, named_registry
    from registry.ops.registry import Registry
    from registry.ops.verify import Verifier

    roots = trust_lists(trust, settings)
    located = None
    if not has_own_deployment(settings):
        located = named_registry(*first)
        if located is not None and roots is not None:
            roots = roots.for_registry(located)
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
        registry,
        roots,
        anchor_window_s=settings.anchor_window_s,
        keep_issuers=True,
        require_trusted_root=not (lenient and roots is None),
        named_registry=located,
    )


def read_deadline_for(settings: Settings, count: int) -> AbstractContextManager[None]:
    """The read deadline (REGISTRY_READ_DEADLINE, per 100 inputs) of a check of `count` inputs, for
    a `with` around making its verifier and using it: it ends with the block. (Started for "the rest
    of the run" here, it outlived `wallet import` and `passport create` called from a library, and
    failed every chain read the caller made once it had passed.)"""
    from registry.chain.client import read_deadline

    return read_deadline(settings.read_deadline_s * -(-count // 100), "read deadline (REGISTRY_READ_DEADLINE)")


STATUS_CODES = ("revocation status", "suspension status")
# A failure of one of these checks means the file is not what its issuer signed and anchored.
NOT_GENUINE = ("format", "cohort proof", "issuer DID", "signing key", "signature", "anchor")


@dataclass(frozen=True)
class Withdrawn:
    """A credential's revocation and suspension status now, for `passport create`."""

    name: str
    withdrawn: str | None
    """why a verifier would find it not valid now: the failed status or validity check's message ("revoked
    on TIME: REASON", "suspended on ...", "expired on TIME"), else the first failed check's ("CHECK:
    MESSAGE"); None: valid (its root aside), or not known"""
    unchecked: str | None
    """why its status could not be checked; None: it was checked"""


def withdrawn(settings: Settings, files: list[HolderFile], names: list[str]) -> list[Withdrawn]:
    """Whether each credential was revoked or suspended by its issuer, has expired or is otherwise not
    valid now, as its checks say (its root aside: a holder without a trust list still learns this).
    InputError naming the first whose checks show it is not genuine (altered, forged, never anchored):
    no passport is made with it, as `wallet import` takes none."""
    from registry.errors import InputError
    from registry.ops.verify import Code, Outcome

    inputs = [(name, f.dumps().encode()) for name, f in zip(names, files, strict=True)]
    with read_deadline_for(settings, len(inputs)):
        reports = verifier_for(settings, inputs[0], len(inputs)).verify_many(inputs, None)
    found = []
    for name, report in zip(names, reports, strict=True):
        fails = [c for c in report.checks if c.outcome is Outcome.FAIL and c.code is not Code.TRUSTED_ROOT]
        forged = next((c for c in fails if str(c.code) in NOT_GENUINE), None)
        if forged is not None:
            raise InputError(f"{name} is not genuine ({forged.code}: {forged.message}): a verifier would find it "
                             "INVALID; no passport was written (leave it out)")  # fmt: skip
        status = [c for c in report.checks if c.code in (Code.REVOCATION_STATUS, Code.SUSPENSION_STATUS)]
        failed = next((c for c in fails if c.code in (*STATUS_CODES, Code.VALIDITY_PERIOD)), None)
        unknown = next((c for c in status if c.outcome is not Outcome.PASS), None)
        if failed is not None:
            found.append(Withdrawn(name, failed.message, None))
        elif fails:  # not valid now for another reason (its schema, its issuer's accreditation...)
            found.append(Withdrawn(name, f"{fails[0].code}: {fails[0].message}", None))
        elif not status or unknown is not None:
            why = unknown.message if unknown is not None else report.summary
            found.append(Withdrawn(name, None, why))
        else:
            found.append(Withdrawn(name, None, None))
    return found
