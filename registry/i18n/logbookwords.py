"""Why a logbook entry is not valid, revoked, undetermined or not counted, in the language of the
run: the commonest reasons and notes the verifier writes (ops/logbook/checks.py, against.py), read
back by the shape they were written in, as words.py reads `registry verify`'s lines; any other stays
as written (README, "Languages"). `logbook verify` and `logbook show --check` print them."""

from __future__ import annotations

import re
from functools import cache

from registry.i18n import N_
from registry.i18n.errorwords import said_back
from registry.i18n.words import pattern

_DAY = r"\d{4}-\d{2}-\d{2}"
_FIELDS = {"rest": r"[^()]+", "n": r"\d+", "date": _DAY, "day": _DAY, "at": r"\S+", "hours": r"\d+(?:\.\d+)?"}
_REASONS = (
    N_("the entry was revoked ({rest})"),
    N_("not counted by the qualification (no proof against its logbook root)"),
    N_("backdated: dated more than {n} days before its day anchor (not counted towards completion)"),
    N_("before enrolment, not counted: dated before the learner's enrolment on {date} (learning before it is "
       "recognised through RPL, not this logbook)"),
    N_("the entry was countersigned after the signer's authorisation was revoked"),
    N_("the signer's authorisation was revoked for cause: her sign-offs from {date} are not trusted"),
    N_("the signer's authorisation was revoked for cause: her sign-offs from {date} are not trusted (this entry of "
       "{day} was signed off {at})"),
    N_("the signer's authorisation was revoked for cause ({rest}): ask the provider for its revocation record (from "
       "which date her sign-offs are untrusted) and give it with --record"),
    N_("the entry was dated or countersigned outside the signer's authorisation period"),
    N_("the learner's signature does not verify: the entry was altered"),
    N_("the entry is dated after it was anchored"),
    N_("the entry's proof does not lead to a day root its provider anchored"),
    N_("the entries dated {date} claim {hours} h, more than a day has"),
    N_("the same entry as entry {n} of this extract, shown again"),
)  # fmt: skip


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The patterns, compiled on the first reason to translate (an English run compiles none)."""
    return tuple((re.compile(pattern(message, _FIELDS), re.DOTALL), message) for message in _REASONS)


def entry_reason(text: str) -> str:
    """One of the commonest reasons or notes of a logbook entry in the run's language (any other as
    written): a revocation's reason in its words, hours as the language writes numbers."""
    return said_back(text, _compiled())
