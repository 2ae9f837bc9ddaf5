"""The signed records of a logbook, each a compact JWS whose `typ` names it, and the files they
travel in.

| typ | signed by | says |
|---|---|---|
| `programme+jwt` | provider (did:ebsi) | the programme (formats/logbook/programme.py) |
| `supervisor-authorisation+jwt` | provider | `sub` signs off `programme` as `role`, `nbf`-`exp` |
| `logbook-enrolment+jwt` | provider | learner `sub` is enrolled in `programme`; her logbook is `logbook` |
| `logbook-entry+jwt` | learner (did:key) | one dated entry of her logbook |
| `logbook-countersignature+jwt` | supervisor/assessor (did:key) | entry signed off, under an authorisation |
| `authorisation-revocation+jwt` | provider | revoked for cause: sign-offs dated from `untrustedFrom` untrusted |

A day's entries are anchored as one Merkle root (OpenZeppelin StandardMerkleTree); a leaf binds the
entry, its countersignature and its status entry (`day_leaf`), so none can be swapped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.didkey import jwk_from_did_key
from registry.formats.visible import check_visible

ENTRY_FILE = "skills-logbook-entry/1"
EXTRACT = "skills-logbook-extract/1"
LEAF_ENCODING = ["bytes32", "bytes32", "uint256", "uint256"]
ENTRY_FIELDS = ("logbook", "date", "unit", "activity", "hours", "workplace")
MAX_ACTIVITY_CHARS = 2000
MAX_WORKPLACE_CHARS = 200
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sha256_hex(token: str) -> str:
    return hashlib.sha256(token.strip().encode("ascii")).hexdigest()


def entry_date(text: Any) -> int:
    """The start (UTC) of an entry's day, `YYYY-MM-DD`."""
    if not isinstance(text, str) or len(text) != 10:
        raise InputError(f"a day must be YYYY-MM-DD, not {str(text)[:20]!r}")
    try:
        return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
    except ValueError as exc:
        raise InputError(f"a day must be YYYY-MM-DD, not {text!r}") from exc


def enrolment_day(enrolment: dict[str, Any]) -> str | None:
    """The UTC day (YYYY-MM-DD) an enrolment was made (its `iat`): entries dated before it record
    learning outside the programme (prior learning is recognised through RPL) and never count; those
    of that day itself do. None when the enrolment carries no time."""
    issued = enrolment.get("iat")
    if not isinstance(issued, int) or isinstance(issued, bool) or not 0 <= issued < 2**40:
        return None
    return datetime.fromtimestamp(issued, UTC).strftime("%Y-%m-%d")


def sign_record(typ: str, payload: dict[str, Any], key: Any, kid: str) -> str:
    return jwt.sign({"alg": "ES256", "typ": typ, "kid": kid}, payload, key)


# What each signed document of a logbook is, for a person handed the wrong one.
KINDS = {
    "programme+jwt": "a programme (`programme publish`)",
    "supervisor-authorisation+jwt": "a supervisor's or assessor's authorisation (`supervisor authorise`)",
    "authorisation-revocation+jwt": "a revocation record (`supervisor revoke --record`)",
    "logbook-enrolment+jwt": "an enrolment (`logbook enrol`)",
    "logbook-entry+jwt": "a logbook entry",
    "logbook-countersignature+jwt": "a countersignature",
    "JWT": "a credential (JWT)",
}


def signed_by(token: Any, typ: str) -> jwt.CompactJWS:
    """The record `token` of type `typ`, parsed (its signature is checked by the caller, with the
    key of its `iss`: `did_key_signed` for persons, the DID registry for providers)."""
    if not isinstance(token, str):
        raise InputError(f"a {typ} record must be a compact JWS")
    parsed = jwt.parse(token)
    if parsed.header.get("typ") != typ:
        found = str(parsed.header.get("typ"))
        raise InputError(f"{KINDS.get(found, repr(found[:40]))} was given where {KINDS.get(typ, typ)} is needed "
                         f"(expected a {typ} record)")  # fmt: skip
    if not isinstance(parsed.payload.get("iss"), str):
        raise InputError(f"the {typ} record names no issuer (iss)")
    return parsed


def did_key_signed(parsed: jwt.CompactJWS) -> bool:
    """True when a person's record is signed by the did:key it names as `iss`."""
    iss = str(parsed.payload["iss"])
    if not iss.startswith("did:key:") or not (parsed.kid or "").startswith(iss + "#"):
        return False
    try:
        return jwt.verify_with(parsed, _did_key_public(iss, parsed.alg))
    except InputError:
        return False


@lru_cache(maxsize=4096)
def _did_key_public(did: str, alg: str) -> Any:
    """The key object of a did:key, built once per person (a logbook's entries share few signers)."""
    return jwt.public_key(alg, jwk_from_did_key(did))


def day_leaf(entry: str, countersignature: str, status_list: int, index: int) -> list[Any]:
    """The leaf values of one entry in its day tree (encoded as LEAF_ENCODING)."""
    return ["0x" + sha256_hex(entry), "0x" + sha256_hex(countersignature), status_list, index]


@dataclass(frozen=True)
class Entry:
    """What a learner writes for one day's work (signed by her as `logbook-entry+jwt`)."""

    logbook: str
    id: str
    date: str
    unit: str
    activity: str
    hours: float
    workplace: str
    evidence: str | None = None  # sha256 hex of evidence the learner keeps

    def payload(self, learner: str, issued_at: int) -> dict[str, Any]:
        entry_date(self.date)
        if not 0 < self.hours <= 24:
            raise InputError("an entry's hours must be more than 0 and at most 24")
        if not self.activity.strip() or not self.workplace.strip():
            raise InputError("an entry needs an activity and a workplace")
        check_visible(self.activity, "the activity", limit=MAX_ACTIVITY_CHARS, lines=True)
        check_visible(self.workplace, "the workplace", limit=MAX_WORKPLACE_CHARS)
        body: dict[str, Any] = {"iss": learner, "jti": self.id, "iat": issued_at, "logbook": self.logbook,
                                "date": self.date, "unit": self.unit, "activity": self.activity,
                                "hours": self.hours, "workplace": self.workplace}  # fmt: skip
        if self.evidence is not None:
            body["evidence"] = self.evidence
        return body


@dataclass
class EntryFile:
    """One entry as it travels: the learner's JWS, then the countersignature and the signer's
    authorisation, then the day anchor (root, proof, status entry) the provider adds."""

    entry: str
    countersignature: str | None = None
    authorisation: str | None = None
    anchor: dict[str, Any] | None = None
    # In transit only, from the learner to her supervisor: her enrolment (the provider's record that
    # names her), so that the entries to review name her. Not in her logbook's files nor in extracts.
    enrolment: str | None = None

    @property
    def id(self) -> str:
        return str(jwt.parse(self.entry).payload.get("jti"))

    def to_json(self) -> dict[str, Any]:
        return {"format": ENTRY_FILE, "entry": self.entry, "countersignature": self.countersignature,
                "authorisation": self.authorisation, "anchor": self.anchor} | (
            {"enrolment": self.enrolment} if self.enrolment is not None else {})  # fmt: skip

    @classmethod
    def from_json(cls, data: Any, source: str) -> EntryFile:
        if not isinstance(data, dict) or data.get("format") != ENTRY_FILE:
            raise InputError(f"{source} is not a logbook entry file ({ENTRY_FILE})")
        entry = data.get("entry")
        if not isinstance(entry, str):
            raise InputError(f"{source} holds no signed entry")
        parts = [data.get(k) for k in ("countersignature", "authorisation", "enrolment")]
        if any(p is not None and not isinstance(p, str) for p in parts):
            raise InputError(f"{source}: the countersignature, authorisation and enrolment must be compact JWSs")
        anchor = data.get("anchor")
        if anchor is not None:
            _check_anchor(anchor, source)
        return cls(entry, parts[0], parts[1], anchor, parts[2])


def entry_file_name(entry: EntryFile) -> str:
    """The name of an entry's file, for people: `<date>-<unit>-<short id>.json` (the first 8 hex
    digits of its id; only letters, digits, `.`, `_` and `-` from the entry). Older files are named
    `<id>.json`, and whoever reads a directory reads both."""
    p = jwt.parse(entry.entry).payload
    date = p.get("date") if isinstance(p.get("date"), str) and _DATE.fullmatch(p["date"]) else "undated"
    unit = _UNSAFE.sub("-", str(p.get("unit", "")))[:40].strip(".-") or "unit"
    short = _UNSAFE.sub("", str(p.get("jti", "")).removeprefix("urn:uuid:").replace("-", ""))[:8] or "entry"
    return f"{date}-{unit}-{short}.json"


def legacy_file_name(entry: EntryFile) -> str:
    """The name entry files had first (`<id>.json`), kept for a short name taken by another entry."""
    return _UNSAFE.sub("-", entry.id.removeprefix("urn:uuid:"))[:100] + ".json"


def _check_anchor(anchor: Any, source: str) -> None:
    ok = isinstance(anchor, dict) and isinstance(anchor.get("root"), str) and isinstance(anchor.get("proof"), list)
    ok = ok and all(isinstance(anchor.get(k), int) and not isinstance(anchor.get(k), bool) for k in ("list", "index"))
    if not ok or not all(isinstance(p, str) for p in anchor["proof"]):
        raise InputError(f"{source}: the day anchor must hold root, proof, list and index")


@dataclass
class Extract:
    """What a learner shares: the programme, her enrolment, chosen entries with their proofs, and
    any revocation records of the authorisations they rest on."""

    programme: str
    enrolment: str
    entries: list[EntryFile]
    records: list[str] = field(default_factory=list)
    # The qualification that summarises the logbook (`credential`, its compact JWT) and each counted
    # entry's proof against the logbook root it names (`proofs`, by entry id): formats/logbook/summary.py.
    qualification: dict[str, Any] | None = None
    # The registry the logbook lives in (a registry locator, formats/locator.py, as holder files carry
    # it), parsed only by a verifier that has no deployment of its own; unsigned, as in a holder file.
    registry: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": EXTRACT, "programme": self.programme, "enrolment": self.enrolment,
                "entries": [e.to_json() for e in self.entries], "records": self.records}  # fmt: skip
        if self.qualification is not None:
            data["qualification"] = self.qualification
        if self.registry is not None:
            data["registry"] = self.registry
        return data

    @classmethod
    def from_json(cls, data: Any, source: str) -> Extract:
        if not isinstance(data, dict) or data.get("format") != EXTRACT:
            raise InputError(f"{source} is not a logbook extract ({EXTRACT}): make one with `registry logbook share`")
        entries, records = data.get("entries"), data.get("records", [])
        if not isinstance(entries, list) or not isinstance(records, list):
            raise InputError(f"{source}: 'entries' and 'records' must be lists")
        if not all(isinstance(r, str) for r in records):
            raise InputError(f"{source}: each revocation record must be a compact JWS")
        for key in ("programme", "enrolment"):
            if not isinstance(data.get(key), str):
                raise InputError(f"{source} holds no signed {key}")
        files = [EntryFile.from_json(e, f"{source} entry {n + 1}") for n, e in enumerate(entries)]
        qualification = data.get("qualification")
        if qualification is not None:
            _check_qualification(qualification, source)
        elif not files:  # cut down to nothing: not "valid" for having nothing to check
            raise InputError(f"{source} shows no entry and no qualification, so there is nothing in it to check: "
                             "ask the learner for the extract `registry logbook share` writes")  # fmt: skip
        registry = data.get("registry")
        if registry is not None and not isinstance(registry, dict):
            raise InputError(f"{source}: 'registry' must be a registry locator (an object)")
        return cls(data["programme"], data["enrolment"], files, list(records), qualification, registry)


def _check_qualification(data: Any, source: str) -> None:
    ok = isinstance(data, dict) and isinstance(data.get("credential"), str) and isinstance(data.get("proofs"), dict)
    proofs = data.get("proofs", {}) if ok else {}
    if not ok or not all(isinstance(p, list) and all(isinstance(n, str) for n in p) for p in proofs.values()):
        raise InputError(f"{source}: the qualification must hold its credential and the entries' proofs")


def carried_name(f: EntryFile) -> str | None:
    """The learner's name as the enrolment an entry file carries in transit gives it (None: it
    carries none, or one that names nobody in visible text); an InputError when that enrolment is
    not its learner's for this logbook. Its provider's signature is not checked here: `logbook
    verify` checks the enrolment an extract carries; the learner's DID is what she signs with."""
    if f.enrolment is None:
        return None
    from registry.formats.credential import check_names_a_person

    enrolled, entry = signed_by(f.enrolment, "logbook-enrolment+jwt").payload, jwt.parse(f.entry).payload
    if enrolled.get("sub") != entry.get("iss") or enrolled.get("logbook") != entry.get("logbook"):
        raise InputError("the enrolment the entry file carries is not its learner's for this logbook")
    name = enrolled.get("name")
    try:
        return check_names_a_person(name, "the learner's name") if isinstance(name, str) and name.strip() else None
    except InputError:
        return None
