"""A training centre accredited under its legal name, and a credential naming its holder: what the
tests of "what it certifies" (CLI, service, page) verify.

The ESCO URIs are real rows of ../shared/vectors/esco (skills.csv, occupations.csv)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from registry.config import Settings
from registry.formats.accreditation import Scope
from registry.formats.credential import Achievement, Occupation
from registry.keystore import new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.trust import IssuerType, Trust
from tests.conftest import WELDING_SCOPE, Chain, welding_certificate

ACADEMY = "Rotterdam Welding Academy B.V."
WELDER = Occupation("http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b", "welder")
HOLDER_NAME = "Amina Haddad"
DOCUMENT = "NL-P 1234567"


def named_certificate(**changes: object) -> Achievement:
    """The welding certificate with an ESCO occupation, the holder's name and a document reference."""
    achievement = replace(
        welding_certificate(), occupations=(WELDER,), holder_name=HOLDER_NAME, holder_document=DOCUMENT
    )
    return replace(achievement, **changes)  # type: ignore[arg-type]


def written_elsewhere(achievement: Achievement, **changes: object) -> Achievement:
    """`achievement` with `changes` our writers refuse (a bidi override, a control character:
    formats/visible.py), as a tool other than ours could sign them: what a verifier must still show
    inert."""
    for name, value in changes.items():
        object.__setattr__(achievement, name, value)  # past Achievement's checks, as another signer's
    return achievement


@pytest.fixture
def academy(make_issuer, trust: Trust, chain: Chain, registry: Registry, settings: Settings) -> Issuer:  # type: ignore[no-untyped-def]
    """A TI accredited by the chain's TAO under its legal name (stated in the accreditation JWT)."""
    identity = make_issuer("welding-academy")
    # None: the TAO's own end (a year from the chain's making)
    trust.accredit(chain.tao, chain.tao_attribute, identity.did, IssuerType.TI, [WELDING_SCOPE], None, name=ACADEMY)
    return Issuer(registry, identity, settings)


EDC_SCOPE = Scope(types=("EuropeanDigitalCredential",))


@pytest.fixture
def europass_academy(make_issuer, trust: Trust, chain: Chain, registry: Registry, settings: Settings) -> Issuer:  # type: ignore[no-untyped-def]
    """A TI accredited by the chain's TAO for European Digital Credentials under its legal name,
    issuing with the europass profile (its legal name learnt as `registry issue` learns it)."""
    identity = make_issuer("europass-academy")
    trust.accredit(chain.tao, chain.tao_attribute, identity.did, IssuerType.TI, [EDC_SCOPE], None, name=ACADEMY)
    issuer = Issuer(registry, identity, settings, "europass")
    issuer.check_can_issue(new_natural_person("anyone").did, named_certificate(), valid_until=None, extra_types=())
    return issuer
