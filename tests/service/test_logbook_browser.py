"""The logbook page in a real browser (Debian's Chromium, driven by Playwright): an employer opens
a learner's extract and reads it unit by unit, each entry with its date, activity, hours,
workplace and signer, and its checks: a sign-off by a supervisor revoked for cause and a revoked
entry are shown as such while the rest stand; and the page speaks French.

Screenshots are kept under test-artifacts/service-browser/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.ops.test_logbook import World, world
from tests.service.test_service_browser import ARTIFACTS, browser, page, read_verdict, sync_api

pytest_plugins = ("tests.helpers.service_fixtures",)
__all__ = ["browser", "page", "world"]  # the fixtures


def test_an_extract_is_read_unit_by_unit_with_each_entrys_checks(
    page: sync_api.Page, world: World, tmp_path: Path
) -> None:
    names = ["good", "assessed", "fraud", "revoked", "backdated"]
    extract = world.amina.share([world.entries[n].id for n in names], [world.record])
    path = tmp_path / "extract.json"
    path.write_text(json.dumps(extract.to_json()))
    page.goto("/logbook")
    assert read_verdict(page, lambda: page.set_input_files("#file", str(path))) == "invalid"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "logbook.png"), full_page=True)
    assert page.locator("#verdict").inner_text().startswith("Not all valid")
    # Who the extract is about and who keeps the logbook, by name beside their DIDs.
    labels, values = page.locator("#facts dt").all_inner_texts(), page.locator("#facts dd").all_inner_texts()
    facts = dict(zip(labels, values, strict=True))
    assert facts["Learner"] == f"Amina Haddad ({world.amina.enrolment['sub']})"
    assert facts["Provider"] == f"Northside Training Centre ({world.provider.identity.did})"
    units = page.locator("#units .unit").all()
    assert [u.locator("h2").inner_text() for u in units] == ["U1 · Prepare joints", "U2 · Weld plate"]
    assert units[1].locator(".note").inner_text() == "2 of 2 h signed off and valid"
    # The backdated entry is valid and shown, and counted neither in the tally nor towards completion.
    assert units[0].locator(".note").inner_text() == "2 of 6 h signed off and valid · 2 h backdated, not counted"
    backdated = page.locator("details.entry", has_text="backdated work")
    assert (
        backdated.locator(".badge").inner_text() == "Valid"
        and "not counted" in backdated.locator("summary").inner_text()
    )
    fraud = page.locator("details.entry", has_text="fraud work")
    assert fraud.locator(".badge").inner_text() == "Not valid" and "Yard 3" in fraud.inner_text()
    check = fraud.locator("li[data-check='authorisation']")
    assert check.get_attribute("data-outcome") == "fail" and "are not trusted" in check.inner_text()
    revoked = page.locator("details.entry", has_text="revoked work")
    assert revoked.locator(".badge").inner_text() == "Revoked"
    # Not valid is red, as revoked is: never the amber of "could not check".
    colour = "badge => getComputedStyle(badge).backgroundColor"
    assert fraud.locator(".badge").evaluate(colour) == revoked.locator(".badge").evaluate(colour)
    assert revoked.locator("li[data-check='status']").get_attribute("data-outcome") == "fail"
    good = page.locator("details.entry", has_text="good work")
    assert good.locator(".badge").inner_text() == "Valid" and good.get_attribute("open") is None
    assert {li.get_attribute("data-outcome") for li in good.locator("li").all()} == {"pass"}

    page.select_option("#lang", "fr")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    assert page.locator("h1").inner_text() == "Vérifier un carnet de compétences"
    assert page.locator("#units .unit .note").first.inner_text() == (
        "2 h sur 6 validées et valables · 2 h antidatées, non comptées"
    )
    # The signer's role and the entry's day in French too.
    assert fraud.locator("dd").nth(1).inner_text().endswith("(tuteur)")
    assert re.match(r"\d+ \S+ \d{4} · fraud work", fraud.locator(".title").inner_text())
