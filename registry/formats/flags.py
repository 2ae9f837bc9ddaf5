"""What a verifier flags in text signed elsewhere: a name that another program may show as other
text, or that imitates another name.

Our writers refuse such text (formats/visible.py); a credential signed by another tool, or an
accreditation written past ours, may still hold it: a bidi override that shows "Amina" where the
signed text reverses it, a zero-width space that makes two names look alike and differ, a word
that mixes Latin, Greek and Cyrillic letters ("Amina" with a Cyrillic U+0410 for its "A"). Our faces show
the text escaped (registry/text.py), so what the verifier reads is what was signed; a warning
names the field and the character or the word, so she knows to read it closely and why.

A warning never changes the verdict: the verdict says whether the issuer signed, anchored and still
stands by the credential, under a root the verifier trusts; what the issuer chose to write is its
word, shown as signed. The same characters the writers refuse are flagged (joiners and direction
marks Arabic and Persian need pass), and mixed scripts only in the names of people and
organisations, as the writers check them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from typing_extensions import TypedDict

from registry.formats.certified import Certified
from registry.formats.visible import mixed_scripts
from registry.text import hidden_character, shown

# A stranger's file cannot make a report long: at most these warnings.
MAX_WARNINGS = 24
_SHOWN_CHARS = 80


class TextWarning(TypedDict):
    """A text of the credential (or of its issuer's accreditation) a person should read closely."""

    field: str
    """which text: "issuer name", "holder name", "achievement name", "skill label", ... (FIELDS)"""
    text: str
    """the text as the faces show it: its invisible and control characters escaped, at most 80 characters"""
    problem: Literal["hidden character", "mixed scripts"]
    """hidden character: invisible, a control or one that reorders text (another program may show other
    text than the one signed); mixed scripts: a word mixing Latin, Greek and Cyrillic letters (a look-alike)"""
    character: str | None
    """the hidden character, named ("U+202E RIGHT-TO-LEFT OVERRIDE")"""
    word: str | None
    """the word that mixes scripts, escaped"""
    scripts: list[str]
    """the scripts it mixes ("Latin", "Cyrillic")"""
    message: str
    """the warning in one English sentence"""


# The fields a warning names, as faces word them (the CLI and the page translate these).
FIELDS = (
    "issuer name", "holder name", "holder document", "achievement name", "achievement type", "description",
    "criteria", "skill label", "occupation label", "learning outcome", "awarding body name",
    "accreditation body name", "root authority name", "recognition authority name", "recognised qualification",
    "recognised level", "recognised conditions", "learner name", "programme title", "provider name",
    "supervisor name", "unit title", "activity", "workplace",
)  # fmt: skip
# The names of people and organisations: also checked for words mixing scripts.
NAMES = frozenset({"issuer name", "holder name", "awarding body name", "accreditation body name",
                   "root authority name", "recognition authority name", "learner name", "provider name",
                   "supervisor name"})  # fmt: skip
_LINES = frozenset({"description", "criteria", "recognised conditions", "activity"})


def flag(field: str, value: Any) -> TextWarning | None:
    """The warning `value` (the text of `field`) calls for, or None (not text, or nothing to flag)."""
    if not isinstance(value, str) or not value:
        return None
    text = shown(value[:_SHOWN_CHARS]) + ("…" if len(value) > _SHOWN_CHARS else "")
    hidden = hidden_character(value, lines=field in _LINES)
    if hidden is not None:
        message = (f'{field} "{text}" holds {hidden}: another program may show it as other text than the one '
                   "signed (shown here escaped)")  # fmt: skip
        return {"field": field, "text": text, "problem": "hidden character", "character": hidden, "word": None,
                "scripts": [], "message": message}  # fmt: skip
    found = mixed_scripts(value) if field in NAMES else None
    if found is None:
        return None
    word, scripts = shown(found[0][:40]), found[1]
    message = (f'{field} "{text}": the word "{word}" mixes {" and ".join(scripts)} letters, which look alike: '
               "it may imitate another name")  # fmt: skip
    return {"field": field, "text": text, "problem": "mixed scripts", "character": None, "word": word,
            "scripts": scripts, "message": message}  # fmt: skip


def _texts(certified: Certified) -> list[tuple[str, Any]]:
    """(field, text) for every text of `certified` a person reads."""
    holder: dict[str, Any] = dict(certified.get("holder") or {})
    body: dict[str, Any] = dict(certified.get("awarding_body") or {})
    texts: list[tuple[str, Any]] = [
        ("issuer name", (certified.get("issuer") or {}).get("name")),
        ("holder name", holder.get("name")),
        ("holder document", holder.get("document")),
        ("achievement name", certified.get("name")),
        ("achievement type", certified.get("achievement_type")),
        ("description", certified.get("description")),
        ("criteria", certified.get("criteria")),
        ("awarding body name", body.get("name")),
    ]
    texts += [("skill label", entry.get("label")) for entry in certified.get("skills") or []]
    texts += [("occupation label", entry.get("label")) for entry in certified.get("occupations") or []]
    texts += [("learning outcome", title) for title in certified.get("learning_outcomes") or []]
    for translated in (certified.get("translations") or {}).values():
        if isinstance(translated, dict):
            texts += [(f"achievement {key}" if key == "name" else key, translated.get(key))
                      for key in ("name", "description", "criteria")]  # fmt: skip
    return texts


def text_warnings(certified: Certified | None, more: Sequence[tuple[str, Any]] = ()) -> list[TextWarning]:
    """What to flag in what `certified` says, and in `more` ((field, text): the accreditation chain's
    names), each text once, at most MAX_WARNINGS."""
    found: list[TextWarning] = []
    seen: set[tuple[str, str]] = set()
    for field, value in [*(_texts(certified) if certified else ()), *more]:
        warning = flag(field, value)
        if warning is None or (key := (field, warning["text"])) in seen:
            continue
        seen.add(key)
        found.append(warning)
        if len(found) == MAX_WARNINGS:
            break
    return found
