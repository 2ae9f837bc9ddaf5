"""Recognition of prior learning on anvil (issue #17): an accredited centre's RPL credential with
evidence the holder keeps, verified with its evidence shown whole, in part and altered; employers'
work-experience attestations, registered (lower assurance, said) and unregistered (not valid); and
every new credential type against the schema it names, and the 1EdTech OB 3.0 schema."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from registry.config import Settings
from registry.contracts.statusword import Purpose, list_id, split_list_id
from registry.errors import InputError
from registry.formats import jwt, ownschemas
from registry.formats.accreditation import Scope
from registry.formats.credential import Achievement, HolderFile, Occupation
from registry.formats.rpl import RPL_TYPE, WorkPeriod, parse_assessment
from registry.formats.schemas import SchemaSet, error_paths, format_checker
from registry.formats.vcdm2 import PAIRED_SUSPENSION
from registry.keystore import Identity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.logbook import Provider
from registry.ops.registry import Registry
from registry.ops.rpl import Attester, RplIssuer
from registry.ops.rpl.checks import add_rpl_checks
from registry.ops.statusentries import parse_status_entries
from registry.ops.trust import IssuerType, Trust, TrustList
from registry.ops.verify import Code, Outcome, Verifier
from registry.ops.verify.shapes import Verdict
from tests.conftest import GOVERNANCE, ONE_YEAR, WELDING, trusted_roots
from tests.helpers.vectors import VECTORS

RPL_SCOPE = Scope(types=("SkillsCredential", RPL_TYPE))
WELDER = Occupation("http://data.europa.eu/esco/occupation/07b6bdd0-9ba7-45e1-8b79-3b8b7b5a07c8", "welder")
DAY = 86_400


@dataclass
class Issued:
    file: Path
    manifest: Path
    evidence: Path  # where the holder keeps her files
    vc: dict[str, Any]
    authorisation: str = ""
    provider: Any = None
    assessment: Any = None


@pytest.fixture
def rpl_world(make_issuer, trust: Trust, registry: Registry, settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Root -> RPL centre (a TI accredited for RPL assessment credentials), an authorised assessor,
    and one RPL credential with two evidence files and a work-experience attestation."""
    until = int(time.time()) + ONE_YEAR
    root, centre, employer = make_issuer("authority"), make_issuer("rpl-centre"), make_issuer("employer")
    attribute = trust.onboard_root(GOVERNANCE, root, [RPL_SCOPE], until)
    tao = make_issuer("body")
    tao_attribute = trust.accredit(root, attribute, tao.did, IssuerType.TAO, [RPL_SCOPE], until)
    trust.accredit(tao, tao_attribute, centre.did, IssuerType.TI, [RPL_SCOPE], until)
    worker, assessor = new_natural_person("amina"), new_natural_person("assessor")
    provider = Provider(registry, centre, settings)
    standard = provider.publish_programme({
        "id": "urn:rpl:welding", "version": 1, "title": "RPL welding", "eqfLevel": 3, "durationMonths": 1,
        "backdatingDays": 7, "units": [{"id": "W", "title": "Welds", "skills": [WELDING.uri], "hours": 1,
                                         "signer": "assessor"}],
    })  # fmt: skip
    now = registry.signing_time()
    authorisation = provider.authorise(
        standard, assessor.did, "assessor", now - 30 * DAY, now + 30 * DAY, name="Yusuf Demir"
    )
    attestation = _attest(registry, employer, settings, worker.did, tmp_path / "attestation.json")
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "weld.jpg").write_bytes(b"\xff\xd8 a fillet weld, photographed" * 50)
    (kept / "testimony.txt").write_text("She welded pipe for us for three years.")
    shutil.copy(attestation, kept / "attestation.json")
    assessment = {
        "name": "MIG/MAG welding (recognised prior learning)", "eqf": 3, "skills": [{"uri": WELDING.uri,
        "label": WELDING.label}], "methods": ["observation", "practical test", "testimony"],
        "date": time.strftime("%Y-%m-%d", time.gmtime(now - DAY)),
        "evidence": [{"file": "weld.jpg", "name": "Fillet weld", "genre": "Photograph"},
                     {"file": "testimony.txt", "name": "Former employer", "genre": "Testimony"}],
        "attestations": ["attestation.json"],
    }  # fmt: skip
    data, parsed = parse_assessment(assessment, kept)
    centre_ops = RplIssuer(registry, centre, settings, parsed)
    centre_ops.prepare(authorisation)
    achievement = Achievement(data["name"], data["name"], "RPL", "Competency", (WELDING,), eqf_level=3)
    done = centre_ops.issue_rpl(worker.did, achievement, tmp_path / "amina-rpl.json", None)
    trust_list = trusted_roots(root.did)
    vc = jwt.parse(done.issued.holder_file.credential).payload
    found = Issued(tmp_path / "amina-rpl.json", done.manifest, kept, vc, authorisation, provider, parsed)
    return Verifier(registry, trust_list), found, registry


def _attest(registry: Registry, employer: Identity, settings: Settings, holder: str, out: Path) -> Path:
    period = WorkPeriod(WELDER, int(time.time()) - 400 * DAY, int(time.time()) - 30 * DAY,
                        ("MIG welding of steel frames", "reading drawings"), "Stahlbau GmbH")  # fmt: skip
    attester = Attester(registry, employer, settings, period)
    stand_in = Achievement("work", "", "")
    attester.check_can_issue(holder, stand_in, valid_until=None, extra_types=())
    attester.issue_single(holder, stand_in, out=out)
    return out


def _shown(issued: Issued, tmp: Path, *names: str) -> Path:
    """A directory with `names` from the holder's files and only their manifest entries (as `rpl disclose`)."""
    manifest = json.loads(issued.manifest.read_text())
    shown = tmp / f"shown-{len(names)}-{time.monotonic_ns()}"
    shown.mkdir()
    for name in names:
        shutil.copy(issued.evidence / name, shown / name)
    manifest["items"] = [e for e in manifest["items"] if e["file"] in names]
    (shown / issued.manifest.name).write_text(json.dumps(manifest))
    return shown


def _states(report: Any) -> dict[str, str]:
    return {item["name"]: item["state"] for item in report.evidence["items"]}


def test_rpl_credential_with_evidence_shown_whole_in_part_and_altered(rpl_world: Any, tmp_path: Path) -> None:
    verifier, issued, registry = rpl_world
    content = issued.file.read_bytes()
    report = verifier.verify("rpl", content)
    assert report.verdict == "valid", report.summary
    assert not add_rpl_checks(report, registry, _shown(issued, tmp_path, "weld.jpg", "testimony.txt",
                                                      "attestation.json"))  # fmt: skip
    assessed = report.check(Code.ASSESSOR)
    assert report.verdict == "valid" and assessed is not None and assessed.outcome is Outcome.PASS
    # Named as her authorisation names her, marked as its word, beside her DID.
    assert assessed.message.startswith("Yusuf Demir (as the authorisation names did:key:"), assessed.message
    assert assessed.evidence is not None and assessed.evidence["assessorName"] == "Yusuf Demir"
    assert set(_states(report).values()) == {"matched"} and report.evidence["matched"] == 3
    assert report.to_json()["evidence"]["summary"].startswith("3 of 3 evidence items shown and matched")
    attested = next(i["message"] for i in report.evidence["items"] if i["name"] == "Work experience: welder")
    assert attested.endswith(f"(verify it too: registry verify {report.evidence['directory']}/attestation.json)")

    partly = verifier.verify("rpl", content)
    assert not add_rpl_checks(partly, registry, _shown(issued, tmp_path, "weld.jpg"))
    assert partly.verdict == "valid"
    assert _states(partly) == {"Fillet weld": "matched", "Former employer": "not shown",
                               "Work experience: welder": "not shown"}  # fmt: skip

    altered_dir = _shown(issued, tmp_path, "weld.jpg", "testimony.txt")
    (altered_dir / "testimony.txt").write_text("She welded pipe for us for ten years.")
    altered = verifier.verify("rpl", content)
    assert add_rpl_checks(altered, registry, altered_dir)  # the command exits 1
    assert altered.verdict == "valid"  # the credential stands; the altered item does not
    assert _states(altered)["Former employer"] == "altered" and _states(altered)["Fillet weld"] == "matched"
    assert "not valid" in next(i for i in altered.evidence["items"] if i["state"] == "altered")["message"]


def test_the_salts_stay_with_the_holder(rpl_world: Any) -> None:
    _, issued, _ = rpl_world
    digests = [e.get("saltedDigest") for e in issued.vc["evidence"] if "saltedDigest" in e]
    assert len(digests) == 2 and all(d.startswith("sha256-salted:") for d in digests)
    manifest = json.loads(issued.manifest.read_text())
    assert all(e["salt"] not in issued.file.read_text() for e in manifest["items"] if "salt" in e)
    assert issued.vc["credentialSubject"]["assessment"]["methods"] == ["observation", "practical-test", "testimony"]


def test_attestations_registered_and_unregistered(  # type: ignore[no-untyped-def]
    make_issuer, registry: Registry, settings: Settings, tmp_path: Path
) -> None:
    worker = new_natural_person("bilal")
    registered = _attest(registry, make_issuer("employer"), settings, worker.did, tmp_path / "ok.json")
    verifier = Verifier(registry, TrustList(frozenset(), "nobody"), require_trusted_root=True)
    report = verifier.verify("ok", registered.read_bytes())
    assert report.verdict == "valid", report.summary
    start, end = (time.strftime("%Y-%m-%d", time.gmtime(time.time() - d * DAY)) for d in (400, 30))
    description = f"Worked as welder for Stahlbau GmbH from {start} to {end}: MIG welding of steel frames; reading"
    assert report.certifies is not None and str(report.certifies["description"]).startswith(description)  # shown
    assert report.certifies["issuer"]["name"] == "Stahlbau GmbH"  # by the name it signed, as issuers are named
    assurance = report.check(Code.ASSURANCE)
    assert assurance is not None and assurance.evidence == {"assurance": "registered organisation"}
    assert "not an accredited awarding body" in assurance.message and report.check(Code.ACCREDITATION) is None

    stranger = make_issuer("stranger", register=False)
    attester = Attester(registry, stranger, settings, WorkPeriod(WELDER, 0, None, ("welding",), "Nobody Ltd"))
    with pytest.raises(Exception, match="not registered in the DID registry"):
        attester.check_can_issue(worker.did, Achievement("w", "", ""), valid_until=None, extra_types=())
    now = registry.signing_time()
    token = attester.sign(attester._draft(worker.did, Achievement("w", "", ""), 0, 0, now, None), now)
    forged = verifier.verify("forged", HolderFile(token).dumps())
    assert forged.verdict == "invalid" and "issuer DID" in forged.summary
    assert forged.certifies is None or forged.certifies["issuer"]["name"] is None  # an unregistered one: no name


class _EqfClaimingAttester(Attester):
    """An employer (or anyone who registered a DID) whose attestation also names EQF level 7."""

    def build(self, draft: Any, issued_at: int) -> dict[str, Any]:
        vc = super().build(draft, issued_at)
        eqf = Achievement("x", "", "", eqf_level=7).to_json()["alignment"]
        vc["credentialSubject"]["achievement"]["alignment"] += eqf
        return vc


def test_an_attestation_certifies_no_eqf_level_even_if_it_names_one(  # type: ignore[no-untyped-def]
    make_issuer, registry: Registry, settings: Settings, tmp_path: Path
) -> None:
    """VALID as a registered organisation's word, but not shown as certifying an EQF level (only an
    accredited body awards one), nor counted toward a passport's highest level."""
    worker = new_natural_person("bilal")
    period = WorkPeriod(WELDER, int(time.time()) - 400 * DAY, None, ("welding",), "Stahlbau GmbH")
    attester = _EqfClaimingAttester(registry, make_issuer("employer"), settings, period)
    attester.issue_single(worker.did, Achievement("work", "", ""), out=tmp_path / "a.json")
    report = Verifier(registry, TrustList(frozenset(), "nobody")).verify("a", (tmp_path / "a.json").read_bytes())
    assert report.verdict == "valid" and report.check(Code.ASSURANCE) is not None, report.summary
    assert report.certifies is not None and report.certifies["eqf_level"] is None
    assert [o["label"] for o in report.certifies["occupations"]] == ["welder"]


def test_new_types_validate_against_the_schemas_they_name(rpl_world: Any, settings: Settings) -> None:
    _, issued, _ = rpl_world
    attestation = jwt.parse(json.loads((issued.evidence / "attestation.json").read_text())["credential"]).payload
    ob3 = SchemaSet(VECTORS)
    for vc, name in ((issued.vc, ownschemas.RPL), (attestation, ownschemas.WORK_EXPERIENCE)):
        assert vc["credentialSchema"][0]["id"].endswith(ownschemas.id_of(name))
        validator = Draft202012Validator(ownschemas.load(name), format_checker=format_checker())
        assert not list(validator.iter_errors(vc))
        # OB 3.0 (1EdTech's schema), fully: one status object, whose revocation entry names its
        # suspension twin (below).
        assert ob3.validate_ob3(vc) == [], error_paths(ob3.validate_ob3(vc))
        assert isinstance(vc["credentialStatus"], dict) and vc["credentialStatus"]["statusPurpose"] == "revocation"
    # That one object carries both purposes: the centre suspends, reinstates and revokes as for any
    # credential, and the verifier reads both bits.
    verifier, _, registry = rpl_world
    token = json.loads(issued.file.read_text())["credential"]
    centre = Issuer(registry, issued.provider.identity, settings, "vcdm2")
    centre.change_status([token], Purpose.SUSPENSION, set_=True, reason=3)
    assert verifier.verify("rpl", issued.file.read_bytes()).verdict == "suspended"
    centre.change_status([token], Purpose.SUSPENSION, set_=False, reason=4)
    assert verifier.verify("rpl", issued.file.read_bytes()).verdict == "valid"
    centre.change_status([token], Purpose.REVOCATION, set_=True, reason=1)
    assert verifier.verify("rpl", issued.file.read_bytes()).verdict == "revoked"
    # A twin that is not the same list's suspension list is refused, not read as anything.
    status = dict(issued.vc["credentialStatus"])
    base, _, number = status["statusListCredential"].rpartition("/")
    other = f"{base}/{list_id(Purpose.SUSPENSION, split_list_id(int(number))[1] + 1)}"
    with pytest.raises(InputError, match="not the suspension list of the same issuer and list number"):
        parse_status_entries({**status, PAIRED_SUSPENSION: other})


def test_the_service_checks_the_assessor_too(rpl_world: Any, settings: Settings) -> None:
    verifier, issued, _ = rpl_world
    from registry.service.config import ServiceConfig
    from tests.helpers.service_helpers import start_service

    config = ServiceConfig(rate_per_s=0, head_max_age_s=0, trust_list=verifier.trust_list, require_trusted_root=True)
    running = start_service(settings, config)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as http:
            report = http.post("/verify", json={"credential": issued.file.read_text()}).json()
    finally:
        running.stop()
    assert report["verdict"] == "valid", report["summary"]
    assert [c["outcome"] for c in report["checks"] if c["name"] == "assessor"] == ["pass"]


def test_a_revoked_assessor_signs_off_nothing_new(rpl_world: Any, settings: Settings, tmp_path: Path) -> None:
    verifier, issued, registry = rpl_world
    # Before that: an assessment cites only work-experience attestations of the holder's own work.
    achievement = Achievement("RPL welding", "", "RPL", "Competency", (WELDING,), eqf_level=3)
    centre = RplIssuer(registry, issued.provider.identity, settings, issued.assessment)
    centre.prepare(issued.authorisation)
    with pytest.raises(InputError, match=r"attestation.json attests the work of did:key:.*, not of the holder"):
        centre.issue_rpl(new_natural_person("bilal").did, achievement, tmp_path / "bilal.json", None)
    cites_a_credential = replace(issued.assessment, attestations=(issued.file,))  # her RPL credential: no attestation
    centre = RplIssuer(registry, issued.provider.identity, settings, cites_a_credential)
    centre.prepare(issued.authorisation)
    with pytest.raises(InputError, match=r"amina-rpl.json is not a work-experience attestation"):
        centre.issue_rpl(str(issued.vc["credentialSubject"]["id"]), achievement, tmp_path / "again.json", None)
    assert not (tmp_path / "bilal.json").exists() and not (tmp_path / "again.json").exists()
    issued.provider.revoke_authorisation(issued.authorisation, 1, None)
    centre = RplIssuer(registry, issued.provider.identity, settings, issued.assessment)
    with pytest.raises(InputError, match=r"the assessor cannot sign off this assessment: .*revoked"):
        centre.prepare(issued.authorisation)
    # What she assessed before the revocation stands, and whoever relies on it is told of the revocation
    # (before: VALID, nothing said; forced against the old check: no line).
    report = verifier.verify("rpl", issued.file.read_bytes())
    assert not add_rpl_checks(report, registry, None) and report.verdict == "valid", report.summary
    today = time.strftime("%Y-%m-%d", time.gmtime(registry.block_timestamp()))
    said = f"; but the assessor's authorisation was revoked on {today} (issued in error)"
    assert report.summary.endswith(said), report.summary
    check = next(c for c in report.checks if c.code.value == "assessor")
    assert check.message.endswith(f"her authorisation was revoked later, on {today} (issued in error)")


def test_an_assessor_revoked_for_cause_after_the_assessment_could_not_be_checked(rpl_world: Any) -> None:
    """Revoked for cause (reason 2, with the day from which her sign-offs are not trusted in the centre's
    record, which the credential does not carry): the credential is neither VALID nor INVALID but could not
    be determined, and the line says why and whom to ask (before: VALID, nothing said; forced once)."""
    verifier, issued, registry = rpl_world
    today = time.strftime("%Y-%m-%d", time.gmtime(registry.block_timestamp()))
    issued.provider.revoke_authorisation(issued.authorisation, 2, today, keep=lambda record: None)
    report = verifier.verify("rpl", issued.file.read_bytes())
    add_rpl_checks(report, registry, None)
    assert report.verdict == Verdict.INDETERMINATE, report.summary
    assert report.summary.startswith(
        f"COULD NOT DETERMINE: could not check: the assessor's authorisation was revoked for cause on {today}"
    ), report.summary


def test_evidence_without_its_manifest_or_a_credential_without_evidence_says_so(tmp_path: Path) -> None:
    from registry.ops.rpl.checks import evidence_report

    (tmp_path / "weld.jpg").write_bytes(b"the photo")  # the file, but not the salts `rpl disclose` puts beside it
    report = evidence_report([{"id": "urn:uuid:1", "name": "Fillet weld", "genre": "Photograph"}], tmp_path)
    assert report["items"][0]["state"] == "not shown"
    assert report["items"][0]["message"] == f"no evidence manifest in {tmp_path} (`registry rpl disclose`)"
    assert report["summary"].endswith("the holder makes it with `registry rpl disclose`)")
    assert evidence_report([], tmp_path)["summary"] == "the credential names no evidence items: nothing to match"


def test_an_attested_period_of_work_cannot_lie_in_the_future() -> None:
    from registry.formats.rpl.attestation import build_attestation

    now = int(time.time())
    for start, end, said in (
        (now + 30 * DAY, None, "starts"),
        (now - 30 * DAY, now + 300 * DAY, "ends"),
    ):
        with pytest.raises(InputError, match=f"the period of work {said} .*, in the future: attest"):
            build_attestation(None, WorkPeriod(WELDER, start, end, ("welding",), "Stahlbau GmbH"), now)


def test_an_assessor_the_authorisation_does_not_name_fails_through_a_quorum_too(
    rpl_world: Any, settings: Settings, tmp_path: Path
) -> None:
    """An RPL credential the centre signed (bypassing `rpl issue`'s own check) naming an assessor its
    authorisation does not: INVALID through one node; through several (`verify --rpc A --rpc B`) the
    assessor was never checked, so it was VALID (forced once). Both endpoints are the session's node,
    the second through a relaying proxy the verifier cannot tell from another."""
    from registry.ops.batch import verify_quorum
    from tests.helpers.rpc_counter import CountingProxy

    verifier, issued, registry = rpl_world
    centre = RplIssuer(registry, issued.provider.identity, settings, issued.assessment)
    centre.prepare(issued.authorisation)  # the centre's own check passes; then it names another assessor
    centre.assessment = replace(centre.assessment, assessor=new_natural_person("not-the-assessor").did)
    achievement = Achievement("RPL welding", "", "RPL", "Competency", (WELDING,), eqf_level=3)
    done = centre.issue_rpl(str(issued.vc["credentialSubject"]["id"]), achievement, tmp_path / "bad.json", None)
    content = done.issued.holder_file.dumps().encode()
    one = verifier.verify("rpl", content)
    add_rpl_checks(one, registry, None)
    assert one.verdict == "invalid" and "names another person than the assessor" in one.summary, one.summary
    proxy = CountingProxy(settings.rpc_url)
    try:
        relayed = Registry.connect(dataclasses.replace(settings, rpc_urls=(proxy.url,)), journal=False)
        endpoints = [(settings.rpc_url, verifier), (proxy.url, Verifier(relayed, verifier.trust_list))]
        (report,) = verify_quorum(endpoints, [("rpl", content)], None, audience=None, nonce=None)
    finally:
        proxy.close()
    assert report.verdict == "invalid" and "names another person than the assessor" in report.summary, report.summary
