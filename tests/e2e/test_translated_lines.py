"""Lines the command line prints under a verdict and about recognition decisions, said in the run's language
(registry/cli/details.py, recognition's words): a test here fails when one of them goes back to English."""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from registry import i18n
from registry.cli.details import detail_line


@pytest.fixture(autouse=True)
def _english_after() -> object:
    yield
    i18n.use(i18n.DEFAULT)


def _registry_evidence() -> dict[str, object]:
    from registry.formats.locator import Locator
    from registry.ops.verify.registries import _evidence

    return _evidence(Locator(31337, 1, "0x" + "ab" * 32, ("0x01", "0x02", "0x03"), ("0x", "0x", "0x")))


_ACCREDITATION = {
    "policy": "issuance",
    "root": "did:ebsi:zRoot",
    "path": "RootTAO did:ebsi:zRoot <- TI did:ebsi:zCentre",
    "path_links": [
        {"issuer_type": "RootTAO", "did": "did:ebsi:zRoot", "name": "National Vocational Authority"},
        {"issuer_type": "TI", "did": "did:ebsi:zCentre", "name": None},
    ],
    "note": "no trust list given: the root is accepted because this registry's governance onboarded it",
    "issuer_name": "Northside Training Centre",
}
_REVOKED = {"reasonCode": 1, "block": 18, "time": "2026-12-07T20:15:34Z", "transaction": "0xd7", "list": 1,
            "index": 3700}  # fmt: skip


def test_a_check_s_detail_line_keeps_its_keys_in_english_and_says_them_in_french_and_arabic() -> None:
    registry = _registry_evidence()
    assert detail_line(registry).startswith("chainId 31337, didRegistry 0x01, trustRegistry 0x02")
    assert detail_line(_ACCREDITATION).startswith("policy issuance, root did:ebsi:zRoot, path RootTAO")
    i18n.use("fr")
    assert detail_line(registry) == (
        "identifiant de chaîne 31337, registre des DID 0x01, registre des émetteurs de confiance 0x02, registre des "
        "attestations 0x03, bloc de déploiement 1, empreinte du bloc de déploiement 0x" + "ab" * 32
    )
    assert detail_line(_REVOKED) == (
        "code du motif 1, bloc 18, heure 2026-12-07T20:15:34Z, transaction 0xd7, liste 1, position 3700"
    )
    french = detail_line(_ACCREDITATION)
    assert french.startswith("politique à l\u2019émission, racine did:ebsi:zRoot, chaîne d\u2019accréditation RootTAO")
    assert "maillons type RootTAO, DID did:ebsi:zRoot, nom National Vocational Authority | type TI" in french
    assert "remarque aucune liste de confiance donnée\u00a0: la racine est acceptée" in french
    i18n.use("ar")
    arabic = detail_line(_REVOKED)
    assert arabic == "رمز السبب 1، الكتلة 18، الوقت 2026-12-07T20:15:34Z، المعاملة 0xd7، القائمة 1، الموضع 3700"
    assert detail_line(_ACCREDITATION).startswith("السياسة عند الإصدار، الجذر did:ebsi:zRoot")
    assert detail_line({"assurance": "registered organisation"}) == "مستوى الضمان منظمة مسجّلة"
    assert detail_line({"someKeyOfTomorrow": 3}) == "someKeyOfTomorrow 3"  # a key not known: as written


def test_the_detail_line_s_note_is_the_one_the_trust_check_writes() -> None:
    from registry.ops.trust import evaluation

    assert _ACCREDITATION["note"] in inspect.getsource(evaluation)


def _decision(status: int, history: tuple[tuple[int, int], ...]) -> object:
    from registry.formats.frameworks import bundled
    from registry.formats.recognition import DecisionDocument, Outcome, Scope
    from registry.ops.recognition.model import Decision, DecisionRevision, DecisionStatus

    dqr = next(f for f in bundled().values() if f.key == "de-dqr")
    document = DecisionDocument(
        "did:ebsi:zOffice", Scope(("SkillsCredential",), (3, 4), "did:ebsi:zRoot", issuers=("did:ebsi:zCentre",)),
        Outcome("Schweißer/in", dqr.id, "4"), 1_767_225_600, 1_798_761_599, "with a practical test", "AZ-12",
    )  # fmt: skip
    revisions = tuple(
        DecisionRevision(DecisionStatus(s), reason, 1_767_300_000 + n * 1000, 20 + n)
        for n, (s, reason) in enumerate(history)
    )
    return Decision(b"\x12" * 32, b"", b"", b"", DecisionStatus(status), 1_767_225_600, 1_798_761_599, 20,
                    revisions, document)  # fmt: skip


def _printed(decision: object, capsys: pytest.CaptureFixture[str]) -> str:
    from registry.cli.commands.recognition_view import print_decision

    print_decision(decision, history=True, known={"did:ebsi:zRoot": "National Authority"})
    return capsys.readouterr().out


def test_a_recognition_decision_is_printed_in_the_run_s_language(capsys: pytest.CaptureFixture[str]) -> None:
    """`recognition list` and `show` (the lines beyond the heading), and what `suspend` & co. say they did."""
    from registry.cli.commands.recognition_view import already_line, changed_line, published_by

    suspended = _decision(2, ((1, 0), (2, 3)))
    english = _printed(suspended, capsys)
    assert english.startswith("decision 0x1212") and ": SUSPENDED on 2026-01-01T20:56:40Z (under review), " in english
    assert (
        "  scope: SkillsCredential, EQF 3, 4, root National Authority (did:ebsi:zRoot), issuers did:ebsi:zCentre\n"
        in english
    )
    assert "  applies from 2026-01-01 through 2026-12-31 (UTC); published 2026-01-01T20:40:00Z\n" in english
    assert "  reference: AZ-12\n" in english and "(block 21, reason 3: under review)" in english
    i18n.use("fr")
    french = _printed(suspended, capsys)
    assert (
        "\u00a0: SUSPENDUE le 2026-01-01T20:56:40Z (en cours de réexamen), reconnaît ici comme Schweißer/in (niveau 4"
        in french
    )
    assert (
        "  portée\u00a0: SkillsCredential, niveaux CEC 3, 4, racine National Authority (did:ebsi:zRoot), émetteurs"
        in french
    )
    assert (
        "  s\u2019applique à partir du 2026-01-01 jusqu\u2019au 2026-12-31 inclus (UTC)\u00a0; publiée le 2026-01-01"
        in french
    )
    assert "  conditions\u00a0: with a practical test\n  référence\u00a0: AZ-12\n" in french
    assert "2026-01-01T20:40:00Z publiée (bloc 20)\n" in french
    assert "suspendue (bloc 21, motif 3\u00a0: en cours de réexamen)" in french
    assert published_by("Office") == "publiée par Office"
    assert changed_line(b"\x12", "ACTIVE", 4) == "décision 0x12\u00a0: rétablie (motif 4\u00a0: réexamen clos)"
    i18n.use("ar")
    arabic = _printed(_decision(3, ((1, 0), (3, 2))), capsys)
    assert (
        ": ملغى في 2026-01-01T20:56:40Z (نُشر خطأً)، يُعترف بموجبه هنا بالشهادة بوصفها Schweißer/in (المستوى 4" in arabic
    )
    assert "النطاق: SkillsCredential، مستويات الإطار الأوروبي للمؤهلات 3، 4، الجذر National Authority" in arabic
    assert "يسري من 2026-01-01 حتى 2026-12-31 ضمنًا (UTC)؛ نُشر في" in arabic and "أُلغي (الكتلة 21، السبب 2: " in arabic
    assert already_line(b"\x12", "SUSPENDED") == "بلا تغيير: القرار 0x12 معلّق أصلًا: لم يُكتب شيء"
    for text in (french, arabic):
        assert not re.search(r"\b(decision|scope|applies|published|reason|block|conditions:|reference)\b", text), text


def test_an_authority_whose_decisions_are_not_applied_is_said_so_in_the_run_s_language() -> None:
    """The "decisions of X not applied: why" line and the root-not-trusted one (ops/recognition/apply.py's
    shapes; its own sentences held to the catalog's by the source, its NOT_FOR_RECOGNITION by value)."""
    from registry.i18n import recognitionwords as words
    from registry.ops.recognition import apply

    written = [n.value for n in ast.walk(ast.parse(inspect.getsource(apply))) if isinstance(n, ast.Constant)]
    for message in (*words._REFUSALS, words.ROOT_UNTRUSTED, words._DECLARED, words._SELF_NAMED, words.NOT_APPLIED):
        for literal in filter(None, re.split(r"\{\w+\}", message)):  # each piece as apply.py writes it
            assert any(isinstance(text, str) and literal in text for text in written), literal
    assert words._REFUSALS[2].format(type=apply.RECOGNITION_TYPE) == apply.NOT_FOR_RECOGNITION
    declared = 'did:ebsi:zOffice (named "Federal Recognition Office" in its accreditation, not in your trust list)'
    untrusted = f"decisions of {declared} not applied: " + words._REFUSALS[4]
    no_list = f"decisions of {declared} not applied: " + words._REFUSALS[0].format(did="did:ebsi:zOffice")
    scope = "decisions of Office (did:ebsi:zOffice) not applied: " + apply.NOT_FOR_RECOGNITION
    root = (
        'not applied: the credential\'s Root TAO did:ebsi:zRoot (self-declared name "NVA") is not in the trust list; '
        "with it there, it would be recognised here as Schweißer/in (level 4 of DQR), decision 0x1219e9da… of "
        "2026-12-07 (a decision does not make a root trusted: add it to the trust list, pinned to this registry, if "
        "you accept it)"
    )
    assert [words.recognition_message(text) for text in (untrusted, root)] == [untrusted, root]
    i18n.use("fr")
    assert words.recognition_message(untrusted) == (
        "décisions de did:ebsi:zOffice (nommée « Federal Recognition Office » dans son accréditation, pas dans votre "
        "liste de confiance) non appliquées\u00a0: elle n\u2019est pas dans votre liste de confiance, ni accréditée "
        "pour les décisions de reconnaissance sous une racine qui y est"
    )
    assert "--name NOM --registry DEPLOYMENT.json`, avec le fichier" in words.recognition_message(no_list)
    assert words.recognition_message(scope).endswith("c\u2019est une autorité de tête (Root TAO) qui accrédite un "
                                                     "organisme de reconnaissance à cette fin")  # fmt: skip
    french = words.recognition_message(root)
    assert french.startswith("non appliquée\u00a0: l\u2019autorité de tête (Root TAO) de l\u2019attestation, "
                             "did:ebsi:zRoot (nom déclaré par elle-même « NVA »), n\u2019est pas")  # fmt: skip
    assert (
        "l\u2019attestation serait reconnue ici comme Schweißer/in (niveau 4 de DQR), décision 0x1219e9da… du" in french
    )
    i18n.use("ar")
    arabic = [words.recognition_message(text) for text in (untrusted, no_list, scope, root)]
    assert arabic[0].startswith("لم تُطبَّق قرارات did:ebsi:zOffice (مسمّاة «Federal Recognition Office» في اعتمادها")
    assert "لطُبّق القرار على الشهادة: معترف بها هنا بوصفها Schweißer/in (المستوى 4 من DQR)" in arabic[3]
    for text in arabic:
        assert not re.search(r"\b(decisions?|applied|trust list|accredit\w*|recognised)\b", text), text
