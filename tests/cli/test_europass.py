"""The europass profile through the real CLI on a real anvil: `registry issue --profile europass`
writes an ELM European Digital Credential that passes EBSI's EDC schema and ours, `registry verify`
says VALID (exit 0) and what it certifies (ELM's learning outcomes, EQF level, credits, awarding
body), in a passport too, `revoke` makes it REVOKED (exit 1); a cohort roster issued with --profile europass verifies
member by member, and `suspend` makes one SUSPENDED through its status list.

One accreditation chain for the module (Root TAO -> TAO -> TI accredited for
EuropeanDigitalCredential under its legal name), so the few CLI runs are all the test costs."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from registry.chain.node import AnvilNode
from registry.config import Settings
from registry.formats import jwt, qrpayload
from registry.formats.accreditation import Scope
from registry.formats.credential import load_holder_file
from registry.formats.europass.schema import europass_schema, europass_schema_id
from registry.formats.schemas import SchemaSet
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops.registry import Registry
from registry.ops.trust import IssuerType, Trust
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import GOVERNANCE, ONE_YEAR, PASSPHRASE, WELDING, fund, trusted_roots
from tests.helpers.certified import ACADEMY, DOCUMENT, HOLDER_NAME, WELDER
from tests.helpers.vectors import VECTORS

EDC_SCOPE = Scope(types=("EuropeanDigitalCredential",))


@dataclass
class World:
    settings: Settings
    academy: Identity
    holder: Identity
    home: Path


@pytest.fixture(scope="module")
def world(anvil: AnvilNode, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    home = tmp_path_factory.mktemp("europass")
    settings = Settings(home=home / "home", rpc_urls=(anvil.rpc_url,), deployment_path=deployment_file)
    registry = Registry.connect(settings)
    keys = KeyStore(settings.keys_dir)
    root, tao, academy = (new_legal_entity(n) for n in ("authority", "accreditor", "academy"))
    for identity in (root, tao, academy):
        fund(registry, identity)
        keys.save(identity, PASSPHRASE)
        registry.register_did(identity)
    trust = Trust(registry, "http://registry.test")
    until = int(time.time()) + ONE_YEAR
    root_attribute = trust.onboard_root(GOVERNANCE, root, [EDC_SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [EDC_SCOPE], until)
    trust.accredit(tao, tao_attribute, academy.did, IssuerType.TI, [EDC_SCOPE], until, name=ACADEMY)
    trusted_roots(root.did).save(settings.trust_list_file)
    holder = new_natural_person("amina")
    keys.save(holder, PASSPHRASE)
    return World(settings, academy, holder, home)


def _payload(path: Path) -> dict[str, object]:
    payload: dict[str, object] = jwt.parse(load_holder_file(path.read_bytes(), str(path)).credential).payload
    return payload


def test_issue_europass_verify_valid_then_revoked(world: World) -> None:
    settings, path = world.settings, world.home / "amina-edc.json"
    issued = run(
        settings, "issue", "--profile", "europass", "--issuer", world.academy.name, "--holder", world.holder.did,
        "--name", "MIG/MAG welding", "--description", "Welds carbon steel plate.", "--criteria", "Practical test.",
        "--skill", f"{WELDING.uri}={WELDING.label}", "--occupation", f"{WELDER.uri}={WELDER.label}", "--eqf", "4",
        "--credits", "7.5", "--holder-name", HOLDER_NAME, "--holder-document", DOCUMENT, "--out", str(path),
        "--translation", "fr:name=Soudage MIG/MAG", "--translation", "ar:criteria=اختبار عملي",
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    vc = _payload(path)
    assert SchemaSet(VECTORS).validate_edc(vc) == []  # EBSI's EDC schema, read from the shared vectors
    assert list(Draft202012Validator(europass_schema()).iter_errors(vc)) == []  # ours, which it names
    packed = qrpayload.pack(json.loads(path.read_text()))  # the whole file fits one printed QR code
    print(f"europass holder file: {path.stat().st_size} bytes; in a QR code: {len(packed)} characters")
    assert len(packed) <= qrpayload.QR_ALPHANUMERIC_CAPACITY_L

    text = run(settings, "verify", str(path))
    assert text.returncode == 0, text.stdout + text.stderr
    lines = text.stdout.splitlines()
    assert "VALID" in lines[0] and "(a Europass European Digital Credential)" in text.stdout
    for expected in (
        "  MIG/MAG welding (Qualification) — EQF level 4",
        f"    skill: {WELDING.label} <{WELDING.uri}>",
        f"    occupation: {WELDER.label} <{WELDER.uri}>",
        "    credits: 7.5 (European Credit Transfer System)",
        f"    issuer: {ACADEMY} ({world.academy.did})",
    ):
        assert expected in lines, text.stdout
    report = json.loads(run(settings, "verify", "--json", str(path)).stdout)
    schema = next(c for c in report["checks"] if c["name"] == "schema")  # the schema it names: ours
    assert schema["outcome"] == "pass" and europass_schema_id() in schema["message"], schema
    certifies = report["certifies"]
    assert certifies["awarding_body"] == {"did": world.academy.did, "name": ACADEMY}
    assert certifies["credits"] == [{"points": "7.5", "framework": "European Credit Transfer System"}]
    assert certifies["holder"] == {"did": world.holder.did, "name": HOLDER_NAME, "document": DOCUMENT}
    assert (certifies["eqf_level"], certifies["learning_outcomes"]) == (4, [WELDING.label])

    passport = world.home / "passport.json"  # the holder presents it in a passport: same verdict
    created = run(settings, "passport", "create", "--holder", world.holder.name, "--out", str(passport), str(path))
    assert created.returncode == 0, created.stderr
    chain = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    presented = run(settings, "--lang", "fr", "verify", *chain, str(passport))  # its texts in French where given
    assert presented.returncode == 0, presented.stdout + presented.stderr
    assert "Soudage MIG/MAG (Qualification) — niveau CEC 4" in presented.stdout, presented.stdout
    assert certifies["translations"] == {"fr": {"name": "Soudage MIG/MAG"}, "ar": {"criteria": "اختبار عملي"}}

    revoked = run(settings, "revoke", str(path), "--issuer", world.academy.name, "--reason", "1")
    assert revoked.returncode == 0, revoked.stderr
    after = run(settings, "verify", str(path))
    assert after.returncode == 1 and "REVOKED" in after.stdout.splitlines()[0], after.stdout


def test_a_europass_cohort_verifies_member_by_member_and_one_is_suspended(world: World) -> None:
    settings, roster, out_dir = world.settings, world.home / "roster.csv", world.home / "cohort"
    roster.write_text(
        "holder,name,name@ar,eqf,skills,holder_name,credits\n"
        f"{world.holder.did},Safety course,السلامة,2,{WELDING.uri}={WELDING.label},{HOLDER_NAME},1.5\n"
        f"{new_natural_person('b').did},Safety course,,2,,,\n"
    )
    issued = run(settings, "issue", "--profile", "europass", "--issuer", world.academy.name, "--roster", str(roster),
                 "--out-dir", str(out_dir))  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    files = sorted(out_dir.iterdir())
    assert all(SchemaSet(VECTORS).validate_edc(_payload(f)) == [] for f in files)
    reports = json.loads(run(settings, "verify", "--json", *map(str, files)).stdout)
    assert [r["verdict"] for r in reports] == ["valid", "valid"], [r["summary"] for r in reports]
    named = {r["certifies"]["holder"]["name"]: r for r in reports}
    assert sorted(named, key=str) == [HOLDER_NAME, None]
    assert [c["points"] for c in named[HOLDER_NAME]["certifies"]["credits"]] == ["1.5"]
    assert named[None]["certifies"]["credits"] == []
    assert named[HOLDER_NAME]["certifies"]["translations"] == {"ar": {"name": "السلامة"}}
    assert named[None]["certifies"]["translations"] == {}
    assert all(any(c["name"] == "cohort proof" and c["outcome"] == "pass" for c in r["checks"]) for r in reports)

    amina = named[HOLDER_NAME]["source"]
    suspended = run(settings, "suspend", amina, "--issuer", world.academy.name)
    assert suspended.returncode == 0, suspended.stderr
    after = run(settings, "verify", amina)
    assert after.returncode == 1 and "SUSPENDED" in after.stdout.splitlines()[0], after.stdout


def test_only_europass_takes_credits_and_it_takes_no_extra_types(world: World) -> None:
    common = ("issue", "--issuer", world.academy.name, "--holder", world.holder.did, "--name", "X")
    out = str(world.home / "never.json")
    wrong = run(world.settings, *common, "--credits", "5", "--out", out)
    assert wrong.returncode == 1
    assert_one_line_error(wrong, "--credits", "add --profile europass")
    typed = run(world.settings, *common, "--profile", "europass", "--credential-type", "Welding", "--out", out)
    assert typed.returncode == 1
    assert_one_line_error(typed, "leave out --credential-type")
    assert not Path(out).exists()
    roster = world.home / "credits.csv"
    roster.write_text(f"holder,name,credits\n{world.holder.did},X,5\n")
    refused = run(world.settings, "issue", "--issuer", world.academy.name, "--roster", str(roster), "--out-dir",
                  str(world.home / "never"))  # fmt: skip
    assert refused.returncode == 1
    assert_one_line_error(refused, "credits column", "add --profile europass")
