"""The JSON an issuer check is sent in: `registry issuer check --json`, `GET /api/issuers/{did}/check`.

`TrustReport.to_json` (model.py) is declared to return `TrustReport` here, so mypy holds what it
builds to what is declared; the service publishes the same types as its response models, so the
OpenAPI document cannot drift from what is sent. Not the model's dataclasses themselves: the JSON
names `trustedRoot` and the `verdict` the report derives, and leaves out what is only for Python
callers (`undetermined`, `changed_later`, whose facts the notes already word).
TypedDict from typing_extensions: pydantic needs it before Python 3.12; nothing here needs pydantic.
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

TrustVerdict = Literal["trusted", "not trusted", "could not determine"]


class LinkCheck(TypedDict):
    did: str
    attribute_id: str
    issuer_type: str
    ok: bool
    message: str
    evidence: dict[str, Any]


class TrustReport(TypedDict):
    did: str
    at: str
    ok: bool
    # ok false is "not trusted" or, for a time the chain has not reached, "could not determine".
    verdict: TrustVerdict
    summary: str
    root: str | None
    trustedRoot: bool | None
    notes: list[str]
    path: list[LinkCheck]
