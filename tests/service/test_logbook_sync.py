"""`registry logbook sync` through the real service: a learner's entries made offline go to her
supervisor, come back countersigned, go to the provider, are anchored as one day root and come
back to her logbook, each party keeping its files in a directory; a sync repeated changes nothing,
and a provider's sync that stopped after anchoring sends the files back the next time."""

from __future__ import annotations

import shutil
import signal
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from registry.chain import writer
from registry.chain.node import free_port
from registry.durable import write_json_atomic
from registry.errors import InputError
from registry.formats.logbook import EntryFile, sign_record, signed_by
from registry.keystore import KeyStore, new_legal_entity, new_natural_person
from registry.ops.logbook import Logbook, verify_extract
from registry.ops.logbook import sync as syncing
from registry.ops.logbook.book import countersign, load_entry
from registry.ops.logbook.layout import laid_out
from registry.ops.logbook.store import LogbookStore
from registry.service.client import ServiceClient, ServiceError
from registry.text import short_did
from tests.cli.test_wallet import cli, ok, one_line_error
from tests.conftest import PASSPHRASE
from tests.ops.test_logbook import DAY, World, _legal, day, world
from tests.ops.test_recognition_faults import _finish, _start, _stderr
from tests.ops.test_writer_faults import _anchor_events, _pending
from tests.service.test_service_logbook import store

pytest_plugins = ("tests.helpers.service_fixtures",)
__all__ = ["store", "world"]  # the fixtures


def _assert_review(fetched: syncing.Synced, inbox: Path, learner: str) -> None:
    """Both entries fetched, and what she reviews said readably (each file holds the entry as a signed
    token): day, unit, hours, workplace, activity, the learner by the name her enrolment gives (the
    files carry it in transit) with her DID, the file."""
    assert fetched.received == 2
    said = sorted(fetched.review, key=lambda r: r["activity"])
    assert [(r["date"], r["unit"], r["hours"], r["workplace"], r["activity"], r["learner"]) for r in said] == [
        (day(0), "U1", "2", "Yard", f"weld {n}", f"Lina Haddad ({short_did(learner)})") for n in (1, 2)
    ]
    assert {r["file"] for r in said} == {p.name for p in inbox.glob("*.json")}


def _named_authorisation(world: World, did: str) -> str:
    """Her legal name, in the signed authorisation only (the chain holds its hash); one that would
    show other text than the one signed is refused."""
    provider, now = world.provider, world.registry.signing_time()
    programme = world.amina.programme_token
    with pytest.raises(InputError, match="the supervisor's name holds"):
        provider.authorise(programme, did, "supervisor", now - DAY, now + DAY, name="Sam \u202eOkafor")
    return provider.authorise(programme, did, "supervisor", now - DAY, now + DAY, name="Sam Okafor")


def _signed_off_by_name(world: World, book: Logbook, did: str) -> None:
    """The extract checks valid, and the API's layout (the page's) names the supervisor beside her DID."""
    extract = book.share(None, [])
    checked = verify_extract(world.registry, extract, [])
    assert checked.verdict == "valid"
    signers = {str(e["supervisor"]) for u in laid_out(extract, checked)["units"] for e in u["entries"]}
    assert signers == {str({"did": did, "name": "Sam Okafor", "role": "supervisor"})}


def test_entries_made_offline_travel_through_the_service_and_come_back_anchored(
    service: str, world: World, store: Path, tmp_path: Path
) -> None:
    boxes, provider, registry = ServiceClient(service), world.provider, world.registry
    learner, sup = new_natural_person("learner"), new_natural_person("sup")
    now = registry.signing_time()
    programme = world.amina.programme_token
    authorisation = _named_authorisation(world, sup.did)
    book = Logbook.create(tmp_path / "book", programme, provider.enrol(programme, learner.did, "Lina Haddad"))
    for n in (1, 2):  # offline: files only
        book.add(
            learner, {"date": day(0), "unit": "U1", "activity": f"weld {n}", "hours": 2, "workplace": "Yard"}, None, now
        )
    assert syncing.learner(book, learner, boxes, None).waiting == 2  # no supervisor named: nothing sent
    assert syncing.learner(book, learner, boxes, sup.did).sent == 2

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _assert_review(syncing.supervisor(inbox, sup, boxes), inbox, learner.did)
    assert syncing.supervisor(inbox, sup, boxes).received == 0  # read once
    for path in inbox.glob("*.json"):  # she reads them, then `logbook sign`s them
        write_json_atomic(path, countersign(load_entry(path), sup, authorisation, now).to_json())
    assert syncing.supervisor(inbox, sup, boxes).sent == 2 and len(list((inbox / "sent").glob("*.json"))) == 2

    # A sign-off under an authorisation that names the provider but was not signed by it: set aside.
    forger = new_legal_entity("forger")
    claims = signed_by(authorisation, "supervisor-authorisation+jwt").payload
    forged = sign_record("supervisor-authorisation+jwt", claims, forger.signing_key, provider.identity.kid)
    extra = book.add(learner, {"date": day(0), "unit": "U1", "activity": "x", "hours": 1, "workplace": "Y"}, None, now)
    book.path_of(extra).unlink()  # not hers to keep: only the forged sign-off travels
    forged_entry = countersign(extra, sup, forged, now).to_json()
    with pytest.raises(ServiceError, match="not signed by this provider"):  # the service refuses it at the box
        boxes.logbook_deposit(provider.identity.did, forged_entry)
    LogbookStore(store).deposit(provider.identity.did, EntryFile.from_json(forged_entry, "forged"))  # as if it got in

    desk = tmp_path / "provider"
    done = syncing.provider(desk, provider, boxes)
    assert (done.received, done.anchored, done.sent) == (3, 2, 2)  # taken from its box: 2 anchored, 1 set aside
    assert done.refused == [f"entry {extra.id} is not countersigned under one of this provider's authorisations"]
    assert len(list((desk / "delivered").glob("*.json"))) == 2

    back = syncing.learner(book, learner, boxes, sup.did)
    assert (back.sent, back.received, back.anchored) == (0, 2, 2)
    assert book.progress().units[0]["anchored"] == 4
    assert all(f.enrolment is None for f in book.entries())  # what named her to her supervisor: not kept
    _signed_off_by_name(world, book, sup.did)
    again = syncing.learner(book, learner, boxes, sup.did)
    assert (again.sent, again.received) == (0, 0)

    # A provider's sync stopped after its transaction: the anchored files go back the next time.
    for path in (desk / "delivered").glob("*.json"):
        shutil.move(str(path), desk / "anchored" / path.name)
    assert syncing.provider(desk, provider, boxes).sent == 2
    assert syncing.learner(book, learner, boxes, sup.did).received == 0  # nothing further: kept as it is


def test_an_enrolment_not_signed_by_its_provider_names_nobody_to_the_supervisor(
    service: str, world: World, store: Path, tmp_path: Path
) -> None:
    """A logbook whose enrolment names the learner by a name she wrote herself (signed with a key that
    is not the provider's, under the provider's DID): the service refuses her entries for her supervisor's
    box, so no supervisor is shown that name as the provider's word (before: deposited and shown)."""
    boxes, provider = ServiceClient(service), world.provider
    learner, sup, forger = new_natural_person("learner"), new_natural_person("sup"), new_legal_entity("forger")
    programme = world.amina.programme_token
    genuine = signed_by(provider.enrol(programme, learner.did, "Lina Haddad"), "logbook-enrolment+jwt").payload
    forged = sign_record("logbook-enrolment+jwt", {**genuine, "name": "Dr Lina Haddad"}, forger.signing_key,
                         provider.identity.kid)  # fmt: skip
    book = Logbook.create(tmp_path / "book", programme, forged)
    now = world.registry.signing_time()
    book.add(learner, {"date": day(0), "unit": "U1", "activity": "weld", "hours": 2, "workplace": "Yard"}, None, now)
    with pytest.raises(ServiceError, match="the enrolment the entry file carries is not signed by its provider"):
        syncing.learner(book, learner, boxes, sup.did)
    assert syncing.supervisor(tmp_path / "inbox", sup, boxes).received == 0


def test_an_entry_of_another_providers_learner_is_refused_at_the_box_and_at_signing(
    service: str, world: World, store: Path, tmp_path: Path
) -> None:
    """A learner enrolled by another centre, her entry countersigned under this provider's authorisation
    (another tool's): `logbook sign` refuses it, naming both providers, and so does the provider's box (403),
    which took it before (forced against the old code: deposited, and countersigned); a verifier would find it
    not valid, as the entry's provider never enrolled her."""
    boxes, provider = ServiceClient(service), world.provider
    learner, sup, other = new_natural_person("learner"), new_natural_person("sup"), _legal(world.registry, "centre-2")
    programme, now = world.amina.programme_token, world.registry.signing_time()
    authorisation = provider.authorise(programme, sup.did, "supervisor", now - DAY, now + DAY, name="Sam Okafor")
    genuine = signed_by(provider.enrol(programme, learner.did, "Lina Haddad"), "logbook-enrolment+jwt").payload
    theirs = sign_record("logbook-enrolment+jwt", {**genuine, "iss": other.did}, other.signing_key, other.kid)
    book = Logbook.create(tmp_path / "book", programme, theirs)
    entry = book.add(learner, {"date": day(0), "unit": "U1", "activity": "weld", "hours": 2, "workplace": "Yard"},
                     None, now)  # fmt: skip
    said = f"its learner was enrolled by {short_did(other.did)}, and the signer is authorised by " + short_did(
        provider.identity.did
    )
    with pytest.raises(InputError, match=said):
        countersign(replace(entry, enrolment=theirs), sup, authorisation, now)
    carried = replace(countersign(entry, sup, authorisation, now), enrolment=theirs)
    with pytest.raises(ServiceError, match=said):
        boxes.logbook_deposit(provider.identity.did, carried.to_json())
    assert syncing.provider(tmp_path / "desk", provider, boxes).received == 0


def test_the_command_syncs_a_learners_logbook_and_says_who_must_sync(
    service: str, world: World, store: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    did = ok(cli(home, "identity", "create", "--person", "amy")).split()[1]  # "amy: did:key:..."
    programme = world.amina.programme_token
    book = tmp_path / "book"
    Logbook.create(book, programme, world.provider.enrol(programme, did))
    ok(cli(home, "logbook", "add", str(book), "--learner", "amy", "--date", day(0), "--unit", "U1",
           "--activity", "grinding", "--hours", "1", "--workplace", "Yard"))  # fmt: skip
    KeyStore(home / "keys").save(sup := new_natural_person("sup"), PASSPHRASE)  # her own device, in a trial
    supervisor = sup.did
    sent = ok(
        cli(home, "logbook", "sync", str(book), "--service", service, "--learner", "amy", "--supervisor", supervisor)
    )
    assert sent.startswith("sent 1 entry, received 0 entries")
    # Her supervisor's first sync: the directory is made, and each entry to review is said in words.
    review = ok(cli(home, "logbook", "sync", str(tmp_path / "to-review"), "--service", service, "--signer", "sup"))
    (name,) = [p.name for p in (tmp_path / "to-review").glob("*.json")]
    assert review.startswith("sent 0 entries, received 1 entry\n"), review
    assert f"  to review: {day(0)} U1 1 h at Yard: grinding (learner {short_did(did)}) in {name}\n" in review
    assert "then `logbook sign` them and sync again" in review
    one_line_error(cli(home, "logbook", "sync", str(book), "--service", service), "say who syncs")
    # A malformed URL is the command line's fault (64); a service that does not answer, could not (2).
    malformed = cli(home, "logbook", "sync", str(book), "--service", "registry.example", "--learner", "amy")
    one_line_error(malformed, "--service 'registry.example' is not a registry service's URL")
    assert malformed.returncode == 64
    nobody = f"http://127.0.0.1:{free_port()}"  # a port nothing listens on
    down = cli(home, "logbook", "sync", str(book), "--service", nobody, "--learner", "amy")
    one_line_error(down, f"cannot reach the registry service at {nobody}", "is the service running there?")
    assert down.returncode == 2 and "node" not in down.stderr


def test_a_provider_sync_killed_after_sending_then_raced_anchors_and_returns_each_entry_once(
    service: str, world: World, store: Path, tmp_path: Path
) -> None:
    """`registry logbook sync --issuer` SIGKILLed right after sending its day's transaction: nothing in
    `anchored/` yet, the box's files not acknowledged; then two syncs of the provider at once: one
    finishes the day (its files written, sent back), the other waits and finds nothing left to do."""
    provider, registry = world.provider, world.registry
    settings = provider.issuer.settings
    KeyStore(settings.keys_dir).save(provider.identity, PASSPHRASE)  # the CLI's provider: the world's own
    home = SimpleNamespace(settings=settings)
    learner, sup = new_natural_person("learner"), new_natural_person("sup")
    now = registry.signing_time()
    programme = world.amina.programme_token
    authorisation = provider.authorise(programme, sup.did, "supervisor", now - DAY, now + DAY)
    book = Logbook.create(tmp_path / "book", programme, provider.enrol(programme, learner.did))
    boxes = ServiceClient(service)
    for n in (1, 2):  # as the supervisor's sync leaves them in the provider's box
        fields = {"date": day(0), "unit": "U1", "activity": f"weld {n}", "hours": 1, "workplace": "Yard"}
        entry = countersign(book.add(learner, fields, None, now), sup, authorisation, now)
        boxes.logbook_deposit(provider.identity.did, entry.to_json())
    desk = tmp_path / "desk"
    sync = ["logbook", "sync", str(desk), "--service", service, "--issuer", provider.identity.name]
    code, _, _ = _finish(_start(home, sync, tmp_path, crash_at="after-send"))  # type: ignore[arg-type]
    assert code == -signal.SIGKILL and not list(desk.rglob("*.json"))  # no file names a root not yet confirmed
    with writer.exclusive(settings.journal_file, provider.identity.account.address, "the test"):
        started = [_start(home, sync, tmp_path) for _ in range(2)]  # type: ignore[arg-type]
        while not all("waiting up to" in _stderr(p) for p in started):
            time.sleep(0.05)
    results = sorted(_finish(p)[:2] for p in started)
    assert results == [(0, "sent 0 entries, received 0 entries\n"), (0, "sent 2 entries, received 0 entries\n")]
    assert not [op for op in _pending(settings) if op.sender == provider.identity.account.address]
    back = syncing.learner(book, learner, boxes, None)
    assert (back.received, back.anchored) == (2, 2)
    (root,) = {str(f.anchor["root"]) for f in book.entries() if f.anchor is not None}
    assert _anchor_events(registry, provider.identity.account.address, bytes.fromhex(root[2:])) == 1
    assert verify_extract(registry, book.share(None, []), []).verdict == "valid"
