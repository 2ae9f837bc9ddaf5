"""What an issuer does: issue skills credentials, anchor them, change their status.

Every write runs under the issuer account's writer lock (one process at a time, from the status
allocation to the last confirmation) and in the journal's order: the journal row first (naming
the holder files it will anchor), then the files, then the transaction. A status change is
journaled whole (every (reason, list) transaction and the publications of the lists it changes)
before its first transaction is sent. See `registry/chain/txmanager.py`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.chain.client import Call
from registry.chain.txmanager import Files, TxManager, crash_point
from registry.config import Settings
from registry.contracts.credentials import PUBLISH
from registry.contracts.statusword import Purpose, list_id
from registry.errors import InputError, StateError
from registry.formats import credential as vcfmt
from registry.formats import jwt, ownschemas
from registry.keystore import Identity
from registry.ops.allocation import StatusAllocator
from registry.ops.cohorts import HOLDER_FILE_MODE, Cohort, why
from registry.ops.registry import Registry
from registry.ops.statusentries import own_status_entry, parse_status_entry, status_entries
from registry.ops.statuslists import status_list_url
from registry.ops.statusplan import StatusPlan, StatusTarget, plan_status_change

# Importable from here as before the split (status entry parsing and status-change planning
# have their own modules).
__all__ = [
    "Cohort",
    "Issued",
    "Issuer",
    "StatusOutcome",
    "StatusPlan",
    "StatusTarget",
    "own_status_entry",
    "parse_status_entry",
    "plan_status_change",
    "status_entries",
    "status_list_url",
]


# ebsi: EBSI's VCDM 1.1 JWT-VC; vcdm2: VCDM 2.0 vc+jwt (an Open Badge); europass: an ELM 3.2
# European Digital Credential over VCDM 2.0 (formats/europass/).
PROFILES = ("ebsi", "vcdm2", "europass")
# A signed credential at most this long: its file (with a cohort proof and the registry locator)
# stays within what every verifier reads: a JWT of at most jwt.MAX_TOKEN_BYTES.
MAX_TOKEN_CHARS = jwt.MAX_TOKEN_BYTES


@dataclass(frozen=True)
class Issued:
    holder_file: vcfmt.HolderFile
    credential_hash: bytes
    list_number: int
    index: int
    receipt: dict[str, Any] | None = None


class Issuer:
    def __init__(self, registry: Registry, identity: Identity, settings: Settings, profile: str = "ebsi") -> None:
        if profile not in PROFILES:
            raise InputError(
                "profile must be ebsi (VCDM 1.1 JWT), vcdm2 (VCDM 2.0 vc+jwt) or europass "
                "(an ELM European Digital Credential, VCDM 2.0 vc+jwt)"
            )
        self.profile = profile
        if identity.kind != "legal-entity":
            raise InputError(f"{identity.name} is a natural person and cannot issue credentials")
        self.registry = registry
        self.identity = identity
        self.settings = settings
        self._terms_of_use: str | None = None
        self._lists_published: set[int] = set()  # list numbers whose status lists are known published
        self._legal_name: str | None = None  # as the issuer's accreditation states it (europass)
        # The registry every holder file names (formats/locator.py), and the public service if set.
        found = registry.deployment.locator(settings.public_service)
        self.locator: dict[str, Any] | None = found.to_json() if found is not None else None
        # Every issuer write is journaled, and the status allocation lives in the journal.
        self.tx: TxManager = registry.attach_journal(settings)
        self.allocator = StatusAllocator(
            self.tx.journal, identity.account.address, settings.state_dir / identity.name, say=self.tx.say
        )

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this issuer's writer lock (other processes of this issuer wait), reconciling what
        earlier runs left behind the first time. Re-entrant."""
        with self.tx.writing(self.identity.account, self.identity.name, self.identity):
            yield

    def _draft(
        self,
        holder: str,
        achievement: vcfmt.Achievement,
        number: int,
        index: int,
        valid_from: int,
        valid_until: int | None,
        extra_types: tuple[str, ...] = (),
        schema: str | None = None,
        subject_extra: Mapping[str, Any] | None = None,
    ) -> vcfmt.CredentialDraft:
        account = self.identity.account.address
        status = tuple(
            vcfmt.StatusEntry(
                purpose.label,
                status_list_url(self.settings.public_url, self.identity.did, account, purpose, number),
                index,
            )
            for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION)
        )
        # Every credential names the schema it passes, served by our trusted schemas registry.
        if self.profile == "europass":
            from registry.formats.europass.schema import europass_schema_url

            schema_url = europass_schema_url(self.settings.public_url)
        else:
            schema = schema or (ownschemas.SKILLS_VC2 if self.profile == "vcdm2" else ownschemas.SKILLS)
            schema_url = ownschemas.schema_url(self.settings.public_url, schema)
        return vcfmt.CredentialDraft(
            issuer=self.identity.did,
            holder=holder,
            achievement=achievement,
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
            schema_url=schema_url,
            terms_of_use=self.terms_of_use,
            extra_types=extra_types,
            subject_extra=subject_extra,
        )

    def publish_new_lists(self, number: int) -> None:
        """Publish list `number`'s two status lists (revocation, suspension) if they never were, right
        after the first credential naming them is anchored: an ecosystem verifier fetching a
        credential's status list then does not get a 404, revoked or not. After the anchor, not
        before: the holder's file and its anchor come first, so a kill loses no credential; a kill
        between the anchor and this leaves the lists to the issuer's next command (each command
        checks once). Journaled like every write; call under the writer lock."""
        if number in self._lists_published:
            return
        account = self.identity.account.address
        contract = self.registry.credentials
        ids = [list_id(purpose, number) for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION)]
        found = self.registry.client.call_many([contract.status_list_publication(account, lid) for lid in ids])
        unpublished = [lid for lid, result in zip(ids, found, strict=True) if not int(result[0])]
        items: list[tuple[Call, str | None]] = [(contract.publish_status_list(lid), PUBLISH) for lid in unpublished]
        if items:
            self.tx.drive(self.identity.account, self.tx.record(self.identity.account, items), self.identity)
        self._lists_published.add(number)

    @property
    def legal_name(self) -> str | None:
        """The issuer's name as its accreditation states it, once `check_can_issue` has read it."""
        return self._legal_name

    @property
    def terms_of_use(self) -> str | None:
        """The issuer's accreditation (its first TI attribute in the TIR), as EBSI's termsOfUse."""
        if self._terms_of_use is None:
            from registry.formats.accreditation import attribute_url
            from registry.ops.trust import Trust

            ids = Trust(self.registry, self.settings.public_url).attribute_ids(self.identity.did)
            self._terms_of_use = attribute_url(self.settings.public_url, self.identity.did, ids[0]) if ids else ""
        return self._terms_of_use or None

    def check_signing_key(self, valid_until: int | None) -> int:
        """The signing time now, once the credential would not be born expired and the issuer's DID is
        registered with this identity's key as a current assertion key; else an InputError saying which."""
        from registry.ops.registry import Rel

        now = self.registry.signing_time()
        did = self.identity.did
        if valid_until is not None and valid_until <= now:
            raise InputError(f"the expiry {vcfmt.iso(valid_until)} is not in the future: it would be born expired")
        state = self.registry.resolve(did)
        if not state.registered:
            raise InputError(
                f"{did} is not registered in the DID registry: run `registry did register {self.identity.name}` first"
            )
        method = state.method_by_thumbprint(self.identity.kid.partition("#")[2])
        if method is not None and method.has(Rel.ASSERTION_METHOD) and method.not_after <= now:
            # (a key ended in the second it was added has an empty window: not_after == not_before)
            raise InputError(
                f"{self.identity.name}'s signing key ended at {vcfmt.iso(method.not_after)} (`registry did rotate-key` "
                "replaced it, maybe while this command waited): nothing was signed; run the command again, which "
                "signs with the key the rotation saved (a rotation that was stopped: run `did rotate-key` again)"
            )
        if method is None or not method.has(Rel.ASSERTION_METHOD) or not method.valid_at(now):
            raise InputError(f"{self.identity.name}'s signing key is not a current assertion key of {did}")
        return now

    def check_can_issue(
        self, holder: str, achievement: vcfmt.Achievement, *, valid_until: int | None, extra_types: tuple[str, ...]
    ) -> None:
        """Refuse, before anything is signed or anchored, a credential that could never verify:
        expired at birth, signed with a key the issuer's DID document does not hold (or a DID
        that is not registered), or of a type the issuer is not accredited for now."""
        from registry.ops.trust import Need, Trust, evaluate

        now = self.check_signing_key(valid_until)
        did = self.identity.did
        vc = self.build(self._draft(holder, achievement, 0, 0, now, valid_until, extra_types), now)
        kinds = vc.get("type")
        need = Need(types=tuple(kinds) if isinstance(kinds, list) else (), schema_id=vcfmt.schema_id(vc))
        chain = Trust(self.registry, self.settings.public_url).fetch([did])[did]
        report = evaluate(chain, now, None, need)
        if not report.ok:
            raise InputError(f"{self.identity.name} may not issue this credential now: {report.summary}")
        if report.path and isinstance(name := report.path[0].evidence.get("name"), str):
            self._legal_name = name

    def build(self, draft: vcfmt.CredentialDraft, issued_at: int) -> dict[str, Any]:
        """The credential of this issuer's profile, unsigned."""
        if self.profile == "vcdm2":
            from registry.formats.vcdm2 import build_vc2

            return build_vc2(draft, issued_at)
        if self.profile == "europass":
            from registry.formats.europass import build_edc

            return build_edc(draft, issued_at, self._legal_name)
        return vcfmt.build_vc(draft, issued_at)

    def sign(self, draft: vcfmt.CredentialDraft, issued_at: int) -> str:
        """The signed credential; refused before anything is anchored or written when its file would
        be larger than a verifier reads (vcfmt.MAX_FILE_BYTES, room left for its proof and locator)."""
        if self.profile in ("vcdm2", "europass"):
            from registry.formats.vcdm2 import sign_vc2, skills_context_loader

            vc = self.build(draft, issued_at)
            token = sign_vc2(vc, self.identity.signing_key, self.identity.kid, loader=skills_context_loader)
        else:
            token = vcfmt.sign_vc(vcfmt.build_vc(draft, issued_at), self.identity.signing_key, self.identity.kid)
        if len(token) > MAX_TOKEN_CHARS:
            raise InputError(
                f"a credential for {draft.holder[:60]} would be {len(token) // 1024} KiB, more than a verifier reads "
                f"in a credential file ({vcfmt.MAX_FILE_BYTES // 1024} KiB): shorten its texts or give fewer skills; "
                "nothing was anchored"
            )
        return token

    def issue_cohort(
        self,
        entries: Sequence[tuple[str, vcfmt.Achievement]],
        *,
        valid_until: int | None = None,
        extra_types: tuple[str, ...] = (),
        progress: Callable[[int], None] | None = None,
        out_dir: Path | None = None,
        file_names: Sequence[str] | None = None,
    ) -> Cohort:
        """Sign one credential per (holder, achievement) and anchor them all with one Merkle root
        (ops/cohorts.py)."""
        from registry.ops.cohorts import issue_cohort

        return issue_cohort(
            self, entries, valid_until=valid_until, extra_types=extra_types, progress=progress,
            out_dir=out_dir, file_names=file_names,
        )  # fmt: skip

    def issue_single(
        self,
        holder: str,
        achievement: vcfmt.Achievement,
        *,
        valid_until: int | None = None,
        extra_types: tuple[str, ...] = (),
        issued_at: int | None = None,
        out: Path | None = None,
        schema: str | None = None,
        subject_extra: Mapping[str, Any] | None = None,
        companions: Sequence[tuple[Path, Any]] = (),
    ) -> Issued:
        """Sign one credential and anchor its hash in its own transaction.

        With `out`, the journal row naming the file is written first, then the file, then the
        anchor is sent: a kill at any point leaves either nothing, or a file whose anchor the
        journal sends later, or a row the next command marks abandoned (no file was completed).
        `companions` ((path, JSON) pairs, new paths: an RPL credential's evidence manifest) are named
        by the same row and written after the holder file, owner-only; the anchor waits for them all.
        """
        with self.writing():
            batch = str(uuid.uuid4())
            # Checked again under the lock: a rotation may have ended the key while this one waited.
            now = issued_at if issued_at is not None else self.check_signing_key(valid_until)
            number, index = self.allocator.allocate_single(batch)
            crash_point("after-allocation")
            draft = self._draft(holder, achievement, number, index, now, valid_until, extra_types, schema,
                                subject_extra)  # fmt: skip
            token = self.sign(draft, now)
            value = vcfmt.credential_hash(token)
            holder_file = vcfmt.HolderFile(token, registry=self.locator)
            call = self.registry.credentials.anchor(value)
            files = Files((str(out), *(str(path) for path, _ in companions))) if out is not None else None
            (op_id,) = self.tx.record(self.identity.account, [(call, None)], batch=batch, files=files)
            crash_point("after-row")
            if out is not None:
                self._write_files(op_id, out, holder_file, companions)
            receipt = self.tx.drive(self.identity.account, [op_id], self.identity)[0]
            self.publish_new_lists(number)
        return Issued(holder_file, value, number, index, receipt)

    def _write_files(
        self, op_id: str, out: Path, holder_file: vcfmt.HolderFile, companions: Sequence[tuple[Path, Any]]
    ) -> None:
        """The holder file, then its companions, each whole; on a failure the row is abandoned and
        what was written removed (nothing half-written)."""
        from registry import durable as files_io

        written: list[Path] = []
        try:
            for path, data in ((out, holder_file.to_json()), *companions):
                if written:  # between two files
                    crash_point("during-files")
                files_io.write_json_atomic(path, data, mode=HOLDER_FILE_MODE)
                written.append(path)
        except BaseException as exc:
            self.tx.abandon(op_id, f"the holder file{'s' if companions else ''} could not be written ({why(exc)})")
            with contextlib.suppress(OSError):  # the row is abandoned: no holder file of it may come back
                files_io.remove_durably(*written)
            if isinstance(exc, OSError):
                raise StateError(
                    f"cannot write {out}: {exc.strerror or exc}; nothing was anchored and no file was left"
                    f"{files_io.advice(exc)}"
                ) from exc
            raise
        self.tx.files_written(op_id)
        crash_point("after-files")

    def change_status(
        self, tokens: Sequence[str], purpose: Purpose, *, set_: bool, reason: int, publish: bool = False
    ) -> list[dict[str, Any]]:
        """Revoke, suspend or reinstate credentials this issuer issued: one transaction per list.

        With `publish`, each changed list's status-list credential is then re-signed and published
        (one more transaction per list) so ecosystem verifiers reading it see the change.
        """
        outcome = self.apply_status_changes({reason: list(tokens)}, purpose, set_=set_, publish=publish)
        if reason in outcome.failures:
            raise outcome.failures[reason]
        return outcome.receipts[reason]

    def apply_status_changes(
        self, changes: dict[int, list[str]], purpose: Purpose, *, set_: bool, publish: bool = False
    ) -> StatusOutcome:
        """Every (reason, list) change of one command, and the publications of the lists they
        touch, journaled in one SQLite transaction before the first is sent; then sent in order.
        Returns each reason's receipts, or the refusal of its transaction (the others still went)."""
        plan: list[tuple[int, Call]] = []
        touched: set[int] = set()
        for reason in sorted(changes):
            by_list: dict[int, list[int]] = {}
            for token in changes[reason]:
                number, index = own_status_entry(token, self.identity.did, self.identity.account.address, purpose)
                by_list.setdefault(number, []).append(index)
            for number, indexes in sorted(by_list.items()):
                if len(indexes) == 1 and set_:
                    call = self.registry.credentials.set_status(purpose, number, indexes[0], reason)
                else:
                    call = self.registry.credentials.update_entries(purpose, number, indexes, set_, reason)
                plan.append((reason, call))
                touched.add(number)
        items: list[tuple[Call, str | None]] = [(call, None) for _, call in plan]
        if publish:
            for number in sorted(touched):
                items.append((self.registry.credentials.publish_status_list(list_id(purpose, number)), PUBLISH))
        with self.writing():
            op_ids = self.tx.record(self.identity.account, items)
            outcomes = self.tx.drive_each(self.identity.account, op_ids, self.identity)
        result = StatusOutcome({reason: [] for reason in changes}, {})
        for (reason, _), outcome in zip(plan, outcomes, strict=False):
            if isinstance(outcome, Exception):
                result.failures.setdefault(reason, outcome)
            else:
                result.receipts[reason].append(outcome)
        for outcome in outcomes[len(plan) :]:  # a publication refused: the changes themselves stand
            if isinstance(outcome, Exception):
                result.publication_failure = outcome
        return result


@dataclass
class StatusOutcome:
    """What `apply_status_changes` did: each reason's receipts, or why its change was refused."""

    receipts: dict[int, list[dict[str, Any]]]
    failures: dict[int, Exception]
    publication_failure: Exception | None = None
