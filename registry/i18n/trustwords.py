"""`registry issuer check` and `registry issuer history` in the language of the run (registry/i18n).

The trust check (ops/trust) writes English: its report's JSON is machine output. What the command
line shows of it is translated here, read back by the shapes ops/trust/evaluation.py and timing.py
write (the verdict line's summary, each link's message, a note on a later change) as words.py reads the
verifier's; a text of another shape (a broken chain, a malformed accreditation) is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial

from registry.i18n import DEFAULT, N_, _, current
from registry.i18n.words import pattern, trust_phrase

VERDICTS = {True: N_("TRUSTED"), False: N_("NOT TRUSTED")}
UNDETERMINED = N_("COULD NOT DETERMINE")
NO_LIST_VERDICT = N_("NO TRUST LIST")  # neither trusted nor refused: nobody named the roots (exit 2)
# An accreditation's reasons as the chain's codes give them (ops/trust/model.py's REASONS).
ACCREDITATION_REASONS = (
    N_("unspecified"), N_("requirements no longer met"), N_("fraud"), N_("audit pending"), N_("audit passed"),
)  # fmt: skip
# The parties that made a change (ops/trust/history.py's GOVERNANCE) and what each change was (its `_word`).
GOVERNANCE = N_("the registry's governance")
CHANGES = {
    "accredited": N_("accredited by {who}"),
    "onboarded": N_("onboarded by {who}"),
    "suspended": N_("suspended by {who}"),
    "reinstated": N_("reinstated by {who}"),
    "revoked": N_("revoked by {who}"),
    "revoked for cause": N_("revoked for cause by {who}"),
}
STATUSES = {"active": N_("now active"), "suspended": N_("now suspended"), "revoked": N_("now revoked"),
            "none": N_("now without status")}  # fmt: skip

_FIELDS = {
    "root": r".+", "list": r".+", "name": r".+?", "status": r".+", "what": r".+", "did": r"\S+", "types": r".+?",
    "held": r"[^()]+",
    "hint": r"\(no trust list: .+\)", "kind": r"RootTAO|TAO|TI", "time": r"\S+",
    "when": r"\S+(?: \(block \d+\))?", "on": r"\S+(?: \(block \d+\))?", "then": r"\S+(?: \(block \d+\))?",
    "why": r"(?: \(reason:? [^()]*\))?",
}  # fmt: skip
# The verdict line's summary (ops/trust/evaluation.py; cli/commands/issuer.py's `_no_root_trusted`).
_SUMMARIES = (
    N_("accredited through an unbroken chain to Root TAO {root}, which you have not said you trust {hint}"),
    N_("accredited through an unbroken chain to Root TAO {root}, which {list} trusts"),
    N_("accredited through an unbroken chain to Root TAO {root}"),
    N_("the chain ends at Root TAO {root}, which is not in {list}"),
    N_("{did} holds no accreditation in the trusted issuers registry"),
    N_("{kind} link {name}: {status}"),
    N_("{name} is not accredited for {what}"),
)
# A link's status (ops/trust/timing.py's `link_status`).
_STATUSES = (
    N_("active on {when}; revoked for cause later, on {on}{why}, reaching back to {time}, after {then}"),
    N_("active on {when}; revoked later, on {on}{why}, which does not reach back"),
    N_("active on {when}; suspended later, on {on}{why}, and still suspended, which does not reach back"),
    N_("active on {when}"),
    N_("accreditation revoked on {on}, before {when}{why}"),
    N_("accreditation revoked on {on}, the very second asked{why}"),
    N_("accreditation suspended on {on} and not reinstated by {when}{why}"),
    N_("accreditation expired on {time}, before {when}"),
    N_("accreditation expired on {time}, the very second asked"),
    N_("accreditation valid only from {time}, after {when}"),
    N_("not yet accredited on {when} (accredited {on})"),
    N_("not accredited for {what}"),
)
# Why a check cannot be answered (ops/trust/timing.py's `time_problem`; evaluation.py's NO_TRUST_LIST).
_UNDETERMINED = (
    N_(
        "there is no trust list, so Root TAO {root} is neither trusted nor refused; the issuer is accredited "
        "through an unbroken chain to it {hint}"
    ),
    N_(
        "{time} is in the future, later than the chain's newest block ({then}); what happens until then is not known "
        "yet"
    ),
    N_(
        "the node reports it is still syncing: its newest block ({then}) may not be the chain's, so what holds at "
        "{time} is not known; ask another node, or again later"
    ),
)
# What verified a link's accreditation (ops/trust/bodies.py), before its status.
_BODIES = (
    N_("signature by the parent's key verified"),
    N_("its own signature verified (onboarded by the registry's governance)"),
)
# What a scope does not cover (ops/trust/scope.py's `not_covered`).
_NOT_COVERED = (N_("{types} (its accreditation covers {held})"),)
# The notes the issuer check adds (ops/trust/evaluation.py's REGISTERED_ONLY; a test holds them equal).
NOTES = (
    N_(
        "it is registered in the DID registry: the work-experience attestations it signs (`registry attest`) "
        "verify as a registered organisation's; a skills credential needs an accreditation"
    ),
)
# The note on a link in force at the time asked and revoked or suspended after it (ops/trust/evaluation.py's
# `_later_change`; tests/e2e/test_translations.py reads back each of its sentences).
_LATER_CHANGES = (
    N_(
        "{kind} {name}'s accreditation was revoked for cause on {on}{why}, void from {time}, after {then}: what was "
        "issued before that date stays valid, anything issued from it is refused"
    ),
    N_(
        "{kind} {name}'s accreditation was revoked on {on}, after {then}{why}: what was issued before stays valid, "
        "anything issued after is refused"
    ),
    N_(
        "{kind} {name}'s accreditation was suspended on {on}, after {then}{why}, and is still suspended: what was "
        "issued before stays valid, anything issued while it lasts is refused"
    ),
)
# A link's kind on its own line (the web page's words, registry/service/static/issuer.js); English keeps the code.
ISSUER_KINDS = {
    "RootTAO": N_("Top authority (Root TAO)"), "TAO": N_("Accreditation body (TAO)"), "TI": N_("Trusted issuer (TI)"),
}  # fmt: skip
# A link's kind inside a sentence (`issuer history`'s accreditations, a failed link, a note on a later change):
# the code in English, its words in another language.
KINDS_IN_SENTENCES = {
    "RootTAO": N_("top authority (Root TAO)"), "TAO": N_("accreditation body (TAO)"), "TI": N_("trusted issuer (TI)"),
}  # fmt: skip
# What `issuer check` adds when no trust list applies and the chain held up to its root (cli/commands/issuer.py).
NO_TRUST_LIST = N_(
    "no trust list was given, so no Root TAO is trusted and no issuer can be TRUSTED, however sound its chain; "
    "to see what your verifiers will see, check against their list: --trust-list FILE"
)
_REASON_WORDS = (N_(" (reason: {reason})"), N_(" (reason {n})"))


@cache
def _compiled(table: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern(message, _FIELDS), re.DOTALL), message) for message in table)


def _read(table: tuple[str, ...], text: str) -> tuple[str, dict[str, str]] | None:
    for compiled, message in _compiled(table):
        if (match := compiled.fullmatch(text)) is not None:
            return message, match.groupdict()
    return None


def _reason(why: str) -> str:
    """A link status's " (reason: audit pending)" or " (reason 7)" in the language of the run."""
    if (named := re.fullmatch(r" \(reason: (.*)\)", why)) is not None:
        return _(_REASON_WORDS[0]).format(reason=reason_word(named.group(1)))
    if (code := re.fullmatch(r" \(reason (\d+)\)", why)) is not None:
        return _(_REASON_WORDS[1]).format(n=code.group(1))
    return why


def reason_word(reason: str) -> str:
    """An accreditation change's reason (one the chain's codes give; any other text as it is)."""
    return _(reason) if reason in ACCREDITATION_REASONS else reason


def link_message(text: str) -> str:
    """A link's message ("signature ... verified; active on ...", or why it fails) in the run's language."""
    if current() == DEFAULT:
        return text
    body, sep, rest = text.partition("; ")
    if sep and body in _BODIES:
        return _("{body}; {status}").format(body=_(body), status=link_message(rest))
    return _said(_STATUSES, text)


def _not_covered(text: str) -> str:
    return _said(_NOT_COVERED, text)


def summary(text: str) -> str:
    """The verdict line's summary in the language of the run (one of another shape as written)."""
    return _said(_SUMMARIES, text)


def note(text: str) -> str:
    """A note of the issuer check in the language of the run (one of another kind as written)."""
    if text in NOTES or text == NO_TRUST_LIST:
        return _(text)
    return _said(_LATER_CHANGES, text)


def kind_word(kind: str) -> str:
    """A link's kind ("TI") as its own line names it: the code in English, words in another language."""
    return _(ISSUER_KINDS[kind]) if current() != DEFAULT and kind in ISSUER_KINDS else kind


def kind_in_sentence(kind: str) -> str:
    """A link's kind ("TI") inside a sentence: the code in English, words in another language."""
    return _(KINDS_IN_SENTENCES[kind]) if current() != DEFAULT and kind in KINDS_IN_SENTENCES else kind


def _block(time: str) -> str:
    """A time read back with its block ("2026-03-02T10:00:00Z (block 12)"), the block in the run's words."""
    if (found := re.fullmatch(r"(\S+) \(block (\d+)\)", time)) is None:
        return time
    return "{time} ({block})".format(time=found.group(1), block=_("block {block}").format(block=found.group(2)))


def undetermined(text: str) -> str:
    """Why the check could not be answered, in the language of the run (the commonest; others as written)."""
    return _said(_UNDETERMINED, text)


# A field read back that is itself words of ours, said in the run's language too (the others: names,
# DIDs, times, as written). Roots, lists and hints as the verifier's lines name them.
_FIELD_WORDS: dict[str, Callable[[str], str]] = {
    "why": _reason,
    "kind": kind_in_sentence,
    "when": _block,
    "on": _block,
    "then": _block,
    "what": _not_covered,
    "status": link_message,
    "root": partial(trust_phrase, "roots"),
    "list": partial(trust_phrase, "lists"),
    "hint": partial(trust_phrase, "hints"),
}


def _said(table: tuple[str, ...], text: str) -> str:
    """`text` in the language of the run when one of `table`'s messages reads it, each field of ours in
    its words too (`_FIELD_WORDS`); a text of another shape, or any in English, as written."""
    found = None if current() == DEFAULT else _read(table, text)
    if found is None:
        return text
    message, fields = found
    return _(message).format(**{key: _FIELD_WORDS.get(key, str)(value) for key, value in fields.items()})
