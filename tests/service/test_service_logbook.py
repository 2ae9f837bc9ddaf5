"""Skills logbooks through the real service (uvicorn, anvil): an extract checked and laid out by
unit, a programme published and fetched by id, and an entry passed from learner to supervisor to
provider and back through the boxes, anchored by a client-signed transaction the service relays.
The service holds no key: every signature here is made by the test's people."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.formats import jwt
from registry.formats import keys as keyfmt
from registry.formats.logbook import EntryFile
from registry.keystore import Identity, new_legal_entity, new_natural_person
from registry.ops.logbook import Logbook
from registry.ops.logbook.book import countersign
from registry.ops.logbook.relay import anchor_day_through
from registry.ops.logbook.store import BOX_REQUEST, LogbookStore, sign_box_request
from registry.service.client import ServiceClient
from tests.conftest import fund
from tests.helpers.service_helpers import RunningService, assert_problem
from tests.ops.test_logbook import DAY, World, day, world

pytest_plugins = ("tests.helpers.service_fixtures",)
__all__ = ["world"]  # the fixture, shared with tests/ops/test_logbook.py


@pytest.fixture(scope="module")
def store(running_service: RunningService, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's service, with a logbook directory for this module's tests."""
    directory = tmp_path_factory.mktemp("logbook-store")
    app: Any = running_service.server.config.app
    before = app.state.config
    app.state.config = dataclasses.replace(before, logbook_dir=directory)
    yield directory
    app.state.config = before


def _check(http: httpx.Client, world: World, names: list[str]) -> dict:
    extract = world.amina.share([world.entries[n].id for n in names if n != "bobs"], [])
    if "bobs" in names:
        extract.entries.append(world.entries["bobs"])
    response = http.post("/api/logbook/verify", json={"extract": extract.to_json(), "records": [world.record]})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_extract_is_laid_out_by_unit_with_each_entrys_checks(http: httpx.Client, world: World) -> None:
    report = _check(http, world, ["good", "assessed", "fraud", "backdated", "revoked", "bobs"])
    assert report["verdict"] == "not valid" and report["programmeTitle"] == "MIG welding apprenticeship"
    units = {u["id"]: u for u in report["units"]}
    assert [units["U1"]["title"], units["U2"]["title"]] == ["Prepare joints", "Weld plate"]
    rows = {e["activity"]: e for u in report["units"] for e in u["entries"]}
    checks = {a: {c["name"]: c["outcome"] for c in row["checks"]} for a, row in rows.items()}
    assert set(checks["good work"].values()) == {"pass"} and rows["good work"]["workplace"] == "Yard 3"
    assert rows["good work"]["supervisor"]["role"] == "supervisor" and rows["good work"]["evidence"]
    assert checks["fraud work"]["authorisation"] == "fail" and checks["fraud work"]["day anchor"] == "pass"
    assert "are not trusted" in next(c for c in rows["fraud work"]["checks"] if c["name"] == "authorisation")["message"]
    assert checks["backdated work"]["backdating"] == "note" and rows["backdated work"]["verdict"] == "valid"
    assert checks["revoked work"]["status"] == "fail" and rows["revoked work"]["verdict"] == "revoked"
    assert checks["bobs work"]["logbook"] == "fail" and checks["bobs work"]["countersignature"] == "skipped"
    # The tally counts what completion counts: the backdated entry is valid, shown, and not counted.
    assert units["U1"]["validHours"] == 2 and units["U2"]["validHours"] == 2  # good; assessed
    assert units["U1"]["backdatedHours"] == 2 and units["U2"]["backdatedHours"] == 0
    assert {a for a, row in rows.items() if row["counted"]} == {"good work", "assessed work"}
    # Another of the logbook's documents pasted in its place: said what it is (400), not "not valid JSON".
    pasted = http.post("/api/logbook/verify", json={"extract": world.amina.programme_token})
    assert assert_problem(pasted, 400)["detail"] == (
        "the extract is a programme, not a logbook extract: make one with `registry logbook share`"
    )
    # JSON allows a lone surrogate ("\ud800"), which is no Unicode text: a 400 naming it, never a 500.
    for raw in ('{"extract": "\\ud800"}', '{"extract": {"format": "\\ud800"}}'):
        lone = http.post("/api/logbook/verify", content=raw, headers={"Content-Type": "application/json"})
        assert lone.status_code == 400, lone.text


def test_a_programme_is_published_and_fetched_by_id(http: httpx.Client, world: World, store: Path) -> None:
    token = world.amina.programme_token
    assert http.post("/api/logbook/programmes", json={"token": token}).status_code == 201
    assert http.post("/api/logbook/programmes", json={"token": token}).status_code == 201  # the same, again
    fetched = http.get("/api/logbook/programmes/urn:programme:mig-welding").json()
    assert fetched["token"] == token and fetched["version"] == 1 and fetched["anchor"]["blockNumber"] > 0
    assert fetched["programme"]["units"][0]["id"] == "U1"
    assert_problem(http.get("/api/logbook/programmes/urn:programme:mig-welding?version=2"), 404, "not-found")
    unanchored = world.provider._sign("programme+jwt", {"iat": 0, "programme": {**fetched["programme"], "version": 2}})
    assert_problem(http.post("/api/logbook/programmes", json={"token": unanchored}), 409, "programme-not-anchored")
    assert len(list(store.glob("programmes/*/*.jwt"))) == 1
    # Another document under the same id@version, even signed and anchored by its provider: refused.
    edited = world.provider._sign("programme+jwt", {"iat": 1, "programme": {**fetched["programme"], "title": "x"}})
    world.provider._anchor(edited)
    response = http.post("/api/logbook/programmes", json={"token": edited})
    detail = assert_problem(response, 409, "programme-version-published")["detail"]
    assert detail.startswith("programme urn:programme:mig-welding@1 is published already, with other content")
    LogbookStore(store).put_programme("urn:programme:mig-welding", 2, unanchored)  # slipped into the directory
    assert_problem(http.get("/api/logbook/programmes/urn:programme:mig-welding?version=2"), 404, "not-found")
    assert http.get("/api/logbook/programmes/urn:programme:mig-welding").json()["version"] == 1  # never served


def _fetch(http: httpx.Client, who: Identity, done: list[str] | None = None) -> list[dict]:
    request = sign_box_request(who, who.did, done or [])
    response = http.post(f"/api/logbook/boxes/{who.did}/fetch", json={"request": request})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _deposit(http: httpx.Client, to: str, f: EntryFile) -> str:
    response = http.post(f"/api/logbook/boxes/{to}/entries", json=f.to_json())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_an_entry_travels_through_the_boxes_and_is_anchored_by_a_relayed_transaction(
    http: httpx.Client, service: str, world: World, store: Path, tmp_path: Path
) -> None:
    provider, registry = world.provider, world.registry
    learner, supervisor = new_natural_person("learner"), new_natural_person("supervisor")
    now = registry.signing_time()
    authorisation = provider.authorise(world.amina.programme_token, supervisor.did, "supervisor", now - DAY, now + DAY)
    book = Logbook.create(tmp_path / "book", world.amina.programme_token,
                          provider.enrol(world.amina.programme_token, learner.did))  # fmt: skip
    fields = {"date": day(0), "unit": "U1", "activity": "tack welds", "hours": 3, "workplace": "Yard 9"}
    made = book.add(learner, fields, None, now)
    first = _deposit(http, supervisor.did, made)
    assert _deposit(http, supervisor.did, made) == first  # offline pushes repeated: one item

    (item,) = _fetch(http, supervisor)
    signed = countersign(EntryFile.from_json(item["file"], "box"), supervisor, authorisation, now)
    _deposit(http, provider.identity.did, signed)
    assert _fetch(http, supervisor, [first]) == []  # read, then removed by its owner

    (item,) = _fetch(http, provider.identity)  # a did:ebsi signs with its assertion key
    files = [EntryFile.from_json(item["file"], "box")]
    # Built (nonce, gas) and broadcast by the service, signed here, journaled as the provider's own anchors.
    anchor_day_through(provider, files, ServiceClient(service))
    _deposit(http, learner.did, files[0])
    _fetch(http, provider.identity, [item["id"]])

    (item,) = _fetch(http, learner)
    book.save(EntryFile.from_json(item["file"], "box"))
    report = http.post("/api/logbook/verify", json={"extract": book.share(None, []).to_json()}).json()
    assert report["verdict"] == "valid", report
    assert report["units"][0]["entries"][0]["workplace"] == "Yard 9"


def test_a_box_is_read_only_by_its_owner_with_a_fresh_request(http: httpx.Client, world: World, store: Path) -> None:
    owner, other = new_natural_person("owner"), new_natural_person("other")
    claims = {"iss": owner.did, "aud": f"logbook-box:{owner.did}", "iat": int(time.time()), "done": []}
    forged = jwt.sign({"alg": "ES256", "typ": BOX_REQUEST, "kid": other.kid}, claims, other.signing_key)
    assert_problem(http.post(f"/api/logbook/boxes/{owner.did}/fetch", json={"request": forged}), 403, "not-the-owner")
    stale = sign_box_request(owner, owner.did, [], now=int(time.time()) - 3600)
    response = http.post(f"/api/logbook/boxes/{owner.did}/fetch", json={"request": stale})
    said = assert_problem(response, 400)["detail"]
    # Far likelier a device's wrong clock than a replay: both clocks named, and the gap ("sign a new one"
    # alone sent her round in circles: every sync signs afresh by the same wrong clock).
    assert "within 300 s" in said and "1 h 0 min behind this service's clock (" in said, said
    assert "set your device's date, time and time zone right" in said
    outside = sign_box_request(owner, owner.did, ["../" * 20 + "abcd"])  # a path, not a box id: never reaches a file
    response = http.post(f"/api/logbook/boxes/{owner.did}/fetch", json={"request": outside})
    assert "ids of items read before" in assert_problem(response, 400)["detail"]
    altered = world.entries["good"].to_json() | {"entry": world.entries["bobs"].entry}  # another entry's parts
    response = http.post(f"/api/logbook/boxes/{owner.did}/entries", json=altered)
    assert "countersignature is not its signer's over this entry" in assert_problem(response, 400)["detail"]


def test_a_providers_box_opens_only_to_an_assertion_key_it_holds_now(
    http: httpx.Client, world: World, store: Path
) -> None:
    """A key the provider rotated out (it may have been stolen) signs a fresh request: refused, as
    the box holds entries with people's activities and workplaces (it was read, and emptied)."""
    centre = new_legal_entity("rotating-centre")
    fund(world.registry, centre)
    world.registry.register_did(centre)
    url = f"/api/logbook/boxes/{centre.did}/fetch"
    assert http.post(url, json={"request": sign_box_request(centre, centre.did, [])}).status_code == 200
    world.registry.rotate_signing_key(centre, keyfmt.generate(keyfmt.KeyType.P256))  # `centre` keeps the old key
    old = world.registry.resolve(centre.did).method_by_thumbprint(centre.kid.partition("#")[2])
    assert old is not None and old.not_after <= time.time()  # anvil's block times are the wall clock's
    response = http.post(url, json={"request": sign_box_request(centre, centre.did, [])})
    assert_problem(response, 403, "not-the-owner")


def test_a_box_takes_only_what_travels_to_its_owner(http: httpx.Client, world: World, store: Path) -> None:
    """Anyone may make a did:key and sign entries: without these rules, a stranger filled a provider's
    box (500 in a second), after which its supervisors' deposits were refused as box-full."""
    from registry.formats.logbook.records import sha256_hex, sign_record

    provider, stranger = world.provider.identity.did, new_natural_person("stranger")
    unsigned = EntryFile(world.entries["good"].entry)  # amina's, not yet countersigned (as a learner sends it)
    response = http.post(f"/api/logbook/boxes/{provider}/entries", json=unsigned.to_json())
    assert "only entries countersigned under its own" in assert_problem(response, 403, "not-for-this-box")["detail"]
    response = http.post(f"/api/logbook/boxes/{stranger.did}/entries", json=world.entries["good"].to_json())
    assert "her own entries" in assert_problem(response, 403, "not-for-this-box")["detail"]  # amina's, countersigned
    # An authorisation claiming to be the provider's, signed by the stranger: refused on the chain's keys.
    claims = signed_by_payload(world.entries["good"].authorisation) | {"sub": stranger.did}
    header = {"alg": "ES256", "typ": "supervisor-authorisation+jwt", "kid": f"{provider}#x"}
    forged = jwt.sign(header, claims, stranger.signing_key)
    signs_off = {"iss": stranger.did, "iat": int(time.time()), "entry": sha256_hex(unsigned.entry),
                 "authorisation": sha256_hex(forged), "role": "supervisor"}  # fmt: skip
    counter = sign_record("logbook-countersignature+jwt", signs_off, stranger.signing_key, stranger.kid)
    sent = EntryFile(unsigned.entry, counter, forged).to_json()
    response = http.post(f"/api/logbook/boxes/{provider}/entries", json=sent)
    assert "not signed by this provider" in assert_problem(response, 403, "not-for-this-box")["detail"]
    # A countersigned entry carrying another genuine authorisation of its signer than it was signed under.
    now = world.registry.signing_time()
    other = world.provider.authorise(world.amina.programme_token, world.people["sup"].did, "supervisor", now, now + DAY)
    swapped = dataclasses.replace(world.entries["good"], authorisation=other)
    response = http.post(f"/api/logbook/boxes/{provider}/entries", json=swapped.to_json())
    assert "another authorisation" in assert_problem(response, 403, "not-for-this-box")["detail"]


def signed_by_payload(token: str | None) -> dict[str, Any]:
    assert token is not None
    return dict(jwt.parse(token).payload)


def test_without_a_logbook_directory_the_stateful_routes_say_so(
    http: httpx.Client, running_service: RunningService, store: Path
) -> None:
    app: Any = running_service.server.config.app
    app.state.config = dataclasses.replace(app.state.config, logbook_dir=None)
    try:
        response = http.get("/api/logbook/programmes/urn:programme:mig-welding")
        assert "--logbook-dir" in assert_problem(response, 404, "logbook-store-off")["detail"]
    finally:
        app.state.config = dataclasses.replace(app.state.config, logbook_dir=store)


def test_a_logbook_directory_the_service_cannot_use_is_a_503_never_a_500(
    http: httpx.Client, running_service: RunningService, world: World, store: Path, tmp_path: Path
) -> None:
    """Its directory replaced by a file under the running service (a real OSError; a full disk or a
    read-only file system fail the same calls): each stateful route answers 503, its log names the
    directory and the cause, the client reads neither. It was a 500 with a traceback."""
    app: Any = running_service.server.config.app
    broken = tmp_path / "logbooks"
    broken.write_text("a file where the directory was")
    app.state.config = dataclasses.replace(app.state.config, logbook_dir=broken)
    try:
        learner = signed_by_payload(world.entries["good"].entry)["iss"]
        deposited = http.post(f"/api/logbook/boxes/{learner}/entries", json=world.entries["good"].to_json())
        owner = new_natural_person("owner")
        request = sign_box_request(owner, owner.did, ["ab" * 32])
        fetched = http.post(f"/api/logbook/boxes/{owner.did}/fetch", json={"request": request})
        published = http.post("/api/logbook/programmes", json={"token": world.amina.programme_token})
    finally:
        app.state.config = dataclasses.replace(app.state.config, logbook_dir=store)
    for response in (deposited, fetched, published):
        said = assert_problem(response, 503, "storage-unavailable")["detail"]
        assert "try again later" in said and str(broken) not in said, said


def test_a_strict_service_without_a_trust_list_names_the_providers_root_as_not_trusted(
    http: httpx.Client, running_service: RunningService, world: World
) -> None:
    """As /api/verify for a credential (`registry serve` is strict): no trust list, no valid extract."""
    app: Any = running_service.server.config.app
    before = app.state.config
    app.state.config = dataclasses.replace(before, trust_list=None, require_trusted_root=True)
    try:
        extract = world.amina.share([world.entries["good"].id], [])
        response = http.post("/api/logbook/verify", json={"extract": extract.to_json(), "records": []})
    finally:
        app.state.config = before
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verdict"] == "not valid" and report["logbook"] == world.amina.id
    assert report["problems"][0].startswith("root not trusted") and world.root in report["problems"][0]
