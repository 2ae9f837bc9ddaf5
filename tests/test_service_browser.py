"""The web page in a real browser (Debian's headless Chromium, driven by Playwright): a person
opens a valid, a revoked and a tampered credential, and a skills passport, and reads each
verdict on screen.

Screenshots are kept under test-artifacts/service-browser/.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Chain, welding_certificate
from test_service_verify import tamper

from registry.formats.credential import HolderFile
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport
from registry.ops.registry import Purpose

pytest_plugins = ("service_fixtures",)

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
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "service-browser"

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
        .startswith("The issuer's signature matches the content")
    )


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


def test_a_passport_is_laid_out_credential_by_credential(
    page: sync_api.Page, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    valid, revoked = valid_and_revoked(issuer, holder)
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(create_passport(holder, [valid, revoked])))

    verdict, text, checks = open_and_read_verdict(page, path, "passport")
    assert verdict == "invalid"
    assert text.startswith("Not all valid") and "1 of 2" in text
    assert checks == {"holder signature": "pass", "holder binding": "pass"}
    panels = page.locator("#credentials details.credential").all()
    assert [p.get_attribute("data-verdict") for p in panels] == ["valid", "revoked"]
    assert [p.locator(".badge").inner_text() for p in panels] == ["Valid", "Revoked"]
    # The one that is not valid is open, with its reason and its checks in words.
    assert panels[1].get_attribute("open") is not None and panels[0].get_attribute("open") is None
    assert "fraud" in panels[1].inner_text()
    revocation = panels[1].locator('li[data-check="revocation status"]')
    assert revocation.get_attribute("data-outcome") == "fail"
    assert revocation.inner_text().startswith("The issuer has not revoked it")


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
