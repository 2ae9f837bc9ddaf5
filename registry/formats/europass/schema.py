"""Our own JSON schema for europass credentials (credential.schema.json, shipped in this package)
and where a registry service serves it: its trusted schemas registry, under the EBSI-style id
(multibase base58btc of the sha256 of its RFC 8785 canonical JSON; registry/service/trusted_schemas.py
serves it with the others). The credential names it in `credentialSchema`."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from registry.formats.canonical import canonicalize
from registry.formats.multibase import multibase_encode_b58


@cache
def europass_schema() -> dict[str, Any]:
    text = resources.files("registry.formats.europass").joinpath("credential.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def europass_schema_id() -> str:
    return multibase_encode_b58(hashlib.sha256(canonicalize(europass_schema())).digest())


def europass_schema_url(public_url: str) -> str:
    """What a europass credential's credentialSchema.id is, for the service at `public_url`."""
    return f"{public_url.rstrip('/')}/trusted-schemas-registry/v3/schemas/{europass_schema_id()}"
