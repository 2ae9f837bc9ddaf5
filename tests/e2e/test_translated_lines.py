"""Lines the command line prints under a verdict and about recognition decisions, said in the run's language
(registry/cli/details.py, recognition's words): a test here fails when one of them goes back to English."""

from __future__ import annotations

import inspect

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
