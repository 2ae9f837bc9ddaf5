"""Recognition of prior learning (issue #17): the centre's RPL credentials and the employer's
work-experience attestations (`issuing`), the assessor's authorisation (`assessor`). Formats in
formats/rpl/; the verifier's evidence check in ops/rpl/checks.py."""

from __future__ import annotations

from registry.ops.rpl.assessor import assessor_problem, authorised_assessor
from registry.ops.rpl.issuing import Attester, RplIssued, RplIssuer

__all__ = ["Attester", "RplIssued", "RplIssuer", "assessor_problem", "authorised_assessor"]
