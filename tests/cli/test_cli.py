"""The `registry` command as a user runs it: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry.chain.deployment import Deployment
from registry.chain.node import free_port
from registry.config import Settings
from registry.errors import InputError
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from tests.conftest import PASSPHRASE, next_second, welding_certificate
from tests.helpers.commands import registry_in_process


def command_line(settings: Settings, args: tuple[str, ...], rpc: str | None, deployment: Path | None) -> list[str]:
    argv = ["--home", str(settings.home), *args]
    if (args and args[0] in {"verify", "issue", "revoke", "suspend", "reinstate", "deploy"}) or args[:2] == (
        "did",
        "register",
    ):
        # Through a service, no node of our own: `verify` refuses --rpc with --service.
        node = [] if "--service" in args else ["--rpc", rpc or settings.rpc_url]
        argv += [*node, "--deployment", str(deployment or settings.deployment_file)]
    return argv


def run(
    settings: Settings,
    *args: str,
    rpc: str | None = None,
    deployment: Path | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`registry ARGS` in this process (tests/helpers/commands.py), the passphrase in its environment."""
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    return registry_in_process(command_line(settings, args, rpc, deployment), env, stdin)


def run_process(
    settings: Settings,
    *args: str,
    rpc: str | None = None,
    deployment: Path | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`run` as a real `python -m registry` process: for what is about the process (its exit status as
    the shell sees it, a closed pipe, a signal, the interpreter's own start)."""
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    argv = [sys.executable, "-m", "registry", *command_line(settings, args, rpc, deployment)]
    return subprocess.run(argv, capture_output=True, text=True, env=env, input=stdin, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def issued_file(issuer: Issuer, holder: Identity, tmp_path: Path) -> Path:
    path = tmp_path / "worker-welding.json"
    path.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    return path


def test_verify_exit_codes_follow_the_verdict(
    settings: Settings, issued_file: Path, issuer: Issuer, holder: Identity
) -> None:
    valid = run_process(settings, "verify", str(issued_file))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "VALID" in valid.stdout
    # Asked about a day before it existed: not yet issued (exit 1), and nothing says INVALID.
    early = run_process(settings, "verify", str(issued_file), "--at", "1 janvier 2001")
    assert early.returncode == 1 and "NOT YET ISSUED: not valid on 2001-01-01T23:59:59Z" in early.stdout, early.stdout
    assert "INVALID" not in early.stdout

    revoke = run_process(settings, "revoke", str(issued_file), "--issuer", issuer.identity.name, "--reason", "1")
    assert revoke.returncode == 0, revoke.stderr
    assert "revoked 1 credential" in revoke.stdout
    # Whose: the holder's did:key (186 characters) shortened in text output.
    from registry.text import short_did

    assert short_did(holder.did) in revoke.stdout and holder.did not in revoke.stdout, revoke.stdout

    revoked = run_process(settings, "verify", "--json", str(issued_file))
    assert revoked.returncode == 1
    report = json.loads(revoked.stdout)
    assert report["verdict"] == "revoked"
    status = next(c for c in report["checks"] if c["name"] == "revocation status")
    assert status["evidence"]["reasonCode"] == 1


def test_commands_run_one_after_another_in_one_process_each_start_afresh(
    settings: Settings, issued_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """registry.cli.main run twice in one process (a library, these tests): what the first command set for
    the rest of its run ends with it. `verify`'s read deadline outlived it and failed the second's reads
    ("no answer within the 1 s read deadline", COULD NOT DETERMINE, exit 2: seen before exits.run ran each
    command in a context of its own); its language (REGISTRY_LANG=fr) is not the next one's either."""
    from registry import i18n

    monkeypatch.setenv("REGISTRY_READ_DEADLINE", "1")
    monkeypatch.setenv("REGISTRY_LANG", "fr")
    assert "VALIDE" in run(settings, "verify", str(issued_file)).stdout
    assert i18n.current() == i18n.DEFAULT
    monkeypatch.delenv("REGISTRY_LANG")
    next_second(2)  # past the first command's read deadline
    again = run(settings, "verify", str(issued_file))
    assert again.returncode == 0 and "VALID" in again.stdout, again.stdout


def test_a_verification_loads_only_what_it_needs(settings: Settings, issued_file: Path, tmp_path: Path) -> None:
    """`registry verify` through a node, VALID, imports none of NOT_FOR_VERIFY (issue 12's cold
    start; structural, not timed): the process writes the names of every module it loaded as it
    exits. (Not `-X importtime`: it does not see what a package's `__getattr__` imports.)"""
    from tests.cli.test_cli_layout import NOT_FOR_VERIFY

    listing = tmp_path / "modules.txt"
    run_and_list = (
        "import runpy, sys\n"
        "listing = sys.argv.pop(1)\n"
        "try:\n"
        "    runpy.run_module('registry', run_name='__main__', alter_sys=True)\n"
        "finally:\n"
        "    open(listing, 'w').write('\\n'.join(sys.modules))\n"
    )
    argv = [sys.executable, "-c", run_and_list, str(listing), "--home", str(settings.home), "verify",
            str(issued_file), "--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout
    loaded = set(listing.read_text().split())
    assert {"registry.ops.verify.verifier", "registry.ops.trust.tir"} <= loaded
    assert not {m for m in loaded for n in NOT_FOR_VERIFY if m == n or m.startswith(n + ".")}


def test_verify_reads_stdin(settings: Settings, issued_file: Path) -> None:
    result = run_process(settings, "verify", "-", stdin=issued_file.read_text())  # the process's own stdin
    assert result.returncode == 0, result.stdout


def test_unreachable_rpc_is_could_not_determine(settings: Settings, issued_file: Path) -> None:
    result = run(settings, "verify", str(issued_file), rpc=f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 2
    assert "COULD NOT DETERMINE" in result.stdout
    assert "cannot reach the chain" in result.stdout
    assert "Traceback" not in result.stderr
    # What it certifies is the file's word, not confirmed: said over it, as the page says it.
    lines = result.stdout.splitlines()
    assert lines[1] == "  What the file says, not confirmed yet: the checks below could not all be made.", lines


def test_a_file_that_is_not_a_credential_is_a_one_line_error(settings: Settings, tmp_path: Path) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text('{"shopping": ["bread"]}')
    result = run(settings, "verify", str(notes))
    assert result.returncode == 1
    assert "not a credential file" in result.stdout
    binary = tmp_path / "data.jwt"  # not a picture (a JPEG's is refused as such, exit 64: test_inputs.py)
    binary.write_bytes(b"\x80\x81\x82 not text")
    result = run(settings, "verify", str(binary))
    assert result.returncode == 1
    assert "not UTF-8" in result.stdout


def test_missing_file_is_a_one_line_error(settings: Settings, tmp_path: Path) -> None:
    # A wrong command line is never a verdict: not 1 (not valid), not 2 (could not determine).
    result = run(settings, "verify", str(tmp_path / "nope.json"))
    assert result.returncode == 64
    assert_one_line_error(result, "no such file")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["verify", "--bogus", "x.json"], "No such option: --bogus"),
        # An option of `registry` itself given after the command: where it goes, not only "no such option".
        # (Said in the language it names since 56577fa: `--lang fr` here is refused in French, as
        # tests/cli/test_languages.py checks; English is asked for here.)
        (
            ["wallet", "list", "--lang", "en"],
            "registry` itself: give it before the command (`python -m registry --lang … wallet list …`)",
        ),
        (["verify", "--at", "last tuesday", "x.json"], "not a date/time"),
        (["verify", "--trust-list", "/nonexistent/roots.json", "x.json"], "roots.json"),
        (["issuer", "check", "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1", "--at", "soon"], "not a date/time"),
        # A did:ebsi with a character missing: said so, never "NOT TRUSTED: holds no accreditation" (was 1).
        (["issuer", "check", "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf"], "a character missing or mistyped?"),
        # A verifier has no identities of the issuer's: a name is a usage error (was 1, "make the identity").
        (["issuer", "check", "northside-centre"], "'northside-centre' is neither a DID nor an identity of this home"),
    ],
)
def test_a_wrong_command_line_exits_64_with_one_line(
    settings: Settings, issued_file: Path, args: list[str], named: str
) -> None:
    args = [str(issued_file) if a == "x.json" else a for a in args]
    result = run(settings, *args)
    assert result.returncode == 64, result.stdout + result.stderr
    assert_one_line_error(result, named)


def test_output_that_cannot_be_written_is_an_error_not_a_verdict(settings: Settings, issued_file: Path) -> None:
    argv = [sys.executable, "-m", "registry", "--home", str(settings.home), "verify", str(issued_file),
            "--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]  # fmt: skip
    with open("/dev/full", "w") as full:
        result = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == 74
    assert result.stderr.strip() == "error: cannot write the output: No space left on device"
    # A reader that stops early (`| head -c 0`): a quiet exit, as for SIGPIPE, never a traceback and
    # never 1 ("not valid"), for text and for JSON output.
    for extra in ([], ["--json"]):
        reader = subprocess.Popen(["head", "-c", "0"], stdin=subprocess.PIPE)
        assert reader.stdin is not None
        reader.wait()  # gone before we write: the write must meet a closed pipe
        result = subprocess.run(argv + extra, stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=60)
        reader.stdin.close()
        assert result.returncode == 141 and result.stderr == "", (extra, result.returncode, result.stderr)


def test_deployment_for_another_chain_id_is_refused(settings: Settings, issued_file: Path, tmp_path: Path) -> None:
    data = Deployment.load(settings.deployment_file).to_json()
    data["chain_id"] = 11155111
    other = tmp_path / "sepolia.json"
    other.write_text(json.dumps(data))
    result = run(settings, "verify", str(issued_file), deployment=other)
    assert result.returncode == 2
    assert "chain id 11155111" in result.stdout


def test_address_without_contract_code_is_refused(settings: Settings, issued_file: Path, tmp_path: Path) -> None:
    data = Deployment.load(settings.deployment_file).to_json()
    data["contracts"]["CredentialRegistry"]["address"] = "0x000000000000000000000000000000000000dEaD"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = run(settings, "verify", str(issued_file), deployment=broken)
    assert result.returncode == 2
    assert "no contract code at 0x000000000000000000000000000000000000dEaD" in result.stdout


def test_contract_that_is_not_ours_is_refused(settings: Settings, issued_file: Path, tmp_path: Path) -> None:
    data = Deployment.load(settings.deployment_file).to_json()
    contracts = data["contracts"]
    contracts["CredentialRegistry"]["address"] = contracts["DIDRegistry"]["address"]
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps(data))
    result = run(settings, "verify", str(issued_file), deployment=swapped)
    assert result.returncode == 2
    assert "is not the CredentialRegistry" in result.stdout


def test_malformed_deployment_file_is_a_one_line_error(settings: Settings, tmp_path: Path) -> None:
    junk = tmp_path / "deployment.json"
    junk.write_text("{not json")
    result = run(settings, "revoke", "x.json", "--issuer", "nobody", deployment=junk)
    assert result.returncode != 0
    assert_one_line_error(result)


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b"[1, 2]", "a JSON object was expected"),
        (b'{"format": "skills-registry-deployment/1", "contracts": "x"}', "is malformed"),
        (b"{not json", "is not valid JSON"),
    ],
)
def test_a_broken_deployment_file_means_could_not_determine(
    settings: Settings, issued_file: Path, tmp_path: Path, content: bytes, named: str
) -> None:
    # The verifier cannot know which contracts to ask: that is "could not determine" (2), never
    # "not valid" (1), and the reason is said without Python's own words.
    broken = tmp_path / "deployment.json"
    broken.write_bytes(content)
    result = run(settings, "verify", str(issued_file), deployment=broken)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "COULD NOT DETERMINE" in result.stdout and named in result.stdout
    assert "Traceback" not in result.stderr and "Error " not in result.stdout


def test_issue_cli_writes_a_verifiable_file(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    out = tmp_path / "cert.json"
    result = run(
        settings,
        "issue",
        "--issuer",
        issuer.identity.name,
        "--holder",
        holder.did,
        "--name",
        "Bricklaying",
        "--skill",
        "http://data.europa.eu/esco/skill/0b8c8f3c-8f10-4d93-8a2a-4c2f5a4f7a8e=lay bricks",
        "--eqf",
        "3",
        "--holder-name",
        "Kwame Mensah",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    # The issuer and the holder by name, the holder's did:key shortened (text output only).
    from registry.text import short_did

    said = f"issued 'Bricklaying' by {issuer.identity.name} to Kwame Mensah ({short_did(holder.did)})"
    assert result.stdout.startswith(said) and holder.did not in result.stdout, result.stdout
    assert run(settings, "verify", str(out)).returncode == 0
    again = run(
        settings,
        "issue",
        "--issuer",
        issuer.identity.name,
        "--holder",
        holder.did,
        "--name",
        "X",
        "--out",
        str(out),
    )
    assert again.returncode == 1
    assert_one_line_error(again, "already exists")


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--holder", "did:key:zGARBAGE"], "is not a valid did:key"),
        (["--holder", "did:ebsi:zSomeOrganisation11111"], "must be a person's did:key"),
        (["--valid-until", "2020-01-01"], "would be born expired"),
        (["--credential-type", "NursingLicence"], "may not issue this credential now"),
        (["--out", "/nonexistent-dir/cert.json"], "does not exist"),
        (["--skill", "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314="], "with a label"),
    ],
)
def test_a_credential_that_could_never_verify_is_refused_before_anything_is_signed(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path, extra: list[str], named: str
) -> None:
    out = tmp_path / "cert.json"
    args = {"--issuer": issuer.identity.name, "--holder": holder.did, "--name": "Welding", "--out": str(out)}
    for option, value in zip(extra[::2], extra[1::2], strict=True):
        args[option] = value
    result = run(settings, "issue", *[part for pair in args.items() for part in pair])
    assert result.returncode == 1, result.stdout + result.stderr
    assert_one_line_error(result, named)
    assert not out.exists() and not Path("/nonexistent-dir").exists()


def test_an_unregistered_issuer_is_told_to_register_first(  # type: ignore[no-untyped-def]
    settings: Settings, holder: Identity, tmp_path: Path, make_issuer
) -> None:
    newcomer = make_issuer("newcomer-school", register=False)
    out = tmp_path / "cert.json"
    result = run(settings, "issue", "--issuer", newcomer.name, "--holder", holder.did, "--name", "W", "--out", str(out))
    assert result.returncode == 1
    assert_one_line_error(result, "is not registered", "registry did register newcomer-school")
    assert not out.exists()


def test_wrong_passphrase_is_a_one_line_error(settings: Settings, issued_file: Path, issuer: Issuer) -> None:
    env = {**os.environ, "REGISTRY_PASSPHRASE": "wrong"}
    argv = [
        sys.executable,
        "-m",
        "registry",
        "--home",
        str(settings.home),
        "revoke",
        str(issued_file),
        "--issuer",
        issuer.identity.name,
        "--rpc",
        settings.rpc_url,
        "--deployment",
        str(settings.deployment_file),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert_one_line_error(result, "wrong passphrase")
    assert "wrong" not in result.stderr.replace("wrong passphrase", "")


def test_cohort_from_a_csv_roster_then_bulk_revocation_from_a_csv(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    roster = tmp_path / "cohort.csv"
    skill = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314=apply arc welding techniques"
    rows = ["holder,name,skills,eqf"] + [f"{holder.did},Welding level {n},{skill},4" for n in range(1, 6)]
    roster.write_text("\n".join(rows) + "\n")
    out_dir = tmp_path / "cohort"
    issued = run(
        settings, "issue", "--issuer", issuer.identity.name, "--roster", str(roster), "--out-dir", str(out_dir)
    )
    assert issued.returncode == 0, issued.stderr
    assert "issued 5 credentials" in issued.stdout and "per credential" in issued.stdout
    assert issued.stderr == ""  # no terminal: no bar, and no empty line where one would have been (a log file)
    files = sorted(out_dir.iterdir())
    assert len(files) == 5
    checked = run(settings, "verify", str(out_dir))
    assert checked.returncode == 0, checked.stdout
    assert "5 credentials checked" in checked.stdout
    # A passport file holds several credentials: the summary counts credentials, and says in how many files.
    from registry.formats.holderfile import load_holder_file
    from registry.ops.passport import create_passport

    passport = tmp_path / "passport.json"
    held = [load_holder_file(f.read_bytes(), f.name) for f in files[:3]]
    passport.write_text(json.dumps(create_passport(holder, held)))
    mixed = run(settings, "verify", str(passport), str(files[3]))
    assert mixed.returncode == 0, mixed.stdout
    assert "VALID: all 3 credentials valid" in mixed.stdout and "4 credentials in 2 files checked" in mixed.stdout

    revocations = tmp_path / "revoke.csv"
    revocations.write_text(
        f"file,reason\ncohort/{files[0].name},2\ncohort/{files[1].name},2\ncohort/{files[2].name},1\n"
    )
    revoked = run(settings, "revoke", str(revocations), "--issuer", issuer.identity.name)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked 1 credential in block" in revoked.stdout and "revoked 2 credentials in block" in revoked.stdout
    after = run(settings, "verify", "--json", str(out_dir))
    assert after.returncode == 1
    verdicts = [r["verdict"] for r in json.loads(after.stdout)]
    assert verdicts == ["revoked", "revoked", "revoked", "valid", "valid"]
    first = json.loads(after.stdout)[0]["checks"]

    # Again, with another reason: nothing is sent, and the first revocation's reason and time stand.
    again = tmp_path / "again.csv"
    again.write_text(f"file,reason\ncohort/{files[0].name},4\n")
    repeated = run(settings, "revoke", str(again), "--issuer", issuer.identity.name)
    assert repeated.returncode == 0, repeated.stderr
    assert "is already revoked" in repeated.stdout and "nothing to change" in repeated.stdout
    assert json.loads(run(settings, "verify", "--json", str(files[0])).stdout)["checks"] == first


def test_a_status_batch_is_checked_whole_before_anything_is_sent(  # type: ignore[no-untyped-def]
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path, make_issuer, registry: Registry
) -> None:
    # Two reason groups; the second names another issuer's credential. Nothing may be revoked.
    mine = tmp_path / "mine.json"
    mine.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    theirs = tmp_path / "theirs.json"
    other = Issuer(registry, make_issuer("other-school"), settings)
    theirs.write_text(other.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    batch = tmp_path / "batch.csv"
    batch.write_text("file,reason\nmine.json,1\ntheirs.json,2\n")
    result = run(settings, "revoke", str(batch), "--issuer", issuer.identity.name)
    assert result.returncode == 1
    assert_one_line_error(result, "theirs.json", "belongs to another issuer")
    # Named as elsewhere: by name (its legal one, else its name in this home) beside the DID shortened.
    from registry.text import short_did

    ours = f"{issuer.identity.name} ({short_did(issuer.identity.did)})"
    assert f"another issuer, other-school ({short_did(other.identity.did)}), not {ours}: give --issuer" in result.stderr
    assert run(settings, "verify", str(mine)).returncode == 0  # still valid: nothing was sent


def test_suspension_rules_revocation_is_final_and_no_op_changes_are_not_sent(
    settings: Settings, issued_file: Path, issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = issuer.identity.name
    never = run(settings, "reinstate", str(issued_file), "--issuer", name)
    assert never.returncode == 0 and "is not suspended" in never.stdout and "nothing to change" in never.stdout
    assert run(settings, "suspend", str(issued_file), "--issuer", name, "--reason", "6").returncode == 0
    twice = run(settings, "suspend", str(issued_file), "--issuer", name, "--reason", "3")
    assert "is already suspended" in twice.stdout
    verdict = json.loads(run(settings, "verify", "--json", str(issued_file)).stdout)
    assert verdict["verdict"] == "suspended" and "under investigation" in verdict["summary"]
    monkeypatch.setenv("REGISTRY_LANG", "fr")  # a centre's clerk who reads French: what was done, in French
    revoked = run(settings, "revoke", str(issued_file), "--issuer", name, "--reason", "2")
    monkeypatch.delenv("REGISTRY_LANG")
    assert revoked.returncode == 0 and "révocation de 1 attestation au bloc " in revoked.stdout, revoked.stdout
    assert "motif\u00a0: fraude ou fausse déclaration" in revoked.stdout
    final = run(settings, "reinstate", str(issued_file), "--issuer", name)
    assert final.returncode == 1
    assert_one_line_error(final, "is revoked", "revocation is final")
    monkeypatch.setenv("REGISTRY_LANG", "ar")
    suspend_revoked = run(settings, "suspend", str(issued_file), "--issuer", name)
    monkeypatch.delenv("REGISTRY_LANG")
    assert suspend_revoked.returncode == 0 and "is already revoked" in suspend_revoked.stdout
    assert "لا شيء لتغييره: شهادة واحدة (1) على الحال المطلوبة من قبل" in suspend_revoked.stdout


@pytest.mark.parametrize("content", ["", "file,reason\n", 'file\n"unterminated.json\n', "file\na.json,extra\n"])
def test_a_revocation_csv_that_names_nothing_or_is_malformed_is_refused(
    settings: Settings, issuer: Issuer, tmp_path: Path, content: str
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(content)
    result = run(settings, "revoke", str(batch), "--issuer", issuer.identity.name)
    assert result.returncode == 1
    assert_one_line_error(result, "batch.csv")


def test_bad_roster_row_is_named(settings: Settings, issuer: Issuer, tmp_path: Path) -> None:
    roster = tmp_path / "cohort.csv"
    roster.write_text("holder,name,eqf\ndid:key:zabc,Welding,9\n")
    result = run(
        settings, "issue", "--issuer", issuer.identity.name, "--roster", str(roster), "--out-dir", str(tmp_path / "o")
    )
    assert result.returncode == 1
    assert_one_line_error(result, "EQF level must be 1 to 8")
    assert not (tmp_path / "o").exists()


def test_passport_create_and_verify(settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path) -> None:
    # A single-anchored credential and a cohort member: the passport file then carries a Merkle
    # proof, which (keys sorted) stands before the presentation in the file.
    single = issuer.issue_single(holder.did, welding_certificate()).holder_file
    cohort = issuer.issue_cohort([(holder.did, welding_certificate()), (holder.did, welding_certificate())])
    files = []
    for n, holder_file in enumerate([single, cohort.holder_files[0]]):
        path = tmp_path / f"c{n}.json"
        path.write_text(holder_file.dumps())
        files.append(str(path))
    passport = tmp_path / "passport.json"
    created = run(settings, "passport", "create", "--holder", holder.name, "--out", str(passport), *files)
    assert created.returncode == 0, created.stderr
    from registry.text import short_did

    assert f"passport of {short_did(holder.did)} with 2 credentials" in created.stdout, created.stdout
    assert passport.read_text().index('"cohortProofs"') < passport.read_text().index('"format"')
    checked = run(settings, "verify", "--json", str(passport))
    assert checked.returncode == 0, checked.stdout
    report = json.loads(checked.stdout)
    assert report["kind"] == "passport" and report["verdict"] == "valid"
    assert [c["verdict"] for c in report["credentials"]] == ["valid", "valid"]
    assert [c["name"] for c in report["credentials"][1]["checks"]][:3] == ["format", "schema", "cohort proof"]
    # Made for nobody in particular, shown to an employer who asks it be made for him: INVALID, and
    # nothing in it is presented as certified, though each credential is valid on its own.
    # A credential alone, given with the same --audience, carries none: valid, and said not to be checked for it.
    elsewhere = run(settings, "verify", "--audience", "Employer GmbH", str(passport), files[0])
    assert elsewhere.returncode == 1 and "INVALID: audience" in elsewhere.stdout, elsewhere.stdout
    alone = elsewhere.stdout[elsewhere.stdout.index(f"{files[0]}: VALID") :]
    assert "- audience: not checked: this is a single credential, not a passport, so nothing shows" in alone, alone
    assert "competencies: nothing counts: the passport failed its audience check\n" in elsewhere.stdout
    summary = elsewhere.stdout[: elsewhere.stdout.index("✔ holder signature")]  # before the evidence
    assert summary.count("VALID on its own, not counted") == 2 and "skill:" not in summary, summary


def test_passport_create_names_the_holder_as_verify_does(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """Credentials naming the holder in different writings (letter case), and by another name: `passport
    create` names her as the first does, as `verify` does, and says every name in the line `verify` says
    them in (before, the first name alone, the others unsaid until an employer verified it)."""
    from dataclasses import replace

    from registry.text import short_did

    files = []
    for n, name in enumerate(("Amina Haddad", "AMINA HADDAD", "Amina Yusuf")):
        held = issuer.issue_single(holder.did, replace(welding_certificate(), holder_name=name)).holder_file
        (path := tmp_path / f"c{n}.json").write_text(held.dumps())
        files.append(str(path))
    passport = tmp_path / "passport.json"
    created = run(settings, "passport", "create", "--holder", holder.name, "--out", str(passport), *files)
    assert created.returncode == 0, created.stderr
    said = (
        'holder named differently by the credentials: "Amina Haddad" (#1) / "AMINA HADDAD" (#2): the same name, '
        'written differently (letter case); "Amina Yusuf" (#3)'
    )
    assert created.stdout.splitlines() == [
        f"passport of Amina Haddad ({short_did(holder.did)}) with 3 credentials written to {passport}",
        f"  {said}",
    ], created.stdout
    checked = run(settings, "verify", str(passport))
    assert f"    {said}\n" in checked.stdout, checked.stdout  # the same words when an employer verifies it


def test_issuer_check_cli(settings: Settings, chain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roots = tmp_path / "roots.txt"
    roots.write_text(chain.root.did + "\n")
    trusted = run(settings, "issuer", "check", chain.ti.did, "--trust-list", str(roots), "--rpc", settings.rpc_url,
                  "--deployment", str(settings.deployment_file))  # fmt: skip
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert "TRUSTED" in trusted.stdout and "RootTAO" in trusted.stdout
    # The first line names the issuer (here by this home's name for it; its legal name where its
    # accreditation states one: tests/e2e/test_quickstarts.py).
    assert trusted.stdout.startswith(f"training-centre ({chain.ti.did}): TRUSTED"), trusted.stdout
    roots.write_text("did:ebsi:zSomeOtherRoot1111111\n")
    refused = run(settings, "issuer", "check", chain.ti.did, "--trust-list", str(roots), "--rpc", settings.rpc_url,
                  "--deployment", str(settings.deployment_file))  # fmt: skip
    assert refused.returncode == 1
    assert "not in the trust list" in refused.stdout
    blank = run(settings, "issuer", "check", chain.ti.did, "--type", "", "--trust-list", str(roots))
    assert blank.returncode == 64 and blank.stderr.startswith("error: --type is empty"), (
        blank.stderr
    )  # not "not trusted"


def test_refusal_by_the_contract_is_a_sentence(settings: Settings, chain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The training centre (a TI) tries to accredit someone: the contract refuses, the CLI says why.
    result = run(settings, "trust", "accredit", "--parent", chain.ti.name, "--child", chain.tao.did, "--as", "ti",
                 "--types", "SkillsCredential", "--rpc", settings.rpc_url,
                 "--deployment", str(settings.deployment_file))  # fmt: skip
    assert result.returncode == 1  # named, before anything is sent (it was the contract's "this party may not …")
    assert_one_line_error(result, f"{chain.ti.did}) is accredited as a TI: a TI issues credentials and accredits no")


def test_a_passport_holds_only_the_holders_credentials_each_once(  # type: ignore[no-untyped-def]
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    from registry.keystore import KeyStore, new_natural_person

    other = new_natural_person("someone-else")
    KeyStore(settings.keys_dir).save(other, PASSPHRASE)
    mine, theirs = tmp_path / "mine.json", tmp_path / "theirs.json"
    mine.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    theirs.write_text(issuer.issue_single(other.did, welding_certificate()).holder_file.dumps())
    out = tmp_path / "passport.json"
    foreign = run(settings, "passport", "create", "--holder", holder.name, "--out", str(out), str(mine), str(theirs))
    assert foreign.returncode == 1
    # Shown by start and end: cut at 60 characters, two did:keys of one curve read the same.
    assert_one_line_error(
        foreign, f"theirs.json is about {other.did[:29]}…{other.did[-10:]}, not the holder {holder.name} ("
    )
    # Her key file not in this home: not "make it with `identity create`" (a new key no credential names).
    lost = run(settings, "passport", "create", "--holder", "amina-lost", "--out", str(out), str(mine))
    assert_one_line_error(lost, "no identity named amina-lost in", "if its file was lost, restore it from a copy")
    assert "identity create" not in lost.stderr
    twice = run(settings, "passport", "create", "--holder", holder.name, "--out", str(out), str(mine), str(mine))
    assert twice.returncode == 1
    assert_one_line_error(twice, "is in the passport twice")
    assert not out.exists()


def test_identity_show_names_each_key_by_its_id(settings: Settings, issuer: Issuer) -> None:
    shown = run(settings, "identity", "show", issuer.identity.name)
    assert shown.returncode == 0, shown.stderr
    assert f"#{issuer.identity.kid.partition('#')[2]}" in shown.stdout


def test_identity_show_did_prints_the_did_alone_for_scripts(tmp_path: Path) -> None:
    # `ROOT=$(registry identity show root --did)`, as the README's quickstarts use it: the DID
    # whole (a did:key is longer than any terminal), nothing else; no chain needed.
    from registry.keystore import KeyStore, new_legal_entity, new_natural_person

    store = KeyStore(tmp_path / "keys")
    for identity in (new_legal_entity("school"), new_natural_person("amina")):
        store.save(identity, PASSPHRASE)
        argv = [sys.executable, "-m", "registry", "--home", str(tmp_path), "identity", "show", identity.name, "--did"]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "40"})
        assert result.returncode == 0, result.stderr
        assert result.stdout == identity.did + "\n"
    missing = subprocess.run([*argv[:-2], "nobody", "--did"], capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and missing.stdout == ""
    assert_one_line_error(missing, "nobody")


def test_an_employer_who_named_no_node_is_told_what_to_give(issued_file: Path, tmp_path: Path) -> None:
    # A fresh home, no --rpc and no REGISTRY_RPC_URL: the local default is asked (nothing of this
    # registry is there, whether or not something listens on it), and one line on stderr says what
    # to give; the report on stdout is the usual "could not determine".
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    argv = [sys.executable, "-m", "registry", "--home", str(tmp_path / "fresh"), "verify", str(issued_file)]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2 and "COULD NOT DETERMINE" in result.stdout
    assert result.stderr == (
        "hint: no node was named (--rpc URL, REGISTRY_RPC_URL, `registry config set rpc-url URL`), so the local "
        "default http://127.0.0.1:8545 was asked: give a node of chain 31337 with --rpc URL, or its registry's "
        "service with --service URL\n"
    )
    named = subprocess.run([*argv, "--rpc", f"http://127.0.0.1:{free_port()}"], capture_output=True, text=True,
                           env=env, timeout=120)  # fmt: skip
    assert named.returncode == 2 and named.stderr == ""  # a node named: its failure is the whole story


def test_a_shell_pattern_that_matched_nothing_is_named_as_such(tmp_path: Path) -> None:
    # bash passes `safety/3-*.json` on as it is when nothing matches it.
    argv = [sys.executable, "-m", "registry", "--home", str(tmp_path), "verify", str(tmp_path / "safety" / "3-*.json")]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 64
    assert_one_line_error(result, "3-*.json (a pattern that matched no file: check the directory with `ls`)")


@pytest.mark.parametrize("number", ["0", "-5", "4294967297"])
def test_status_publish_refuses_a_list_number_out_of_range(settings: Settings, issuer: Issuer, number: str) -> None:
    result = run(settings, "status", "publish", "--issuer", issuer.identity.name, "--list", number)
    assert result.returncode == 1
    assert_one_line_error(result, "--list must be a list number")


def test_inputs_that_are_not_regular_files_are_named_so(settings: Settings, issued_file: Path, tmp_path: Path) -> None:
    device = run(settings, "verify", "/dev/null")
    assert device.returncode == 64
    assert_one_line_error(device, "is not a regular file")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "CERT.JSON").write_text(issued_file.read_text())
    assert run(settings, "verify", str(folder)).returncode == 0  # upper-case suffixes are credential files too


def test_an_anchor_the_node_refuses_leaves_no_file_and_is_never_sent_later(  # type: ignore[no-untyped-def]
    settings: Settings, issuer: Issuer, holder: Identity, registry: Registry, tmp_path: Path
) -> None:
    # The issuer's account runs dry: the node refuses the anchoring transaction outright. (Its status
    # lists were published by an earlier credential, so the anchor is the first thing sent.)
    issuer.issue_single(holder.did, welding_certificate())
    account = issuer.identity.account.address
    balance = registry.client.request("eth_getBalance", [account, "latest"])
    registry.client.request("anvil_setBalance", [account, "0x0"])
    single, cohort_dir = tmp_path / "one.json", tmp_path / "cohort"
    roster = tmp_path / "roster.csv"
    roster.write_text(f"holder,name\n{holder.did},Welding\n{holder.did},Cutting\n")
    try:
        refused = run(settings, "issue", "--issuer", issuer.identity.name, "--holder", holder.did, "--name", "W",
                      "--out", str(single))  # fmt: skip
        refused_cohort = run(settings, "issue", "--issuer", issuer.identity.name, "--roster", str(roster),
                             "--out-dir", str(cohort_dir))  # fmt: skip
    finally:
        registry.client.request("anvil_setBalance", [account, balance])
    for result in (refused, refused_cohort):
        assert result.returncode == 1, result.stdout + result.stderr
        assert_one_line_error(result, "the node refused the transaction", "were removed")
    assert not single.exists() and not cohort_dir.exists()
    # With ether again, the next write sends only itself: nothing refused comes back from the journal.
    later = tmp_path / "later.json"
    ok = run(settings, "issue", "--issuer", issuer.identity.name, "--holder", holder.did, "--name", "W2",
             "--out", str(later))  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    status = run(settings, "journal", "status")
    assert "every journaled write is confirmed" in status.stdout
    failed = run(settings, "journal", "status", "--all")
    assert failed.stdout.count("failed") == 2 and "refused" in failed.stdout


def test_issuer_check_about_the_future_could_not_determine(settings: Settings, chain) -> None:  # type: ignore[no-untyped-def]
    result = run(settings, "issuer", "check", chain.ti.did, "--at", "2100-01-01", "--rpc", settings.rpc_url,
                 "--deployment", str(settings.deployment_file))  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "COULD NOT DETERMINE" in result.stdout and "later than the chain's newest block" in result.stdout


def test_several_trust_lists_are_all_accepted(settings: Settings, issued_file: Path, chain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    elsewhere, ours = tmp_path / "elsewhere.txt", tmp_path / "ours.txt"
    elsewhere.write_text("did:ebsi:zSomeOtherRoot1111111\n")
    ours.write_text(chain.root.did + "\n")
    both = run(settings, "verify", "--trust-list", str(elsewhere), "--trust-list", str(ours), str(issued_file))
    assert both.returncode == 0, both.stdout  # the last list used to replace the first
    only_elsewhere = run(settings, "verify", "--trust-list", str(elsewhere), str(issued_file))
    assert only_elsewhere.returncode == 1 and "not in the trust list" in only_elsewhere.stdout


@pytest.mark.parametrize(
    ("extra", "named"),
    [(["--reason", "-5"], "--reason must be a reason code"), (["--attribute", "zz"], "--attribute must be")],
)
def test_trust_status_arguments_are_checked_before_anything_is_journaled(  # type: ignore[no-untyped-def]
    settings: Settings, chain, extra: list[str], named: str
) -> None:
    base = ["trust", "suspend", "--parent", chain.tao.name, "--child", chain.ti.did,
            "--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]  # fmt: skip
    bad = run(settings, *base, *extra)
    assert bad.returncode == 64  # the command line is wrong: a usage error, never "failed"
    assert_one_line_error(bad, named)
    # Nothing poisoned the journal: the same parent's next, correct write goes through.
    good = run(settings, *base, "--reason", "3")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "suspended in block" in good.stdout and "(reason 3: audit pending)" in good.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["accredit", "--child", "x", "--as", "root", "--types", "T"], "--as must be tao (may accredit others) or ti"),
        (["accredit", "--child", "x", "--as", "ti", "--types", " , "], "--types needs at least one credential type"),
        (["accredit", "--child", "x", "--as", "ti", "--types", "T", "--valid-until", "soon"], "not a date/time"),
        (["revoke", "--child", "x", "--for-cause-from", "lately"], "not a date/time"),
        # A legal name goes on-chain for good: a newline or a terminal escape in it was written as given.
        (["accredit", "--child", "x", "--as", "ti", "--types", "T", "--name", "Evil\x1b[31m\nCo"], "(U+001B)"),
        # ... and a bidi override shows it, wherever text is not escaped as ours is, as another name.
        (["accredit", "--child", "x", "--as", "ti", "--types", "T", "--name", "Acme \u202eoC"], "U+202E RIGHT-TO-LEFT"),
        (["accredit", "--child", "x", "--as", "ti", "--types", "T", "--name", "   "], "a legal name must not be blank"),
    ],
)
def test_trust_writes_refuse_a_wrong_command_line_with_the_usage_code(
    settings: Settings, args: list[str], named: str
) -> None:
    """A wrong value for an option of `trust accredit`, `onboard-root`, `suspend`, `reinstate` or `revoke`
    is a usage error (64, cli/exits.py), said before any key is opened or any node asked."""
    bad = run(settings, "trust", args[0], "--parent", "nobody", *args[1:])
    assert bad.returncode == 64, bad.stdout + bad.stderr
    assert_one_line_error(bad, named)


def test_an_interrupted_cohort_leaves_no_half_written_directory(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while the holder files are written. Stand-in: an interruption raised from the third
    # file write, in process (a real SIGINT cannot be aimed at that moment reliably).
    from typer.testing import CliRunner

    import registry.durable as durable_module
    from registry.cli import app

    real_write, calls = durable_module.write_json_atomic, []

    def interrupted(path: Path, data: object, mode: int = 0o644, *, sync_dir: bool = True) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_write(path, data, mode, sync_dir=sync_dir)

    monkeypatch.setattr(durable_module, "write_json_atomic", interrupted)
    monkeypatch.setenv("REGISTRY_PASSPHRASE", PASSPHRASE)
    roster = tmp_path / "roster.csv"
    roster.write_text("holder,name\n" + "".join(f"{holder.did},Course {n}\n" for n in range(5)))
    out_dir = tmp_path / "cohort"
    result = CliRunner().invoke(app, ["--home", str(settings.home), "issue", "--issuer", issuer.identity.name,
                                      "--roster", str(roster), "--out-dir", str(out_dir), "--rpc", settings.rpc_url,
                                      "--deployment", str(settings.deployment_file)])  # fmt: skip
    assert result.exit_code == 130
    assert len(calls) == 3
    assert not out_dir.exists() and not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_accrediting_an_unregistered_party_names_its_did(settings: Settings, chain, make_issuer) -> None:  # type: ignore[no-untyped-def]
    newcomer = make_issuer("unregistered-school", register=False)
    result = run(settings, "trust", "accredit", "--parent", chain.tao.name, "--child", newcomer.did, "--as", "ti",
                 "--types", "SkillsCredential", "--name", "Newcomer School Ltd", "--rpc", settings.rpc_url,
                 "--deployment", str(settings.deployment_file))  # fmt: skip
    assert result.returncode == 1
    # Named as the CLI knows it (its legal name given, the identity holding it here), not "it".
    assert_one_line_error(result, f"Newcomer School Ltd ({newcomer.did}) is not registered",
                          f"register it first: `registry did register {newcomer.name}`")  # fmt: skip
    node = ["--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]
    # The wrong parent changing an accreditation: who did grant it (it was "DID granted DID no accreditation").
    wrong = run(settings, "trust", "suspend", "--parent", chain.root.name, "--child", chain.ti.did, *node)
    assert wrong.returncode == 1
    assert_one_line_error(wrong, "granted", "no accreditation", f"run it as {chain.tao.did} (--parent NAME)")
    resolved = run(settings, "did", "resolve", chain.ti.name, "--rpc", settings.rpc_url,
                   "--deployment", str(settings.deployment_file))  # fmt: skip
    assert resolved.returncode == 0 and chain.ti.did in resolved.stdout  # an identity name is enough


def test_governance_suspends_reinstates_and_revokes_a_root_tao(settings: Settings, issued_file: Path, chain) -> None:  # type: ignore[no-untyped-def]
    """The top of every chain under it: what was issued under a suspended root before its suspension
    stays valid (with a note) under the default policy, and is refused under "now"; reinstated, the
    root holds again; revoked, it is final. Governance signs with anvil's key here (local chain)."""
    node = ["--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]
    # Onboarded again alike: nothing written (a second onboarding would stay in force, the root still
    # trusted, once the first is suspended below).
    onboard = run(settings, "trust", "onboard-root", chain.root.name, "--types",
                  "SkillsCredential,WeldingCertificate,NursingLicence,EuropeanDigitalCredential", *node)  # fmt: skip
    assert onboard.returncode == 0 and onboard.stdout.startswith("unchanged: "), onboard.stdout + onboard.stderr
    suspended = run(settings, "trust", "suspend-root", chain.root.did, *node)
    assert suspended.returncode == 0, suspended.stderr
    assert (
        f"of {chain.root.name} ({chain.root.did}): suspended in block" in suspended.stdout
        and "audit pending" in suspended.stdout
    )
    # Issued before the suspension: valid under the default policy, with the suspension said;
    # under "now" (the accreditation must hold today), not valid.
    before = run(settings, "verify", str(issued_file))
    assert before.returncode == 0 and "RootTAO" in before.stdout and "is still suspended" in before.stdout
    assert run(settings, "verify", "--accreditation-policy", "now", str(issued_file)).returncode == 1
    again = run(settings, "trust", "suspend-root", chain.root.did, *node)
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert run(settings, "trust", "reinstate-root", chain.root.did, *node).returncode == 0
    assert run(settings, "verify", "--accreditation-policy", "now", str(issued_file)).returncode == 0
    assert run(settings, "trust", "revoke-root", chain.root.did, *node).returncode == 0
    final = run(settings, "trust", "reinstate-root", chain.root.did, *node)
    assert final.returncode == 1
    assert_one_line_error(final, "revocation is final")
    not_a_root = run(settings, "trust", "suspend-root", chain.ti.did, *node)
    assert not_a_root.returncode == 1
    assert_one_line_error(not_a_root, "is not a Root TAO")


def test_issuer_check_with_no_trust_list_is_neither_trusted_nor_refused(settings: Settings, chain) -> None:  # type: ignore[no-untyped-def]
    """An issuer checking itself from its own home, which has no trust list: nobody said which roots
    count, so NO TRUST LIST, exit 2 (could not determine: never 0, nor 1, which said "not trusted" of
    a sound chain), the chain found shown and how to give a list; a chain that breaks is still 1."""
    settings.trust_list_file.unlink()
    node = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    result = run(settings, "issuer", "check", chain.ti.did, *node)
    assert result.returncode == 2, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert "NO TRUST LIST — there is no trust list, so Root TAO" in first and "NOT TRUSTED" not in result.stdout
    assert f"registry trust-list add {chain.root.did}" in result.stdout.replace("\n", " ")
    assert result.stdout.count("✔") == 3, result.stdout  # the chain found: TI, TAO, Root TAO
    report = json.loads(run(settings, "issuer", "check", chain.ti.did, "--json", *node).stdout)
    assert (report["verdict"], report["ok"], report["trustedRoot"]) == ("could not determine", False, None)
    broken = run(settings, "issuer", "check", chain.ti.did, "--type", "NotACredentialType", *node)
    assert broken.returncode == 1 and "NOT TRUSTED" in broken.stdout, broken.stdout


def test_a_credential_given_twice_by_mistake_is_refused_unless_again(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command run twice (shell history, a rerun after a slow answer) would give every holder a
    second credential, and each person without a did:key a second key: the second run is refused,
    by the issuer's own records, before anything is signed; `--again` says it is meant."""
    from typer.testing import CliRunner

    from registry.cli import app

    monkeypatch.setenv("REGISTRY_PASSPHRASE", PASSPHRASE)
    node = ["--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)]
    base = ["--home", str(settings.home), "issue", "--issuer", issuer.identity.name]
    single = [*base, "--holder", holder.did, "--name", "Forklift safety, given twice", *node]
    assert CliRunner().invoke(app, [*single, "--out", str(tmp_path / "first.json")]).exit_code == 0
    twice = CliRunner().invoke(app, [*single, "--out", str(tmp_path / "second.json")])
    assert twice.exit_code == 1 and not (tmp_path / "second.json").exists()
    said = " ".join(str(twice.exception).split())
    assert "already holds 'Forklift safety, given twice'" in said and "first.json" in said and "--again" in said
    # A person without a did:key, named alone: told how she gets one, or that a roster makes it.
    alone = CliRunner().invoke(app, [*base, "--holder-name", "Awa Sarr", "--name", "X", "--out", str(tmp_path / "a")])
    assert alone.exit_code == 1 and "--holder-name Awa Sarr without --holder" in " ".join(str(alone.exception).split())
    again = CliRunner().invoke(app, [*single, "--out", str(tmp_path / "second.json"), "--again"])
    assert again.exit_code == 0 and (tmp_path / "second.json").exists()
    roster = tmp_path / "roster.csv"
    roster.write_text("holder_name,name\nZainab Idris,Site induction\nYusuf Adeyemi,Site induction\n")
    cohort = [*base, "--roster", str(roster), *node]
    assert CliRunner().invoke(app, [*cohort, "--out-dir", str(tmp_path / "c1")]).exit_code == 0
    rerun = CliRunner().invoke(app, [*cohort, "--out-dir", str(tmp_path / "c2")])
    assert rerun.exit_code == 1 and not (tmp_path / "c2").exists() and not (tmp_path / "c2-keys").exists()
    assert "Zainab Idris" in str(rerun.exception) and "so do 1 more on this roster" in str(rerun.exception)
    # A damaged record never stops a centre issuing: the check is skipped, and said.
    records = settings.home / "issued" / f"{issuer.identity.name}.jsonl"
    kept = records.read_bytes()
    try:
        records.write_bytes(kept + b"{not json\n")
        damaged = CliRunner().invoke(app, [*single, "--out", str(tmp_path / "third.json")])
        assert damaged.exit_code == 0 and (tmp_path / "third.json").exists()
        assert "not checked whether these holders were given it before" in " ".join(damaged.stderr.split())
    finally:
        records.write_bytes(kept)


def test_a_status_change_another_write_made_meanwhile_is_unchanged_not_an_error(  # type: ignore[no-untyped-def]
    chain, trust, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two `trust suspend` of the same accreditation at once (or this home's earlier write, rebroadcast
    by the journal on the way): both checked "active" before either was mined, and the second was
    refused by the contract, exit 1 ("that status change is not allowed"). It is what was asked:
    "unchanged", exit 0. The race is made for real: the other write lands between check and send."""
    from functools import partial

    from registry.cli.commands.trust_status import _sent_or_unchanged, _unchanged
    from registry.ops.trust import AttrStatus

    suspended = AttrStatus.SUSPENDED
    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, suspended, 3)  # the other process's write
    ours = partial(trust.set_status, chain.tao, chain.ti.did, chain.ti_attribute, suspended, 3)
    said = partial(_unchanged, trust, chain.ti.did, "the centre", chain.ti_attribute, suspended)
    assert _sent_or_unchanged(ours, said) is None
    assert "unchanged: accreditation" in capsys.readouterr().out
    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.REVOKED, 1)  # final: still refused
    with pytest.raises(InputError, match="revocation is final"):
        _sent_or_unchanged(ours, said)
