"""Completing a logbook on anvil (issue #16): the qualification names the logbook root and summarises
the entries that verify; it validates against the schema it names and verifies as any credential;
an extract is checked against it; the CLR 2.0 summary is signed by the provider. The world is the
one of test_logbook.py (built again for this module)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from registry.contracts.statusword import Purpose
from registry.errors import InputError
from registry.formats import jwt, ownschemas
from registry.formats.credential import load_holder_file
from registry.formats.logbook import Extract
from registry.formats.logbook.summary import logbook_tree
from registry.keystore import new_natural_person
from registry.ops.logbook import Logbook, verify_extract
from registry.ops.logbook.book import countersign, load_extract
from registry.ops.logbook.completion import (
    CLR_FILE,
    CREDENTIAL_FILE,
    Completion,
    complete,
    counted_entries,
    qualification_of,
    read_qualification,
    share,
)
from registry.ops.logbook.days import anchor_logbooks
from registry.ops.logbook.layout import laid_out
from registry.ops.verify import Verifier
from tests.ops.test_logbook import World, day
from tests.ops.test_logbook import world as world  # the module fixture, built again for this module


@dataclass
class Done:
    world: World
    completion: Completion
    vc: dict[str, Any]


@pytest.fixture(scope="module")
def done(world: World) -> Done:
    completion = complete(world.provider, world.amina, [world.record])
    vc = jwt.parse(completion.issued.holder_file.credential).payload["vc"]
    return Done(world, completion, vc)


def _extract(done: Done, names: list[str]) -> Extract:
    w = done.world
    extract = w.amina.share([w.entries[n].id for n in names], [w.record])
    qualification = qualification_of(w.amina)
    assert qualification is not None
    extract.qualification = qualification
    return extract


def test_the_qualification_names_the_logbook_root_over_the_entries_that_verify(done: Done) -> None:
    summary = done.vc["credentialSubject"]["logbook"]
    counted = {"good", "good2", "at-yard9", "assessed"}  # the rest are not valid, revoked or backdated
    assert summary["entries"] == 4 and summary["hours"] == 8
    assert done.completion.backdated == (f"{day(-30)} U1 2 h",)  # valid, reported, not counted
    assert {u["id"]: (u["entries"], u["hours"]) for u in summary["units"]} == {"U1": (3, 6), "U2": (1, 2)}
    assert summary["id"] == done.world.amina.id and summary["programme"] == "urn:programme:mig-welding@1"
    # A verifier holding the logbook recomputes the same root, in any order.
    files = [done.world.entries[n] for n in sorted(counted, reverse=True)]
    assert logbook_tree(files).root == summary["root"]
    files_counted, _ = counted_entries(done.world.provider, done.world.amina, [done.world.record])
    assert {f.id for f in files_counted} == {done.world.entries[n].id for n in counted}


def test_the_qualification_validates_against_the_schema_it_names_and_verifies(done: Done) -> None:
    named = done.vc["credentialSchema"]["id"]
    assert ownschemas.id_in_url(named) == ownschemas.id_of(ownschemas.QUALIFICATION)
    validator = jsonschema_rs.Draft202012Validator(ownschemas.load(ownschemas.QUALIFICATION), validate_formats=True)
    assert validator.is_valid(done.vc)
    broken = json.loads(json.dumps(done.vc))
    del broken["credentialSubject"]["logbook"]["root"]
    assert not validator.is_valid(broken)
    holder = (done.world.amina.directory / CREDENTIAL_FILE).read_text()
    report = Verifier(done.world.registry, anchor_window_s=1).verify("qualification.json", holder)
    assert report.verdict.value == "valid", report
    assert report.certifies is not None and report.certifies["holder"]["name"] == "Amina Haddad"  # her enrolment's
    assert [s["label"] for s in report.certifies["skills"]] == ["Prepare joints; Weld plate"]  # both units train it
    assert load_holder_file(holder).credential == done.completion.issued.holder_file.credential


def test_completion_is_refused_saying_what_is_missing(done: Done) -> None:
    with pytest.raises(InputError, match=r"^the standard is not met: missing U1: 4 h; U2: 2 h$"):
        complete(done.world.provider, done.world.bob, [])
    with pytest.raises(InputError, match="the logbook is complete already"):
        complete(done.world.provider, done.world.amina, [done.world.record])
    # A run stopped after the qualification, before its CLR summary: the next one makes the summary only.
    clr = done.world.amina.directory / CLR_FILE
    kept = clr.read_text()
    clr.unlink()
    again = complete(done.world.provider, done.world.amina, [])
    assert again.issued.holder_file.credential == done.completion.issued.holder_file.credential
    evidence = jwt.parse(clr.read_text()).payload["vc"]["evidence"]
    assert evidence == jwt.parse(kept).payload["vc"]["evidence"]
    clr.write_text(kept)  # as the first run made it, for the test below


def test_an_extract_agrees_with_the_qualification_it_carries(done: Done) -> None:
    report = verify_extract(done.world.registry, _extract(done, ["good", "assessed", "revoked"]))
    assert report.verdict == "revoked" and not report.problems  # the revoked entry was not counted
    assert report.qualification == {
        "root": done.vc["credentialSubject"]["logbook"]["root"], "entries": 4, "hours": 8.0,
        "period": [done.vc["credentialSubject"]["logbook"]["from"], done.vc["credentialSubject"]["logbook"]["until"]],
        "shown": 2,
    }  # fmt: skip
    notes = {e.id: e.notes for e in report.entries}
    assert notes[done.world.entries["revoked"].id] == [
        "not counted by the qualification (no proof against its logbook root)"
    ]


def test_an_entry_whose_proof_does_not_lead_to_the_qualifications_root_is_not_valid(done: Done) -> None:
    extract = _extract(done, ["good", "assessed"])
    assert extract.qualification is not None
    proofs = extract.qualification["proofs"]
    good, assessed = done.world.entries["good"].id, done.world.entries["assessed"].id
    proofs[good], proofs[assessed] = proofs[assessed], proofs[good]  # swapped
    report = verify_extract(done.world.registry, extract)
    assert report.verdict == "not valid"
    assert {r for e in report.entries for r in e.to_json()["reasons"]} == {
        "the entry's proof does not lead to the logbook root the qualification names"
    }


def test_entries_claiming_more_than_the_summary_or_another_logbooks_qualification_are_not_valid(done: Done) -> None:
    w = done.world
    lying = json.loads(json.dumps(done.vc["credentialSubject"]["logbook"]))
    lying["units"][0]["hours"], lying["hours"] = 2, 4  # U1 summarised as 2 h, three entries of 2 h shown
    issued = w.provider.issuer.issue_single(
        str(w.amina.enrolment["sub"]), _achievement(done),
        schema=ownschemas.QUALIFICATION, subject_extra={"logbook": lying},
    )  # fmt: skip
    extract = _extract(done, ["good", "good2", "at-yard9"])
    assert extract.qualification is not None
    extract.qualification["credential"] = issued.holder_file.credential
    report = verify_extract(w.registry, extract)
    assert report.verdict == "not valid"
    assert report.problems == [
        "the entries shown claim more than the qualification's summary: unit U1, 3 entries and 6 h shown, "
        "3 entries and 2 h summarised",
        "the entries shown claim more than the qualification's summary in all",
    ]
    # Revoked, it summarises nothing any more.
    w.provider.issuer.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=2)
    report = verify_extract(w.registry, extract)
    assert report.problems == ["the qualification was revoked (fraud or misrepresentation)"]
    # Amina's qualification does not cover Bob's logbook.
    bobs = w.bob.share(None, [])
    bobs.qualification = {"credential": done.completion.issued.holder_file.credential, "proofs": {}}
    report = verify_extract(w.registry, bobs)
    assert report.problems == ["the qualification summarises another learner's logbook or another programme"]


def _achievement(done: Done) -> Any:
    from registry.ops.logbook.completion import _achievement as achievement_of

    return achievement_of(done.world.amina, done.vc["credentialSubject"]["logbook"])


def test_the_clr_summary_is_signed_by_the_provider_and_names_the_root(done: Done) -> None:
    token = (done.world.amina.directory / CLR_FILE).read_text().strip()
    assert token == done.completion.clr
    parsed = jwt.parse(token)
    provider = done.world.provider.identity
    assert parsed.header["typ"] == "JWT" and parsed.kid == provider.kid
    assert jwt.verify(parsed, provider.signing_key.export_public(as_dict=True))
    clr = parsed.payload["vc"]
    assert parsed.payload["sub"] == clr["credentialSubject"]["id"] and parsed.payload["iss"] == provider.did
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["credentialSubject"]["id"] == done.world.amina.enrolment["sub"]
    assert done.vc["credentialSubject"]["logbook"]["root"] in clr["evidence"][0]["narrative"]
    # `registry verify` does not check this format: it says so, never INVALID (exit 2, could not determine).
    report = Verifier(done.world.registry).verify("qualification-clr.jwt", token)
    assert report.verdict.value == "could not determine", report.summary
    assert "its format is not checked by `registry verify`" in report.summary and "logbook verify" in report.summary
    assert [c["name"] for c in clr["credentialSubject"]["verifiableCredential"]] == [
        "MIG welding apprenticeship: Prepare joints", "MIG welding apprenticeship: Weld plate",
    ]  # fmt: skip
    # Handed to `logbook verify` in place of an extract, or of the qualification: said what it is (a usage
    # error, 64), never a verdict on the extract.
    path = done.world.amina.directory / CLR_FILE
    for read in (load_extract, read_qualification):
        with pytest.raises(InputError, match=r"qualification-clr.jwt is the CLR 2.0 summary of a logbook's qual"):
            read(path)


def test_an_extract_shares_by_default_the_entries_the_qualification_counted(done: Done) -> None:
    """Shared after completion, an extract shows what the qualification rests on, and is valid; every
    anchored entry (--all) shows the others too, each reported not counted."""
    w = done.world
    extract, what = share(w.amina, None, [w.record])
    counted = {w.entries[n].id for n in ("good", "good2", "at-yard9", "assessed")}
    assert {f.id for f in extract.entries} == counted and extract.qualification is not None
    assert what == "the 4 entries the qualification counted, with their proofs (8 entries it did not count left " \
                   "out: --all shares every anchored entry)"  # fmt: skip
    assert verify_extract(w.registry, extract).verdict == "valid"
    everything, what = share(w.amina, None, [w.record], everything=True)
    assert len(everything.entries) == 12 and what == "12 entries: 4 counted by the qualification, 8 not counted by it"


def test_a_revoked_qualification_is_issued_anew_and_the_revoked_one_kept_aside(done: Done, tmp_path: Path) -> None:
    """Revoked by the provider (issued in error), a qualification is no longer "complete already": the
    next `complete` renames its files aside (never over another) and issues a new one, saying so. A
    learner of her own, so that the module's qualification stays as the other tests read it."""
    w = done.world
    provider, learner, now, programme = w.provider, new_natural_person("cleo"), w.registry.signing_time(), \
        w.amina.programme_token  # fmt: skip
    book = Logbook.create(tmp_path / "cleo", programme, provider.enrol(programme, learner.did))
    entries = []
    for unit, hours, signer, like in (("U1", 6, "sup", "good"), ("U2", 2, "assessor", "assessed")):
        fields = {"date": day(0), "unit": unit, "activity": "welds", "hours": hours, "workplace": "Yard 3"}
        authorisation = str(w.entries[like].authorisation)
        entries.append(countersign(book.add(learner, fields, None, now), w.people[signer], authorisation, now))
    provider.anchor_day(entries, book.path_of)
    first = complete(provider, book, []).issued.holder_file.credential
    (book.directory / "qualification-clr-revoked-1.jwt").write_text("someone's own file\n")
    provider.issuer.change_status([first], Purpose.REVOCATION, set_=True, reason=1)
    with pytest.raises(InputError, match=r"qualification-clr-revoked-1.jwt is in the way of setting the revoked "):
        complete(provider, book, [])  # nothing renamed over it, nothing issued
    (book.directory / "qualification-clr-revoked-1.jwt").unlink()
    again = complete(provider, book, [])
    target, aside = book.directory / CREDENTIAL_FILE, book.directory / "qualification-revoked-1.json"
    assert again.replaced == f"the qualification {target} was revoked (reason: issued in error): kept as {aside}"
    assert load_holder_file(aside.read_bytes()).credential == first
    assert (book.directory / "qualification-clr-revoked-1.jwt").exists()
    renewed = load_holder_file(target.read_bytes()).credential
    assert renewed != first and Verifier(w.registry).verify("q.json", target.read_bytes()).verdict.value == "valid"
    assert again.summary["hours"] == 8 and (book.directory / CLR_FILE).read_text().strip() == again.clr
    with pytest.raises(InputError, match="the logbook is complete already"):
        complete(provider, book, [])  # the new one stands


def test_an_entry_dated_before_the_enrolment_day_is_shown_and_never_counted(done: Done, tmp_path: Path) -> None:
    """Learning before her enrolment is outside the programme (prior learning goes through RPL): such
    an entry verifies, and the verifier, `logbook show`, the service's tally and completion all say it
    is not counted; an entry of the enrolment day itself counts."""
    w = done.world
    provider, learner, now, programme = w.provider, new_natural_person("dina"), w.registry.signing_time(), \
        w.amina.programme_token  # fmt: skip
    book = Logbook.create(tmp_path / "dina", programme, provider.enrol(programme, learner.did))
    entries = []
    for offset, unit, hours, signer, like in ((-1, "U1", 6, "sup", "good"), (0, "U1", 4, "sup", "good"),
                                              (0, "U2", 2, "assessor", "assessed")):  # fmt: skip
        fields = {"date": day(offset), "unit": unit, "activity": f"welds {offset}", "hours": hours, "workplace": "Y"}
        authorisation = str(w.entries[like].authorisation)
        entries.append(countersign(book.add(learner, fields, None, now), w.people[signer], authorisation, now))
    provider.anchor_day(entries, book.path_of)
    # Dated tomorrow (east of UTC it is today): anchored today it would be dated after its anchor, never
    # valid; `logbook anchor` leaves it for a later day.
    fields = {"date": day(1), "unit": "U1", "activity": "welds 1", "hours": 1, "workplace": "Y"}
    book.save(countersign(book.add(learner, fields, None, now), w.people["sup"], str(w.entries["good"].authorisation),
                          now))  # fmt: skip
    held = anchor_logbooks(provider.issuer, [book])
    assert (held.root, held.ahead, held.waiting) == (None, 1, 0) and book.entries()[-1].anchor is None
    u1 = book.progress().units[0]
    assert (u1["anchored"], u1["beforeEnrolment"], u1["backdated"]) == (10, 6, 0) and book.progress().missing == [
        "U1: 2 h"
    ]
    extract = book.share(None, [])
    report = verify_extract(w.registry, extract)
    early, today, _ = sorted(report.entries, key=lambda e: (e.date, e.unit))
    assert (
        early.verdict == "valid"
        and not early.counts
        and today.counts
        and early.notes
        == [
            f"before enrolment, not counted: dated before the learner's enrolment on {day(0)} (learning before it is "
            "recognised through RPL, not this logbook)"
        ]
    )
    units = {u["id"]: u for u in laid_out(extract, report)["units"]}
    assert (units["U1"]["validHours"], units["U1"]["beforeEnrolmentHours"], units["U1"]["backdatedHours"]) == (4, 6, 0)
    row = next(r for r in units["U1"]["entries"] if r["date"] == day(-1))
    assert row["beforeEnrolment"] and not row["counted"]
    assert {c["name"]: c["outcome"] for c in row["checks"]}["enrolment"] == "note"
    missing = (
        r"^the standard is not met: missing U1: 2 h \(1 anchored entry does not count, 1 of them dated before the "
        rf"enrolment \({day(0)}\)"
    )
    with pytest.raises(InputError, match=missing):
        complete(provider, book, [])
    # An entry revoked since: named, with its day, unit and hours, and why (found by a clerk who was told
    # only that "2 anchored entries do not count" and to run `logbook verify`, which needs an extract).
    assert provider.revoke_entry(book.entries()[2], reason=1) is None  # the U2 entry, today's
    missing = rf"missing U1: 2 h; U2: 2 h \(2 anchored entries .*, 1 of them {day(0)} U2 2 h revoked: `logbook verify"
    with pytest.raises(InputError, match=missing):
        complete(provider, book, [])
