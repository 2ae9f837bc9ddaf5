"""The verifier's `schema` check (ops/verify/schemas.py): a credential against the schema it names;
a schema that cannot be had is "could not determine", never invalid; the compiled validator is
kept per schema id, and what a credential costs is measured."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from registry.config import Settings
from registry.formats import ownschemas
from registry.formats.credential import build_vc
from registry.formats.ownschemas import SKILLS_VC2, id_of
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.verify import Outcome, Verdict, Verifier
from registry.ops.verify import schemas as verify_schemas
from registry.ops.verify.item import Item
from registry.ops.verify.report import Code
from tests.conftest import welding_certificate
from tests.formats.test_ownschemas import ISSUED, draft

OTHER = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["nickname"]}
OTHER_ID = ownschemas.schema_id(OTHER)


def schema_row(vc: dict[str, Any], sources: tuple[str, ...] = ()) -> tuple[Any, ...] | None:
    item = Item("test")
    verify_schemas.check_schema(item, vc, sources)
    rows = [row for row in item.rows if row[0] is Code.SCHEMA]
    assert len(rows) <= 1
    return rows[0] if rows else None


def naming(schema_id: str, base: str = "https://registry.example") -> dict[str, Any]:
    vc = build_vc(draft(ownschemas.SKILLS), ISSUED)
    vc["credentialSchema"] = {"id": f"{base}{ownschemas.TSR_PATH}{schema_id}", "type": "JsonSchema"}
    return vc


@pytest.fixture
def registry_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A trusted schemas registry on a loopback socket, serving what the test puts in `served`."""
    served: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.get(self.path.rsplit("/", 1)[-1])
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    verify_schemas._compiled.pop(OTHER_ID, None)
    verify_schemas._failed.pop(OTHER_ID, None)
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()
    verify_schemas._compiled.pop(OTHER_ID, None)
    verify_schemas._failed.pop(OTHER_ID, None)


def test_our_credential_passes_the_schema_it_names_and_a_changed_one_fails() -> None:
    vc = build_vc(draft(ownschemas.SKILLS), ISSUED)
    row = schema_row(vc)
    assert row is not None and row[1] is Outcome.PASS
    broken = copy.deepcopy(vc)
    broken["credentialSubject"]["achievement"]["name"] = ""
    row = schema_row(broken)
    assert row is not None and row[1] is Outcome.FAIL
    assert "credentialSubject/achievement/name" in row[2] and ownschemas.id_of(ownschemas.SKILLS) in row[2]


def test_a_credential_naming_no_schema_gets_no_schema_row() -> None:
    vc = build_vc(draft(ownschemas.SKILLS), ISSUED)
    del vc["credentialSchema"]
    assert schema_row(vc) is None


def test_a_schema_that_cannot_be_had_is_could_not_determine_never_invalid(
    registry_server: tuple[str, dict[str, bytes]],
) -> None:
    base, served = registry_server
    vc = naming(OTHER_ID, base)
    no_registry = schema_row(vc)
    assert no_registry is not None and no_registry[1] is Outcome.UNKNOWN
    assert "no trusted schemas registry" in no_registry[2]
    verify_schemas._failed.pop(OTHER_ID, None)
    unreachable = schema_row(vc, ("http://127.0.0.1:9",))
    assert unreachable is not None and unreachable[1] is Outcome.UNKNOWN
    verify_schemas._failed.pop(OTHER_ID, None)
    served[OTHER_ID] = json.dumps({**OTHER, "required": []}).encode()  # not what the id says
    lying = schema_row(vc, (base,))
    assert lying is not None and lying[1] is Outcome.UNKNOWN and "does not hash to the schema id" in lying[2]
    verify_schemas._failed.pop(OTHER_ID, None)
    served[OTHER_ID] = json.dumps(OTHER).encode()
    fetched = schema_row(vc, (base,))  # the schema wants a nickname our credential does not have
    assert fetched is not None and fetched[1] is Outcome.FAIL and "nickname" in fetched[2]
    del served[OTHER_ID]
    again = schema_row(vc, (base,))  # compiled once: not asked again
    assert again is not None and again[1] is Outcome.FAIL
    not_a_registry = schema_row({**vc, "credentialSchema": {"id": "https://x.example/s.json", "type": "JsonSchema"}})
    assert not_a_registry is not None and not_a_registry[1] is Outcome.UNKNOWN


def test_per_credential_cost_of_the_schema_check() -> None:
    """Measured, printed (docs/INTEROP.md quotes it): the validator is compiled once per schema id,
    so a credential costs one validation."""
    vc = build_vc(draft(ownschemas.SKILLS), ISSUED)
    schema_row(vc)  # compiles
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        verify_schemas.check_schema(Item("test"), vc, ())
    per = (time.perf_counter() - started) / rounds
    print(f"\nschema check: {per * 1e6:.0f} µs per credential (our VCDM 1.1 skills schema, compiled once)")
    assert per < 0.05  # far under a chain round trip; the figure itself is what the docs quote


@pytest.mark.parametrize("profile", ["ebsi", "vcdm2"])
def test_every_profile_we_issue_names_its_schema_and_passes_it(
    registry: Registry, issuer_identity: Identity, settings: Settings, holder: Identity, verifier: Verifier,
    profile: str,
) -> None:  # fmt: skip
    issued = Issuer(registry, issuer_identity, settings, profile=profile).issue_single(
        holder.did, welding_certificate()
    )
    report = verifier.verify("f.json", issued.holder_file.dumps())
    check = report.check("schema")
    assert report.verdict is Verdict.VALID, report.summary
    named = SKILLS_VC2 if profile == "vcdm2" else ownschemas.SKILLS
    assert check is not None and check.outcome is Outcome.PASS and id_of(named) in check.message
