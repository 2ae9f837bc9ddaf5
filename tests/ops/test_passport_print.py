"""The printed passport's PDF, made offline (pure): a credential too large for a QR code is printed
as a link to the service's record of its hash, or refused in one line without a service; the PDF is
rendered by PDFium and its codes read back by zxing-cpp. (The chain round trip, with verdicts, is
tests/cli/test_passport_print.py.)"""

from __future__ import annotations

import base64
import json
import os

import pypdfium2
import pytest
import zxingcpp

from registry import i18n
from registry.errors import InputError
from registry.formats.credential import HolderFile, credential_hash
from registry.formats.qrpayload import PREFIX, QR_ALPHANUMERIC_CAPACITY_L, pack
from registry.ops.passport_print import code_for, render
from registry.ops.verify.summary import summarise


def _part(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token_of(size: int) -> str:
    """A compact JWS whose payload carries `size` random bytes (they do not compress)."""
    payload = json.dumps({"vc": {"noise": os.urandom(size).hex()}}).encode()
    return ".".join((_part(b'{"alg":"ES256"}'), _part(payload), _part(os.urandom(64))))


def report_of(files: list[HolderFile]) -> dict[str, object]:
    credentials = [
        {"source": f"#{n}", "verdict": "valid", "summary": "VALID: every check passed", "checks": [],
         "credential": {"achievement": f"Course {n}"}, "certifies": None, "checked_at": ""}
        for n in range(1, len(files) + 1)
    ]  # fmt: skip
    return {"holder": "did:key:zAmina", "summary": "VALID", "credentials": credentials,
            "competencies": summarise(credentials, "did:key:zAmina")}  # type: ignore[arg-type]  # fmt: skip


def test_a_credential_too_large_for_a_code_is_linked_by_its_hash() -> None:
    small, large = HolderFile(credential=token_of(500)), HolderFile(credential=token_of(3000))
    assert len(pack(large.to_json())) > QR_ALPHANUMERIC_CAPACITY_L
    with pytest.raises(InputError, match="give --service URL"):
        code_for(large, None)
    link = code_for(large, "https://registry.example/")
    assert not link.whole
    assert link.text == f"https://registry.example/timestamp/v4/timestamps/0x{credential_hash(large.credential).hex()}"
    drawn: list[int] = []  # a long print shows its progress: each credential's page once drawn
    pdf = render(report_of([small, large]), [small, large], "https://registry.example", progress=drawn.append)
    assert drawn == [1, 1]
    assert pdf.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(pdf)
    read = [
        c.text
        for page in document
        for c in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)
    ]
    document.close()
    assert read[0].startswith(PREFIX) and read[1] == link.text


def test_a_credential_without_an_expiry_date_says_so_in_words() -> None:
    files = [HolderFile(credential=token_of(200)), HolderFile(credential=token_of(200))]
    report = report_of(files)
    dated = {"name": "Welding", "issued": "2026-01-02T00:00:00Z", "valid_until": "2027-01-02T00:00:00Z"}
    report["credentials"][0]["certifies"] = {"name": "Safety", "issued": "2026-01-01T00:00:00Z"}  # type: ignore[index]
    report["credentials"][1]["certifies"] = dated  # type: ignore[index]
    document = pypdfium2.PdfDocument(render(report, files, None))
    text = [page.get_textpage().get_text_range() for page in document]
    document.close()
    assert "Issued 2026-01-01 00:00 UTC; no expiry date" in text[1] and "valid until" not in text[1]
    assert "Issued 2026-01-02 00:00 UTC; valid until 2027-01-02 00:00 UTC" in text[2]
    assert "registered organisation" not in text[1]


def test_a_work_experience_attestation_says_who_attested_it_and_that_no_root_applies() -> None:
    files = [HolderFile(credential=token_of(200))]
    report = report_of(files)
    credential = report["credentials"][0]  # type: ignore[index]
    credential["certifies"] = {"name": "Work experience: welder", "issuer": {"did": "did:ebsi:zE", "name": "Stahlbau"}}
    credential["checks"] = [{"name": "assurance", "outcome": "pass", "message": "", "evidence": {}}]
    english = _printed_in("en", report, files)[1]
    assert "Issuer: Stahlbau did:ebsi:zE" in english and "Root TAO" not in english, english
    assert "Attested by a registered organisation, not an accredited awarding body" in english
    assert "Attestée par un organisme enregistré" in _printed_in("fr", report, files)[1]


def _printed_in(language: str, report: dict[str, object], files: list[HolderFile]) -> list[str]:
    i18n.use(language)
    try:
        document = pypdfium2.PdfDocument(render(report, files, None))
    finally:
        i18n.use(i18n.DEFAULT)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def test_the_pdf_speaks_the_runs_language_and_writes_arabic_joined_in_its_order() -> None:
    files = [HolderFile(credential=token_of(200))]
    report = report_of(files)
    report["competencies"]["holder"] = {"name": "محمد الأحمد"}  # type: ignore[index]
    report["credentials"][0]["certifies"] = {"name": "Soudage", "issued": "2026-01-02T03:04:05Z"}  # type: ignore[index]
    french = _printed_in("fr", report, files)
    assert french[0].startswith("Passeport de compétences") and "Synthèse des compétences" in french[0]
    assert "Délivrée le 2026-01-02 03:04 UTC" in french[1] and "Émetteur" in french[1]
    arabic = _printed_in("ar", report, files)
    # Shaped and reordered by HarfBuzz and the bidi algorithm, the name reads back in its own order
    # (an unshaped PDF stores it reversed: "دمحم"); an ISO time is printed for a reader.
    assert "جواز المهارات" in arabic[0] and "محمد" in arabic[0] and "دمحم" not in arabic[0], arabic[0]
    assert "صدرت في" in arabic[1] and "2026-01-02" in arabic[1] and "T03:04" not in arabic[1], arabic[1]


def test_a_recognition_finding_and_the_holder_s_names_are_printed_in_the_run_s_language() -> None:
    """`passport print --recognised-in`: each credential's page says what the authority recognises it
    as, the summary its national equivalents, as `verify` says them (French too); every name the
    credentials give the holder is printed, not the first alone (one name's writings said to be one)."""
    files = [HolderFile(credential=token_of(200)), HolderFile(credential=token_of(200))]
    report = report_of(files)
    decision = {"id": "0x0b54", "qualification": "Schweißer/in", "framework_name": "DQR", "level": "4",
                "conditions": "with a practical test"}  # fmt: skip
    finding = {"authority": "did:ebsi:zOffice", "authority_name": "Federal Recognition Office", "outcome": "recognised",
               "message": "recognised here as Schweißer/in (level 4 of DQR), decision 0x0b54dc9e… of 2026-12-07, "
               "conditions: with a practical test", "decisions": [decision], "not_applying": []}  # fmt: skip
    for number, holder in ((1, "Amina Yusuf"), (2, "AMINA YUSUF")):
        certifies = {"name": f"Welding {number}", "holder": {"did": "did:key:zAmina", "name": holder}}
        report["credentials"][number - 1]["certifies"] = certifies  # type: ignore[index]
    report["credentials"][0]["recognition"] = finding  # type: ignore[index]
    report["competencies"] = summarise(report["credentials"], "did:key:zAmina")  # type: ignore[arg-type]
    english = _printed_in("en", report, files)
    flat = [page.replace("\r\n", " ").replace("\n", " ") for page in english]
    assert ("national equivalents by Federal Recognition Office: #1 Schweißer/in (level 4 of DQR, conditions: "
            "with a practical test)") in flat[0], flat[0]  # fmt: skip
    assert 'one name (letter case): "Amina Yusuf" (#1); "AMINA YUSUF" (#2)' in flat[0], flat[0]
    assert ("recognition by Federal Recognition Office: recognised here as Schweißer/in (level 4 of DQR), decision "
            "0x0b54dc9e… of 2026-12-07") in flat[1], flat[1]  # fmt: skip
    assert "recognition" not in flat[2]
    french = [page.replace("\r\n", " ").replace("\n", " ") for page in _printed_in("fr", report, files)]
    assert "reconnue ici comme Schweißer/in (niveau 4 de DQR), décision 0x0b54dc9e… du 2026-12-07" in french[1], french[
        1
    ]
    assert "équivalents nationaux selon Federal Recognition Office" in french[0], french[0]


def test_a_quoted_name_and_its_numbers_read_left_to_right_in_an_arabic_line() -> None:
    """In a right-to-left line, each name the credentials give the holder stays whole with its quotes and
    numbers (an isolate of its own), as a DID or a date does: '"Amina Haddad" (#1)', not 'amina" (#2)'."""
    from registry.ops.passport_print import _LEFT_TO_RIGHT

    line = 'اسم واحد: "Amina Haddad" (#1)\u061b "AMINA HADDAD" (#2, #3)'
    assert [m.group() for m in _LEFT_TO_RIGHT.finditer(line)] == ['"Amina Haddad" (#1)', '"AMINA HADDAD" (#2, #3)']


def test_an_arabic_line_isolates_the_names_in_it_and_joins_its_lists_the_arabic_way() -> None:
    """A recognition or national-equivalents line in Arabic that begins with a Latin name: each name (the
    authority's, the qualification's, the framework's) and a credential's number in an isolate of its own, so the
    line reads right to left with its colon where Arabic puts it (before: 'Federal Recognition Office: #1
    Schweißer/in' was one left-to-right run, its colon and number inside it, checked on the rendered page); the
    issuers joined with the Arabic semicolon. English lines are left as they are."""
    from fpdf import FPDF

    from registry.ops.passport_print import _Page, _summary

    i18n.use("ar")
    try:
        page = _Page(FPDF(), "DejaVu")
        line = "المعادلات الوطنية حسب Federal Recognition Office: #1 Schweißer/in (المستوى 4 من DQR)"
        names = ["Federal Recognition Office", "Schweißer/in", "DQR", None]
        assert page._text(line, names) == (
            "المعادلات الوطنية حسب \u2068Federal Recognition Office\u2069: \u2066#1\u2069 \u2068Schweißer/in\u2069 "
            "(المستوى 4 من \u2068DQR\u2069)"
        )
        said: list[str] = []
        page.line = lambda text, size=10, names=(): said.append(text)  # type: ignore[method-assign]
        page.heading = lambda text, size=14: None  # type: ignore[method-assign]
        page.pdf.add_page()
        issuers = [{"name": "Welding School", "did": "did:ebsi:zA"}, {"name": "Safety Centre", "did": "did:ebsi:zB"}]
        _summary(page, {"note": "", "issuers": issuers, "programmes": []}, {})
        assert "Welding School\u061b Safety Centre" in said[-1], said
    finally:
        i18n.use(i18n.DEFAULT)
    assert _Page(FPDF(), "DejaVu")._text("Issuers: Welding School", ["Welding School"]) == "Issuers: Welding School"
