"""How `registry verify` prints a report it holds as JSON (a service's answer, `verify --service`),
without a node: a passport's holder named differently by its credentials, a text to read closely,
and what an undetermined credential says marked as the file's word, not confirmed (the same report
read from a real chain: tests/cli/test_certified.py, tests/service/test_service_certified.py)."""

from __future__ import annotations

from typing import Any

import pytest

from registry.cli.commands.verify import _as_report
from registry.cli.output import print_report
from registry.formats.flags import flag
from registry.ops.verify.summary import summarise

HOLDER = "did:key:zAmina"
LOOKALIKE = "\u0410mina Haddad"  # a Cyrillic capital A


def credential(number: int, name: str, verdict: str) -> dict[str, Any]:
    certifies = {"name": f"Welding {number}", "description": None, "criteria": None, "achievement_type": None,
                 "skills": [], "occupations": [], "eqf_level": 4, "issued": "2026-01-02T00:00:00Z",
                 "valid_from": "2026-01-02T00:00:00Z", "valid_until": None,
                 "issuer": {"did": "did:ebsi:zAcademy", "name": "Academy B.V."},
                 "holder": {"did": HOLDER, "name": name, "document": None}, "learning_outcomes": [], "credits": [],
                 "awarding_body": None, "translations": {}}  # fmt: skip
    outcome = "pass" if verdict == "valid" else "unknown"
    checks = [{"name": "anchor", "outcome": outcome, "message": "m", "evidence": {}}]
    return {"source": f"p.json #{number}", "verdict": verdict, "summary": verdict.upper(), "checks": checks,
            "credential": {}, "certifies": certifies, "warnings": [w for w in [flag("holder name", name)] if w],
            "checked_at": ""}  # fmt: skip


def test_a_passport_s_lines_say_its_holder_s_names_what_to_read_closely_and_what_is_not_confirmed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    inner = [credential(1, "Amina Haddad", "valid"), credential(2, LOOKALIKE, "valid"),
             credential(3, "Amina Haddad", "could not determine")]  # fmt: skip
    checks = [{"name": "holder signature", "outcome": "pass", "message": "signed", "evidence": {}}]
    answer = {"source": "p.json", "kind": "passport", "verdict": "could not determine", "summary": "COULD NOT",
              "holder": HOLDER, "checks": checks, "competencies": summarise(inner, HOLDER, checks),
              "credentials": inner}  # fmt: skip
    print_report(_as_report(answer))
    lines = capsys.readouterr().out.splitlines()
    assert f'    holder named differently by the credentials: "Amina Haddad" (#1); "{LOOKALIKE}" (#2)' in lines, lines
    warned = [line for line in lines if "! warning:" in line]
    assert warned == [f'    ! warning: holder name "{LOOKALIKE}": the word "\u0410mina" mixes Latin and Cyrillic '
                      "letters, which look alike: it may imitate another name"]  # fmt: skip
    third = lines.index("  p.json #3: COULD NOT DETERMINE")
    assert lines[third + 1] == "    What the file says, not confirmed yet: the checks below could not all be made."
    assert lines[third + 2] == "    Welding 3 — EQF level 4"
    assert sum("not confirmed" in line for line in lines) == 1  # over the undetermined one only
    # Under a root not trusted, the issuer's name is said to be that chain's word only (any name may be given).
    capsys.readouterr()
    print_report(_as_report(credential(4, "Amina Haddad", "root not trusted")))
    issuer = [line for line in capsys.readouterr().out.splitlines() if "issuer:" in line]
    assert issuer == ["    issuer: Academy B.V. (did:ebsi:zAcademy), as its accreditation names it, under a root you "
                      "have not said you trust"]  # fmt: skip


def test_a_passport_s_national_equivalents_name_the_authority_the_level_the_conditions_and_say_none_as_such(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`verify --recognised-in` on a passport: the summary's line names whose decisions, says each
    equivalent's level as "level N of FRAMEWORK" with its conditions, and none in force as such."""
    decision = {"id": "0x0b54", "qualification": "Soudeur/se", "framework_name": "French framework", "level": "3",
                "conditions": "after a practical test"}  # fmt: skip
    found = {"authority": "did:ebsi:zHome", "authority_name": "Home Vocational Authority", "outcome": "recognised",
             "message": "recognised here as …", "decisions": [decision], "not_applying": []}  # fmt: skip
    gone = {**found, "outcome": "none", "decisions": [], "message": "not recognised here as of …: decision suspended"}
    unread = {
        **gone,
        "outcome": "could not check",
        "message": "could not check recognition: the registry could not be read",
    }
    for finding, said in ((found, "#1 Soudeur/se (level 3 of French framework, conditions: after a practical test)"),
                          (gone, "none in force (each credential's recognition line says why)"),
                          (unread, "could not check (each credential's recognition line says why)")):  # fmt: skip
        inner = [{**credential(1, "Amina Haddad", "valid"), "recognition": finding}]
        answer = {"source": "p.json", "kind": "passport", "verdict": "valid", "summary": "VALID", "holder": HOLDER,
                  "checks": [], "competencies": summarise(inner, HOLDER, []), "credentials": inner}  # fmt: skip
        print_report(_as_report(answer))
        lines = capsys.readouterr().out.splitlines()
        assert f"  national equivalents by Home Vocational Authority: {said}" in lines, lines


def test_one_name_written_differently_is_said_to_be_one_name_in_english_french_and_arabic(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "Amina Yusuf" and "Amina  Yusuf" (two spaces) are one name: said so, with how the writings
    differ; a third, different name is still said as another name."""
    from registry import i18n

    inner = [credential(1, "Amina Yusuf", "valid"), credential(2, "Amina  Yusuf", "valid")]
    answer = {"source": "p.json", "kind": "passport", "verdict": "valid", "summary": "VALID", "holder": HOLDER,
              "checks": [], "competencies": summarise(inner, HOLDER, []), "credentials": inner}  # fmt: skip
    said = {
        "en": 'holder\'s name written differently by the credentials, one name (spacing): "Amina Yusuf" (#1); '
              '"Amina  Yusuf" (#2)',
        "fr": 'nom du titulaire écrit différemment selon les attestations, un seul nom (espacement)\u00a0: '
              '"Amina Yusuf" (#1)\u00a0; "Amina  Yusuf" (#2)',
        "ar": 'اسم الحامل مكتوب بطرق مختلفة في الشهادات، وهو اسم واحد (المسافات): "Amina Yusuf" (#1)\u061b '
              '"Amina  Yusuf" (#2)',
    }  # fmt: skip
    try:
        for language, line in said.items():
            i18n.use(language)
            print_report(_as_report(answer))
            assert "    " + line in capsys.readouterr().out.splitlines()
    finally:
        i18n.use("en")
    inner.append(credential(3, "Amina Haddad", "valid"))
    answer["competencies"] = summarise(inner, HOLDER, [])
    print_report(_as_report(answer))
    assert (
        '    holder named differently by the credentials: "Amina Yusuf" (#1) / "Amina  Yusuf" (#2): the same '
        'name, written differently (spacing); "Amina Haddad" (#3)'
    ) in capsys.readouterr().out.splitlines()


def test_a_check_the_service_could_not_make_is_said_in_the_run_s_language() -> None:
    """`verify --service` (and the page, by the same catalog): the service's own words for a chain node it
    cannot reach (it never names the node) were English in French and Arabic."""
    from registry import i18n
    from registry.i18n.words import check_message

    said = "could not check: cannot reach the service's chain node: connection refused or host unreachable"
    try:
        i18n.use("fr")
        assert check_message(said).startswith("vérification impossible\u00a0: le nœud de chaîne du service")
    finally:
        i18n.use(i18n.DEFAULT)
    assert check_message(said) == said
