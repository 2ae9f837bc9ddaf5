"""The checks that need no chain: the credential's format, its cohort proof, its dates.

They run first, for every credential of a batch, so that what is malformed never costs a read.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from hashlib import sha256
from typing import Any

from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import jwt, ownschemas, safejson, typedvc
from registry.formats.europass import edc_title, is_edc
from registry.formats.merkle import ProofMemo, bytes32_leaf, verify_proof
from registry.formats.multibase import b64url_decode
from registry.formats.vcdm2 import detect_profile, parse_vc2, skills_context_loader
from registry.formats.vcdm2.tokens import PROFILE_VCDM11
from registry.ops.verify.fields import Fields, fields_typed, fields_v1, fields_v2
from registry.ops.verify.item import Item, iso
from registry.ops.verify.report import Code, CredentialInfo, Outcome, Row
from registry.ops.verify.schemas import check_schema, passed_row

_V2 = "vcdm2.0-vc+jwt"
_V1_LABEL = "EBSI JWT-VC (VCDM 1.1)"
_WELL_FORMED = {_V2: "a well-formed VCDM 2.0 vc+jwt"}
_WELL_FORMED_EDC = "a well-formed VCDM 2.0 vc+jwt (a Europass European Digital Credential)"
_WELL_FORMED_V1 = f"a well-formed {_V1_LABEL}"
# Types whose credentials read differently (a CLR is not checked here, a Europass one is named by its
# title): the general path, never `_check_typed`.
_SET_APART = frozenset({"ClrCredential", "EuropeanDigitalCredential"})


def check_format(item: Item, content: str | bytes, memo: ProofMemo, schema_sources: Sequence[str] = ()) -> None:
    """Parse the holder file and its JWT for either profile; then the schema it names and the
    cohort proof, if any. Our skills credentials take `_check_typed` (one pass, same results)."""
    try:
        holder = item.holder = vcfmt.load_holder_file(content, item.source)
    except InputError as exc:
        item.add(Code.FORMAT, Outcome.FAIL, str(exc))
        return
    if _check_typed(item, holder, memo):
        return
    try:
        parsed = item.parsed = jwt.parse(holder.credential)
        if _is_clr(parsed.payload):  # ours, but not a format this verifier checks: never INVALID
            from registry.formats.logbook.clr import NOT_CHECKED_HERE

            item.add(Code.FORMAT, Outcome.UNKNOWN, NOT_CHECKED_HERE)
            item.fatal = True  # nothing further is checked: no chain read for it
            return
        profile = detect_profile(parsed)
        if profile == _V2:
            parsed, vc = parse_vc2(holder.credential, loader=skills_context_loader)
            item.parsed = parsed
            fields = fields_v2(parsed, vc)
        else:
            vc, fields = fields_v1(parsed)
    except InputError as exc:
        item.add(Code.FORMAT, Outcome.FAIL, str(exc))
        return
    # The token's bytes once, for its hash and its signing input (it parsed, so it is ASCII).
    raw = parsed.token.encode("ascii")
    _take(item, holder, fields, profile, sha256(raw).digest(), *_shown(vc))
    # All that is needed of the payload is in the item now.
    item.parsed = parsed.without_payload(raw[: raw.rindex(b".")])
    item.format_ok = True
    well_formed = _WELL_FORMED_EDC if "EuropeanDigitalCredential" in item.types else _WELL_FORMED.get(profile)
    item.rows.append(_format_row(well_formed or _WELL_FORMED_V1, parsed.alg, parsed.kid))
    check_schema(item, vc, schema_sources)
    if holder.cohort is not None:
        check_cohort_proof(item, memo)


def _check_typed(item: Item, holder: vcfmt.HolderFile, memo: ProofMemo) -> bool:
    """`check_format`'s work for one of our skills credentials (EBSI VCDM 1.1 JWT naming our skills
    schema), its payload decoded and checked against the schema in one pass (`typedvc.read`), the
    claims read from typed records (`fields_typed`): the same rows and fields as the general path.
    False, with the item untouched, for anything else or anything wrong: the general path then
    reads it again and says what is wrong."""
    try:
        token, header, body, tail = jwt.split(holder.credential)
        raw = b64url_decode(body)
        payload = typedvc.read(raw) if header.get("typ") == "JWT" else None
        if payload is not None and safejson.repeated_in_token(raw) is not None:
            return False  # the general path refuses it, naming the member
        signature = jwt.signature_of(tail, header["alg"]) if payload is not None else b""
    except InputError:
        return False
    kid = header.get("kid")
    fields = None if payload is None else fields_typed(payload, kid if isinstance(kid, str) else None)
    if payload is None or fields is None or _SET_APART.intersection(fields.types):
        return False
    schemas = payload.vc.credentialSchema
    urls = [s.id for s in schemas] if isinstance(schemas, list) else [schemas.id]
    skills = ownschemas.id_of(ownschemas.SKILLS)
    if any(ownschemas.id_in_url(url) != skills for url in urls):
        return False
    raw = token.encode("ascii")
    vc = payload.vc
    _take(item, holder, fields, PROFILE_VCDM11, sha256(raw).digest(), vc.id, vc.credentialSubject.achievement.name)
    item.parsed = jwt.read_elsewhere(token, header, signature, raw[: raw.rindex(b".")])
    item.format_ok = True
    item.rows.append(_format_row(_WELL_FORMED_V1, header["alg"], kid if isinstance(kid, str) else None))
    item.rows.append(passed_row(urls, skills))
    if holder.cohort is not None:
        check_cohort_proof(item, memo)
    return True


def _is_clr(payload: dict[str, object]) -> bool:
    """A CLR 2.0 ClrCredential as `logbook complete` writes it (VC-JWT, the credential in `vc`)."""
    vc = payload.get("vc")
    kinds = vc.get("type") if isinstance(vc, dict) else None
    return isinstance(kinds, list) and "ClrCredential" in kinds


@lru_cache(maxsize=1024)  # one issuer's credentials name one key: the row is written once and shared
def _format_row(message: str, alg: str, kid: str | None) -> Row:
    return Code.FORMAT, Outcome.PASS, message, {"alg": alg, "kid": kid}


def _shown(vc: dict[str, Any]) -> tuple[Any, Any]:
    """The credential's id and its achievement's name, as the report shows them."""
    subject = vc.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if is_edc(vc):  # a Europass credential names its learning achievement by its title
        achievement = {"name": edc_title(vc)}
    return vc.get("id"), achievement.get("name") if isinstance(achievement, dict) else None


def _take(
    item: Item, holder: vcfmt.HolderFile, fields: Fields, profile: str, digest: bytes, vc_id: Any, achievement: Any
) -> None:
    """The fields the checks read, and the credential's hash (`vcfmt.credential_hash`: sha256 of
    the compact JWT, `digest`)."""
    item.issuer = fields.issuer
    item.fragment = fields.fragment
    item.issued_at = fields.signed_at
    item.signing_stated = fields.signing_stated
    item.valid_from = fields.valid_from
    item.valid_until = fields.valid_until
    item.statuses = fields.statuses
    item.types = tuple(fields.types)
    item.schema = fields.schema
    item.credential_hash = item.value = digest
    # What the report shows of the credential, as a dict only when someone reads it (report.py).
    item.info = CredentialInfo(
        vc_id,
        profile,
        fields.issuer,
        fields.subject,
        fields.types,
        achievement,
        fields.signed_at,
        item.credential_hash,
        fields.schema,
        holder.credential,
    )


def check_cohort_proof(item: Item, memo: ProofMemo) -> None:
    cohort = item.cohort
    assert cohort is not None
    leaf = bytes32_leaf(item.credential_hash)
    if not verify_proof(cohort.root, leaf, cohort.proof, memo):
        item.add(
            Code.COHORT_PROOF, Outcome.FAIL, "the Merkle proof does not lead from this credential to the cohort root"
        )
        return
    item.value = cohort.root
    item.rows.append(_cohort_row(cohort.root, cohort.size))


@lru_cache(maxsize=256)  # written once per cohort, not once per member, and shared
def _cohort_row(root: bytes, size: int) -> Row:
    return Code.COHORT_PROOF, Outcome.PASS, f"member of a cohort of {size}", {"root": "0x" + root.hex()}


def check_signing_time(item: Item, now: float, skew: int) -> None:
    """Against our clock, before the chain: a future date must not buy "could not determine"."""
    if not item.fatal and item.signing_stated and item.issued_at > now + skew:
        item.add(Code.SIGNING_TIME, Outcome.FAIL, f"claims to be signed in the future ({iso(item.issued_at)})")


def check_validity(item: Item, at: int, skew: int = 0) -> None:
    """`skew`: the clock disagreement allowed on its start, for a question about now (an issuer signs
    at its chain's time, which may run ahead of our clock; a time asked is judged as given)."""
    if at + skew < item.valid_from:
        item.add(Code.VALIDITY_PERIOD, Outcome.FAIL, f"not valid before {iso(item.valid_from)}")
    elif item.valid_until is not None and at >= item.valid_until:
        item.add(Code.VALIDITY_PERIOD, Outcome.FAIL, f"expired on {iso(item.valid_until)}")
    else:
        item.rows.append(_valid_row(item.valid_from, item.valid_until))


@lru_cache(maxsize=1024)  # a cohort's members share their dates: each row is written once, and shared
def _valid_row(valid_from: int, valid_until: int | None) -> Row:
    until = f"until {iso(valid_until)}" if valid_until else "with no expiry date"
    if not valid_from:  # states no start (validFrom is optional in VCDM 2.0): not "from 1970"
        text = f"with no start date until {iso(valid_until)}" if valid_until else "with no start or expiry date"
        return Code.VALIDITY_PERIOD, Outcome.PASS, f"valid {text}", {}
    return Code.VALIDITY_PERIOD, Outcome.PASS, f"valid from {iso(valid_from)} {until}", {}
