"""The third credential profile, `europass`: an ELM 3.2 European Digital Credential (EDC) over
VCDM 2.0, secured as a `vc+jwt` like the vcdm2 profile (formats/vcdm2/).

One module per concern (callers import from the package): `vocab` (the EU vocabularies and ELM
node builders), `build` (our credential from a draft), `display` (the page a wallet shows) and
`read` (what any EDC certifies, for reports).
"""

from __future__ import annotations

from registry.formats.europass.build import build_edc, check_credits, edc_status_entry
from registry.formats.europass.read import certified_edc, edc_title, is_edc, lang_text
from registry.formats.europass.vocab import EDC_CONTEXT, EDC_STATUS_TYPE, EDC_TYPE, EDC_TYPES

__all__ = [
    "EDC_CONTEXT",
    "EDC_STATUS_TYPE",
    "EDC_TYPE",
    "EDC_TYPES",
    "build_edc",
    "certified_edc",
    "check_credits",
    "edc_status_entry",
    "edc_title",
    "is_edc",
    "lang_text",
]
