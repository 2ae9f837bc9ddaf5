"""What an issuer does: issue skills credentials, anchor them, change their status.

Every write runs under the issuer account's writer lock (one process at a time, from the status
allocation to the last confirmation) and in the journal's order: the journal row first (naming
the holder files it will anchor), then the files, then the transaction. A status change is
journaled whole (every (reason, list) transaction and the publications of the lists it changes)
before its first transaction is sent. See `registry/chain/txmanager.py`.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from registry.chain.client import Call
from registry.chain.txmanager import Files, TxManager, crash_point
from registry.config import Settings
from registry.contracts.credentials import PUBLISH, StatusEvent
from registry.contracts.statusword import Purpose, bit_of, first_entry, list_id, split_list_id, word_of
from registry.errors import InputError, StateError
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.merkle import StandardMerkleTree
from registry.keystore import Identity
from registry.ops.allocation import StatusAllocator
from registry.ops.registry import REASONS, Registry
from registry.ops.statuslists import status_list_url

# ASCII digits only (str.isdigit also accepts '²' and other scripts' digits), and short enough
# that int() is cheap.
_DIGITS = re.compile(r"[0-9]{1,12}")
_ACCOUNT = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True)
class Issued:
    holder_file: vcfmt.HolderFile
    credential_hash: bytes
    list_number: int
    index: int
    receipt: dict[str, Any] | None = None


@dataclass(frozen=True)
class Cohort:
    holder_files: list[vcfmt.HolderFile]
    hashes: list[bytes]
    root: bytes
    receipt: dict[str, Any]
    list_number: int
    indexes: list[int]


class Issuer:
    def __init__(self, registry: Registry, identity: Identity, settings: Settings, profile: str = "ebsi") -> None:
        if profile not in ("ebsi", "vcdm2"):
            raise InputError("profile must be ebsi (VCDM 1.1 JWT) or vcdm2 (VCDM 2.0 vc+jwt)")
        self.profile = profile
        if identity.kind != "legal-entity":
            raise InputError(f"{identity.name} is a natural person and cannot issue credentials")
        self.registry = registry
        self.identity = identity
        self.settings = settings
        self._terms_of_use: str | None = None
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
        return vcfmt.CredentialDraft(
            issuer=self.identity.did,
            holder=holder,
            achievement=achievement,
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
            terms_of_use=self.terms_of_use,
            extra_types=extra_types,
        )

    @property
    def terms_of_use(self) -> str | None:
        """The issuer's accreditation (its first TI attribute in the TIR), as EBSI's termsOfUse."""
        if self._terms_of_use is None:
            from registry.formats.accreditation import attribute_url
            from registry.ops.trust import Trust

            ids = Trust(self.registry, self.settings.public_url).attribute_ids(self.identity.did)
            self._terms_of_use = attribute_url(self.settings.public_url, self.identity.did, ids[0]) if ids else ""
        return self._terms_of_use or None

    def check_can_issue(
        self, holder: str, achievement: vcfmt.Achievement, *, valid_until: int | None, extra_types: tuple[str, ...]
    ) -> None:
        """Refuse, before anything is signed or anchored, a credential that could never verify:
        expired at birth, signed with a key the issuer's DID document does not hold (or a DID
        that is not registered), or of a type the issuer is not accredited for now."""
        from registry.ops.registry import Rel
        from registry.ops.trust import Need, Trust, evaluate

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
        if method is None or not method.has(Rel.ASSERTION_METHOD) or not method.valid_at(now):
            raise InputError(f"{self.identity.name}'s signing key is not a current assertion key of {did}")
        draft = self._draft(holder, achievement, 0, 0, now, valid_until, extra_types)
        if self.profile == "vcdm2":
            from registry.formats.vcdm2 import build_vc2

            vc = build_vc2(draft, now)
        else:
            vc = vcfmt.build_vc(draft, now)
        kinds = vc.get("type")
        need = Need(types=tuple(kinds) if isinstance(kinds, list) else (), schema_id=vcfmt.schema_id(vc))
        chain = Trust(self.registry, self.settings.public_url).fetch([did])[did]
        report = evaluate(chain, now, None, need)
        if not report.ok:
            raise InputError(f"{self.identity.name} may not issue this credential now: {report.summary}")

    def sign(self, draft: vcfmt.CredentialDraft, issued_at: int) -> str:
        if self.profile == "vcdm2":
            from registry.formats.vcdm2 import build_vc2, sign_vc2, skills_context_loader

            return sign_vc2(
                build_vc2(draft, issued_at), self.identity.signing_key, self.identity.kid, loader=skills_context_loader
            )
        vc = vcfmt.build_vc(draft, issued_at)
        return vcfmt.sign_vc(vc, self.identity.signing_key, self.identity.kid)

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
        """Sign one credential per (holder, achievement) and anchor them all with one Merkle root.

        Each holder file carries its credential and its proof to the root (OpenZeppelin
        StandardMerkleTree, leaf encoding bytes32), which is all a verifier needs. With `out_dir`,
        the files (named `file_names`) are written into a hidden staging directory named in the
        journal row, renamed into place whole, and only then is the root sent.
        """
        if not entries:
            raise InputError("the roster is empty")
        with self.writing():
            batch = str(uuid.uuid4())
            now = self.registry.signing_time()
            number, indexes = self.allocator.allocate_cohort(len(entries), batch)
            crash_point("after-allocation")
            tokens: list[str] = []
            for (holder, achievement), index in zip(entries, indexes, strict=True):
                tokens.append(
                    self.sign(self._draft(holder, achievement, number, index, now, valid_until, extra_types), now)
                )
                if progress is not None:
                    progress(1)
            hashes = [vcfmt.credential_hash(t) for t in tokens]
            tree = StandardMerkleTree.of([[h] for h in hashes], ["bytes32"])
            root = bytes.fromhex(tree.root[2:])
            holder_files = [
                vcfmt.HolderFile(
                    token,
                    vcfmt.CohortProof(
                        root=root, proof=tuple(bytes.fromhex(p[2:]) for p in tree.get_proof(i)), size=len(tokens)
                    ),
                )
                for i, token in enumerate(tokens)
            ]
            call = self.registry.credentials.anchor_cohort(root, len(tokens))
            files = None
            if out_dir is not None:
                names = list(file_names or [f"{n:04d}.json" for n in range(1, len(tokens) + 1)])
                staging = out_dir.parent / f".{out_dir.name}.partial-{batch[:8]}"
                files = Files(
                    tuple(str(out_dir / name) for name in names), str(out_dir), str(staging),
                    created_directory=not out_dir.exists(),
                )  # fmt: skip
            (op_id,) = self.tx.record(self.identity.account, [(call, None)], batch=batch, files=files)
            crash_point("after-row")
            if out_dir is not None and files is not None:
                self._write_cohort(op_id, out_dir, Path(str(files.staging)), list(files.paths), holder_files)
            receipt = self.tx.drive(self.identity.account, [op_id], self.identity)[0]
        assert receipt is not None
        return Cohort(holder_files, hashes, root, receipt, number, indexes)

    def _write_cohort(
        self, op_id: str, out_dir: Path, staging: Path, paths: list[str], holder_files: list[vcfmt.HolderFile]
    ) -> None:
        """Into the staging directory the row names, then renamed into place whole: a kill while
        hundreds of files are written leaves no half-filled --out-dir, and the next command of this
        issuer removes the staging directory and marks the row abandoned."""
        from registry.chain import deployment as files_io  # looked up at call time (the tests wrap it)

        try:
            staging.mkdir(mode=0o700)
            for n, (path, holder_file) in enumerate(zip(paths, holder_files, strict=True)):
                files_io.write_json_atomic(staging / Path(path).name, holder_file.to_json())
                if n == 0:
                    crash_point("during-files")
            if out_dir.exists():
                out_dir.rmdir()  # checked empty by the caller
            staging.rename(out_dir)
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            self.tx.abandon(op_id, f"the holder files could not be written ({_why(exc)})")
            if isinstance(exc, OSError):
                raise StateError(
                    f"cannot write the holder files into {out_dir}: {exc.strerror or exc}; nothing was anchored and "
                    "no file was left"
                ) from exc
            raise
        self.tx.files_written(op_id)
        crash_point("after-files")

    def issue_single(
        self,
        holder: str,
        achievement: vcfmt.Achievement,
        *,
        valid_until: int | None = None,
        extra_types: tuple[str, ...] = (),
        issued_at: int | None = None,
        out: Path | None = None,
    ) -> Issued:
        """Sign one credential and anchor its hash in its own transaction.

        With `out`, the journal row naming the file is written first, then the file, then the
        anchor is sent: a kill at any point leaves either nothing, or a file whose anchor the
        journal sends later, or a row the next command marks abandoned (no file was completed).
        """
        with self.writing():
            batch = str(uuid.uuid4())
            now = issued_at if issued_at is not None else self.registry.signing_time()
            number, index = self.allocator.allocate_single(batch)
            crash_point("after-allocation")
            token = self.sign(self._draft(holder, achievement, number, index, now, valid_until, extra_types), now)
            value = vcfmt.credential_hash(token)
            holder_file = vcfmt.HolderFile(token)
            call = self.registry.credentials.anchor(value)
            files = Files((str(out),)) if out is not None else None
            (op_id,) = self.tx.record(self.identity.account, [(call, None)], batch=batch, files=files)
            crash_point("after-row")
            if out is not None:
                from registry.chain import deployment as files_io

                try:
                    files_io.write_json_atomic(out, holder_file.to_json())
                except BaseException as exc:
                    self.tx.abandon(op_id, f"the holder file could not be written ({_why(exc)})")
                    if isinstance(exc, OSError):
                        raise StateError(
                            f"cannot write {out}: {exc.strerror or exc}; nothing was anchored and no file was left"
                        ) from exc
                    raise
                self.tx.files_written(op_id)
                crash_point("after-files")
            receipt = self.tx.drive(self.identity.account, [op_id], self.identity)[0]
        return Issued(holder_file, value, number, index, receipt)

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


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__


@dataclass(frozen=True)
class StatusTarget:
    """One credential named for a status change: where it came from, its JWT, the reason code."""

    source: str
    token: str
    reason: int


@dataclass
class StatusPlan:
    """What a status change will do, decided before anything is sent.

    `changes` groups, by reason code, the credentials whose bit will change (one transaction per
    reason and list); `unchanged` holds the ones already in the state asked for, with why.
    """

    changes: dict[int, list[StatusTarget]]
    unchanged: list[tuple[StatusTarget, str]]


def plan_status_change(
    registry: Registry, identity: Identity, targets: Sequence[StatusTarget], purpose: Purpose, *, set_: bool
) -> StatusPlan:
    """Check every credential before any transaction is sent, so a batch never stops half-done.

    Every credential must be this issuer's (an error names the first that is not). Its current
    state is read from the chain (one call for all): a credential already in the state asked for
    is left alone, so a second revocation cannot overwrite the first one's reason and time; a
    revoked credential is never suspended or reinstated (revocation is final), and asking to
    reinstate one is refused. The same credential named twice counts once, and twice with two
    reasons is refused.
    """
    account = identity.account.address
    seen: dict[tuple[int, int], StatusTarget] = {}
    slots: list[tuple[StatusTarget, tuple[int, int], tuple[int, int] | None]] = []
    for target in targets:
        try:
            own = own_status_entry(target.token, identity.did, account, purpose)
            revocation = (
                own_status_entry(target.token, identity.did, account, Purpose.REVOCATION)
                if purpose is Purpose.SUSPENSION
                else None
            )
        except InputError as exc:
            raise InputError(f"{target.source}: {exc}") from exc
        earlier = seen.get(own)
        if earlier is not None:
            if earlier.reason != target.reason:
                raise InputError(f"{target.source} is named twice, with reasons {earlier.reason} and {target.reason}")
            continue
        seen[own] = target
        slots.append((target, own, revocation))
    words = _current_words(registry, account, purpose, slots)
    plan = StatusPlan({}, [])
    histories: dict[Any, list[StatusEvent]] = {}
    for target, own, revocation in slots:
        revoked = revocation is not None and words[(Purpose.REVOCATION, *revocation)]
        current = words[(purpose, *own)]
        if revoked and not set_:
            raise InputError(f"{target.source} is revoked, and revocation is final: it cannot be reinstated")
        if revoked:
            assert revocation is not None
            change = _by_change(registry, account, Purpose.REVOCATION, revocation, histories)
            plan.unchanged.append((target, _state(Purpose.REVOCATION, True) + change))
        elif current == set_:
            change = _by_change(registry, account, purpose, own, histories)
            plan.unchanged.append((target, _state(purpose, set_) + change))
        else:
            plan.changes.setdefault(target.reason, []).append(target)
    return plan


def _by_change(
    registry: Registry, account: str, purpose: Purpose, entry: tuple[int, int], histories: dict[Any, list[StatusEvent]]
) -> str:
    """Which change put an entry in its state, read from its StatusWordChanged events: the
    transaction, block, reason and time of the change that counts (a losing racer's own reason was
    not recorded, and it must say whose was)."""
    found = registry.entry_change(account, purpose, entry[0], entry[1], histories)
    if found is None:
        return ""
    event, when = found
    verb = "by" if event.set else "since its reinstatement by"
    return (
        f" {verb} transaction {event.tx_hash} in block {event.block} "
        f"(reason: {REASONS.get(event.reason, f'code {event.reason}')}, {vcfmt.iso(when)})"
    )


def _state(purpose: Purpose, set_: bool) -> str:
    """How a credential already in the state asked for is described ("<file> is ...")."""
    if purpose is Purpose.REVOCATION:
        return "already revoked"
    return "already suspended" if set_ else "not suspended"


def _current_words(
    registry: Registry,
    account: str,
    purpose: Purpose,
    slots: Sequence[tuple[StatusTarget, tuple[int, int], tuple[int, int] | None]],
) -> dict[tuple[Purpose, int, int], bool]:
    """Each (purpose, list, index) named in `slots`: is its bit set now? One view call for all words."""
    wanted = {(purpose, *own) for _, own, _ in slots}
    wanted |= {(Purpose.REVOCATION, *rev) for _, _, rev in slots if rev is not None}
    keys = sorted({(p, number, word_of(index)) for p, number, index in wanted})
    if not keys:
        return {}
    call = registry.credentials.status_words_for([(account, p, number, first_entry(word)) for p, number, word in keys])
    (values,) = registry.client.call(call)
    value_of = {key: int(value) for key, value in zip(keys, values, strict=True)}
    return {(p, number, index): bit_of(value_of[(p, number, word_of(index))], index) for p, number, index in wanted}


def status_entries(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The status entries of a JWT payload: in `vc` (VCDM 1.1 JWT) or the payload itself (vc+jwt)."""
    vc = payload.get("vc")
    if not isinstance(vc, dict):
        vc = payload
    status = vc.get("credentialStatus")
    if isinstance(status, dict):
        return [status]
    if isinstance(status, list):
        return [s for s in status if isinstance(s, dict)]
    return []


def parse_status_entry(entry: dict[str, Any]) -> tuple[str, str, Purpose, int, int]:
    """(issuer DID, account, purpose, list number, index) from a StatusList2021Entry."""
    url = entry.get("statusListCredential")
    index_text = entry.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index_text, str) or not _DIGITS.fullmatch(index_text):
        raise InputError("credentialStatus lacks statusListCredential or a numeric statusListIndex")
    did, account, purpose, number = _status_list_url(url) if len(url) <= 1024 else _status_list_url.__wrapped__(url)
    if purpose.label != entry.get("statusPurpose"):
        raise InputError("statusPurpose does not match the status list")
    index = int(index_text)
    if index >= 131_072:
        raise InputError(f"status index {index} is beyond the end of the list")
    return did, account, purpose, number, index


@lru_cache(maxsize=1024)
def _status_list_url(url: str) -> tuple[str, str, Purpose, int]:
    """(issuer DID, account, purpose, list number) from a status list URL. Cached: a cohort's
    credentials all name the same two lists."""
    marker = "/trusted-issuers-registry/v5/issuers/"
    _, found, rest = url.partition(marker)
    parts = rest.split("/")
    if not found or len(parts) != 6 or parts[1] != "proxies" or parts[3:5] != ["credentials", "status"]:
        raise InputError(f"unrecognised status list URL {url[:120]!r}")
    did, account, lid = parts[0], parts[2], parts[5]
    if not _ACCOUNT.fullmatch(account) or not _DIGITS.fullmatch(lid):
        raise InputError(f"unrecognised status list URL {url[:120]!r}")
    purpose, number = split_list_id(int(lid))
    return did, account, purpose, number


def own_status_entry(token: str, did: str, account: str, purpose: Purpose) -> tuple[int, int]:
    payload = jwt.parse(token).payload
    for entry in status_entries(payload):
        entry_did, entry_account, entry_purpose, number, index = parse_status_entry(entry)
        if entry_purpose is purpose:
            if entry_did != did or entry_account.lower() != account.lower():
                raise InputError(f"this credential's {purpose.label} list belongs to another issuer")
            return number, index
    raise InputError(f"the credential has no {purpose.label} status entry")
