"""Recognition of prior learning (issue #17), pure: RPL assessment credentials (`assessment`),
the evidence the holder keeps and its salted hashes (`evidence`), and employers' work-experience
attestations (`attestation`)."""

from __future__ import annotations

from registry.formats.rpl.assessment import METHODS, RPL_TYPE, Assessment, add_rpl_parts, parse_assessment, rpl_parts
from registry.formats.rpl.attestation import ATTESTATION_TYPE, WorkPeriod, build_attestation
from registry.formats.rpl.evidence import (
    ALTERED,
    MANIFEST_FORMAT,
    MATCHED,
    NOT_SHOWN,
    EvidenceFile,
    attestation_item,
    check_file,
    load_manifest,
    manifest,
    new_salt,
    salted_digest,
)

__all__ = [
    "ALTERED",
    "ATTESTATION_TYPE",
    "MANIFEST_FORMAT",
    "MATCHED",
    "METHODS",
    "NOT_SHOWN",
    "RPL_TYPE",
    "Assessment",
    "EvidenceFile",
    "WorkPeriod",
    "add_rpl_parts",
    "attestation_item",
    "build_attestation",
    "check_file",
    "load_manifest",
    "manifest",
    "new_salt",
    "parse_assessment",
    "rpl_parts",
    "salted_digest",
]
