"""Reading a credential's status entries: which issuer, account, list and index each names.

Parsing only (no chain): used by issuance (whose own entry is being changed), status-change
planning and the verifier. A status list URL is the service's TIR proxy path
(`/trusted-issuers-registry/v5/issuers/<did>/proxies/<account>/credentials/status/<list id>`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from registry.contracts.statusword import Purpose, split_list_id
from registry.errors import InputError
from registry.formats import jwt
from registry.formats.vcdm2.skills import PAIRED_SUSPENSION

# ASCII digits only (str.isdigit also accepts '²' and other scripts' digits), and short enough
# that int() is cheap.
_DIGITS = re.compile(r"[0-9]{1,12}")
_ACCOUNT = re.compile(r"0x[0-9a-fA-F]{40}")


def status_entries(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The status entries of a JWT payload: in `vc` (VCDM 1.1 JWT) or the payload itself (vc+jwt);
    a paired entry (one object for both purposes, `PAIRED_SUSPENSION`) as its two entries."""
    vc = payload.get("vc")
    if not isinstance(vc, dict):
        vc = payload
    status = vc.get("credentialStatus")
    if isinstance(status, dict):
        return [status] if PAIRED_SUSPENSION not in status else [status, suspension_twin(status)]
    if isinstance(status, list):
        entries = [s for s in status if isinstance(s, dict)]
        return [
            e
            for entry in entries
            for e in ((entry, suspension_twin(entry)) if PAIRED_SUSPENSION in entry else (entry,))
        ]
    return []


def suspension_twin(entry: dict[str, Any]) -> dict[str, Any]:
    """The suspension entry a paired revocation entry names (`PAIRED_SUSPENSION`): the same index in
    the list that URL gives. `parse_status_entry` then checks it is a suspension list; and
    `parse_status_entries`, that it is the twin of the revocation list (same issuer, account, number)."""
    if entry.get("statusPurpose") != "revocation":
        raise InputError(f"{PAIRED_SUSPENSION} belongs on a revocation entry")
    return {"type": entry.get("type"), "statusPurpose": "suspension", "statusListIndex": entry.get("statusListIndex"),
            "statusListCredential": entry.get(PAIRED_SUSPENSION)}  # fmt: skip


StatusRef = tuple[str, str, Purpose, int, int]


def parse_status_entries(status: Any) -> list[StatusRef]:
    """Every (issuer DID, account, purpose, list number, index) a credential's `credentialStatus`
    names (one object or a list; a paired entry gives two)."""
    entries = status if isinstance(status, list) else [status] if isinstance(status, dict) else ()
    refs: list[StatusRef] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        ref = parse_status_entry(entry)
        refs.append(ref)
        if PAIRED_SUSPENSION in entry:
            twin = parse_status_entry(suspension_twin(entry))
            if twin[:2] != ref[:2] or twin[3] != ref[3]:
                raise InputError(f"{PAIRED_SUSPENSION} is not the suspension list of the same issuer and list number")
            refs.append(twin)
    return refs


_LABELS = {purpose: purpose.label for purpose in Purpose}  # read twice per credential verified


# ELM's credentialStatus (a europass credential's) has only `id` and `type`: the id is the status
# list URL, `#`, the index; the list URL says which purpose the list serves.
ELM_STATUS_TYPE = "CredentialStatus"


def parse_status_entry(entry: dict[str, Any]) -> tuple[str, str, Purpose, int, int]:
    """(issuer DID, account, purpose, list number, index) from a StatusList2021Entry, a
    BitstringStatusListEntry or an ELM CredentialStatus."""
    elm = entry.get("type") == ELM_STATUS_TYPE and "statusListCredential" not in entry
    url: Any = entry.get("statusListCredential")
    index_text: Any = entry.get("statusListIndex")
    if elm:
        url, _, index_text = str(entry.get("id", "")).rpartition("#")
    if not isinstance(url, str) or not _is_number(index_text):
        if elm:
            raise InputError("credentialStatus id is not a status list URL followed by #<index>")
        raise InputError("credentialStatus lacks statusListCredential or a numeric statusListIndex")
    did, account, purpose, number = _status_list_url(url) if len(url) <= 1024 else _status_list_url.__wrapped__(url)
    if not elm and _LABELS[purpose] != entry.get("statusPurpose"):
        raise InputError("statusPurpose does not match the status list")
    index = int(index_text)
    if index >= 131_072:
        raise InputError(f"status index {index} is beyond the end of the list")
    return did, account, purpose, number, index


def _is_number(text: Any) -> bool:
    """`_DIGITS.fullmatch(text)` without the regex (read twice per credential verified): ASCII
    digits only (str.isdigit alone also takes '²'), one to twelve of them."""
    return isinstance(text, str) and 0 < len(text) <= 12 and text.isascii() and text.isdigit()


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


class NotOwnEntry(InputError):
    """A credential's status entry names another issuer than the one acting (`revoke --issuer`)."""

    def __init__(self, purpose: Purpose, owner: str, did: str, names: dict[str, str] | None = None) -> None:
        from registry.text import named_did

        self.purpose, self.owner, self.did = purpose, owner, did
        known = names or {}
        super().__init__(
            f"this credential's {purpose.label} list belongs to another issuer, {named_did(owner, known.get(owner))}, "
            f"not {named_did(did, known.get(did))}: give --issuer the identity that issued it"
        )

    def named(self, names: dict[str, str]) -> NotOwnEntry:
        """The same refusal with the parties named (legal or local names beside their DIDs)."""
        return NotOwnEntry(self.purpose, self.owner, self.did, names)


def own_status_entry(token: str, did: str, account: str, purpose: Purpose) -> tuple[int, int]:
    payload = jwt.parse(token).payload
    for entry in status_entries(payload):
        entry_did, entry_account, entry_purpose, number, index = parse_status_entry(entry)
        if entry_purpose is purpose:
            if entry_did != did or entry_account.lower() != account.lower():
                raise NotOwnEntry(purpose, entry_did, did)
            return number, index
    raise InputError(f"the credential has no {purpose.label} status entry")
