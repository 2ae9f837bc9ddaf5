"""What a writer signs for people to read is what they will see.

A name, a title, a skill's label, an activity: a verifier's page, a wallet or a printer that does
not escape characters as ours do (registry/text.py) would show text other than the one signed if
it held a bidi override (U+202E turns "Welding" into "gnidleW" and can reorder a whole line), a
zero-width character (two names that look alike and are not), a control character or a line
break in a one-line field. Writers refuse them, with what to do; readers still escape whatever a
document signed elsewhere holds. The joiners and direction marks Arabic and Persian text needs
(U+200C, U+200D, U+200E, U+200F, U+061C) are kept.
"""

from __future__ import annotations

import re
import unicodedata

from registry.errors import InputError
from registry.text import hidden_character, shown


def check_visible(value: str, what: str, *, limit: int, lines: bool = False) -> str:
    """`value` if a person sees what it says: at most `limit` characters, without an invisible,
    control or bidi-override character (newlines allowed where `lines`); InputError naming `what`
    otherwise."""
    if len(value) > limit:
        raise InputError(f"{what} is {len(value)} characters long, more than {limit}: shorten it")
    problem = hidden_character(value, lines=lines)
    if problem is None:
        return value
    if problem.startswith("a line break"):
        why = "it must be one line"
    elif problem.startswith("a control"):
        why = "a terminal or a page could act on it"
    else:
        why = "it is invisible or reorders the text around it, so a verifier could see other text than the one signed"
    raise InputError(f"{what} holds {problem}: {why}; remove it ({shown(value[:60])})")


# Scripts whose letters look alike (Latin a, Cyrillic U+0430 and Greek alpha; o, p, c, e, x, ...): one
# word mixing them
# is how a look-alike name is made. Other mixes (Latin with Arabic, CJK, ...) show as such.
_CONFUSABLE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
_WORD = re.compile(r"\w+")


def mixed_scripts(value: str) -> tuple[str, list[str]] | None:
    """The first word of `value` that mixes Latin, Greek and Cyrillic letters, with those scripts
    ("Latin", "Cyrillic"), or None: a look-alike ("Training" with a Cyrillic U+0430 for its "a")."""
    for word in _WORD.findall(value):
        scripts = {
            script
            for char in word
            if char.isalpha() and (script := unicodedata.name(char, "").partition(" ")[0]) in _CONFUSABLE_SCRIPTS
        }
        if len(scripts) > 1:
            return word, [s.capitalize() for s in _CONFUSABLE_SCRIPTS if s in scripts]
    return None


def check_one_script_words(value: str, what: str) -> str:
    """`value` unless a word of it mixes Latin, Greek and Cyrillic letters, which look alike
    ("Training" with a Cyrillic U+0430 for its "a"): InputError naming the word and its scripts."""
    found = mixed_scripts(value)
    if found is not None:
        word, scripts = found
        raise InputError(
            f"{what}: the word {shown(word[:40])!r} mixes {' and '.join(scripts)} letters, which look alike "
            "(a look-alike of another name): write each word in one script"
        )
    return value
