"""What a credential certifies, read back from either profile: the achievement, ESCO skills and
occupations with their labels, EQF level, dates, and the holder's name and document reference
(Open Badges 3.0 IdentityObjects, in the credential only)."""

from __future__ import annotations

from registry.formats.accreditation import build_accreditation, parse_accreditation, sign_accreditation
from registry.formats.certified import certified
from registry.formats.credential import CredentialDraft, build_vc
from registry.formats.did import new_ebsi_did
from registry.formats.vcdm2 import build_vc2, sign_vc2, skills_context_loader
from registry.keystore import new_legal_entity
from tests.conftest import WELDING, WELDING_SCOPE
from tests.helpers.certified import DOCUMENT, HOLDER_NAME, WELDER, named_certificate

ISSUER, HOLDER = new_ebsi_did(), new_ebsi_did()


def test_both_profiles_say_what_is_certified_and_to_whom() -> None:
    draft = CredentialDraft(ISSUER, HOLDER, named_certificate(), valid_from=1_700_000_000, valid_until=1_800_000_000)
    identity = new_legal_entity("academy")
    v2 = build_vc2(draft, 1_700_000_100)
    sign_vc2(v2, identity.signing_key, identity.kid, loader=skills_context_loader)  # the JSON-LD terms are OB 3.0's
    for vc in (build_vc(draft, 1_700_000_100), v2):
        said = certified(vc, "Academy B.V.")
        assert said["name"] == "MIG/MAG welding, level 2" and said["achievement_type"] == "Certificate"
        assert said["criteria"].startswith("Practical test") and said["description"].startswith("Welds carbon")
        assert said["skills"] == [{"uri": WELDING.uri, "label": WELDING.label}]
        assert said["occupations"] == [{"uri": WELDER.uri, "label": WELDER.label}]
        assert said["eqf_level"] == 4
        assert (said["issued"], said["valid_from"], said["valid_until"]) == (
            "2023-11-14T22:15:00Z",
            "2023-11-14T22:13:20Z",
            "2027-01-15T08:00:00Z",
        )
        assert said["issuer"] == {"did": ISSUER, "name": "Academy B.V."}
        assert said["holder"] == {"did": HOLDER, "name": HOLDER_NAME, "document": DOCUMENT}


def test_a_holder_without_a_name_and_a_stranger_s_odd_values_give_nothing_made_up() -> None:
    vc = build_vc(CredentialDraft(ISSUER, HOLDER, named_certificate(holder_name=None, holder_document=None), 0), 5)
    assert "identifier" not in vc["credentialSubject"]
    assert certified(vc)["holder"] == {"did": HOLDER, "name": None, "document": None}
    odd = {
        "credentialSubject": {
            "achievement": {"name": 7, "alignment": [{"targetUrl": "http://data.europa.eu/snb/eqf/9"}]},
            "identifier": [{"identityType": "name", "identityHash": "x", "hashed": True}],
        }
    }
    said = certified(odd)
    assert said["name"] is None and said["eqf_level"] is None and said["holder"]["name"] is None
    assert certified("not a credential")["skills"] == []


def test_an_accreditation_states_the_legal_name_of_whom_it_accredits() -> None:
    parent, child = new_legal_entity("tao"), new_ebsi_did()
    vc = build_accreditation(
        issuer=parent.did, subject=child, issuer_type=3, attribute_id=b"\x01" * 32, scopes=(WELDING_SCOPE,),
        valid_from=0, valid_until=10, issued_at=0, terms_of_use=None, subject_name="Academy B.V.",
    )  # fmt: skip
    token = sign_accreditation(vc, parent.signing_key, parent.kid, 0)
    assert parse_accreditation(token).subject_name == "Academy B.V."
