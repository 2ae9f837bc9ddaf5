"""Check lines name the parties they give by DID alone by their names beside the DID, each marked as
whose word it is (registry/i18n/partywords.py): the issuer and accreditation body as their
accreditations name them, the Root TAO as its onboarding declares it, an attested employer as it names
itself, a passport's holder as her credentials name her; in the run's language; a line naming one
already, and a command it suggests, keep their DIDs as they are."""

from __future__ import annotations

from registry import i18n
from registry.i18n.partywords import holder_party, named, parties

ISSUER, BODY, ROOT = "did:ebsi:zs9EFZeAwtZBF3GkE7G1Ea8", "did:ebsi:zmrQ8GTGPGLYr68i9J653Pz", "did:ebsi:zmBf5sXGKdBY2ep"
LINKS = [{"issuer_type": 1, "did": ROOT, "name": "National Vocational Authority"},
         {"issuer_type": 2, "did": BODY, "name": "Vocational Accreditation Body"},
         {"issuer_type": 3, "did": ISSUER, "name": "Northside Training Centre"}]  # fmt: skip
ACCREDITATION = {"name": "accreditation", "outcome": "pass", "message": "m", "evidence": {"path_links": LINKS}}


def test_each_party_is_named_beside_its_did_marked_as_whose_word_the_name_is() -> None:
    names = parties([ACCREDITATION])
    assert named(f"{ISSUER} is registered", names) == (
        f"{ISSUER} (Northside Training Centre, as its accreditation names it) is registered"
    )
    assert named(f"signed by {ISSUER}#AnTaplaunzlI…", names) == (
        f"signed by {ISSUER}#AnTaplaunzlI… (Northside Training Centre, as its accreditation names it)"
    )
    said = named(f"the accreditation of {BODY} by {ROOT} was revoked", names)
    assert said == (
        f"the accreditation of {BODY} (Vocational Accreditation Body, as its accreditation names it) by "
        f'{ROOT} (self-declared name "National Vocational Authority", not from a trust list) was revoked'
    )
    # Named already (a trust list's name): left as it is, and so is a command the line suggests.
    line = f"to Root TAO {ROOT} (National Vocational Authority), which ... `registry trust-list add {ROOT} --name N`"
    assert named(line, names) == line
    assert named(f"anchored by {ISSUER}X on 2026", names) == f"anchored by {ISSUER}X on 2026"  # another DID
    i18n.use("fr")
    try:
        assert named(f"{ISSUER} est enregistré", names) == (
            f"{ISSUER} (Northside Training Centre, tel que le nomme son accréditation) est enregistré"
        )
    finally:
        i18n.use(i18n.DEFAULT)


def test_an_employer_is_named_as_it_names_itself_and_a_holder_as_her_credentials_do() -> None:
    assured = {"name": "assurance", "outcome": "pass", "message": "m", "evidence": {}}
    employer = parties([assured], {"issuer": {"did": ISSUER, "name": "Stahlbau Nord GmbH"}})
    assert (
        named(f"{ISSUER} is registered", employer) == f"{ISSUER} (Stahlbau Nord GmbH, as it names itself) is registered"
    )
    summary = {"holder": {"did": "did:key:zA", "name": "Amina Haddad"}}
    assert named("signed by the holder did:key:zA", holder_party("did:key:zA", summary)) == (
        "signed by the holder did:key:zA (Amina Haddad, as the credentials name the holder)"
    )
    differently = {**summary, "holder_names": [{"name": "Amina Haddad", "credentials": [1]},
                                               {"name": "Amina Yusuf", "credentials": [2]}]}  # fmt: skip
    assert holder_party("did:key:zA", differently) == {}  # the summary says each name
