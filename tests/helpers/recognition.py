"""A destination country's Root TAO and the recognition body it accredits for recognition decisions
(issue #17), for tests on anvil."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from registry.formats.accreditation import Scope
from registry.formats.recognition import RECOGNITION_TYPE
from registry.keystore import Identity
from registry.ops.trust import IssuerType, Trust
from tests.conftest import GOVERNANCE, ONE_YEAR

# What a destination authority holds: it may delegate recognition decisions (a parent grants only what
# it holds), and recognise skills credentials itself.
DESTINATION_SCOPE = Scope(types=("SkillsCredential", RECOGNITION_TYPE))
RECOGNITION_SCOPE = Scope(types=(RECOGNITION_TYPE,))


@dataclass
class Destination:
    root: Identity  # the destination country's Root TAO
    root_attribute: bytes
    body: Identity  # its recognition body: a TAO accredited for recognition decisions
    body_attribute: bytes


def destination(make_issuer: Callable[..., Identity], trust: Trust) -> Destination:
    until = int(time.time()) + ONE_YEAR
    root, body = make_issuer("destination-authority"), make_issuer("recognition-office")
    root_attribute = trust.onboard_root(GOVERNANCE, root, [DESTINATION_SCOPE], until)
    body_attribute = trust.accredit(root, root_attribute, body.did, IssuerType.TAO, [RECOGNITION_SCOPE], until,
                                    "Destination Recognition Office")  # fmt: skip
    return Destination(root, root_attribute, body, body_attribute)
