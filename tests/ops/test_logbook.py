"""Skills logbooks on anvil (issue #16, first cut): one provider, two learners, supervisors whose
authorisations are for another programme, ended, revoked for cause; one day anchor for all."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from registry.config import Settings
from registry.errors import InputError
from registry.formats.jwt import b64url_decode, b64url_encode
from registry.formats.logbook import EntryFile, Extract, sign_record, signed_by
from registry.formats.logbook.records import sha256_hex
from registry.keystore import Identity, new_legal_entity, new_natural_person
from registry.ops.logbook import FOR_CAUSE, Logbook, Provider, verify_extract
from registry.ops.registry import Registry
from registry.ops.trust import IssuerType, Trust, TrustList
from tests.conftest import GOVERNANCE, ONE_YEAR, ROOT_SCOPE, TAO_SCOPE, WELDING_SCOPE, fund

DAY = 86_400
SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"
PROGRAMME = {
    "id": "urn:programme:mig-welding", "version": 1, "title": "MIG welding apprenticeship", "eqfLevel": 4,
    "durationMonths": 18, "backdatingDays": 7,
    "units": [
        {"id": "U1", "title": "Prepare joints", "skills": [SKILL], "hours": 6, "signer": "supervisor"},
        {"id": "U2", "title": "Weld plate", "skills": [SKILL], "hours": 2, "signer": "assessor"},
    ],
}  # fmt: skip


def day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).strftime("%Y-%m-%d")


@dataclass
class World:
    registry: Registry
    provider: Provider
    amina: Logbook
    bob: Logbook
    entries: dict[str, EntryFile]
    record: str
    root: str
    people: dict[str, Identity]


def _legal(registry: Registry, name: str) -> Identity:
    identity = new_legal_entity(name)
    fund(registry, identity)
    registry.register_did(identity)
    return identity


def _provider(registry: Registry, settings: Settings) -> tuple[Provider, str]:
    trust = Trust(registry, "http://registry.test")
    until = int(time.time()) + ONE_YEAR
    root, tao, ti = (_legal(registry, n) for n in ("authority", "body", "centre"))
    root_attribute = trust.onboard_root(GOVERNANCE, root, [ROOT_SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [TAO_SCOPE], until)
    trust.accredit(tao, tao_attribute, ti.did, IssuerType.TI, [WELDING_SCOPE], until, name="Northside Training Centre")
    return Provider(registry, ti, settings), root.did


@pytest.fixture(scope="module")
def world(anvil, deployment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> World:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("logbook")
    settings = Settings(home=home / "home", rpc_urls=(anvil.rpc_url,), deployment_path=deployment_file)
    registry = Registry.connect(settings)
    provider, root = _provider(registry, settings)
    programme = provider.publish_programme(PROGRAMME)
    other = provider.publish_programme({**PROGRAMME, "id": "urn:programme:care", "title": "Care work"})
    now = registry.signing_time()
    names = ("amina", "bob", "sup", "other", "ended", "fraud", "assessor", "yard9")
    people = {n: new_natural_person(n) for n in names}
    auth = {
        "sup": provider.authorise(programme, people["sup"].did, "supervisor", now - 60 * DAY, now + 60 * DAY),
        "other": provider.authorise(other, people["other"].did, "supervisor", now - 60 * DAY, now + 60 * DAY),
        "ended": provider.authorise(programme, people["ended"].did, "supervisor", now - 60 * DAY, now - 10 * DAY),
        "fraud": provider.authorise(programme, people["fraud"].did, "supervisor", now - 60 * DAY, now + 60 * DAY),
        "assessor": provider.authorise(programme, people["assessor"].did, "assessor", now - 60 * DAY, now + 60 * DAY),
        "yard9": provider.authorise(programme, people["yard9"].did, "supervisor", now - 60 * DAY, now + 60 * DAY,
                                    workplace="Yard 9"),
    }  # fmt: skip
    books = {}
    for learner in ("amina", "bob"):  # enrolled 40 days ago: the entries below are of the weeks since
        enrolment = enrolled_at(provider, programme, people[learner].did, now - 40 * DAY,
                                "Amina Haddad" if learner == "amina" else None)  # fmt: skip
        books[learner] = Logbook.create(home / learner, programme, enrolment)
    plan = {  # name: (learner, offset in days, unit, signer)
        "good": ("amina", -1, "U1", "sup"), "good2": ("amina", -2, "U1", "sup"),
        "assessed": ("amina", 0, "U2", "assessor"),
        "unauthorised": ("amina", -2, "U1", "other"), "ended": ("amina", -1, "U1", "ended"),
        "fraud": ("amina", -3, "U1", "fraud"), "backdated": ("amina", -30, "U1", "sup"),
        "revoked": ("amina", -1, "U1", "sup"), "bobs": ("bob", -1, "U1", "sup"),
        "wrong-role": ("amina", -1, "U2", "sup"), "future": ("amina", 3, "U1", "sup"),
        "at-yard9": ("amina", -2, "U1", "yard9"), "elsewhere": ("amina", -2, "U1", "yard9"),
    }  # fmt: skip
    from registry.ops.logbook.book import countersign

    entries = {}
    for name, (learner, offset, unit, signer) in plan.items():
        place = "Yard 9" if name == "at-yard9" else "Yard 3"
        fields = {"date": day(offset), "unit": unit, "activity": f"{name} work", "hours": 2, "workplace": place}
        at = now + 3 * DAY if name == "future" else now  # `add` refuses a future date: written as if then
        made = books[learner].add(people[learner], fields, b"photo" if name == "good" else None, at)
        if name in ("elsewhere", "wrong-role", "ended"):  # countersign refuses them; signed as another tool might
            entries[name] = forced_countersign(made, people[signer], auth[signer], now - 3600)
            continue
        entries[name] = countersign(made, people[signer], auth[signer], now - 3600)  # signed off before the revocations
    owner = {entries[name].id: books[learner] for name, (learner, *_rest) in plan.items()}
    provider.anchor_day(list(entries.values()), lambda f: owner[f.id].path_of(f))  # one root for both learners
    assert provider.revoke_entry(entries["revoked"], reason=2) is None
    # Again: nothing sent, the first revocation's reason and time stand, and said (no contract error).
    again = provider.revoke_entry(entries["revoked"], reason=1)
    assert again is not None and again.startswith("already revoked by transaction 0x"), again
    assert "(reason: fraud or misrepresentation," in again, again
    with pytest.raises(InputError, match=r"^reason 2 \(fraud or misrepresentation\) is a revocation for cause"):
        provider.revoke_authorisation(auth["fraud"], FOR_CAUSE, None)  # verifiers would ask for a record never made
    record = provider.revoke_authorisation(auth["fraud"], FOR_CAUSE, untrusted_from=day(-5)).record
    assert record is not None
    return World(registry, provider, books["amina"], books["bob"], entries, record, root, people)


def enrolled_at(provider: Provider, programme: str, learner: str, at: int, name: str | None = None) -> str:
    """An enrolment made at `at` (in the past: `Provider.enrol` enrols now), signed and anchored as it does."""
    from registry.ops.logbook.provider import programme_of

    token = provider._sign("logbook-enrolment+jwt", {
        "sub": learner, "iat": at, "logbook": f"urn:uuid:{uuid.uuid4()}", "programme": programme_of(programme).ref,
        "programmeHash": sha256_hex(programme),
    } | ({"name": name} if name is not None else {}))  # fmt: skip
    provider._anchor(token)
    return token


def forced_countersign(entry: EntryFile, signer: Identity, authorisation: str, now: int) -> EntryFile:
    """A countersignature made without `countersign`'s own checks (as a careless tool would)."""
    token = sign_record("logbook-countersignature+jwt", {
        "iss": signer.did, "iat": now, "entry": sha256_hex(entry.entry), "authorisation": sha256_hex(authorisation),
        "role": "supervisor",
    }, signer.signing_key, signer.kid)  # fmt: skip
    return EntryFile(entry.entry, token, authorisation, None)


def verdicts(world: World, names: list[str], *, records: list[str] | None = None) -> dict[str, tuple[str, str]]:
    extract = world.amina.share([world.entries[n].id for n in names if n != "bobs"], [])
    by_id = {world.entries[n].id: n for n in names}
    if "bobs" in names:
        extract.entries.append(world.entries["bobs"])
    report = verify_extract(world.registry, extract, records if records is not None else [world.record])
    assert not report.problems
    return {by_id[e.id]: (e.verdict, " ".join(e.to_json()["reasons"] + e.notes)) for e in report.entries}


def test_an_entry_signed_off_by_an_authorised_supervisor_or_assessor_is_valid(world: World) -> None:
    found = verdicts(world, ["good", "assessed"])
    assert found == {"good": ("valid", ""), "assessed": ("valid", "")}


def test_signers_not_authorised_for_the_programme_or_after_the_end_are_not_valid(world: World) -> None:
    found = verdicts(world, ["unauthorised", "ended"])
    assert found["unauthorised"][0] == "not valid" and "not authorised for the programme" in found["unauthorised"][1]
    assert found["ended"][0] == "not valid" and "outside the signer's authorisation period" in found["ended"][1]
    # `logbook sign` makes no such sign-off: refused, saying her authorisation's period.
    from registry.ops.logbook.book import countersign

    ended, now = world.entries["ended"], world.registry.signing_time()  # dated yesterday; it ended 10 days ago
    unsigned = EntryFile(ended.entry, None, None, None)
    assert ended.authorisation is not None
    with pytest.raises(InputError, match=r"^ended's authorisation ended \(\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\): ask"):
        countersign(unsigned, world.people["ended"], ended.authorisation, now)
    with pytest.raises(
        InputError, match=rf"^the entry of {day(-1)} is outside ended's authorisation \(.*\): not signed$"
    ):
        countersign(unsigned, world.people["ended"], ended.authorisation, now - 30 * DAY)  # then: dated after its end


def test_a_revocation_for_cause_reaching_back_makes_earlier_sign_offs_not_valid(world: World) -> None:
    verdict, why = verdicts(world, ["fraud"])["fraud"]
    assert verdict == "not valid" and f"from {day(-5)} are not trusted" in why
    # Without the provider's record, the reach-back cannot be known: never valid, never invalid.
    verdict, why = verdicts(world, ["fraud"], records=[])["fraud"]
    assert verdict == "could not determine" and "revocation record" in why


def test_an_entry_dated_before_the_for_cause_date_but_signed_off_after_it_is_not_valid(world: World) -> None:
    """Her sign-offs from the date are untrusted: what counts is when she signed off, not only the
    entry's date (found by the exploratory test: an entry of day -8 signed off today stood valid)."""
    from registry.ops.logbook.book import countersign

    now = world.registry.signing_time()
    fraud, authorisation = world.people["fraud"], world.entries["fraud"].authorisation
    assert authorisation is not None
    made = [
        world.amina.add(
            world.people["amina"],
            {"date": day(-8), "unit": "U1", "activity": name, "hours": 2, "workplace": "Yard 3"},
            None,
            now,
        )
        for name in ("signed off late", "signed off early")
    ]
    try:
        late = countersign(made[0], fraud, authorisation, now - 3600)  # after day(-5)
        early = countersign(made[1], fraud, authorisation, now - 7 * DAY)  # before it
        world.provider.anchor_day([late, early])  # each gets its anchor; the test keeps the files
        extract = world.amina.share([world.entries["good"].id], [])
        extract.entries[:] = [late, early]
        report = verify_extract(world.registry, extract, [world.record])
    finally:  # the module's logbook keeps only the entries its other tests count
        for entry in made:
            world.amina.path_of(entry).unlink(missing_ok=True)
    found = {e.id: (e.verdict, " ".join(e.to_json()["reasons"])) for e in report.entries}
    assert found[late.id][0] == "not valid" and f"from {day(-5)} are not trusted" in found[late.id][1]
    assert "signed off" in found[late.id][1]
    assert found[early.id][0] == "valid", found[early.id]


def test_an_entry_dated_before_the_backdating_window_is_reported(world: World) -> None:
    verdict, why = verdicts(world, ["backdated", "good"])["backdated"]
    assert verdict == "valid" and "backdated: dated more than 7 days before its day anchor" in why


def test_a_revoked_entry_shows_revoked_while_the_rest_stand(world: World) -> None:
    found = verdicts(world, ["revoked", "good", "assessed"])
    assert found["revoked"][0] == "revoked" and "fraud or misrepresentation" in found["revoked"][1]
    assert found["good"][0] == found["assessed"][0] == "valid"


def test_an_entry_moved_from_another_learners_logbook_is_not_valid(world: World) -> None:
    found = verdicts(world, ["good", "bobs"])
    assert found["bobs"] == ("not valid", "the entry belongs to another learner's logbook, not this one")
    assert found["good"][0] == "valid"


def test_an_altered_entry_is_not_valid(world: World) -> None:
    extract = world.amina.share([world.entries["good"].id], [])
    # An entry named as the learner sees it: its file (a path, or its name) or the short id that ends it.
    path = world.amina.path_of(world.entries["good"])
    for named in (str(path), path.stem, path.stem.rsplit("-", 1)[1]):
        assert [f.id for f in world.amina.share([named], []).entries] == [world.entries["good"].id], named
    header, payload, signature = extract.entries[0].entry.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["hours"] = 8
    extract.entries[0].entry = ".".join([header, b64url_encode(json.dumps(claims).encode()), signature])
    report = verify_extract(world.registry, Extract.from_json(extract.to_json(), "x"), [world.record])
    assert report.verdict == "not valid"
    assert "the learner's signature does not verify" in report.to_json()["entries"][0]["reasons"][0]


def test_an_entry_shown_twice_is_not_valid_the_second_time(world: World) -> None:
    # Its hours would otherwise count twice, in an extract with no qualification to sum them against.
    extract = world.amina.share([world.entries["good"].id], []).to_json()
    extract["entries"].append(extract["entries"][0])
    report = verify_extract(world.registry, Extract.from_json(extract, "x"), [world.record]).to_json()
    assert [e["verdict"] for e in report["entries"]] == ["valid", "not valid"] and report["verdict"] == "not valid"
    assert report["entries"][1]["reasons"] == ["the same entry as entry 1 of this extract, shown again"]


def test_one_day_cannot_claim_more_than_24_hours(world: World) -> None:
    fields = {"date": day(-1), "unit": "U1", "activity": "a long day", "hours": 23, "workplace": "Yard 3"}
    with pytest.raises(InputError, match=rf"the entries dated {day(-1)} would claim [\d.]+ h, more than a day's 24 h"):
        world.amina.add(world.people["amina"], fields, None, int(time.time()))
    # Made by another tool and countersigned all the same: none of that day's entries is valid.
    from registry.ops.logbook.checks import _more_than_a_day
    from registry.ops.logbook.reports import EntryReport

    reports = [EntryReport(id=f"e{n}", date="2026-03-02", hours=20) for n in range(2)]
    reports.append(EntryReport(id="other day", date="2026-03-03", hours=20))
    _more_than_a_day(reports)
    assert [r.verdict for r in reports] == ["not valid", "not valid", "valid"]
    assert reports[0].invalid == ["the entries dated 2026-03-02 claim 40 h, more than a day has"]


def test_progress_counts_anchored_hours_against_the_standard(world: World) -> None:
    progress = world.amina.progress().to_json()
    units = {u["unit"]: u for u in progress["units"]}
    assert units["U1"]["anchored"] == 20 and units["U2"]["anchored"] == 4  # from the files: none checked
    # Dated 30 days before its countersigning, so before its anchor's 7-day window: never counted, said.
    assert units["U1"]["backdated"] == 2 and units["U2"]["backdated"] == 0
    assert progress["missing"] == [] and progress["complete"]
    assert world.bob.progress().missing == ["U1: 4 h", "U2: 2 h"]


def test_a_days_entries_of_every_learner_are_one_root_in_one_transaction(world: World) -> None:
    roots = {f.anchor["root"] for f in world.entries.values() if f.anchor is not None}
    assert len(roots) == 1
    account = world.provider.identity.account.address
    pairs = [(account, bytes.fromhex(roots.pop()[2:]))]
    (record,) = world.registry.anchor_records(pairs, world.registry.client.call(world.registry.anchors_call(pairs)))
    assert record.exists and record.count == len(world.entries) == 13
    # Each learner's files hold their own entries, proofs included.
    assert {f.id for f in world.bob.entries()} == {world.entries["bobs"].id}
    assert all(f.anchor is not None for f in world.amina.entries())


def test_only_the_programmes_provider_anchors_or_revokes_a_logbooks_entries(world: World, settings: Settings) -> None:
    """Another provider's anchor would write proofs to a root verifiers never look for, and leave the
    entries "anchored" for their own provider: refused, before anything is written or sent."""
    from registry.ops.issuance import Issuer
    from registry.ops.logbook.days import anchor_logbooks

    another = new_legal_entity("another-centre")
    before = [f.to_json() for f in world.bob.entries()]
    with pytest.raises(InputError, match=r"is a logbook of urn:programme:mig-welding@1, which another provider"):
        anchor_logbooks(Issuer(world.registry, another, settings), [world.bob])
    assert [f.to_json() for f in world.bob.entries()] == before
    # Nor does another revoke one: the entry's status is in its anchoring provider's lists, not in theirs.
    with pytest.raises(InputError, match=r"was anchored by another provider, not another-centre: only the provider"):
        Provider(world.registry, another, settings).revoke_entry(world.entries["bobs"], 2)


def test_the_providers_accreditation_is_checked_against_the_verifiers_trust_list(world: World) -> None:
    extract = world.amina.share([world.entries["good"].id], [])
    trusted = TrustList(frozenset({world.root}), "test roots")
    assert verify_extract(world.registry, extract, [], trusted).verdict == "valid"
    elsewhere = verify_extract(world.registry, extract, [], TrustList(frozenset({"did:ebsi:zNobody"}), "other roots"))
    assert elsewhere.verdict == "not valid" and "which is not in the trust list other roots" in elsewhere.problems[0]
    # The entries are not checked then, but the report still names the logbook and counts them.
    assert (elsewhere.logbook, elsewhere.count, elsewhere.programme) == (
        world.amina.id,
        1,
        "urn:programme:mig-welding@1",
    )
    # No trust list at all: by default any onboarded root, said in a note; as `registry verify` asks
    # (`require_trusted_root`), the root is one nobody said they trust: named, not valid.
    lenient = verify_extract(world.registry, extract, [])
    assert lenient.verdict == "valid" and "no trust list given" in lenient.notes[0]
    strict = verify_extract(world.registry, extract, [], None, require_trusted_root=True)
    assert strict.verdict == "not valid" and strict.problems[0].startswith("root not trusted")
    assert world.root in strict.problems[0] and strict.logbook == world.amina.id and strict.count == 1


def test_signing_a_mixed_directory_leaves_the_other_roles_entries(world: World, tmp_path: Path) -> None:
    """`logbook sign entries/*.json` by a supervisor, where an assessor signs off some units: hers are
    countersigned, the assessor's left and listed, the countersigned ones left; none of hers among
    the others is the refusal it was."""
    from registry.ops.logbook.book import countersign_files

    authorisation = str(world.entries["wrong-role"].authorisation)  # sup's
    mine = EntryFile(world.entries["good2"].entry)  # U1, a supervisor's unit, not yet countersigned here
    theirs = EntryFile(world.entries["wrong-role"].entry)  # U2, an assessor's
    files = [(tmp_path / "a.json", mine), (tmp_path / "b.json", theirs), (tmp_path / "c.json", world.entries["good"])]
    now, programme = int(time.time()), lambda _: world.amina.programme
    signed, done, others = countersign_files(files, world.people["sup"], authorisation, now, programme)
    assert [path.name for path, _ in signed] == ["a.json"] and signed[0][1].countersignature is not None
    assert done == [tmp_path / "c.json"]
    assert len(others) == 1 and others[0].startswith(f"{tmp_path / 'b.json'}: entry ") and "an assessor" in others[0]
    with pytest.raises(InputError, match=r"b\.json: entry .* unit U2 is signed off by an assessor"):
        countersign_files(files[1:2], world.people["sup"], authorisation, now, programme)
    # Another workplace than hers, or a day outside her authorisation: another supervisor's to sign,
    # left and said why, never a refusal of the whole day's batch (found as a supervisor would).
    yard9 = str(world.entries["at-yard9"].authorisation)
    at_yard9, at_yard3 = EntryFile(world.entries["at-yard9"].entry), EntryFile(world.entries["elsewhere"].entry)
    files = [(tmp_path / "d.json", at_yard9), (tmp_path / "e.json", at_yard3)]
    signed, _, others = countersign_files(files, world.people["yard9"], yard9, now, programme)
    assert [path.name for path, _ in signed] == ["d.json"]
    assert others == [f"{tmp_path / 'e.json'}: entry {at_yard3.id} not signed: yard9 is authorised only at the "
                      "workplace 'Yard 9', and it was recorded at 'Yard 3'"]  # fmt: skip
    ended = str(world.entries["ended"].authorisation)  # ended 10 days ago: signed as then, the entry is after it
    files = [(tmp_path / "f.json", EntryFile(world.entries["good2"].entry)), (tmp_path / "g.json", theirs)]
    with pytest.raises(InputError, match=r"f\.json: the entry of .* is outside ended's .* \(and 1 more not hers"):
        countersign_files(files, world.people["ended"], ended, now - 30 * DAY, programme)


def test_the_wrong_role_or_a_future_date_is_refused_when_written(world: World) -> None:
    from registry.ops.logbook.book import countersign

    unsigned = EntryFile(world.entries["wrong-role"].entry)
    authorisation = str(world.entries["wrong-role"].authorisation)
    with pytest.raises(InputError, match="unit U2 is signed off by an assessor, and sup is a supervisor"):
        countersign(unsigned, world.people["sup"], authorisation, 0, world.amina.programme)
    # Outside a logbook directory (no programme at hand): the units her authorisation lists.
    with pytest.raises(InputError, match=r"unit U2 is not one sup's authorisation lets a supervisor sign off \(U1\)"):
        countersign(unsigned, world.people["sup"], authorisation, 0)
    claims = signed_by(authorisation, "supervisor-authorisation+jwt").payload
    del claims["vc"]["credentialSubject"]["units"]  # as authorisations were made before they listed them
    older = world.provider._sign("supervisor-authorisation+jwt", claims)
    with pytest.raises(InputError, match=r"does not list the units a supervisor signs off .* --programme"):
        countersign(unsigned, world.people["sup"], older, 0)
    fields = {"date": day(3), "unit": "U1", "activity": "x", "hours": 1, "workplace": "Yard 3"}
    with pytest.raises(InputError, match=f"the date {day(3)} is in the future"):
        world.amina.add(world.people["amina"], fields, None, int(time.time()))


def test_a_unit_signed_off_by_the_wrong_role_or_an_entry_dated_after_its_anchor_is_not_valid(world: World) -> None:
    found = verdicts(world, ["wrong-role", "future"])
    assert found["wrong-role"] == ("not valid", "unit U2 is signed off by an assessor, and the signer is a supervisor")
    assert found["future"] == ("not valid", "the entry is dated after it was anchored")


def test_an_entry_whose_status_entry_or_proof_was_changed_is_not_valid(world: World) -> None:
    extract = world.amina.share([world.entries["good"].id, world.entries["assessed"].id], [])
    assert extract.entries[0].anchor is not None and extract.entries[1].anchor is not None
    extract.entries[0].anchor["index"] += 1  # pointing at another (unrevoked) status entry
    extract.entries[1].anchor["proof"] = extract.entries[1].anchor["proof"][1:]
    report = verify_extract(world.registry, extract, [world.record])
    assert [e.to_json()["reasons"] for e in report.entries] == [
        ["the entry's proof does not lead to a day root its provider anchored"]
    ] * 2


def test_a_signer_authorised_for_one_workplace_signs_off_only_entries_recorded_there(world: World) -> None:
    found = verdicts(world, ["at-yard9", "elsewhere"])
    assert found["at-yard9"] == ("valid", "")
    assert found["elsewhere"] == (
        "not valid",
        "the signer is authorised only at the workplace 'Yard 9', and the entry was recorded at 'Yard 3'",
    )
    # The signer's own tool refuses it before signing (offline).
    from registry.ops.logbook.book import countersign

    unsigned = EntryFile(world.entries["elsewhere"].entry)
    with pytest.raises(InputError, match="authorised only at the workplace 'Yard 9'"):
        countersign(unsigned, world.people["yard9"], str(world.entries["elsewhere"].authorisation), 0)


def test_a_programme_version_is_published_once_and_the_same_document_again_is_a_no_op(world: World) -> None:
    """A change is a new version, never an edit: the provider's home keeps what it published."""
    assert world.provider.publish(PROGRAMME) == (world.amina.programme_token, False)  # nothing signed or anchored
    with pytest.raises(InputError, match=r"^programme urn:programme:mig-welding@1 is published already, with "
                                         r"other content: .* publish it as version 2 \(or higher\)$"):  # fmt: skip
        world.provider.publish({**PROGRAMME, "title": "MIG welding, edited"})


def test_entry_files_are_named_by_date_unit_and_short_id_and_old_names_are_still_read(
    world: World, tmp_path: Path
) -> None:
    from registry.ops.logbook.book import countersign

    good = world.entries["good"]
    short = good.id.removeprefix("urn:uuid:").replace("-", "")[:8]
    assert world.amina.path_of(good) == world.amina.directory / "entries" / f"{day(-1)}-U1-{short}.json"
    book = Logbook.create(tmp_path / "book", world.amina.programme_token, world.amina.enrolment_token)
    fields = {"date": day(-1), "unit": "U1", "activity": "x", "hours": 1, "workplace": "Yard 3"}
    made = book.add(world.people["amina"], fields, None, int(time.time()))
    old = book.directory / "entries" / f"{made.id.removeprefix('urn:uuid:')}.json"  # as earlier versions named it
    book.path_of(made).rename(old)
    signed = countersign(book.entries()[0], world.people["sup"], str(good.authorisation), int(time.time()))
    assert book.save(signed) == old and [f.countersignature for f in book.entries()] == [signed.countersignature]


def test_the_report_names_the_programme_the_provider_and_the_learner_where_known(world: World) -> None:
    report = verify_extract(world.registry, world.amina.share([world.entries["good"].id], []))
    assert report.names == {
        "title": "MIG welding apprenticeship", "learner": "Amina Haddad",
        "providerDid": world.provider.identity.did, "provider": "Northside Training Centre",
    }  # fmt: skip
    bobs = verify_extract(world.registry, world.bob.share(None, [])).to_json()
    assert bobs["learnerName"] is None and bobs["providerName"] == "Northside Training Centre"


def test_an_issuer_not_accredited_for_a_type_is_told_which_type(world: World) -> None:
    """As `rpl issue` is refused by a centre accredited for skills credentials only."""
    from registry.formats.credential import Achievement

    with pytest.raises(InputError) as refused:
        world.provider.issuer.check_can_issue(str(world.amina.enrolment["sub"]), Achievement("RPL", "", ""),
                                              valid_until=None, extra_types=("RPLAssessmentCredential",))  # fmt: skip
    assert str(refused.value).endswith(
        "is not accredited for RPLAssessmentCredential (its accreditation covers SkillsCredential, WeldingCertificate)"
    )
