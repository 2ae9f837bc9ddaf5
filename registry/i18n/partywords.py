"""The parties a check's line names by DID (the issuer, an accreditation body, the Root TAO, the
passport's holder), named beside it in the run's language, each name marked as whose word it is: the
accreditation that names the issuer or body, the root's own onboarding (self-declared), an attestation's
employer naming itself, the credentials naming their holder. The verifier writes DIDs alone (its
report's JSON is machine output, and keeps them so); `registry verify` adds the names here, the page
in `static/app.js`'s `namedParties`. A DID a line names already ("did:… (Name)") is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from registry.i18n import N_, _
from registry.i18n.words import SELF_DECLARED

AS_ACCREDITED = N_("{did} ({name}, as its accreditation names it)")
AS_ITSELF = N_("{did} ({name}, as it names itself)")
AS_HOLDER = N_("{did} ({name}, as the credentials name the holder)")
_ROOT_TAO = (1, "RootTAO")


def parties(checks: Iterable[Any], certifies: Mapping[str, Any] | None = None) -> dict[str, tuple[str, str]]:
    """DID -> (how it is named, its name) for the parties a credential's report knows by name: each
    link of its accreditation chain (the root's as self-declared), an attested employer by its own name."""
    found: dict[str, tuple[str, str]] = {}
    for check in checks:
        name, evidence = _field(check, "name"), _field(check, "evidence") or {}
        if name == "accreditation":
            for link in evidence.get("path_links") or ():
                if isinstance(link, Mapping) and isinstance(link.get("did"), str) and isinstance(link.get("name"), str):
                    how = SELF_DECLARED if link.get("issuer_type") in _ROOT_TAO else AS_ACCREDITED
                    found.setdefault(link["did"], (how, link["name"]))
        elif name == "assurance" and str(_field(check, "outcome")) == "pass" and certifies:
            issuer = certifies.get("issuer") or {}
            if isinstance(issuer.get("did"), str) and isinstance(issuer.get("name"), str):
                found.setdefault(issuer["did"], (AS_ITSELF, issuer["name"]))
    return found


def holder_party(holder: str | None, competencies: Mapping[str, Any] | None) -> dict[str, tuple[str, str]]:
    """A passport's holder by the name her counted credentials give her (one name; none when they name
    her differently: the summary says each)."""
    names = (competencies or {}).get("holder_names") or []
    name = ((competencies or {}).get("holder") or {}).get("name")
    if not holder or not isinstance(name, str) or len(names) > 1:
        return {}
    return {holder: (AS_HOLDER, name)}


def named(text: str, found: Mapping[str, tuple[str, str]]) -> str:
    """`text` (a check's line, in the run's language) with each party it names by DID alone named
    beside its DID (a key's `#fragment` kept with it), where it first names it; a DID named there
    already ("did:… (Name)") leaves the line as it is (a command it suggests keeps its DID bare)."""
    for did, (how, name) in found.items():
        first = re.compile(re.escape(did) + r"(?:#[^\s,;()]*)?(?![A-Za-z0-9._%:#-])").search(text)
        if first is None or text.startswith(" (", first.end()):
            continue
        text = text[: first.start()] + _(how).format(did=first.group(), name=name) + text[first.end() :]
    return text


def _field(check: Any, key: str) -> Any:
    return check.get(key) if isinstance(check, Mapping) else getattr(check, key, None)
