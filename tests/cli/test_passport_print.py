"""The printed passport, through the real `registry` command on a real anvil: `passport create`
leaves out a revoked credential (and keeps it when asked), `passport print` writes a PDF whose
QR codes, rendered by PDFium and read back by zxing-cpp, each carry a whole credential that
`registry verify` checks: VALID for the valid ones, REVOKED for the revoked one. `verify` shows
the passport's summary of competencies first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pypdfium2
import zxingcpp

from registry.config import Settings
from registry.formats.credential import Skill
from registry.formats.qrpayload import PREFIX, QR_ALPHANUMERIC_CAPACITY_L
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose
from tests.conftest import PASSPHRASE, welding_certificate
from tests.helpers.commands import registry_in_process

SAFETY = Skill(
    "http://data.europa.eu/esco/skill/51754b8a-3e2c-4cc1-86e6-cf510d9c6fe4", "use personal protection equipment"
)


def run(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    env.pop("REGISTRY_RPC_URL", None)
    argv = ["--home", str(settings.home), *args]
    if stdin is None:
        return registry_in_process(argv, env)  # tests/helpers/commands.py
    # `verify -` reads the process's own stdin (its file descriptor): a real process.
    command = [sys.executable, "-m", "registry", *argv]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=180, input=stdin)


def read_codes(pdf: Path) -> list[str]:
    """Every QR code on every page of the PDF, as PDFium renders it (200 dpi) and zxing-cpp reads it."""
    found: list[str] = []
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for page in document:
            image = page.render(scale=200 / 72).to_pil()
            found.extend(
                code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode
            )
    finally:
        document.close()
    return found


def issue_three(issuer: Issuer, holder: Identity, tmp_path: Path) -> list[Path]:
    """Welding (EQF 4, single), safety (EQF 3, a cohort member) and a second welding certificate to revoke."""
    safety = replace(welding_certificate(), name="Workplace safety", skills=(SAFETY,), eqf_level=3)
    single = issuer.issue_single(holder.did, welding_certificate()).holder_file
    cohort = issuer.issue_cohort([(holder.did, safety), (holder.did, safety)]).holder_files[0]
    doomed = issuer.issue_single(holder.did, replace(welding_certificate(), name="TIG welding")).holder_file
    issuer.change_status([doomed.credential], Purpose.REVOCATION, set_=True, reason=1)
    paths = []
    for name, holder_file in (("welding", single), ("safety", cohort), ("tig", doomed)):
        path = tmp_path / f"{name}.json"
        path.write_text(holder_file.dumps())
        paths.append(path)
    return paths


def test_a_printed_passports_codes_read_back_and_verify(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    ends = int(time.time()) + 2  # a first-aid certificate that expires while the others are issued
    brief = issuer.issue_single(holder.did, replace(welding_certificate(), name="First aid"), valid_until=ends)
    (expired := tmp_path / "first-aid.json").write_text(brief.holder_file.dumps())
    files = issue_three(issuer, holder, tmp_path)
    rpc = ("--rpc", settings.rpc_url)
    time.sleep(max(0.0, ends + 1 - time.time()))
    _leaves_out_the_revoked_and_the_expired(settings, holder, [*files, expired], tmp_path / "lean.json")
    # Asked to, it keeps it (and says so); the summary counts only the valid ones.
    passport = tmp_path / "passport.json"
    kept = run(settings, "--lang", "fr", "passport", "create", "--holder", holder.name, "--out", str(passport),
               "--include-withdrawn", *rpc, *map(str, files))  # fmt: skip
    assert kept.returncode == 0, kept.stderr
    assert "tig.json incluse comme demandé, bien que révoquée le " in kept.stderr, kept.stderr
    assert "avec 3 attestations écrit dans" in kept.stdout
    verified = run(settings, "verify", "--json", *rpc, "--deployment", str(settings.deployment_file), str(passport))
    summary = json.loads(verified.stdout)["competencies"]
    assert summary["counted"] == 2 and summary["highest_eqf_level"] == 4
    assert [(p["name"], p["verdict"]) for p in summary["programmes"]] == [
        ("MIG/MAG welding, level 2", "valid"),
        ("Workplace safety", "valid"),
        ("TIG welding", "revoked"),
    ]
    assert {a["label"]: a["eqf_level"] for a in summary["skills"]}[SAFETY.label] == 3
    text = run(settings, "verify", *rpc, "--deployment", str(settings.deployment_file), str(passport)).stdout
    assert text.index("competencies:") < text.index("holder signature")

    pdf = tmp_path / "passport.pdf"
    kept_list = settings.trust_list_file.read_bytes()
    settings.trust_list_file.unlink()  # the worker has no trust list of her own
    printed = run(settings, "passport", "print", str(passport), "--out", str(pdf), *rpc)
    settings.trust_list_file.write_bytes(kept_list)  # the employer who scans the codes below has one
    assert printed.returncode == 0, printed.stderr
    first_page = pypdfium2.PdfDocument(str(pdf))[0].get_textpage().get_text_range()
    # Printed without a trust list, the page leaves the root to its reader instead of saying ROOT NOT TRUSTED.
    assert "ROOT NOT TRUSTED" not in first_page and "No trust list was applied" in first_page, first_page
    assert "Printed: " in first_page and holder.did[:20] in first_page.replace("\r\n", "").replace("\n", "")
    _names_its_root(pdf, json.loads(verified.stdout))
    codes = read_codes(pdf)
    assert len(codes) == 3 and all(c.startswith(PREFIX) and len(c) <= QR_ALPHANUMERIC_CAPACITY_L for c in codes)
    verdicts = []
    for code in codes:
        checked = run(
            settings, "verify", "--json", *rpc, "--deployment", str(settings.deployment_file), "-", stdin=code
        )
        report = json.loads(checked.stdout)
        verdicts.append((report["credential"]["achievement"], report["verdict"], checked.returncode))
    assert [v[1:] for v in verdicts] == [("valid", 0), ("valid", 0), ("revoked", 1)], verdicts
    assert verdicts[2][0] == "TIG welding"


def _leaves_out_the_revoked_and_the_expired(settings: Settings, holder: Identity, files: list[Path], out: Path) -> None:
    """By default the revoked credential is left out, and said so; so is the expired one (an employer
    would find it not valid), in her language. One altered since it was issued refuses the passport."""
    from registry.formats.multibase import b64url_decode, b64url_encode

    data = json.loads(files[0].read_text())
    head, body, signature = data["credential"].split(".")
    claims = json.loads(b64url_decode(body))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Master welder"  # hers, but not as signed
    data["credential"] = ".".join([head, b64url_encode(json.dumps(claims).encode()), signature])
    (altered := out.parent / "altered.json").write_text(json.dumps(data))
    refused = run(settings, "passport", "create", "--holder", holder.name, "--out", str(out),
                  "--rpc", settings.rpc_url, *map(str, files), str(altered))  # fmt: skip
    assert refused.returncode == 1 and not out.exists(), refused.stderr
    assert refused.stderr.startswith(f"error: {altered} is not genuine (signature: "), refused.stderr
    created = run(settings, "--lang", "fr", "passport", "create", "--holder", holder.name, "--out", str(out),
                  "--rpc", settings.rpc_url, *map(str, files))  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "tig.json écartée\u00a0: révoquée le " in created.stderr and ": délivrée par erreur (" in created.stderr
    assert "first-aid.json écartée\u00a0: expirée le " in created.stderr, created.stderr
    assert "avec 2 attestations" in created.stdout


def _names_its_root(pdf: Path, report: dict) -> None:
    """Each credential's page names the Root TAO its issuer is accredited under, as the first page says."""
    welding_page = pypdfium2.PdfDocument(str(pdf))[1].get_textpage().get_text_range()
    checks = report["credentials"][0]["checks"]
    root_did = next(c["evidence"]["root"] for c in checks if c["name"] == "accreditation")
    assert "Accredited under Root TAO: " in welding_page and root_did in welding_page, welding_page


def test_print_refuses_to_overwrite_and_a_bad_code_is_a_one_line_error(settings: Settings, tmp_path: Path) -> None:
    pdf = tmp_path / "there.pdf"
    pdf.write_bytes(b"mine")
    refused = run(settings, "passport", "print", str(tmp_path / "nothing.json"), "--out", str(pdf))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert pdf.read_bytes() == b"mine"
    # A credential file given for a passport: said so, with how to make one of it.
    (credential := tmp_path / "c.json").write_text('{"format": "skills-credential/1", "credential": "a.b.c"}')
    alone = run(settings, "--lang", "fr", "passport", "print", str(credential), "--out", str(tmp_path / "c.pdf"))
    assert alone.returncode == 1 and "est un fichier d\u2019attestation, pas un passeport" in alone.stderr, alone.stderr
    # A code's text cut short or misread is no credential to judge: a usage error (64), never INVALID.
    garbled = run(settings, "verify", "-", stdin=PREFIX + "NOT BASE45 AT ALL!")
    assert garbled.returncode == 64 and "Traceback" not in garbled.stderr and not garbled.stdout
    assert "stdin is not a whole QR code's text (not Base45 after SKC1:): scan the code again" in garbled.stderr


def test_a_status_that_cannot_be_checked_is_said_and_the_credential_kept(
    settings: Settings, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    credential = tmp_path / "welding.json"
    credential.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    for n, options in enumerate((("--rpc", "http://127.0.0.1:9"), ())):  # a node that does not answer; none named
        passport = tmp_path / f"p{n}.json"
        made = run(settings, "passport", "create", "--holder", holder.name, "--out", str(passport), *options,
                   str(credential))  # fmt: skip
        assert made.returncode == 0, made.stderr
        assert "with 1 credential" in made.stdout and passport.exists()
        assert "not checked" in made.stderr and "left out" not in made.stderr, made.stderr
        assert "Traceback" not in made.stderr
    # Printed with no chain to read: the PDF is written (its codes carry the credentials), and she is told
    # not to hand over one that says "could not determine" of each, in her language.
    pdf = tmp_path / "p0.pdf"
    printed = run(settings, "--lang", "fr", "passport", "print", str(tmp_path / "p0.json"), "--out", str(pdf),
                  "--rpc", "http://127.0.0.1:9")  # fmt: skip
    assert printed.returncode == 0 and pdf.read_bytes().startswith(b"%PDF-"), printed.stderr
    assert printed.stderr.startswith("avertissement\u00a0: la chaîne n\u2019a pas pu être lue (cannot reach"), (
        printed.stderr
    )
    assert "imprimez-le de nouveau avant de le remettre" in printed.stderr
