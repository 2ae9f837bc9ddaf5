"""The third credential profile, `europass`: an ELM 3.2 European Digital Credential (EDC) over
VCDM 2.0, secured as a `vc+jwt` like the vcdm2 profile (formats/vcdm2/).

One module per concern (callers import from the package): `vocab` (the EU vocabularies and ELM
node builders), `build` (our credential from a draft), `display` (the page a wallet shows) and
`read` (what any EDC certifies, for reports).

Every name is re-exported here, loaded on first use (PEP 562): a verifier asks `is_edc` of every
credential and must not load the builder and the wallet page's machinery with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.lazyexports import lazy_exports

if TYPE_CHECKING:
    from registry.formats.europass.build import build_edc, check_credits, edc_status_entry
    from registry.formats.europass.read import certified_edc, edc_title, is_edc, lang_text
    from registry.formats.europass.vocab import EDC_CONTEXT, EDC_STATUS_TYPE, EDC_TYPE, EDC_TYPES

_WHERE = {
    "build": ("build_edc", "check_credits", "edc_status_entry"),
    "read": ("certified_edc", "edc_title", "is_edc", "lang_text"),
    "vocab": ("EDC_CONTEXT", "EDC_STATUS_TYPE", "EDC_TYPE", "EDC_TYPES"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

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


__getattr__, __dir__ = lazy_exports(__name__, _MODULE_OF, __all__)
