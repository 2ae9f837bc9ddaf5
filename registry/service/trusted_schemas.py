"""The JSON schemas our credentials name, served as EBSI's trusted schemas registry serves them.

The schemas and their content-addressed ids live in `formats/ownschemas.py` (issuance names
them, the verifier validates against them); this module is what the service's routes read.
"""

from __future__ import annotations

from typing import Any

from registry.formats.europass.schema import europass_schema, europass_schema_id
from registry.formats.ownschemas import SKILLS, bundled, schema_id, schema_url

__all__ = ["schema_id", "skills_schema_url", "trusted_schemas"]


def trusted_schemas() -> dict[str, dict[str, Any]]:
    """schemaId -> schema, for every schema shipped with the package (the europass one with its
    profile, registry/formats/europass/schema.py)."""
    return {**bundled(), europass_schema_id(): europass_schema()}


def skills_schema_url(public_url: str) -> str:
    """What a skills credential's credentialSchema.id should be."""
    return schema_url(public_url, SKILLS)
