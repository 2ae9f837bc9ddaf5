"""Skills logbooks over HTTP (issue #16): check an extract, fetch a published programme, and pass
entry files between learner, supervisor and provider for countersigning and day anchoring.

Everything is signed by the people it belongs to, on their own machines: the service holds no key.
A day's anchor is a client-signed transaction relayed by /api/transactions/anchor-cohort and /send.
The programmes and the boxes live in the one directory the operator configures (`registry serve
--logbook-dir`, ops/logbook/store.py); without it these routes answer 404 (`logbook-store-off`)
and the check still works.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from registry.errors import InputError
from registry.formats.credential import iso
from registry.formats.logbook import Extract
from registry.formats.logbook.records import did_key_signed, sha256_hex, signed_by
from registry.ops.logbook import verify_extract
from registry.ops.logbook.layout import laid_out
from registry.ops.logbook.provider import programme_of
from registry.ops.logbook.published import conflict
from registry.ops.logbook.reports import Reads
from registry.ops.logbook.store import BoxFull, LogbookStore, box_request, check_entry_file, deposit_refusal
from registry.ops.registry import Registry
from registry.service.deps import LazyRegistryDep, RegistryDep
from registry.service.errors import Problem
from registry.service.routers.common import no_list_hint, problems
from registry.service.routers.verify import _trust_list

router = APIRouter(prefix="/api/logbook", tags=["Skills logbooks"])


class LogbookCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    extract: str | dict[str, Any] = Field(description="the extract (`registry logbook share`), as JSON or its text")
    records: list[str] = Field(default=[], max_length=100, description="provider revocation records to apply")
    trustList: list[str] | None = Field(default=None, max_length=100, description="Root TAO DIDs you accept")


class Published(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=1_000_000, description="the signed programme (`registry programme publish`)")


class BoxRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request: str = Field(max_length=100_000, description="a logbook-box-request+jwt signed by the box's owner")


def _store(request: Request) -> LogbookStore:
    directory: Path | None = request.app.state.config.logbook_dir
    if directory is None:
        raise Problem(404, "this service keeps no logbook directory (`registry serve --logbook-dir`)",
                      slug="logbook-store-off")  # fmt: skip
    return LogbookStore(directory)


@router.post("/verify", responses=problems(400, 413, 429, 503))
def check_extract(body: LogbookCheck, request: Request, lazy_registry: LazyRegistryDep) -> Any:
    """Check a logbook extract as `registry logbook verify --json` does, laid out by unit: per entry
    both signatures, the signer's authorisation on that date, the day anchor, the entry's status,
    membership of the learner's logbook and the backdating finding (`checks`), then the verdict.
    A chain that cannot be asked is a 503, never a verdict."""
    from registry.ops.logbook.book import extract_of

    given = body.extract
    if isinstance(given, str):
        try:
            raw = given.encode("utf-8")
        except UnicodeEncodeError:  # JSON allows "\ud800", which no Unicode text holds
            raise InputError(
                "the extract holds a lone UTF-16 surrogate (\\ud800-\\udfff): not valid Unicode text"
            ) from None
        extract = extract_of(raw, "the extract")
    else:
        extract = Extract.from_json(given, "the extract")
    strict = request.app.state.config.require_trusted_root  # no trust list: the root not trusted, as /api/verify
    trusted = _trust_list(request, body.trustList)
    report = verify_extract(
        lazy_registry(), extract, body.records, trusted, require_trusted_root=strict, no_list_hint=no_list_hint
    )
    return laid_out(extract, report)


def _anchored(registry: Registry, token: str) -> Any:
    """The anchor of a programme signed by its provider, None when it has none."""
    reads = Reads(registry)
    programme = programme_of(token)
    if not reads.provider_signed(signed_by(token, "programme+jwt"), programme.provider):
        return None
    return reads.anchored(programme.provider, token)


@router.post("/programmes", status_code=201, responses=problems(400, 404, 409, 503))
def publish_programme(body: Published, request: Request, registry: RegistryDep) -> Any:
    """Keep a published programme so verifiers can fetch it by id: it must be signed by its provider
    and its hash anchored by that provider (409 otherwise). A new version is a new document: another
    document under an id@version kept here is refused (409), the identical one again changes nothing."""
    token = body.token.strip()
    programme = programme_of(token)
    if _anchored(registry, token) is None:
        raise Problem(409, "the programme is not signed and anchored by its provider: publish it first",
                      slug="programme-not-anchored")  # fmt: skip
    store = _store(request)
    kept = [t for t in store.programme_tokens(programme.id, programme.version) if _anchored(registry, t) is not None]
    refused, same = conflict(programme, [programme_of(t) for t in kept])
    if refused is not None:
        raise Problem(409, refused, slug="programme-version-published")
    if same is None:  # the identical document again (signed anew or not) is kept once
        store.put_programme(programme.id, programme.version, token)
    return {"id": programme.id, "version": programme.version, "hash": sha256_hex(token)}


@router.get("/programmes/{programme_id:path}", responses=problems(400, 404, 503))
def get_programme(programme_id: str, request: Request, registry: RegistryDep, version: int | None = None) -> Any:
    """The programme `programme_id` (its highest version, or `version`): the signed document, its
    content, and the anchor (block, time) that shows it is the one its provider published."""
    for token in _store(request).programme_tokens(programme_id, version):
        anchor = _anchored(registry, token)
        if anchor is not None:
            programme = programme_of(token)
            return {"id": programme.id, "version": programme.version, "token": token,
                    "programme": programme.to_json(), "hash": sha256_hex(token),
                    "anchor": {"blockNumber": anchor.block, "timestamp": iso(anchor.timestamp)}}  # fmt: skip
    which = f"version {version} of " if version is not None else ""
    raise Problem(404, f"no anchored {which}programme {programme_id[:100]} is published here", slug="not-found")


@router.post("/boxes/{did:path}/entries", status_code=201, responses=problems(400, 403, 404, 409, 503))
def deposit(did: str, body: dict[str, Any], request: Request, lazy_registry: LazyRegistryDep) -> Any:
    """Queue an entry file (skills-logbook-entry/1) for `did`: a learner's signed entry for her
    supervisor, a countersigned one for the provider (under an authorisation the provider signed),
    an anchored one back to the learner. Its signatures are checked; the box's owner fetches it
    with a request she signs."""
    if not did.startswith(("did:key:", "did:ebsi:")) or len(did) > 200:
        raise Problem(400, "a box belongs to a did:key or a did:ebsi", slug="invalid-input")
    entry = check_entry_file(body, "the entry file")
    if (why := deposit_refusal(did, entry)) is not None:
        raise Problem(403, why, slug="not-for-this-box")
    if entry.enrolment is not None:  # her name, shown to her supervisor: the provider's word, not hers
        enrolment = signed_by(entry.enrolment, "logbook-enrolment+jwt")
        provider = str(enrolment.payload.get("iss", ""))
        if not provider.startswith("did:ebsi:") or not Reads(lazy_registry()).provider_signed(enrolment, provider):
            raise Problem(403, "the enrolment the entry file carries is not signed by its provider, so it cannot name "
                          "the learner: sync from the logbook the provider made (`logbook enrol`)",
                          slug="not-for-this-box")  # fmt: skip
    if did.startswith("did:ebsi:") and entry.authorisation is not None:
        authorisation = signed_by(entry.authorisation, "supervisor-authorisation+jwt")
        if not Reads(lazy_registry()).provider_signed(authorisation, did):
            raise Problem(403, "the entry's authorisation is not signed by this provider", slug="not-for-this-box")
    try:
        return {"id": _store(request).deposit(did, entry)}
    except BoxFull as exc:
        raise Problem(409, str(exc), slug="box-full") from exc


@router.post("/boxes/{did:path}/fetch", responses=problems(400, 403, 404, 503))
def fetch(did: str, body: BoxRequest, request: Request, lazy_registry: LazyRegistryDep) -> Any:
    """The entry files waiting for `did`, oldest first ({items: [{id, file}]}), after removing the
    ids the request names as `done`. The request is signed by the box's owner (did:key, or a
    did:ebsi's assertion key), for this box, within 5 minutes of the service's clock."""
    store = _store(request)
    try:
        parsed, done = box_request(body.request, did, time.time())
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-input") from exc
    signed = (
        did_key_signed(parsed)
        if did.startswith("did:key:")
        else Reads(lazy_registry()).provider_signed(parsed, did, now=int(time.time()))
    )
    if not signed:
        raise Problem(403, "the request's signature is not the box owner's", slug="not-the-owner")
    return {"items": store.fetch(did, done)}
