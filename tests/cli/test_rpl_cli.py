"""RPL through the real `registry` command (issue #17): an employer attests work, a centre
accredited for RPL issues an assessment credential with evidence and its manifest, the holder
discloses part of it, and `verify --evidence` reports each item; bad input is one line."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from registry.cli.commands.rpl import _achievement, _work_day
from registry.config import Settings
from registry.errors import InputError
from registry.formats.accreditation import Scope
from registry.ops.trust import IssuerType, Trust
from tests.cli.test_wallet import cli, did_of, ok, one_line_error
from tests.conftest import GOVERNANCE, ONE_YEAR, WELDING, trusted_roots

WELDER = "http://data.europa.eu/esco/occupation/07b6bdd0-9ba7-45e1-8b79-3b8b7b5a07c8=welder"


def test_rpl_from_the_command_line(make_issuer, trust: Trust, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home, net = settings.home, ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    scope = Scope(types=("SkillsCredential", "RPLAssessmentCredential"))
    root, centre = make_issuer("authority"), make_issuer("rpl-centre")
    make_issuer("employer")
    until = int(time.time()) + ONE_YEAR
    trust.accredit(
        root, trust.onboard_root(GOVERNANCE, root, [scope], until), centre.did, IssuerType.TI, [scope], until
    )
    trusted_roots(root.did).save(settings.trust_list_file)
    (tmp_path / "standard.json").write_text(json.dumps({
        "id": "urn:rpl:welding", "version": 1, "title": "RPL welding", "eqfLevel": 3, "durationMonths": 1,
        "backdatingDays": 7, "units": [{"id": "W", "title": "Welds", "skills": [WELDING.uri], "hours": 1,
                                         "signer": "assessor"}]}))  # fmt: skip
    ok(cli(home, "programme", "publish", str(tmp_path / "standard.json"), "--issuer", "rpl-centre",
           "--out", str(tmp_path / "standard.jwt"), *net))  # fmt: skip
    ok(cli(home, "identity", "create", "--person", "sam"))
    amina = did_of(ok(cli(home, "wallet", "create")))
    day = time.strftime("%Y-%m-%d", time.gmtime())
    ok(cli(home, "supervisor", "authorise", "sam", "--role", "assessor", "--programme", str(tmp_path / "standard.jwt"),
           "--issuer", "rpl-centre", "--out", str(tmp_path / "sam.jwt"), "--valid-from", "2020-01-01",
           "--valid-until", "2030-01-01", "--name", "Sam Okoro", *net))  # fmt: skip
    work = tmp_path / "work.json"
    said = ok(cli(home, "attest", "--employer", "employer", "--employer-name", "Stahlbau GmbH", "--holder", amina,
                  "--occupation", WELDER, "--from", "1 January 2024", "--until", "30/06/2025", "--task", "MIG welding",
                  "--out", str(work), "--holder-name", "Amina Haddad", *net))  # fmt: skip
    assert said.startswith("Stahlbau GmbH (employer) attested work as welder for Amina Haddad (did:key:"), said
    (tmp_path / "weld.jpg").write_bytes(b"a weld" * 100)
    (tmp_path / "assessment.json").write_text(json.dumps({
        "name": "MIG welding (RPL)", "eqf": 3, "skills": [{"uri": WELDING.uri, "label": WELDING.label}],
        "methods": ["observation", "portfolio"], "date": day, "attestations": ["work.json"],
        "evidence": [{"file": "weld.jpg", "name": "Fillet weld", "genre": "Photograph"}]}))  # fmt: skip
    credential = tmp_path / "amina-rpl.json"
    issued = ok(cli(home, "rpl", "issue", "--issuer", "rpl-centre", "--holder", amina, "--assessment",
                    str(tmp_path / "assessment.json"), "--assessor-authorisation", str(tmp_path / "sam.jwt"),
                    "--out", str(credential), *net))  # fmt: skip
    # Who issued it, to whom, and who assessed her: by name where one is known, else the DID shortened.
    assert (
        "evidence manifest (2 items" in issued
        and (tmp_path / "amina-rpl.evidence.json").is_file()
        and re.match(
            r"issued RPL credential 'MIG welding \(RPL\)' by rpl-centre to did:key:\S+, assessed by Sam Okoro "
            r"\(as the authorisation names did:key:\S+\)\n",
            issued,
        )
    ), issued
    assert ok(cli(home, "--lang", "ar", "rpl", "disclose", str(tmp_path / "amina-rpl.evidence.json"), "--item",
                  "weld.jpg", "--files", str(tmp_path), "--out-dir", str(tmp_path / "shown"))).startswith(
        "دليل واحد (1) (ملفه وملحه) في "
    )  # the worker's command, in her language  # fmt: skip
    checked = cli(home, "verify", str(credential), "--evidence", str(tmp_path / "shown"), "--json", *net)
    report = json.loads(checked.stdout)
    assert checked.returncode == 0 and report["verdict"] == "valid", checked.stdout + checked.stderr
    assert [i["state"] for i in report["evidence"]["items"]] == ["matched", "not shown"]
    # The assessor by the name her (anchored, centre-signed) authorisation gives, marked as its word.
    assessor = next(c for c in report["checks"] if c["name"] == "assessor")
    assert assessor["message"].startswith("Sam Okoro (as the authorisation names did:key:"), assessor
    (tmp_path / "shown" / "weld.jpg").write_bytes(b"another weld")
    altered = cli(home, "verify", str(credential), "--evidence", str(tmp_path / "shown"), *net)
    assert altered.returncode == 1 and "altered: Fillet weld" in altered.stdout, altered.stdout
    assert "but 1 of 2 evidence items shown were altered (not valid)" in altered.stdout.splitlines()[0]
    french = cli(home, "--lang", "fr", "verify", str(credential), "--evidence", str(tmp_path / "shown"), *net).stdout
    assert (
        "preuves\u00a0: 0 des 2 preuves présentées et concordantes, 1 modifiées" in french
        and ("modifiée\u00a0: Fillet weld (Photograph)" in french)
        and "non présentée\u00a0: Work experience: welder (Work experience attestation)\n" in french
    ), french
    attestation = cli(home, "verify", str(work), *net)
    assert attestation.returncode == 0 and "registered organisation" in attestation.stdout, attestation.stdout
    # The worker by name, as the employer wrote it, and the employer by the name it signed; the period and tasks.
    assert all(s in attestation.stdout for s in ("holder: Amina Haddad (did:key:", "2024-01-01 to 2025-06-30: MIG",
                                                 "issuer: Stahlbau GmbH (did:ebsi:"))  # fmt: skip
    one_line_error(cli(home, "verify", str(credential), "--evidence", str(tmp_path / "nowhere"), *net), "--evidence")
    _refused_then_recorded(home, net, tmp_path, amina, day)


def _refused_then_recorded(home: Path, net: tuple[str, ...], tmp_path: Path, amina: str, day: str) -> None:
    """A bad assessment writes nothing. The RPL credential and the attestation are in their issuer's
    own records, as `issue`'s are: not taken for what a stopped command anchored ("recovered from the
    journal", as they were)."""
    (tmp_path / "bad.json").write_text(json.dumps({"name": "x", "eqf": 3, "methods": ["guessing"], "date": day}))
    one_line_error(cli(home, "rpl", "issue", "--issuer", "rpl-centre", "--holder", amina, "--assessment",
                       str(tmp_path / "bad.json"), "--assessor-authorisation", str(tmp_path / "sam.jwt"),
                       "--out", str(tmp_path / "never.json"), *net), "an assessment method is one of")  # fmt: skip
    assert not (tmp_path / "never.json").exists() and not (tmp_path / "never.evidence.json").exists()
    # One issuer's records stand for both (`rpl issue` and `attest` record alike, rpl.py's `_record`).
    records = cli(home, "issued", "--issuer", "rpl-centre", *net)
    assert records.stderr == "" and re.match(r"active +did:key:.*  MIG welding \(RPL\)  issued ", records.stdout)


def test_attest_reads_the_days_as_other_commands_read_dates() -> None:
    """`attest --from/--until` as an employer types them (`1 mars 2015`, `25/12/2024`: formats/dates.py);
    an ambiguous one is named with its option and both readings."""
    assert _work_day("1 mars 2015", "--from") == _work_day("2015-03-01", "--from") == 1425168000
    assert _work_day("28/02/2025", "--until") == _work_day("2025-02-28T00:00:00Z", "--until")
    with pytest.raises(InputError, match=r"^--from: '01/03/2015' could be 1 March 2015 or 3 January 2015"):
        _work_day("01/03/2015", "--from")


def test_an_assessment_s_skill_without_a_label_is_refused() -> None:
    """A reader sees a skill by its label: an RPL assessment's skill needs one, as a roster's does (it
    was issued and shown as "(no label)")."""
    skill, base = {"uri": WELDING.uri}, {"name": "RPL", "eqf": 3}
    with pytest.raises(InputError, match=r"^the assessment.s skill 2 \(http://data\.europa\.eu/esco/.*needs a label"):
        _achievement({**base, "skills": [{**skill, "label": "weld"}, {**skill, "label": " "}]}, None)
    assert _achievement({**base, "skills": [{**skill, "label": " weld "}]}, None).skills[0].label == "weld"


def test_a_centres_rpl_and_supervisor_refusals_in_french_and_arabic(tmp_path: Path) -> None:
    """The refusals an RPL centre's clerk and a provider meet before any chain is asked, each one line in the
    run's language (they were English in every language; forced against the old catalogs: English)."""
    (tmp_path / "not-a-manifest.json").write_text("{}")
    runs = {
        ("supervisor", "revoke", "a.jwt", "--issuer", "c", "--untrusted-from", "2026-01-01"): (
            "une révocation pour motif grave demande à la fois --untrusted-from et --record",
            "الإلغاء لسبب يحتاج إلى",
        ),
        ("rpl", "disclose", str(tmp_path / "not-a-manifest.json"), "--item", "x", "--files", str(tmp_path),
         "--out-dir", str(tmp_path / "o")): (
            "n\u2019est pas un manifeste de preuves",
            "ليس بيانًا للأدلة",
        ),
        ("attest", "--employer", "e", "--holder", "h", "--employer-name", "E", "--from", "2020-01-01", "--task", "t",
         "--occupation", WELDER, "--occupation", WELDER, "--out", str(tmp_path / "a.json")): (
            "donnez un seul --occupation URI=label", "أعطِ"
        ),
    }  # fmt: skip
    for args, (french, arabic) in runs.items():
        for lang, said in (("fr", french), ("ar", arabic)):
            refused = cli(tmp_path, "--lang", lang, *args)
            lines = refused.stderr.replace("\u00a0", " ").splitlines()
            assert refused.returncode == 1 and len(lines) == 1 and said in lines[0], refused.stderr
