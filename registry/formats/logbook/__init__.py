"""Skills logbooks (issue #16, first cut): the signed documents of a programme's logbook, pure.

`programme` the competency standard a provider publishes; `records` the signed records
(authorisation, enrolment, entry, countersignature, revocation record), each a compact JWS,
the day tree's leaf, the entry file and the extract a learner shares.
"""

from __future__ import annotations

from registry.formats.logbook.programme import ROLES, Programme, Unit, check_publishable, parse_programme
from registry.formats.logbook.records import (
    Entry,
    EntryFile,
    Extract,
    day_leaf,
    entry_date,
    sha256_hex,
    sign_record,
    signed_by,
)

__all__ = [
    "ROLES",
    "Entry",
    "EntryFile",
    "Extract",
    "Programme",
    "Unit",
    "check_publishable",
    "day_leaf",
    "entry_date",
    "parse_programme",
    "sha256_hex",
    "sign_record",
    "signed_by",
]
