"""`registry verify` says what a credential certifies: the achievement, its ESCO skills and
occupations with their labels, the EQF level, the dates, the issuer by the legal name its
accreditation states and the holder by the name the credential gives; DIDs shortened in text,
whole in --json. `registry issue` writes the holder's name and document reference into the
credential (never on-chain)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from registry.config import Settings
from registry.formats import jwt
from registry.formats.credential import load_holder_file
from registry.formats.multibase import b64url_decode, b64url_encode
from registry.keystore import Identity, new_natural_person
from registry.ops.issuance import Issuer
from registry.text import short_did
from tests.cli.test_cli import run
from tests.conftest import WELDING, Chain
from tests.helpers.certified import (
    ACADEMY,
    DOCUMENT,
    HOLDER_NAME,
    WELDER,
    academy,
    named_certificate,
    written_elsewhere,
)

__all__ = ["academy"]  # the fixture


def test_issue_names_the_holder_and_verify_says_what_is_certified_and_by_whom(
    settings: Settings, academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    path = tmp_path / "amina.json"
    issued = run(
        settings, "issue", "--issuer", academy.identity.name, "--holder", holder.did, "--name", "MIG/MAG welding",
        "--description", "Welds carbon steel plate.", "--criteria", "Practical test on plate.",
        "--skill", f"{WELDING.uri}={WELDING.label}", "--occupation", f"{WELDER.uri}={WELDER.label}", "--eqf", "4",
        "--holder-name", HOLDER_NAME, "--holder-document", DOCUMENT, "--out", str(path),
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    # Whom, by name, her did:key shortened (text output; --json keeps DIDs whole).
    assert f" to {HOLDER_NAME} ({short_did(holder.did)})" in issued.stdout and holder.did not in issued.stdout
    # The name is in the credential the holder got (what is anchored is only its hash).
    subject = jwt.parse(load_holder_file(path.read_bytes(), str(path)).credential).payload["vc"]["credentialSubject"]
    assert {"type": "IdentityObject", "identityHash": HOLDER_NAME, "identityType": "name", "hashed": False} in (
        subject["identifier"]
    )

    text = run(settings, "verify", str(path))
    assert text.returncode == 0, text.stdout + text.stderr
    lines = text.stdout.splitlines()
    assert "  MIG/MAG welding (Certificate) — EQF level 4" in lines, text.stdout
    for expected in (
        "    description: Welds carbon steel plate.",
        "    criteria: Practical test on plate.",
        f"    skill: {WELDING.label} <{WELDING.uri}>",
        f"    occupation: {WELDER.label} <{WELDER.uri}>",
    ):
        assert expected in lines, text.stdout
    issuer_line = next(line for line in lines if line.startswith("    issuer: "))
    assert issuer_line == f"    issuer: {ACADEMY} ({academy.identity.did})"  # a did:ebsi is short: whole
    holder_line = next(line for line in lines if line.startswith("    holder: "))
    assert holder_line.startswith(f"    holder: {HOLDER_NAME}, document {DOCUMENT} (did:"), holder_line
    assert re.search(r"issued \d{4}-\d\d-\d\dT[\d:]+Z, valid from [\dT:Z-]+, no expiry date", text.stdout)
    # A did:key (56 to 186 characters) is shortened in text: it is printed whole nowhere.
    assert holder.did not in text.stdout
    assert "{'" not in text.stdout and "['" not in text.stdout  # no Python repr of evidence

    as_json = run(settings, "verify", "--json", str(path))
    certifies = json.loads(as_json.stdout)["certifies"]
    assert certifies["issuer"] == {"did": academy.identity.did, "name": ACADEMY}
    assert certifies["holder"] == {"did": holder.did, "name": HOLDER_NAME, "document": DOCUMENT}
    assert certifies["skills"] == [{"uri": WELDING.uri, "label": WELDING.label}]
    assert certifies["occupations"] == [{"uri": WELDER.uri, "label": WELDER.label}]
    assert (certifies["eqf_level"], certifies["valid_until"]) == (4, None)
    # Its claims altered (EQF 4 made 8): the signature fails, and what the file says is shown as nobody's word.
    header, payload, signature = json.loads(path.read_text())["credential"].split(".")
    claims = json.loads(b64url_decode(payload))
    claims["vc"]["credentialSubject"]["achievement"]["alignment"] = []
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**json.loads(path.read_text()), "credential": ".".join(
        [header, b64url_encode(json.dumps(claims).encode()), signature])}))  # fmt: skip
    refused = json.loads(run(settings, "verify", "--json", str(forged)).stdout)
    assert refused["verdict"] == "invalid" and refused["certifies"] is None, refused["summary"]
    # Her passport says whose it is by the name her credentials give.
    made = run(settings, "passport", "create", "--holder", holder.name, "--out", str(tmp_path / "p.json"), str(path))
    assert f"passport of {HOLDER_NAME} ({short_did(holder.did)}) with 1 credential" in made.stdout, made.stdout


def test_markup_and_control_characters_in_what_a_credential_says_are_printed_inert(
    settings: Settings, academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    hostile = "[bold green]VALID[/] <b>x</b> \x1b[2K\u202e"
    path = tmp_path / "hostile.json"
    issued = academy.issue_single(holder.did, written_elsewhere(named_certificate(), name=hostile, holder_name=hostile))
    path.write_text(issued.holder_file.dumps())
    result = run(settings, "verify", str(path))
    assert "  [bold green]VALID[/] <b>x</b> \\x1b[2K\\u202e (Certificate) — EQF level 4" in result.stdout.splitlines()
    assert f"    holder: [bold green]VALID[/] <b>x</b> \\x1b[2K\\u202e, document {DOCUMENT} (did:" in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    # Flagged, naming each field and the character, under a verdict it does not change (formats/flags.py).
    assert result.returncode == 0 and ": VALID: every check passed" in result.stdout.splitlines()[0]
    warned = [line for line in result.stdout.splitlines() if line.startswith("  ! warning: ")]
    assert [line.split('"')[0] for line in warned] == ["  ! warning: holder name ", "  ! warning: achievement name "]
    assert all(line.endswith(' holds a control character (U+001B): another program may show it as other text than '
                             "the one signed (shown here escaped)") for line in warned), warned  # fmt: skip


def test_issuer_check_prints_scopes_as_words_and_the_legal_name(
    settings: Settings, academy: Issuer, chain: Chain
) -> None:
    result = run(settings, "issuer", "check", academy.identity.did, "--rpc", settings.rpc_url, "--deployment",
                 str(settings.deployment_file))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"TI {ACADEMY} ({academy.identity.did})" in result.stdout
    assert result.stdout.startswith(f"{ACADEMY} ({academy.identity.did}): TRUSTED"), result.stdout  # by name
    # A link accredited without a legal name: by this home's name for it, else its DID.
    assert f"accredited by accreditation-body ({chain.tao.did});" in result.stdout
    assert "scope types SkillsCredential, WeldingCertificate;" in result.stdout
    assert "{'" not in result.stdout and "'types'" not in result.stdout


def test_a_roster_names_each_holder_in_their_own_credential(
    settings: Settings, academy: Issuer, holder: Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "holder,name,eqf,occupations,holder_name,holder_document\n"
        f"{holder.did},Welding,3,{WELDER.uri}={WELDER.label},{HOLDER_NAME},{DOCUMENT}\n"
        f"{new_natural_person('second').did},Welding,3,,,\n"  # another person: one row each
    )
    out_dir = tmp_path / "cohort"
    issuer = academy.identity.name
    monkeypatch.setenv("REGISTRY_LANG", "ar")  # a centre's clerk who reads Arabic: what was done, in Arabic
    issued = run(settings, "issue", "--issuer", issuer, "--roster", str(roster), "--out-dir", str(out_dir))
    monkeypatch.delenv("REGISTRY_LANG")
    assert issued.returncode == 0, issued.stderr
    # Its cost per credential as Babel's `ar` writes numbers (Latin digits, a point), the rest in Arabic.
    said = r"^صدرت شهادتان \(2\)؛ جذر الدفعة 0x[0-9a-f]{64} مثبّت في الكتلة \d+ \(\d+ غاز، \d+(\.\d)? لكل شهادة\)$"
    assert re.search(said, issued.stdout.splitlines()[0]), issued.stdout
    reports = json.loads(run(settings, "verify", "--json", *map(str, sorted(out_dir.iterdir()))).stdout)
    holders = [r["certifies"]["holder"] for r in reports]
    assert [(h["name"], h["document"]) for h in holders] == [(HOLDER_NAME, DOCUMENT), (None, None)]
    assert reports[0]["certifies"]["occupations"] == [{"uri": WELDER.uri, "label": WELDER.label}]
    assert all(r["verdict"] == "valid" for r in reports)


def test_a_vcdm2_credential_names_its_holder_and_says_what_it_certifies(
    settings: Settings, academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    path = tmp_path / "v2.json"
    issued = run(
        settings, "issue", "--issuer", academy.identity.name, "--holder", holder.did, "--name", "Pipe welding",
        "--skill", f"{WELDING.uri}={WELDING.label}", "--eqf", "3", "--holder-name", HOLDER_NAME,
        "--valid-until", "2099-01-01", "--profile", "vcdm2", "--out", str(path),
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    report = json.loads(run(settings, "verify", "--json", str(path)).stdout)
    assert report["verdict"] == "valid", report["summary"]
    certifies = report["certifies"]
    assert (certifies["name"], certifies["eqf_level"], certifies["valid_until"]) == (
        "Pipe welding",
        3,
        "2099-01-01T23:59:59Z",  # a date given to --valid-until includes that whole day, UTC
    )
    assert certifies["holder"] == {"did": holder.did, "name": HOLDER_NAME, "document": None}
    assert certifies["issuer"]["name"] == ACADEMY


def test_a_credential_too_large_for_any_verifier_is_refused_before_it_is_anchored(
    settings: Settings, academy: Issuer, holder: Identity
) -> None:
    # Each text within its bound, but 150 skills of long labels: a 2 MB roster row was issued and
    # anchored as a credential no verifier reads (jwt.MAX_TOKEN_BYTES).
    from registry.chain.txmanager.journal import Journal
    from registry.errors import InputError
    from registry.formats.credential import Skill

    before = len(Journal(settings.journal_file, read_only=True).all())
    huge = named_certificate(skills=tuple(Skill(WELDING.uri, f"{n} " + "x" * 1900) for n in range(150)))
    with pytest.raises(InputError, match=r"would be \d+ KiB, more than a verifier reads .* nothing was anchored"):
        academy.issue_single(holder.did, huge)
    assert len(Journal(settings.journal_file, read_only=True).all()) == before
