"""One accreditation credential checked against what the registry records: issued by the parent
the registry names, about the right DID and attribute, pointing to the parent's accreditation
(termsOfUse), signed by a key the parent's DID document held when it signed.

The answer does not depend on the time in question, so it is checked once per chain read and kept
across reads in the `BodyChecks` the chain carries (see `model.BodyChecks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.accreditation import ISSUER_TYPES, ParsedAccreditation, parse_accreditation
from registry.formats.credential import iso
from registry.formats.eth import keccak_text
from registry.ops.trust.model import ChainData, IssuerType, Link


def check_body(chain: ChainData, link: Link) -> tuple[ParsedAccreditation | None, str]:
    """A link's accreditation credential checked once (it does not depend on the time in question)."""
    if link.key in chain.checked:
        return chain.checked[link.key]
    signer_hash = link.did_hash if link.issuer_type is IssuerType.ROOT_TAO else link.parent_did_hash
    signer = chain.documents.get(signer_hash)
    key = (link, chain.bodies.get(link.key), signer.methods if signer else None, chain.names.get(signer_hash))
    result = chain.body_checks.get(key)
    if result is None:
        result = _check_body_uncached(chain, link)
        chain.body_checks.put(key, result)
    chain.checked[link.key] = result
    return result


def _check_body_uncached(chain: ChainData, link: Link) -> tuple[ParsedAccreditation | None, str]:
    body = chain.bodies.get(link.key)
    if body is None:
        return None, "the accreditation credential is missing from the chain or does not match its stored hash"
    try:
        acc = parse_accreditation(body)
    except InputError as exc:
        return None, f"malformed accreditation: {exc}"
    problem = _misplaced(acc, link)
    if problem is not None:
        return None, problem
    expected_issuer = link.did_hash if link.issuer_type is IssuerType.ROOT_TAO else link.parent_did_hash
    signer = chain.documents.get(expected_issuer)
    kid = acc.parsed.kid or ""
    fragment = kid.partition("#")[2]
    if not kid.startswith(acc.issuer + "#") or signer is None:
        return None, "the accreditation's signing key is not the parent's"
    from registry.ops.registry import Rel

    method = signer.method_by_thumbprint(fragment)
    if method is None or not method.has(Rel.ASSERTION_METHOD):
        return None, "the accreditation's signing key is not in the parent's DID document"
    if not method.valid_at(acc.issued_at):
        return None, f"the parent's key was not valid when it signed the accreditation ({iso(acc.issued_at)})"
    if not jwt.verify(acc.parsed, method.jwk):
        return None, "the accreditation's signature does not verify with the parent's key"
    if link.issuer_type is IssuerType.ROOT_TAO:  # onboarded by governance, its authorisation self-signed
        return acc, "its own signature verified (onboarded by the registry's governance)"
    return acc, "signature by the parent's key verified"


def _misplaced(acc: ParsedAccreditation, link: Link) -> str | None:
    """Why the accreditation is not the one the registry records at `link` (None: it is)."""
    from registry.formats.eth import keccak_text  # the chain's hash

    expected_issuer = link.did_hash if link.issuer_type is IssuerType.ROOT_TAO else link.parent_did_hash
    if keccak_text(acc.issuer) != expected_issuer:
        return "the accreditation was not issued by the parent the registry records"
    if keccak_text(acc.subject) != link.did_hash:
        return "the accreditation is about another DID"
    if acc.attribute_id != link.attribute_id.hex():
        return "the accreditation's reservedAttributeId differs from the registry's attribute id"
    if acc.kind != int(link.issuer_type):
        return f"the accreditation's type does not make a {ISSUER_TYPES[int(link.issuer_type)]}"
    if link.issuer_type is not IssuerType.ROOT_TAO:
        terms = acc.terms_of_use or ""
        if not terms.endswith(f"/issuers/{acc.issuer}/attributes/{link.parent_attribute_id.hex()}"):
            return "termsOfUse does not point to the parent's accreditation"
    return None


def names_in(dids: Sequence[str], bodies: Iterable[str]) -> dict[bytes, str]:
    """The DIDs a chain read can name, by hash (keccak256 of the DID, as the registry keys them):
    those asked about, and every accreditation's issuer and subject (the registry stores only hashes)."""
    names = {keccak_text(d): d for d in dids}
    for body in bodies:
        try:
            parsed = parse_accreditation(body)
        except InputError:
            continue
        for text in (parsed.issuer, parsed.subject):
            names.setdefault(keccak_text(text), text)
    return names
