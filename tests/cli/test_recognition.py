"""`registry recognition ...` and `registry verify --recognised-in`: real `registry` processes on a
real anvil. A destination authority publishes from options, lists and shows its decisions (names,
history with dates and reasons), and a verifier sees the finding in its report and its JSON; bad
input is one line."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from registry.config import Settings
from registry.formats.frameworks import find_framework
from registry.formats.recognition import DecisionDocument
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.recognition.authority import Recognition
from registry.ops.recognition.model import DecisionStatus
from registry.ops.registry import Registry
from registry.ops.trust import Trust, TrustList
from tests.conftest import GOVERNANCE, ONE_YEAR, PASSPHRASE, ROOT_SCOPE, Chain, welding_certificate
from tests.helpers.commands import registry_in_process


def run(settings: Settings, *args: str, where: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REGISTRY_TRUST_LIST", "REGISTRY_DEPLOYMENT")}
    env["REGISTRY_PASSPHRASE"] = PASSPHRASE
    node = ("--rpc", settings.rpc_url, *(("--deployment", str(settings.deployment_file)) if where else ()))
    argv = ["--home", str(settings.home), *args, *node]
    return registry_in_process(argv, env)  # tests/helpers/commands.py


def test_an_authority_publishes_and_a_verifier_sees_what_a_credential_is_worth_there(
    settings: Settings, chain: Chain, issuer: Issuer, holder: Identity, make_issuer, trust: Trust, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    office = make_issuer("recognition-office")
    trust.onboard_root(GOVERNANCE, office, [ROOT_SCOPE], int(time.time()) + ONE_YEAR, "Federal Recognition Office")
    # From a decision file (the README's quickstart 6 publishes from options).
    framework = find_framework("de-dqr")
    assert framework is not None
    (tmp_path / "decision.json").write_text(json.dumps({
        "format": "registry-recognition-decision/1", "authority": office.did,
        "scope": {"types": ["SkillsCredential"], "eqfLevels": [4], "root": chain.root.did},
        "recognisedAs": {"qualification": "Schweißer/in", "framework": framework.id, "level": "4"},
        "validFrom": "2026-01-01", "conditions": "with a practical test", "reference": "ZAB-2026-17",
    }))  # fmt: skip
    published = run(settings, "recognition", "publish", "recognition-office", str(tmp_path / "decision.json"))
    assert published.returncode == 0, published.stderr
    decision = published.stdout.split()[1]
    assert decision.startswith("0x") and len(decision) == 66
    # Named as other commands name parties: the legal name its onboarding gives, beside its DID.
    assert published.stdout.endswith(f" published by Federal Recognition Office ({office.did})\n"), published.stdout
    # Journaled as every write: the row names the contract and function, confirmed.
    from registry.chain.txmanager import Journal

    rows = [
        op for op in Journal(settings.journal_file, read_only=True).all() if op.call.contract == "RecognitionRegistry"
    ]
    assert [(op.call.function, op.state) for op in rows] == [("publish", "confirmed")], rows

    suspended = run(settings, "recognition", "suspend", "recognition-office", decision, "--reason", "review")
    assert suspended.returncode == 0 and f"decision {decision}: suspended" in suspended.stdout, suspended.stderr
    _suspended_again_is_unchanged(settings, decision)
    unknown = run(settings, "recognition", "revoke", "recognition-office", decision, "--reason", "9")
    assert unknown.returncode == 64 and "--reason must be one of the reason codes" in unknown.stderr, unknown.stderr
    _listed_with_its_suspension(settings, decision, office, chain)
    # Reinstated in Python: the CLI's three status commands share one function (`_change`).
    Recognition(Registry.connect(settings)).set_status(office, bytes.fromhex(decision[2:]), DecisionStatus.ACTIVE, 4)
    _the_same_again_is_unchanged(settings, tmp_path, decision, office)
    shown = run(settings, "recognition", "show", decision)
    assert shown.stdout.startswith(f"published by Federal Recognition Office ({office.did})\n"), shown.stdout
    history = [line.split()[1:3] for line in shown.stdout.splitlines() if "(block" in line]
    assert history == [["published", "(block"], ["suspended", "(block"], ["reinstated", "(block"]], shown.stdout
    # The authority's file number too (`--reference`, a decision file's "reference": it was never shown).
    assert all(line in shown.stdout for line in ("conditions: with a practical test", "reference: ZAB-2026-17",
                                                 "reason 3: under review")), shown.stdout  # fmt: skip

    (path := tmp_path / "credential.json").write_text(
        issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps()
    )
    TrustList.load(settings.trust_list_file).with_root(office.did, "Recognition Office").save(settings.trust_list_file)
    text = run(settings, "verify", str(path), "--recognised-in", "Recognition Office")
    assert text.returncode == 0, text.stdout + text.stderr
    assert "recognition by Recognition Office: recognised here as Schweißer/in (level 4 of German Qualifications " \
           "Framework (DQR)), " \
           f"decision {decision[:10]}… of" in text.stdout  # fmt: skip
    report = json.loads(run(settings, "verify", "--json", str(path), "--recognised-in", office.did).stdout)
    assert report["verdict"] == "valid" and report["recognition"]["outcome"] == "recognised"
    _the_finding_is_said_in_french(report["recognition"], decision)
    _a_printed_passport_says_it(
        settings, tmp_path, path, holder.name, (chain.root.did, office.did, issuer.identity.did)
    )
    printed = re.search(r"decision (0x[0-9a-f]+…) of", text.stdout)
    assert printed is not None, text.stdout
    _an_employer_shows_it_by_the_id_verify_printed(settings, tmp_path, printed[1], office)
    _a_revoked_decision_stays_revoked(settings, printed[1], decision)


def _a_printed_passport_says_it(settings: Settings, tmp_path: Path, credential: Path, holder: str,
                                dids: tuple[str, str, str]) -> None:  # fmt: skip
    """`passport print --recognised-in` under the destination's trust list (the home root and the office,
    pinned to this registry, as the authority publishes it): the credential's page and the summary say
    it, as `verify` does; an authority whose decisions would not apply (a training centre) is refused
    before anything is printed (64)."""
    import pypdfium2

    root, office, centre = dids
    destination = tmp_path / "destination"
    for did, name in ((root, "Vocational Authority"), (office, "Recognition Office")):
        added = subprocess.run([sys.executable, "-m", "registry", "--home", str(destination), "trust-list", "add", did,
                                "--name", name, "--registry", str(settings.deployment_file)],
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        assert added.returncode == 0, added.stderr
    passport, pdf = tmp_path / "passport.json", tmp_path / "passport.pdf"
    made = run(settings, "passport", "create", "--holder", holder, "--out", str(passport), str(credential), where=False)
    assert made.returncode == 0, made.stderr
    listed = ("--trust-list", str(destination / "trust-list.json"))
    untrusted = run(settings, "passport", "print", str(passport), "--out", str(pdf), *listed, "--recognised-in",
                    centre, where=False)  # fmt: skip
    assert untrusted.returncode == 64 and "nothing printed" in untrusted.stderr and not pdf.exists(), untrusted.stderr
    printed = run(settings, "--lang", "fr", "passport", "print", str(passport), "--out", str(pdf), *listed,
                  "--recognised-in", "Recognition Office", where=False)  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        pages = [p.get_textpage().get_text_range().replace("\r\n", " ").replace("\n", " ") for p in document]
    finally:
        document.close()
    assert "équivalents nationaux selon Recognition Office : #1 Schweißer/in" in pages[0], pages[0]
    assert "reconnaissance par Recognition Office : reconnue ici comme Schweißer/in" in pages[1], pages[1]


def _the_finding_is_said_in_french(finding: dict[str, object], decision: str) -> None:
    """`--lang fr`'s line for the finding the verifier wrote (in process: the CLI prints `recognition_line`)."""
    from registry import i18n
    from registry.i18n.recognitionwords import recognition_line

    assert finding["decisions"][0]["framework_name"] == "German Qualifications Framework (DQR)"  # type: ignore[index]
    i18n.use("fr")
    try:
        said = recognition_line(finding)
    finally:
        i18n.use(i18n.DEFAULT)
    assert said.startswith(
        "reconnaissance par Recognition Office\u00a0: reconnue ici comme Schweißer/in (niveau 4 de German "
        f"Qualifications Framework (DQR)), décision {decision[:10]}… du 20"
    ), said
    assert said.endswith(", conditions\u00a0: with a practical test"), said


def _an_employer_shows_it_by_the_id_verify_printed(
    settings: Settings, tmp_path: Path, short: str, office: Identity
) -> None:
    """An employer's home holds no deployment file, only a trust list pinned to the registry (as
    quickstart 4's): `show` takes the id as `verify` printed it, found among its trust list's roots."""
    from registry.chain.deployment import Deployment

    pin = Deployment.load(settings.deployment_file).locator()
    assert pin is not None
    employer = tmp_path / "employer"
    employer.mkdir()
    TrustList.load(settings.trust_list_file).with_root(office.did, "Recognition Office", (pin,)).save(
        employer / "trust-list.json"
    )
    shown = run(dataclasses.replace(settings, home=employer), "recognition", "show", short, where=False)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"published by Federal Recognition Office ({office.did})\ndecision 0x{short[2:-1]}")


def _listed_with_its_suspension(settings: Settings, decision: str, office: Identity, chain: Chain) -> None:
    listed = run(settings, "recognition", "list", "recognition-office")
    # When and why it is not in force; the dates as given (a day given as such reads as that day).
    assert re.search(
        f"decision {decision}: SUSPENDED on [0-9-]+T[0-9:]+Z \\(under review\\), recognised here as "
        r"Schweißer/in \(level 4 of German Qualifications Framework \(DQR\)\)\n",
        listed.stdout,
    ), listed.stdout
    assert "  applies from 2026-01-01 with no end date; published 20" in listed.stdout
    assert listed.stdout.startswith(f"Federal Recognition Office ({office.did}): 1 recognition decision, oldest first")
    assert f"root Vocational Authority ({chain.root.did})" in listed.stdout  # names from the trust list


def _suspended_again_is_unchanged(settings: Settings, decision: str) -> None:
    again = run(settings, "recognition", "suspend", "recognition-office", decision)
    # Already so: "unchanged", exit 0, as `trust suspend` answers (it was an error, exit 1).
    assert again.returncode == 0 and "unchanged: " in again.stdout and "is suspended already" in again.stdout


def _a_revoked_decision_stays_revoked(settings: Settings, short: str, decision: str) -> None:
    revoked = run(settings, "recognition", "revoke", "recognition-office", short)  # as `verify` printed it
    assert revoked.returncode == 0 and f"decision {decision}: revoked" in revoked.stdout, revoked.stderr
    final = run(settings, "recognition", "reinstate", "recognition-office", decision)
    assert final.returncode == 1 and "is revoked, and a revocation is final: it cannot be reinstated" in final.stderr


def _the_same_again_is_unchanged(settings: Settings, tmp_path: Path, decision: str, office: Identity) -> None:
    """The same decision again (another start, another file reference): in force already, nothing written."""
    again_file = json.loads((tmp_path / "decision.json").read_text()) | {"validFrom": "2026-02-01", "reference": "B"}
    (tmp_path / "again.json").write_text(json.dumps(again_file))
    same = run(settings, "recognition", "publish", "recognition-office", str(tmp_path / "again.json"))
    assert same.returncode == 0 and same.stdout.startswith(f"unchanged: decision {decision} of Federal Recognition "
                                                           "Office"), same.stdout + same.stderr  # fmt: skip
    assert len(Recognition(Registry.connect(settings)).ids(office.did)) == 1


def test_bad_input_is_one_line(settings: Settings, chain: Chain, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    wrong = run(settings, "verify", str(tmp_path / "x.json"), "--recognised-in", "Nobody We Know")
    assert wrong.returncode == 64 and len(wrong.stderr.strip().splitlines()) == 1, wrong.stderr
    assert "neither a DID nor the name of one root in your trust list" in wrong.stderr
    framework = run(
        settings, "recognition", "publish", "vocational-authority", "--types", "SkillsCredential", "--eqf-levels", "4",
        "--root", chain.root.did, "--qualification", "Q", "--framework", "xx-none", "--level", "4",
    )  # fmt: skip
    assert framework.returncode == 64 and "is not a published framework" in framework.stderr, framework.stderr
    assert "Traceback" not in framework.stderr
    # The root and the issuers by the names this home gives them, as `--recognised-in` takes an authority's.
    named = run(
        settings, "recognition", "publish", "vocational-authority", "--types", "SkillsCredential", "--eqf-levels", "4",
        "--root", "vocational-authority", "--issuers", "training-centre", "--qualification", "Q", "--framework",
        "de-dqr", "--level", "4", "--json",
    )  # fmt: skip
    assert named.returncode == 0, named.stderr
    scope = json.loads(named.stdout)["document"]["scope"]
    assert (scope["root"], scope["issuers"]) == (chain.root.did, [chain.ti.did]), scope
    # A training centre (a TI) is no recognition authority: refused before any transaction, in one line.
    ti = run(
        settings, "recognition", "publish", "training-centre", "--types", "SkillsCredential", "--eqf-levels", "4",
        "--root", chain.root.did, "--qualification", "Q", "--framework", "de-dqr", "--level", "4",
    )  # fmt: skip
    assert ti.returncode != 0, ti.stderr
    assert "holds no active Root TAO onboarding nor an accreditation for recognition decisions" in ti.stderr
    (tmp_path / "decision.json").write_text(json.dumps({"format": "registry-recognition-decision/1", "holder": "X"}))
    named = run(settings, "recognition", "publish", "vocational-authority", str(tmp_path / "decision.json"))
    assert named.returncode != 0 and "unknown field(s) holder" in named.stderr, named.stderr
    assert len(named.stderr.strip().splitlines()) == 1
    _a_shortened_id_that_names_two_decisions_is_refused_naming_both(settings, chain)


def _a_shortened_id_that_names_two_decisions_is_refused_naming_both(settings: Settings, chain: Chain) -> None:
    from tests.ops.test_recognition import decision

    # Two decisions of one authority whose ids share their first 4 hex digits (found among ~300 documents).
    seen: dict[bytes, DecisionDocument] = {}
    for n in range(20_000):
        document = decision(chain.root, chain.root.did, reference=f"R-{n}")
        if (first := seen.setdefault(document.decision_id()[:2], document)) is not document:
            break
    recognition = Recognition(Registry.connect(settings))
    ids = [recognition.publish(chain.root, d) for d in (first, document)]
    prefix = "0x" + ids[0].hex()[:4]
    both = run(settings, "recognition", "suspend", "vocational-authority", prefix)
    assert both.returncode == 64 and len(both.stderr.strip().splitlines()) == 1, both.stderr
    assert f"{prefix}… is the start of 2 decisions of vocational-authority (" in both.stderr, both.stderr
    assert all(f"0x{i.hex()[:8]}" in both.stderr for i in ids), both.stderr  # each candidate, as the commands take it
    assert all(recognition.decision(i).status is DecisionStatus.ACTIVE for i in ids)  # nothing written
