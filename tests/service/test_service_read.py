"""The EBSI-compatible read APIs, path by path, against the real server and a real chain."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hexbytes import HexBytes
from jsonschema import Draft202012Validator

from registry.config import Settings
from registry.formats import jwt, ownschemas
from registry.formats.canonical import canonicalize
from registry.formats.did import new_ebsi_did
from registry.formats.multibase import b64url_encode, multibase_encode_b58
from registry.formats.statuslist import decode_list, is_set
from registry.keystore import Identity, new_legal_entity
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose, Registry
from registry.ops.trust import AttrStatus, Trust
from registry.service.config import ServiceConfig
from tests.conftest import Chain, fund, welding_certificate
from tests.helpers.service_helpers import assert_problem, start_service

pytest_plugins = ("tests.helpers.service_fixtures",)

DIDS = "/did-registry/v5/identifiers"
TIR = "/trusted-issuers-registry/v5/issuers"


def page_of(link: str) -> tuple[int, int]:
    query = parse_qs(urlsplit(link).query)
    return int(query["page[after]"][0]), int(query["page[size]"][0])


def assert_list_shape(body: dict, number: int, size: int) -> int:  # type: ignore[type-arg]
    """EBSI's list shape; returns the number of the last page."""
    assert set(body) == {"self", "items", "total", "pageSize", "links"}
    assert set(body["links"]) == {"first", "prev", "next", "last"}
    assert body["pageSize"] == size
    last = max(1, -(-body["total"] // size))
    assert page_of(body["self"]) == (number, size)
    assert page_of(body["links"]["first"]) == (1, size)
    assert page_of(body["links"]["last"]) == (last, size)
    assert page_of(body["links"]["prev"]) == (max(1, min(number - 1, last)), size)
    assert page_of(body["links"]["next"]) == (min(number + 1, last), size)
    return last


# -- health, for a load balancer or an uptime monitor ----------------------------------------


def test_health_answers_get_and_head_with_the_head_it_reads_at(http: httpx.Client) -> None:
    got = http.get("/health")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["status"] == "ok" and body["block"] == int(got.headers["X-Block-Number"])
    assert body["block_age_s"] >= 0 and body["block_time"].endswith("Z") and isinstance(body["chain_id"], int)
    for path in ("/health", "/"):  # monitors often send HEAD: it was a 405
        head = http.head(path)
        assert head.status_code == 200 and head.content == b"", (path, head.status_code)


# -- DID registry -------------------------------------------------------------------------


def test_identifiers_are_listed_oldest_first_with_ebsi_pagination(http: httpx.Client, chain: Chain) -> None:
    first = http.get(DIDS, params={"page[size]": 2}).json()
    last = assert_list_shape(first, 1, 2)
    assert first["total"] >= 3 and len(first["items"]) == 2
    # The three DIDs the chain fixture registered are the newest: the tail of the last pages.
    tail_page = http.get(first["links"]["last"]).json()
    assert_list_shape(tail_page, last, 2)
    before = http.get(tail_page["links"]["prev"]).json()
    newest = [item["did"] for item in before["items"] + tail_page["items"]]
    expected_tail = [chain.root.did, chain.tao.did, chain.ti.did][-len(newest) :]
    assert newest[-3:] == expected_tail[-3:]
    for item in tail_page["items"]:
        assert set(item) == {"did", "href"}
        assert http.get(item["href"]).json()["id"] == item["did"]


def test_a_page_past_the_end_is_empty_but_keeps_the_total(http: httpx.Client, chain: Chain) -> None:
    body = http.get(DIDS, params={"page[after]": 10_000, "page[size]": 50}).json()
    assert body["items"] == [] and body["total"] >= 3
    assert page_of(body["links"]["next"])[0] == page_of(body["links"]["last"])[0]


@pytest.mark.parametrize(
    "params", [{"page[size]": 51}, {"page[size]": 0}, {"page[after]": 0}, {"page[after]": "first"}]
)
def test_bad_pagination_is_a_400_problem(http: httpx.Client, params: dict) -> None:  # type: ignore[type-arg]
    assert_problem(http.get(DIDS, params=params), 400, "invalid-request")


def test_did_document_in_either_media_type(http: httpx.Client, chain: Chain) -> None:
    ld = http.get(f"{DIDS}/{chain.ti.did}", headers={"Accept": "application/did+ld+json"})
    assert ld.status_code == 200
    assert ld.headers["content-type"] == "application/did+ld+json"
    document = ld.json()
    assert document["id"] == chain.ti.did
    assert document["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert chain.ti.kid in document["assertionMethod"]
    assert all(m["type"] == "JsonWebKey2020" for m in document["verificationMethod"])
    plain = http.get(f"{DIDS}/{chain.ti.did}")
    assert plain.headers["content-type"] == "application/json"
    assert plain.json() == document
    assert int(plain.headers["x-block-number"]) > 0


def test_did_document_as_of_a_time_before_registration_is_not_found(http: httpx.Client, chain: Chain) -> None:
    problem = assert_problem(
        http.get(f"{DIDS}/{chain.ti.did}", params={"valid-at": "2001-01-01T00:00:00Z"}), 404, "did-not-found"
    )
    assert "2001-01-01" in problem["detail"]
    assert http.get(f"{DIDS}/{chain.ti.did}", params={"valid-at": "2999-01-01"}).json()["id"] == chain.ti.did


@pytest.mark.parametrize(
    "did",
    [
        "did:ebsi:0OIl",  # not base58 (no z multibase prefix, characters base58 leaves out)
        "did:ebsi:zz",  # far too short
        "did:ebsi:z0OIl0OIl0OIl0OIl0OIl",  # the right length, characters base58 leaves out
        "did:ebsi:zUnregistered11111111111",  # base58, but not version byte 0x01 and 16 bytes
    ],
)
def test_a_malformed_did_ebsi_is_a_400_not_a_missing_did(http: httpx.Client, did: str) -> None:
    problem = assert_problem(http.get(f"{DIDS}/{did}"), 400, "invalid-did")
    assert "did:ebsi" in problem["detail"]


def test_did_key_is_resolved_locally(http: httpx.Client, holder: Identity) -> None:
    document = http.get(f"{DIDS}/{holder.did}").json()
    assert document["id"] == holder.did
    assert document["verificationMethod"][0]["publicKeyJwk"]["crv"] == "P-256"


def test_did_errors_are_problems(http: httpx.Client) -> None:
    unregistered = new_ebsi_did()
    assert_problem(http.get(f"{DIDS}/{unregistered}"), 404, "did-not-found")
    assert_problem(http.get(f"{DIDS}/not-a-did"), 400, "invalid-did")
    assert_problem(http.get(f"{DIDS}/did:web:example.com"), 404, "did-not-found")
    assert_problem(http.get(f"{DIDS}/{unregistered}", params={"valid-at": "soon"}), 400)
    assert_problem(http.get(f"{DIDS}/did:ebsi:zAny1111111111111111", headers={"Accept": "text/html"}), 406)
    assert_problem(http.get("/no/such/path"), 404)


# -- trusted issuers registry ---------------------------------------------------------------


def test_issuer_has_ebsi_attributes_naming_its_tao_and_root(http: httpx.Client, chain: Chain) -> None:
    body = http.get(f"{TIR}/{chain.ti.did}").json()
    assert body["did"] == chain.ti.did
    (attribute,) = body["attributes"]
    assert attribute["issuerType"] == "TI"
    assert attribute["tao"] == chain.tao.did
    assert attribute["rootTao"] == chain.root.did
    assert attribute["hash"] == hashlib.sha256(attribute["body"].encode()).hexdigest()
    assert jwt.parse(attribute["body"]).payload["iss"] == chain.tao.did
    (root_attribute,) = http.get(f"{TIR}/{chain.root.did}").json()["attributes"]
    assert root_attribute["issuerType"] == "RootTAO"
    assert root_attribute["tao"] == root_attribute["rootTao"] == chain.root.did


def test_attribute_list_items_are_bare_hex_ids_with_links(http: httpx.Client, chain: Chain) -> None:
    listing = http.get(f"{TIR}/{chain.ti.did}/attributes").json()
    assert_list_shape(listing, 1, 10)
    assert listing["total"] == 1
    (item,) = listing["items"]
    assert item["id"] == chain.ti_attribute.hex() and len(item["id"]) == 64
    detail = http.get(item["href"]).json()
    assert detail["did"] == chain.ti.did
    assert set(detail["attribute"]) == {"hash", "body", "issuerType", "tao", "rootTao"}
    assert http.get(f"{TIR}/{chain.ti.did}/attributes/0x{item['id']}").json() == detail


def test_revoked_accreditation_reads_revoked_and_keeps_its_history(
    http: httpx.Client, chain: Chain, trust: Trust
) -> None:
    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.REVOKED, reason=2)
    path = f"{TIR}/{chain.ti.did}/attributes/{chain.ti_attribute.hex()}"
    assert http.get(path).json()["attribute"]["issuerType"] == "Revoked"
    revisions = http.get(f"{path}/revisions").json()
    assert_list_shape(revisions, 1, 10)
    assert [(r["revision"], r["status"], r["issuerType"]) for r in revisions["items"]] == [
        (1, "active", "TI"),
        (2, "revoked", "Revoked"),
    ]
    assert revisions["items"][1]["reasonText"] == "fraud"


def test_suspended_accreditation_is_not_in_force_until_reinstated(
    http: httpx.Client, chain: Chain, trust: Trust
) -> None:
    """A client that knows only EBSI's fields must not read a suspended TI as accredited: its
    issuerType reads Revoked (EBSI's verifier library refuses on that value alone), and the extra
    `status` says suspended (not revoked). Reinstated, it reads exactly as before."""
    document = http.get("/openapi.json").json()
    issuer_path = f"{TIR}/{chain.ti.did}"
    path = f"{issuer_path}/attributes/{chain.ti_attribute.hex()}"
    before_issuer, before = http.get(issuer_path).json(), http.get(path).json()
    assert before["attribute"]["issuerType"] == "TI" and "status" not in before["attribute"]

    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.SUSPENDED, reason=3)
    suspended = http.get(path).json()
    assert suspended["attribute"]["issuerType"] == "Revoked"
    assert suspended["attribute"]["status"] == "suspended"
    assert suspended["attribute"]["tao"] == chain.tao.did  # everything else as before
    assert {k: v for k, v in suspended["attribute"].items() if k not in ("issuerType", "status")} == {
        k: v for k, v in before["attribute"].items() if k != "issuerType"
    }
    (attribute,) = http.get(issuer_path).json()["attributes"]
    assert attribute == suspended["attribute"]
    assert_matches_openapi(document, "/trusted-issuers-registry/v5/issuers/{did}", http.get(issuer_path))
    assert_matches_openapi(
        document, "/trusted-issuers-registry/v5/issuers/{did}/attributes/{attribute_id}", http.get(path)
    )
    assert http.get(f"/api/issuers/{chain.ti.did}/check").json()["ok"] is False  # the two agree

    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.ACTIVE, reason=4)
    assert http.get(path).json() == before
    assert http.get(issuer_path).json() == before_issuer
    assert http.get(f"/api/issuers/{chain.ti.did}/check").json()["ok"] is True
    revisions = http.get(f"{path}/revisions").json()["items"]
    assert [(r["status"], r["issuerType"]) for r in revisions] == [
        ("active", "TI"),
        ("suspended", "Revoked"),
        ("active", "TI"),
    ]


def test_issuers_list_ends_with_the_newest_accreditation(http: httpx.Client, chain: Chain) -> None:
    first = http.get(TIR, params={"page[size]": 50}).json()
    last = http.get(first["links"]["last"]).json()
    assert last["items"][-1]["did"] == chain.ti.did
    assert last["items"][-1]["href"].endswith(f"{TIR}/{chain.ti.did}")


def test_issuer_errors_are_problems(http: httpx.Client, chain: Chain) -> None:
    nobody = new_ebsi_did()
    assert_problem(http.get(f"{TIR}/{nobody}"), 404, "issuer-not-found")
    assert_problem(http.get(f"{TIR}/{nobody}/attributes"), 404, "issuer-not-found")
    # A mistyped did:ebsi is the client's mistake, as the DID registry answers it, not an issuer missing.
    for path in ("", "/attributes", f"/attributes/{'ab' * 32}"):
        assert_problem(http.get(f"{TIR}/did:ebsi:zNobody111111111111111{path}"), 400, "invalid-did")
    assert_problem(http.get(f"{TIR}/{chain.ti.did}/attributes/1234"), 400, "invalid-input")
    assert_problem(http.get(f"{TIR}/{chain.ti.did}/attributes/{'ab' * 32}"), 404, "attribute-not-found")
    assert_problem(http.get(f"{TIR}/{chain.ti.did}/attributes/{'ab' * 32}/revisions"), 404, "attribute-not-found")


# -- status lists ---------------------------------------------------------------------------


def _status_path(token: str, purpose: str) -> str:
    entries = jwt.parse(token).payload["vc"]["credentialStatus"]
    url = next(e["statusListCredential"] for e in entries if e["statusPurpose"] == purpose)
    return urlsplit(url).path


def test_published_status_list_is_served_until_the_chain_moves_past_it(
    http: httpx.Client, issuer: Issuer, holder: Identity
) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    token = issued.holder_file.credential
    path = _status_path(token, "revocation")
    # Published before the credential was anchored (issue #13): served, with nothing set yet.
    first = http.get(path)
    assert first.status_code == 200, first.text
    assert not is_set(
        decode_list(jwt.parse(first.text).payload["vc"]["credentialSubject"]["encodedList"]), issued.index
    )
    for purpose in ("revocation", "suspension"):
        assert http.get(_status_path(token, purpose)).status_code == 200
    issuer.change_status([token], Purpose.REVOCATION, set_=True, reason=1, publish=True)
    served = http.get(path)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/plain")
    payload = jwt.parse(served.text).payload
    assert payload["iss"] == issuer.identity.did
    assert is_set(decode_list(payload["vc"]["credentialSubject"]["encodedList"]), issued.index)
    # Another revocation in the same list without republishing: the served list would be a lie.
    other = issuer.issue_single(holder.did, welding_certificate())
    issuer.change_status([other.holder_file.credential], Purpose.REVOCATION, set_=True, reason=1)
    stale = assert_problem(http.get(path), 409, "status-list-stale")
    assert stale["publishedBlock"] == int(served.headers["x-published-block"])


def test_status_list_errors_are_problems(http: httpx.Client, issuer: Issuer, chain: Chain) -> None:
    did, account = issuer.identity.did, issuer.identity.account.address.lower()
    base = f"{TIR}/{did}/proxies"
    assert_problem(http.get(f"{base}/{account}/credentials/status/{2**32 + 7}"), 404, "status-list-not-found")
    assert_problem(http.get(f"{base}/0xnot-an-address/credentials/status/1"), 400)
    assert_problem(http.get(f"{base}/{account}/credentials/status/{2**33}"), 400)
    # An account that never controlled the DID cannot have lists served under it.
    stranger = chain.root.account.address.lower()
    assert_problem(http.get(f"{base}/{stranger}/credentials/status/0"), 404, "status-list-not-found")


# -- timestamps -----------------------------------------------------------------------------


def test_anchored_hash_has_a_timestamp_in_hex_or_multibase(
    http: httpx.Client, issuer: Issuer, holder: Identity
) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    assert issued.receipt is not None
    value = issued.credential_hash
    body = http.get(f"/timestamp/v4/timestamps/0x{value.hex()}").json()
    assert set(body) == {"hash", "timestampedBy", "blockNumber", "timestamp", "transactionHash", "data"}
    assert body["hash"] == "0x" + value.hex()
    assert body["timestampedBy"] == issuer.identity.account.address
    assert body["blockNumber"] == issued.receipt["blockNumber"]
    assert body["transactionHash"] == HexBytes(issued.receipt["transactionHash"]).to_0x_hex()
    assert int(body["data"], 16) == 1  # one credential, not a cohort
    assert http.get(f"/timestamp/v4/timestamps/u{b64url_encode(value)}").json() == body
    assert http.get(f"/timestamp/v4/timestamps/{multibase_encode_b58(value)}").json() == body
    assert http.get(f"/timestamp/v4/timestamps/{value.hex()}").json() == body


def test_timestamp_errors_are_problems(http: httpx.Client) -> None:
    assert_problem(http.get(f"/timestamp/v4/timestamps/{'00' * 32}"), 404, "timestamp-not-found")
    assert_problem(http.get("/timestamp/v4/timestamps/uAAAA"), 400, "invalid-input")


# -- trusted schemas ------------------------------------------------------------------------


def test_schema_id_is_the_multibase_sha256_of_the_canonical_schema(
    http: httpx.Client, issuer: Issuer, holder: Identity
) -> None:
    listing = http.get("/trusted-schemas-registry/v3/schemas").json()
    assert listing["total"] == len(ownschemas.SCHEMA_FILES) + 1  # our own (formats/ownschemas.py) and europass
    schemas = {}
    for item in listing["items"]:
        response = http.get(item["href"])
        assert response.headers["content-type"] == "application/schema+json"
        schema = response.json()
        assert item["schemaId"] == multibase_encode_b58(hashlib.sha256(canonicalize(schema)).digest())
        schemas[item["schemaId"]] = schema
    # The skills credentials we issue name one of them, and conform to it.
    token = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential
    vc = jwt.parse(token).payload["vc"]
    named = vc["credentialSchema"]["id"].rsplit("/", 1)[1]
    assert list(Draft202012Validator(schemas[named]).iter_errors(vc)) == []
    assert_problem(http.get("/trusted-schemas-registry/v3/schemas/zNoSuchSchema"), 404, "schema-not-found")


def test_reads_at_one_head_are_replayed_and_no_cache_reads_afresh(
    service_settings: Settings, registry: Registry
) -> None:
    """A service that reuses its head for 30 s answers from that head (through its read cache)
    until a client asks for a fresh read; after that, plain reads see the new head too."""
    steady = start_service(service_settings, ServiceConfig(rate_per_s=0, head_max_age_s=30))
    try:
        with httpx.Client(base_url=steady.url, timeout=30) as client:
            before = client.get(DIDS, params={"page[size]": 1})
            again = client.get(DIDS, params={"page[size]": 1})
            assert again.content == before.content
            assert again.headers["x-block-number"] == before.headers["x-block-number"]
            newcomer = new_legal_entity("newcomer")
            fund(registry, newcomer)
            registry.register_did(newcomer)
            stale = client.get(DIDS, params={"page[size]": 1})
            assert stale.json()["total"] == before.json()["total"]  # the head it promised to reuse
            fresh = client.get(DIDS, params={"page[size]": 1}, headers={"Cache-Control": "no-cache"})
            assert fresh.json()["total"] == before.json()["total"] + 1
            assert int(fresh.headers["x-block-number"]) > int(before.headers["x-block-number"])
            after = client.get(DIDS, params={"page[size]": 1})
            assert after.json()["total"] == fresh.json()["total"]
            assert after.headers["x-block-number"] == fresh.headers["x-block-number"]
            # Answers carry absolute links, so a replay never crosses host names.
            for host in ("registry.a.example", "registry.a.example", "registry.a.example", "registry.b.example"):
                links = client.get(DIDS, params={"page[size]": 1}, headers={"Host": host}).json()["links"]
                assert urlsplit(links["first"]).hostname == host
    finally:
        steady.stop()


def test_read_answers_match_their_openapi_response_schemas(
    http: httpx.Client, chain: Chain, issuer: Issuer, holder: Identity
) -> None:
    """The read routes return their JSON directly (no pydantic pass on the way out), so their
    answers are checked here against the response schemas the OpenAPI document publishes."""
    document = http.get("/openapi.json").json()
    issued = issuer.issue_single(holder.did, welding_certificate())
    paths = {
        "/trusted-issuers-registry/v5/issuers/{did}": f"{TIR}/{chain.ti.did}",
        "/trusted-issuers-registry/v5/issuers/{did}/attributes/{attribute_id}": (
            f"{TIR}/{chain.ti.did}/attributes/{chain.ti_attribute.hex()}"
        ),
        "/timestamp/v4/timestamps/{timestamp_id}": f"/timestamp/v4/timestamps/0x{issued.credential_hash.hex()}",
    }
    for template, path in paths.items():
        assert_matches_openapi(document, template, http.get(path))


def assert_matches_openapi(document: dict, template: str, answer: httpx.Response) -> None:  # type: ignore[type-arg]
    """A 200 answer to GET `template` is one its published response schema describes."""
    assert answer.status_code == 200, answer.url
    schema = document["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer.json())]
    assert problems == [], (template, problems)
    assert "$ref" in schema  # a real schema, not an empty one that accepts anything
