"""Passports are short-lived and addressed; a vc+jwt's own exp/nbf count; a JWS header with `crit`
is refused (docs/SECURITY.md, "Former keys and controllers; passports"). Real anvil, real keys; the
passports a verifier must refuse are signed by the holder's real key with the claims changed
(`sign_presentation(claims=...)`)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from jwcrypto.jwk import JWK

from registry.config import Settings
from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import jwt, ownschemas
from registry.formats.vcdm2 import build_vc2
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.passport import DEFAULT_VALIDITY_S, create_passport, sign_presentation
from registry.ops.verify import CLOCK_SKEW_S, Outcome, Verdict, Verifier
from tests.conftest import PASSPHRASE, welding_certificate
from tests.helpers.commands import registry_in_process
from tests.helpers.lying_node import LyingNode
from tests.helpers.vectors import load_json

pytest_plugins = ("tests.helpers.service_fixtures",)

YEAR_2100 = 4_102_444_800


@pytest.fixture
def holder_file(issuer: Issuer, holder: Identity) -> vcfmt.HolderFile:
    return issuer.issue_single(holder.did, welding_certificate()).holder_file


def _failed(report: Any, name: str) -> str:
    check = report.check(name)
    assert check is not None and check.outcome is Outcome.FAIL, report.summary
    assert report.verdict is Verdict.INVALID and report.summary.startswith(f"INVALID: {name}:")
    return str(check.message)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        pytest.param({"iat": 0, "nbf": 0, "exp": int(time.time()) - 3600}, "expired on", id="exp-past"),
        pytest.param({"nbf": int(time.time()) + 3600}, "not valid before", id="nbf-future"),
        pytest.param({"iat": YEAR_2100, "nbf": None}, "signed in the future", id="iat-2100"),
        pytest.param({"exp": None}, "no expiry (exp)", id="no-exp"),
        pytest.param({"iat": None}, "no signing time (iat)", id="no-iat"),
        pytest.param({"exp": "tomorrow"}, "exp claim is not a whole number", id="exp-text"),
    ],
)
def test_a_passport_out_of_its_time_is_invalid(
    verifier: Verifier, holder: Identity, holder_file: vcfmt.HolderFile, claims: dict[str, Any], expected: str
) -> None:
    passport = json.dumps(sign_presentation(holder, [holder_file], claims=claims))
    report = verifier.verify_passport("p", passport)
    assert expected in _failed(report, "presentation time")
    assert [r.verdict for r in report.credentials] == [Verdict.VALID]  # the credential itself is fine


def test_a_passport_within_the_clock_skew_is_valid(
    verifier: Verifier, holder: Identity, holder_file: vcfmt.HolderFile
) -> None:
    now = int(time.time())
    skewed = {"iat": now + CLOCK_SKEW_S - 60, "nbf": now + CLOCK_SKEW_S - 60, "exp": now - CLOCK_SKEW_S + 60}
    report = verifier.verify_passport("p", json.dumps(sign_presentation(holder, [holder_file], claims=skewed)))
    assert report.verdict is Verdict.VALID, report.summary


def test_a_passport_expires_a_week_after_it_is_made_by_default(
    verifier: Verifier, holder: Identity, holder_file: vcfmt.HolderFile
) -> None:
    passport = create_passport(holder, [holder_file])
    payload = jwt.parse(passport["presentation"]).payload
    assert payload["exp"] - payload["iat"] == DEFAULT_VALIDITY_S == 7 * 24 * 3600
    assert verifier.verify_passport("p", json.dumps(passport)).verdict is Verdict.VALID
    later = verifier.verify_passport("p", json.dumps(passport), at=payload["exp"] + CLOCK_SKEW_S)
    assert "expired on" in _failed(later, "presentation time")


def test_a_passport_holding_the_same_credential_twice_is_invalid(
    verifier: Verifier, holder: Identity, holder_file: vcfmt.HolderFile
) -> None:
    report = verifier.verify_passport("p", json.dumps(sign_presentation(holder, [holder_file, holder_file])))
    assert "#2 repeats #1" in _failed(report, "distinct credentials")
    assert "all 2" not in report.summary


def test_the_verifiers_audience_and_nonce_are_checked_when_it_states_them(
    verifier: Verifier, holder: Identity, holder_file: vcfmt.HolderFile
) -> None:
    employer, other = "https://employer.example/hiring", "https://other.example"
    addressed = json.dumps(create_passport(holder, [holder_file], audience=employer, nonce="n-4711"))
    assert verifier.verify_passport("p", addressed, audience=employer, nonce="n-4711").verdict is Verdict.VALID
    assert "not for 'https://other.example'" in _failed(
        verifier.verify_passport("p", addressed, audience=other), "audience"
    )
    assert "another nonce" in _failed(verifier.verify_passport("p", addressed, audience=employer, nonce="n-1"), "nonce")
    # Spaces around the name the verifier types are nobody's intent; letter case is compared, and said so.
    assert verifier.verify_passport("p", addressed, audience=f" {employer} ", nonce="n-4711").verdict is Verdict.VALID
    cased = _failed(verifier.verify_passport("p", addressed, audience=employer.upper()), "audience")
    assert f"made for {employer!r}, not for {employer.upper()!r} (they differ in letter case only" in cased, cased
    # Not stated: not checked, and the report says so.
    unchecked = verifier.verify_passport("p", addressed)
    assert unchecked.verdict is Verdict.VALID
    assert unchecked.check("audience").outcome is Outcome.SKIPPED  # type: ignore[union-attr]
    said = unchecked.check("nonce")  # the challenge it answers, too: unchecked, not silently passed over
    assert said is not None and (said.outcome, said.message) == (
        Outcome.SKIPPED,
        "not checked: it answers a challenge (nonce) you did not give",
    )
    # A passport made for nobody in particular, or without the challenge, is refused when they are stated.
    anyone = json.dumps(create_passport(holder, [holder_file]))
    assert "made for nobody" in _failed(verifier.verify_passport("p", anyone, audience=employer), "audience")
    assert "carries no nonce" in _failed(verifier.verify_passport("p", anyone, nonce="n-4711"), "nonce")
    # aud as a list (RFC 7519) naming the verifier is accepted.
    listed = json.dumps(sign_presentation(holder, [holder_file], claims={"aud": [other, employer]}))
    assert verifier.verify_passport("p", listed, audience=employer).verdict is Verdict.VALID


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    # In this process, as `python -m registry` runs it (tests/helpers/commands.py): a Python start less.
    return registry_in_process(["--home", str(settings.home), *args], env)


def test_passport_create_and_verify_audience_nonce_and_expiry_on_the_command_line(
    settings: Settings, holder: Identity, holder_file: vcfmt.HolderFile, tmp_path: Path
) -> None:
    credential = tmp_path / "c.json"
    credential.write_text(holder_file.dumps())
    passport = tmp_path / "p.json"
    options = ("--audience", "did:ebsi:zEmployer", "--nonce", "c-1", "--valid-for", "2h")
    created = _run(
        settings, "passport", "create", "--holder", holder.name, "--out", str(passport), *options, str(credential)
    )
    assert created.returncode == 0, created.stderr
    payload = jwt.parse(json.loads(passport.read_text())["presentation"]).payload
    assert payload["exp"] - payload["iat"] == 7200 and payload["aud"] == "did:ebsi:zEmployer"
    chain = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    ok = _run(settings, "verify", *chain, "--audience", "did:ebsi:zEmployer", "--nonce", "c-1", str(passport))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = _run(settings, "verify", *chain, "--json", "--audience", "did:ebsi:zSomeoneElse", str(passport))
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert json.loads(wrong.stdout)["summary"].startswith("INVALID: audience:")
    # With several endpoints (quorum reads) the audience is checked too.
    relay = LyingNode(settings.rpc_url)  # an honest relay: a second endpoint (one URL given twice is refused)
    try:
        quorum = ("--rpc", settings.rpc_url, "--rpc", relay.url, "--deployment", str(settings.deployment_file))
        both = _run(settings, "verify", *quorum, "--json", "--audience", "did:ebsi:zSomeoneElse", str(passport))
    finally:
        relay.close()
    assert both.returncode == 1 and json.loads(both.stdout)["summary"].startswith("INVALID: audience:"), both.stdout
    bad = _run(settings, "passport", "create", "--holder", holder.name, "--out", str(tmp_path / "q.json"),
               "--valid-for", "soon", str(credential))  # fmt: skip
    assert bad.returncode == 1 and bad.stderr.startswith("error: --valid-for 'soon' is not a duration")
    too_long = _run(settings, "passport", "create", "--holder", holder.name, "--out", str(tmp_path / "q.json"),
                    "--valid-for", "400d", str(credential))  # fmt: skip
    assert too_long.returncode == 1 and "1 minute to 365 days" in too_long.stderr
    assert too_long.stderr.startswith("error: --valid-for 400d: ") and "34560000" not in too_long.stderr  # as given
    assert not (tmp_path / "q.json").exists()


def test_post_verify_takes_the_audience_and_nonce(
    http: httpx.Client, service: str, settings: Settings, holder: Identity, holder_file: vcfmt.HolderFile,
    tmp_path: Path,
) -> None:  # fmt: skip
    passport = create_passport(holder, [holder_file], audience="https://employer.example", nonce="x1")
    right = http.post("/verify", json={"credential": passport, "audience": "https://employer.example", "nonce": "x1"})
    assert right.status_code == 200 and right.json()["verdict"] == "valid", right.text
    wrong = http.post("/verify", json={"credential": passport, "audience": "https://employer.example", "nonce": "x2"})
    assert wrong.json()["verdict"] == "invalid" and wrong.json()["summary"].startswith("INVALID: nonce:")
    # `registry verify --service` sends them along.
    path = tmp_path / "p.json"
    path.write_text(json.dumps(passport))
    via = _run(settings, "verify", "--service", service, "--json", "--audience", "https://other.example", str(path))
    assert via.returncode == 1, via.stdout + via.stderr
    assert json.loads(via.stdout)["summary"].startswith("INVALID: audience:")
    # A blank audience or nonce (an unset variable, `--audience "$ORG"`) is the asker's mistake:
    # refused, never a verdict. It was INVALID for every genuine passport, and VALID for one made
    # for nobody (`aud: ""`).
    for asked in ({"audience": " "}, {"nonce": ""}, {"audience": "https://employer.example", "nonce": "\t"}):
        blank = http.post("/verify", json={"credential": passport, **asked})
        assert blank.status_code == 400 and "is empty" in blank.json()["detail"], blank.text
    for_nobody = sign_presentation(holder, [holder_file], claims={"aud": ""})
    assert http.post("/verify", json={"credential": for_nobody, "audience": ""}).status_code == 400
    unset = _run(settings, "verify", "--audience", "", str(path))
    assert unset.returncode == 64 and unset.stderr.startswith("error: --audience is empty"), unset.stderr


# -- VCDM 2.0 vc+jwt: the JWT's own exp and nbf ------------------------------------------------------


def _vc2_with(issuer: Issuer, holder: Identity, **claims: int) -> str:
    """A vc+jwt signed by the issuer's real key with extra JWT claims, anchored on-chain."""
    now = issuer.registry.signing_time()
    number, index = issuer.allocator.allocate_single()
    draft = issuer._draft(holder.did, welding_certificate(), number, index, now, None)
    # The issuer fixture's profile is ebsi: a VCDM 2.0 credential names the VCDM 2.0 schema.
    draft = dataclasses.replace(
        draft, schema_url=ownschemas.schema_url(issuer.settings.public_url, ownschemas.SKILLS_VC2)
    )
    vc = {**build_vc2(draft, now), **claims}
    token = jwt.sign({"alg": "ES256", "typ": "vc+jwt", "kid": issuer.identity.kid}, vc, issuer.identity.signing_key)
    issuer.registry.anchor(issuer.identity, vcfmt.credential_hash(token))
    return token


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        pytest.param({"exp": int(time.time()) - 60}, "expired on", id="exp-past"),
        pytest.param({"nbf": int(time.time()) + 3600}, "not valid before", id="nbf-future"),
    ],
)
def test_a_vc_jwt_past_its_exp_or_before_its_nbf_is_invalid(
    issuer: Issuer, holder: Identity, verifier: Verifier, claims: dict[str, int], expected: str
) -> None:
    token = _vc2_with(issuer, holder, **claims)
    report = verifier.verify("vc2", vcfmt.HolderFile(token).dumps())
    assert report.credential["profile"] == "vcdm2.0-vc+jwt"
    assert expected in _failed(report, "validity period")


def test_a_vc_jwt_within_its_exp_is_valid(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    token = _vc2_with(issuer, holder, exp=int(time.time()) + 3600, nbf=int(time.time()) - 10)
    assert verifier.verify("vc2", vcfmt.HolderFile(token).dumps()).verdict is Verdict.VALID


# -- JWS crit (RFC 7515 section 4.1.11) --------------------------------------------------------------


def test_rfc7515_crit_example_header_is_refused() -> None:
    """The header of RFC 7515 section 4.1.11's example, signed with the RFC's A.3 key: an extension
    marked critical that we do not understand means the JWS must be rejected."""
    vector = next(v for v in load_json("jose/rfc7515.json")["vectors"] if v["section"] == "A.3")
    token = jwt.sign({"alg": "ES256", "crit": ["exp"], "exp": 1363284000}, {"iss": "joe"}, JWK(**vector["jwk"]))
    with pytest.raises(InputError, match=r"crit.*RFC 7515 section 4\.1\.11"):
        jwt.parse(token)
    # Without crit the same key and payload parse and verify: it is the crit alone that is refused.
    plain = jwt.parse(jwt.sign({"alg": "ES256", "exp": 1363284000}, {"iss": "joe"}, JWK(**vector["jwk"])))
    assert jwt.verify(plain, vector["publicJwk"])


@pytest.mark.parametrize("profile", ["ebsi", "vcdm2"])
def test_a_credential_whose_header_marks_an_extension_critical_is_invalid(
    issuer: Issuer, holder: Identity, verifier: Verifier, profile: str
) -> None:
    now = issuer.registry.signing_time()
    draft = issuer._draft(holder.did, welding_certificate(), 0, 0, now, None)
    if profile == "vcdm2":
        payload, typ = build_vc2(draft, now), "vc+jwt"
    else:
        signed = jwt.parse(vcfmt.sign_vc(vcfmt.build_vc(draft, now), issuer.identity.signing_key, issuer.identity.kid))
        payload, typ = signed.payload, "JWT"
    header = {"alg": "ES256", "typ": typ, "kid": issuer.identity.kid, "crit": ["b64"], "b64": True}
    token = jwt.sign(header, payload, issuer.identity.signing_key)
    issuer.registry.anchor(issuer.identity, vcfmt.credential_hash(token))
    report = verifier.verify("crit", vcfmt.HolderFile(token).dumps())
    assert "crit" in _failed(report, "format")
