"""The translations (registry/i18n, registry/locale/*/LC_MESSAGES/registry.po): every message the
code marks, extracted now by Babel from the Python, the page's scripts and its HTML, has a
translation in every catalog, with the same {fields}; the CLI's words cover every check and verdict
the verifier has; and the language of a run is chosen as documented."""

from __future__ import annotations

import re
import tokenize
import tomllib
from pathlib import Path

import pytest

from registry import i18n
from registry.errors import InputError
from registry.i18n.errorwords import error_message
from registry.i18n.extract import LOCALE, missing, read, template
from registry.i18n.words import (
    CHECK_LABELS,
    VERDICT_WORDS,
    check_label,
    check_message,
    headline,
    summary_note,
)
from registry.ops.trust.trustlist import no_list_hint
from registry.ops.verify.report import Code, verdict_of
from registry.ops.verify.shapes import Outcome, Verdict
from registry.ops.verify.summary import _note

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


@pytest.fixture(scope="module")
def pot():  # type: ignore[no-untyped-def]
    return template()


@pytest.fixture(autouse=True)
def _english_after() -> object:
    yield
    i18n.use(i18n.DEFAULT)


def test_the_template_holds_the_verdicts_checks_and_the_pages_words(pot) -> None:  # type: ignore[no-untyped-def]
    ids = {m.id for m in pot if m.id}
    # Python (i18n/words.py, cli/output.py), the page's script, its HTML text and a placeholder.
    expected = {"VALID: every check passed", "revocation status", "Valid", "Check a skills credential",
                "…or paste it here", "The service did not answer. Check your connection and try again."}  # fmt: skip
    assert expected <= ids
    assert any(m.id and "SKC1" in m.id for m in pot)
    assert len(ids) > 200


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalog_translates_every_message(code: str, pot) -> None:  # type: ignore[no-untyped-def]
    assert missing(code, pot) == [], f"registry/locale/{code}: run `python -m registry.i18n.extract update`, translate"


def test_a_catalog_that_misses_a_message_is_caught(pot) -> None:  # type: ignore[no-untyped-def]
    book = read("fr")
    book.delete("VALID: every check passed")
    book.get("revocation status").string = ""  # type: ignore[union-attr]
    book.get("Valid").flags.add("fuzzy")  # type: ignore[union-attr]
    assert sorted(missing("fr", pot, book)) == ["VALID: every check passed", "Valid", "revocation status"]


_FIELD = re.compile(r"\{(\w*)\}")


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_fields_of_their_message(code: str) -> None:
    for message in read(code):
        if not message.id:
            continue
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            assert set(_FIELD.findall(form)) == set(_FIELD.findall(source)), (code, message.id, form)


def test_the_cli_names_every_check_and_verdict_the_verifier_has() -> None:
    assert set(CHECK_LABELS) == {code.label for code in Code}
    assert set(VERDICT_WORDS) == {str(verdict) for verdict in Verdict}


def _summary(code: Code, outcome: Outcome, message: str = "the facts") -> str:
    rows = [(Code.FORMAT, Outcome.PASS, "ok", {}), (code, outcome, message, {})]
    return verdict_of(rows)[1]  # type: ignore[arg-type]


def test_every_verdict_line_the_verifier_writes_is_translated() -> None:
    lines = [
        _summary(Code.SIGNATURE, Outcome.PASS),
        _summary(Code.REVOCATION_STATUS, Outcome.FAIL),
        _summary(Code.SUSPENSION_STATUS, Outcome.FAIL),
        _summary(Code.SIGNATURE, Outcome.FAIL),
        _summary(Code.ANCHOR, Outcome.UNKNOWN),
        _summary(Code.TRUSTED_ROOT, Outcome.FAIL),
    ]
    i18n.use("fr")
    assert [headline(line) for line in lines] == [
        "VALIDE\u00a0: toutes les vérifications ont réussi",
        "RÉVOQUÉE\u00a0: the facts",
        "SUSPENDUE\u00a0: the facts",
        "NON VALIDE\u00a0: signature\u00a0: the facts",
        "INDÉTERMINÉ\u00a0: the facts",
        "RACINE NON RECONNUE\u00a0: authentique et ancrée\u00a0; the facts",
    ]
    i18n.use("ar")
    assert headline(lines[0]) == "صالحة: نجحت جميع عمليات التحقق"
    assert check_label("revocation status") == "حالة الإلغاء"
    i18n.use("en")
    assert [headline(line) for line in lines] == lines
    assert headline("something else: untouched") == "something else: untouched"


def test_the_commonest_messages_and_a_passports_note_are_translated() -> None:
    notes = [_note(1, 1, []), _note(3, 3, []), _note(1, 2, []), _note(0, 2, ["holder signature", "holder binding"])]
    i18n.use("fr")
    assert [summary_note(note) for note in notes] == [
        "son attestation est valide et compte",
        "les 3 attestations sont valides et comptent",
        "attestations valides et retenues\u00a0: 1 sur 2\u00a0; les autres sont listées avec leur verdict",
        "rien ne compte\u00a0: le passeport a échoué à la vérification signature du titulaire, lien au titulaire",
    ]
    assert check_message("not revoked") == "non révoquée"
    assert check_message("valid from 2026-01-01T00:00:00Z with no expiry date") == (
        "valable à partir du 2026-01-01T00:00:00Z, sans date d’expiration"  # noqa: RUF001 (French apostrophe)
    )
    assert check_message("valid with no start date until 2027-01-01T00:00:00Z") == (
        "valable sans date de début, jusqu’au 2027-01-01T00:00:00Z"  # noqa: RUF001 (French apostrophe)
    )
    assert check_message("revoked for fraud") == "revoked for fraud"  # a message it has no words for: as written
    # A revocation's reason, when it is one of the chain's codes; an expiry; whom a passport was made for.
    when = "2026-01-01T00:00:00Z"
    assert check_message(f"revoked on {when}: fraud or misrepresentation") == (
        f"révoquée le {when}\u00a0: fraude ou fausse déclaration"
    )
    assert (
        check_message(f"suspended on {when}: a reason of its own") == f"suspendue le {when}\u00a0: a reason of its own"
    )
    assert check_message(f"expired on {when}") == f"expirée le {when}"
    offline = "could not check: cannot reach the chain at http://127.0.0.1:9: connection refused or host unreachable"
    assert check_message(offline).startswith("vérification impossible\u00a0: la chaîne à http://127.0.0.1:9 ne")
    assert (
        check_message("made for 'Bâtiment Sàrl', not for 'Autre SA'")
        == "établi pour 'Bâtiment Sàrl', pas pour 'Autre SA'"
    )
    assert check_message("not checked (made for 'X, Y'): give --audience to check") == (
        "non vérifié (établi pour 'X, Y')\u00a0: donnez --audience pour le vérifier"
    )
    # A worker's commonest errors; any other stays English.
    assert error_message("no such file: my passport.json") == "fichier introuvable\u00a0: my passport.json"
    replaced = "a.json existe déjà\u00a0; il n\u2019est pas remplacé"
    assert error_message("a.json already exists; not overwriting it") == replaced
    assert error_message("the issuer is not accredited") == "the issuer is not accredited"
    # What an employer reads of a root her trust list leaves out (and of one it names): the root's and the
    # list's phrases too; a list phrase it has no words for stays as written inside the translated line.
    pinned = 'the trust list "Employer GmbH" as pinned to chain 31337\'s registry deployed in block 1'
    root = 'did:ebsi:zR (self-declared name "National Authority", not from a trust list)'
    untrusted = f"the issuer is accredited under Root TAO {root}, which is not in {pinned}"
    assert check_message(untrusted) == (
        "l\u2019émetteur est accrédité sous l\u2019autorité de tête (Root TAO) did:ebsi:zR "
        "(nom déclaré par elle-même «\u00a0National "
        "Authority\u00a0», pas d\u2019une liste de confiance), qui ne figure pas dans la liste de confiance "
        "«\u00a0Employer GmbH\u00a0», épinglée au registre de la chaîne 31337 déployé au bloc 1"
    )
    assert headline(f"ROOT NOT TRUSTED: genuine and anchored; {untrusted}").startswith(
        "RACINE NON RECONNUE\u00a0: authentique et ancrée\u00a0; l\u2019émetteur est accrédité sous "
        "l\u2019autorité de tête (Root TAO)"
    )
    assert check_message("now: accredited through an unbroken chain to Root TAO did:ebsi:zR (A), which the "
                         "service's trust list trusts") == (
        "maintenant\u00a0: émetteur accrédité par une chaîne ininterrompue jusqu\u2019à "
        "l\u2019autorité de tête (Root TAO) did:ebsi:zR (A), à "
        "laquelle la liste de confiance du service fait confiance"
    )  # fmt: skip
    assert check_message("the issuer is accredited under Root TAO did:ebsi:zR, which is not in my list") == (
        "l\u2019émetteur est accrédité sous l\u2019autorité de tête (Root TAO) did:ebsi:zR, "
        "qui ne figure pas dans my list"
    )
    hint = no_list_hint("did:ebsi:zR")  # no trust list at all: what to do, in French too
    said = check_message(
        f"the issuer is accredited under Root TAO did:ebsi:zR, which you have not said you trust {hint}"
    )
    assert said.startswith(
        "l\u2019émetteur est accrédité sous l\u2019autorité de tête (Root TAO) did:ebsi:zR, que vous n\u2019avez pas"
    )
    assert said.endswith("(pas de liste de confiance\u00a0: donnez --trust-list FICHIER, ou faites-en une par défaut "
                         "avec `registry trust-list add did:ebsi:zR --name NOM --registry DEPLOYMENT.json`, avec le "
                         "fichier de déploiement de son registre tel que la racine le publie)")  # fmt: skip
    i18n.use("ar")
    assert check_message(f"revoked on {when}: issued in error") == f"أُلغيت في {when}: صدرت خطأً"
    assert check_message(f"at issuance: accredited through an unbroken chain to Root TAO {root}").startswith(
        "عند الإصدار: الجهة المُصدِرة معتمدة عبر سلسلة غير منقطعة حتى الجهة العليا (Root TAO) did:ebsi:zR (اسم أعلنته"
    )
    i18n.use("en")


def test_a_file_not_hers_and_a_days_hours_are_said_in_the_workers_language() -> None:
    """A file not hers in a passport (passport create), and hours as the language writes them (CLDR through
    Babel: 2,5 in French; Latin digits and "." in Arabic)."""
    i18n.use("fr")
    try:
        about = "c.json is about did:key:z2dm…Mje9, not the holder amina (did:key:z2dm…3GAB): a passport holds only"
        assert error_message(f"{about} its holder's own credentials") == (
            "c.json concerne did:key:z2dm…Mje9, pas le titulaire amina (did:key:z2dm…3GAB)\u00a0: un passeport ne "
            "contient que les attestations de son propre titulaire"
        )
        claimed = (
            "the entries dated 2026-03-02 would claim 25.5 h, more than a day's 24 h: record the hours worked that day"
        )
        assert error_message(claimed).startswith("les entrées du 2026-03-02 compteraient 25,5 h, plus que les 24 h")
        # A file of ours that is not a credential, named by what it is (the words held to formats' own).
        from registry.formats.holderfile import OTHER_FILES, OTHER_TOKENS
        from registry.i18n.errorwords import OTHER_FILES as SAID
        from registry.i18n.errorwords import OTHER_TOKENS as SAID_TOKENS

        assert tuple(OTHER_FILES.values()) == SAID and tuple(OTHER_TOKENS.values()) == SAID_TOKENS
        backup = f"b.json is not a credential file but {OTHER_FILES['skills-wallet-backup/1']}"
        assert error_message(backup) == (
            "b.json n\u2019est pas un fichier d\u2019attestation mais une sauvegarde de portefeuille\u00a0: "
            "restaurez-la avec `registry wallet import-backup FILE`"
        )
        # A centre's clerk's commonest: an EQF level out of range.
        assert error_message("EQF level must be 1 to 8, not 12") == "le niveau CEC va de 1 à 8, pas 12"
        # `wallet show` given something that is not a credential's id.
        wrong_id = "'1' is not a credential id (4+ of the hex digits `wallet list` shows)"
        assert error_message(wrong_id).startswith("'1' n\u2019est pas l\u2019identifiant d\u2019une attestation")
        i18n.use("ar")
        assert error_message(wrong_id).startswith("'1' ليس معرّف شهادة")
        assert error_message(claimed).startswith("قيود يوم 2026-03-02 ستُحصي 25.5 ساعة")  # Babel's ar: Latin digits, "."
    finally:
        i18n.use(i18n.DEFAULT)


def test_the_language_of_a_run() -> None:
    assert i18n.choose(None, {}) == "en"
    assert i18n.choose(None, {"LANG": "fr_FR.UTF-8"}) == "fr"
    assert i18n.choose(None, {"LANG": "de_DE.UTF-8"}) == "en"  # a language nobody translated
    assert i18n.choose(None, {"LANG": "fr_FR.UTF-8", "LC_ALL": "C.UTF-8"}) == "en"  # LC_ALL first, as POSIX
    assert i18n.choose(None, {"LANG": "en_GB.UTF-8", "LC_MESSAGES": "ar_EG.UTF-8"}) == "ar"
    assert i18n.choose(None, {"LC_ALL": "fr_FR.UTF-8", "REGISTRY_LANG": "ar"}) == "ar"
    assert i18n.choose("FR", {"REGISTRY_LANG": "ar"}) == "fr"
    for option, env in (("xx", {}), (None, {"REGISTRY_LANG": "klingon"})):
        with pytest.raises(InputError, match="is not a language of this registry: use one of en, fr, ar"):
            i18n.choose(option, env)
    assert i18n.direction("ar") == "rtl" and i18n.direction("fr") == "ltr"


def test_plural_forms_follow_each_language() -> None:
    i18n.use("ar")
    forms = [i18n.ngettext("{n} credential checked", "{n} credentials checked", n).format(n=n) for n in (1, 2, 5, 11)]
    assert forms == ["فُحصت شهادة واحدة (1)", "فُحصت شهادتان (2)", "فُحصت 5 شهادات", "فُحصت 11 شهادة"]
    i18n.use("fr")
    assert i18n.ngettext("{n} credential checked", "{n} credentials checked", 1) == "{n} attestation vérifiée"
    assert i18n.ngettext("{n} credential checked", "{n} credentials checked", 3) == "{n} attestations vérifiées"


def test_the_catalogs_ship_in_the_wheel() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["registry"]
    shipped = {path for pattern in data for path in (ROOT / "registry").glob(pattern)}
    for code in TRANSLATED:
        assert LOCALE / code / "LC_MESSAGES" / "registry.po" in shipped
    assert ROOT / "registry" / "service" / "static" / "i18n.js" in shipped


def test_no_message_hides_inside_an_f_string() -> None:
    """Before Python 3.12 an f-string is one token, and the extractor cannot see a `_()` inside it:
    its message would never reach a catalog and would stay English."""
    hidden = []
    for path in sorted((ROOT / "registry").rglob("*.py")):
        with path.open("rb") as handle:
            for token in tokenize.tokenize(handle.readline):
                prefix = re.match(r"[A-Za-z]*", token.string)
                fstring = token.type == tokenize.STRING and prefix and "f" in prefix.group().lower()
                if fstring and re.search(r"\b(_|N_|ngettext)\(", token.string):
                    hidden.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert hidden == []


def test_a_passport_of_one_credential_says_so_in_the_singular() -> None:
    from types import SimpleNamespace

    from registry.ops.verify.presentation import _passport_verdict

    one = [SimpleNamespace(verdict=Verdict.VALID)]  # only the verdict is read: a stand-in for a report
    assert _passport_verdict([], one) == (Verdict.VALID, "VALID: its credential is valid")  # type: ignore[arg-type]
    assert _passport_verdict([], one * 2)[1] == "VALID: all 2 credentials valid"  # type: ignore[arg-type]
    i18n.use("fr")
    assert headline("VALID: its credential is valid") == "VALIDE\u00a0: son attestation est valide"


def test_french_puts_a_no_break_space_before_double_punctuation() -> None:
    # French typography: a space before : ; ? ! that never breaks the line (U+00A0, everywhere).
    for message in read("fr"):
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            assert not re.search(r"(?<![\s\u00a0(])[:;?!](?=\s|$)", form), (message.id, form)
            assert not re.search(r" [:;?!]", form), (message.id, form)


def test_the_verifier_lines_of_every_valid_credential_are_translated() -> None:
    """Format, registry, assurance and quorum: each word for word as the verifier writes it, in every language;
    the root's name and the no-trust-list hints defined once (words.py) for `verify` and `issuer check` alike."""
    from registry.formats.rpl import ATTESTATION_TYPE  # noqa: F401 (the attestation's module loads)
    from registry.i18n import trustwords, words
    from registry.ops.trust.trustlist import unpinned_hint
    from registry.ops.verify import offline
    from registry.ops.verify.attestations import assurance_row
    from registry.ops.verify.report import POLICIES, SINGLE_NODE_NOTE
    from registry.service.routers.common import no_list_hint as service_hint

    written = [*offline._WELL_FORMED.values(), offline._WELL_FORMED_EDC, offline._WELL_FORMED_V1,
               assurance_row()[2], SINGLE_NODE_NOTE]  # fmt: skip
    assert set(written) <= set(words._MESSAGES) and set(words.POLICIES) == set(POLICIES)
    assert not any(name in vars(trustwords) for name in ("_SELF_DECLARED", "_NO_LIST"))  # one definition: words.py
    i18n.use("fr")
    assert [check_message(line) for line in written[:3]] == [
        "un vc+jwt VCDM 2.0 bien formé", "un vc+jwt VCDM 2.0 bien formé (un justificatif numérique européen Europass)",
        "un JWT-VC EBSI (VCDM 1.1) bien formé",
    ]  # fmt: skip
    assert check_message("checked in the registry the file names, chain 31337's registry deployed in block 1") == (
        "vérifiée dans le registre que nomme le fichier, le registre de la chaîne 31337 déployé au bloc 1"
    )
    assert check_message(SINGLE_NODE_NOTE).startswith("lu sur un seul nœud\u00a0: confiance dans l\u2019opérateur")
    root = 'did:ebsi:zR (self-declared name "A", not from a trust list)'
    listed = 'the trust list "L"'
    unpinned = (
        f"the issuer is accredited under Root TAO {root}, which is not in {listed} {unpinned_hint('did:ebsi:zR')}"
    )
    said = check_message(unpinned)
    assert said.startswith(
        "l\u2019émetteur est accrédité sous l\u2019autorité de tête (Root TAO) did:ebsi:zR (nom déclaré par elle-même"
    )
    assert said.endswith(
        "qui ne figure pas dans la liste de confiance «\u00a0L\u00a0» (votre liste la nomme, mais pas dans ce "
        "registre\u00a0: si vous l\u2019acceptez ici, `registry trust-list add did:ebsi:zR --registry DEPLOYMENT.json` "
        "avec le fichier de déploiement de ce registre, tel que sa racine le publie)"
    )
    hint = service_hint("did:ebsi:zR")
    served = check_message(f"the issuer is accredited under Root TAO {root}, which you have not said you trust {hint}")
    assert served.endswith(
        "(ce service n\u2019a pas de liste de confiance\u00a0: envoyez les autorités de tête (Root TAO) que vous "
        "acceptez dans "
        '«\u00a0trustList\u00a0» de la requête, p. ex. "trustList"\u00a0: ["did:ebsi:zR"], ou son opérateur '
        "les nomme avec `registry serve --trust-list FILE`)"
    )
    # `issuer check` reads the root's self-declared name and the hint with the verifier's words.
    checked = trustwords.summary(f"accredited through an unbroken chain to Root TAO {root}")
    assert checked.endswith(
        "did:ebsi:zR (nom déclaré par elle-même «\u00a0A\u00a0», pas d\u2019une liste de confiance)"
    )
    i18n.use("ar")
    assert check_message(assurance_row()[2]).startswith("شهادة خبرة عملية من جهة مسجّلة")
    assert (
        check_message("checked in chain 7's registry deployed in block 9")
        == "جرى التحقق في سجل السلسلة 7 المنشور في الكتلة 9"
    )


def test_an_attestation_counts_marked_and_an_achievement_type_has_a_label() -> None:
    """A work-experience attestation (registered, not accredited) is VALID and counts, as the README says, and
    its summary line says what vouches for it; a credential's type is shown by its label, the JSON keeps the value."""
    from registry.i18n.words import POLICIES, achievement_type, programme_verdict
    from registry.ops.verify.summary import summarise

    assurance = {
        "name": "assurance",
        "outcome": "pass",
        "message": "m",
        "evidence": {"assurance": "registered organisation"},
    }
    attested = {"verdict": "valid", "checks": [assurance], "certifies": {"name": "Work experience: welder"}}
    accredited = {"verdict": "root not trusted", "checks": [], "certifies": {"name": "MIG/MAG welding"}}
    summary = summarise([accredited, attested], None)  # type: ignore[list-item]
    first, second = summary["programmes"]
    assert "assurance" not in first and second["assurance"] == "registered organisation" and second["counted"]
    assert summary["counted"] == 1
    assert programme_verdict(second) == "VALID (attestation by a registered organisation, not accredited)"
    assert achievement_type("ext:WorkExperience") == "Work experience" and achievement_type("x:Own") == "x:Own"
    i18n.use("fr")
    assert programme_verdict(second) == "VALIDE (attestation par un organisme enregistré, non accrédité)"
    assert programme_verdict({**second, "counted": False}) == (
        "VALIDE en soi, non comptée (attestation par un organisme enregistré, non accrédité)"
    )
    assert (achievement_type("ext:WorkExperience"), achievement_type("Certificate")) == (
        "Expérience professionnelle",
        "Certificat",
    )
    assert i18n._(POLICIES["issuance"]) == "à l\u2019émission"
    i18n.use("ar")
    assert programme_verdict(second) == "صالحة (شهادة من جهة مسجّلة، غير معتمدة)"
    assert achievement_type("Competency") == "كفاءة" and i18n._(POLICIES["now"]) != "now"


def test_the_issuer_check_s_lines_are_read_back_in_french() -> None:
    """`issuer check`'s summary and link messages (ops/trust) in the run's language, each part of them
    in turn (the root, the trust list, what a scope does not cover, a reason); another shape as written."""
    from registry.i18n.trustwords import link_message, summary

    i18n.use("fr")
    assert summary("did:ebsi:zX holds no accreditation in the trusted issuers registry") == (
        "did:ebsi:zX n\u2019a aucune accréditation dans le registre des émetteurs de confiance"
    )
    assert summary('the chain ends at Root TAO did:ebsi:zR, which is not in the trust list "Ours"') == (
        "la chaîne s\u2019arrête à l\u2019autorité de tête (Root TAO) did:ebsi:zR, qui n\u2019est pas dans "
        "la liste de confiance «\u00a0Ours\u00a0»"
    )
    assert link_message("not accredited for RPLAssessmentCredential (its accreditation covers SkillsCredential)") == (
        "pas accréditée pour RPLAssessmentCredential (son accréditation couvre SkillsCredential)"
    )
    assert link_message(
        "accreditation suspended on 2026-01-02T10:00:00Z and not reinstated by 2026-01-03T23:59:59Z "
        "(reason: audit pending)"
    ) == (
        "accréditation suspendue le 2026-01-02T10:00:00Z et non rétablie au 2026-01-03T23:59:59Z "
        "(motif\u00a0: audit en cours)"
    )
    from registry.i18n.trustwords import undetermined

    assert undetermined(
        "2030-01-01T23:59:59Z is in the future, later than the chain's newest block (2026-12-07T14:59:32Z); what "
        "happens until then is not known yet"
    ).startswith("le 2030-01-01T23:59:59Z est dans le futur, après le bloc le plus récent de la chaîne (2026-12-07")
    assert summary("the chain is broken above did:ebsi:zX: its parent's accreditation is missing") == (
        "the chain is broken above did:ebsi:zX: its parent's accreditation is missing"
    )


def test_the_logbook_s_numbers_lists_and_sync_lines_follow_the_run_s_language(capsys, pot) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from registry.cli.commands.logbook_report import _tally, entry_line
    from registry.cli.commands.logbook_sync import _said
    from registry.ops.logbook.sync import Synced

    # The page's messages inside a template literal's `${...}` are extracted too (and so translated).
    assert {"{hours} h backdated, not counted", "{hours} h before enrolment, not counted"} <= {m.id for m in pot}
    entry = SimpleNamespace(date="2026-03-02", unit="C1", title="Joints", activity="fillet welds " * 8, hours=2.5,
                            verdict="valid")  # fmt: skip
    assert entry_line(entry) == f"2026-03-02 · C1 Joints · {('fillet welds ' * 5)[:59].rstrip()}… · 2.5 h: valid"
    i18n.use("fr")  # a decimal comma, and French separators
    assert (i18n.number(2.5), i18n.number(3), i18n.joined(["C1\u00a0: 7,5 h", "C2\u00a0: 3,5 h"], strong=True)) == (
        "2,5", "3", "C1\u00a0: 7,5 h\u00a0; C2\u00a0: 3,5 h"
    )  # fmt: skip
    assert entry_line(entry).endswith("· 2,5 h\u00a0: valide")
    verdicts = [SimpleNamespace(verdict=v) for v in ["valid"] * 5 + ["revoked", "could not determine"] * 2]
    assert _tally(verdicts[:6]) == "5 valides, 1 révoquée"  # each count agreed with its number
    assert _tally(verdicts) == "5 valides, 2 révoquées, 2 indéterminées"
    _said(Synced(role="learner", received=3, anchored=3))  # hers came back: the provider anchored them
    review = {"date": "2026-03-02", "unit": "C1", "hours": "2", "workplace": "Yard", "activity": "welds",
              "learner": "Amina Haddad (did:key:zA…)", "file": "2026-03-02-C1-1a2b3c4d.json"}  # fmt: skip
    _said(Synced(role="supervisor", received=1, review=[review], refused=["why"], ahead=2))
    said = capsys.readouterr().out
    assert said.startswith("0 entrée envoyée, 3 entrées reçues, dont 3 ancrées par l\u2019organisme de formation\n"), (
        said
    )
    assert (
        "\n  à relire\u00a0: 2026-03-02 C1 2 h à Yard\u00a0: welds (apprenant Amina Haddad (did:key:zA…)) dans "
        "2026-03-02-C1-1a2b3c4d.json\n" in said
    )
    assert "\n  mis de côté\u00a0: why\n" in said and "\n  2 entrées datées d\u2019après aujourd\u2019hui" in said
    i18n.use("ar")  # the Arabic comma and semicolon (a passport's printed line: its count, its verdict)
    assert i18n.joined(["3 شهادات", "صالح"]) == "3 شهادات\u060c صالح"
    assert i18n.joined(["a", "b"], strong=True) == "a\u061b b"
    _said(Synced(role="learner", received=2, anchored=2))
    assert "مزوّد التدريب" in capsys.readouterr().out


def test_the_issuer_check_s_kinds_scopes_and_later_change_notes_are_translated() -> None:
    """`issuer check`'s link kinds (the web page's words; English keeps the code), a scope's words, and each
    note ops/trust writes on a later change, built here by ops itself (so the patterns cannot drift from it)."""
    from registry.cli.details import plain
    from registry.formats.accreditation import ISSUER_TYPES
    from registry.i18n.trustwords import ISSUER_KINDS, kind_word, note
    from registry.ops.trust.evaluation import _later_change
    from registry.ops.trust.model import AttrStatus, LinkCheck, Position, Revision
    from registry.ops.trust.timing import LinkStatus

    scope = [{"types": ["SkillsCredential"], "schemaId": "https://s.example/v1", "limitJurisdiction": "MA"}]
    assert set(ISSUER_KINDS) == set(ISSUER_TYPES.values()) and kind_word("TI") == "TI"
    assert plain(scope) == "types SkillsCredential; schema https://s.example/v1; jurisdiction MA"
    notes = []
    for status, reason, void_from, position, name in (
        (AttrStatus.REVOKED, 2, 1_767_400_000, None, "School"),
        (AttrStatus.REVOKED, 9, None, Position(12, 0), None),
        (AttrStatus.SUSPENDED, 3, None, None, "School"),
    ):
        entry = LinkCheck("did:ebsi:zS", "ab", "TI", True, "", {"name": name} if name else {})
        later = LinkStatus(True, "", later=Revision(status, reason, 1_767_500_000, 14), void_from=void_from)
        notes.append(_later_change(entry, later, 1_767_300_000, position).note)
    i18n.use("fr")
    assert kind_word("TI") == "Émetteur de confiance (TI)" and kind_word("RootTAO") == "Autorité de tête (Root TAO)"
    assert plain(scope) == "types SkillsCredential\u00a0; schéma https://s.example/v1\u00a0; juridiction MA"
    i18n.use("ar")
    two = [{"types": ["SkillsCredential", "RPLAssessmentCredential"]}]
    assert plain(two) == "الأنواع SkillsCredential\u060c RPLAssessmentCredential"  # the Arabic comma
    i18n.use("fr")
    french = [note(text) for text in notes]
    # The link's kind in words inside the sentence, as on its own line; the block in French too.
    assert french[0].startswith(
        "l\u2019accréditation de l\u2019émetteur de confiance (TI) School (did:ebsi:zS) "
        "a été révoquée pour faute le 2026-"
    )
    assert "(motif\u00a0: fraude), nulle à compter du 2026-" in french[0]
    assert "(motif 9)" in french[1] and "(bloc 12)" in french[1] and "block" not in french[1]
    assert "(motif\u00a0: audit en cours), et l\u2019est toujours" in french[2]
    i18n.use("ar")
    arabic = [note(text) for text in notes]
    assert arabic[0].startswith("أُلغي اعتماد جهة مُصدِرة موثوقة (TI) School (did:ebsi:zS) لسبب موجب في ")
    assert "(السبب: احتيال)" in arabic[0] and "(الكتلة 12)" in arabic[1]
    assert arabic[2].startswith("عُلّق اعتماد جهة مُصدِرة موثوقة (TI) School") and kind_word("TAO") == "جهة اعتماد (TAO)"
    for text in french + arabic:
        assert not re.search(r"accreditation was|issued|refused|reason", text), text


def test_a_credential_s_recognition_finding_is_said_in_the_run_s_language() -> None:
    """`verify --recognised-in`'s finding (ops/recognition/apply.py writes it in English): read back and
    said in French and Arabic, names, qualifications, conditions, ids and times as written; English as it is."""
    from registry.i18n.recognitionwords import recognition_line, recognition_message

    recognised = (
        "recognised here as Elektroniker (level 4 of Deutscher Qualifikationsrahmen), decision 0x1a2b3c4d… of "
        "2026-03-02, conditions: a year of work; here (as of 2026-04-01T00:00:00Z; suspended since "
        "2026-05-01T10:00:00Z: under review); recognised here as Helfer (level 2 of DQR), decision 0x99aa… of "
        "2026-01-05"
    )
    near = (
        "not recognised here as of 2026-06-01T00:00:00Z: decision 0x1a2b3c4d… revoked on 2026-05-02T10:00:00Z "
        "(published in error); decision 0x99aa…: EQF level 3, not 4 or 5"
    )
    finding = {"authority": "did:ebsi:zA", "authority_name": "Office", "message": recognised}
    for text in (recognised, near, "no recognition decision here", "something else entirely"):
        assert recognition_message(text) == text
    assert recognition_line(finding) == f"recognition by Office: {recognised}"
    i18n.use("fr")
    assert recognition_message(recognised) == (
        "reconnue ici comme Elektroniker (niveau 4 de Deutscher Qualifikationsrahmen), décision 0x1a2b3c4d… du "
        "2026-03-02, conditions\u00a0: a year of work; here (au 2026-04-01T00:00:00Z\u00a0; suspendue depuis le "
        "2026-05-01T10:00:00Z\u00a0: en cours de réexamen)\u00a0; reconnue ici comme Helfer (niveau 2 de DQR), "
        "décision 0x99aa… du 2026-01-05"
    )
    assert recognition_message(near) == (
        "non reconnue ici au 2026-06-01T00:00:00Z\u00a0: décision 0x1a2b3c4d… révoquée le 2026-05-02T10:00:00Z "
        "(publiée par erreur)\u00a0; décision 0x99aa…\u00a0: niveau CEC 3, pas 4 or 5"
    )
    assert recognition_line(finding).startswith("reconnaissance par Office\u00a0: reconnue ici comme Elektroniker")
    assert recognition_message("not applied: the credential is not valid (revoked)") == (
        "non appliquée\u00a0: l\u2019attestation n\u2019est pas valide (révoquée)"
    )
    assert recognition_message("something else entirely") == "something else entirely"
    i18n.use("ar")
    assert recognition_message("no recognition decision here") == "لا يوجد قرار اعتراف هنا"
    assert recognition_message(recognised).startswith("معترف بها هنا بوصفها Elektroniker (المستوى 4 من ")


def test_recognition_list_s_heading_counts_decisions_in_the_run_s_language() -> None:
    """`registry recognition list`'s first line: a plural of the language's own, not "decision(s)"."""
    from registry.cli.commands.recognition import decisions_heading

    assert decisions_heading("Office", 1) == "Office: 1 recognition decision, oldest first"
    assert decisions_heading("Office", 3) == "Office: 3 recognition decisions, oldest first"
    assert decisions_heading("Office", 0) == "Office has published no recognition decision in this registry"
    i18n.use("fr")
    assert decisions_heading("Office", 1) == "Office\u00a0: 1 décision de reconnaissance, la plus ancienne d\u2019abord"
    assert decisions_heading("Office", 3).startswith("Office\u00a0: 3 décisions de reconnaissance")
    assert decisions_heading("Office", 0) == "Office n\u2019a publié aucune décision de reconnaissance dans ce registre"
    i18n.use("ar")
    assert decisions_heading("Office", 2) == "Office: قراران اعترافيان (2)، الأقدم أولًا"
    assert "decision" not in decisions_heading("Office", 11)


def test_a_logbook_entry_s_commonest_reasons_are_said_in_the_run_s_language() -> None:
    """`logbook verify`'s and `logbook show --check`'s reasons for an entry, read back by their shape
    (i18n/logbookwords.py); one it does not know stays as the verifier wrote it, never lost."""
    from registry.i18n.logbookwords import entry_reason
    from registry.ops.logbook.checks import before_enrolment_note

    revoked, early = "the entry was revoked (fraud or misrepresentation)", before_enrolment_note("2026-03-02")
    assert entry_reason(revoked) == revoked  # English: as written
    i18n.use("fr")
    assert entry_reason(revoked) == "l\u2019entrée a été révoquée (fraude ou fausse déclaration)"
    assert entry_reason(early).startswith("avant l\u2019inscription, non comptée\u00a0: datée d\u2019avant")
    day = entry_reason("the entries dated 2026-03-02 claim 25.5 h, more than a day has")
    assert day.endswith(" 25,5 h, plus que n\u2019en compte une journée")
    assert entry_reason("something new") == "something new"
    i18n.use("ar")
    assert entry_reason("the entry was revoked (issued in error)") == "أُلغي القيد (صدرت خطأً)"


def test_what_logbook_sign_did_is_said_in_the_signer_s_language(capsys) -> None:  # type: ignore[no-untyped-def]
    """The supervisor's `logbook sign`: what she signed, what was signed already, what another signs off
    and why, in her language (the why read back as errors are, i18n/errorwords.py)."""
    from registry.cli.commands.logbook_report import print_signed

    why = (
        "e/2026-03-02-U2-1a2b.json: entry urn:uuid:1a2b not signed: unit U2 is signed off by an assessor, and sam is a "
    )
    why += "supervisor"
    print_signed(1, 2, [why])
    english = capsys.readouterr().out
    assert english == ("countersigned 1 entry; 2 entries countersigned already, left as they were; 1 entry another "
                       f"signs off, left for them\n  left: {why}\n")  # fmt: skip
    i18n.use("fr")
    print_signed(0, 1, [])
    print_signed(1, 0, [why])
    assert capsys.readouterr().out == (
        "rien à contresigner\u00a0: 1 entrée déjà contresignée, laissée telle quelle\n"
        "1 entrée contresignée\u00a0; 1 entrée qu\u2019un autre valide, laissée pour lui\n"
        "  laissée\u00a0: e/2026-03-02-U2-1a2b.json\u00a0: entrée urn:uuid:1a2b non signée\u00a0: l\u2019unité U2 est "
        "validée par un évaluateur, et sam est tuteur\n"
    )


def test_an_employer_with_an_extract_alone_is_told_to_give_a_node_in_her_language() -> None:
    """The words `logbook verify` writes when no node was named and the local default did not answer
    (cli/commands/logbook_show.py's `registry_of`, after chain/transport.py's), read back in French."""
    said = (
        "cannot reach the chain at http://127.0.0.1:8545: connection refused or host unreachable; no node was named "
        "(--rpc URL, REGISTRY_RPC_URL, `registry "
        "config set rpc-url URL`), so the local default was asked: give a node of chain 31337 (the extract's) with "
        "--rpc URL"
    )
    i18n.use("fr")
    assert error_message(said).startswith("impossible de joindre la chaîne à http://127.0.0.1:8545\u00a0: connexion")
    assert error_message(said).endswith("indiquez un nœud de la chaîne 31337 (celle de l\u2019extrait) avec --rpc URL")


def test_what_logbook_complete_issued_or_refused_is_said_in_the_provider_s_language(capsys) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from registry.cli.commands.logbook_report import print_completed

    summary = {"entries": 2, "hours": 7.5, "from": "2026-03-02", "until": "2026-03-09", "root": "0xab"}
    done = SimpleNamespace(replaced=None, summary=summary, backdated=(), before_enrolment=("2026-02-20 U1 3 h",))
    book = SimpleNamespace(programme=SimpleNamespace(backdating_days=7), enrolled="2026-03-01")
    i18n.use("fr")
    print_completed(done, book, (None, "Amina Haddad", "MIG"), ("q.json", "clr.jwt"))
    assert capsys.readouterr().out == (
        "qualification 'MIG' délivrée à Amina Haddad\u00a0: q.json (CLR 2.0\u00a0: clr.jwt)\u00a0:\n"
        "  2 entrées, 7,5 h, du 2026-03-02 au 2026-03-09, racine 0xab\n"
        "  non comptées, datées d\u2019avant l\u2019inscription (2026-03-01)\u00a0: 2026-02-20 U1 3 h\n"
    )
    assert (
        error_message("the standard is not met: missing U1: 4 h")
        == "la norme n\u2019est pas atteinte\u00a0: il manque U1\u00a0: 4 h"
    )


LONG_REFUSAL = (
    "the standard is not met: missing U1: 2 h; U2: 2.5 h (3 anchored entries do not count, 1 of them dated before the "
    "enrolment (2026-03-01), 2 of them 2026-05-04 U2 2 h revoked; 2026-05-05 U2 1.5 h could not determine: `logbook "
    "verify` says why)"
)


def test_logbook_complete_s_long_refusal_and_a_replaced_qualification_are_said_whole_in_french_and_arabic(
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """The refusal with its list of units and of the entries that do not count (ops/logbook/completion.py), and
    the revoked qualification set aside: each part read back through its own table (errorwords._PARTS). Before,
    only the short form was known: the long one stayed English whole (checked then)."""
    from types import SimpleNamespace

    from registry.cli.commands.logbook_report import print_completed

    i18n.use("fr")
    assert error_message(LONG_REFUSAL) == (
        "la norme n\u2019est pas atteinte\u00a0: il manque U1\u00a0: 2 h\u00a0; U2\u00a0: 2,5 h (3 entrées ancrées ne "
        "sont pas comptées, dont 1 d\u2019avant l\u2019inscription (2026-03-01), dont 2\u00a0: 2026-05-04 U2 2 h "
        "révoquée\u00a0; 2026-05-05 U2 1,5 h indéterminée\u00a0: `logbook verify` dit pourquoi)"
    )
    one = "the standard is not met: missing U1: 2 h (1 anchored entry does not count, 1 of them backdated beyond the "
    one += "programme's window: `logbook verify` says why)"
    assert "(1 entrée ancrée n\u2019est pas comptée, dont 1 au-delà du délai d\u2019antidatage" in error_message(one)
    i18n.use("ar")
    said = error_message(LONG_REFUSAL)
    assert said.startswith("المعيار غير مستوفى: الناقص U1: 2 ساعة؛ U2: 2.5 ساعة (لا يُحتسب 3 من القيود المثبَّتة، ")
    assert "؛ قيد 2026-05-05 U2 (1.5 ساعة) تعذّر الحسم فيه: يبيّن `logbook verify` السبب)" in said
    assert not re.search(r"[a-z]{4,}", said.replace("logbook verify", "")), said  # no English word left
    replaced = "the qualification lb/qualification.json was revoked (reason: issued in error): kept as lb/q.old.json"
    summary = {"entries": 2, "hours": 7.5, "from": "2026-03-02", "until": "2026-03-09", "root": "0xab"}
    done = SimpleNamespace(replaced=replaced, summary=summary, backdated=(), before_enrolment=())
    book = SimpleNamespace(programme=SimpleNamespace(backdating_days=7), enrolled="2026-03-01")
    i18n.use("fr")
    print_completed(done, book, (None, "Amina Haddad", "MIG"), ("q.json", "clr.jwt"))
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("la qualification lb/qualification.json a été révoquée (motif\u00a0: délivrée par erreur)")


@pytest.mark.parametrize(
    ("english", "french", "arabic"),
    [
        ("a.json is revoked, and revocation is final: it cannot be reinstated",
         "a.json est révoquée, et la révocation est définitive\u00a0: elle ne peut pas être rétablie",
         "a.json ملغاة، والإلغاء نهائي: لا يمكن إعادتها"),
        ("decision 0xab12 is revoked, and a revocation is final: it cannot be reinstated (publish a new decision "
         "instead)", "la décision 0xab12 est révoquée, et une révocation est définitive\u00a0: elle ne peut pas être "
         "rétablie (publiez plutôt une nouvelle décision)", "القرار 0xab12 ملغى، والإلغاء نهائي: لا يمكن إعادته (انشر "
         "قرارًا جديدًا بدلًا منه)"),
        ('did:ebsi:zX is already in the trust list "Liste" as \'A\': it is already pinned to that registry',
         "did:ebsi:zX figure déjà dans la liste de confiance «\u00a0Liste\u00a0» sous le nom \'A\'\u00a0: elle "
         "est déjà épinglée à ce registre",
         "did:ebsi:zX مدرج من قبل في قائمة الثقة «Liste» باسم \'A\': إنه مثبّت على ذلك السجل من قبل"),
    ],
)  # fmt: skip
def test_what_cannot_be_undone_and_a_root_listed_already_are_refused_in_french_and_arabic(
    english: str, french: str, arabic: str
) -> None:
    """A clerk's reinstatement of a revoked credential, an authority's of a revoked decision, a root added twice."""
    i18n.use("fr")
    assert error_message(english) == french
    i18n.use("ar")
    assert error_message(english) == arabic


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("bad.json is JSON but not a credential file (format skills-credential/1)",
         "bad.json est du JSON mais pas un fichier d\u2019attestation (format skills-credential/1)"),
        ("backup b.json is not valid JSON (line 1)", "la sauvegarde b.json n\u2019est pas du JSON valide (ligne 1)"),
        ("no such file: the logbook in nolog", "aucun carnet dans nolog (fichier introuvable)"),
        ("no identity named x in h/keys: give her did:key as she reads it (`registry identity show NAME --did`, or "
         "her wallet); in a roster, a row with only her holder_name gets a key made for her and handed over",
         "aucune identité nommée x dans h/keys\u00a0: donnez son did:key tel qu\u2019elle le lit (`registry identity "
         "show NAME --did`, ou son portefeuille)\u00a0; dans une liste de promotion, une ligne avec seulement son "
         "holder_name reçoit une clé créée pour elle et remise"),
        ("identity name 'a b' must be 1-64 letters, digits, '.', '_' or '-'",
         "le nom d\u2019identité 'a b' doit compter de 1 à 64 lettres, chiffres, '.', '_' ou '-'"),
        ("'foo' is not a setting (known: rpc-url)", "'foo' n\u2019est pas un réglage (connus\u00a0: rpc-url)"),
    ],
)  # fmt: skip
def test_a_worker_s_and_a_clerk_s_commonest_bad_input_is_refused_in_french_and_arabic(
    english: str, french: str
) -> None:
    """Found by running the commands with bad input in French and Arabic: a file that is not a credential or not
    JSON, a logbook directory without its logbook ("fichier introuvable : the logbook in nolog" before), an identity
    named wrong, a setting that is none; each was English (checked then). Arabic: no English word left."""
    i18n.use("fr")
    assert error_message(english) == french
    i18n.use("ar")
    said = error_message(english)
    assert said != english and not re.search(r"\b(?:is|not|the|named|must|known)\b", said), said


def test_verify_says_a_file_that_is_no_credential_in_french_and_arabic() -> None:
    """`verify` of a file that is JSON but no credential, or neither JSON nor a JWT: its format line and verdict
    in the run's language (English before, checked then), as the same refusal of `wallet import` is."""
    i18n.use("fr")
    said = check_message("bad.json is JSON but not a credential file (format skills-credential/1)")
    assert said == "bad.json est du JSON mais pas un fichier d\u2019attestation (format skills-credential/1)"
    i18n.use("ar")
    assert check_message("x.txt is neither a credential file (JSON) nor a JWT") == "x.txt ليس ملف شهادة (JSON) ولا JWT"
    assert headline("INVALID: format: x.txt is neither a credential file (JSON) nor a JWT").endswith("ولا JWT")


def test_a_worker_s_lost_or_damaged_key_file_is_said_in_her_language(tmp_path: Path) -> None:
    """Seen by hand as a worker (`passport create --from-wallet --lang fr|ar`): her wallet without the key
    file her credentials name, and with that file damaged, were refused in English (checked then), the
    damaged one without what to do. A real wallet, its key file moved away, then overwritten."""
    from registry.errors import KeyStoreError
    from registry.ops.wallet import Wallet

    wallet = Wallet(tmp_path / "wallet")
    identity, key_file = wallet.create("her passphrase")
    key_file.rename(tmp_path / "moved.json")
    with pytest.raises(KeyStoreError) as lost:
        wallet.identity_for(identity.did, "her passphrase")
    (tmp_path / "moved.json").rename(key_file)
    key_file.write_text('{"x":')
    with pytest.raises(KeyStoreError) as damaged:
        wallet.identity_for(identity.did, "her passphrase")
    assert "restore it" in str(damaged.value), damaged.value  # what to do, in any language
    for english in (str(lost.value), str(damaged.value)):
        i18n.use("fr")
        said = error_message(english)
        assert said != english and not re.search(r"\b(?:is|the|holds|none|comes|from|your|or)\b", said), said
        i18n.use("ar")
        said = error_message(english)
        assert said != english and not re.search(r"\b(?:is|the|holds|none|comes|from|your|or)\b", said), said


@pytest.mark.parametrize(
    "command",
    [["wallet", "list"], ["wallet", "show", "1f7c"], ["passport", "create", "--from-wallet", "--out", "p.json"]],
)
def test_a_lost_wallet_is_said_lost_not_empty(tmp_path: Path, command: list[str]) -> None:
    """Seen by hand as a worker whose wallet directory was gone: `wallet list` said "0 credentials in
    .../wallet" and exit 0, `passport create --from-wallet` "holds no credential: `registry wallet import` them
    first" (checked then: this test failed so). Now one line naming both ways back, in her language, exit 1.
    The command as a real process, as she runs it."""
    import subprocess
    import sys

    home = tmp_path / "home"
    for lang, words in (
        ("en", "there is no wallet at"),
        ("fr", "wallet import-backup"),
        ("ar", "wallet import-backup"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "registry", "--home", str(home), "--lang", lang, *command],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        said = (run.stdout + run.stderr).strip()
        assert run.returncode == 1 and words in said and len(said.splitlines()) == 1, (run.returncode, said)
        assert lang == "en" or not re.search(r"\b(?:there|is|no|make|one|with|restore|yours|from)\b", said), said
    assert not (home / "wallet").exists()  # nothing made by asking
