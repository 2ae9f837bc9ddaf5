"""Writers refuse text a verifier would not see as it is signed (formats/visible.py): a bidi
override, a zero-width or other invisible character, a control character, a line break in a
one-line field, a word mixing look-alike scripts in a name, or a text too long for any verifier to
read; the scripts people write in (Arabic with its joiners and marks, Greek, Cyrillic) pass.
Readers still show whatever a document signed elsewhere holds inert (tests/e2e/test_faces.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from registry.errors import InputError
from registry.formats.accreditation import check_legal_name
from registry.formats.credential import Achievement, Occupation, Skill
from registry.formats.logbook import check_publishable as publishable_programme
from registry.formats.logbook import parse_programme
from registry.formats.logbook.records import Entry
from registry.formats.recognition import DecisionDocument, Outcome, Scope, check_publishable
from registry.formats.rpl.attestation import WorkPeriod

SKILL = "http://data.europa.eu/esco/skill/51754b8a-3e2c-4cc1-86e6-cf510d9c6fe4"
OCCUPATION = "http://data.europa.eu/esco/occupation/a6b1b9b0-6a9a-4a8b-9a5b-0b6c1f6e1e1e"
ROOT = "did:ebsi:zroot1111111111111111111"


def programme(title: str = "Welding", unit: str = "Weld a butt joint") -> Any:
    """A programme as `programme publish` checks it before signing: a unit's title becomes a skill
    label in the logbook's qualification."""
    units = [{"id": "u1", "title": unit, "skills": [SKILL], "hours": 40}]
    data = {"id": "weld", "version": 1, "title": title, "provider": "did:ebsi:zprovider", "eqfLevel": 4,
            "durationMonths": 12, "backdatingDays": 14, "units": units}  # fmt: skip
    return publishable_programme(parse_programme(data))


WRITERS: dict[str, Callable[[str], Any]] = {
    "achievement name": lambda text: Achievement(text, "d", "c"),
    "achievement description": lambda text: Achievement("n", text, "c"),
    "skill label": lambda text: Achievement("n", "d", "c", skills=(Skill(SKILL, text),)),
    "occupation label": lambda text: Achievement("n", "d", "c", occupations=(Occupation(OCCUPATION, text),)),
    "holder name": lambda text: Achievement("n", "d", "c", holder_name=text),
    "legal name": check_legal_name,
    "logbook activity": lambda text: Entry("urn:l", "urn:e", "2026-03-02", "u1", text, 2.0, "Yard").payload("d", 0),
    "logbook workplace": lambda text: Entry("urn:l", "urn:e", "2026-03-02", "u1", "Welds", 2.0, text).payload("d", 0),
    "recognition qualification": lambda text: check_publishable(
        DecisionDocument("did:ebsi:zauthority", Scope(("SkillsCredential",), (4,), ROOT), Outcome(text, "zF", "4"), 0)
    ),
    "recognition conditions": lambda text: check_publishable(
        DecisionDocument("did:ebsi:zauth", Scope(("X",), (4,), ROOT), Outcome("Q", "zF", "4"), 0, conditions=text)
    ),
    "employer name": lambda text: WorkPeriod(Occupation(OCCUPATION, "welder"), 0, None, ("welds",), text).check(),
    "attested task": lambda text: WorkPeriod(Occupation(OCCUPATION, "welder"), 0, None, (text,), "Stahlbau").check(),
    "programme title": lambda text: programme(title=text),
    "programme unit title": lambda text: programme(unit=text),
}
# Texts of several lines, where a newline is part of what is said.
PROSE = {"achievement description", "logbook activity", "recognition conditions"}
NAMES = {"holder name", "legal name", "employer name"}


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Welding \u202eLEVEL 1", "U+202E RIGHT-TO-LEFT OVERRIDE"),  # shown elsewhere as "1 LEVEL gnidleW"
        ("Wel\u2067ding", "U+2067 RIGHT-TO-LEFT ISOLATE"),
        ("Amina\u200b Yusuf", "U+200B ZERO WIDTH SPACE"),
        ("Amina\u2060Yusuf", "U+2060 WORD JOINER"),
        ("\ufeffAmina", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("Amina\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("\x1b[2KVALID", "a control character (U+001B)"),
        ("Amina\u2028Yusuf", "a line break (U+2028)"),
    ],
)
def test_writers_refuse_what_a_verifier_would_not_see_as_signed(writer: str, text: str, named: str) -> None:
    with pytest.raises(InputError) as refused:
        WRITERS[writer](text)
    message = str(refused.value)
    assert named in message and "remove it" in message and "\n" not in message, message
    assert "\u202e" not in message and "\x1b" not in message  # the refusal itself is inert


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_line_break_is_refused_where_the_text_is_one_line(writer: str) -> None:
    if writer in PROSE:
        WRITERS[writer]("First line.\nSecond line.")
    else:
        with pytest.raises(InputError, match=r"a line break \(U\+000A\): it must be one line"):
            WRITERS[writer]("Amina\nYusuf")


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_scripts_people_write_in_pass(writer: str) -> None:
    arabic = "\u0645\u0631\u0643\u0632\u200c\u0627\u0644\u062a\u062f\u0631\u064a\u0628\u200f"  # with ZWNJ and RLM
    for text in ("Müller & Søn", arabic, "Αθήνα Τεχνική", "Учебный центр", "黄 焊接"):
        WRITERS[writer](text)


@pytest.mark.parametrize("writer", sorted(NAMES))
def test_a_name_with_a_word_of_look_alike_scripts_is_refused(writer: str) -> None:
    # "Training" with a Cyrillic U+0430 for its "a": a look-alike of another organisation's name.
    with pytest.raises(InputError, match=r"the word 'Tr.ining' mixes Latin and Cyrillic letters"):
        WRITERS[writer]("Tr\u0430ining Centre")
    WRITERS[writer]("Training Центр")  # two scripts, each word in one: a name as written


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_text_too_long_for_a_verifier_is_refused(writer: str) -> None:
    with pytest.raises(InputError, match=r"characters long, more than \d+: shorten it|at most \d+|up to \d+|1 to \d+"):
        WRITERS[writer]("x" * 10_001)
