"""A passport's summary of competencies, from its reports' JSON (pure): skills and occupations
grouped with the highest EQF level behind each, only VALID credentials counting, every credential
listed with its verdict, nothing counting when any of the passport's own checks fails."""

from __future__ import annotations

from typing import Any

import pytest

from registry.ops.verify.summary import summarise

ISSUER = {"did": "did:ebsi:zAcademy", "name": "Academy B.V."}
WELD = {"uri": "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314", "label": "apply arc welding"}
SAFE = {"uri": "http://data.europa.eu/esco/skill/51754b8a-3e2c-4cc1-86e6-cf510d9c6fe4", "label": "use protection"}
WELDER = {"uri": "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b", "label": "welder"}
HOLDER_CHECKS_PASS = [{"name": n, "outcome": "pass"} for n in ("presentation", "holder signature", "holder binding")]


def report(name: str, verdict: str, eqf: int | None, skills: list[Any], occupations: list[Any] = ()) -> Any:  # type: ignore[assignment]
    return {
        "source": name, "verdict": verdict, "summary": verdict.upper(), "checks": [],
        "credential": {"achievement": name, "issuer": ISSUER["did"], "issued": "2026-01-01T00:00:00Z"},
        "certifies": {
            "name": name, "skills": skills, "occupations": list(occupations), "eqf_level": eqf,
            "issued": "2026-01-02T00:00:00Z", "valid_until": None, "issuer": ISSUER,
            "holder": {"did": "did:key:zAmina", "name": "Amina Haddad", "document": None},
        },
        "checked_at": "2026-12-07T00:00:00Z",
    }  # fmt: skip


def test_valid_credentials_count_grouped_by_skill_with_the_highest_eqf_level() -> None:
    reports = [
        report("MIG welding 1", "valid", 3, [WELD]),
        report("MIG welding 2", "valid", 4, [WELD, SAFE], [WELDER]),
        report("TIG welding", "revoked", 5, [WELD]),
        report("Safety", "could not determine", 6, [SAFE]),
    ]
    summary = summarise(reports, "did:key:zAmina", HOLDER_CHECKS_PASS)
    assert summary["counted"] == 2 and summary["highest_eqf_level"] == 4  # the revoked EQF 5 does not count
    assert [(a["label"], a["eqf_level"], a["credentials"]) for a in summary["skills"]] == [
        ("apply arc welding", 4, [1, 2]),
        ("use protection", 4, [2]),  # the EQF 6 behind it could not be checked: it does not count
    ]
    assert [(a["label"], a["eqf_level"]) for a in summary["occupations"]] == [("welder", 4)]
    assert summary["issuers"] == [ISSUER]
    assert [(p["number"], p["verdict"], p["counted"]) for p in summary["programmes"]] == [
        (1, "valid", True), (2, "valid", True), (3, "revoked", False), (4, "could not determine", False),
    ]  # fmt: skip
    assert summary["holder"]["name"] == "Amina Haddad"
    assert "2 of 4" in summary["note"]


def test_nothing_counts_when_the_passport_fails_its_holder_check() -> None:
    checks = [{"name": "holder binding", "outcome": "fail"}]
    summary = summarise([report("MIG welding", "valid", 4, [WELD])], "did:key:zAmina", checks)
    assert summary["counted"] == 0 and summary["skills"] == [] and summary["highest_eqf_level"] is None
    assert summary["programmes"][0]["verdict"] == "valid" and not summary["programmes"][0]["counted"]
    assert "holder binding" in summary["note"]


@pytest.mark.parametrize("check", ["audience", "nonce", "presentation time", "distinct credentials"])
def test_nothing_counts_when_the_passport_fails_any_of_its_own_checks(check: str) -> None:
    """A passport made for another audience (or expired, or replayed) is INVALID: what its valid
    credentials certify is not presented as certified."""
    checks = [*HOLDER_CHECKS_PASS, {"name": check, "outcome": "fail"}]
    summary = summarise([report("MIG welding", "valid", 4, [WELD], [WELDER])], "did:key:zAmina", checks)
    assert summary["counted"] == 0 and summary["highest_eqf_level"] is None and summary["issuers"] == []
    assert summary["skills"] == [] and summary["occupations"] == []
    assert [(p["verdict"], p["counted"]) for p in summary["programmes"]] == [("valid", False)]
    assert summary["note"] == f"nothing counts: the passport failed its {check} check"


def test_a_credential_that_did_not_parse_is_listed_by_what_its_report_says() -> None:
    broken = {"source": "x", "verdict": "invalid", "summary": "INVALID: format", "checks": [], "credential": {},
              "certifies": None, "checked_at": ""}  # fmt: skip
    summary = summarise([broken, report("Safety", "valid", None, [SAFE])], None, HOLDER_CHECKS_PASS)
    assert summary["programmes"][0]["name"] is None and summary["programmes"][0]["verdict"] == "invalid"
    assert summary["highest_eqf_level"] is None and summary["skills"][0]["eqf_level"] is None
    assert summary["counted"] == 1


def test_credentials_naming_their_holder_differently_are_said_each_with_its_name() -> None:
    """One person by her DID, named otherwise by two issuers (a look-alike: a Cyrillic A): the summary
    says every name with the credentials giving it, not the first alone; one name gives no list."""
    first, second, third = (report(n, "valid", 3, [WELD]) for n in ("MIG 1", "MIG 2", "MIG 3"))
    second["certifies"]["holder"] = {**second["certifies"]["holder"], "name": "\u0410mina Haddad"}
    summary = summarise([first, second, third], "did:key:zAmina", HOLDER_CHECKS_PASS)
    assert summary["holder"]["name"] == "Amina Haddad"
    assert summary.get("holder_names") == [
        {"name": "Amina Haddad", "credentials": [1, 3]},
        {"name": "\u0410mina Haddad", "credentials": [2]},
    ]
    assert "holder_names" not in summarise([first, third], "did:key:zAmina", HOLDER_CHECKS_PASS)


def test_an_attestation_counts_only_its_occupation_and_no_eqf_level() -> None:
    """Anyone may register a DID and sign a work-experience attestation (assurance "registered
    organisation"): the EQF level and skills it names are its word, never certified. It made
    highest_eqf_level 7 and "apply arc welding" EQF 7 from a stranger's attestation."""
    attestation = report("Master of Nursing", "valid", 7, [WELD], [WELDER])
    assured = {"name": "assurance", "outcome": "pass", "evidence": {"assurance": "registered organisation"}}
    attestation["checks"] = [assured]
    summary = summarise([attestation], "did:key:zAmina", HOLDER_CHECKS_PASS)
    assert summary["highest_eqf_level"] is None and summary["skills"] == []
    assert [(a["label"], a["eqf_level"]) for a in summary["occupations"]] == [("welder", None)]
    assert [(p["eqf_level"], p.get("assurance"), p["counted"]) for p in summary["programmes"]] == [
        (None, "registered organisation", True)
    ]
    accredited = summarise([report("MIG welding", "valid", 4, [WELD]), attestation], None, HOLDER_CHECKS_PASS)
    assert accredited["highest_eqf_level"] == 4 and [a["eqf_level"] for a in accredited["skills"]] == [4]
    # The employer's self-given name is not listed among the issuers beside accredited ones (it was:
    # "Stahlbau GmbH" read as an issuer of the passport, forced once); its own line names it, badged.
    attestation["certifies"]["issuer"] = {"did": "did:ebsi:zStranger", "name": "Stahlbau GmbH"}
    both = summarise([report("MIG welding", "valid", 4, [WELD]), attestation], None, HOLDER_CHECKS_PASS)
    assert both["issuers"] == [ISSUER], both["issuers"]
    assert both["programmes"][1]["issuer"]["name"] == "Stahlbau GmbH" and both["programmes"][1]["assurance"]


def test_one_name_written_differently_is_one_name_said_so_and_another_name_stays_another() -> None:
    """Spacing, letter case and Unicode form (composed or decomposed accents) are one name written
    differently: one entry with its writings and how they differ, never two holders. A look-alike of
    another script, a zero-width character or another letter stays another name."""
    nfd = "Ami\u0301na Yusuf"  # the í decomposed: an i and a combining acute accent
    named = ["Am\u00edna Yusuf", "Am\u00edna  Yusuf", "am\u00edna yusuf", nfd, "\u0410m\u00edna Yusuf",
             "Am\u00edna\u200b Yusuf", "Amina Yusuf"]  # fmt: skip
    reports = [report(f"MIG {n}", "valid", 3, [WELD]) for n in range(len(named))]
    for item, name in zip(reports, named, strict=True):
        item["certifies"]["holder"] = {**item["certifies"]["holder"], "name": name}
    names = summarise(reports, "did:key:zAmina", HOLDER_CHECKS_PASS)["holder_names"]
    assert names[0] == {
        "name": "Am\u00edna Yusuf", "credentials": [1, 2, 3, 4],
        "written": [{"name": n, "credentials": [i]} for i, n in enumerate(named[:4], 1)],
        "differences": ["Unicode form", "spacing", "letter case"],
    }  # fmt: skip
    assert names[1:] == [{"name": n, "credentials": [i]} for i, n in enumerate(named[4:], 5)]
    # The same name in two writings only: one entry, with its writings (the faces say "one name").
    alone = summarise(reports[:2], "did:key:zAmina", HOLDER_CHECKS_PASS)
    assert [n["name"] for n in alone["holder_names"]] == ["Am\u00edna Yusuf"]
    assert alone["holder_names"][0]["differences"] == ["spacing"]
    assert alone["holder"]["name"] == "Am\u00edna Yusuf"
