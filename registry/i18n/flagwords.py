"""A text warning (formats/flags.py) in the run's language: the field it names, the scripts a
look-alike word mixes, and the sentence; the character's Unicode name and the text stay as signed
(escaped). The pages word them with the same messages (static/common.js, `warningText`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.i18n import N_, _

FIELD_WORDS = {
    "issuer name": N_("issuer name"), "holder name": N_("holder name"), "holder document": N_("holder document"),
    "achievement name": N_("achievement name"), "achievement type": N_("achievement type"),
    "description": N_("description"), "criteria": N_("criteria"), "skill label": N_("skill label"),
    "occupation label": N_("occupation label"), "learning outcome": N_("learning outcome"),
    "awarding body name": N_("awarding body name"), "accreditation body name": N_("accreditation body name"),
    "root authority name": N_("root authority name"), "recognition authority name": N_("recognition authority name"),
    "recognised qualification": N_("recognised qualification"), "recognised level": N_("recognised level"),
    "recognised conditions": N_("recognised conditions"), "learner name": N_("learner name"),
    "programme title": N_("programme title"), "provider name": N_("provider name"),
    "supervisor name": N_("supervisor name"), "unit title": N_("unit title"), "activity": N_("activity"),
    "workplace": N_("workplace"),
}  # fmt: skip
SCRIPT_WORDS = {"Latin": N_("Latin"), "Greek": N_("Greek"), "Cyrillic": N_("Cyrillic")}
HIDDEN = N_('{field} "{text}" holds {character}: another program may show it as other text than the one signed '
            "(shown here escaped)")  # fmt: skip
MIXED = N_('{field} "{text}": the word "{word}" mixes {scripts} letters, which look alike: it may imitate another name')
BOTH = N_("{some} and {last}")


def warning_text(warning: Mapping[str, Any]) -> str:
    """The warning as one sentence in the run's language (its English `message` if it is not one we know)."""
    field = str(warning.get("field"))
    word = _(FIELD_WORDS[field]) if field in FIELD_WORDS else field
    if warning.get("problem") == "hidden character":
        return _(HIDDEN).format(field=word, text=warning.get("text"), character=warning.get("character"))
    if warning.get("problem") == "mixed scripts":
        scripts = [_(SCRIPT_WORDS[s]) if s in SCRIPT_WORDS else str(s) for s in warning.get("scripts") or []]
        mixed = _(BOTH).format(some=", ".join(scripts[:-1]), last=scripts[-1]) if len(scripts) > 1 else "".join(scripts)
        return _(MIXED).format(field=word, text=warning.get("text"), word=warning.get("word"), scripts=mixed)
    return str(warning.get("message"))
