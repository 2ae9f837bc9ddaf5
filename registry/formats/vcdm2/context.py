"""The JSON-LD side of a VCDM 2.0 credential: its `@context` entries and the type terms they define.

A small, purposely partial JSON-LD processor: the terms of the base context are known here, inline
contexts are processed, and remote contexts are used only when a `loader` supplies them (otherwise
they may define any term). Only the credential's own `type` values must resolve.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.errors import InputError

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"

# A context document for a URL, or None when the loader does not know it.
ContextLoader = Callable[[str], Mapping[str, Any] | None]

_CRED = "https://www.w3.org/2018/credentials#"
_STATUS = "https://www.w3.org/ns/credentials/status#"
# The class terms of the (protected) VCDM 2.0 base context, with the IRIs they expand to.
BASE_CONTEXT_TYPES: dict[str, str] = {
    "VerifiableCredential": _CRED + "VerifiableCredential",
    "EnvelopedVerifiableCredential": _CRED + "EnvelopedVerifiableCredential",
    "VerifiablePresentation": _CRED + "VerifiablePresentation",
    "EnvelopedVerifiablePresentation": _CRED + "EnvelopedVerifiablePresentation",
    "JsonSchemaCredential": _CRED + "JsonSchemaCredential",
    "JsonSchema": _CRED + "JsonSchema",
    "BitstringStatusListCredential": _STATUS + "BitstringStatusListCredential",
    "BitstringStatusList": _STATUS + "BitstringStatusList",
    "BitstringStatusListEntry": _STATUS + "BitstringStatusListEntry",
    "DataIntegrityProof": "https://w3id.org/security#DataIntegrityProof",
}

# An absolute IRI: scheme ":" and no character RFC 3987 forbids (spaces, quotes, <>{}|\^`).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


def short(value: Any) -> str:
    return repr(value)[:80]


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and _IRI.fullmatch(value) is not None


@dataclass
class ActiveContext:
    terms: dict[str, str | None] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    vocab: str | None = None
    open: bool = False  # a context we could not read may define any term

    def define(self, term: str, iri: str | None, protected: bool) -> None:
        if term in self.protected and self.terms.get(term) != iri:
            raise InputError(f"@context redefines the protected term {term!r}")
        self.terms[term] = iri
        if protected:
            self.protected.add(term)

    def apply_base(self) -> None:
        for term, iri in BASE_CONTEXT_TYPES.items():
            self.define(term, iri, protected=True)

    def apply_object(self, context: Mapping[str, Any]) -> None:
        protected = context.get("@protected", False)
        if not isinstance(protected, bool):
            raise InputError("@protected in an inline @context must be true or false")
        if "@vocab" in context:
            vocab = context["@vocab"]
            if vocab is not None and not isinstance(vocab, str):
                raise InputError("@vocab in an inline @context must be a string or null")
            self.vocab = vocab
        for term, definition in context.items():
            if term.startswith("@"):
                continue
            term_protected = protected
            if isinstance(definition, Mapping):
                term_protected = bool(definition.get("@protected", protected))
                definition = definition.get("@id", self._vocab_iri(term))
            if definition is not None and not isinstance(definition, str):
                raise InputError(f"@context defines {term!r} with a value that is not an IRI")
            if isinstance(definition, str) and not definition.startswith("@") and not is_iri(definition):
                raise InputError(f"@context maps {term!r} to {short(definition)}, which is not an IRI")
            self.define(term, definition, term_protected)

    def _vocab_iri(self, term: str) -> str | None:
        return None if self.vocab is None else self.vocab + term

    def check_type(self, value: str, where: str) -> None:
        if value in self.terms:
            if self.terms[value] is None:
                raise InputError(f"{where} type {value!r} is explicitly undefined by @context")
            return
        if is_iri(value) or self.vocab is not None or self.open:
            return
        raise InputError(f"{where} type {value!r} is not defined by @context and is not an IRI")


def active_context(contexts: list[Any], loader: ContextLoader | None) -> ActiveContext:
    active = ActiveContext()
    for entry in contexts:
        if isinstance(entry, str):
            if not is_iri(entry):
                raise InputError(f"@context entry {short(entry)} is not a URL")
            if entry == VC_V2_CONTEXT:
                active.apply_base()
                continue
            document = loader(entry) if loader is not None else None
            if document is None:
                active.open = True
                continue
            inner = document.get("@context", document)
            for item in inner if isinstance(inner, list) else [inner]:
                if isinstance(item, Mapping):
                    active.apply_object(item)
                else:
                    active.open = True  # nested remote references are not followed
        elif isinstance(entry, Mapping):
            active.apply_object(entry)
        else:
            raise InputError(f"@context entry {short(entry)} is neither a URL nor an object")
    return active
