"""The JSON schemas our credentials name, served as EBSI's trusted schemas registry serves them.

Schema id, as EBSI derives it: the multibase base58btc (`z` prefix) of the sha256 of the schema's
RFC 8785 canonical JSON bytes. So the id is content-addressed: a verifier can recompute it from
the schema it fetched, and any change to the schema is a new id.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from registry.formats.canonical import canonicalize
from registry.formats.europass.schema import europass_schema, europass_schema_id
from registry.formats.multibase import multibase_encode_b58

SKILLS_SCHEMA_FILE = "skills-credential.schema.json"
SCHEMA_FILES = (SKILLS_SCHEMA_FILE,)


def schema_id(schema: dict[str, Any]) -> str:
    return multibase_encode_b58(hashlib.sha256(canonicalize(schema)).digest())


@cache
def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((resources.files("registry.service") / "data" / name).read_text("utf-8"))
    return schema


@cache
def trusted_schemas() -> dict[str, dict[str, Any]]:
    """schemaId -> schema, for every schema shipped with the package (the europass one with its
    profile, registry/formats/europass/schema.py)."""
    schemas = {schema_id(_load(name)): _load(name) for name in SCHEMA_FILES}
    schemas[europass_schema_id()] = europass_schema()
    return schemas


def skills_schema_url(public_url: str) -> str:
    """What a skills credential's credentialSchema.id should be."""
    sid = schema_id(_load(SKILLS_SCHEMA_FILE))
    return f"{public_url.rstrip('/')}/trusted-schemas-registry/v3/schemas/{sid}"
