"""`registry verify --recognised-in` in the language of the run (registry/i18n): each credential's
recognition finding. ops/recognition/apply.py writes it in English (the report's JSON is machine
output); the command line reads it back here by the shapes apply.py, model.py's `not_applying` and
formats/recognition.py's `out_of_scope` write, as trustwords.py reads the trust check's. Names,
qualifications, conditions, ids and times stay as written; a text of another shape stays English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from registry.i18n import DEFAULT, N_, _, current, joined
from registry.i18n.trustwords import summary as trust_summary
from registry.i18n.words import VERDICT_WORDS, pattern

# A decision that applies (apply.py's `_recognised`, `_since`); several are joined by "; ".
RECOGNISED = N_("recognised here as {qualification} ({level}), decision {id} of {date}")
LEVEL = N_("level {level} of {framework}")
CONDITIONS = N_(", conditions: {conditions}")
SINCE = {
    "suspended": N_(" (as of {time}; suspended since {when}: {reason})"),
    "revoked": N_(" (as of {time}; revoked since {when}: {reason})"),
}
# What none applying says (apply.py's `finding`).
NONE_HERE = N_("no recognition decision here")
_FRAMES = (
    N_("no recognition decision here for it ({near})"),
    N_("not recognised here as of {time}: {near}"),
    N_("not applied: the credential is not valid ({verdict})"),
    N_("could not check recognition: the registry could not be read"),
    N_("could not check recognition: {problem}"),
)
# Why a decision leaves a credential out (apply.py's `_near` and `_why_not`), after "decision ID".
_NEAR = (N_("decision {id} {why}"), N_("decision {id}: {why}"))
_WHYS = (
    N_("not yet published on {time}"),
    N_("suspended on {time} ({reason})"),
    N_("revoked on {time} ({reason})"),
    N_("applies only from {time}"),
    N_("applied until {time}"),
    N_("its document could not be read"),
    N_("its types are not among {types}"),
    N_("EQF level {level}, not {levels}"),
    N_("no EQF level, not {levels}"),
    N_("its issuer is not under root {root}"),
    N_("its issuer is not one the decision names"),
    N_("its programme is not one the decision names"),
    N_("its schema is not one the decision names"),
)
# A decision's reasons (ops/recognition/model.py's REASONS).
REASONS = (
    N_("unspecified"), N_("superseded by a newer decision"), N_("published in error"), N_("under review"),
    N_("review closed"), N_("the national qualification was withdrawn"),
)  # fmt: skip

# An authority whose decisions are not applied at all, and why (apply.py's `_untrusted`, `_root_not_in_force`,
# `_declared`, NOT_FOR_RECOGNITION: tests/e2e/test_translated_lines.py has apply.py write each); a trust check's
# summary after it as trustwords.py says it.
NOT_APPLIED = N_("decisions of {who} not applied: {why}")
_DECLARED = N_('{did} (named "{name}" in its accreditation, not in your trust list)')
_REFUSALS = (
    N_(
        "you have no trust list (make one with `registry trust-list add {did} --name NAME --registry "
        "DEPLOYMENT.json`, with its registry's deployment file as the authority publishes it)"
    ),
    N_("its own accreditation (a Root TAO's) is not in force on {time}: {summary}"),
    N_(
        "its accreditation does not cover recognition decisions ({type}): a Root TAO accredits a recognition body "
        "for that purpose"
    ),
    N_(
        "it is accredited for recognition decisions by a TAO, not by its Root TAO: only a Root TAO accredits a "
        "recognition body"
    ),
    N_("it is not in your trust list, nor accredited for recognition decisions under a root that is"),
)
# A genuine credential under a root the trust list leaves out, which a decision would recognise (apply.py's
# `_root_untrusted`).
ROOT_UNTRUSTED = N_(
    "not applied: the credential's Root TAO {root} is not in the trust list; with it there, it would be {would} "
    "(a decision does not make a root trusted: add it to the trust list, pinned to this registry, if you accept it)"
)
_SELF_NAMED = N_('{did} (self-declared name "{name}")')

_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
_FIELDS = {
    "qualification": r".+", "level": r"[^ ,]+", "id": r"0x[0-9a-f]+…?", "date": r"\d{4}-\d\d-\d\d",
    "time": _TIME, "when": _TIME, "event": r"suspended|revoked", "reason": r"[^()]*", "near": r".+",
    "verdict": r"[a-z ]+", "problem": r".+", "why": r".+", "types": r".+", "levels": r"[\d or]+", "root": r"\S+",
    "framework": r".+?", "conditions": r".*?",
}  # fmt: skip
_ITEM = re.compile(
    pattern(RECOGNISED, {**_FIELDS, "level": r"level (?P<n>\S+) of (?P<framework>.+?)"})
    + r"(?P<conditions>, conditions: .*?)?"
    + r"(?P<since>"
    + pattern(SINCE["suspended"].replace("suspended", "{event}"), _FIELDS)
    + r")?",
    re.DOTALL,
)


_REFUSAL_FIELDS = {
    "who": r".+?", "why": r".+", "did": r"\S+", "name": r".+", "time": _TIME, "summary": r".+", "type": r"\S+",
    "root": r".+?", "would": r"recognised here as .+",
}  # fmt: skip


@cache
def _refusal_patterns(table: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern(message, _REFUSAL_FIELDS), re.DOTALL), message) for message in table)


def _refusal_field(key: str, value: str) -> str:
    if key == "who":
        return _refused((_DECLARED,), value) or value
    if key == "root":
        return _refused((_SELF_NAMED,), value) or value
    if key == "why":
        return _refused(_REFUSALS, value) or trust_summary(value)
    if key == "summary":
        return trust_summary(value)
    if key == "would":
        return recognition_message(value)
    return value


def _refused(table: tuple[str, ...], text: str) -> str | None:
    for compiled, message in _refusal_patterns(table):
        if (found := compiled.fullmatch(text)) is not None:
            return _(message).format(**{key: _refusal_field(key, value) for key, value in found.groupdict().items()})
    return None


@cache
def _compiled(table: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern(message, _FIELDS), re.DOTALL), message) for message in table)


def _said(table: tuple[str, ...], text: str) -> str | None:
    for compiled, message in _compiled(table):
        if (found := compiled.fullmatch(text)) is not None:
            fields = {key: _field(key, value) for key, value in found.groupdict().items()}
            return _(message).format(**fields)
    return None


def _field(key: str, value: str) -> str:
    if key == "near":
        return joined((_near(part) for part in value.split("; ")), strong=True)
    if key == "verdict":
        return _(VERDICT_WORDS[value]) if value in VERDICT_WORDS else value
    if key == "reason":
        return _(value) if value in REASONS else value
    if key == "why":
        return _said(_WHYS, value) or value
    return value


def _near(text: str) -> str:
    return _said(_NEAR, text) or text


def _item(text: str) -> str | None:
    found = _ITEM.fullmatch(text)
    if found is None:
        return None
    level = _(LEVEL).format(level=found["n"], framework=found["framework"])
    words = _(RECOGNISED).format(qualification=found["qualification"], level=level, id=found["id"], date=found["date"])
    if found["conditions"]:
        words += _(CONDITIONS).format(conditions=found["conditions"][len(", conditions: ") :])
    if found["since"]:
        since = _(SINCE[found["event"]])
        words += since.format(time=found["time"], when=found["when"], reason=_field("reason", found["reason"]))
    return words


def recognition_message(text: str) -> str:
    """A recognition finding's message in the run's language (English, or a shape not known: as written)."""
    if current() == DEFAULT:
        return text
    if text == NONE_HERE:
        return _(NONE_HERE)
    if text.startswith("recognised here as "):
        items = [_item(part) for part in re.split(r"; (?=recognised here as )", text)]
        return text if None in items else joined((str(item) for item in items), strong=True)
    return _refused((NOT_APPLIED, ROOT_UNTRUSTED), text) or _said(_FRAMES, text) or text


def recognition_line(recognition: Mapping[str, Any]) -> str:
    """A credential's recognition line: whose decisions, unless the message says it (the employer may
    not have named it: a service's own, `serve --recognised-in`), and the message, in the run's language."""
    who, message = recognition.get("authority_name") or recognition.get("authority"), recognition.get("message")
    message = recognition_message(message) if isinstance(message, str) else message
    if who and str(recognition.get("authority")) not in str(message):
        return _("recognition by {authority}: {message}").format(authority=who, message=message)
    return _("recognition: {message}").format(message=message)


def decision_reason(reason: str) -> str:
    """A decision's reason (ops/recognition/model.py's REASONS) in the run's language; another text as written."""
    return _(reason) if reason in REASONS else reason


def equivalents_words(found: list[Mapping[str, Any]], authority: object, unchecked: bool = False) -> str:
    """A passport summary's `national_equivalents` as one line (the CLI and the printed passport): whose
    decisions, each equivalent's level as "level N of FRAMEWORK" with its conditions; none said as such,
    or, when the decisions could not be read (`unchecked`), not said to be none."""
    items = [
        f"#{e['credential']} {e['qualification']} ("
        + _(LEVEL).format(level=e["level"], framework=e["framework_name"])
        + (_(CONDITIONS).format(conditions=e["conditions"]) if e.get("conditions") else "")
        + ")"
        for e in found
    ]
    none = _("could not check (each credential's recognition line says why)") if unchecked else None
    said = joined(items, strong=True) or none or _("none in force (each credential's recognition line says why)")
    return _("national equivalents by {authority}: {items}").format(authority=authority, items=said)


def equivalents_authority(credentials: list[Any]) -> tuple[object, bool]:
    """Whose decisions a passport's findings apply (the first finding's authority, by name where known),
    and whether they could not be checked (every finding says so)."""
    findings = [r for c in credentials if (r := (c.get("recognition") if isinstance(c, Mapping) else
                                                 getattr(c, "recognition", None)))]  # fmt: skip
    if not findings:
        return None, False
    unchecked = all(f.get("outcome") == "could not check" for f in findings)
    return findings[0].get("authority_name") or findings[0].get("authority"), unchecked
