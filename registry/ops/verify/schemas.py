"""The `schema` check: a credential against each JSON schema it names in `credentialSchema`.

Our own schemas (formats/ownschemas.py, and the europass one) ship in the package. Any other schema
is fetched once per process from a trusted schemas registry the verifier was given (`sources`:
base URLs; a credential's URL elsewhere is never fetched, so a credential cannot make a service
send requests where it likes), and is accepted only if it hashes to its id (the id is the sha256 of
the schema's canonical JSON, so whoever served it cannot change it). One compiled validator per
schema id for the process (jsonschema-rs, formats checked, no `$ref` fetched from the network): the
per-credential cost is the validation itself, about 5 µs for our skills schema
(tests/ops/test_verify_schemas.py measures it; Python's jsonschema took about 1 ms).

A schema that cannot be had (not ours, no registry given, the registry unreachable, a schema that
does not hash to its id) makes the check `unknown` (could not determine), never a failure: the
credential may be fine, we could not check it. A credential that names no schema gets no row.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Sequence
from functools import cache
from typing import Any

import jsonschema_rs

from registry.formats.europass.schema import europass_schema, europass_schema_id
from registry.formats.ownschemas import TSR_PATH, bundled, id_in_url, schema_id
from registry.ops.verify.item import Item
from registry.ops.verify.report import Code, Outcome, Row

FETCH_TIMEOUT_S = 5.0
MAX_SCHEMA_BYTES = 512 * 1024
RETRY_AFTER_S = 60.0  # a registry that did not answer is asked again after this, not on every credential
_SCHEMA_TYPES = frozenset({"FullJsonSchemaValidator2021", "JsonSchema"})

_lock = threading.Lock()
_compiled: dict[str, Any] = {}  # schema id -> jsonschema_rs validator
_failed: dict[str, tuple[float, str]] = {}  # schema id -> (when, why it could not be had)
_passed: dict[tuple[str, ...], Row] = {}  # the PASS row, by the schema URLs passed


@cache
def shipped() -> dict[str, dict[str, Any]]:
    """schemaId -> schema, for every schema shipped with the package."""
    return {**bundled(), europass_schema_id(): europass_schema()}


def _no_fetch(uri: str) -> Any:
    raise ValueError(f"{uri[:120]} is not fetched: a schema must hold everything it refers to")


def _compile(schema: dict[str, Any]) -> Any:
    """A validator for `schema` (the draft its `$schema` names, 2020-12 without one); ValueError if
    it is not a valid schema."""
    if "$schema" not in schema:
        return jsonschema_rs.Draft202012Validator(schema, validate_formats=True, retriever=_no_fetch)
    return jsonschema_rs.validator_for(schema, validate_formats=True, retriever=_no_fetch)


def _fetch(sid: str, sources: Sequence[str]) -> dict[str, Any]:
    """The schema `sid` from the first source that serves it, checked against its id; OSError or
    ValueError with the reason otherwise."""
    if not sources:
        raise ValueError("it is not one of ours and this verifier was given no trusted schemas registry")
    problems = []
    for base in sources:
        url = f"{base.rstrip('/')}{TSR_PATH}{sid}"
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/schema+json, application/json"})
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as answer:
                body = answer.read(MAX_SCHEMA_BYTES + 1)
            if len(body) > MAX_SCHEMA_BYTES:
                raise ValueError(f"larger than {MAX_SCHEMA_BYTES // 1024} KiB")
            schema = json.loads(body)
            if not isinstance(schema, dict) or schema_id(schema) != sid:
                raise ValueError("what it served does not hash to the schema id")
            return schema
        except (OSError, ValueError) as exc:
            problems.append(f"{url}: {exc}")
    raise OSError("; ".join(problems))


def validator_for(sid: str, sources: Sequence[str]) -> Any:
    """The compiled validator of schema `sid`, or why it could not be had."""
    found = _compiled.get(sid)
    if found is not None:
        return found
    with _lock:
        if sid in _compiled:
            return _compiled[sid]
        failed = _failed.get(sid)
        if failed is not None and time.monotonic() - failed[0] < RETRY_AFTER_S:
            return failed[1]
        try:
            schema = shipped().get(sid) or _fetch(sid, [s for s in sources if s.startswith(("http://", "https://"))])
            _compiled[sid] = _compile(schema)
        except (OSError, ValueError) as exc:
            why = str(exc).splitlines()[0][:300]
            _failed[sid] = (time.monotonic(), why)
            return why
        return _compiled[sid]


def named_schemas(vc: dict[str, Any]) -> list[str]:
    """The ids (URLs) of the JSON schemas the credential names."""
    named = vc.get("credentialSchema")
    entries = named if isinstance(named, list) else [named] if named is not None else []
    return [
        e["id"]
        for e in entries
        if isinstance(e, dict) and e.get("type") in _SCHEMA_TYPES and isinstance(e.get("id"), str)
    ]


def check_schema(item: Item, vc: dict[str, Any], sources: Sequence[str]) -> None:
    """One `schema` row: pass, fail with the first violation, or unknown when a schema cannot be had."""
    urls = named_schemas(vc)
    if not urls:
        return
    for url in urls:
        sid = id_in_url(url)
        if sid is None:
            item.add(
                Code.SCHEMA, Outcome.UNKNOWN, f"could not check: {url[:120]} is not a trusted schemas registry URL"
            )
            return
        validator = validator_for(sid, sources)
        if isinstance(validator, str):  # why it could not be had
            item.add(Code.SCHEMA, Outcome.UNKNOWN, f"could not check: schema {sid} could not be had ({validator})")
            return
        if not validator.is_valid(vc):
            error = next(iter(validator.iter_errors(vc)))
            where = "/".join(str(part) for part in error.instance_path) or "(root)"
            message = f"does not conform to the schema it names ({sid}): {where}: {error.message[:200]}"
            item.add(Code.SCHEMA, Outcome.FAIL, message, schema=url)
            return
    assert sid is not None  # each URL named a schema (the loop returned otherwise)
    item.rows.append(passed_row(urls, sid))


def passed_row(urls: Sequence[str], sid: str) -> Row:
    """The PASS row of a credential that conforms to the schemas `urls` name (`sid`: the last one's id).

    One row for every credential that passes the same schema by the same URL (rows are shared, never
    changed in place: a report copies a row's evidence when it makes its checks)."""
    key = tuple(urls)
    row = _passed.get(key)
    if row is None:
        if len(_passed) >= 1024:  # URLs are the credential's to choose: the memo stays bounded
            _passed.clear()
        row = _passed[key] = (
            Code.SCHEMA,
            Outcome.PASS,
            f"conforms to the schema it names ({sid})",
            {"schema": urls[0]},
        )
    return row
