"""Recognition of prior learning (issue #17): the centre's RPL credentials and the employer's
work-experience attestations (`issuing`), the assessor's authorisation (`assessor`). Formats in
formats/rpl/; the verifier's evidence check in ops/rpl/checks.py.

Every name is re-exported here, loaded on first use (PEP 562): `registry verify` imports
`checks` for every report, and must not load issuance and the logbook with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.lazyexports import lazy_exports

if TYPE_CHECKING:
    from registry.ops.rpl.assessor import assessor_problem, authorised_assessor
    from registry.ops.rpl.issuing import Attester, RplIssued, RplIssuer

_MODULE_OF = {
    "assessor_problem": "assessor",
    "authorised_assessor": "assessor",
    "Attester": "issuing",
    "RplIssued": "issuing",
    "RplIssuer": "issuing",
}

__all__ = ["Attester", "RplIssued", "RplIssuer", "assessor_problem", "authorised_assessor"]


__getattr__, __dir__ = lazy_exports(__name__, _MODULE_OF, __all__)
