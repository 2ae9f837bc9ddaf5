"""Trust lists, first-class: the documented format with names (docs/TRUST-LISTS.md), the
`registry trust-list` commands, the verifier's default trust list and which one wins, and the
authority's own list behind `registry serve --trust-list` (used by /verify and the issuer check
unless a request names its own). Real `registry` processes, a real anvil and a real uvicorn.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from registry.config import Settings
from registry.errors import ConfigError, InputError
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.trust import TrustList
from registry.service.config import ServiceConfig, from_environment
from registry.text import short_did
from tests.conftest import Chain, welding_certificate
from tests.helpers.commands import registry_in_process
from tests.helpers.service_helpers import start_service

LONG_DID = "did:key:z2dmzD81cgPx8Vki7JbuuMmFYrWPgYoytykUZ3eyqht1j9KbsEYvdrjxMjQ4tpnje9BDBTzuNDP3knn6qLZErzd4bJ5go2CChoPjd5GAH3zpFJP5fuwSk66U5Pq6EhF4nKnHzDnznEP8fX99nZGgwbAh1o7Gj1X52Tdhf7U4KTk66xsA5r"  # noqa: E501
EBSI_DID = "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1"


def registry(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "REGISTRY_TRUST_LIST"}
    # In this process, as `python -m registry` runs it (tests/helpers/commands.py): a Python start less.
    return registry_in_process(["--home", str(home), *args], {**clean, **(env or {})})


# -- the format ---------------------------------------------------------------------------------


def test_every_documented_form_reads_with_its_names(tmp_path: Path) -> None:
    documented = tmp_path / "roots.json"
    documented.write_text(json.dumps({
        "format": "registry-trust-list/1", "name": "Recognised authorities",
        "roots": [{"did": EBSI_DID, "name": "National Vocational Authority"}, {"did": LONG_DID}],
    }))  # fmt: skip
    listed = TrustList.load(documented)
    assert listed.title == "Recognised authorities"
    assert [(r.did, r.name) for r in listed.listed()] == [(EBSI_DID, "National Vocational Authority"), (LONG_DID, None)]
    assert listed.name_of(EBSI_DID) == "National Vocational Authority"
    # Sentences call a list by its name (as the service holding it does), else by its file.
    assert listed.name == 'the trust list "Recognised authorities"'
    assert dataclasses.replace(listed, title=None).name == f"the trust list {documented}"
    served = from_environment({"REGISTRY_SERVICE_TRUST_LIST": str(documented)})[1].trust_list
    assert served is not None and served.name == listed.name
    # Written back, it reads the same.
    listed.save(tmp_path / "again.json")
    assert TrustList.load(tmp_path / "again.json") == TrustList(
        listed.roots, str(tmp_path / "again.json"), True, listed.entries, listed.title
    )
    # The shapes written by hand before the format had a name still read.
    for text in (json.dumps({"roots": [EBSI_DID]}), json.dumps([{"did": EBSI_DID}]), f"# ours\n{EBSI_DID}  # note\n"):
        (tmp_path / "hand").write_text(text)
        assert TrustList.load(tmp_path / "hand").roots == {EBSI_DID}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ({"format": "another/9", "roots": [EBSI_DID]}, "this version reads registry-trust-list/1"),
        # The root's deployment file given for the list (it was "this version reads ...", as if a version mismatch).
        ({"format": "skills-registry-deployment/1"}, "roots.json is not a trust list but a registry's deployment file"),
        ({"roots": [EBSI_DID, {"did": EBSI_DID}]}, "names did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1 twice"),
        ({"roots": [{"did": EBSI_DID, "name": "x" * 201}]}, "the name of root 1 must be text of 1 to 200"),
        ({"roots": [{"name": "nobody"}]}, "every root needs a DID (root 1 has none)"),
        ({"name": 7, "roots": [EBSI_DID]}, "its name must be text"),
        ({"roots": []}, "names no root: it would refuse every issuer"),
        ({"roots": ["not json"]}, "roots.json root 1: not a DID: 'not json'"),
    ],
)
def test_a_malformed_list_is_one_line_naming_the_problem(tmp_path: Path, content: object, words: str) -> None:
    path = tmp_path / "roots.json"
    path.write_text(json.dumps(content))
    with pytest.raises(InputError, match=None) as raised:
        TrustList.load(path)
    assert words in str(raised.value) and "\n" not in str(raised.value)


# -- the commands -------------------------------------------------------------------------------


def deployment_file(where: Path) -> Path:
    """A registry's deployment file as its operator publishes it (made up: no chain is read here)."""
    path = where / "their-deployment.json"
    contracts = ("CredentialRegistry", "DIDRegistry", "RecognitionRegistry", "TrustedIssuersRegistry")
    path.write_text(json.dumps({
        "format": "skills-registry-deployment/1", "chain_id": 4242, "deployment_block": 7,
        "deployment_block_hash": "0x" + "1a" * 32, "deployer": "0x" + "11" * 20,
        "deployed_at": "2026-01-01T00:00:00+00:00",
        "contracts": {name: {"address": "0x" + f"{n + 2:02x}" * 20, "code_keccak": "0x" + f"{n + 2:02x}" * 32,
                             "artifact_sha256": "00" * 32} for n, name in enumerate(contracts)},
    }))  # fmt: skip
    return path


def adding_again_pins_it(home: Path, tmp_path: Path) -> None:
    """A root already listed: refused with another name or without a registry; added again with
    --registry (as the warning about an unpinned root says), it is accepted in that registry too."""
    twice = registry(home, "trust-list", "add", EBSI_DID, "--name", "Other")
    assert twice.returncode == 1 and "already in" in twice.stderr and "National Vocational Authority" in twice.stderr
    assert "add it again with --registry DEPLOYMENT.json; to change its name, `registry trust-list remove`" in (
        twice.stderr
    )
    # As the warning says: added again with --registry, the root listed is accepted in that registry too.
    pinned = registry(home, "trust-list", "add", EBSI_DID, "--registry", str(deployment_file(tmp_path)))
    assert pinned.returncode == 0, pinned.stderr
    assert "National Vocational Authority (did:ebsi:" in pinned.stdout and "now accepted also in chain 4242's" in (
        pinned.stdout
    )
    again = registry(home, "trust-list", "add", EBSI_DID, "--registry", str(deployment_file(tmp_path)))
    assert again.returncode == 1 and "it is already pinned to that registry" in again.stderr


def test_trust_list_commands_make_and_show_a_named_list(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = registry(home, "trust-list", "create", "--name", "Recognised authorities")
    assert made.returncode == 0 and "--name NAME --registry DEPLOYMENT.json`" in made.stdout, made.stderr  # the pin
    assert (home / "trust-list.json").is_file()  # without --file: the verifier's default trust list
    again = registry(home, "trust-list", "create")
    assert again.returncode == 1 and "already exists" in again.stderr
    for did, name in ((EBSI_DID, "National Vocational Authority"), (LONG_DID, "Chamber of Crafts")):
        added = registry(home, "trust-list", "add", did, "--name", name)
        assert added.returncode == 0, added.stderr
        # This home has no deployment: a root without --registry would count nowhere, and it is said.
        assert "accepted only in a deployment of your own" in added.stderr and "--registry" in added.stderr
    adding_again_pins_it(home, tmp_path)

    shown = registry(home, "trust-list", "show")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "(Recognised authorities): 2 roots" in lines[0]
    assert "National Vocational Authority" in lines[1] and EBSI_DID in lines[1]  # short enough to show whole
    assert "accepted in chain 4242's registry deployed in block 7 (0x1a1a1a1a…)" in lines[2]  # where it counts
    assert "Chamber of Crafts" in lines[3] and LONG_DID not in shown.stdout and "…" in lines[3]  # shortened
    assert LONG_DID[:20] in lines[3] and LONG_DID[-10:] in lines[3]
    assert "accepted only in your own deployment" in lines[4]
    whole = json.loads(registry(home, "trust-list", "show", "--json").stdout)
    assert whole["name"] == "Recognised authorities" and whole["format"] == "registry-trust-list/1"
    ((pin,),) = (r.pop("registries") for r in whole["roots"] if "registries" in r)
    assert (pin["chainId"], pin["deploymentBlock"]) == (4242, 7)
    assert whole["roots"] == [
        {"did": EBSI_DID, "name": "National Vocational Authority"}, {"did": LONG_DID, "name": "Chamber of Crafts"}
    ]  # fmt: skip

    # By the name `show` gives it (any case), not only its DID: it was "identity name ... must be 1-64 letters".
    removed = registry(home, "trust-list", "remove", "chamber of crafts")
    assert removed.returncode == 0, removed.stderr
    assert "removed Chamber of Crafts (did:key:" in removed.stdout
    assert [r["did"] for r in json.loads(registry(home, "trust-list", "show", "--json").stdout)["roots"]] == [EBSI_DID]

    # --file names another list; REGISTRY_TRUST_LIST moves the default.
    other = tmp_path / "other.json"
    assert registry(home, "trust-list", "add", EBSI_DID, "--file", str(other)).returncode == 0
    moved = registry(home, "trust-list", "show", "--json", env={"REGISTRY_TRUST_LIST": str(other)})
    assert json.loads(moved.stdout)["file"] == str(other)
    # A list written by hand as plain text is not rewritten (its comments would be lost).
    text = tmp_path / "roots.txt"
    text.write_text(f"{EBSI_DID}  # ours\n")
    refused = registry(home, "trust-list", "add", LONG_DID, "--file", str(text))
    assert refused.returncode == 1 and "plain text" in refused.stderr and text.read_text() == f"{EBSI_DID}  # ours\n"
    missing = registry(tmp_path / "fresh", "trust-list", "show")
    assert missing.returncode == 1 and "no default trust list" in missing.stderr


# -- the default trust list and which wins -------------------------------------------------------


def check(
    settings: Settings, did: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return registry(settings.home, "issuer", "check", did, *args, "--rpc", settings.rpc_url,
                    "--deployment", str(settings.deployment_file), env=env)  # fmt: skip


def test_the_default_trust_list_applies_and_the_command_line_wins(
    settings: Settings, chain: Chain, tmp_path: Path
) -> None:
    """No --trust-list: REGISTRY_TRUST_LIST, else <home>/trust-list.json; --trust-list wins over both."""
    home_list = settings.home / "trust-list.json"
    home_list.unlink()  # the fixture's list: this test makes its own
    assert (
        registry(settings.home, "trust-list", "add", chain.root.did, "--name", "Vocational Authority").returncode == 0
    )
    by_home = check(settings, chain.ti.did)
    assert by_home.returncode == 0, by_home.stdout + by_home.stderr
    assert (
        f"Root TAO {chain.root.did} (Vocational Authority), which the trust list {home_list} trusts" in by_home.stdout
    )

    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"roots": [EBSI_DID]}))
    by_env = check(settings, chain.ti.did, env={"REGISTRY_TRUST_LIST": str(elsewhere)})
    assert by_env.returncode == 1, by_env.stdout
    assert f"not in the trust list {elsewhere}" in by_env.stdout

    by_option = check(
        settings, chain.ti.did, "--trust-list", str(home_list), env={"REGISTRY_TRUST_LIST": str(elsewhere)}
    )
    assert by_option.returncode == 0, by_option.stdout

    gone = check(settings, chain.ti.did, env={"REGISTRY_TRUST_LIST": str(tmp_path / "gone.json")})
    assert gone.returncode == 64 and "gone.json" in gone.stderr and "Traceback" not in gone.stderr


# -- the authority's service --------------------------------------------------------------------


def test_serve_reads_its_trust_lists_from_the_command_line(tmp_path: Path) -> None:
    """`registry serve --trust-list A --trust-list B` reaches each worker as REGISTRY_SERVICE_TRUST_LIST."""
    first, second = tmp_path / "a.json", tmp_path / "b.txt"
    first.write_text(
        json.dumps({"name": "Ours", "roots": [{"did": EBSI_DID, "name": "National Vocational Authority"}]})
    )
    second.write_text(LONG_DID + "\n")
    _, config = from_environment({"REGISTRY_SERVICE_TRUST_LIST": os.pathsep.join([str(first), str(second)])})
    assert config.trust_list is not None and config.trust_list.roots == {EBSI_DID, LONG_DID}
    assert config.trust_list.name_of(EBSI_DID) == "National Vocational Authority"
    assert from_environment({})[1].trust_list is None
    with pytest.raises(ConfigError, match=r"--trust-list: .*gone\.json"):
        from_environment({"REGISTRY_SERVICE_TRUST_LIST": str(tmp_path / "gone.json")})


def test_the_service_uses_its_trust_list_unless_a_request_names_its_own(
    settings: Settings, chain: Chain, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    ours = tmp_path / "ours.json"
    ours.write_text(
        json.dumps(
            {"name": "Destination authority", "roots": [{"did": chain.root.did, "name": "Vocational Authority"}]}
        )
    )
    theirs = tmp_path / "theirs.json"
    theirs.write_text(json.dumps({"roots": [EBSI_DID]}))
    credential = issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps()
    for path, listed in ((ours, True), (theirs, False)):
        config = from_environment({"REGISTRY_SERVICE_TRUST_LIST": str(path)})[1]
        running = start_service(settings, ServiceConfig(rate_per_s=0, head_max_age_s=0, trust_list=config.trust_list))
        try:
            with httpx.Client(base_url=running.url, timeout=30) as http:
                report = http.post("/verify", json={"credential": credential}).json()
                accreditation = next(c for c in report["checks"] if c["name"] == "accreditation")
                checked = http.get(f"/api/issuers/{chain.ti.did}/check").json()
                if listed:
                    assert report["verdict"] == "valid", report["summary"]
                    assert 'which the trust list "Destination authority" trusts' in accreditation["message"]
                    assert "(Vocational Authority)" in accreditation["message"]
                    assert checked["ok"] is True and checked["trustedRoot"] is True
                    assert http.get("/api/trust-list").json() == {
                        "configured": True, "name": "Destination authority",
                        "roots": [{"did": chain.root.did, "name": "Vocational Authority"}],
                    }  # fmt: skip
                else:
                    # Genuine, under a root this authority has not listed: its own verdict, not "invalid".
                    assert report["verdict"] == "root not trusted", report["summary"]
                    assert accreditation["outcome"] == "pass"
                    root = next(c for c in report["checks"] if c["name"] == "trusted root")
                    assert root["outcome"] == "fail" and "not in the service's trust list" in root["message"]
                    assert report["summary"].startswith("ROOT NOT TRUSTED: genuine and anchored")
                    assert checked["ok"] is False and checked["trustedRoot"] is False
                    # A request that names its own roots is answered by them.
                    own = http.post("/verify", json={"credential": credential, "trustList": [chain.root.did]}).json()
                    assert own["verdict"] == "valid", own["summary"]
                    params = {"roots": chain.root.did}
                    assert http.get(f"/api/issuers/{chain.ti.did}/check", params=params).json()["ok"] is True
        finally:
            running.stop()


# -- without any trust list ----------------------------------------------------------------------


def test_without_any_trust_list_a_genuine_credential_is_root_not_trusted(
    settings: Settings, chain: Chain, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """The CLI on a home without a trust list, and the service as `registry serve` runs it without
    --trust-list: "root not trusted" (exit 1), never VALID nor INVALID; the root is named. The
    service's issuer check: "could not determine", never trusted (it was), as `issuer check`."""
    settings.trust_list_file.unlink()  # the fixture's default list: this verifier has none
    path = tmp_path / "credential.json"
    path.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    args = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    text = registry(settings.home, "verify", str(path), *args)
    assert text.returncode == 1, text.stdout + text.stderr
    assert text.stdout.splitlines()[0].endswith(
        f"ROOT NOT TRUSTED: genuine and anchored; the issuer is accredited under Root TAO {short_did(chain.root.did)}, "
        "which you have not said you trust (no trust list: give --trust-list FILE, or make a default one with "
        f"`registry trust-list add {chain.root.did} --name NAME --registry DEPLOYMENT.json`, with its registry's "
        "deployment file as the root publishes it)"
    ), text.stdout
    assert "VALID" not in text.stdout.replace("NOT TRUSTED", "") and "INVALID" not in text.stdout
    report = json.loads(registry(settings.home, "verify", "--json", str(path), *args).stdout)
    assert report["verdict"] == "root not trusted"
    outcomes = {c["name"]: c["outcome"] for c in report["checks"]}
    assert outcomes["trusted root"] == "fail" and outcomes["accreditation"] == "pass"
    assert {o for name, o in outcomes.items() if name not in ("trusted root", "quorum")} == {"pass"}
    # Said once, with a list that names the root: valid.
    named = tmp_path / "ours.json"
    named.write_text(json.dumps({"roots": [chain.root.did]}))
    assert registry(settings.home, "verify", "--trust-list", str(named), str(path), *args).returncode == 0

    _, config = from_environment({})  # as `registry serve` builds it, without --trust-list
    running = start_service(settings, dataclasses.replace(config, rate_per_s=0, head_max_age_s=0))
    try:
        with httpx.Client(base_url=running.url, timeout=30) as http:
            served = http.post("/verify", json={"credential": path.read_text()}).json()
            assert served["verdict"] == "root not trusted", served["summary"]
            # The API's own hint: send trustList, or the operator configures one; not the CLI's command.
            assert '"trustList": ["' + chain.root.did + '"]' in served["summary"], served["summary"]
            assert "`registry serve --trust-list FILE`" in served["summary"]
            assert "trust-list add" not in json.dumps(served), served["summary"]
            assert http.get("/api/trust-list").json() == {"configured": False, "name": None, "roots": []}
            own = http.post("/verify", json={"credential": path.read_text(), "trustList": [chain.root.did]}).json()
            assert own["verdict"] == "valid", own["summary"]
            # The issuer check: neither trusted nor refused (it said "trusted" here), the chain and root named.
            check = http.get(f"/api/issuers/{chain.ti.did}/check").json()
            assert (check["verdict"], check["ok"], check["trustedRoot"]) == ("could not determine", False, None)
            assert check["summary"].startswith("could not determine: there is no trust list, so Root TAO "), check
            assert f"?roots={chain.root.did}" in check["summary"] and len(check["path"]) == 3, check
            listed = http.get(f"/api/issuers/{chain.ti.did}/check", params={"roots": chain.root.did}).json()
            assert listed["verdict"] == "trusted", listed["summary"]
    finally:
        running.stop()


def test_a_mistyped_root_is_refused_when_added_not_found_later(tmp_path: Path) -> None:
    """A did:ebsi one character short, a did:key that is no key, or a word that is neither a DID nor
    a local identity, is one line when it is added, a usage error (exit 64: bad input, as
    registry/cli/exits.py says), and the list is not written: found later it would only show as
    "root not trusted" on genuine credentials."""
    home, roots = tmp_path / "home", tmp_path / "roots.json"
    short = EBSI_DID[:-1]
    for value, words in ((short, "not a did:ebsi legal-entity identifier"), ("notadid", "is not a DID"),
                         ("did:key:z6Mkzz", "is not a did:key that decodes to a public key")):  # fmt: skip
        result = registry(home, "trust-list", "add", value, "--name", "X", "--file", str(roots))
        assert result.returncode == 64, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.stderr, result.stderr
        assert "give the root's DID as its authority published it" in lines[0]
        assert not roots.exists()
    # The deployment file given where the root's DID goes: said to go with --registry.
    result = registry(home, "trust-list", "add", str(deployment_file(tmp_path)), "--file", str(roots))
    assert result.returncode == 64 and "(that is a file: a deployment file goes with --registry)" in result.stderr
    # A deployment file mistyped: named as --registry's, not as the --deployment this command has not.
    result = registry(home, "trust-list", "add", EBSI_DID, "--name", "X", "--file", str(roots), "--registry", "d.jsn")
    assert result.returncode == 64 and result.stderr == (
        "error: --registry: no such file: d.jsn: give the deployment file of the registry this root is in, as the "
        "root publishes it\n"
    )
    assert not roots.exists()
    # A deployment file whose chain id no locator can carry (-1): refused, not pinned. It was written
    # into the list, which every later command then refused (exit 64) until it was edited by hand.
    negative = deployment_file(tmp_path)
    negative.write_text(negative.read_text().replace('"chain_id": 4242', '"chain_id": -1'))
    result = registry(home, "trust-list", "add", EBSI_DID, "--name", "X", "--file", str(roots), "--registry",
                      str(negative))  # fmt: skip
    assert result.returncode == 64 and "chain_id must be a whole number from 1" in result.stderr, result.stderr
    assert not roots.exists()
    assert registry(home, "trust-list", "add", EBSI_DID, "--name", "X", "--file", str(roots)).returncode == 0
    assert TrustList.load(roots).roots == {EBSI_DID}
    # Removing a root the list does not name, by a name or a malformed DID: a usage error too.
    removed = registry(home, "trust-list", "remove", "nobody", "--file", str(roots))
    assert removed.returncode == 64 and "is neither a DID nor the name of one root" in removed.stderr
