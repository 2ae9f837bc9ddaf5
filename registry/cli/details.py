"""A check's detail line under its message (its evidence: `alg ES256, kid did:…`, `list 1, index 2134`), and an
evidence value as words, in the language of the run.

The verifier's evidence is machine output (`--json` keeps its keys as they are); the text output names each
key in words (`KEYS`; a key not there is shown as written), joins the pairs with the language's comma, and
says the few values that are words of ours in its words too (the accreditation policy, an attestation's
assurance, the no-trust-list note, a revocation's or suspension's change). DIDs, hashes, addresses, times,
numbers and names stay as written.
"""

from __future__ import annotations

from typing import Any

from registry.i18n import DEFAULT, N_, _, current, joined
from registry.i18n.words import POLICIES

# The words an accreditation scope is shown in (`plain`), in the language of the run.
SCOPE_WORDS = {"types": N_("types"), "schemaId": N_("schema"), "limitJurisdiction": N_("jurisdiction")}

# Each evidence key the verifier writes (ops/verify: offline.py, registries.py, lookups.py, chain_checks.py,
# status.py, attestations.py, presentation.py), as its detail line names it: English shows the key itself, so
# the key is the message; a key not here is shown as written.
KEYS = (
    N_("alg"), N_("kid"), N_("schema"), N_("chainId"), N_("didRegistry"), N_("trustRegistry"),
    N_("credentialRegistry"), N_("deploymentBlock"), N_("deploymentBlockHash"), N_("registered"),
    N_("registeredBlock"), N_("notBefore"), N_("notAfter"), N_("account"), N_("block"), N_("time"),
    N_("transaction"), N_("list"), N_("index"), N_("reasonCode"), N_("ignored"), N_("change"), N_("policy"),
    N_("root"), N_("path"), N_("path_links"), N_("issuer_type"), N_("did"), N_("name"), N_("issuer_name"),
    N_("root_name"), N_("note"), N_("assurance"), N_("assessor"), N_("assessorName"), N_("anchored"),
    N_("anchoringWindow"), N_("newestBlock"), N_("issued"), N_("expires"), N_("audience"), N_("nonce"),
)  # fmt: skip
# Values that are words of ours (the others are shown as written).
_VALUES = {
    "registered organisation": N_("registered organisation"),
    "revoked": N_("revoked"),
    "not revoked": N_("not revoked"),
    "suspended": N_("suspended"),
    "not suspended": N_("not suspended"),
    # ops/trust/evaluation.py's note when no trust list is given (tests/cli/test_details.py holds it equal).
    "no trust list given: the root is accepted because this registry's governance onboarded it": N_(
        "no trust list given: the root is accepted because this registry's governance onboarded it"
    ),
}


def plain(value: Any) -> str:
    """An evidence value as words: an accreditation scope as "types A, B; schema S; jurisdiction J" (those
    words in the language of the run), a list or an object item by item, never as a Python repr."""
    if isinstance(value, dict):
        if "types" in value:
            items = {**value, "types": joined(map(str, value["types"] or []))}  # with the language's commas
            return joined(
                (_(word) + f" {items[key]}" for key, word in SCOPE_WORDS.items() if key == "types" or items.get(key)),
                strong=True,
            )
        return detail_line(value)
    if isinstance(value, list):
        return " | ".join(plain(v) for v in value)
    return str(value)


def _key(key: str) -> str:
    return _(key) if key in KEYS else key


def _value(key: str, value: Any) -> str:
    if current() != DEFAULT:
        if key == "policy" and value in POLICIES:
            return _(POLICIES[value])
        if key == "note" and isinstance(value, str):  # notes joined by "; " (ops/verify/chain_checks.py)
            return joined((_(_VALUES.get(part, part)) for part in value.split("; ")), strong=True)
        if isinstance(value, str) and value in _VALUES:
            return _(_VALUES[value])
    return plain(value)


def detail_line(evidence: dict[str, Any]) -> str:
    """A check's evidence as one line: each key in words and its value, joined with the language's comma."""
    return joined(f"{_key(key)} {_value(key, value)}" for key, value in evidence.items() if value is not None)
