"""A provider's standing counts in a logbook as an issuer's does for a credential: its accreditation
when it anchors a day, and its keys. Former keys count for nothing (docs/SECURITY.md, "Former keys and
controllers"): whoever kept a provider's keys after it rotated them (a stolen laptop, a departed
employee) can still sign with the old assertion key and send from the old controller account, and
the chain takes it; what it anchors or revokes after the keys' end must not count."""

from __future__ import annotations

import uuid
from pathlib import Path

from registry.config import Settings
from registry.formats import keys as keyfmt
from registry.formats.logbook import EntryFile, sign_record
from registry.formats.logbook.records import Entry
from registry.keystore import new_natural_person
from registry.ops.logbook import Logbook, Provider, verify_extract
from registry.ops.logbook.book import countersign
from registry.ops.registry import Registry
from registry.ops.trust import AttrStatus, Trust, TrustList
from tests.conftest import Chain, next_second
from tests.ops.test_former_keys import rotate_controller
from tests.ops.test_logbook import DAY, PROGRAMME, day, forced_countersign


def test_what_a_providers_rotated_out_keys_anchor_or_revoke_after_their_end_does_not_count(
    chain: Chain, registry: Registry, settings: Settings, tmp_path: Path
) -> None:
    provider = Provider(registry, chain.ti, settings)
    programme = provider.publish_programme(PROGRAMME)
    learner, supervisor, accomplice = (new_natural_person(n) for n in ("amina", "sup", "accomplice"))
    book = Logbook.create(tmp_path / "amina", programme, provider.enrol(programme, learner.did))
    now = registry.signing_time()
    authorisation = provider.authorise(programme, supervisor.did, "supervisor", now - 60 * DAY, now + 60 * DAY)
    fields = {"date": day(-1), "unit": "U1", "activity": "joints", "hours": 2, "workplace": "Yard 3"}
    genuine = countersign(book.add(learner, fields, None, now), supervisor, authorisation, now)
    provider.anchor_day([genuine], book.path_of)
    next_second()  # the old keys' windows are at least a second long
    registry.rotate_signing_key(chain.ti, keyfmt.generate(keyfmt.KeyType.P256))
    rotate_controller(registry, chain.ti)  # chain.ti keeps the old keys: the thief's
    # With them: an authorisation for an accomplice, a day of entries she signs off, both anchored from
    # the old account; and the genuine entry revoked from it.
    now = registry.signing_time()
    forged = provider.authorise(programme, accomplice.did, "supervisor", now - 60 * DAY, now + 60 * DAY)
    fields = {**fields, "date": day(0), "activity": "never done"}
    invented = countersign(book.add(learner, fields, None, now), accomplice, forged, now)
    provider.anchor_day([invented], book.path_of)
    assert provider.revoke_entry(next(f for f in book.entries() if f.id == genuine.id), reason=2) is None
    trusted = TrustList(frozenset({chain.root.did}), "test roots")
    report = verify_extract(registry, book.share(None, []), [], trusted)
    assert not report.problems and not report.unknown, (report.problems, report.unknown)
    verdicts = {e.id: (e.verdict, " ".join(e.to_json()["reasons"])) for e in report.entries}
    assert verdicts[genuine.id][0] == "valid", verdicts[genuine.id]  # the thief's revocation is ignored
    verdict, reasons = verdicts[invented.id]
    assert verdict == "not valid" and "not signed and anchored by the programme's provider" in reasons, reasons
    assert "does not lead to a day root its provider anchored" in reasons, reasons


def test_a_day_anchored_after_the_providers_accreditation_was_revoked_is_not_valid(
    chain: Chain, registry: Registry, trust: Trust, settings: Settings, tmp_path: Path
) -> None:
    """As a credential anchored after its issuer's accreditation was revoked is INVALID: the provider
    kept anchoring days, and their entries verified as valid (only the programme's publication was
    checked); the days it anchored while accredited stand."""
    provider = Provider(registry, chain.ti, settings)
    programme = provider.publish_programme(PROGRAMME)
    learner, supervisor = new_natural_person("amina"), new_natural_person("sup")
    book = Logbook.create(tmp_path / "amina", programme, provider.enrol(programme, learner.did))
    now = registry.signing_time()
    authorisation = provider.authorise(programme, supervisor.did, "supervisor", now - 60 * DAY, now + 60 * DAY)
    entries = [
        countersign(book.add(learner, {"date": day(-n), "unit": "U1", "activity": f"joints {n}", "hours": 2,
                                       "workplace": "Yard 3"}, None, now), supervisor, authorisation, now)
        for n in (1, 2)
    ]  # fmt: skip
    provider.anchor_day(entries[:1], book.path_of)
    next_second()  # the revocation in a later second than the first day's anchor, the second day's after it
    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.REVOKED, reason=1)
    next_second()
    provider.anchor_day(entries[1:], book.path_of)
    report = verify_extract(registry, book.share(None, []), [], TrustList(frozenset({chain.root.did}), "test roots"))
    verdicts = {e.id: (e.verdict, " ".join(e.to_json()["reasons"])) for e in report.entries}
    assert verdicts[entries[0].id] == ("valid", ""), verdicts
    verdict, reasons = verdicts[entries[1].id]
    assert verdict == "not valid" and reasons.startswith("the provider was not accredited when it anchored this day"), (
        reasons
    )


def test_an_entry_claiming_hours_no_day_has_is_not_valid(
    chain: Chain, registry: Registry, settings: Settings, tmp_path: Path
) -> None:
    """Another tool than `logbook add` may write any number: 40 h beside -16 h on one day added up
    to 24 h, and both verified as valid (40 h counted): the verifier holds each entry to (0, 24] h."""
    provider = Provider(registry, chain.ti, settings)
    programme = provider.publish_programme(PROGRAMME)
    learner, supervisor = new_natural_person("amina"), new_natural_person("sup")
    book = Logbook.create(tmp_path / "amina", programme, provider.enrol(programme, learner.did))
    now = registry.signing_time()
    authorisation = provider.authorise(programme, supervisor.did, "supervisor", now - 60 * DAY, now + 60 * DAY)
    forged = []
    for hours in (40, -16):
        payload = Entry(book.id, f"urn:uuid:{uuid.uuid4()}", day(-1), "U1", "joints", 1, "Yard 3").payload(
            learner.did, now
        )
        entry = EntryFile(
            sign_record("logbook-entry+jwt", {**payload, "hours": hours}, learner.signing_key, learner.kid)
        )
        forged.append(forced_countersign(entry, supervisor, authorisation, now))
    provider.anchor_day(forged, book.path_of)
    report = verify_extract(registry, book.share(None, []), [], TrustList(frozenset({chain.root.did}), "test roots"))
    assert sorted((e.verdict, e.to_json()["reasons"][0]) for e in report.entries) == [
        ("not valid", "the entry claims -16 h; an entry's hours are more than 0 and at most 24"),
        ("not valid", "the entry claims 40 h; an entry's hours are more than 0 and at most 24"),
    ]
