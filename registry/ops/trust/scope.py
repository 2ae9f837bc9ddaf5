"""What an accreditation may grant and what it covers: the scope rules, shared by the writes
(nothing is sent that verification would refuse) and by the evaluation (a path's scopes must
narrow from the root down, and the last must cover what is asked)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from registry.errors import InputError
from registry.formats.accreditation import GENERIC_TYPES, Scope
from registry.ops.trust.model import Need

_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")


def check_scope_syntax(scopes: Sequence[Scope]) -> None:
    """InputError, in one line, unless every scope names types and absolute schema and jurisdiction URIs."""
    if not scopes:
        raise InputError("an accreditation needs at least one scope")
    for scope in scopes:
        if not scope.types or not all(t.strip() for t in scope.types):
            raise InputError("every accreditation scope needs credential types")
        if scope.schema_id is not None and not _ABSOLUTE_URI.fullmatch(scope.schema_id):
            raise InputError(f"the schema id {scope.schema_id[:80]!r} is not an absolute URI (e.g. https://...)")
        if scope.jurisdiction is not None and not _ABSOLUTE_URI.fullmatch(scope.jurisdiction):
            raise InputError(
                f"the jurisdiction {scope.jurisdiction[:80]!r} is not an absolute URI "
                "(e.g. https://publications.europa.eu/resource/authority/atu/...)"
            )


def asked_need(types: Sequence[str] | None, option: str = "--type") -> Need | None:
    """What an issuer check asks beyond SkillsCredential (`issuer check --type`, the service's
    `type`), spaces around each type aside; None when nothing is asked. A blank type is the asker's
    mistake (64, 400): judged, it was "not trusted: not accredited for  "."""
    if not types:
        return None
    if not all(t.strip() for t in types):
        example = f"{option} SkillsCredential" if option.startswith("--") else f"{option}=SkillsCredential"
        raise InputError(f"{option} is empty: name a credential type, e.g. {example}")
    return Need(types=("SkillsCredential", *(t.strip() for t in types)))


def scope_covers(scopes: Sequence[Scope], need: Need) -> bool:
    """Does one of `scopes` cover the credential `need` describes?"""
    return any(
        s.covers_credential(list(need.types), need.schema_id)
        and (need.jurisdiction is None or s.jurisdiction in (None, need.jurisdiction))
        for s in scopes
    )


def not_covered(scopes: Sequence[Scope], need: Need) -> str:
    """What `need` asks that `scopes` do not cover, for "not accredited for ...": the credential's
    own types none of the scopes lists (with what they do cover), else its types as asked under a
    schema or jurisdiction the scopes are limited otherwise."""
    held = sorted({t for s in scopes for t in s.types})
    specific = [t for t in need.types if t not in GENERIC_TYPES] or list(need.types)
    missing = [t for t in specific if t not in held]
    covers = f" (its accreditation covers {', '.join(held)})" if held else ""
    if missing:
        return ", ".join(missing) + covers
    return f"{', '.join(specific)} with this credential's schema or jurisdiction{covers}"


def grants_within(held: Sequence[Scope], granted: Sequence[Scope]) -> bool:
    """Is every granted scope covered by one that is held?"""
    return all(any(p.covers_scope(c) for p in held) for c in granted)


def not_held(parent_did: str, held: Sequence[Scope], wanted: Sequence[Scope]) -> str:
    """Why `held` (the parent's scopes in force) does not cover `wanted`, in one line."""
    held_types = sorted({t for s in held for t in s.types})
    for scope in wanted:
        if any(p.covers_scope(scope) for p in held):
            continue
        missing = [t for t in scope.types if t not in held_types]
        if missing:
            return (
                f"{parent_did} cannot accredit for {', '.join(missing)}: its own accreditation in force covers "
                f"only {', '.join(held_types)}"
            )
        holding = [p for p in held if set(scope.types) <= set(p.types)]
        if not holding:
            return (
                f"{parent_did} holds {', '.join(scope.types)} only in separate scopes: accredit for them in "
                "separate scopes too"
            )
        return (
            f"{parent_did} holds {', '.join(scope.types)} only for {_limits(holding)}: the accreditation must be "
            "limited the same way"
        )
    return f"no single accreditation of {parent_did} in force covers every scope: accredit for them one at a time"


def _limits(holding: Sequence[Scope]) -> str:
    """The schema and jurisdiction limits of scopes, as "schema X and jurisdiction Y; or ..."."""
    return "; or ".join(
        " and ".join(
            part
            for part in (
                f"schema {p.schema_id}" if p.schema_id is not None else "",
                f"jurisdiction {p.jurisdiction}" if p.jurisdiction is not None else "",
            )
            if part
        )
        for p in holding
    )
