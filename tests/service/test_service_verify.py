"""POST /verify gives the CLI's report over HTTP; the issuer check behind the issuer page."""

from __future__ import annotations

import dataclasses
import json
import logging

import httpx
import pytest

from registry.chain.node import AnvilNode, free_port
from registry.config import DEFAULT_PUBLIC_URL, Settings
from registry.formats.multibase import b64url_decode, b64url_encode
from registry.formats.qrpayload import pack
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport
from registry.ops.registry import Purpose
from registry.ops.verify import Verifier
from registry.service.config import ServiceConfig
from tests.conftest import Chain, HangUpProxy, welding_certificate
from tests.helpers.service_helpers import assert_problem, start_service

pytest_plugins = ("tests.helpers.service_fixtures",)


def tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(b64url_decode(payload))
    data["vc"]["credentialSubject"]["achievement"]["name"] = "Welding inspector, level 5"
    return ".".join([header, b64url_encode(json.dumps(data).encode()), signature])


def test_the_report_is_the_clis_report(
    http: httpx.Client, issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:
    holder_file = issuer.issue_single(holder.did, welding_certificate()).holder_file
    response = http.post("/verify", json={"credential": holder_file.dumps()})
    assert response.status_code == 200
    report = response.json()
    assert report["verdict"] == "valid"
    expected = verifier.verify("request", holder_file.dumps()).to_json()
    del report["checked_at"], expected["checked_at"]  # the time each was computed
    assert report == expected
    assert {c["name"] for c in report["checks"]} >= {"signature", "anchor", "revocation status", "accreditation"}


def test_a_holder_file_may_be_sent_as_an_object_and_a_bare_jwt_as_text(
    http: httpx.Client, issuer: Issuer, holder: Identity
) -> None:
    holder_file = issuer.issue_single(holder.did, welding_certificate()).holder_file
    as_object = http.post("/verify", json={"credential": holder_file.to_json()}).json()
    as_jwt = http.post("/verify", json={"credential": holder_file.credential}).json()
    assert as_object["verdict"] == as_jwt["verdict"] == "valid"
    # An audience (the page's "your organisation") asked of a credential alone: only a passport carries one.
    alone = http.post("/verify", json={"credential": holder_file.credential, "audience": "Employer GmbH"}).json()
    assert alone["verdict"] == "valid"
    assert [c["message"][:60] for c in alone["checks"] if c["name"] == "audience"] == [
        "not checked: this is a single credential, not a passport, so"
    ]


def test_revoked_and_tampered_credentials_are_200_with_their_verdicts(
    http: httpx.Client, issuer: Issuer, holder: Identity
) -> None:
    token = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential
    issuer.change_status([token], Purpose.REVOCATION, set_=True, reason=2)
    revoked = http.post("/verify", json={"credential": token})
    assert revoked.status_code == 200
    assert revoked.json()["verdict"] == "revoked"
    assert "fraud" in revoked.json()["summary"]
    tampered = http.post("/verify", json={"credential": tamper(token)}).json()
    assert tampered["verdict"] == "invalid"
    assert [c["name"] for c in tampered["checks"] if c["outcome"] == "fail"] == ["signature"]


def test_at_asks_about_another_time(http: httpx.Client, issuer: Issuer, holder: Identity) -> None:
    token = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential
    issuer.change_status([token], Purpose.SUSPENSION, set_=True, reason=6)
    assert http.post("/verify", json={"credential": token}).json()["verdict"] == "suspended"
    assert http.post("/verify", json={"credential": token, "at": "2999-01-01"}).json()["verdict"] == "suspended"
    # Before it existed: "not yet issued" (not valid then, never "invalid": it is genuine, issued later).
    early = http.post("/verify", json={"credential": token, "at": "2001-01-01"}).json()
    assert early["verdict"] == "not yet issued" and early["summary"].startswith(
        "NOT YET ISSUED: not valid on 2001-01-01"
    )
    assert "issued later, anchored on" in early["summary"] and "INVALID" not in early["summary"], early["summary"]
    # "yesterday" and "1 May 2026" are dates people type (registry.formats.dates); this is not one.
    assert_problem(http.post("/verify", json={"credential": token, "at": "the day after"}), 400)


def test_trust_list_in_the_request(http: httpx.Client, issuer: Issuer, holder: Identity, chain: Chain) -> None:
    token = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential
    trusted = http.post("/verify", json={"credential": token, "trustList": [chain.root.did]}).json()
    assert trusted["verdict"] == "valid"
    accreditation = next(c for c in trusted["checks"] if c["name"] == "accreditation")
    assert "which the request's trust list trusts" in accreditation["message"]
    foreign = http.post("/verify", json={"credential": token, "trustList": ["did:ebsi:zOtherRoot11111111111"]}).json()
    # Genuine, under a root the request's list leaves out: its own verdict, never "invalid" (issue #14).
    assert foreign["verdict"] == "root not trusted"
    # The sentence reads as one (it once said "not in the trust list the request's trust list").
    assert f"{chain.root.did}, which is not in the request's trust list" in foreign["summary"]
    assert "trust list the request" not in json.dumps(foreign)
    assert_problem(http.post("/verify", json={"credential": token, "trustList": ["nonsense"]}), 400)


def test_not_a_credential_is_invalid_and_a_passport_is_refused_for_now(http: httpx.Client) -> None:
    assert http.post("/verify", json={"credential": "hello"}).json()["verdict"] == "invalid"
    # A credential file naming "credential" twice (a tampered token first, the genuine one last): the
    # parser keeps the last, other readers the first, so it is refused, sent as an object or as its text.
    twice = '{"format": "skills-credential/1", "credential": "eyJh.eyJi.c2ln", "credential": "eyJj.eyJk.c2ln"}'
    json_type = {"content-type": "application/json"}
    for body in ('{"credential": ' + twice + "}", json.dumps({"credential": twice})):
        refused = assert_problem(http.post("/verify", content=body.encode(), headers=json_type), 400, "invalid-input")
        assert "names the member 'credential' twice" in refused["detail"], refused["detail"]
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}
    assert_problem(http.post("/verify", json={"credential": presentation}), 400, "passport-unsupported")
    # A printed passport opened on the page (sent as its text) is not the credential: no verdict, what to do.
    printed = assert_problem(http.post("/verify", json={"credential": "%PDF-1.3\n\ufffd"}), 400, "not-a-credential")
    assert "a PDF (a printed passport?)" in printed["detail"] and "QR code" in printed["detail"]
    # A QR code's text cut short (copied in part, or a misread character): no credential to judge, no verdict.
    code = pack({"format": "skills-credential/1", "credential": "eyJhbGciOiJFUzI1NiJ9.eyJ2YyI6e319.c2ln"})
    cut = assert_problem(http.post("/verify", json={"credential": code[:-4]}), 400, "qr-misread")
    assert cut["detail"].startswith("this is not a whole QR code's text (") and "scan the code again" in cut["detail"]
    # A file of 1-2 MB (under the body limit, over a credential file's 1 MiB) is refused, not judged INVALID.
    for big in ({"type": ["VerifiableCredential"], "pad": "x" * 1_500_000}, "eyJ" + "x" * 1_500_000):
        large = assert_problem(http.post("/verify", json={"credential": big}), 400, "too-large")
        assert large["detail"].startswith("this is 1.5 MiB: too large to be a credential"), large["detail"]
        assert "at most 1 MiB" in large["detail"] and large["title"] == "Too large to be a credential"
    # Under 1 MiB, a credential file's or a passport's JWT above 256 KiB: too large too, never INVALID.
    for kind, field in (("skills-credential/1", "credential"), ("skills-passport/1", "presentation")):
        sent = {"format": kind, field: "eyJ" + "x" * 300_000 + ".e30.AA"}
        large = assert_problem(http.post("/verify", json={"credential": sent}), 400, "too-large")
        assert "too large, its JWT is 293 KiB (a JWT is at most 256 KiB)" in large["detail"], large["detail"]
    assert_problem(http.post("/verify", json={"credentials": "x"}), 400, "invalid-request")
    assert_problem(http.post("/verify", content=b"{not json", headers={"content-type": "application/json"}), 400)
    # The mistakes of a body typed by hand each say what to send instead.
    json_type = {"content-type": "application/json"}
    for body, headers, says in (
        (b"{not json", json_type, "the body is not valid JSON (Expecting property name"),
        (b"", json_type, 'the body is empty: send a JSON object (for /verify: {"credential": '),
        (b'{"credential": "x"}', {"content-type": "text/plain"}, "sent with the header Content-Type: application/json"),
        (b'"eyJ.a.b"', json_type, "the body must be a JSON object"),
        (b'{"format": "skills-credential/1", "credential": "x", "anchor": {}}', json_type,
         'this is a credential file posted as it is: send it as {"credential": <the file>}'),
        (b'{"format": "skills-passport/1", "presentation": "x", "cohortProofs": {}, "registries": {}}', json_type,
         'this is a skills passport file posted as it is: send it as {"credential": <the file>}'),
    ):  # fmt: skip
        refused = http.post("/verify", content=body, headers=headers)
        assert refused.status_code == 400 and says in refused.json()["detail"], refused.text
    extract = b'{"format": "skills-logbook-extract/1", "entries": []}'  # posted bare to the logbook's check
    wrong_tool = http.post("/verify", json={"credential": json.loads(extract)})  # not judged: where to send it
    assert_problem(wrong_tool, 400, "logbook-extract")
    assert "send it to POST /api/logbook/verify" in wrong_tool.json()["detail"]
    refused = http.post("/api/logbook/verify", content=extract, headers=json_type)
    assert refused.json()["detail"] == 'this is a file posted as it is: send it as {"extract": <the file>}'  # its name


def test_unreachable_chain_gives_could_not_determine_never_invalid(
    service_settings: Settings, issuer: Issuer, holder: Identity, caplog: pytest.LogCaptureFixture
) -> None:
    token = issuer.issue_single(holder.did, welding_certificate()).holder_file.credential
    port = free_port()
    # The node's URL is internal and may carry credentials: no answer names it, the log does (without them).
    dead = Settings(
        home=service_settings.home,
        rpc_urls=(f"http://user:secret@127.0.0.1:{port}/v3/secretkey0123456789abcdef",),  # a provider's key in the path
        deployment_path=service_settings.deployment_path,
        rpc_timeout_s=2,
    )
    running = start_service(dead, ServiceConfig(rate_per_s=0))
    try:
        with (
            caplog.at_level(logging.WARNING, logger="registry.service"),
            httpx.Client(base_url=running.url, timeout=30) as client,
        ):
            response = client.post("/verify", json={"credential": token})
            assert response.status_code == 200
            report = response.json()
            assert report["verdict"] == "could not determine"
            assert not [c for c in report["checks"] if c["outcome"] == "fail"]
            assert "cannot reach the service's chain node: connection refused" in report["summary"]
            # Reads cannot answer at all: 503, said as a problem.
            read = client.get("/trusted-issuers-registry/v5/issuers")
            problem = assert_problem(read, 503, "chain-unavailable")
            assert problem["detail"] == "cannot reach the service's chain node: connection refused or host unreachable"
            health = client.get("/health")  # a load balancer takes this process out of rotation
            assert assert_problem(health, 503, "chain-unavailable")["detail"] == problem["detail"]
    finally:
        running.stop()
    for answer in (response.text, read.text, health.text):
        assert_node_not_named(answer, port)
    # The log names the node, never its credentials.
    assert any(f"***@127.0.0.1:{port}" in r.getMessage() for r in caplog.records)
    assert not any("secret" in r.getMessage() for r in caplog.records)


def test_a_providers_key_in_the_rpc_urls_path_is_never_shown() -> None:
    # Providers put API keys in the path (Infura, Alchemy, QuickNode, Ankr): the service's log showed
    # them whole, the credentials before @ and the query alone being redacted.
    from registry.chain.client import shown_url

    assert (
        shown_url("https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161") == "https://mainnet.infura.io/v3/***"
    )
    assert shown_url("https://x.quiknode.pro/0123456789abcdef0123456789abcdef/") == "https://x.quiknode.pro/***/"
    assert shown_url("http://u:p@node.example.org:8545/rpc?key=k") == "http://***@node.example.org:8545/rpc?***"
    assert shown_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"  # a host is never a key


def assert_node_not_named(answer: str, port: int) -> None:
    # The credential's own URLs (its schema, under the issuer's public URL) are not the node's.
    answer = answer.replace(DEFAULT_PUBLIC_URL, "")
    for secret in (f":{port}", "secret", "127.0.0.1"):
        assert secret not in answer, (secret, answer)


def test_a_node_gone_during_verification_is_not_named_in_the_report(
    service_settings: Settings, anvil: AnvilNode, issuer: Issuer, holder: Identity
) -> None:
    holder_file = issuer.issue_single(holder.did, welding_certificate()).holder_file
    # A node that answers the service's head and deployment checks, then hangs up on every
    # contract read or log query: the chain goes away in the middle of a verification.
    proxy = HangUpProxy(anvil.rpc_url, lambda body: b"eth_call" in body or b"eth_getLogs" in body)
    url = f"http://user:secret@127.0.0.1:{proxy.port}"
    running = start_service(dataclasses.replace(service_settings, rpc_urls=(url,)), ServiceConfig(rate_per_s=0))
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            single = client.post("/verify", json={"credential": holder_file.dumps()})
            passport = client.post("/verify", json={"credential": create_passport(holder, [holder_file])})
    finally:
        running.stop()
        proxy.shutdown()
        proxy.server_close()
    assert single.json()["verdict"] == passport.json()["verdict"] == "could not determine"
    assert "the service's chain node" in single.text and "the service's chain node" in passport.text
    for answer in (single.text, passport.text):
        assert_node_not_named(answer, proxy.port)


def test_issuer_check_walks_the_chain_to_the_root(http: httpx.Client, chain: Chain) -> None:
    report = http.get(f"/api/issuers/{chain.ti.did}/check", params={"roots": [chain.root.did]}).json()
    assert report["ok"] is True and report["trustedRoot"] is True
    assert [(link["issuer_type"], link["did"]) for link in report["path"]] == [
        ("TI", chain.ti.did),
        ("TAO", chain.tao.did),
        ("RootTAO", chain.root.did),
    ]
    untrusted = http.get(f"/api/issuers/{chain.ti.did}/check", params={"roots": ["did:ebsi:zElsewhere111111111"]})
    assert untrusted.json()["ok"] is False
    past = http.get(f"/api/issuers/{chain.ti.did}/check", params={"at": "2001-01-01"}).json()
    assert past["ok"] is False and "not yet accredited" in past["summary"]
    # A blank type asked is the client's mistake: 400 (it was "not trusted: not accredited for  ").
    roots = {"roots": [chain.root.did]}
    blank = assert_problem(http.get(f"/api/issuers/{chain.ti.did}/check", params={**roots, "type": " "}), 400)
    assert blank["detail"].startswith("type is empty"), blank
    spaced = http.get(f"/api/issuers/{chain.ti.did}/check", params={**roots, "type": " SkillsCredential "}).json()
    assert spaced["ok"] is True, spaced


@pytest.mark.parametrize("did", ["nonsense", "did:", "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf"])
def test_issuer_check_refuses_a_malformed_did(http: httpx.Client, did: str) -> None:
    # A did:ebsi with a character missing is the client's mistake: 400, never "not trusted" (was 200).
    assert_problem(http.get(f"/api/issuers/{did}/check"), 400)


def test_a_skills_passport_gets_a_verdict_per_credential_and_one_overall(
    http: httpx.Client, issuer: Issuer, holder: Identity
) -> None:
    from registry.ops.passport import create_passport

    files = [issuer.issue_single(holder.did, welding_certificate()).holder_file for _ in range(2)]
    issuer.change_status([files[1].credential], Purpose.REVOCATION, set_=True, reason=2)
    report = http.post("/verify", json={"credential": create_passport(holder, files)}).json()
    assert report["kind"] == "passport" and report["verdict"] == "invalid"
    assert [c["verdict"] for c in report["credentials"]] == ["valid", "revoked"]
    assert {c["name"]: c["outcome"] for c in report["checks"]} == {
        "holder signature": "pass",
        "holder binding": "pass",
        "presentation time": "pass",
        "distinct credentials": "pass",
    }


def test_a_passport_file_with_cohort_proofs_first_is_still_a_passport(
    http: httpx.Client, issuer: Issuer, holder: Identity
) -> None:
    # The file as `registry passport create` writes it (keys sorted: cohortProofs before format),
    # sent as text: the service decides on the parsed document, not on the order of its keys.
    from registry.ops.passport import create_passport

    cohort = issuer.issue_cohort([(holder.did, welding_certificate()) for _ in range(3)])
    text = json.dumps(create_passport(holder, cohort.holder_files[:2]), indent=2, sort_keys=True)
    assert text.index('"cohortProofs"') < text.index('"format"')
    report = http.post("/verify", json={"credential": text}).json()
    assert report["kind"] == "passport" and report["verdict"] == "valid"
    assert [c["verdict"] for c in report["credentials"]] == ["valid", "valid"]
