"""Verification of credentials and skills passports, with the chain's evidence for every check.

The package's rooms: `report` (the report types; check codes, from which labels and verdicts
derive), `fields` (what a credential's payload says, for either profile), `offline` (the checks
that need no chain), `chain_checks` and `status` (one function per chain check), `lookups` (the
chain reads a check makes only when it needs them), `verifier` (the phases over a batch),
`presentation` (a passport's own checks) and `quorum` (several endpoints, one verdict).
Callers import from here.
"""

from registry.ops.trust import CLOCK_SKEW_S
from registry.ops.verify.fields import MAX_TIMESTAMP
from registry.ops.verify.quorum import in_parallel, verify_with_quorum
from registry.ops.verify.report import (
    SINGLE_NODE_NOTE,
    Check,
    Code,
    Outcome,
    PassportReport,
    Report,
    Verdict,
    note_single_node,
    reason_text,
)
from registry.ops.verify.verifier import Verifier, idle_chain_note

__all__ = [
    "CLOCK_SKEW_S",
    "MAX_TIMESTAMP",
    "SINGLE_NODE_NOTE",
    "Check",
    "Code",
    "Outcome",
    "PassportReport",
    "Report",
    "Verdict",
    "Verifier",
    "idle_chain_note",
    "in_parallel",
    "note_single_node",
    "reason_text",
    "verify_with_quorum",
]
