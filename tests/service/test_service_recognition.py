"""The service applies the operator's destination authority (`registry serve --recognised-in`), or
the one a request names (`recognisedIn`, and so `registry verify --service URL --recognised-in`):
POST /verify carries the recognition finding, the verdict unchanged; the frameworks decisions name
are served by content id. A real uvicorn on a real anvil."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
import time

import httpx
import pytest

from registry.config import Settings
from registry.errors import ConfigError
from registry.formats.canonical import canonicalize
from registry.formats.multibase import multibase_encode_b58
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.recognition.authority import Recognition
from registry.ops.registry import Registry
from registry.ops.trust import Root, Trust, TrustList
from registry.service.config import ServiceConfig, from_environment
from tests.conftest import GOVERNANCE, ONE_YEAR, ROOT_SCOPE, Chain, welding_certificate
from tests.helpers.service_helpers import start_service
from tests.ops.test_recognition import decision


def test_verify_carries_the_configured_authoritys_recognition(
    settings: Settings, registry: Registry, chain: Chain, issuer: Issuer, holder: Identity, make_issuer, trust: Trust
) -> None:  # type: ignore[no-untyped-def]
    office = make_issuer("recognition-office")
    trust.onboard_root(GOVERNANCE, office, [ROOT_SCOPE], int(time.time()) + ONE_YEAR, "Federal Recognition Office")
    published = [
        Recognition(registry).publish(office, decision(office, chain.root.did, reference=r)) for r in ("A", "B")
    ]
    entries = (Root(chain.root.did, "Vocational Authority"), Root(office.did, "Recognition Office"))
    roots = TrustList(frozenset({chain.root.did, office.did}), "the service's trust list", entries=entries)
    config = ServiceConfig(rate_per_s=0, head_max_age_s=0, trust_list=roots, require_trusted_root=True,
                           recognised_in="Recognition Office")  # fmt: skip
    running = start_service(settings, config)
    credential = issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps()
    try:
        with httpx.Client(base_url=running.url, timeout=30) as http:
            report = http.post("/verify", json={"credential": credential}).json()
            assert report["verdict"] == "valid", report["summary"]
            assert report["recognition"]["outcome"] == "recognised"
            assert report["recognition"]["message"].startswith("recognised here as Schweißer/in (geprüft) (level 4")
            listed = http.get("/api/recognition/frameworks").json()
            dqr = next(f for f in listed if f["key"] == "de-dqr")
            data = http.get(dqr["href"]).json()
            assert multibase_encode_b58(hashlib.sha256(canonicalize(data)).digest()) == dqr["id"]
            assert http.get("/api/recognition/frameworks/zNope").status_code == 404
            _the_authoritys_decisions_are_listed(http, office, chain.root.did, published)
    finally:
        running.stop()
    plain = dataclasses.replace(config, recognised_in=None)
    running = start_service(settings, plain)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as http:
            assert "recognition" not in http.post("/verify", json={"credential": credential}).json()
            # The request names the authority (a DID, or a name in the service's trust list).
            asked = http.post("/verify", json={"credential": credential, "recognisedIn": "Recognition Office"})
            assert asked.json()["recognition"]["outcome"] == "recognised", asked.text
            wrong = http.post("/verify", json={"credential": credential, "recognisedIn": "Nobody We Know"})
            # In the API's words: the request's field and the service's list, not the CLI's option and "your" list.
            assert wrong.status_code == 400 and wrong.json()["detail"] == (
                "recognisedIn 'Nobody We Know' is neither a DID nor the name of one root in the service's trust list "
                "(GET /api/trust-list)"
            ), wrong.text
        _verify_through_the_service(settings, running.url, credential, roots)
    finally:
        running.stop()


def _the_authoritys_decisions_are_listed(http: httpx.Client, office: Identity, root: str, ids: list[bytes]) -> None:
    """GET /api/recognition/authorities/{did}/decisions: page by page, oldest first, parties by their legal
    names where the registry knows them; each decision at its href."""
    listed = http.get(f"/api/recognition/authorities/{office.did}/decisions", params={"page[size]": 1})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert (page["total"], page["pageSize"], page["authority_name"]) == (2, 1, "Federal Recognition Office")
    (item,) = page["items"]
    assert (
        item["id"] == "0x" + ids[0].hex() and item["status"] == "active" and item["history"][0]["event"] == "published"
    )
    assert (item["authority"], item["authority_name"], item["root"], item["root_name"]) == (
        office.did,
        "Federal Recognition Office",
        root,
        None,
    )  # the test chain's root was onboarded without a name
    second = http.get(page["links"]["next"]).json()["items"]
    assert [i["id"] for i in second] == ["0x" + ids[1].hex()]
    one = http.get(item["href"])
    assert one.status_code == 200 and one.json() == item, one.text
    assert http.get(f"/api/recognition/decisions/0x{'0' * 64}").json()["type"].endswith("decision-not-found")
    assert http.get("/api/recognition/decisions/0x12").status_code == 400
    assert http.get("/api/recognition/authorities/did:ebsi:nope/decisions").status_code == 400
    nobody = http.get(f"/api/recognition/authorities/{root}/decisions").json()
    assert (nobody["total"], nobody["items"], nobody["authority_name"]) == (0, [], None)


def _verify_through_the_service(settings: Settings, url: str, credential: str, roots: TrustList) -> None:
    """`registry verify --service URL --recognised-in AUTHORITY`: asked of the service, with the CLI's
    trust list, printed as a local verification prints it."""
    (settings.home / "cred.json").write_text(credential)
    roots.save(settings.home / "roots.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), "verify", str(settings.home / "cred.json"),
            "--service", url, "--trust-list", str(settings.home / "roots.json"),
            "--recognised-in", "Recognition Office"]  # fmt: skip
    cli = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert cli.returncode == 0, cli.stderr
    said = " ".join(cli.stdout.split())
    # The request's list is bare DIDs: the service names the office by the legal name its onboarding gives.
    assert "recognition by Federal Recognition Office: recognised here as Schweißer/in (geprüft) (level 4" in said
    # A name the employer's own list does not give (it calls the office otherwise) is the service's to resolve.
    office = next(r.did for r in roots.listed() if r.name == "Recognition Office")
    renamed = [Root(r.did, "Bundesamt" if r.did == office else r.name) for r in roots.listed()]
    TrustList(roots.roots, "the employer's list", entries=tuple(renamed)).save(settings.home / "roots.json")
    cli = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert cli.returncode == 0 and "recognised here as Schweißer/in" in cli.stdout, cli.stdout + cli.stderr


def test_an_authority_the_trust_list_does_not_name_is_refused_at_start() -> None:
    # The service's list is --trust-list's alone: not "your trust list (`registry trust-list show`)", which would
    # show the home's default list, one the service does not read.
    with pytest.raises(ConfigError, match=r"neither a DID nor the name of one root in the service's trust list "
                       r"\(--trust-list: none given\)$"):  # fmt: skip
        from_environment({"REGISTRY_SERVICE_RECOGNISED_IN": "Nobody"})
