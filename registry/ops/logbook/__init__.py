"""Skills logbooks (issue #16, first cut): what a provider does (`provider`), the learner's logbook
directory (`book`), and the verifier of a shared extract (`checks`). Formats in formats/logbook/."""

from __future__ import annotations

from registry.ops.logbook.book import Logbook, Progress, load_extract
from registry.ops.logbook.checks import EntryReport, ExtractReport, verify_extract
from registry.ops.logbook.provider import FOR_CAUSE, Provider

__all__ = [
    "FOR_CAUSE",
    "EntryReport",
    "ExtractReport",
    "Logbook",
    "Progress",
    "Provider",
    "load_extract",
    "verify_extract",
]
