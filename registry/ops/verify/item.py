"""One credential moving through the verification phases, its results kept as compact rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.ops.registry import AnchorRecord, DidState, VerificationMethod
from registry.ops.verify.fields import StatusRef
from registry.ops.verify.report import Code, CredentialInfo, Outcome, Row

# Times in messages and evidence: a batch repeats a handful of them (a cohort's signing time, its
# anchor's block time, a key's window), so each is formatted once.
iso = lru_cache(maxsize=4096)(vcfmt.iso)


def iso_or_none(ts: int) -> str | None:
    return None if ts >= 2**63 else iso(ts)


@dataclass(slots=True)
class Item:
    source: str
    rows: list[Row] = field(default_factory=list)
    holder: vcfmt.HolderFile | None = None
    parsed: jwt.CompactJWS | None = None  # for the signature check: its payload is dropped once read
    issuer: str = ""
    fragment: str = ""
    issued_at: int = 0
    signing_stated: bool = True  # False: `issued_at` is a date the credential gives, not its signing (fields.py)
    valid_from: int = 0
    valid_until: int | None = None
    value: bytes = b""  # what is anchored: credential hash, or cohort root
    credential_hash: bytes = b""
    statuses: list[StatusRef] = field(default_factory=list)
    types: tuple[str, ...] = ()
    schema: Any = None
    fatal: bool = False
    format_ok: bool = False
    info: CredentialInfo | None = None  # what the report shows of the credential, once it parsed
    anchor: AnchorRecord | None = None
    anchor_evidence: dict[str, Any] | None = None  # the passed anchor row's (a cohort's members share it)
    did_state: DidState | None = None  # the issuer's DID document, once the key check read it
    signing_method: VerificationMethod | None = None  # the key that signed, once its signature verified
    key_missing: int | None = None  # the row of a key the node's DID document lacks, until the head settles it

    def add(self, code: Code, outcome: Outcome, message: str, **evidence: Any) -> None:
        self.rows.append((code, outcome, message, evidence))
        if outcome is Outcome.FAIL:
            self.fatal = True

    def row(self, code: Code) -> int | None:
        """The position of the first row with this code."""
        for n, row in enumerate(self.rows):
            if row[0] is code:
                return n
        return None

    def replace(self, position: int, outcome: Outcome, message: str) -> None:
        """Change a row's outcome and message (a later fact overturned it), keeping its evidence."""
        code, _, _, evidence = self.rows[position]
        self.rows[position] = (code, outcome, message, evidence)
        if outcome is Outcome.FAIL:
            self.fatal = True

    @property
    def cohort(self) -> vcfmt.CohortProof | None:
        return self.holder.cohort if self.holder is not None else None


SAME_BLOCK = (
    "could not check: the {what} landed in the block that retired the issuer's {key}, and the node did not "
    "say which came first"
)
