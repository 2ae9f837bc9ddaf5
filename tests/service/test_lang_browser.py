"""The page in French and Arabic, in a real browser (Debian's Chromium, driven by Playwright): the
language comes from the browser's own (navigator.languages) or the page's selector; <html lang> and
dir follow it (Arabic right to left, laid out mirrored by the style sheet's logical properties),
and the verdict, the check labels and the page's own words are the catalog's (registry/locale)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from registry.formats.credential import Achievement, HolderFile
from registry.formats.rpl import WorkPeriod
from registry.i18n import catalog
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.passport import create_passport
from registry.ops.rpl import Attester
from registry.ops.trust.evaluation import REGISTERED_ONLY
from tests.conftest import Chain
from tests.helpers.certified import WELDER, europass_academy, named_certificate
from tests.service.test_service_browser import ARGS, ARTIFACTS, CHROMIUM, read_verdict, sync_api, valid_and_revoked

pytest_plugins = ("tests.helpers.service_fixtures",)
__all__ = ["europass_academy"]  # a fixture


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


def page_in(browser: sync_api.Browser, service: str, locale: str) -> sync_api.Page:
    context = browser.new_context(base_url=service, locale=locale, viewport={"width": 390, "height": 844})
    return context.new_page()


def verdict_of_file(page: sync_api.Page, path: Path) -> tuple[str, str]:
    page.evaluate("() => { document.querySelector('#verdict').dataset.verdict = 'waiting'; }")
    page.set_input_files("#file", str(path))
    page.wait_for_function(
        "() => !['pending', 'waiting', undefined].includes(document.querySelector('#verdict').dataset.verdict)",
        timeout=10_000,
    )
    return str(page.locator("#verdict").get_attribute("data-verdict")), page.locator("#verdict h2").inner_text()


def language_of(page: sync_api.Page) -> tuple[str | None, str | None]:
    root = page.locator("html")
    return root.get_attribute("lang"), root.get_attribute("dir")


def passport_in_french(page: sync_api.Page, path: Path, passport: object) -> None:
    """A passport: its summary's heading and note in French, the note worked out from its numbers."""
    path.write_text(json.dumps(passport))
    verdict, title = verdict_of_file(page, path)
    assert (verdict, title) == ("invalid", catalog("fr").messages["Not all valid"])
    summary = page.locator("#summary").inner_text()
    assert summary.startswith("Synthèse des compétences")
    assert "attestations valides et retenues\u00a0: 2 sur 3\u00a0; les autres sont listées avec leur verdict" in summary
    # A work-experience attestation counts, its line marked: by a registered organisation, not accredited.
    marked = page.locator("#summary li[data-verdict='valid'] [data-assurance]").all_inner_texts()
    assert marked == ["attestation par un organisme enregistré, non accrédité"], summary


def work_attestation(issuer: Issuer, holder: Identity) -> HolderFile:
    """The test issuer attesting a period of work, as an employer (its assurance: a registered organisation)."""
    period = WorkPeriod(WELDER, int(time.time()) - 400 * 86400, None, ("MIG welding",), "Stahlbau GmbH")
    employer = Attester(issuer.registry, issuer.identity, issuer.settings, period)
    return employer.issue_single(holder.did, Achievement("work", "", "")).holder_file


def europass_in_french(page: sync_api.Page, path: Path, academy: Issuer, holder: Identity) -> None:
    """A Europass credential that gives its name in French too: the page shows that one (#facts)."""
    french_name = replace(named_certificate(), translations=(("fr", "name", "Soudage MIG/MAG, niveau 2"),))
    path.write_text(academy.issue_single(holder.did, french_name).holder_file.dumps())
    assert verdict_of_file(page, path)[0] == "valid"
    facts = page.locator("#facts").inner_text()
    assert "Soudage MIG/MAG, niveau 2" in facts and "MIG/MAG welding" not in facts, facts


def not_for_you_in_french(page: sync_api.Page, path: Path, passport: object) -> None:
    """A passport made for another employer: whom it was made for, in French too."""
    path.write_text(json.dumps(passport))
    page.fill("#audience", "Autre SA")
    assert verdict_of_file(page, path) == ("invalid", "Pas établi pour vous")
    said = page.locator('#checks li[data-check="audience"] .detail').inner_text()
    assert said == "établi pour 'Bâtiment Sàrl', pas pour 'Autre SA'", said
    page.fill("#audience", "")


FRAUD_FR = r"révoquée le \d+ \S+ \d{4}, \d\d:\d\d UTC\u00a0: fraude ou fausse déclaration"


def root_line_in_french(page: sync_api.Page) -> bool:
    """The accreditation's line, its chain to the Root TAO, in French too (words.py's `_TRUST_MESSAGES`)."""
    accredited = page.locator('#checks li[data-check="accreditation"] .detail').inner_text()
    return accredited.startswith("à l\u2019émission") and "accrédité par une chaîne ininterrompue" in accredited


def type_and_registry_in_arabic(page: sync_api.Page) -> bool:
    """Its type by its label (not the credential's "Certificate"), and the registry's line, in Arabic too."""
    kind = page.locator("#facts dd").nth(1).inner_text()
    registry = page.locator('#checks li[data-check="registry"] .detail').inner_text()
    return kind == catalog("ar").messages["Certificate"] == "شهادة" and registry.startswith("جرى التحقق في ")


def latin_keeps_its_direction(page: sync_api.Page) -> bool:
    """In Arabic, what the credential says in Latin script keeps its own direction: the
    qualification's name starts at the left (its full stop and brackets where they belong), and so
    does the file's JSON in the text box."""
    offset = (
        "dd => { const r = document.createRange(); r.selectNodeContents(dd);"
        " return r.getBoundingClientRect().left - dd.getBoundingClientRect().left; }"
    )
    at_left = page.locator("#facts dd").first.evaluate(offset) < 1
    return at_left and bool(page.locator("#credential").evaluate("box => box.matches(':dir(ltr)')"))


def test_the_page_in_arabic_then_french(
    browser: sync_api.Browser, service: str, issuer: Issuer, europass_academy: Issuer, holder: Identity, tmp_path: Path
) -> None:
    valid, revoked = valid_and_revoked(issuer, holder)
    for name, holder_file in (("valid", valid), ("revoked", revoked)):
        (tmp_path / f"{name}.json").write_text(holder_file.dumps())
    arabic, french = catalog("ar").messages, catalog("fr").messages

    page = page_in(browser, service, "ar-MA")  # a browser set to Arabic: the page starts in Arabic
    page.goto("/")
    page.wait_for_function("() => document.documentElement.lang === 'ar'")
    assert language_of(page) == ("ar", "rtl")
    assert page.locator("h1").inner_text() == arabic["Check a skills credential"] == "التحقق من شهادة مهارات"
    assert page.locator("#verify").inner_text() == arabic["Check"]
    verdict, title = verdict_of_file(page, tmp_path / "valid.json")
    assert (verdict, title, latin_keeps_its_direction(page), type_and_registry_in_arabic(page)) == (
        "valid", "صالحة", True, True,
    )  # fmt: skip
    label = page.locator('#checks li[data-check="signature"] .what').inner_text()
    assert label == arabic["The issuer's signature matches the content"]
    # Right to left: the check mark sits on the right, the text indented from the right.
    item = page.locator("#checks li").first
    assert item.evaluate("li => getComputedStyle(li).paddingRight") == "32px"
    assert item.evaluate("li => getComputedStyle(li).paddingLeft") == "0px"
    page.screenshot(path=str(ARTIFACTS / "arabic-valid.png"), full_page=True)

    # The selector: French, and the answer on screen is shown again in French.
    page.select_option("#lang", "fr")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    assert language_of(page) == ("fr", "ltr")
    assert page.locator("#verdict h2").inner_text() == french["Valid"] == "Valide"
    assert page.locator("h1").inner_text() == "Vérifier une attestation de compétences"
    verdict, title = verdict_of_file(page, tmp_path / "revoked.json")
    assert (verdict, title) == ("revoked", "Révoquée")
    assert french["The issuer has withdrawn this credential."] in page.locator("#verdict").inner_text()
    revocation, reason = page.locator('#checks li[data-check="revocation status"] span').all_inner_texts()
    # Its label, and the verifier's words in French too: the reason by its code (2), the time as the page shows times.
    assert revocation == french["Revoked by the issuer"] and re.fullmatch(FRAUD_FR, reason), (revocation, reason)
    assert (
        root_line_in_french(page)
        and page.locator("#checks li").first.evaluate("li => getComputedStyle(li).paddingLeft") == "32px"
    )
    page.screenshot(path=str(ARTIFACTS / "french-revoked.png"), full_page=True)
    europass_in_french(page, tmp_path / "edc.json", europass_academy, holder)
    passport_in_french(
        page, tmp_path / "passport.json", create_passport(holder, [valid, revoked, work_attestation(issuer, holder)])
    )
    not_for_you_in_french(page, tmp_path / "for-them.json", create_passport(holder, [valid], audience="Bâtiment Sàrl"))

    # The choice is kept: the next visit opens in French whatever the browser says.
    page.goto("/")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    page.select_option("#lang", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert language_of(page) == ("en", "ltr")
    assert page.locator("h1").inner_text() == "Check a skills credential"
    page.context.close()


def test_the_issuer_page_in_arabic(browser: sync_api.Browser, service: str, chain: Chain, make_issuer) -> None:  # type: ignore[no-untyped-def]
    page = page_in(browser, service, "ar")
    page.goto(f"/issuer?did={chain.ti.did}")
    page.wait_for_function("() => document.documentElement.lang === 'ar' && document.querySelector('#chain li')")
    page.wait_for_function("() => document.querySelector('#verdict').dataset.verdict === 'valid'")
    assert language_of(page) == ("ar", "rtl")
    assert page.locator("h1").inner_text() == "من اعتمد هذه الجهة المُصدِرة؟"
    assert page.locator("#lang").get_attribute("aria-label") == "اللغة"  # what a screen reader says of the selector
    assert page.locator("#verdict h2").inner_text() == catalog("ar").messages["Accredited"] == "معتمدة"
    links = page.locator("#chain li .what").all_inner_texts()
    assert links[0] == f"جهة مُصدِرة موثوقة (TI): {chain.ti.did}"
    assert links[2] == f"الجهة العليا (Root TAO): {chain.root.did}"
    page.screenshot(path=str(ARTIFACTS / "arabic-issuer.png"), full_page=True)
    # A registered organisation without accreditation (an employer): its note in Arabic too.
    page.goto(f"/issuer?did={make_issuer('employer').did}")
    page.wait_for_function("() => document.querySelector('#verdict').dataset.verdict === 'invalid'")
    assert page.locator("#notes li").all_inner_texts() == [catalog("ar").messages[REGISTERED_ONLY]]
    page.context.close()


def test_the_catalog_the_page_reads(service: str) -> None:
    arabic = httpx.get(f"{service}/api/i18n/ar", timeout=10)
    assert arabic.status_code == 200
    body = arabic.json()
    assert (body["lang"], body["dir"], body["name"]) == ("ar", "rtl", "العربية")
    assert body["messages"] == {k: v for k, v in catalog("ar").messages.items() if isinstance(v, str)}
    missing = httpx.get(f"{service}/api/i18n/xx", timeout=10)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert "this service has en, fr, ar" in missing.json()["detail"]


def test_a_browser_in_a_language_we_lack_gets_english(browser: sync_api.Browser, service: str) -> None:
    page = page_in(browser, service, "de-DE")
    page.goto("/")
    page.wait_for_function("() => document.documentElement.dir === 'ltr'")
    assert language_of(page) == ("en", "ltr")
    assert page.locator("h1").inner_text() == "Check a skills credential"
    page.context.close()


def test_a_recognition_finding_is_said_in_the_page_s_language(browser: sync_api.Browser, service: str) -> None:
    """A made-up answer carrying `serve --recognised-in`'s finding: the page says it in French, as the
    command line does (registry/i18n/recognitionwords.py), from the decision's fields; none, by its frame."""
    decision = {"id": "0x0b54dc9e" + "0" * 56, "qualification": "Schweißer/in", "framework_name": "DQR", "level": "4",
                "conditions": "with a practical test", "published": "2026-12-07T10:00:00Z"}  # fmt: skip
    finding = {"authority": "did:ebsi:zOffice", "authority_name": "Federal Recognition Office", "outcome": "recognised",
               "message": "recognised here as …", "decisions": [decision], "not_applying": []}  # fmt: skip
    report = {"source": "x", "verdict": "valid", "summary": "VALID: every check passed", "checks": [],
              "credential": {"issuer": "did:ebsi:zA"}, "warnings": [], "checked_at": "", "recognition": finding,
              "certifies": {"name": "Welding", "skills": [], "occupations": []}}  # fmt: skip
    page = page_in(browser, service, "fr-FR")
    page.goto("/")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    page.route("**/verify", lambda route: route.fulfill(json=report))
    page.fill("#credential", "eyJ.x.y")
    read_verdict(page, lambda: page.click("#verify"))
    said = ("Federal Recognition Office\u00a0: reconnue ici comme Schweißer/in (niveau 4 de DQR), décision 0x0b54dc9e… "
            "du 2026-12-07, conditions\u00a0: with a practical test")  # fmt: skip
    assert said in page.locator("#facts").inner_text()
    finding.update(outcome="none", decisions=[], message="no recognition decision here")
    read_verdict(page, lambda: page.click("#verify"))
    assert "aucune décision de reconnaissance ici" in page.locator("#facts").inner_text()
    page.context.close()


# The side a dd's first name (a <bdi>) sits on: "right" when its line is laid out right to left.
_FIRST_NAME_SIDE = (
    "dd => { const box = dd.getBoundingClientRect(), name = dd.querySelector('bdi').getBoundingClientRect();"
    " return box.right - name.right < name.left - box.left ? 'right' : 'left'; }"
)


def test_an_arabic_passport_joins_its_lists_and_lays_out_latin_names_right_to_left(
    browser: sync_api.Browser, service: str
) -> None:
    """A made-up passport answer, in Arabic: its holder's names, its issuers and a finding's decisions joined with
    the Arabic semicolon (the catalog's separators, as the command line's `joined`), not "; "; and the lines that
    begin with a Latin name (recognition, national equivalents, the holder's names, the issuers) laid out right
    to left (the names in <bdi>s, the dd's direction from its first Arabic word). Before: "; " in every language,
    and those lines laid out left to right (checked then)."""
    decision = {"id": "0x0b54dc9e" + "0" * 56, "qualification": "Schweißer/in", "framework_name": "DQR", "level": "4",
                "conditions": "", "published": "2026-12-07T10:00:00Z"}  # fmt: skip
    finding = {"authority": "did:ebsi:zOffice", "authority_name": "Federal Recognition Office", "outcome": "recognised",
               "message": "recognised here as …", "decisions": [decision, {**decision, "level": "5"}],
               "not_applying": []}  # fmt: skip
    credential = {"source": "x", "verdict": "valid", "summary": "VALID: every check passed", "checks": [],
                  "credential": {"issuer": "did:ebsi:zA"}, "warnings": [], "checked_at": "", "recognition": finding,
                  "certifies": {"name": "Welding", "skills": [], "occupations": []}}  # fmt: skip
    competencies = {
        "note": "",
        "holder_names": [{"name": "Amina Haddad", "credentials": [1]}, {"name": "أمينة حداد", "credentials": [2]}],
        "issuers": [{"name": "Welding School", "did": "did:ebsi:zA"}, {"name": "Safety Centre", "did": "did:ebsi:zB"}],
        "national_equivalents": [
            {"credential": 1, "qualification": "Schweißer/in", "level": "4", "framework_name": "DQR"},
        ],
        "programmes": [], "skills": [], "occupations": [],
    }  # fmt: skip
    report = {"kind": "passport", "source": "x", "verdict": "valid", "summary": "VALID: all 2 credentials valid",
              "checks": [], "holder": "did:key:z6Mk", "credentials": [credential, credential],
              "competencies": competencies}  # fmt: skip
    page = page_in(browser, service, "ar-MA")
    page.goto("/")
    page.wait_for_function("() => document.documentElement.lang === 'ar'")
    page.route("**/verify", lambda route: route.fulfill(json=report))
    page.fill("#credential", "eyJ.x.y")
    read_verdict(page, lambda: page.click("#verify"))
    summary = page.locator("#summary").inner_text()
    assert '"Amina Haddad" (#1)؛ "أمينة حداد" (#2)' in summary and "Welding School (did:ebsi:zA)؛ Safety" in summary
    assert "; " not in summary, summary
    # The holder's names and the issuers, each beginning with a Latin name: right to left too (before: no <bdi>,
    # each dd's direction taken from its first letter, "A" or "W", so laid out left to right).
    for label in ("الحامل، مُسمّى بأسماء مختلفة في الشهادات", "الجهات المُصدِرة"):
        row = page.locator("#summary dt", has_text=label).locator("xpath=following-sibling::dd[1]")
        assert row.evaluate(_FIRST_NAME_SIDE) == "right", label
    national = page.locator("#summary dd", has_text="Federal Recognition Office")
    assert national.inner_text().startswith("Federal Recognition Office: #1 Schweißer/in (المستوى 4 من DQR)"), summary
    assert national.evaluate(_FIRST_NAME_SIDE) == "right"
    page.evaluate("() => document.querySelectorAll('#credentials details').forEach((panel) => { panel.open = true; })")
    recognised = page.locator("#credentials dd", has_text="Federal Recognition Office").first
    said = recognised.inner_text()
    assert said.startswith("Federal Recognition Office: معترف بها هنا بوصفها Schweißer/in (المستوى 4 من DQR)"), said
    assert "؛ معترف بها هنا بوصفها Schweißer/in (المستوى 5 من DQR)" in said and "; " not in said, said
    assert recognised.evaluate(_FIRST_NAME_SIDE) == "right"
    page.screenshot(path=str(ARTIFACTS / "arabic-passport-lists.png"), full_page=True)
    page.context.close()
