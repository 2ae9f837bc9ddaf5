"""The VCDM 2.0 data-model rules that can be checked without the network (`check_vc2`): the base
context first, well-formed IRIs, required `type`s, issuer and subjects, language values, dates as
XML Schema dateTimeStamps, typed objects; one-line reasons on failure. Nested objects need a
string `type`, which is what VCDM 2.0 asks of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from registry.errors import InputError
from registry.formats.vcdm2.context import (
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    ContextLoader,
    active_context,
    is_iri,
    short,
)

# XML Schema dateTimeStamp (what VCDM 2.0 requires): the time zone is mandatory.
_DATETIME_STAMP = re.compile(
    r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_LANGUAGE_VALUE_KEYS = {"@value", "@language", "@direction"}


def parse_datetime_stamp(value: Any, what: str) -> datetime:
    """An XML Schema dateTimeStamp (e.g. `2023-02-26T01:02:58.447Z`) -> aware datetime."""
    if not isinstance(value, str) or not _DATETIME_STAMP.fullmatch(value):
        raise InputError(f"{what} is not an XML Schema dateTimeStamp: {short(value)}")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{what} is not a valid date-time: {short(value)}") from exc


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_id(value: Any, where: str) -> None:
    if not is_iri(value):
        raise InputError(f"{where} id must be a single URL, not {short(value)}")


def _check_typed_objects(vc: Mapping[str, Any], name: str, need_id: bool = False) -> None:
    """`name` (if present) is one object or a non-empty list of objects, each with a `type`."""
    if name not in vc:
        return
    items = _as_list(vc[name])
    if not items:
        raise InputError(f"{name} is an empty list")
    for item in items:
        if not isinstance(item, Mapping):
            raise InputError(f"{name} must be an object or a list of objects")
        types = _as_list(item.get("type"))
        if "type" not in item or not types or not all(isinstance(t, str) and t for t in types):
            raise InputError(f"{name} needs a type (a string or a list of strings)")
        if "id" in item or need_id:
            _check_id(item.get("id"), name)


def _check_language_values(value: Any, where: str) -> None:
    for item in _as_list(value):
        if isinstance(item, str):
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("@value"), str):
            raise InputError(f"{where} must be a string or a language value object with @value")
        extra = set(item) - _LANGUAGE_VALUE_KEYS
        if extra:
            raise InputError(f"{where} language value has unexpected members: {', '.join(sorted(extra))}")
        if "@language" in item and not isinstance(item["@language"], str):
            raise InputError(f"{where} @language must be a string")
        if "@direction" in item and item["@direction"] not in ("ltr", "rtl"):
            raise InputError(f"{where} @direction must be ltr or rtl")


def _check_issuer(issuer: Any) -> str:
    if isinstance(issuer, str):
        _check_id(issuer, "issuer")
        return issuer
    if isinstance(issuer, Mapping):
        _check_id(issuer.get("id"), "issuer")
        for member in ("name", "description"):
            if member in issuer:
                _check_language_values(issuer[member], f"issuer {member}")
        return str(issuer["id"])
    raise InputError(f"issuer must be a URL or an object with an id, not {short(issuer)}")


def _check_subjects(subject: Any) -> None:
    subjects = _as_list(subject)
    if not subjects:
        raise InputError("credentialSubject is an empty list")
    for item in subjects:
        if not isinstance(item, Mapping) or not item:
            raise InputError("every credentialSubject must be an object with at least one claim")
        if "id" in item:
            _check_id(item["id"], "credentialSubject")


def check_vc2(vc: Any, loader: ContextLoader | None = None) -> dict[str, Any]:
    """Raise InputError unless `vc` is a well-formed VCDM 2.0 credential; return it unchanged."""
    if not isinstance(vc, dict):
        raise InputError("a VCDM 2.0 credential must be a JSON object")
    contexts = vc.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2_CONTEXT:
        raise InputError(f"@context must be a list whose first entry is {VC_V2_CONTEXT}")
    if VC_V1_CONTEXT in contexts:
        raise InputError("a VCDM 2.0 credential must not use the VCDM 1.1 context")
    active = active_context(contexts, loader)
    types = _as_list(vc.get("type"))
    if "type" not in vc or not all(isinstance(t, str) for t in types):
        raise InputError("type must be a string or a list of strings")
    if "VerifiableCredential" not in types:
        raise InputError("type must include VerifiableCredential")
    for value in types:
        active.check_type(value, "credential")
    if "id" in vc:
        _check_id(vc["id"], "credential")
    if "issuer" not in vc:
        raise InputError("the credential has no issuer")
    _check_issuer(vc["issuer"])
    if "credentialSubject" not in vc:
        raise InputError("the credential has no credentialSubject")
    _check_subjects(vc["credentialSubject"])
    for member in ("name", "description"):
        if member in vc:
            _check_language_values(vc[member], member)
    valid_from = parse_datetime_stamp(vc["validFrom"], "validFrom") if "validFrom" in vc else None
    valid_until = parse_datetime_stamp(vc["validUntil"], "validUntil") if "validUntil" in vc else None
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise InputError("validUntil is earlier than validFrom")
    _check_typed_objects(vc, "credentialStatus")
    _check_typed_objects(vc, "credentialSchema", need_id=True)
    for name in ("termsOfUse", "evidence", "refreshService", "proof"):
        _check_typed_objects(vc, name)
    return vc
