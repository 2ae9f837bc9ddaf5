"""The logbook formats, pure (issue #16): a programme's rules, an entry's, the records' types and
signatures, the day leaf binding entry, countersignature and status entry, the files' shapes."""

from __future__ import annotations

from typing import Any

import pytest

from registry.errors import InputError
from registry.formats.logbook import Entry, EntryFile, Extract, day_leaf, entry_date, parse_programme, sign_record
from registry.formats.logbook.records import LEAF_ENCODING, did_key_signed, signed_by
from registry.formats.merkle import leaf_hash
from registry.keystore import new_natural_person

SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"
UNIT: dict[str, Any] = {"id": "U1", "title": "Joints", "skills": [SKILL], "hours": 6}
GOOD: dict[str, Any] = {
    "id": "urn:p", "version": 1, "title": "Welding", "eqfLevel": 4, "durationMonths": 12, "backdatingDays": 7,
    "provider": "did:ebsi:zabc", "units": [UNIT],
}  # fmt: skip


def test_a_programme_reads_back_as_it_was_written() -> None:
    programme = parse_programme(GOOD)
    assert programme.ref == "urn:p@1" and programme.units[0].signer == "supervisor"
    assert parse_programme(programme.to_json()) == programme


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"eqfLevel": 9}, "'eqfLevel' must be a whole number from 1 to 8"),
        ({"units": []}, "'units' must list 1 to 200 units"),
        ({"units": [{**UNIT, "skills": ["http://example.org/x"]}]}, "is not an ESCO skill URI"),
        ({"units": [{**UNIT, "signer": "boss"}]}, "'signer' must be supervisor or assessor"),
        ({"units": [UNIT, UNIT]}, "two units share an id"),
        ({"backdatingDays": -1}, "'backdatingDays'"),
        ({"provider": None}, "'provider' must be the provider's DID"),
    ],
)
def test_a_bad_programme_is_refused_naming_the_field(change: dict[str, object], named: str) -> None:
    with pytest.raises(InputError, match=named.replace("(", r"\(").replace(")", r"\)")):
        parse_programme({**GOOD, **change})


def test_an_entry_needs_a_real_date_and_hours_within_a_day() -> None:
    assert entry_date("2026-01-02") == 1767312000
    for bad in ("2026-02-30", "02/01/2026", 20260102):
        with pytest.raises(InputError, match="YYYY-MM-DD"):
            entry_date(bad)
    entry = Entry("urn:uuid:l", "urn:uuid:e", "2026-01-02", "U1", "welds", 25, "Yard")
    with pytest.raises(InputError, match="at most 24"):
        entry.payload("did:key:x", 0)


def test_a_persons_record_verifies_only_unaltered_and_as_its_type() -> None:
    amina, other = new_natural_person("amina"), new_natural_person("other")
    entry = Entry("urn:uuid:l", "urn:uuid:e", "2026-01-02", "U1", "welds", 3, "Yard")
    token = sign_record("logbook-entry+jwt", entry.payload(amina.did, 0), amina.signing_key, amina.kid)
    assert did_key_signed(signed_by(token, "logbook-entry+jwt"))
    forged = sign_record("logbook-entry+jwt", entry.payload(amina.did, 0), other.signing_key, other.kid)
    assert not did_key_signed(signed_by(forged, "logbook-entry+jwt"))  # signed by someone else, naming her
    with pytest.raises(InputError, match="expected a logbook-countersignature\\+jwt record"):
        signed_by(token, "logbook-countersignature+jwt")
    with pytest.raises(InputError, match=r"^a logbook entry was given where a supervisor's or assessor's authoris"):
        signed_by(token, "supervisor-authorisation+jwt")  # the wrong file given: said in words


def test_the_day_leaf_binds_entry_countersignature_and_status_entry() -> None:
    base = leaf_hash(day_leaf("a.b.c", "d.e.f", 1, 7), LEAF_ENCODING)
    for other in (day_leaf("a.b.x", "d.e.f", 1, 7), day_leaf("a.b.c", "d.e.x", 1, 7), day_leaf("a.b.c", "d.e.f", 1, 8)):
        assert leaf_hash(other, LEAF_ENCODING) != base


def test_files_round_trip_and_refuse_other_shapes() -> None:
    entry = EntryFile("a.b.c", "d.e.f", "g.h.i", {"root": "0x00", "proof": ["0x01"], "list": 1, "index": 2})
    extract = Extract("p.q.r", "s.t.u", [entry], ["v.w.x"])
    assert Extract.from_json(extract.to_json(), "x") == extract
    with pytest.raises(InputError, match="is not a logbook extract"):
        Extract.from_json({"format": "skills-credential/1"}, "x")
    # Cut down to nothing (no entry, no qualification): refused, not "valid" for having nothing to check.
    with pytest.raises(InputError, match="x shows no entry and no qualification, so there is nothing in it to check"):
        Extract.from_json({**extract.to_json(), "entries": []}, "x")
    with pytest.raises(InputError, match="the day anchor must hold root, proof, list and index"):
        EntryFile.from_json({**entry.to_json(), "anchor": {"root": "0x00", "list": True}}, "x")
