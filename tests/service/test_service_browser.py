"""The web page in a real browser (Debian's headless Chromium, driven by Playwright): a person
opens a valid, a revoked and a tampered credential, and a skills passport, and reads each
verdict on screen, and what a valid credential certifies (skills, EQF level, issuer by name).

Screenshots are kept under test-artifacts/service-browser/.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.config import Settings
from registry.formats.credential import HolderFile, Skill
from registry.keystore import Identity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport, sign_presentation
from registry.ops.registry import Purpose, Registry
from registry.ops.trust import Trust
from registry.service.config import from_environment
from tests.conftest import WELDING, Chain, welding_certificate
from tests.helpers.certified import (
    ACADEMY,
    DOCUMENT,
    HOLDER_NAME,
    WELDER,
    academy,
    europass_academy,
    named_certificate,
    written_elsewhere,
)
from tests.helpers.service_helpers import start_service
from tests.service.test_service_verify import tamper

pytest_plugins = ("tests.helpers.service_fixtures",)
__all__ = ["academy", "europass_academy"]  # the fixtures

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "service-browser"

sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: sync_api.Browser, service: str) -> Iterator[sync_api.Page]:
    # A phone-sized viewport: the page must be readable there.
    context = browser.new_context(base_url=service, viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def read_verdict(page: sync_api.Page, act: Callable[[], object]) -> str:
    """Do `act` (which makes the page answer) and wait for the answer; return the verdict."""
    page.evaluate("() => { const box = document.querySelector('#verdict'); if (box) box.dataset.verdict = 'waiting'; }")
    act()
    page.wait_for_function(
        "() => !['pending', 'waiting', undefined].includes(document.querySelector('#verdict').dataset.verdict)",
        timeout=10_000,
    )
    return str(page.locator("#verdict").get_attribute("data-verdict"))


def open_and_read_verdict(page: sync_api.Page, path: Path, shot: str) -> tuple[str, str, dict[str, str]]:
    """Open the file in the form; return (verdict, the text on screen, outcome per check)."""
    page.goto("/")
    page.set_input_files("#file", str(path))
    verdict = page.locator("#verdict")
    page.wait_for_function("() => !['pending', undefined].includes(document.querySelector('#verdict').dataset.verdict)")
    checks = {
        str(item.get_attribute("data-check")): str(item.get_attribute("data-outcome"))
        for item in page.locator("#checks li").all()
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    return str(verdict.get_attribute("data-verdict")), verdict.inner_text(), checks


def valid_and_revoked(issuer: Issuer, holder: Identity) -> tuple[HolderFile, HolderFile]:
    """Two fresh credentials for the holder; the second revoked for fraud (reason 2)."""
    valid = issuer.issue_single(holder.did, welding_certificate()).holder_file
    revoked = issuer.issue_single(holder.did, welding_certificate()).holder_file
    issuer.change_status([revoked.credential], Purpose.REVOCATION, set_=True, reason=2)
    return valid, revoked


def test_a_person_sees_valid_revoked_and_tampered_verdicts(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    valid, revoked = valid_and_revoked(issuer, holder)
    files = {"valid": tmp_path / "valid.json", "revoked": tmp_path / "revoked.json", "tampered": tmp_path / "t.jwt"}
    files["valid"].write_text(valid.dumps())
    files["revoked"].write_text(revoked.dumps())
    files["tampered"].write_text(tamper(valid.credential))

    verdict, text, checks = open_and_read_verdict(page, files["valid"], "valid")
    assert verdict == "valid"
    assert text.startswith("Valid")
    assert set(checks.values()) == {"pass"}
    assert page.locator("#facts").inner_text().count("MIG/MAG welding") == 1
    assert page.locator("#unconfirmed").is_hidden()

    verdict, text, checks = open_and_read_verdict(page, files["revoked"], "revoked")
    assert verdict == "revoked"
    assert "withdrawn" in text and "fraud" in text
    assert checks["revocation status"] == "fail"

    verdict, text, checks = open_and_read_verdict(page, files["tampered"], "tampered")
    assert verdict == "invalid"
    assert text.startswith("Not valid")
    assert checks["signature"] == "fail"
    assert (
        page.locator('#checks li[data-check="signature"]')
        .inner_text()
        .startswith("The issuer's signature does not match the content")
    )
    # What the altered file says is shown under a warning, not as facts.
    assert page.locator("#unconfirmed").inner_text().startswith("What the file says, not confirmed")
    assert page.locator("#unconfirmed").is_visible()


def test_the_issuer_page_shows_the_accreditation_chain(page: sync_api.Page, chain: Chain) -> None:
    page.goto(f"/issuer?did={chain.ti.did}")
    page.wait_for_selector("#chain li")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "issuer.png"), full_page=True)
    assert page.locator("#verdict").get_attribute("data-verdict") == "valid"
    links = page.locator("#chain li .what").all_inner_texts()
    assert links == [
        f"Trusted issuer (TI): {chain.ti.did}",
        f"Accreditation body (TAO): {chain.tao.did}",
        f"Top authority (Root TAO): {chain.root.did}",
    ]
    # Its accreditation's history (the trusted issuers API's revisions), under the chain.
    page.wait_for_selector("#history li")
    first = page.locator("#history li").first
    assert first.get_attribute("data-change") == "accredited"
    assert f"Accredited by {chain.tao.did}" in first.inner_text()
    assert page.locator("#history .badge").count() == 0  # no date asked

    # As of a date before it was accredited: not accredited then, and every revision came after.
    page.fill("#at", "2020-01-01")
    page.evaluate("() => { document.querySelector('#verdict').dataset.verdict = 'waiting'; }")
    page.click("button[type=submit]")
    page.wait_for_selector("#history li")
    assert page.locator("#verdict").get_attribute("data-verdict") == "invalid"
    after = page.locator("#history li").evaluate_all("items => items.map((li) => li.dataset.afterDate)")
    assert after and set(after) == {"true"}
    assert page.locator("#history li .badge").first.inner_text() == "after the date asked"


def test_a_passport_is_laid_out_credential_by_credential(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    valid, revoked = valid_and_revoked(issuer, holder)
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(create_passport(holder, [valid, revoked])))

    verdict, text, checks = open_and_read_verdict(page, path, "passport")
    assert verdict == "invalid"
    assert text.startswith("Not all valid") and "1 of 2" in text
    assert checks == {
        "holder signature": "pass",
        "holder binding": "pass",
        "presentation time": "pass",
        "distinct credentials": "pass",
    }
    panels = page.locator("#credentials details.credential").all()
    assert [p.get_attribute("data-verdict") for p in panels] == ["valid", "revoked"]
    assert [p.locator(".badge").inner_text() for p in panels] == ["Valid", "Revoked"]
    # The one that is not valid is open, with its reason and its checks in words.
    assert panels[1].get_attribute("open") is not None and panels[0].get_attribute("open") is None
    assert "fraud" in panels[1].inner_text()
    revocation = panels[1].locator('li[data-check="revocation status"]')
    assert revocation.get_attribute("data-outcome") == "fail"
    assert revocation.inner_text().startswith("Revoked by the issuer")


def test_the_pages_load_without_a_console_error_or_a_failed_request(browser: sync_api.Browser, service: str) -> None:
    """The site icon included: a 404 for /favicon.ico shows as a console error on every page."""
    context = browser.new_context(base_url=service)
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    try:
        for path in ("/", "/issuer"):
            page.goto(path, wait_until="networkidle")
            icon = page.evaluate("() => document.querySelector('link[rel=icon]')?.href")
            assert icon, path
            assert page.request.get(icon).status == 200
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])
def test_the_api_docs_render_offline(browser: sync_api.Browser, service: str, path: str, rendered: str) -> None:
    """Every request to another host fails, as it does on a machine without the internet: the
    docs are drawn from the service's own copies of Swagger UI and ReDoc. (ReDoc still asks its
    CDN for the small Redocly logo in its sidebar; nothing else.)"""
    context = browser.new_context(base_url=service)
    elsewhere: list[str] = []

    def offline(route: sync_api.Route) -> None:
        if route.request.url.startswith((service, "blob:", "data:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    page = context.new_page()
    try:
        page.goto(path)
        title = page.wait_for_selector(rendered, timeout=15_000)
        assert title is not None and "Skills credential registry" in title.inner_text()
        page.wait_for_load_state("networkidle")
        if path == "/redoc":
            elsewhere = [url for url in elsewhere if not url.endswith("/logo-mini.svg")]
        assert elsewhere == []
    finally:
        context.close()


# Day arithmetic in UTC, the day a date means everywhere (registry/formats/dates.py).
UTC_DAY = """(offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10)"""


def test_the_date_field_never_asks_about_the_future(
    browser: sync_api.Browser, service: str, issuer: Issuer, holder: Identity, chain: Chain
) -> None:
    """Today (UTC) asks about now (no `at`), a past day sends the day itself, which the service reads
    as the CLI does (its end, UTC), and a future day is refused on the page; on both pages. A
    reader's time zone far from UTC (so the reader's day and the UTC day differ for half of every
    day) changes nothing: the day is UTC's."""
    context = browser.new_context(base_url=service, timezone_id="Pacific/Kiritimati")  # UTC+14
    page = context.new_page()
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url + " " + (request.post_data or "")))
    try:
        valid = issuer.issue_single(holder.did, welding_certificate()).holder_file
        page.goto("/")
        today, yesterday, tomorrow = (page.evaluate(UTC_DAY, n) for n in (0, -1, 1))
        page.fill("#credential", valid.dumps())

        page.fill("#at", today)
        assert read_verdict(page, lambda: page.click("#verify")) == "valid"
        assert '"at"' not in sent[-1]

        page.fill("#at", yesterday)
        # Issued today, so not issued yet at the end of yesterday: its own verdict, not "Not valid".
        assert read_verdict(page, lambda: page.click("#verify")) == "not yet issued"
        assert page.locator("#verdict-title").inner_text() == "Not yet issued on that date"
        assert json.loads(sent[-1].split(" ", 1)[1])["at"] == yesterday

        count = len(sent)
        page.fill("#at", tomorrow)
        assert read_verdict(page, lambda: page.click("#verify")) == "error"
        assert "the registry can only answer up to now" in page.locator("#verdict").inner_text()
        assert page.locator("#verdict-title").inner_text() == "Date in the future"
        assert len(sent) == count

        page.goto("/issuer")
        page.fill("#did", chain.ti.did)
        page.fill("#at", today)
        assert read_verdict(page, lambda: page.click("button[type=submit]")) == "valid"
        page.wait_for_selector("#history li")  # then its history, read after the check
        checked = [url for url in sent if "/check?" in url]
        assert checked and "at=" not in checked[-1]
        count = len(sent)
        page.fill("#at", tomorrow)
        assert read_verdict(page, lambda: page.click("button[type=submit]")) == "error"
        assert "the registry can only answer up to now" in page.locator("#verdict").inner_text()
        assert len(sent) == count
    finally:
        context.close()


@pytest.mark.parametrize("failure", ["holder signature", "holder binding"])
def test_a_passport_that_fails_its_holder_check_shows_no_credential_as_valid(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path, failure: str
) -> None:
    mine = issuer.issue_single(holder.did, welding_certificate()).holder_file
    if failure == "holder signature":
        impostor = new_natural_person("impostor")
        impostor.did = holder.did  # claims to be the holder, signs with its own key
        passport = sign_presentation(impostor, [mine])
    else:
        theirs = issuer.issue_single(new_natural_person("someone-else").did, welding_certificate()).holder_file
        passport = sign_presentation(holder, [mine, theirs])
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(passport))

    verdict, text, checks = open_and_read_verdict(page, path, f"passport-{failure.replace(' ', '-')}")
    assert verdict == "invalid"
    assert checks[failure] == "fail"
    assert not text.startswith("Not all valid")
    assert "could not be shown to be its holder" in text and "nothing in it can be relied on" in text
    badges = page.locator("#credentials .badge").all()
    assert badges and all(b.get_attribute("data-verdict") == "not relied on" for b in badges)
    assert all(b.inner_text().startswith("Not relied on") for b in badges)
    assert page.locator('#credentials .badge[data-verdict="valid"]').count() == 0
    summary = page.locator("#summary").inner_text()  # the summary too: nothing in it shown as certified
    assert f"nothing counts: the passport failed its {failure} check" in summary and "not counted" in summary
    assert "Skills" not in summary and "Issuers" not in summary, summary
    # Each credential can still be opened and read, checks included.
    first = page.locator("#credentials details.credential").first
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert first.locator('li[data-check="signature"]').is_visible()
    assert "Checked on its own, this credential is: Valid" in first.inner_text()


def test_the_issuer_page_says_when_the_service_does_not_answer(browser: sync_api.Browser, service: str) -> None:
    context = browser.new_context(base_url=service)
    context.route("**/api/issuers/**", lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/issuer?did=did:ebsi:zAbCdEfGhIjKlMnOpQrStUvW")
        page.wait_for_function("() => document.querySelector('#verdict').dataset.verdict === 'error'", timeout=5_000)
        text = page.locator("#verdict").inner_text()
        assert text.startswith("Could not check") and "The service did not answer" in text
        assert errors == []
    finally:
        context.close()


def test_an_empty_file_or_nothing_pasted_is_said(page: sync_api.Page, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    page.goto("/")
    assert read_verdict(page, lambda: page.set_input_files("#file", str(empty))) == "error"
    assert "“empty.json” is empty" in page.locator("#verdict").inner_text()

    page.fill("#credential", "  \n ")
    assert read_verdict(page, lambda: page.click("#verify")) == "error"
    assert page.locator("#verdict").inner_text().startswith("Nothing to check")


def test_too_large_a_file_is_refused_before_it_is_read_or_sent(page: sync_api.Page, tmp_path: Path) -> None:
    """The service accepts request bodies up to 2 MiB; the page says so without uploading."""
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * (30 * 1024 * 1024))
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/verify") else None)
    page.goto("/")
    assert read_verdict(page, lambda: page.set_input_files("#file", str(big))) == "error"
    assert "“big.json” is 30 MB; the service accepts up to 2 MB." in page.locator("#verdict").inner_text()

    # Pasted text is measured as it would be sent (JSON-escaped in the request body).
    page.evaluate("() => { document.querySelector('#credential').value = ('\"'.repeat(1023) + '\\n').repeat(1200); }")
    assert read_verdict(page, lambda: page.click("#verify")) == "error"
    assert "this text is 2.4 MB; the service accepts up to 2 MB." in page.locator("#verdict").inner_text()
    assert sent == []

    # Under the body limit, over a credential file's 1 MiB (a big JSON): the service refuses it as too
    # large to be a credential, and the page says so: no verdict, never "Not valid".
    large = tmp_path / "large.json"
    large.write_text('{"type": ["VerifiableCredential"], "pad": "' + "x" * 1_500_000 + '"}')
    assert read_verdict(page, lambda: page.set_input_files("#file", str(large))) == "error"
    said = page.locator("#verdict").inner_text()
    assert said.startswith("Too large to check") and "too large to be a credential" in said and "1 MiB" in said


def test_long_dids_do_not_push_the_pages_sideways_on_a_phone(
    browser: sync_api.Browser, service: str, issuer: Issuer, holder: Identity, chain: Chain, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=service, viewport={"width": 360, "height": 740})
    page = context.new_page()
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    try:
        valid = issuer.issue_single(holder.did, welding_certificate()).holder_file
        theirs = issuer.issue_single(new_natural_person("someone-else").did, welding_certificate()).holder_file
        path = tmp_path / "passport.json"
        path.write_text(json.dumps(sign_presentation(holder, [valid, theirs])))
        page.goto("/")
        read_verdict(page, lambda: page.set_input_files("#file", str(path)))
        for panel in page.locator("#credentials summary").all():
            panel.click()  # open every panel: the issuers' DIDs are inside
        assert holder.did in page.locator("#facts").inner_text()
        assert page.evaluate(overflow) <= 0

        page.goto(f"/issuer?did={chain.ti.did}")
        page.wait_for_selector("#chain li")
        assert chain.ti.did in page.locator("#chain").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "issuer-360.png"), full_page=True)
        assert page.evaluate(overflow) <= 0
    finally:
        context.close()


READABLE = re.compile(r"^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2} UTC$")


def test_failed_checks_say_what_went_wrong_times_are_readable_and_focus_lands_on_the_verdict(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    _, revoked = valid_and_revoked(issuer, holder)
    path = tmp_path / "revoked.json"
    path.write_text(revoked.dumps())
    verdict, _, _ = open_and_read_verdict(page, path, "revoked-labels")
    assert verdict == "revoked"
    assert page.evaluate("() => document.activeElement.id") == "verdict-title"
    assert page.locator("#verdict-title").inner_text() == "Revoked"
    revocation = page.locator('#checks li[data-check="revocation status"]')
    assert revocation.locator(".what").inner_text() == "Revoked by the issuer"
    # The revocation time in words, its exact value kept.
    when = revocation.locator(".detail time")
    assert READABLE.match(when.inner_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", str(when.get_attribute("datetime")))
    assert when.get_attribute("title") == when.get_attribute("datetime")
    issued = page.locator("#facts dd time").first
    assert READABLE.match(issued.inner_text()) and issued.get_attribute("datetime")

    # A check that could not be made says so in its label (a made-up answer from the service).
    report = {
        "source": "request",
        "verdict": "could not determine",
        "summary": "COULD NOT DETERMINE: could not check: the node did not answer",
        "checks": [
            {"name": "signature", "outcome": "pass", "message": "signed with ES256", "evidence": {}},
            {"name": "revocation status", "outcome": "unknown", "message": "could not check: no node", "evidence": {}},
        ],
        "credential": {},
        "checked_at": "2026-11-26T03:19:42Z",
    }
    page.route(
        "**/verify",
        lambda route: route.fulfill(json=report, headers={"X-Block-Number": "7", "Access-Control-Expose-Headers": "*"}),
    )
    page.fill("#credential", "eyJ.x.y")
    assert read_verdict(page, lambda: page.click("#verify")) == "could not determine"
    labels = page.locator("#checks li .what").all_inner_texts()
    assert labels == ["The issuer's signature matches the content", "Could not check whether the issuer has revoked it"]
    checked = page.locator("#facts dd").last
    assert checked.inner_text() == "26 Nov 2026, 03:19 UTC (block 7)"
    assert checked.locator("time").get_attribute("datetime") == "2026-11-26T03:19:42Z"
    assert page.evaluate("() => document.activeElement.id") == "verdict-title"


def test_a_refused_file_leaves_nothing_to_check_and_checking_is_visible(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    # After a too-large file is refused, Check must not verify the credential shown before it.
    valid = tmp_path / "valid.json"
    valid.write_text(issuer.issue_single(holder.did, welding_certificate()).holder_file.dumps())
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * (3 * 1024 * 1024))
    page.goto("/")
    assert read_verdict(page, lambda: page.set_input_files("#file", str(valid))) == "valid"
    assert read_verdict(page, lambda: page.set_input_files("#file", str(big))) == "error"
    assert page.locator("#credential").input_value() == ""
    # The "Checking..." state is readable: its text colour differs from its background's.
    colours = page.evaluate(
        """() => { showVerdict("pending", "Checking…", ""); const box = document.querySelector("#verdict");
                   const style = getComputedStyle(box); return [style.color, style.backgroundColor]; }"""
    )
    assert colours[0] != colours[1] and colours[1] not in ("rgba(0, 0, 0, 0)", "transparent"), colours


def test_hostile_text_in_a_report_is_shown_inert(page: sync_api.Page) -> None:
    """What a credential says reaches the page as text: no HTML, and no bidi override, isolate,
    zero-width or control character acting on the text around it (each shown as an escape, as the
    CLI prints it). A made-up answer from the service, with the hostile text everywhere it shows."""
    hostile = "\u202edilaV\u202c <b>bold</b> \u2066x\u2069 \u200b\x1b[2K\r[/x]"
    report = {
        "source": "request",
        "verdict": "invalid",
        "summary": f"INVALID: signature: {hostile}",
        "checks": [{"name": "signature", "outcome": "fail", "message": hostile, "evidence": {}}],
        "credential": {"achievement": hostile, "issuer": f"did:ebsi:{hostile}", "issued": "2026-11-26T03:19:42Z"},
        "checked_at": "2026-11-26T03:19:42Z",
    }
    page.goto("/")
    page.route("**/verify", lambda route: route.fulfill(json=report))
    page.fill("#credential", "eyJ.x.y")
    assert read_verdict(page, lambda: page.click("#verify")) == "invalid"
    shown = "\\u202edilaV\\u202c <b>bold</b> \\u2066x\\u2069 \\u200b\\x1b[2K\\x0d[/x]"
    text = page.locator("#result").inner_text()
    assert text.count(shown) == 4, text  # the qualification, the issuer, the check, the summary
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200b\x00-\x08\x0b-\x1f]", text), repr(text)
    assert page.locator("#result b").count() == 0


def test_a_passport_s_holder_names_an_unlisted_root_s_own_name_and_texts_to_read_closely(page: sync_api.Page) -> None:
    """A made-up answer from the service: a passport whose credentials name the holder differently
    (one with a look-alike Cyrillic A, flagged in its panel), one of them under a root the service's
    list leaves out, named as its onboarding declares it, said to be self-declared, never bare."""
    lookalike, root = "\u0410mina Haddad", "did:ebsi:zOtherRoot11111111111"
    warning = {"field": "holder name", "text": lookalike, "problem": "mixed scripts", "character": None,
               "word": "\u0410mina", "scripts": ["Latin", "Cyrillic"], "message": "m"}  # fmt: skip
    links = [{"issuer_type": 3, "did": "did:ebsi:zA", "name": "Academy"}]
    accreditation = {"name": "accreditation", "outcome": "pass", "message": "ok",
                     "evidence": {"root": root, "root_name": "Vocational Authority", "path_links": links}}  # fmt: skip
    registered = {"name": "issuer DID", "outcome": "pass", "message": "did:ebsi:zA is registered", "evidence": {}}

    def credential(number: int, name: str, verdict: str, warnings: list[Any]) -> dict[str, Any]:
        certifies = {"name": f"Welding {number}", "skills": [], "occupations": [],
                     "issuer": {"did": "did:ebsi:zA", "name": "Academy"},
                     "holder": {"did": "did:key:zAmina", "name": name}}  # fmt: skip
        return {"verdict": verdict, "summary": verdict, "checks": [registered, accreditation],
                "credential": {"issuer": "did:ebsi:zA"}, "certifies": certifies, "warnings": warnings,
                "checked_at": ""}  # fmt: skip

    competencies = {"holder": {"did": "did:key:zAmina", "name": "Amina Haddad"}, "skills": [], "occupations": [],
                    "issuers": [], "programmes": [], "counted": 2, "note": "n",
                    "holder_names": [{"name": "Amina Haddad", "credentials": [1]},
                                     {"name": lookalike, "credentials": [2]}]}  # fmt: skip
    report = {"kind": "passport", "verdict": "valid", "summary": "VALID", "holder": "did:key:zAmina", "checks": [],
              "competencies": competencies, "credentials": [credential(1, "Amina Haddad", "root not trusted", []),
                                                            credential(2, lookalike, "valid", [warning])]}  # fmt: skip
    page.goto("/")
    page.route("**/verify", lambda route: route.fulfill(json=report))
    page.fill("#credential", "eyJ.x.y")
    read_verdict(page, lambda: page.click("#verify"))
    summary = page.locator("#summary").inner_text()
    assert f'Holder, named differently by the credentials\n"Amina Haddad" (#1); "{lookalike}" (#2)' in summary
    page.evaluate("() => document.querySelectorAll('#credentials details').forEach((panel) => { panel.open = true; })")
    first, second = (panel.inner_text() for panel in page.locator("#credentials details.credential").all())
    assert f'Top authority\n{root} (self-declared name "Vocational Authority", not from a trust list)' in first
    assert "Read closely" not in first
    # Its issuer's name is that chain's word only: any name may be given under a root nobody listed.
    said = "Issued by\nAcademy (did:ebsi:zA), as its accreditation names it, under an authority you have not said"
    assert said in first
    assert "Issued by\nAcademy (did:ebsi:zA)\n" in second
    # A check's line names the issuer beside its DID, as its accreditation names it (i18n/partywords.py).
    assert "did:ebsi:zA (Academy, as its accreditation names it) is registered" in second
    assert f'Read closely\nholder name "{lookalike}": the word "\u0410mina" mixes Latin and Cyrillic letters' in second
    # One name written two ways (letter case): said to be one name, with how its writings differ.
    writings = [{"name": "Amina Haddad", "credentials": [1]}, {"name": "AMINA HADDAD", "credentials": [2]}]
    competencies["holder_names"] = [{"name": "Amina Haddad", "credentials": [1, 2], "written": writings,
                                     "differences": ["letter case"]}]  # fmt: skip
    read_verdict(page, lambda: page.click("#verify"))
    said = 'Holder\'s name, written differently by the credentials\none name (letter case): "Amina Haddad" (#1); "AMINA'
    assert said in page.locator("#summary").inner_text()


def test_an_authority_s_page_shows_a_genuine_credential_under_an_unlisted_root_as_such(
    browser: sync_api.Browser, service: str, settings: Settings, issuer: Issuer, holder: Identity, chain: Chain,
    tmp_path: Path,
) -> None:  # fmt: skip
    """Served with an authority's trust list that leaves the credential's root out: the distinct
    verdict ("Genuine, but not under an authority you trust"), never the green "Valid" nor "Not
    valid"; the page says which authorities it trusts, by name. Served with a list that names the
    root, the same credential is valid and its top authority is shown by the list's name."""
    valid = issuer.issue_single(holder.did, welding_certificate()).holder_file
    path = tmp_path / "valid.json"
    path.write_text(valid.dumps())
    listed = tmp_path / "destination.json"
    listed.write_text(json.dumps({
        "name": "Destination labour authority",
        "roots": [{"did": "did:ebsi:zOtherRoot11111111111", "name": "Another Ministry"}],
    }))  # fmt: skip
    config = from_environment({"REGISTRY_SERVICE_TRUST_LIST": str(listed)})[1]
    running = start_service(settings, dataclasses.replace(config, rate_per_s=0, head_max_age_s=0))
    context = browser.new_context(base_url=running.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        verdict, text, checks = open_and_read_verdict(page, path, "root-not-trusted")
        assert verdict == "root not trusted"
        assert text.startswith("Genuine, but not under an authority you trust"), text
        assert checks["trusted root"] == "fail" and checks["accreditation"] == "pass" and checks["signature"] == "pass"
        assert (
            page.locator("#trust-list")
            .inner_text()
            .startswith("Authorities this service trusts (Destination labour authority): Another Ministry")
        )
        page.goto(f"/issuer?did={chain.ti.did}")
        page.wait_for_selector("#chain li")
        page.wait_for_function(
            "() => !['pending', undefined].includes(document.querySelector('#verdict').dataset.verdict)"
        )
        assert page.locator("#verdict").get_attribute("data-verdict") == "root not trusted"
    finally:
        context.close()
        running.stop()

    # The session's service lists the root as "Vocational Authority" (tests/conftest.py).
    page = browser.new_context(base_url=service).new_page()
    verdict, _, _ = open_and_read_verdict(page, path, "valid-named-root")
    assert verdict == "valid"
    assert f"Vocational Authority ({chain.root.did})" in page.locator("#facts").inner_text()


def facts_of(page: sync_api.Page) -> dict[str, str]:
    """The page's facts about a credential, term by term (as the reader sees them)."""
    script = (
        "() => [...document.querySelectorAll('#facts dt')].map((dt) => [dt.innerText, dt.nextElementSibling.innerText])"
    )
    return dict(page.evaluate(script))


def test_a_valid_credential_shows_its_skills_eqf_level_issuer_and_holder_by_name(
    page: sync_api.Page, academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    path = tmp_path / "amina.json"
    path.write_text(academy.issue_single(holder.did, named_certificate()).holder_file.dumps())
    verdict, _, _ = open_and_read_verdict(page, path, "certified")
    assert verdict == "valid"
    facts = facts_of(page)
    assert facts["Qualification"] == "MIG/MAG welding, level 2" and facts["Type"] == "Certificate"
    assert facts["EQF level"] == "4"
    assert facts["Skills"] == WELDING.label and facts["Occupations"] == WELDER.label
    assert page.locator(f'#facts li[title="{WELDING.uri}"]').count() == 1  # the ESCO URI, on hover
    assert facts["Issued by"] == f"{ACADEMY} ({academy.identity.did})"
    assert facts["Awarded to"] == f"{HOLDER_NAME} (document {DOCUMENT})"
    assert facts["Assessed by"].startswith("Practical test on plate and pipe")


def test_markup_in_what_a_credential_certifies_is_shown_as_text(
    page: sync_api.Page, academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """A real credential (signed, anchored: VALID) whose issuer wrote HTML into its name, the
    holder's name and a skill label: the page shows the text, and no element or script comes of it."""
    hostile = '<img src=x onerror="window.injected=1"><b>bold</b>\u202e'
    achievement = written_elsewhere(  # our writers refuse the bidi override: signed as another tool would
        named_certificate(), name=hostile, holder_name=hostile, skills=(Skill(WELDING.uri, hostile),)
    )
    path = tmp_path / "hostile.json"
    path.write_text(academy.issue_single(holder.did, achievement).holder_file.dumps())
    verdict, _, _ = open_and_read_verdict(page, path, "certified-hostile")
    assert verdict == "valid"
    facts = facts_of(page)
    inert = '<img src=x onerror="window.injected=1"><b>bold</b>\\u202e'
    assert facts["Qualification"] == inert and facts["Skills"] == inert
    assert facts["Awarded to"] == f"{inert} (document {DOCUMENT})"
    # Each text holding the override flagged by its field, under the verdict it leaves as it is.
    said = "holds U+202E RIGHT-TO-LEFT OVERRIDE: another program may show it as other text than the one signed"
    assert facts["Read closely"].splitlines() == [
        f'{field} "{inert}" {said} (shown here escaped)' for field in ("holder name", "achievement name", "skill label")
    ]
    assert page.locator("#result img, #result b").count() == 0
    assert page.evaluate("() => window.injected") is None


def test_the_issuer_page_names_an_issuer_by_the_legal_name_its_accreditation_states(
    page: sync_api.Page, academy: Issuer, chain: Chain
) -> None:
    page.goto(f"/issuer?did={academy.identity.did}")
    page.wait_for_selector("#chain li")
    links = page.locator("#chain li .what").all_inner_texts()
    assert links[:2] == [
        f"Trusted issuer (TI): {ACADEMY} ({academy.identity.did})",
        f"Accreditation body (TAO): {chain.tao.did}",  # accredited without a name: its DID alone
    ]


def test_a_europass_credential_shows_its_eqf_level_skills_and_credits(
    page: sync_api.Page, europass_academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    path = tmp_path / "amina-edc.json"
    achievement = dataclasses.replace(named_certificate(), credits="7.5")
    path.write_text(europass_academy.issue_single(holder.did, achievement).holder_file.dumps())
    verdict, _, _ = open_and_read_verdict(page, path, "europass")
    assert verdict == "valid"
    facts = facts_of(page)
    assert facts["Qualification"] == "MIG/MAG welding, level 2" and facts["Type"] == "Qualification"
    assert (facts["EQF level"], facts["Credits"]) == ("4", "7.5 (European Credit Transfer System)")
    assert facts["Skills"] == WELDING.label and facts["Occupations"] == WELDER.label
    assert facts["Issued by"] == f"{ACADEMY} ({europass_academy.identity.did})"
    assert facts["Awarded to"] == f"{HOLDER_NAME} (document {DOCUMENT})"
    assert "Awarded by" not in facts  # the awarding body is the issuer: said once


def test_the_page_shows_what_a_credential_is_recognised_as_where_the_operator_said(
    browser: sync_api.Browser,
    settings: Settings,
    registry: Registry,
    chain: Chain,
    issuer: Issuer,
    holder: Identity,
    make_issuer,
    trust: Trust,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    """`registry serve --recognised-in`: a passport's summary lists its national equivalents, and the
    credential's panel says what it is recognised as, with the decision's conditions."""
    import time

    from registry.ops.recognition.authority import Recognition
    from registry.ops.trust import Root, TrustList
    from registry.service.config import ServiceConfig
    from tests.conftest import GOVERNANCE, ONE_YEAR, ROOT_SCOPE
    from tests.ops.test_recognition import decision

    office = make_issuer("recognition-office")
    trust.onboard_root(GOVERNANCE, office, [ROOT_SCOPE], int(time.time()) + ONE_YEAR)
    Recognition(registry).publish(office, decision(office, chain.root.did))
    entries = (Root(chain.root.did, "Vocational Authority"), Root(office.did, "Recognition Office"))
    roots = TrustList(frozenset(e.did for e in entries), "the service's trust list", entries=entries)
    config = ServiceConfig(rate_per_s=0, head_max_age_s=0, trust_list=roots, require_trusted_root=True,
                           recognised_in="Recognition Office")  # fmt: skip
    running = start_service(settings, config)
    path = tmp_path / "passport.json"
    path.write_text(
        json.dumps(create_passport(holder, [issuer.issue_single(holder.did, welding_certificate()).holder_file]))
    )
    context = browser.new_context(base_url=running.url, viewport={"width": 390, "height": 844})
    try:
        verdict, _, _ = open_and_read_verdict(context.new_page(), path, "passport-recognised")
        assert verdict == "valid"
        page = context.pages[0]
        summary = page.locator("#summary").inner_text()
        assert (
            "National equivalents" in summary
            and "Recognition Office: #1 Schweißer/in (geprüft) (level 4 of German Qualifications" in summary
        )
        assert "conditions: with a practical test)" in summary
        panel = page.locator("#credentials details.credential").first
        panel.locator("summary").click()
        recognised = panel.inner_text()  # whose decision: the service's authority, by name
        assert "Recognised here" in recognised and "Recognition Office: recognised here as" in recognised
        assert "conditions: with a practical test" in recognised
    finally:
        context.close()
        running.stop()


def announces_the_verdict_alone(page: sync_api.Page) -> bool:
    """The verdict box is the page's live region; the checks and entries under it are not announced."""
    live = page.evaluate("() => [...document.querySelectorAll('[aria-live]')].map((node) => node.id)")
    return live == ["verdict"] and page.locator("#verdict").get_attribute("role") == "status"


def test_files_for_another_page_or_no_page_are_said_so_before_anything_is_sent(
    page: sync_api.Page, tmp_path: Path
) -> None:
    """A PDF or a photo is no credential and no extract; an extract opened on the credential page, or
    a credential on the logbook page, is sent to the page that checks it; a logbook file that is
    empty or too large is said as on the credential page; none of it reaches the service. A DID
    mistyped on the issuer page is said in words; text the service refuses is "Could not read
    this", never "Could not check" (which says the registry could not be asked)."""
    files = {
        "scan.pdf": b"%PDF-1.7\n" + bytes(range(256)),
        "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)),
        "extract.json": json.dumps({"format": "skills-logbook-extract/1", "entries": []}).encode(),
        "credential.json": json.dumps({"format": "skills-credential/1", "credential": "eyJ..."}).encode(),
        "empty.json": b"",
        "big.json": b" " * (3 * 1024 * 1024),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)

    def verdict_for(name: str) -> tuple[str, str, str | None]:
        assert read_verdict(page, lambda: page.set_input_files("#file", str(tmp_path / name))) == "error"
        link = page.locator("#verdict a")
        href = link.get_attribute("href") if link.count() else None
        return page.locator("#verdict h2").inner_text(), page.locator("#verdict small").inner_text(), href

    page.goto("/")
    assert announces_the_verdict_alone(page)
    assert verdict_for("scan.pdf")[:2] == ("Not a file this page can check", "This is a PDF (a printed passport?), "
                                          "not a credential file: open the passport's .json file, or paste the "
                                          "text of each QR code printed in it.")  # fmt: skip
    assert verdict_for("photo.jpg")[1].startswith("This is an image, not a credential file")
    assert page.locator("#credential").input_value() == ""  # its bytes are not put in the text box
    assert verdict_for("extract.json") == ("This is a logbook extract", "A skills logbook extract is checked entry "
                                           "by entry on the logbook page.", "/logbook")  # fmt: skip
    page.goto("/logbook")
    assert announces_the_verdict_alone(page)
    assert verdict_for("credential.json")[0::2] == ("This is a credential, not a logbook extract", "/")
    assert verdict_for("photo.jpg")[1].startswith("This is an image, not a logbook extract")
    assert verdict_for("empty.json")[:2] == (
        "Empty file",
        "The file “empty.json” is empty: there is nothing in it to check.",
    )
    assert verdict_for("big.json")[:2] == (
        "File too large",
        "The file “big.json” is 3 MB; the service accepts up to 2 MB.",
    )
    assert page.locator("#extract").input_value() == ""
    assert sent == []
    page.fill("#extract", "not an extract")
    assert read_verdict(page, lambda: page.click("button[type=submit]")) == "error"
    assert page.locator("#verdict h2").inner_text() == "Could not read this" and len(sent) == 1
    assert page.evaluate("() => document.activeElement.id") == "verdict-title"

    page.goto("/issuer")
    assert announces_the_verdict_alone(page)
    page.fill("#did", "Northside Training Centre")
    assert read_verdict(page, lambda: page.click("button[type=submit]")) == "error"
    assert page.locator("#verdict h2").inner_text() == "Not a DID"
    assert "“Northside Training Centre” is not a DID" in page.locator("#verdict small").inner_text()
    assert len(sent) == 1  # the issuer check is a GET: no request either way


def test_who_a_passport_is_for_when_it_expired_and_another_registry_are_said_as_such(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """The page asks who you are (the API's `audience`): without it, the audience check is "not
    checked" with the page's words (not the command line's --audience); with it, a passport made for
    someone else is not made for you; an expired one is not valid now. A credential whose file names
    another registry is "could not check" for that reason, not because the registry could not be
    reached, alone or in a passport."""
    credential = issuer.issue_single(holder.did, welding_certificate()).holder_file
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(create_passport(holder, [credential], audience="Other Corp")))
    verdict, _, checks = open_and_read_verdict(page, path, "passport-unasked-audience")
    assert verdict == "valid" and checks["audience"] == "skipped"
    detail = page.locator('#checks li[data-check="audience"] .detail').inner_text()
    assert detail == "Made for 'Other Corp'. Type who you are in the form above to check that it was made for you."
    held = dict(
        zip(page.locator("#facts > dt").all_inner_texts(), page.locator("#facts > dd").all_inner_texts(), strict=True)
    )
    assert re.fullmatch(r"\d+ \w{3} \d{4}, \d\d:\d\d UTC \(block \d+\)", held["Checked at"])
    registry_check = page.locator('#credentials li[data-check="registry"] .what').first
    assert registry_check.text_content() == "It was checked in the registry it names"  # in a closed panel

    page.fill("#audience", "Employer GmbH")
    assert read_verdict(page, lambda: page.click("#verify")) == "invalid"  # the passport, still in the box
    assert page.locator("#verdict h2").inner_text() == "Not made for you"
    assert page.locator('#checks li[data-check="audience"]').get_attribute("data-outcome") == "fail"

    elsewhere = json.loads(credential.dumps())
    elsewhere["registry"]["chainId"] = 5  # a registry on another chain than the service's
    other = tmp_path / "elsewhere.json"
    other.write_text(json.dumps(elsewhere))
    page.fill("#audience", "")
    now = int(time.time())  # an hour ago, for half an hour: expired, whatever the clock skew allowed
    expired = tmp_path / "expired.json"
    expired.write_text(
        json.dumps(sign_presentation(holder, [credential], claims={"iat": now - 3600, "exp": now - 1800}))
    )
    assert read_verdict(page, lambda: page.set_input_files("#file", str(expired))) == "invalid"
    assert page.locator("#verdict h2").inner_text() == "Passport not valid now"
    assert read_verdict(page, lambda: page.set_input_files("#file", str(other))) == "could not determine"
    said = page.locator("#verdict small").inner_text()
    assert said.startswith("It names another registry than the one this service reads") and "reached" not in said
    # In a passport: the passport says so, and so does the credential's panel.
    moved = dataclasses.replace(credential, registry=elsewhere["registry"])
    passport_elsewhere = tmp_path / "passport-elsewhere.json"  # a new name: the same one again is no change
    passport_elsewhere.write_text(json.dumps(create_passport(holder, [moved])))
    assert read_verdict(page, lambda: page.set_input_files("#file", str(passport_elsewhere))) == "could not determine"
    assert page.locator("#verdict small").inner_text().startswith("Some credentials name another registry")
    assert page.locator("#credentials .detail").first.inner_text().startswith("It names another registry")
    _a_cohort_members_token_alone_needs_its_file(page, issuer, holder, tmp_path)


def _a_cohort_members_token_alone_needs_its_file(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """A cohort member's bare JWT, pasted, and in a passport: "could not check" because its file is
    needed (it carries the Merkle proof), not because the registry could not be reached."""
    from registry.formats.credential import load_holder_file

    (member,) = issuer.issue_cohort([(holder.did, welding_certificate())]).holder_files
    page.fill("#credential", member.credential)
    assert read_verdict(page, lambda: page.click("#verify")) == "could not determine"
    said = page.locator("#verdict small").inner_text()
    assert said.startswith("This is a credential's token alone") and ".json file" in said and "reached" not in said
    bare = tmp_path / "passport-bare.json"
    bare.write_text(json.dumps(sign_presentation(holder, [load_holder_file(member.credential)])))
    assert read_verdict(page, lambda: page.set_input_files("#file", str(bare))) == "could not determine"
    assert page.locator("#verdict small").inner_text().startswith("Some credentials are in it as their token alone")
