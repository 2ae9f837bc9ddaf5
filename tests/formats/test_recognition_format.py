"""Recognition decision documents and the frameworks they name (pure): what is read, what is refused
in one line, what a scope leaves out, and content-addressed framework ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.errors import InputError
from registry.formats.frameworks import bundled, find_framework, framework_id
from registry.formats.recognition import Scope, Subject, out_of_scope, parse_decision, parse_decision_text

ROOT = "did:ebsi:zeDWxG8N7T6ihUK975MrxUQ"
ISSUER = "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1"
DQR = find_framework("de-dqr")
assert DQR is not None
DOCUMENT = {
    "format": "registry-recognition-decision/1", "authority": ROOT,
    "scope": {"types": ["SkillsCredential"], "eqfLevels": [4, 5], "root": ROOT},
    "recognisedAs": {"qualification": "Schweißer/in", "framework": DQR.id, "level": "4"},
    "validFrom": "2026-01-01", "validUntil": "2031-01-01T00:00:00Z", "conditions": "with a practical test",
}  # fmt: skip


def test_a_decision_reads_and_its_canonical_text_is_its_id() -> None:
    document = parse_decision(DOCUMENT)
    assert document.scope.eqf_levels == (4, 5) and document.conditions == "with a practical test"
    again = parse_decision_text(document.text())
    assert again == document and again.decision_id() == document.decision_id()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"holder": "Jane Doe"}, "unknown field(s) holder"),
        ({"scope": {**DOCUMENT["scope"], "eqfLevels": [9]}}, "EQF levels (1 to 8)"),  # type: ignore[dict-item]
        ({"scope": {**DOCUMENT["scope"], "root": "nobody"}}, "not a DID"),  # type: ignore[dict-item]
        ({"validUntil": "2020-01-01"}, "is not after validFrom"),
        ({"format": "other"}, "is not a recognition decision"),
        ({"recognisedAs": {"qualification": "", "framework": "x", "level": "4"}}, "recognisedAs.qualification"),
        # A date that is not one names its field (it said only "not an ISO 8601 date/time").
        ({"validFrom": "soon"}, "decision: validFrom: not a date/time"),
        ({"validUntil": "later"}, "decision: validUntil: not a date/time"),
    ],
)
def test_bad_documents_are_refused_in_one_line(change: dict[str, object], words: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_decision({**DOCUMENT, **change})
    assert words in str(refused.value) and "\n" not in str(refused.value)


def test_a_bare_end_date_includes_that_whole_day_as_every_end_of_validity_does() -> None:
    # "valid until 31 Dec 2030" applies on 31 December too (it ended at 00:00 that day, a day early;
    # `recognition publish --valid-until TODAY` was refused as "not after validFrom").
    document = parse_decision({**DOCUMENT, "validUntil": "2030-12-31"})
    assert document.to_json()["validUntil"] == "2030-12-31T23:59:59Z"
    assert parse_decision_text(document.text()) == document  # the published text reads back the same
    assert parse_decision(DOCUMENT).to_json()["validUntil"] == "2031-01-01T00:00:00Z"  # a time is that time
    # A start in any form the other dates take (`1 May 2026` was "not an ISO 8601 date/time"): its first second.
    assert parse_decision({**DOCUMENT, "validFrom": "1 May 2026"}).to_json()["validFrom"] == "2026-05-01T00:00:00Z"


def test_a_scope_leaves_out_what_it_does_not_name() -> None:
    scope = Scope(("SkillsCredential",), (4,), ROOT, issuers=(ISSUER,), programmes=("urn:p:1",), schemas=("zS",))
    inside = Subject(("VerifiableCredential", "SkillsCredential"), 4, ROOT, ISSUER, "urn:p:1", "https://x/schemas/zS")
    assert out_of_scope(scope, inside) is None
    assert "types" in str(out_of_scope(scope, Subject(("Other",), 4, ROOT, ISSUER, "urn:p:1", "zS")))
    assert out_of_scope(scope, Subject(("SkillsCredential",), 3, ROOT, ISSUER, "urn:p:1", "zS")) == "EQF level 3, not 4"
    assert "root" in str(out_of_scope(scope, Subject(("SkillsCredential",), 4, ISSUER, ISSUER, "urn:p:1", "zS")))
    assert "issuer" in str(out_of_scope(scope, Subject(("SkillsCredential",), 4, ROOT, ROOT, "urn:p:1", "zS")))
    assert "programme" in str(out_of_scope(scope, Subject(("SkillsCredential",), 4, ROOT, ISSUER, "urn:p:2", "zS")))
    assert "schema" in str(out_of_scope(scope, Subject(("SkillsCredential",), 4, ROOT, ISSUER, "urn:p:1", "zT")))


def test_frameworks_are_content_addressed() -> None:
    for fid, framework in bundled().items():
        assert framework_id(json.loads(json.dumps(framework.data))) == fid
        assert find_framework(framework.key) is framework
    assert DQR.eqf_of("4") == 4 and not DQR.has_level("9")  # type: ignore[union-attr]


def test_the_recognition_purpose_tag_is_the_contracts() -> None:
    """The attribute-id prefix of an accreditation for recognition decisions: keccak-256 of the type,
    as contracts/RecognitionRegistry.sol computes it."""
    from eth_utils import keccak

    from registry.formats.recognition import RECOGNITION_PURPOSE, RECOGNITION_TYPE

    assert keccak(text=RECOGNITION_TYPE)[:4] == RECOGNITION_PURPOSE
    source = (Path(__file__).parents[2] / "contracts" / "RecognitionRegistry.sol").read_text()
    assert f'RECOGNITION_PURPOSE = bytes4(keccak256("{RECOGNITION_TYPE}"))' in source
