"""A verifier flags what a credential signed elsewhere holds that our writers refuse
(formats/flags.py): a name, title or label with an invisible, control or reordering character,
or a person's or organisation's name with a word mixing Latin, Greek and Cyrillic letters. Each
warning names its field and the character or word; the scripts people write in pass; a warning is
never a verdict (the faces: tests/cli/test_certified.py, tests/service/test_service_certified.py,
tests/service/test_service_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest

from registry import i18n
from registry.formats.certified import certified
from registry.formats.flags import FIELDS, MAX_WARNINGS, NAMES, text_warnings
from registry.i18n.flagwords import FIELD_WORDS, warning_text

SKILL = "http://data.europa.eu/esco/skill/51754b8a-3e2c-4cc1-86e6-cf510d9c6fe4"
LOOKALIKE = "\u0410mina Haddad"  # a Cyrillic capital A for the Latin one


def credential(**achievement: Any) -> dict[str, Any]:
    """A credential object as another tool could sign it, `achievement`'s fields overriding ours."""
    holder = achievement.pop("holder_name", "Amina Haddad")
    fields = {"name": "Welding", "description": "Fit up\nand weld", "criteria": "Observed", **achievement}
    subject = {"id": "did:key:z6Mk", "achievement": fields,
               "identifier": [{"identityType": "name", "identityHash": holder, "hashed": False}]}  # fmt: skip
    return {"issuer": "did:ebsi:zIssuer", "credentialSubject": subject}


def flagged(vc: dict[str, Any], issuer_name: str | None = "Northside Training Centre", **more: Any) -> list[Any]:
    return text_warnings(certified(vc, issuer_name), list(more.items()))


def test_each_hidden_character_is_named_with_its_field() -> None:
    vc = credential(name="Weld\u202eing", alignment=[{"targetUrl": SKILL, "targetName": "weld\u200b"}])
    warnings = flagged(vc, issuer_name="Northside\x1b[2K")
    assert [(w["field"], w["problem"], w["character"]) for w in warnings] == [
        ("issuer name", "hidden character", "a control character (U+001B)"),
        ("achievement name", "hidden character", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("skill label", "hidden character", "U+200B ZERO WIDTH SPACE"),
    ]
    assert warnings[1]["text"] == "Weld\\u202eing"  # escaped, as every face shows it
    assert warnings[1]["message"] == (
        'achievement name "Weld\\u202eing" holds U+202E RIGHT-TO-LEFT OVERRIDE: another program may show it as '
        "other text than the one signed (shown here escaped)"
    )
    # A line break is flagged in a one-line field, not in a description.
    lines = flagged(credential(name="Weld\ning", description="two\nlines"))
    assert [(w["field"], w["character"]) for w in lines] == [("achievement name", "a line break (U+000A)")]


def test_a_name_mixing_look_alike_scripts_is_flagged_but_not_a_title() -> None:
    vc = credential(holder_name=LOOKALIKE, name="\u0412elding")  # a title is not held to one script a word
    warnings = flagged(vc, **{"root authority name": "\u039cinistry"})
    assert [(w["field"], w["word"], w["scripts"]) for w in warnings] == [
        ("holder name", "\u0410mina", ["Latin", "Cyrillic"]),
        ("root authority name", "\u039cinistry", ["Latin", "Greek"]),
    ]
    assert warnings[0]["message"] == (
        f'holder name "{LOOKALIKE}": the word "\u0410mina" mixes Latin and Cyrillic letters, which look alike: '
        "it may imitate another name"
    )
    i18n.use("fr")
    try:
        nb = "\u00a0"  # French puts a no-break space inside guillemets and before a colon
        said = f"nom du titulaire «{nb}{LOOKALIKE}{nb}»{nb}: le mot «{nb}\u0410mina{nb}» mêle des lettres latines"
        assert warning_text(warnings[0]).startswith(said)
    finally:
        i18n.use(i18n.DEFAULT)


@pytest.mark.parametrize(
    "name", ["محمد\u200cعلي", "\u200fمحمد علي\u200e", "Αλέξανδρος Παπαδόπουλος", "Иван Петров", "Zoë O'Brien-Łukasz"]
)
def test_the_scripts_people_write_in_pass(name: str) -> None:
    assert flagged(credential(holder_name=name), issuer_name=name) == []


def test_a_hostile_file_gets_a_bounded_list_and_every_field_has_its_words() -> None:
    labels = [{"targetUrl": f"{SKILL}{n}", "targetName": f"label {n}\u202e"} for n in range(100)]
    warnings = flagged(credential(alignment=labels))
    assert len(warnings) == MAX_WARNINGS and {w["field"] for w in warnings} == {"skill label"}
    assert set(FIELDS) == set(FIELD_WORDS) and set(FIELDS) >= NAMES
    assert flagged({"credentialSubject": "not an object"}, issuer_name=None) == []
