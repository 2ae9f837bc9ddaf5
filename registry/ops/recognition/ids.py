"""Decision ids as people give them: whole (0x and 64 hex digits, as `recognition list` prints
them) or shortened, as `registry verify` prints them (`short_id`: 0x, 8 hex digits and "…"), a
unique prefix of the id among the decisions asked about (as git takes a commit's hash).

Pure: the caller reads the candidate ids from the chain (an authority's `decisionIds`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from registry.errors import InputError

SHORT_DIGITS = 8  # the hex digits `short_id` shows
MIN_DIGITS = 4  # the shortest prefix taken (git's own minimum)
_HEX = frozenset("0123456789abcdef")


def short_id(decision_id: bytes) -> str:
    """A decision id as `registry verify` prints it, and every command taking an id accepts it."""
    return f"0x{decision_id.hex()[:SHORT_DIGITS]}…"


@dataclass(frozen=True)
class DecisionRef:
    """A decision id as given: whole, or the start of one (lower-case hex, no 0x)."""

    digits: str

    @property
    def whole(self) -> bytes | None:
        return bytes.fromhex(self.digits) if len(self.digits) == 64 else None

    @property
    def shown(self) -> str:
        return "0x" + self.digits + ("" if len(self.digits) == 64 else "…")

    def among(self, candidates: Iterable[bytes], where: str, hint: str) -> bytes:
        """The one candidate this names; refused in one line when none is (`where`: whose
        decisions were searched; `hint`: how to list them) or several are."""
        if self.whole is not None:
            return self.whole
        matches = sorted({c for c in candidates if c.hex().startswith(self.digits)})
        if not matches:
            raise UnknownDecision(f"no recognition decision of {where} starts with {self.shown}: {hint}")
        if len(matches) > 1:
            digits = max(SHORT_DIGITS, len(self.digits) + 1)  # as many as tell them apart, each one taken here
            while len({m.hex()[:digits] for m in matches}) < len(matches):
                digits += 1
            named = ", ".join(f"0x{m.hex()[:digits]}…" for m in matches[:5])
            more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
            raise AmbiguousDecision(
                f"{self.shown} is the start of {len(matches)} decisions of {where} ({named}{more}): give more of its "
                "digits"
            )
        return matches[0]


class UnknownDecision(InputError):
    """No decision asked about starts so."""


class AmbiguousDecision(InputError):
    """Several decisions start so: a usage error (exit 64)."""


def decision_ref(text: str) -> DecisionRef:
    """A decision id whole, or its start as `registry verify` prints it (0x1234abcd…, with or without
    the "…", or "..."); at least 4 hex digits."""
    value = text.strip().removesuffix("…").removesuffix("...").lower().removeprefix("0x")
    if not MIN_DIGITS <= len(value) <= 64 or any(c not in _HEX for c in value):
        raise InputError(
            f"{text[:80]!r} is not a decision id: give it whole (0x and 64 hex digits, as `registry recognition list` "
            "prints it) or its start, as `registry verify` prints it (0x1234abcd…)"
        )
    return DecisionRef(value)
