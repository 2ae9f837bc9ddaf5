"""EBSI's own verifier libraries accept what we issue, and refuse what they should, for the reason
they should: `@cef-ebsi/verifiable-credential` 5.x and `@cef-ebsi/verifiable-presentation` 6.x
(pinned in package-lock.json) run by node (tests/interop/ebsi_verify.mjs) against a real
`registry serve` process, at its default rate limit, on the session's anvil; their EBSI
environment (`ebsiEnvConfig`, `trustedHostnames`) points at the service. One service for the module.

The library keeps registry reads 5 minutes in memory, so each node run is a fresh process, and the
cases that must see a change (a revocation, an accreditation revoked) are run after the change.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account

from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.config import Settings
from registry.formats.accreditation import Scope
from registry.formats.credential import Achievement, HolderFile, Skill
from registry.keystore import Identity, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.passport import sign_presentation
from registry.ops.registry import Purpose, Registry
from registry.ops.trust import AttrStatus, IssuerType, Trust, TrustList
from registry.ops.verify import Verdict, Verifier

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("ebsi_verify.mjs")
NODE_MODULES = ROOT / "node_modules" / "@cef-ebsi"
WELDING = Skill("http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314", "apply arc welding techniques")
SCOPE = Scope(types=("SkillsCredential", "WeldingCertificate", "EuropeanDigitalCredential"))
PASSPORT_SIZE = 20  # the passport the rate-limit defaults must carry through the library (issue #13)
AUDIENCE = "did:ebsi:zemployerVerifier0000000001"  # who the holder was told will check the passport


def achievement(name: str = "Certified welder") -> Achievement:
    return Achievement(name=name, description="Arc welding to EN ISO 9606-1", criteria="Practical and written exam",
                       skills=(WELDING,), eqf_level=4)  # fmt: skip


@dataclass
class World:
    base: str
    settings: Settings
    registry: Registry
    trust: Trust
    ti: Identity
    ti2: Identity
    ti2_attribute: bytes
    tao: Identity
    holder: Identity
    issuer: Issuer
    root: Identity

    def ours(self, policy: str = "issuance") -> Verifier:
        """Our verifier on the same registry, trusting the same root, with an accreditation policy."""
        roots = TrustList(frozenset({self.root.did}), "interop root")
        return Verifier(self.registry, roots, accreditation_policy=policy, require_trusted_root=True)


def _legal_entity(registry: Registry, name: str) -> Identity:
    identity = new_legal_entity(name)
    registry.client.request("anvil_setBalance", [identity.account.address, hex(10**20)])
    registry.register_did(identity)
    return identity


@pytest.fixture(scope="module")
def world(anvil: AnvilNode, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Root TAO -> TAO -> two TIs, every URL in credentials and accreditations under the service's
    own base (as a real deployment's public URL), and `registry serve` there with its defaults."""
    # Never skipped: `make test` installs the libraries (`npm ci` from package-lock.json) first.
    libraries = [NODE_MODULES / name / "package.json" for name in ("verifiable-credential", "verifiable-presentation")]
    assert all(p.is_file() for p in libraries), "EBSI's libraries are not installed: run make bootstrap"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    home = tmp_path_factory.mktemp("interop-home")
    settings = Settings(home=home, rpc_urls=(anvil.rpc_url,), deployment_path=deployment_file, public_url=base)
    registry = Registry.connect(settings)
    trust = Trust(registry, base)
    until = int(time.time()) + 365 * 24 * 3600
    root, tao = _legal_entity(registry, "authority"), _legal_entity(registry, "accreditation-body")
    ti, ti2 = _legal_entity(registry, "training-centre"), _legal_entity(registry, "second-centre")
    root_attribute = trust.onboard_root(Account.from_key(ANVIL_DEV_KEY), root, [SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [SCOPE], until)
    trust.accredit(tao, tao_attribute, ti.did, IssuerType.TI, [SCOPE], until, name="Interop Training Centre")
    ti2_attribute = trust.accredit(tao, tao_attribute, ti2.did, IssuerType.TI, [SCOPE], until)
    argv = [sys.executable, "-m", "registry", "--home", str(home), "serve", "--port", str(port),
            "--rpc", anvil.rpc_url, "--deployment", str(deployment_file)]  # fmt: skip
    env = {**os.environ, "REGISTRY_PUBLIC_URL": base}
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(base, server)
        holder = new_natural_person("worker")
        yield World(
            base, settings, registry, trust, ti, ti2, ti2_attribute, tao, holder, Issuer(registry, ti, settings), root
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base + "/trusted-schemas-registry/v3/schemas", timeout=5)
            return
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                stderr = server.stderr.read() if server.stderr else ""
                raise RuntimeError(f"registry serve did not start: {stderr}") from None
            time.sleep(0.1)


def run_library(base: str, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each case through EBSI's library in one fresh node process; results by case name."""
    answer = subprocess.run(
        ["node", str(DRIVER)], input=json.dumps({"base": base, "cases": cases}), capture_output=True, text=True,
        cwd=ROOT, timeout=240, check=False,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    return {r["name"]: r for r in json.loads(answer.stdout)}


def vc(name: str, token: str) -> dict[str, Any]:
    return {"name": name, "kind": "vc", "jwt": token}


def vp(name: str, token: str, audience: str = AUDIENCE) -> dict[str, Any]:
    return {"name": name, "kind": "vp", "jwt": token, "audience": audience}


def tampered(token: str) -> str:
    """The same JWT with the achievement's name changed in the payload, the signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Certified nuclear welder"
    forged = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def assert_verified(result: dict[str, Any]) -> None:
    assert result["verified"], result["error"]
    assert 429 not in result["statuses"] and 404 not in result["statuses"], result["statuses"]


def assert_refused(result: dict[str, Any], reason: str) -> None:
    assert not result["verified"]
    assert reason in result["error"], result["error"]


@pytest.fixture(scope="module")
def issued(world: World) -> dict[str, HolderFile]:
    """What the first node run sees: a credential of a list nobody revoked anything on yet, a
    cohort, and the passport's credentials."""
    issuer = world.issuer
    files = {"single": issuer.issue_single(world.holder.did, achievement()).holder_file}
    cohort = issuer.issue_cohort([(world.holder.did, achievement(f"Welding module {n}")) for n in range(1, 4)])
    files["cohort-member"] = cohort.holder_files[0]
    for n in range(PASSPORT_SIZE - 1):
        files[f"passport-{n}"] = issuer.issue_single(world.holder.did, achievement(f"Welding unit {n}")).holder_file
    return files


def test_what_we_issue_is_verified_by_ebsi_libraries(world: World, issued: dict[str, HolderFile]) -> None:
    passport = [issued["single"], *(issued[f"passport-{n}"] for n in range(PASSPORT_SIZE - 1))]
    token = sign_presentation(world.holder, passport, audience=AUDIENCE)["presentation"]
    results = run_library(world.base, [
        vc("nothing revoked yet", issued["single"].credential),
        vc("cohort member as its bare JWT", issued["cohort-member"].credential),
        vp("passport", token),
    ])  # fmt: skip
    for result in results.values():
        assert_verified(result)
    # What one verifier costs the service: the first credential reads everything, the rest hit the
    # library's cache for the issuer's accreditation and schemas.
    first, again, passport_run = (
        results[n]["requests"] for n in ("nothing revoked yet", "cohort member as its bare JWT", "passport")
    )
    print(f"\nEBSI library requests: first credential {first}, next credential {again}, "
          f"passport of {PASSPORT_SIZE}: {passport_run} ({passport_run / PASSPORT_SIZE:.1f} each)")  # fmt: skip
    assert passport_run >= PASSPORT_SIZE  # it did read the registry for every credential
    # Ours, on the same inputs: valid, and a cohort member's bare JWT is never INVALID.
    ours = world.ours()
    assert ours.verify("single.json", issued["single"].dumps()).verdict is Verdict.VALID
    assert ours.verify("member.json", issued["cohort-member"].dumps()).verdict is Verdict.VALID
    assert ours.verify("member.jwt", issued["cohort-member"].credential).verdict is not Verdict.INVALID
    passport_file = json.dumps(sign_presentation(world.holder, passport, audience=AUDIENCE))
    assert ours.verify_passport("passport.json", passport_file, audience=AUDIENCE).verdict is Verdict.VALID


def _issued_then_suspended(world: World) -> HolderFile:
    """A third TI's credential, its accreditation suspended by its TAO after it issued: the library must
    not take a suspended accreditation as in force."""
    third = _legal_entity(world.registry, "third-centre")
    tao_attribute, until = world.trust.active_attribute(world.tao.did), int(time.time()) + 3600
    attribute = world.trust.accredit(world.tao, tao_attribute, third.did, IssuerType.TI, [SCOPE], until)
    paused = Issuer(world.registry, third, world.settings).issue_single(world.holder.did, achievement("Paused"))
    world.trust.set_status(world.tao, third.did, attribute, AttrStatus.SUSPENDED, reason=3)
    return paused.holder_file


def test_ebsi_libraries_refuse_for_the_right_reason(world: World, issued: dict[str, HolderFile]) -> None:
    issuer = world.issuer
    revoked = issuer.issue_single(world.holder.did, achievement("Revoked")).holder_file.credential
    suspended = issuer.issue_single(world.holder.did, achievement("Suspended")).holder_file.credential
    issuer.change_status([revoked], Purpose.REVOCATION, set_=True, reason=2, publish=True)
    issuer.change_status([suspended], Purpose.SUSPENSION, set_=True, reason=6, publish=True)
    # A second TI, whose accreditation its TAO revokes after it issued: policy "now".
    second = Issuer(world.registry, world.ti2, world.settings)
    withdrawn = second.issue_single(world.holder.did, achievement("Issued before the accreditation ended"))
    world.trust.set_status(world.tao, world.ti2.did, world.ti2_attribute, AttrStatus.REVOKED, reason=2)
    paused = _issued_then_suspended(world)
    files = [issued["single"], issued["passport-0"]]
    elsewhere = sign_presentation(world.holder, files, audience="did:ebsi:zsomeoneElse00000000000001")
    expired = sign_presentation(world.holder, files, audience=AUDIENCE, claims={"iat": int(time.time()) - 7200,
                                "nbf": int(time.time()) - 7200, "exp": int(time.time()) - 3600})  # fmt: skip
    vcdm2, europass = (
        Issuer(world.registry, world.ti, world.settings, profile=p).issue_single(world.holder.did, achievement())
        for p in ("vcdm2", "europass")
    )
    results = run_library(world.base, [
        vc("revoked", revoked),
        vc("suspended", suspended),
        vc("tampered", tampered(issued["single"].credential)),
        vc("accreditation revoked", withdrawn.holder_file.credential),
        vc("accreditation suspended", paused.credential),
        vp("passport for another audience", elsewhere["presentation"]),
        vp("passport past exp", expired["presentation"]),
        vc("VCDM 2.0 vc+jwt", vcdm2.holder_file.credential),
        vc("Europass (ELM over VCDM 2.0)", europass.holder_file.credential),
        vc("still valid beside a revoked one", issued["passport-1"].credential),
    ])  # fmt: skip
    assert_refused(results["revoked"], "The credential is revoked")
    assert_refused(results["suspended"], "The credential is suspended")
    assert_refused(results["tampered"], "Invalid signature")
    assert_refused(results["accreditation revoked"], "Revoked")
    assert_refused(results["accreditation suspended"], "Revoked")  # the service reads it so (and says suspended)
    assert_refused(results["passport for another audience"], 'JWT "aud" property MUST match the expected audience')
    assert_refused(results["passport past exp"], "JWT has expired")
    # What the library cannot read: a VCDM 2.0 credential secured as vc+jwt (no `vc` claim, typ vc+jwt).
    for unreadable in ("VCDM 2.0 vc+jwt", "Europass (ELM over VCDM 2.0)"):
        assert_refused(results[unreadable], '"typ" JWT header must be "JWT"')
        assert results[unreadable]["requests"] == 0  # refused on its header, before asking the service
    assert_verified(results["still valid beside a revoked one"])
    # Ours, on the same inputs, with the same reasons; the accreditation by policy.
    ours = world.ours()
    assert ours.verify("revoked.jwt", revoked).verdict is Verdict.REVOKED
    assert ours.verify("suspended.jwt", suspended).verdict is Verdict.SUSPENDED
    assert "signature" in ours.verify("tampered.jwt", tampered(issued["single"].credential)).summary
    assert ours.verify("withdrawn.json", withdrawn.holder_file.dumps()).verdict is Verdict.VALID
    now = world.ours("now").verify("withdrawn.json", withdrawn.holder_file.dumps())
    assert now.verdict is Verdict.INVALID and "accreditation" in now.summary
    assert [v.verify("paused.json", paused.dumps()).verdict for v in (ours, world.ours("now"))] == [
        Verdict.VALID,  # issued before the suspension
        Verdict.INVALID,
    ]
    other = ours.verify_passport("p.json", json.dumps(elsewhere), audience=AUDIENCE)
    assert other.verdict is Verdict.INVALID and "not for" in other.summary
    late = ours.verify_passport("p.json", json.dumps(expired), audience=AUDIENCE)
    assert late.verdict is Verdict.INVALID and "expired on" in late.summary
    assert ours.verify("v2.json", vcdm2.holder_file.dumps()).verdict is Verdict.VALID
    assert ours.verify("edc.json", europass.holder_file.dumps()).verdict is Verdict.VALID
