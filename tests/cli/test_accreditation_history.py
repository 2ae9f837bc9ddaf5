"""An accreditation's history and what a date means, on a real chain whose days are known: an anvil
started three days back, on which a school was accredited on day D-1 (at noon UTC), suspended on
day D (audit pending), reinstated on D+1 (audit passed) and revoked on D+1 (fraud).

- `registry issuer history` lists every revision with its time, block, actor and reason, as text
  and JSON, and the service's revisions route tells the same story;
- the CLI and the API the web page calls (with what the page sends: the day itself) give the same
  answer about the same day: a bare date is the END of that day, UTC. Before this, the CLI read
  D-1 as its first second (before the noon accreditation: NOT TRUSTED) and D as its first second
  (before the suspension: TRUSTED), the page the other way round.

The issuer's own clock is set back with the chain while it writes (monkeypatched time.time, in
this test process only, as tests/chain/test_node_time.py does); the `registry` processes and the
service run on the real clock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from registry.chain.client import ChainClient
from registry.chain.deployment import deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.config import Settings
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.trust import AttrStatus, IssuerType, Trust, TrustList
from registry.service.config import ServiceConfig
from tests.conftest import (
    GOVERNANCE,
    ONE_YEAR,
    PASSPHRASE,
    ROOT_SCOPE,
    TAO_SCOPE,
    WELDING_SCOPE,
    fund,
    trusted_roots,
    welding_certificate,
)
from tests.helpers.commands import registry_in_process
from tests.helpers.service_helpers import start_service

DAY = 86400
NOON = 12 * 3600
CHROMIUM = "/usr/bin/chromium"
ANSWERED = "() => !['pending', 'waiting', undefined].includes(document.querySelector('#verdict').dataset.verdict)"
TAO_NAME = "Chamber of Crafts"  # the accreditor's legal name, as its accreditation states it


def day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


@dataclass
class Dated:
    settings: Settings
    tao: Identity
    school: Identity
    attribute: bytes
    d: int  # the first second of day D, UTC
    service: str
    credential: Path  # issued by the school on D-1, before the suspension
    college: Identity | None = None  # accredited by the same TAO on D-1, left to be revoked for cause


def accredited_school(registry: Registry, settings: Settings, data: Path) -> tuple[Identity, Identity, bytes, Path]:
    """Root -> accreditor (TAO) -> school (TI), the root in the home's trust list, and a credential
    the school issues at once: (accreditor, school, the school's attribute, the credential file)."""
    keys = KeyStore(settings.keys_dir)
    root, tao, school = (new_legal_entity(n) for n in ("authority", "accreditor", "school"))
    for identity in (root, tao, school):
        fund(registry, identity)
        keys.save(identity, PASSPHRASE)
        registry.register_did(identity)
    trust = Trust(registry, "http://registry.test")
    until = int(time.time()) + 2 * ONE_YEAR  # the clock is set days back: a year from the real now
    root_attribute = trust.onboard_root(GOVERNANCE, root, [ROOT_SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [TAO_SCOPE], until, name=TAO_NAME)
    attribute = trust.accredit(tao, tao_attribute, school.did, IssuerType.TI, [WELDING_SCOPE], until)
    trusted_roots(root.did).save(settings.trust_list_file)
    holder = new_natural_person("worker")
    issued = Issuer(registry, school, settings).issue_single(holder.did, welding_certificate())
    credential = data / "credential.json"
    credential.write_text(issued.holder_file.dumps())
    return tao, school, attribute, credential


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dated]:
    data = tmp_path_factory.mktemp("dated")
    d = int(time.time()) // DAY * DAY - 3 * DAY
    node = AnvilNode(data / "anvil", port=free_port())
    node.start(extra_args=["--timestamp", str(d - DAY + NOON)])
    running = None
    try:
        real = time.time
        with pytest.MonkeyPatch.context() as patch:

            def clock_at(chain_time: int) -> None:
                offset = real() - chain_time
                patch.setattr(time, "time", lambda: real() - offset)

            clock_at(d - DAY + NOON)
            deployment = data / "deployment.json"
            deploy(ChainClient(node.rpc_url), Account.from_key(ANVIL_DEV_KEY)).save(deployment)
            settings = Settings(home=data / "home", rpc_urls=(node.rpc_url,), deployment_path=deployment)
            registry = Registry.connect(settings)
            tao, school, attribute, credential = accredited_school(registry, settings, data)
            trust = Trust(registry, "http://registry.test")
            college = new_legal_entity("college")
            fund(registry, college)
            KeyStore(settings.keys_dir).save(college, PASSPHRASE)
            registry.register_did(college)
            trust.accredit(tao, trust.active_attribute(tao.did), college.did, IssuerType.TI, [WELDING_SCOPE])
            for when, status, reason in (
                (d + NOON, AttrStatus.SUSPENDED, 3),  # audit pending
                (d + DAY + NOON, AttrStatus.ACTIVE, 4),  # audit passed
                (d + DAY + NOON + 60, AttrStatus.REVOKED, 2),  # fraud
            ):
                registry.client.request("evm_setNextBlockTimestamp", [when])
                clock_at(when)
                trust.set_status(tao, school.did, attribute, status, reason)
        # The authority's service holds the same trust list as the CLI's home: the same words.
        listed = TrustList.load(settings.trust_list_file)
        running = start_service(settings, ServiceConfig(rate_per_s=0, head_max_age_s=0, trust_list=listed))
        yield Dated(settings, tao, school, attribute, d, running.url, credential, college)
    finally:
        if running is not None:
            running.stop()
        node.stop()


def cli(
    dated: Dated, *args: str, passphrase: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    argv = ["--home", str(dated.settings.home), *args,
            "--rpc", dated.settings.rpc_url, "--deployment", str(dated.settings.deployment_file)]  # fmt: skip
    base = {k: v for k, v in os.environ.items() if k not in {"REGISTRY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"}}
    env = {**base, **(env or {}), **({"REGISTRY_PASSPHRASE": passphrase} if passphrase is not None else {})}
    # In this process, as `python -m registry` runs it (tests/helpers/commands.py): a Python start less.
    return registry_in_process(argv, env)


def test_issuer_history_lists_every_revision_with_its_time_actor_and_reason(dated: Dated) -> None:
    result = cli(dated, "issuer", "history", dated.school.did, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    # Names: the accreditor's legal name (in its accreditation) wins over what this home's identities
    # call it ("accreditor"); the school, accredited without one, by this home's identity name.
    assert report["did"] == dated.school.did and report["name"] == "school"
    (accreditation,) = report["accreditations"]
    assert accreditation["issuerType"] == "TI" and accreditation["status"] == "revoked"
    assert accreditation["grantedBy"] == dated.tao.did
    revisions = accreditation["revisions"]
    assert [(r["change"], r["reason"], r["reasonText"]) for r in revisions] == [
        ("accredited", 0, "unspecified"),
        ("suspended", 3, "audit pending"),
        ("reinstated", 4, "audit passed"),
        ("revoked", 2, "fraud"),
    ]
    assert [r["timestamp"][:10] for r in revisions] == [day(dated.d - DAY), day(dated.d), *[day(dated.d + DAY)] * 2]
    assert all(r["actor"] == dated.tao.did and r["actorName"] == TAO_NAME for r in revisions)
    assert [r["blockNumber"] for r in revisions] == sorted(r["blockNumber"] for r in revisions)

    text = cli(dated, "issuer", "history", dated.school.did)
    assert text.returncode == 0, text.stdout + text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("school (did:ebsi:") and "1 accreditation" in lines[0]
    assert "now revoked" in lines[1] and f"granted by {TAO_NAME} (did:ebsi:" in lines[1]
    assert f"suspended by {TAO_NAME}" in lines[3] and "audit pending (reason 3)" in lines[3]
    assert f"revoked by {TAO_NAME}" in lines[5] and "fraud (reason 2)" in lines[5]

    # The service's revisions route (the API's source) tells the same story.
    path = f"/trusted-issuers-registry/v5/issuers/{dated.school.did}/attributes/{dated.attribute.hex()}/revisions"
    served = httpx.get(dated.service + path, params={"page[size]": 50}).json()["items"]
    assert [
        (s["revision"], s["change"], s["reason"], s["timestamp"], s["blockNumber"], s["actor"], s["actorName"])
        for s in served
    ] == [
        (r["revision"], r["change"], r["reason"], r["timestamp"], r["blockNumber"], r["actor"], r["actorName"])
        for r in revisions
    ]


def test_an_issuer_without_accreditations_has_an_empty_history(dated: Dated) -> None:
    result = cli(dated, "issuer", "history", new_legal_entity("nobody").did)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no accreditation in the trusted issuers registry" in result.stdout


# The three days asked about: (offset from D, accredited by that day's end, words said about it).
DAYS = [
    (-DAY, True, "revoked later"),  # accredited at noon on D-1: by the end of D-1, accredited
    (0, False, "(reason: audit pending)"),  # suspended at noon on D, not reinstated by its end
    (DAY, False, "(reason: fraud)"),  # reinstated then revoked on D+1
]


@pytest.mark.parametrize(("offset", "trusted", "words"), DAYS)
def test_the_cli_and_the_page_s_api_answer_the_same_day_the_same_way(
    dated: Dated, offset: int, trusted: bool, words: str
) -> None:
    """The page sends the day as picked (tests/test_service_browser.py checks it does); the API
    reads it as the CLI reads `--at`: the end of that day, UTC. The reason of the suspension or
    revocation the answer depends on is in both."""
    asked = day(dated.d + offset)
    result = cli(dated, "issuer", "check", dated.school.did, "--at", asked, "--json")
    assert result.returncode == (0 if trusted else 1), result.stdout + result.stderr
    report = json.loads(result.stdout)
    served = httpx.get(f"{dated.service}/api/issuers/{dated.school.did}/check", params={"at": asked}).json()
    assert report["ok"] is served["ok"] is trusted
    assert report["at"] == served["at"] == f"{asked}T23:59:59Z"
    assert report["summary"] == served["summary"]
    said = report["summary"] + " ".join(report["notes"]) + " ".join(link["message"] for link in report["path"])
    assert words in said, said
    # Typed other ways, the same moment: with a time (UTC when no offset is given) and an offset.
    for typed in (f"{asked} 23:59:59", f"{asked}T23:59:59Z", f"{day(dated.d + offset + DAY)}T01:59:59+02:00"):
        again = cli(dated, "issuer", "check", dated.school.did, "--at", typed, "--json")
        assert json.loads(again.stdout)["at"] == report["at"], typed


def test_issuer_check_names_the_reason_in_text(dated: Dated) -> None:
    text = cli(dated, "issuer", "check", dated.school.did)
    assert text.returncode == 1
    assert "accreditation revoked on" in text.stdout and "(reason: fraud)" in text.stdout
    # Without a trust list, an accreditor checking itself: NO TRUST LIST, exit 2 (could not determine:
    # nobody said which roots count, so neither trusted nor refused), and a line saying why.
    listed = dated.settings.trust_list_file.read_bytes()
    dated.settings.trust_list_file.unlink()
    try:
        alone = cli(dated, "issuer", "check", "accreditor")
    finally:
        dated.settings.trust_list_file.write_bytes(listed)
    assert alone.returncode == 2 and "NOT TRUSTED" not in alone.stdout, alone.stdout + alone.stderr
    assert alone.stdout.splitlines()[0].startswith("Chamber of Crafts (did:ebsi:"), alone.stdout
    assert "NO TRUST LIST — there is no trust list, so Root TAO" in alone.stdout.splitlines()[0], alone.stdout
    assert "note: no trust list was given, so no Root TAO is trusted" in alone.stdout, alone.stdout


def test_verify_names_the_reason_of_a_later_revocation(dated: Dated) -> None:
    """Issued on D-1, while the school was accredited: still valid after the revocation on D+1 (it
    does not reach back), and the accreditation check's note says when it was revoked and why."""
    result = cli(dated, "verify", str(dated.credential), "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["verdict"] == "valid", report["summary"]
    accreditation = next(c for c in report["checks"] if c["name"] == "accreditation")
    assert "was revoked on" in accreditation["message"] and "(reason: fraud)" in accreditation["message"]
    # The path, root first: as one line of DIDs (as it always was), and with the legal name each
    # accreditation states beside each DID (the accreditor's; the root and the school state none here).
    evidence = accreditation["evidence"]
    links = evidence["path_links"]
    assert evidence["path"] == " <- ".join(f"{link['issuer_type']} {link['did']}" for link in links)
    named = [("RootTAO", None), ("TAO", TAO_NAME), ("TI", None)]
    assert [(link["issuer_type"], link["name"]) for link in links] == named
    assert links[1]["did"] == dated.tao.did and links[2]["did"] == dated.school.did
    # Under the policy "now" with no --at, the time asked is the newest block's: when that is the
    # revocation's own block, the same second, it is not "revoked on T, before T".
    now = cli(dated, "verify", str(dated.credential), "--accreditation-policy", "now", "--json")
    assert now.returncode == 1, now.stdout + now.stderr
    said = next(c for c in json.loads(now.stdout)["checks"] if c["name"] == "accreditation")["message"]
    revoked = re.search(r"accreditation revoked on (\S+), (before (\S+)|the very second asked)", said)
    assert revoked is not None and revoked.group(1) != revoked.group(3), said


def test_a_revocation_for_cause_from_a_date_and_its_history(dated: Dated) -> None:
    """`registry trust revoke --for-cause-from DATE`: a bare date is the START of that day, UTC (void
    from its first second, so the whole day is included; before the accreditation began: from its
    start); the history, the revisions route and the EBSI attribute carry the date. A date the chain
    has not reached is refused in one line."""
    assert dated.college is not None
    college = dated.college.did
    future = cli(dated, "trust", "revoke", "--parent", "accreditor", "--child", college,
                 "--for-cause-from", day(dated.d + 2 * DAY), passphrase=PASSPHRASE)  # fmt: skip
    assert future.returncode != 0 and "reaches back, never forward" in future.stderr, future.stdout + future.stderr
    assert len(future.stderr.strip().splitlines()) == 1 and "Traceback" not in future.stderr

    # The day it was accredited (at noon): void from its start, said (it was refused: "before it began").
    revoked = cli(dated, "trust", "revoke", "--parent", "accreditor", "--child", college,
                  "--for-cause-from", day(dated.d - DAY), passphrase=PASSPHRASE)  # fmt: skip
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    said = f"{day(dated.d - DAY)}T00:00:00Z is before the accreditation began: it is void from its start"
    assert said in revoked.stderr, revoked.stderr
    # Its attribute id as `issuer history` shows it (registry/text.py `short_attribute`), its holder by name.
    shown = re.fullmatch(
        r"accreditation ([0-9a-f]{8}) of college \(did:ebsi:\S+\): revoked for cause.*", revoked.stdout.strip()
    )
    assert shown is not None, revoked.stdout
    void_from = revoked.stdout.split("void from ")[1].split(",")[0]
    assert void_from.startswith(f"{day(dated.d - DAY)}T12:") and void_from in revoked.stderr

    text = cli(dated, "issuer", "history", college)
    assert text.returncode == 0, text.stdout + text.stderr
    line = text.stdout.splitlines()[-1]
    assert (
        f"revoked for cause by {TAO_NAME}" in line and "fraud (reason 2)" in line and f"void from {void_from}" in line
    )
    assert "now revoked" in text.stdout
    # Asked again, or asked to undo it: said before anything is sent, not as the contract's refusal.
    again = cli(dated, "trust", "revoke", "--parent", "accreditor", "--child", college, passphrase=PASSPHRASE)
    assert again.returncode == 0 and "is already revoked" in again.stdout, again.stdout + again.stderr
    assert f"accreditation {shown.group(1)} of college" in again.stdout and shown.group(1) in text.stdout
    undo = cli(dated, "trust", "reinstate", "--parent", "accreditor", "--child", college,
               "--attribute", shown.group(1), passphrase=PASSPHRASE)  # fmt: skip
    assert undo.returncode == 1 and undo.stderr.count("\n") == 1, undo.stderr
    assert "is revoked, and revocation is final: it cannot be reinstated" in undo.stderr

    base = f"{dated.service}/trusted-issuers-registry/v5/issuers/{college}"
    attribute = httpx.get(f"{base}/attributes").json()["items"][0]["id"]
    served = httpx.get(f"{base}/attributes/{attribute}/revisions").json()["items"]
    assert [(r["change"], r["reason"]) for r in served] == [("accredited", 0), ("revoked for cause", 2)]
    assert served[0]["effectiveFrom"] == served[0]["timestamp"]  # an ordinary change: when it was made
    assert served[1]["effectiveFrom"] == void_from and served[1]["timestamp"] > void_from
    ebsi = httpx.get(f"{base}/attributes/{attribute}").json()["attribute"]
    assert ebsi["issuerType"] == "Revoked" and ebsi["revokedForCauseFrom"] == void_from


def test_the_issuer_page_in_a_browser_answers_each_day_as_the_cli_does(dated: Dated) -> None:
    """The page itself, in Chromium, for a reader at UTC+14 (where the reader's day and UTC's differ
    for half of every day): a day picked in its date field gets the answer the CLI gives for that
    day (the table DAYS, which the test above holds the CLI and the API to), with the reason."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed")
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_context(base_url=dated.service, timezone_id="Pacific/Kiritimati").new_page()
            page.goto("/issuer")
            page.fill("#did", dated.school.did)
            for offset, trusted, words in DAYS:
                page.fill("#at", day(dated.d + offset))
                page.evaluate("() => { document.querySelector('#verdict').dataset.verdict = 'waiting'; }")
                page.click("button[type=submit]")
                page.wait_for_function(ANSWERED, timeout=10_000)
                shown = page.locator("#verdict")
                assert shown.get_attribute("data-verdict") == ("valid" if trusted else "invalid"), shown.inner_text()
                assert (
                    words
                    in shown.inner_text() + page.locator("#chain").inner_text() + page.locator("#notes").inner_text()
                ), offset
        finally:
            browser.close()


def test_issuer_check_and_history_speak_french_and_arabic(dated: Dated) -> None:
    """`issuer check` and `issuer history` in French (`--lang fr`) and Arabic (the locale): the verdict,
    the summary, each link's message and the history's changes with their reasons; `--json` stays English."""
    trusted = cli(dated, "--lang", "fr", "issuer", "check", dated.school.did, "--at", day(dated.d - DAY))
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert (
        "\u00a0: DE CONFIANCE — accréditée par une chaîne ininterrompue jusqu\u2019à l\u2019autorité de tête (Root TAO)"
        in trusted.stdout
    )
    assert "en vigueur le " in trusted.stdout and "révoquée plus tard, le " in trusted.stdout
    assert "à laquelle la liste de confiance " in trusted.stdout  # the trust list named in French too
    assert "(motif\u00a0: fraude), sans effet rétroactif" in trusted.stdout
    assert f"accréditée par {TAO_NAME} (did:ebsi:" in trusted.stdout
    assert "intégrée par la gouvernance du registre\u00a0; portée types" in trusted.stdout
    assert "accredited" not in trusted.stdout and "active on" not in trusted.stdout
    # Each link's kind in the web page's words, and the note on the later revocation, in French too.
    assert "\u2714 Émetteur de confiance (TI) school (did:ebsi:" in trusted.stdout, trusted.stdout
    # Inside a sentence too, the kind in words (not the code alone), and the block in French.
    assert "remarque\u00a0: l\u2019accréditation de l\u2019émetteur de confiance (TI) " in trusted.stdout
    assert "was revoked" not in trusted.stdout and "block" not in trusted.stdout
    assert "ce qui a été émis avant reste valide" in trusted.stdout

    history = cli(dated, "issuer", "history", dated.school.did, env={"LANG": "ar_MA.UTF-8"})
    assert history.returncode == 0, history.stdout + history.stderr
    lines = history.stdout.splitlines()
    assert lines[0].startswith("school (did:ebsi:") and lines[0].endswith(": اعتماد واحد (1)")
    assert f"منحته {TAO_NAME} (did:ebsi:" in lines[1] and lines[1].endswith(": ملغى الآن")
    assert lines[1].startswith("  اعتماد جهة مُصدِرة موثوقة (TI) ") and " TI " not in lines[1]
    assert f"علّقته {TAO_NAME}" in lines[3] and "تدقيق قيد الإجراء (السبب 3)" in lines[3] and "الكتلة " in lines[3]
    assert f"ألغته {TAO_NAME}" in lines[5] and "احتيال (السبب 2)" in lines[5]

    revoked = cli(dated, "issuer", "check", dated.school.did, env={"LANG": "ar_MA.UTF-8"})
    assert revoked.returncode == 1 and "غير موثوقة — حلقة جهة مُصدِرة موثوقة (TI) " in revoked.stdout, revoked.stdout
    assert "أُلغي الاعتماد في " in revoked.stdout and "(السبب: احتيال)" in revoked.stdout
    assert "جهة مُصدِرة موثوقة (TI) school" in revoked.stdout and "النطاق الأنواع " in revoked.stdout
    machine = cli(dated, "--lang", "ar", "issuer", "check", dated.school.did, "--json")
    assert json.loads(machine.stdout)["verdict"] == "not trusted" and "accreditation revoked" in machine.stdout


def test_a_registered_organisation_without_accreditation_is_told_its_attestations_verify(dated: Dated) -> None:
    """An employer checking its own standing: not accredited (NOT TRUSTED, exit 1), and a note that it
    is registered, which is all its work-experience attestations need; the service's answer carries it
    too (one answer: tests/e2e/test_issuer_check_agreement.py), and an unregistered DID gets none."""
    from registry.i18n.trustwords import NOTES
    from registry.ops.trust.evaluation import REGISTERED_ONLY

    assert NOTES == (REGISTERED_ONLY,)  # the words the CLI translates are the words ops writes
    employer = new_legal_entity("employer")
    registry = Registry.connect(dated.settings)
    fund(registry, employer)
    registry.register_did(employer)
    french = cli(dated, "--lang", "fr", "issuer", "check", employer.did)
    assert french.returncode == 1 and "n\u2019a aucune accréditation" in french.stdout, french.stdout + french.stderr
    assert "remarque\u00a0: elle est inscrite au registre des DID" in french.stdout
    served = httpx.get(f"{dated.service}/api/issuers/{employer.did}/check").json()
    assert served["ok"] is False and served["notes"] == [REGISTERED_ONLY]
    unregistered = httpx.get(f"{dated.service}/api/issuers/{new_legal_entity('nobody').did}/check").json()
    assert unregistered["ok"] is False and unregistered["notes"] == []
