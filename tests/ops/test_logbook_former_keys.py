"""Former keys count for nothing in a logbook either (docs/SECURITY.md, "Former keys and
controllers"): whoever kept a provider's keys after it rotated them (a stolen laptop, a departed
employee) can still sign with the old assertion key and send from the old controller account, and
the chain takes it; what it anchors or revokes after the keys' end must not count."""

from __future__ import annotations

import time
from pathlib import Path

from registry.config import Settings
from registry.formats import keys as keyfmt
from registry.keystore import new_natural_person
from registry.ops.logbook import Logbook, Provider, verify_extract
from registry.ops.logbook.book import countersign
from registry.ops.registry import Registry
from registry.ops.trust import TrustList
from tests.conftest import Chain
from tests.ops.test_former_keys import rotate_controller
from tests.ops.test_logbook import DAY, PROGRAMME, day


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
    time.sleep(1.1)  # the old keys' windows are at least a second long
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
