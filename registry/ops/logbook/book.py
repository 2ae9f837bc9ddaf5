"""A learner's logbook directory: `logbook.json` (the programme and her enrolment, as the provider
signed them) and `entries/<date>-<unit>-<short id>.json` (one entry file each, written by `add`,
completed by `sign` and the provider's `anchor`; files named `<id>.json` by earlier versions are
read and kept under their names). Everything here works without a network: entries made offline are
collected later as files."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.durable import discard_temporaries, write_json_atomic
from registry.errors import InputError
from registry.files import MIB, read_capped
from registry.formats import safejson
from registry.formats.logbook import Entry, EntryFile, Extract, Programme, sign_record
from registry.formats.logbook.records import (
    did_key_signed,
    enrolment_day,
    entry_date,
    entry_file_name,
    legacy_file_name,
    sha256_hex,
    signed_by,
)
from registry.keystore import Identity
from registry.ops.logbook.provider import DAY, Provider, programme_of
from registry.ops.logbook.signoff import NotHers, check_day_totals, check_hours, check_period, check_role
from registry.ops.logbook.store import other_provider

BOOK = "skills-logbook/1"
MAX_FILE = 4 * MIB


def read_json(path: Path, what: str) -> Any:
    return safejson.loads(read_capped(path, MAX_FILE, what), what)


def load_entry(path: Path) -> EntryFile:
    return EntryFile.from_json(read_json(path, str(path)), str(path))


def load_extract(path: Path) -> Extract:
    return extract_of(read_capped(path, MAX_FILE, str(path)), str(path))


def extract_of(raw: bytes, where: str) -> Extract:
    """The extract `raw` holds; another of a logbook's documents (the CLR summary, a programme...) is
    refused saying what it is, not as text that is "not valid JSON"."""
    try:
        data = safejson.loads(raw, where)
    except InputError:
        what = signed_kind(raw)
        if what is None:
            raise
        raise InputError(f"{where} is {what}, not a logbook extract: make one with `registry logbook share`") from None
    return Extract.from_json(data, where)


# The signed documents of a logbook a verifier may be handed instead of an extract (by header `typ`).
_KINDS = {"programme+jwt": "a programme", "supervisor-authorisation+jwt": "a supervisor's authorisation",
          "authorisation-revocation+jwt": "a revocation record (give it with --record)"}  # fmt: skip


def signed_kind(raw: bytes) -> str | None:
    """What a signed document (a compact JWT) is, said for a person; None when `raw` is no JWT."""
    from registry.formats import jwt

    try:
        parsed = jwt.parse(raw.decode("ascii"))
    except (InputError, UnicodeDecodeError):
        return None
    vc = parsed.payload.get("vc")
    if isinstance(vc, dict) and "ClrCredential" in (vc.get("type") or ()):
        return ("the CLR 2.0 summary of a logbook's qualification (`registry verify qualification.json` checks the "
                "qualification)")  # fmt: skip
    return _KINDS.get(str(parsed.header.get("typ")), "a signed document (JWT)")


@dataclass(frozen=True)
class Progress:
    """Per unit: hours needed, hours countersigned, hours anchored; and what is missing."""

    programme: Programme
    units: list[dict[str, Any]]
    enrolled: str | None = None  # her enrolment's day: entries dated before it never count

    @property
    def missing(self) -> list[str]:
        """Units short of their hours, counting anchored entries that are neither backdated nor dated
        before the enrolment (those never count)."""
        return [f"{unit}: {left:g} h" for unit, left in self.short()]

    def short(self) -> list[tuple[str, float]]:
        """(unit, hours still to be anchored and counted) of each unit short of its hours."""
        out = ("backdated", "beforeEnrolment", "revoked", "notValid", "undetermined")  # the last three: checked.py
        left = [(u["unit"], u["needed"] - u["anchored"] + sum(u.get(k, 0.0) for k in out)) for u in self.units]
        return [(unit, hours) for unit, hours in left if hours > 0]

    def to_json(self) -> dict[str, Any]:
        return {"programme": self.programme.ref, "title": self.programme.title, "enrolled": self.enrolled,
                "units": self.units,
                "missing": self.missing, "complete": not self.missing}  # fmt: skip


MAX_DAY_HOURS = 24  # what one person's entries of one day can claim in all


def book_directory(directory: Path) -> Path:
    """The logbook's directory: `directory`, or the logbook it is the `entries/` of (`.` run inside it)."""
    up = directory.name in ("", ".", "..")
    if (up or directory.name == "entries") and directory.resolve().name == "entries":  # cheap first
        parent = directory / ".." if up else directory.parent
        if not (directory / "logbook.json").exists() and (parent / "logbook.json").is_file():
            return parent
    return directory


class Logbook:
    def __init__(self, directory: Path) -> None:
        directory = book_directory(directory)
        self.directory = directory
        data = read_json(directory / "logbook.json", f"the logbook in {directory}")
        if not isinstance(data, dict) or data.get("format") != BOOK:
            raise InputError(f"{directory} holds no logbook ({BOOK}): `registry logbook enrol` opens one")
        self.programme_token = str(data.get("programme"))
        self.enrolment_token = str(data.get("enrolment"))
        self.programme = programme_of(self.programme_token)
        self.enrolment = signed_by(self.enrolment_token, "logbook-enrolment+jwt").payload
        locator = data.get("registry")  # the provider's registry, which extracts name for their verifiers
        self.registry: dict[str, Any] | None = locator if isinstance(locator, dict) else None

    @staticmethod
    def create(directory: Path, programme: str, enrolment: str, registry: dict[str, Any] | None = None) -> Logbook:
        if (directory / "logbook.json").exists():
            raise InputError(f"{directory} holds a logbook already")
        data = {"format": BOOK, "programme": programme, "enrolment": enrolment}
        discard_temporaries(directory / "logbook.json")  # a run killed while writing it
        write_json_atomic(directory / "logbook.json", data | ({"registry": registry} if registry is not None else {}))
        (directory / "entries").mkdir(exist_ok=True)
        return Logbook(directory)

    @property
    def id(self) -> str:
        return str(self.enrolment.get("logbook"))

    def path_of(self, entry: EntryFile) -> Path:
        """Where the entry's file is, or goes (`entry_path`)."""
        return entry_path(self.directory / "entries", entry)

    def entries(self) -> list[EntryFile]:
        folder = self.directory / "entries"
        return [load_entry(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []

    def save(self, entry: EntryFile) -> Path:
        path = self.path_of(entry)
        write_json_atomic(path, entry.to_json())
        return path

    def add(self, learner: Identity, fields: dict[str, Any], evidence: bytes | None, now: int) -> EntryFile:
        """The learner signs a new entry (offline); its file is written into the logbook."""
        if learner.did != self.enrolment.get("sub"):
            raise InputError(f"{learner.name} is not the learner enrolled in this logbook")
        if self.programme.unit(str(fields.get("unit"))) is None:
            units = ", ".join(u.id for u in self.programme.units)
            raise InputError(f"the programme has no unit {str(fields.get('unit'))[:40]!r} (its units: {units})")
        if entry_date(fields.get("date")) > now + DAY:  # a day of slack for the learner's clock and time zone
            raise InputError(f"the date {fields.get('date')} is in the future: an entry records work done")
        payloads = [signed_by(f.entry, "logbook-entry+jwt").payload for f in self.entries()]
        day = sum(float(p.get("hours", 0)) for p in payloads if p.get("date") == fields.get("date"))
        if day + float(fields.get("hours", 0)) > MAX_DAY_HOURS:
            raise InputError(
                f"the entries dated {fields.get('date')} would claim {day + float(fields.get('hours', 0)):g} h, "
                f"more than a day's {MAX_DAY_HOURS} h: record the hours worked that day"
            )
        entry = Entry(logbook=self.id, id=f"urn:uuid:{uuid.uuid4()}",
                      evidence=hashlib.sha256(evidence).hexdigest() if evidence is not None else None,
                      **fields)  # fmt: skip
        token = sign_record("logbook-entry+jwt", entry.payload(learner.did, now), learner.signing_key, learner.kid)
        entry_file = EntryFile(token)
        self.save(entry_file)
        return entry_file

    def progress(self) -> Progress:
        """Hours per unit, from the files (nothing checked on the chain); `backdated`: hours anchored
        of entries dated before the programme's window of their countersigning already, so before
        that of their anchor, which is later; `beforeEnrolment`: hours anchored of entries dated before
        the learner's enrolment day (not also counted as backdated): verifiers report both and
        completion never counts them; `waiting` (and `waitingHours`): entries written, not yet countersigned."""
        totals: dict[str, dict[str, Any]] = {
            u.id: {"unit": u.id, "title": u.title, "needed": u.hours, "countersigned": 0.0, "anchored": 0.0,
                   "backdated": 0.0, "beforeEnrolment": 0.0, "waiting": 0, "waitingHours": 0.0}
            for u in self.programme.units
        }  # fmt: skip
        for f in self.entries():
            payload = signed_by(f.entry, "logbook-entry+jwt").payload
            row = totals.get(str(payload.get("unit")))
            if row is not None and f.countersignature is None:  # written, not yet countersigned
                row["waiting"] += 1
                row["waitingHours"] += float(payload.get("hours", 0))
            if row is None or f.countersignature is None:
                continue
            row["countersigned"] += float(payload.get("hours", 0))
            if f.anchor is not None:
                row["anchored"] += float(payload.get("hours", 0))
                signed = signed_by(f.countersignature, "logbook-countersignature+jwt").payload.get("iat")
                if self.before_enrolment(str(payload.get("date"))):
                    row["beforeEnrolment"] += float(payload.get("hours", 0))
                elif self.backdated(str(payload.get("date")), int(signed) if isinstance(signed, int) else 0):
                    row["backdated"] += float(payload.get("hours", 0))
        return Progress(self.programme, list(totals.values()), self.enrolled)

    @property
    def enrolled(self) -> str | None:
        """The UTC day of her enrolment (YYYY-MM-DD): entries dated before it never count."""
        return enrolment_day(self.enrolment)

    def before_enrolment(self, date: str) -> bool:
        """Whether an entry of `date` lies before her enrolment day, as `logbook verify` reports it."""
        return self.enrolled is not None and entry_date(date) < entry_date(self.enrolled)

    def backdated(self, date: str, at: int) -> bool:
        """Whether an entry of `date` anchored at `at` (or later) lies before the programme's
        backdating window, as `logbook verify` reports it."""
        return entry_date(date) + DAY + self.programme.backdating_days * DAY <= at

    def _named(self, given: str, anchored: list[EntryFile]) -> str:
        """The id of the entry `given` names: its id (with or without `urn:uuid:`), its file (a path
        or its name, as `logbook add` printed it), or the short id that name ends with."""
        key = given.removeprefix("urn:uuid:")
        ids = {f.id.removeprefix("urn:uuid:") for f in anchored}
        if key in ids:
            return key
        stem = Path(given).name.removesuffix(".json")
        path = self.directory / "entries" / f"{stem}.json"
        if path.is_file():
            return load_entry(path).id.removeprefix("urn:uuid:")
        short = [i for i in ids if len(stem) >= 8 and i.startswith(stem)]
        return short[0] if len(short) == 1 else key

    def share(self, entry_ids: list[str] | None, records: list[str]) -> Extract:
        """The chosen entries (all anchored ones when None), with their proofs."""
        chosen = [f for f in self.entries() if f.anchor is not None]
        if entry_ids is not None:
            wanted = {self._named(i, chosen) for i in entry_ids}
            chosen = [f for f in chosen if f.id.removeprefix("urn:uuid:") in wanted]
            found = {f.id.removeprefix("urn:uuid:") for f in chosen}
            if wanted - found:
                raise InputError(f"no anchored entry {sorted(wanted - found)[0]} in this logbook")
        if not chosen:
            raise InputError("this logbook has no anchored entries to share yet")
        return Extract(self.programme_token, self.enrolment_token, chosen, records, registry=self.registry)


def found_entry(folder: Path, entry: EntryFile) -> Path | None:
    """The file of `entry` in `folder`, under either name (`<date>-<unit>-<short id>.json`, or the
    older `<id>.json`); None when there is none."""
    for name in (entry_file_name(entry), legacy_file_name(entry)):
        path = folder / name
        if path.is_file():
            try:
                if load_entry(path).id == entry.id:
                    return path
            except InputError:
                continue  # not an entry file: not this entry's
    return None


def entry_path(folder: Path, entry: EntryFile) -> Path:
    """Where `entry`'s file is in `folder`, else where it goes: `<date>-<unit>-<short id>.json`,
    or `<id>.json` when another entry holds that name."""
    found = found_entry(folder, entry)
    if found is not None:
        return found
    short = folder / entry_file_name(entry)
    return folder / legacy_file_name(entry) if short.exists() else short


def countersign(
    entry: EntryFile, signer: Identity, authorisation: str, now: int, programme: Programme | None = None
) -> EntryFile:
    """The supervisor or assessor signs off a learner's entry under her authorisation (offline),
    only a unit her role signs off (as the verifier checks it): by the entry's `programme` when it
    is given, else by the units her authorisation lists."""
    parsed = signed_by(entry.entry, "logbook-entry+jwt")
    if not did_key_signed(parsed):
        raise InputError("the entry's signature does not verify: it was altered or not signed by its learner")
    auth = signed_by(authorisation, "supervisor-authorisation+jwt").payload
    if auth.get("sub") != signer.did:
        raise InputError(f"the authorisation given is not {signer.name}'s")
    if entry.countersignature is not None:
        raise InputError(f"entry {entry.id} is countersigned already")
    subject = auth.get("vc", {}).get("credentialSubject", {}) if isinstance(auth.get("vc"), dict) else {}
    role, place = subject.get("role"), subject.get("workplace")
    if (why := other_provider(entry, authorisation)) is not None:
        raise InputError(why)
    check_hours(entry.id, parsed.payload.get("hours"))
    check_role(entry.id, str(parsed.payload.get("unit")), signer.name, subject, programme)
    if isinstance(place, str) and place != (recorded := str(parsed.payload.get("workplace", "")).strip()):
        raise NotHers(f"entry {entry.id} not signed: {signer.name} is authorised only at the workplace "
                      f"{place[:80]!r}, and it was recorded at {recorded[:80]!r}")  # fmt: skip
    check_period(str(parsed.payload.get("date")), signer.name, auth, now)
    token = sign_record("logbook-countersignature+jwt", {
        "iss": signer.did, "iat": now, "entry": sha256_hex(entry.entry),
        "authorisation": sha256_hex(authorisation), "role": role,
    }, signer.signing_key, signer.kid)  # fmt: skip
    return EntryFile(entry.entry, token, authorisation, None)


def countersign_files(
    files: list[tuple[Path, EntryFile]], signer: Identity, authorisation: str, now: int,
    programme_for: Callable[[Path], Programme | None],
) -> tuple[list[tuple[Path, EntryFile]], list[Path], list[str]]:  # fmt: skip
    """`logbook sign ENTRY...` (`entries/*.json` the day after, say): the entries this signer signs
    off, countersigned (nothing written here); those countersigned already and those another signer
    signs off (another role's unit, another workplace, a day outside her authorisation) are left, and
    listed with why. Any other refusal names its file and signs nothing; so does a list with none of
    hers among the others."""
    signed: list[tuple[Path, EntryFile]] = []
    others: list[str] = []
    for path, entry in files:
        if entry.countersignature is not None:
            continue
        try:
            signed.append((path, countersign(entry, signer, authorisation, now, programme_for(path))))
        except NotHers as exc:
            others.append(f"{path}: {exc}")
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
    if others and not signed:
        alike = f" (and {len(others) - 1} more not hers to sign)" if len(others) > 1 else ""
        raise InputError(others[0] + alike)
    check_day_totals(files, signed)
    return signed, [path for path, entry in files if entry.countersignature is not None], others


def enrol_into(
    provider: Provider, directory: Path, programme: str, learner: str, name: str | None,
    registry: dict[str, Any] | None,
) -> tuple[Logbook, bool | None]:  # fmt: skip
    """`registry logbook enrol`: her logbook directory written whole before its enrolment's anchor.
    A directory holding her enrolment in this programme by this provider (a run stopped before its
    anchor) is finished instead. (The logbook, None: new; True: anchored now; False: it was.)"""
    if (directory / "logbook.json").exists():
        try:
            done = provider.resume_enrolment(Logbook(directory).enrolment_token, programme, learner)
        except InputError:
            done = None  # not a logbook this version reads: never taken over
        if done is None:
            raise InputError(f"{directory} holds a logbook already")
        return Logbook(directory), done
    provider.enrol(programme, learner, name, keep=lambda made: Logbook.create(directory, programme, made, registry))
    return Logbook(directory), None
