"""Small helpers shared by the routers."""

from __future__ import annotations

from typing import Any

from registry.errors import InputError
from registry.formats.dates import asked_time
from registry.service.errors import Problem
from registry.service.schemas import Problem as ProblemModel

PROBLEM = {"model": ProblemModel, "content": {"application/problem+json": {}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem+json answers a route can give."""
    return {status: {**PROBLEM, "description": "problem details (RFC 7807)"} for status in statuses}


def parse_hex32(text: str, what: str) -> bytes:
    """64 hex characters, with or without 0x (EBSI writes ids without it)."""
    value = text[2:] if text[:2].lower() == "0x" else text
    if len(value) != 64:
        raise Problem(400, f"{what} must be 64 hex characters", slug="invalid-input")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise Problem(400, f"{what} must be 64 hex characters", slug="invalid-input") from None


def parse_at(text: str | None, what: str) -> int | None:
    """A time asked about, read as the command line reads `--at` (registry/formats/dates.py): a bare
    date is the end of that day, UTC, today's date is now (None), no offset is UTC."""
    try:
        return asked_time(text)
    except InputError as exc:
        raise Problem(400, f"{what}: {exc}", slug="invalid-input") from exc
    except (OverflowError, OSError) as exc:
        raise Problem(400, f"{what} must be a date or a date and time", slug="invalid-input") from exc


def no_list_hint(root: str) -> str:
    """What a client of a service without any trust list is told to do (the words after "which you
    have not said you trust"): name its roots in the request, or have the operator configure them;
    not the CLI's `registry trust-list add`, which a client of the API has nothing to run with."""
    return (
        f'(this service has no trust list: send the Root TAOs you accept as "trustList" in the request, e.g. '
        f'"trustList": ["{root}"], or its operator names them with `registry serve --trust-list FILE`)'
    )
