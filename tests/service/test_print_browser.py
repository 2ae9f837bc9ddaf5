"""The page and a passport, in a real browser (Debian's Chromium, driven by Playwright): the summary
of competencies comes first, the print stylesheet shows the summary and each credential's verdict
but not the form, the pasted JSON or the check-by-check details, and a QR code's "SKC1:" payload,
as the page's scanner hands it over, is checked like the file it carries."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from registry.formats.qrpayload import pack
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport
from tests.conftest import welding_certificate
from tests.service.test_service_browser import ARTIFACTS, browser, open_and_read_verdict, page, read_verdict, sync_api
from tests.service.test_service_browser import valid_and_revoked as two_credentials

pytest_plugins = ("tests.helpers.service_fixtures",)
__all__ = ["browser", "page"]  # the fixtures


def test_a_passport_shows_its_summary_first_and_prints_without_the_form(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    valid, revoked = two_credentials(issuer, holder)
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(create_passport(holder, [valid, revoked])))
    verdict, _, _ = open_and_read_verdict(page, path, "passport-summary")
    assert verdict == "invalid"
    summary = page.locator("#summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert text.startswith("Summary of competencies") and "1 of 2 credentials are valid and count" in text
    assert "apply arc welding techniques (EQF level 4)" in text
    assert [li.get_attribute("data-verdict") for li in summary.locator("ul.programmes li").all()] == [
        "valid",
        "revoked",
    ]
    # First: above the passport's own checks and the credentials' evidence.
    top = summary.bounding_box()
    assert top is not None
    for below in ("#checks", "#credentials"):
        box = page.locator(below).bounding_box()
        assert box is not None and box["y"] > top["y"], below

    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "passport-print.png"), full_page=True)
    for hidden in ("#verify-form", "#credential", "#checks", "nav", "footer", "#credentials ul.checks"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("#summary").is_visible() and page.locator("#verdict").is_visible()
    panels = page.locator("#credentials details.credential").all()
    assert [p.locator(".badge").inner_text() for p in panels] == ["Valid", "Revoked"]
    assert all(p.get_attribute("open") is not None for p in panels)  # each prints its facts
    page.emulate_media(media="screen")
    assert page.locator("#verify-form").is_visible()


def test_a_qr_codes_payload_is_checked_like_the_file_it_carries(
    page: sync_api.Page, issuer: Issuer, holder: Identity
) -> None:
    ends = int(time.time()) + 2  # a first-aid certificate that expires while the others are issued
    brief = issuer.issue_single(holder.did, replace(welding_certificate(), name="First aid"), valid_until=ends)
    valid, revoked = two_credentials(issuer, holder)
    page.goto("/?lang=fr")
    for holder_file, expected in ((valid, "valid"), (revoked, "revoked")):
        page.fill("#credential", pack(holder_file.to_json()))  # what the scanner puts there
        assert read_verdict(page, lambda: page.click("#verify")) == expected
    # A code's text cut short (copied in part): nothing to judge, so no verdict, and what to do, in her language.
    page.fill("#credential", pack(valid.to_json())[:1500])
    assert read_verdict(page, lambda: page.click("#verify")) == "error"
    assert page.locator("#verdict h2").inner_text() == "Ce code QR n\u2019a pas pu être lu"
    assert "Scannez de nouveau le code" in page.locator("#verdict").inner_text()
    # Expired: not valid now, but genuine: its content is not called unreliable as a forgery's is.
    time.sleep(max(0.0, ends + 1 - time.time()))
    page.fill("#credential", pack(brief.holder_file.to_json()))
    assert read_verdict(page, lambda: page.click("#verify")) == "invalid"
    note = page.locator("#unconfirmed").inner_text()
    assert note.startswith("Authentique, telle que son émetteur l\u2019a signée et ancrée") and "fiable" not in note
