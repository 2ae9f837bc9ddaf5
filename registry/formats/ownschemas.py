"""The JSON schemas our own credentials name (`credentialSchema`), shipped in the package.

Every credential we issue names one of these by its EBSI trusted-schemas-registry URL, and the
service serves them there (`service/trusted_schemas.py`). The schema id is EBSI's: the multibase
base58btc (`z` prefix) of the sha256 of the schema's RFC 8785 canonical JSON. So an id is
content-addressed: whoever holds a schema can recompute its id, and any change is a new id.

| name | validates | named by |
|---|---|---|
| `SKILLS` | the `vc` claim of an EBSI VCDM 1.1 JWT (profile `ebsi`) | our skills credentials |
| `SKILLS_VC2` | the payload of a VCDM 2.0 `vc+jwt` (profile `vcdm2`) | our skills credentials |
| `STATUS_LIST` | the `vc` claim of a StatusList2021Credential | our published status lists |
| `QUALIFICATION` | the `vc` claim of a skills credential naming a logbook | `registry logbook complete` |
| `RPL` | the payload of a VCDM 2.0 `vc+jwt`, OB 3.0 compatible | RPL assessment credentials (formats/rpl/) |
| `WORK_EXPERIENCE` | the payload of a VCDM 2.0 `vc+jwt`, OB 3.0 compatible | employers' work-experience attestations |

These are our own schemas, written for what we issue; EBSI's attestation schemas are not copied
here (tests check ours against them from the shared vectors and EBSI's npm packages).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from registry.formats.canonical import canonicalize
from registry.formats.multibase import multibase_encode_b58

SKILLS = "skills-credential.schema.json"
SKILLS_VC2 = "skills-credential-vcdm2.schema.json"
STATUS_LIST = "status-list-2021.schema.json"
QUALIFICATION = "logbook-qualification.schema.json"
RPL = "rpl-credential-vcdm2.schema.json"
WORK_EXPERIENCE = "work-experience-attestation-vcdm2.schema.json"
SCHEMA_FILES = (SKILLS, SKILLS_VC2, STATUS_LIST, QUALIFICATION, RPL, WORK_EXPERIENCE)
TSR_PATH = "/trusted-schemas-registry/v3/schemas/"
# A trusted schemas registry URL (any version), the schema id last: what EBSI's library accepts.
_TSR_URL = re.compile(r"^https?://[^/?#]+(?:/[^?#]*)?/trusted-schemas-registry/v\d+/schemas/([1-9A-HJ-NP-Za-km-z]+)$")


def schema_id(schema: dict[str, Any]) -> str:
    return multibase_encode_b58(hashlib.sha256(canonicalize(schema)).digest())


@cache
def load(name: str) -> dict[str, Any]:
    text = resources.files("registry.formats").joinpath(f"schemadata/{name}").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def id_of(name: str) -> str:
    return schema_id(load(name))


@cache
def bundled() -> dict[str, dict[str, Any]]:
    """schemaId -> schema, for every schema shipped with the package."""
    return {id_of(name): load(name) for name in SCHEMA_FILES}


def schema_url(public_url: str, name: str) -> str:
    """The URL a credential's `credentialSchema.id` gives for one of our schemas."""
    return f"{public_url.rstrip('/')}{TSR_PATH}{id_of(name)}"


def id_in_url(url: str) -> str | None:
    """The schema id a trusted-schemas-registry URL names, or None if it is not such a URL."""
    return _id_in_url(url) if isinstance(url, str) and len(url) <= 2048 else None


@lru_cache(maxsize=1024)  # a verifier reads the same few schema URLs in every credential of a batch
def _id_in_url(url: str) -> str | None:
    found = _TSR_URL.fullmatch(url)
    return found.group(1) if found else None
