"""What an issuer does: issue skills credentials, anchor them, change their status."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from registry.config import Settings
from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.merkle import StandardMerkleTree
from registry.keystore import Identity
from registry.ops.allocation import StatusAllocator
from registry.ops.registry import Purpose, Registry, list_id, split_list_id

# ASCII digits only (str.isdigit also accepts '²' and other scripts' digits), and short enough
# that int() is cheap.
_DIGITS = re.compile(r"[0-9]{1,12}")
_ACCOUNT = re.compile(r"0x[0-9a-fA-F]{40}")


def status_list_url(public_url: str, did: str, account: str, purpose: Purpose, number: int) -> str:
    """EBSI's status-list path under the TIR; the proxy id is the account that writes the list."""
    return (
        f"{public_url.rstrip('/')}/trusted-issuers-registry/v5/issuers/{did}/proxies/"
        f"{account.lower()}/credentials/status/{list_id(purpose, number)}"
    )


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
        self.allocator = StatusAllocator(settings.state_dir / identity.name / "status-allocation.json")

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
        before_anchor: Callable[[list[vcfmt.HolderFile]], None] | None = None,
    ) -> Cohort:
        """Sign one credential per (holder, achievement) and anchor them all with one Merkle root.

        Each holder file carries its credential and its proof to the root (OpenZeppelin
        StandardMerkleTree, leaf encoding bytes32), which is all a verifier needs.
        """
        if not entries:
            raise InputError("the roster is empty")
        now = self.registry.signing_time()
        number, indexes = self.allocator.allocate_cohort(len(entries))
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
        files = [
            vcfmt.HolderFile(
                token,
                vcfmt.CohortProof(
                    root=root, proof=tuple(bytes.fromhex(p[2:]) for p in tree.get_proof(i)), size=len(tokens)
                ),
            )
            for i, token in enumerate(tokens)
        ]
        if before_anchor is not None:
            before_anchor(files)
        receipt = self.registry.anchor_cohort(self.identity, root, len(tokens))
        return Cohort(files, hashes, root, receipt, number, indexes)

    def issue_single(
        self,
        holder: str,
        achievement: vcfmt.Achievement,
        *,
        valid_until: int | None = None,
        extra_types: tuple[str, ...] = (),
        issued_at: int | None = None,
        before_anchor: Callable[[vcfmt.HolderFile], None] | None = None,
    ) -> Issued:
        """Sign one credential and anchor its hash in its own transaction.

        `before_anchor` receives the holder file once it is signed and before anything is sent,
        so the file exists whatever happens to the anchoring (the journal completes it later).
        """
        now = issued_at if issued_at is not None else self.registry.signing_time()
        number, index = self.allocator.allocate_single()
        token = self.sign(self._draft(holder, achievement, number, index, now, valid_until, extra_types), now)
        value = vcfmt.credential_hash(token)
        holder_file = vcfmt.HolderFile(token)
        if before_anchor is not None:
            before_anchor(holder_file)
        receipt = self.registry.anchor(self.identity, value)
        return Issued(holder_file, value, number, index, receipt)

    def change_status(
        self, tokens: Sequence[str], purpose: Purpose, *, set_: bool, reason: int, publish: bool = False
    ) -> list[dict[str, Any]]:
        """Revoke, suspend or reinstate credentials this issuer issued: one transaction per list.

        With `publish`, each changed list's status-list credential is then re-signed and published
        (one more transaction per list) so ecosystem verifiers reading it see the change.
        """
        by_list: dict[int, list[int]] = {}
        for token in tokens:
            number, index = own_status_entry(token, self.identity.did, self.identity.account.address, purpose)
            by_list.setdefault(number, []).append(index)
        receipts = []
        for number, indexes in sorted(by_list.items()):
            if len(indexes) == 1 and set_:
                receipts.append(self.registry.set_status(self.identity, purpose, number, indexes[0], reason))
            else:
                receipts.append(self.registry.update_status(self.identity, purpose, number, indexes, set_, reason))
        if publish:
            from registry.ops.statuslists import StatusLists

            lists = StatusLists(self.registry, self.settings.public_url)
            for number in sorted(by_list):
                lists.publish(self.identity, purpose, number)
        return receipts


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
