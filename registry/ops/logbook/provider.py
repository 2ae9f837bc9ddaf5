"""What a provider does for logbooks: publish a programme, authorise (and revoke) supervisors and
assessors, enrol learners, anchor a day's entries as one Merkle root, revoke one entry.

Every write goes through the provider's journal as an issuer's does (ops/issuance.py's `Issuer`
gives the journal, the writer lock and the status allocation); status entries of authorisations
and entries live in the provider's own status lists. A revocation for cause that reaches back is a
provider-signed `authorisation-revocation+jwt` whose hash is anchored (the credential registry's
status event carries only a reason code): the learner's extract carries it, or the verifier is
given it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.chain.txmanager import crash_point
from registry.config import Settings
from registry.contracts.statusword import Purpose
from registry.errors import InputError
from registry.formats import jwt
from registry.formats.credential import check_names_a_person
from registry.formats.logbook import (
    EntryFile,
    Programme,
    check_publishable,
    entry_date,
    parse_programme,
    sign_record,
)
from registry.formats.logbook.records import sha256_hex, signed_by
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry

FOR_CAUSE = 2  # the reason code of a revocation for cause ("fraud or misrepresentation")
DAY = 86_400


@dataclass(frozen=True)
class Revoked:
    """What `revoke_authorisation` did: the record for cause (None: none asked), and, when the
    authorisation was revoked already (nothing sent), how (`already`) and whether for cause."""

    record: str | None
    already: str | None = None
    for_cause: bool = False


def programme_of(token: str) -> Programme:
    parsed = signed_by(token, "programme+jwt")
    return parse_programme(parsed.payload.get("programme"), provider=str(parsed.payload["iss"]))


class Provider:
    def __init__(self, registry: Registry, identity: Identity, settings: Settings) -> None:
        self.issuer = Issuer(registry, identity, settings)
        self.registry = registry
        self.identity = identity

    def _sign(self, typ: str, payload: dict[str, Any]) -> str:
        return sign_record(typ, {"iss": self.identity.did, **payload}, self.identity.signing_key, self.identity.kid)

    def _anchor(self, token: str) -> dict[str, Any]:
        """Anchor sha256 of `token` in the provider's namespace, journaled."""
        call = self.registry.credentials.anchor(bytes.fromhex(sha256_hex(token)))
        with self.issuer.writing():
            op_ids = self.issuer.tx.record(self.identity.account, [(call, None)], batch=str(uuid.uuid4()))
            receipt = self.issuer.tx.drive(self.identity.account, op_ids, self.identity)[0]
        assert receipt is not None
        return receipt

    def _check_accredited(self) -> None:
        from registry.ops.trust import Need, Trust, evaluate

        did = self.identity.did
        chain = Trust(self.registry, self.issuer.settings.public_url).fetch([did])[did]
        report = evaluate(chain, self.registry.signing_time(), None, Need(types=("SkillsCredential",)))
        if not report.ok:
            raise InputError(f"{self.identity.name} may not publish a programme: {report.summary}")

    def publish_programme(self, data: Any) -> str:
        """Sign and anchor a programme (its provider is this identity); the signed JWS."""
        return self.publish(data)[0]

    def publish(self, data: Any, known: str | None = None) -> tuple[str, bool]:
        """(the signed programme, whether it is new): a version is published once, and the
        identical document again gives back the one published (ops/logbook/published.py; `known`,
        a signed document the caller holds, counts as published when this home keeps none)."""
        from registry.ops.logbook.published import PublishedRecord, publish_once
        from registry.ops.logbook.reports import Reads

        if isinstance(data, dict):
            data = {**data, "provider": self.identity.did}
        programme = check_publishable(parse_programme(data))  # its unit titles become skill labels

        def sign_and_anchor(keep: Callable[[str], None]) -> str:
            self._check_accredited()
            token = self._sign("programme+jwt", {"iat": self.registry.signing_time(), "programme": programme.to_json()})
            keep(token)
            self._anchor(token)
            return token

        record = PublishedRecord(self.issuer.settings.home, self.identity.name)
        with self.issuer.writing():
            anchored = Reads(self.registry).anchored
            return publish_once(record, programme, programme_of, lambda t: anchored(self.identity.did, t),
                                sign_and_anchor, known)  # fmt: skip

    def _own_programme(self, token: str) -> Programme:
        programme = programme_of(token)
        if programme.provider != self.identity.did:
            raise InputError(f"the programme {programme.ref} was published by another provider")
        return programme

    def authorise(
        self, programme_token: str, person: str, role: str, valid_from: int, valid_until: int,
        workplace: str | None = None, keep: Callable[[str], object] | None = None, name: str | None = None,
    ) -> str:  # fmt: skip
        """Authorise `person` (did:key) to sign off `programme`'s units as `role` (only at `workplace`
        when one is named; the units of that role are listed; her legal `name` when given, in the
        signed document only: the chain holds its hash); anchored, with a revocation entry in
        the provider's status lists. The signed credential, given to `keep` before its anchor
        (`resume_authorisation` finishes a run stopped in between)."""
        programme = self._own_programme(programme_token)
        if not person.startswith("did:key:"):
            raise InputError("a supervisor or assessor is a person: give her did:key")
        if role not in ("supervisor", "assessor"):
            raise InputError("the role must be supervisor or assessor")
        if valid_until <= valid_from:
            raise InputError("the authorisation must end after it begins")
        if workplace is not None and (not workplace.strip() or len(workplace) > 200):
            raise InputError("the workplace must be a non-empty text of at most 200 characters")
        # The units her role signs off, so that her own tool checks an entry without the programme at hand.
        units = [u.id for u in programme.units if u.signer == role]
        subject: dict[str, Any] = {"id": person, "programme": programme.ref, "role": role, "units": units}
        if workplace is not None:
            subject["workplace"] = workplace.strip()
        if name is not None:
            if not name.strip():
                raise InputError("the supervisor's name must be a non-empty text of at most 200 characters")
            subject["name"] = check_names_a_person(name.strip(), "the supervisor's name")
        with self.issuer.writing():
            number, index = self.issuer.allocator.allocate_single(str(uuid.uuid4()))
            now = self.registry.signing_time()
            token = self._sign("supervisor-authorisation+jwt", {
                "sub": person, "jti": f"urn:uuid:{uuid.uuid4()}", "iat": now, "nbf": valid_from, "exp": valid_until,
                "vc": {"type": ["VerifiableCredential", "SupervisorAuthorisation"],
                       "credentialSubject": subject,
                       "credentialStatus": {"statusPurpose": "revocation", "list": number, "index": index}},
            })  # fmt: skip
            self._kept_then_anchored(token, keep)
            self.issuer.publish_new_lists(number)
        return token

    def resume_authorisation(self, token: str, programme_token: str, person: str, role: str) -> bool | None:
        """`resume` for an authorisation file: this provider's, for `person` in `programme` as `role`."""
        ref = programme_of(programme_token).ref

        def wanted(payload: dict[str, Any]) -> bool:
            vc = payload.get("vc")
            subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
            return (payload.get("sub") == person and isinstance(subject, dict)
                    and (subject.get("programme"), subject.get("role")) == (ref, role))  # fmt: skip

        with self.issuer.writing():
            done = self.resume(token, "supervisor-authorisation+jwt", wanted)
            if done is not None:
                self.issuer.publish_new_lists(status_of(parsed_payload(token))[0])
        return done

    def resume_enrolment(self, token: str, programme_token: str, learner: str) -> bool | None:
        """`resume` for a logbook's enrolment: this provider's, of `learner` in `programme`."""
        digest = sha256_hex(programme_token)
        return self.resume(token, "logbook-enrolment+jwt",
                           lambda p: (p.get("sub"), p.get("programmeHash")) == (learner, digest))  # fmt: skip

    def _kept_then_anchored(self, token: str, keep: Callable[[str], object] | None) -> None:
        """`keep(token)` (the caller writes the document where it goes, whole) before its anchor: a
        run stopped in between leaves a document `resume` anchors, never an anchor nobody holds."""
        if keep is not None:
            keep(token)
            crash_point("after-files")
        self._anchor(token)

    def resume(self, token: str, typ: str, wanted: Callable[[dict[str, Any]], bool]) -> bool | None:
        """A `typ` document an earlier run kept before its anchor, anchored unless it is: True when
        anchored now, False when it was; None when `token` is not a `typ` document this provider
        signed (checked against its DID document) that `wanted` accepts: it must not be taken."""
        from registry.ops.logbook.reports import Reads

        try:
            parsed = signed_by(token, typ)
        except InputError:
            return None
        if not wanted(parsed.payload) or not Reads(self.registry).provider_signed(parsed, self.identity.did):
            return None
        with self.issuer.writing():  # the journal first sends what the stopped run left
            if Reads(self.registry).anchored(self.identity.did, token) is not None:
                return False
            self._anchor(token)
            return True

    def _revoke(self, number: int, index: int, reason: int) -> tuple[int, str] | None:
        """Revoke a status entry. One revoked already is left so (a revocation is recorded once: the
        contract would refuse it): its reason code and how it was revoked are returned."""
        call = self.registry.credentials.set_status(Purpose.REVOCATION, number, index, reason)
        with self.issuer.writing():
            already = self.revoked_already(number, index)
            if already is not None:
                return already
            op_ids = self.issuer.tx.record(self.identity.account, [(call, None)])
            self.issuer.tx.drive(self.identity.account, op_ids, self.identity)
        return None

    def revoked_already(self, number: int, index: int) -> tuple[int, str] | None:
        """None while the provider's status entry stands; else the revocation's reason code and how it
        came ("already revoked by transaction 0x… in block N (reason: …, time)")."""
        from registry.contracts.statusword import bit_of
        from registry.formats.credential import iso
        from registry.ops.registry import REASONS

        account = self.identity.account.address
        (values,) = self.registry.client.call(
            self.registry.status_words_call([(account, Purpose.REVOCATION, number, index)])
        )
        if not bit_of(int(values[0]), index):
            return None
        found = self.registry.entry_change(account, Purpose.REVOCATION, number, index, {})
        if found is None:
            return 0, "already revoked"
        event, when = found
        why = REASONS.get(event.reason, f"code {event.reason}")
        return event.reason, (
            f"already revoked by transaction {event.tx_hash} in block {event.block} (reason: {why}, {iso(when)})"
        )

    def revoke_authorisation(
        self, token: str, reason: int, untrusted_from: str | None, keep: Callable[[str], object] | None = None,
        held: str | None = None,
    ) -> Revoked:  # fmt: skip
        """Revoke an authorisation in the status lists; with `untrusted_from` (a date) also sign and
        anchor the record saying its sign-offs from that date are not to be trusted (given to `keep`
        before its anchor). `held`: that record as an earlier run, stopped, left it: anchored if it is
        not, and the authorisation revoked if it is not. The reason code of a revocation for cause is
        the one verifiers ask its record for: refused without a date. One revoked already is left so
        (its first reason and time stand); a record for cause is still made."""
        parsed = signed_by(token, "supervisor-authorisation+jwt")
        if parsed.payload["iss"] != self.identity.did:
            raise InputError("this authorisation was issued by another provider")
        if reason == FOR_CAUSE and untrusted_from is None:
            raise InputError(
                f"reason {FOR_CAUSE} (fraud or misrepresentation) is a revocation for cause, which verifiers "
                "ask its record for: give --untrusted-from DAY (from when her sign-offs are not trusted) and "
                "--record FILE, or another reason"
            )
        number, index = status_of(parsed.payload)
        record = held
        with self.issuer.writing():
            if held is not None:
                wanted = {"authorisation": sha256_hex(token), "untrustedFrom": untrusted_from}
                if self.resume(held, "authorisation-revocation+jwt", lambda p: wanted.items() <= p.items()) is None:
                    raise InputError("the record given is not this provider's revocation record of this authorisation "
                                     "from that date")  # fmt: skip
            elif untrusted_from is not None:
                entry_date(untrusted_from)
                record = self._sign("authorisation-revocation+jwt", {
                    "iat": self.registry.signing_time(), "authorisation": sha256_hex(token),
                    "untrustedFrom": untrusted_from, "reason": reason,
                })  # fmt: skip
                self._kept_then_anchored(record, keep)
            already = self._revoke(number, index, FOR_CAUSE if record is not None else reason)
        if already is None:
            return Revoked(record)
        return Revoked(record, already[1], already[0] == FOR_CAUSE)

    def enrol(
        self, programme_token: str, learner: str, name: str | None = None, keep: Callable[[str], object] | None = None
    ) -> str:
        """Enrol `learner` (did:key), named `name` if given (in the signed enrolment only, never on
        the chain: what a verifier of her extract reads her name from); the anchored enrolment names
        her new logbook's id. It is given to `keep` before its anchor (`resume_enrolment` finishes a
        run stopped in between)."""
        programme = self._own_programme(programme_token)
        if not learner.startswith("did:key:"):
            raise InputError("a learner is a person: give her did:key (from her wallet)")
        if name is not None and not name.strip():
            raise InputError("the learner's name must be a non-empty text of at most 200 characters")
        if name is not None:
            check_names_a_person(name.strip(), "the learner's name")
        token = self._sign("logbook-enrolment+jwt", {
            "sub": learner, "iat": self.registry.signing_time(), "logbook": f"urn:uuid:{uuid.uuid4()}",
            "programme": programme.ref, "programmeHash": sha256_hex(programme_token),
        } | ({"name": name.strip()} if name is not None else {}))  # fmt: skip
        with self.issuer.writing():
            self._kept_then_anchored(token, keep)
        return token

    def anchor_day(self, files: Sequence[EntryFile], where: Callable[[EntryFile], Path] | None = None) -> bytes:
        """Anchor countersigned entries (of any learners) as one Merkle root in one transaction; each
        file gets its anchor (root, proof, status entry) once the root is confirmed, and with `where`
        (where each anchored file goes) is written there. The root.

        A kill at any point loses and doubles nothing: the day is recorded (with every file it
        writes) before the journal row, and the provider's next `finish_days` completes it
        (ops/logbook/days.py); without `where` the caller keeps the files, and the record is not
        written."""
        from registry.ops.logbook import days

        return days.anchor(self.issuer, files, where)

    def finish_days(self) -> set[str]:
        """What killed runs of `anchor_day` left, finished (under the writer lock, after the journal
        reconciled: call inside `self.issuer.writing()`); the ids of entries no new anchor may take."""
        from registry.ops.logbook import days

        return days.finish(self.issuer)

    def revoke_entry(self, entry: EntryFile, reason: int) -> str | None:
        """Revoke one anchored entry; None when done, else how it was revoked already (nothing sent)."""
        if entry.anchor is None:
            raise InputError(f"entry {entry.id} was never anchored, so it has no status to revoke")
        from registry.ops.logbook.reports import Reads

        # Its status entry is in the lists of the provider that anchored its day root: another's bit
        # at that place would change nothing of the entry's, and could be one of its own credentials'.
        root = str(entry.anchor.get("root", ""))
        if (
            not re.fullmatch(r"0x[0-9a-f]{64}", root)
            or Reads(self.registry).anchored(self.identity.did, bytes.fromhex(root[2:])) is None
        ):
            raise InputError(f"entry {entry.id} was anchored by another provider, not {self.identity.name}: "
                             "only the provider that anchored it revokes it")  # fmt: skip
        already = self._revoke(int(entry.anchor["list"]), int(entry.anchor["index"]), reason)
        return None if already is None else already[1]


def status_of(payload: dict[str, Any]) -> tuple[int, int]:
    status = payload.get("vc", {}).get("credentialStatus") if isinstance(payload.get("vc"), dict) else None
    if not isinstance(status, dict) or not all(isinstance(status.get(k), int) for k in ("list", "index")):
        raise InputError("the authorisation carries no status entry")
    return int(status["list"]), int(status["index"])


def parsed_payload(token: str) -> dict[str, Any]:
    return jwt.parse(token).payload
