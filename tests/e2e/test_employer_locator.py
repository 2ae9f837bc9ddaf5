"""An employer abroad verifies from the file alone: a fresh home, no deployment file, a holder file
(single, cohort member, passport) that names its registry, and a node's RPC URL or the registry's
service URL (issue #14, "A registry locator").

Everything is real: the session's anvil, `registry` subprocesses on a fresh home, a second
deployment on the same anvil for the registry a forged or foreign file names, and the session's
service under uvicorn.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from registry.chain.client import ChainClient
from registry.chain.deployment import Deployment, deploy
from registry.config import Settings
from registry.keystore import Identity, new_legal_entity
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport
from registry.ops.registry import Registry
from registry.ops.trust import IssuerType, Trust
from tests.conftest import GOVERNANCE, ONE_YEAR, ROOT_SCOPE, WELDING_SCOPE, Chain, fund, welding_certificate
from tests.helpers.commands import registry_in_process

pytest_plugins = ("tests.helpers.service_fixtures",)


def employer(home: Path, *args: str, stdin: str | None = None, **settings: str) -> subprocess.CompletedProcess[str]:
    """`registry --home HOME ...` with none of the issuer's settings in its environment (only the
    employer's own `settings`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_") or k == "REGISTRY_SCRYPT_N"}
    argv = ["--home", str(home), *args]
    if stdin is not None:  # read from the process's own stdin (its file descriptor): a real process
        return subprocess.run([sys.executable, "-m", "registry", *argv], input=stdin, capture_output=True, text=True,
                              env={**env, **settings}, timeout=120)  # fmt: skip
    # In this process, as `python -m registry` runs it (tests/helpers/commands.py): a Python start less.
    return registry_in_process(argv, {**env, **settings})


def verdicts(result: subprocess.CompletedProcess[str]) -> list[str]:
    data = json.loads(result.stdout)
    return [data["verdict"], *(c["verdict"] for c in data.get("credentials", []))]


@dataclasses.dataclass
class Files:
    single: Path
    member: Path
    passport: Path


@pytest.fixture
def files(issuer: Issuer, holder: Identity, tmp_path: Path) -> Files:
    """A worker's files as the issuer hands them out: a single credential, a cohort member, and a
    passport holding both."""
    single = tmp_path / "single.json"
    issuer.issue_single(holder.did, welding_certificate(), out=single)
    cohort = tmp_path / "cohort"
    issuer.issue_cohort([(holder.did, welding_certificate()), (holder.did, welding_certificate())], out_dir=cohort)
    member = sorted(cohort.glob("*.json"))[0]
    from registry.formats.credential import load_holder_file

    held = [load_holder_file(single.read_text()), load_holder_file(member.read_text())]
    passport = tmp_path / "passport.json"
    passport.write_text(json.dumps(create_passport(holder, held)))
    return Files(single, member, passport)


@pytest.fixture(scope="module")
def second_deployment(anvil: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another deployment of the same contracts on the same anvil: anyone can make one."""
    path = tmp_path_factory.mktemp("second") / "deployment.json"
    deploy(ChainClient(anvil.rpc_url), GOVERNANCE).save(path)
    return path


def trust_list(home: Path, root: str, *pins: Path) -> Path:
    """The employer's trust list: `root`, pinned to the registries of the deployment files `pins`."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "roots.json"
    args = [arg for pin in pins for arg in ("--registry", str(pin))]
    made = employer(home, "trust-list", "add", root, "--name", "Vocational Authority", "--file", str(path), *args)
    assert made.returncode == 0, made.stderr
    return path


def test_an_employer_verifies_single_cohort_and_passport_with_only_the_file_and_an_rpc_url(
    anvil: Any, chain: Chain, files: Files, deployment_file: Path, tmp_path: Path
) -> None:
    home = tmp_path / "employer"
    roots = trust_list(home, chain.root.did, deployment_file)
    assert not (home / "deployment.json").exists()
    deployed = Deployment.load(deployment_file)
    result = employer(home, "verify", str(files.passport), "--rpc", anvil.rpc_url, "--trust-list", str(roots))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout
    # The report names the registry it checked in: chain and addresses.
    assert f"chain {deployed.chain_id}" in result.stdout
    assert deployed.address("CredentialRegistry").lower() in result.stdout.lower()
    # From stdin too: the file read to find its registry is the file verified.
    piped = employer(
        home, "verify", "-", "--rpc", anvil.rpc_url, "--trust-list", str(roots), stdin=files.member.read_text()
    )
    assert piped.returncode == 0 and "stdin: VALID" in piped.stdout, piped.stdout + piped.stderr
    # A directory whose first file names no registry (not a credential): the next one's is read.
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a-notes.json").write_text('{"note": "not a credential"}')
    (folder / "b-single.json").write_text(files.single.read_text())
    mixed = employer(home, "verify", str(folder), "--rpc", anvil.rpc_url, "--trust-list", str(roots), "--json")
    assert [r["verdict"] for r in json.loads(mixed.stdout)] == ["invalid", "valid"], mixed.stdout  # not "names none"
    for path in (files.single, files.member, files.passport):
        as_json = employer(home, "verify", str(path), "--rpc", anvil.rpc_url, "--trust-list", str(roots), "--json")
        assert set(verdicts(as_json)) == {"valid"}, as_json.stdout
        report = json.loads(as_json.stdout)
        for credential in report.get("credentials", [report]):
            (named,) = [c for c in credential["checks"] if c["name"] == "registry"]
            assert named["outcome"] == "pass"
            assert named["evidence"]["credentialRegistry"] == deployed.address("CredentialRegistry").lower()
            assert named["evidence"]["deploymentBlockHash"] == deployed.deployment_block_hash


def test_another_root_no_list_or_an_unpinned_root_is_root_not_trusted_never_invalid(
    anvil: Any, chain: Chain, files: Files, deployment_file: Path, make_issuer: Any, tmp_path: Path
) -> None:
    other_root = make_issuer("other-authority").did
    (tmp_path / "b").mkdir()
    another = trust_list(tmp_path / "a", other_root, deployment_file)
    homes = {
        "another root": (tmp_path / "a", ["--trust-list", str(another)]),
        "no list at all": (tmp_path / "b", []),
        # The right DID, but not pinned to this registry: a DID means something only where it was onboarded.
        "unpinned": (tmp_path / "c", ["--trust-list", str(trust_list(tmp_path / "c", chain.root.did))]),
    }
    for case, (home, extra) in homes.items():
        # A passport's verdicts cover both credentials; each file alone once, for another root.
        for path in (files.single, files.member, files.passport) if case == "another root" else (files.passport,):
            result = employer(home, "verify", str(path), "--rpc", anvil.rpc_url, "--json", *extra)
            assert result.returncode == 1, (case, result.stdout, result.stderr)
            assert set(verdicts(result)) == {"root not trusted"}, (case, result.stdout)
        # The list that names the root for no registry says so, and how to accept it here.
        said = [
            c["message"] for c in json.loads(result.stdout)["credentials"][0]["checks"] if c["name"] == "trusted root"
        ]
        assert ("your list names it, but not in this registry" in said[0]) is (case == "unpinned"), said
        assert ("registry trust-list add" in said[0] and "--registry" in said[0]) is (case != "another root"), said


def test_an_authority_checks_an_issuer_in_the_registry_its_trust_list_pins(
    anvil: Any, chain: Chain, deployment_file: Path, tmp_path: Path
) -> None:
    """No deployment file, only a trust list whose root is pinned to the registry: `issuer check` and
    `issuer history` read that registry; with neither, one line saying what to give (not `deploy`)."""
    home = tmp_path / "authority"
    roots = ("--trust-list", str(trust_list(home, chain.root.did, deployment_file)), "--rpc", anvil.rpc_url)
    checked = employer(home, "issuer", "check", chain.ti.did, *roots, "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["trustedRoot"] is True, checked.stdout
    history = employer(home, "issuer", "history", chain.ti.did, *roots)
    assert history.returncode == 0 and "TI accreditation" in history.stdout, history.stdout + history.stderr
    nothing = employer(tmp_path / "fresh", "issuer", "check", chain.ti.did, "--rpc", anvil.rpc_url)
    assert nothing.returncode == 2 and "with --deployment FILE" in nothing.stderr, nothing.stdout + nothing.stderr
    assert "registry deploy" not in nothing.stdout + nothing.stderr and "Traceback" not in nothing.stderr


def test_a_node_that_is_not_on_the_credential_s_registry_is_could_not_determine(
    anvil: Any, chain: Chain, files: Files, deployment_file: Path, tmp_path: Path
) -> None:
    home = tmp_path / "employer"
    roots = trust_list(home, chain.root.did, deployment_file)
    data = json.loads(files.single.read_text())
    reset = tmp_path / "reset-chain.json"  # the same addresses on a chain whose block there differs
    reset.write_text(json.dumps({**data, "registry": {**data["registry"], "deploymentBlockHash": "0x" + "ab" * 32}}))
    other_chain = tmp_path / "other-chain.json"
    other_chain.write_text(json.dumps({**data, "registry": {**data["registry"], "chainId": 8453}}))
    for path in (reset, other_chain):
        result = employer(home, "verify", str(path), "--rpc", anvil.rpc_url, "--trust-list", str(roots))
        assert result.returncode == 2, result.stdout + result.stderr
        assert "not on the credential's registry" in result.stdout
        assert "INVALID" not in result.stdout and "registry deploy" not in result.stdout + result.stderr


def test_with_a_deployment_file_a_credential_of_another_registry_is_named_as_such(
    anvil: Any, chain: Chain, files: Files, second_deployment: Path, tmp_path: Path
) -> None:
    home = tmp_path / "employer"
    home.mkdir()
    result = employer(
        home, "verify", str(files.passport), "--rpc", anvil.rpc_url, "--deployment", str(second_deployment)
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "lives in another registry" in result.stdout
    assert "INVALID" not in result.stdout and "not registered" not in result.stdout


def test_an_old_file_without_a_locator_still_verifies_with_a_deployment_file(
    anvil: Any, chain: Chain, files: Files, deployment_file: Path, settings: Settings, tmp_path: Path
) -> None:
    old = tmp_path / "old.json"
    data = json.loads(files.single.read_text())
    del data["registry"]
    old.write_text(json.dumps(data))
    result = employer(settings.home, "verify", str(old), "--rpc", anvil.rpc_url, "--deployment", str(deployment_file))
    assert result.returncode == 0, result.stdout + result.stderr
    # Without one, the verifier is told what to give, never to deploy a registry.
    bare = employer(tmp_path / "fresh", "verify", str(old), "--rpc", anvil.rpc_url)
    assert bare.returncode == 2 and "--deployment FILE" in bare.stdout, bare.stdout + bare.stderr
    assert "registry deploy" not in bare.stdout + bare.stderr


def _attacker_credential(anvil: Any, second: Path, chain: Chain, holder: Identity, tmp_path: Path) -> Path:
    """In their own deployment, someone registers the trusted root's DID string with their own key,
    onboards it, accredits themselves and issues and anchors a credential: a genuine file of that
    registry, with a genuine locator naming it."""
    settings = Settings(home=tmp_path / "attacker", rpc_urls=(anvil.rpc_url,), deployment_path=second)
    registry = Registry.connect(settings)
    fake_root = dataclasses.replace(new_legal_entity("fake-root"), did=chain.root.did)
    school = new_legal_entity("fake-school")
    for identity in (fake_root, school):
        fund(registry, identity)
        registry.register_did(identity)
    trust = Trust(registry, "http://registry.test")
    until = int(time.time()) + ONE_YEAR
    attribute = trust.onboard_root(GOVERNANCE, fake_root, [ROOT_SCOPE], until)
    trust.accredit(fake_root, attribute, school.did, IssuerType.TI, [WELDING_SCOPE], until)
    out = tmp_path / "forged.json"
    Issuer(registry, school, settings).issue_single(holder.did, welding_certificate(), out=out)
    return out


def test_a_registry_the_trust_list_does_not_pin_never_makes_a_credential_valid(
    anvil: Any,
    chain: Chain,
    files: Files,
    holder: Identity,
    deployment_file: Path,
    second_deployment: Path,
    tmp_path: Path,
) -> None:
    home = tmp_path / "employer"
    roots = trust_list(home, chain.root.did, deployment_file)
    forged = _attacker_credential(anvil, second_deployment, chain, holder, tmp_path)
    # A genuine credential of the second registry "under" the trusted root's DID string: not valid.
    result = employer(home, "verify", str(forged), "--rpc", anvil.rpc_url, "--trust-list", str(roots), "--json")
    assert verdicts(result) == ["root not trusted"], result.stdout
    # A genuine credential whose locator was edited to name the second registry: not valid there.
    data = json.loads(files.single.read_text())
    data["registry"] = json.loads(forged.read_text())["registry"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    result = employer(home, "verify", str(edited), "--rpc", anvil.rpc_url, "--trust-list", str(roots), "--json")
    assert result.returncode != 0 and verdicts(result) != ["valid"], result.stdout
    # Only a list that pins the root to that registry too accepts what that registry holds.
    both = trust_list(tmp_path / "credulous", chain.root.did, deployment_file, second_deployment)
    result = employer(home, "verify", str(forged), "--rpc", anvil.rpc_url, "--trust-list", str(both), "--json")
    assert verdicts(result) == ["valid"], result.stdout


def test_an_employer_verifies_through_the_registry_s_service_with_only_the_file(
    service: str, chain: Chain, files: Files, holder: Identity, anvil: Any, second_deployment: Path, tmp_path: Path
) -> None:
    home = tmp_path / "employer"
    home.mkdir()
    for path in (files.single, files.member, files.passport):
        result = employer(home, "verify", str(path), "--service", service, "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        assert set(verdicts(result)) == {"valid"}, result.stdout
    # The service from the employer's configuration rather than the command line.
    result = employer(home, "verify", str(files.single), "--json", REGISTRY_SERVICE=service)
    assert verdicts(result) == ["valid"], result.stdout + result.stderr
    # A file of another registry, sent to this registry's service: could not determine, never invalid.
    foreign = _attacker_credential(anvil, second_deployment, chain, holder, tmp_path)
    result = employer(home, "verify", str(foreign), "--service", service)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "lives in another registry" in result.stdout


def test_a_quorum_of_endpoints_reads_the_registry_the_file_names(
    anvil: Any, chain: Chain, files: Files, deployment_file: Path, tmp_path: Path
) -> None:
    """Several --rpc endpoints on a fresh home: each attaches to the file's registry (the second
    endpoint is a relaying proxy of the same node, which the command cannot tell from another)."""
    from tests.helpers.rpc_counter import CountingProxy

    home = tmp_path / "employer"
    roots = trust_list(home, chain.root.did, deployment_file)
    proxy = CountingProxy(anvil.rpc_url)
    try:
        args = ("--rpc", anvil.rpc_url, "--rpc", proxy.url, "--trust-list", str(roots), "--json")
        result = employer(home, "verify", str(files.passport), *args)
        assert set(verdicts(result)) == {"valid"}, result.stdout + result.stderr
        assert proxy.requests > 0
    finally:
        proxy.close()


def _attacker_attestation(anvil: Any, second: Path, employer_did: str, holder: Identity, tmp_path: Path) -> Path:
    """In their own deployment, someone registers a genuine employer's DID string with their own key
    and signs and anchors a work-experience attestation in its name: a genuine file of that registry."""
    from registry.formats.credential import Achievement, Occupation
    from registry.formats.rpl import WorkPeriod
    from registry.ops.rpl import Attester

    settings = Settings(home=tmp_path / "attacker", rpc_urls=(anvil.rpc_url,), deployment_path=second)
    registry = Registry.connect(settings)
    fake_employer = dataclasses.replace(new_legal_entity("fake-employer"), did=employer_did)
    fund(registry, fake_employer)
    registry.register_did(fake_employer)
    welder = Occupation("http://data.europa.eu/esco/occupation/07b6bdd0-9ba7-45e1-8b79-3b8b7b5a07c8", "welder")
    period = WorkPeriod(welder, int(time.time()) - 3000 * 86_400, None, ("MIG welding",), "Stahlbau GmbH")
    out = tmp_path / "attested.json"
    Attester(registry, fake_employer, settings, period).issue_single(holder.did, Achievement("work", "", ""), out=out)
    return out


def test_an_attestation_in_a_registry_the_trust_list_does_not_pin_is_never_valid(
    anvil: Any,
    chain: Chain,
    holder: Identity,
    make_issuer: Any,
    deployment_file: Path,
    second_deployment: Path,
    tmp_path: Path,
) -> None:
    """An attestation needs no accreditation, so no root: in a registry the employer's trust list does
    not pin, a stranger who registered a real employer's DID string there was believed (VALID, "a
    registered organisation", exit 0: forced once). Now its registry must be one the list pins a root
    to, as for any credential of a registry the file names; with no list, none is."""
    real_employer = make_issuer("stahlbau").did  # registered in the employer's registry by its owner
    forged = _attacker_attestation(anvil, second_deployment, real_employer, holder, tmp_path)
    home = tmp_path / "employer"
    roots = trust_list(home, chain.root.did, deployment_file)
    for extra in (["--trust-list", str(roots)], []):
        result = employer(home, "verify", str(forged), "--rpc", anvil.rpc_url, "--json", *extra)
        assert result.returncode == 1 and verdicts(result) == ["root not trusted"], (extra, result.stdout)
        (said,) = [c["message"] for c in json.loads(result.stdout)["checks"] if c["name"] == "trusted root"]
        assert "registry" in said, said
    # A list that pins a root to that registry accepts what it holds, attestations too.
    both = trust_list(tmp_path / "credulous", chain.root.did, deployment_file, second_deployment)
    result = employer(home, "verify", str(forged), "--rpc", anvil.rpc_url, "--trust-list", str(both), "--json")
    assert verdicts(result) == ["valid"], result.stdout
