"""The checks that need no chain: the credential's format, its cohort proof, its dates.

They run first, for every credential of a batch, so that what is malformed never costs a read.
"""

from __future__ import annotations

from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.merkle import ProofMemo, keccak256, verify_proof
from registry.formats.vcdm2 import detect_profile, parse_vc2, skills_context_loader
from registry.ops.verify.fields import Fields, fields_v1, fields_v2
from registry.ops.verify.item import Item, iso
from registry.ops.verify.report import Code, Outcome

_V2 = "vcdm2.0-vc+jwt"
_LABELS = {_V2: "VCDM 2.0 vc+jwt"}
_V1_LABEL = "EBSI JWT-VC (VCDM 1.1)"


def check_format(item: Item, content: str | bytes, memo: ProofMemo) -> None:
    """Parse the holder file and its JWT for either profile; then the cohort proof, if any."""
    try:
        item.holder = vcfmt.load_holder_file(content, item.source)
        item.parsed = jwt.parse(item.holder.credential)
        profile = detect_profile(item.parsed)
        if profile == _V2:
            item.parsed, vc = parse_vc2(item.holder.credential, loader=skills_context_loader)
            fields = fields_v2(item.parsed, vc)
        else:
            vc, fields = fields_v1(item.parsed)
    except InputError as exc:
        item.add(Code.FORMAT, Outcome.FAIL, str(exc))
        return
    _take(item, fields, vc, profile)
    item.format_ok = True
    label = _LABELS.get(profile, _V1_LABEL)
    item.add(Code.FORMAT, Outcome.PASS, f"a well-formed {label}", alg=item.parsed.alg, kid=item.parsed.kid)
    if item.holder.cohort is not None:
        check_cohort_proof(item, memo)


def _take(item: Item, fields: Fields, vc: dict[str, object], profile: str) -> None:
    assert item.holder is not None
    item.issuer = fields.issuer
    item.fragment = fields.fragment
    item.issued_at = fields.signed_at
    item.valid_from = fields.valid_from
    item.valid_until = fields.valid_until
    item.statuses = fields.statuses
    item.types = tuple(fields.types)
    item.schema = fields.schema
    item.credential_hash = vcfmt.credential_hash(item.holder.credential)
    item.value = item.credential_hash
    subject = vc.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    item.info = {
        "id": vc.get("id"),
        "profile": profile,
        "issuer": item.issuer,
        "subject": fields.subject,
        "types": fields.types,
        "achievement": achievement.get("name") if isinstance(achievement, dict) else None,
        "issued": iso(item.issued_at),
        "hash": "0x" + item.credential_hash.hex(),
        "schema": fields.schema,
    }


def check_cohort_proof(item: Item, memo: ProofMemo) -> None:
    cohort = item.cohort
    assert cohort is not None
    # StandardMerkleTree leaf for one bytes32 value: abi.encode(bytes32) is the value itself.
    leaf = keccak256(keccak256(item.credential_hash))
    if not verify_proof(cohort.root, leaf, cohort.proof, memo):
        item.add(
            Code.COHORT_PROOF, Outcome.FAIL, "the Merkle proof does not lead from this credential to the cohort root"
        )
        return
    item.value = cohort.root
    item.add(Code.COHORT_PROOF, Outcome.PASS, f"member of a cohort of {cohort.size}", root="0x" + cohort.root.hex())


def check_signing_time(item: Item, now: float, skew: int) -> None:
    """Against our clock, before the chain: a future date must not buy "could not determine"."""
    if not item.fatal and item.issued_at > now + skew:
        item.add(Code.SIGNING_TIME, Outcome.FAIL, f"claims to be signed in the future ({iso(item.issued_at)})")


def check_validity(item: Item, at: int) -> None:
    if at < item.valid_from:
        item.add(Code.VALIDITY_PERIOD, Outcome.FAIL, f"not valid before {iso(item.valid_from)}")
    elif item.valid_until is not None and at >= item.valid_until:
        item.add(Code.VALIDITY_PERIOD, Outcome.FAIL, f"expired on {iso(item.valid_until)}")
    else:
        until = f"until {iso(item.valid_until)}" if item.valid_until else "with no expiry date"
        item.add(Code.VALIDITY_PERIOD, Outcome.PASS, f"valid from {iso(item.valid_from)} {until}")
