"""Skills passports: a holder's credentials presented together, as a Verifiable Presentation
signed with the holder's did:key (EBSI's VP JWT profile: the presentation in the `vp` claim).

The passport file also carries each credential's anchor as its holder file states it (in
`cohortProofs`: a cohort member's Merkle proof, or `{"type": "single"}`) and its registry locator
(formats/locator.py), by credential hash; neither needs a signature (a proof leads to an anchored
root or it doesn't; a locator names a registry the verifier still checks). A credential with no
anchor stated is read as a bare JWT: its missing anchor is never taken as proof of forgery.

A presentation is short-lived and addressed, as EBSI's presentation library requires: it carries
`iat`, `nbf` and an `exp` (DEFAULT_VALIDITY_S after signing unless the holder asks otherwise), and
`aud` / `nonce` when the holder was told who will check it and with which challenge. A verifier
that states its audience (and nonce) refuses a passport made for someone else, or a replayed one.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import jwt, safejson
from registry.formats.didkey import jwk_from_did_key
from registry.formats.holderfile import printed, printed_refusal, twice_refusal
from registry.text import short_did

if TYPE_CHECKING:
    from registry.keystore import Identity

PASSPORT_FORMAT = "skills-passport/1"
MAX_CREDENTIALS = 200
DEFAULT_VALIDITY_S = 7 * 24 * 3600  # a week: long enough to be sent, read and checked by an employer
MAX_VALIDITY_S = 365 * 24 * 3600


def create_passport(
    holder: Identity,
    files: list[vcfmt.HolderFile],
    *,
    audience: str | None = None,
    nonce: str | None = None,
    valid_for: int = DEFAULT_VALIDITY_S,
) -> dict[str, Any]:
    """The holder's credentials, each once and each about the holder, in a presentation the holder
    signs, valid for `valid_for` seconds from now."""
    check_valid_for(valid_for)
    check_credentials(holder, files)
    passport = sign_presentation(holder, files, audience=audience, nonce=nonce, valid_for=valid_for)
    _check_size(len(passport["presentation"]), len(files))
    return passport


def _check_size(size: int, count: int) -> None:
    """InputError when a presentation of `size` bytes is more than a verifier reads (formats/jwt.py's
    MAX_TOKEN_BYTES): every verifier would refuse such a passport, so none is written."""
    if size > jwt.MAX_TOKEN_BYTES:
        fit = max(1, count * jwt.MAX_TOKEN_BYTES // size)
        raise InputError(
            f"{count} credentials make a passport too large for a verifier to read (a presentation of "
            f"{size // 1024} KiB, at most {jwt.MAX_TOKEN_BYTES // 1024} KiB): make two passports or more, of "
            f"fewer credentials each (about {fit} of these fit in one)"
        )


def check_credentials(holder: Identity, files: list[vcfmt.HolderFile]) -> None:
    """InputError unless `files` may go into a passport of `holder`: one to MAX_CREDENTIALS
    credentials, each once and each about the holder, not more than a verifier reads in all."""
    if holder.kind != "natural-person":
        raise InputError(f"{holder.name} is not a person's identity (did:key)")
    if not files:
        raise InputError("a passport needs at least one credential")
    if len(files) > MAX_CREDENTIALS:
        raise InputError(f"a passport holds at most {MAX_CREDENTIALS} credentials")
    seen: set[str] = set()
    size = 1024  # the presentation's own claims, then each credential base64url-encoded once more
    for number, holder_file in enumerate(files, 1):
        if holder_file.credential in seen:
            raise InputError(f"credential {number} is in the passport twice")
        seen.add(holder_file.credential)
        size += len(holder_file.credential) + 3
        subject = _subject(holder_file.credential)
        if subject != holder.did:
            # did:keys of one curve share their first 50 characters: each is shown by its start and end.
            about = short_did(subject) if isinstance(subject, str) else "no one"
            raise InputError(
                f"credential {number} is about {about}, not the holder {holder.name} ({short_did(holder.did)}): "
                "a passport holds only its holder's own credentials"
            )
    _check_size(size * 4 // 3, len(files))  # before any status is read: signed, it is a little larger still


def check_valid_for(seconds: int) -> None:
    if not 60 <= seconds <= MAX_VALIDITY_S:
        raise InputError(f"a passport is valid for 1 minute to {MAX_VALIDITY_S // 86400} days, not {seconds} s")


def sign_presentation(
    holder: Identity,
    files: list[vcfmt.HolderFile],
    *,
    audience: str | None = None,
    nonce: str | None = None,
    valid_for: int = DEFAULT_VALIDITY_S,
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Sign whatever credentials it is given into a passport file, unchecked: `create_passport`
    is what a holder uses; this is also how tests build the passports a verifier must refuse
    (`claims` replaces JWT claims; a claim given as None is left out)."""
    now = int(time.time())
    vp = {
        "@context": [vcfmt.VC_V1_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiablePresentation", "SkillsPassport"],
        "holder": holder.did,
        "verifiableCredential": [f.credential for f in files],
    }
    payload: dict[str, Any] = {
        "iss": holder.did, "sub": holder.did, "jti": vp["id"], "iat": now, "nbf": now, "exp": now + valid_for, "vp": vp,
    }  # fmt: skip
    if audience and audience.strip():
        payload["aud"] = audience.strip()
    if nonce:
        payload["nonce"] = nonce
    for claim, value in (claims or {}).items():
        if value is None:
            payload.pop(claim, None)
        else:
            payload[claim] = value
    token = jwt.sign({"alg": "ES256", "typ": "JWT", "kid": holder.kid}, payload, holder.signing_key)
    # Each credential's anchor as its holder file states it (a cohort's Merkle proof, or "single"), by
    # hash; a credential given as a bare JWT states none, and is read back as bare (no claim to hold).
    proofs = {"0x" + vcfmt.credential_hash(f.credential).hex(): f.to_json()["anchor"] for f in files if not f.bare}
    # Where each credential lives (formats/locator.py), by hash as the proofs are: not signed, public.
    registries = {"0x" + vcfmt.credential_hash(f.credential).hex(): f.registry for f in files if f.registry is not None}
    return {
        "format": PASSPORT_FORMAT, "presentation": token, "cohortProofs": proofs,
        **({"registries": registries} if registries else {}),
    }  # fmt: skip


def _subject(token: str) -> Any:
    """Whom a credential (either profile) is about: its credentialSubject id."""
    payload = jwt.parse(token).payload
    claim = payload.get("vc")
    vc: dict[str, Any] = claim if isinstance(claim, dict) else payload
    subject = vc.get("credentialSubject")
    return subject.get("id") if isinstance(subject, dict) else None


@dataclass(frozen=True)
class Passport:
    parsed: jwt.CompactJWS
    holder: str
    credentials: list[vcfmt.HolderFile]


_MARKER = PASSPORT_FORMAT.encode()


def is_passport(content: str | bytes) -> bool:
    """Whether `content` is a passport file: a JSON object whose `format` is skills-passport/1.

    Decided on the parsed document, never on where its keys happen to stand (a passport written
    with sorted keys puts its cohort proofs first). A quick substring test first, so credential
    files, which never name the passport format, are not parsed twice.
    """
    named = PASSPORT_FORMAT in content if isinstance(content, str) else _MARKER in content
    if not named:
        return False
    try:
        data = safejson.loads(content, "input")
    except InputError:
        return False
    return isinstance(data, dict) and data.get("format") == PASSPORT_FORMAT


def load_passport(content: str | bytes, source: str = "input") -> Passport:
    if (what := printed(content)) is not None:  # `passport print` given its own output, or a picture
        raise InputError(printed_refusal(source, what))
    data = safejson.loads(content, source)
    if (twice := safejson.repeated_member(content, data)) is not None:
        raise InputError(twice_refusal(source, twice))
    if isinstance(data, dict) and data.get("format") == vcfmt.HOLDER_FILE_FORMAT:  # `passport print CREDENTIAL`
        make = f"`registry passport create --from-wallet` or `--holder NAME ... {source}`"
        raise InputError(
            f"{source} is a credential file, not a skills passport: put it in one first ({make}), then print that"
        )
    if not isinstance(data, dict) or data.get("format") != PASSPORT_FORMAT:
        raise InputError(f"{source} is not a skills passport ({PASSPORT_FORMAT})")
    token = data.get("presentation")
    proofs = data.get("cohortProofs") or {}
    registries = data.get("registries") or {}
    if not isinstance(token, str) or not isinstance(proofs, dict) or not isinstance(registries, dict):
        raise InputError(f"{source}: malformed passport")
    parsed = jwt.parse(token)
    vp = parsed.payload.get("vp")
    if not isinstance(vp, dict):
        raise InputError(f"{source}: the presentation has no vp claim")
    credentials = vp.get("verifiableCredential")
    if not isinstance(credentials, list) or not credentials or len(credentials) > MAX_CREDENTIALS:
        raise InputError(f"{source}: the presentation must hold 1 to {MAX_CREDENTIALS} credentials")
    files: list[vcfmt.HolderFile] = []
    for token_n in credentials:
        if not isinstance(token_n, str):
            raise InputError(f"{source}: every credential in the presentation must be a JWT")
        key = "0x" + vcfmt.credential_hash(token_n).hex()
        anchor = proofs.get(key)
        holder_file: dict[str, Any] = {"format": vcfmt.HOLDER_FILE_FORMAT, "credential": token_n}
        if anchor is not None:
            holder_file["anchor"] = anchor
        if registries.get(key) is not None:
            holder_file["registry"] = registries[key]
        files.append(vcfmt.load_holder_file(json.dumps(holder_file), f"{source} credential {len(files) + 1}"))
    holder = vp.get("holder")
    if not isinstance(holder, str) or holder != parsed.payload.get("iss"):
        raise InputError(f"{source}: the presentation's holder and iss differ")
    return Passport(parsed=parsed, holder=holder, credentials=files)


def check_holder_signature(passport: Passport) -> str | None:
    """None when the presentation is signed by its holder's did:key; else the reason."""
    if not passport.holder.startswith("did:key:"):
        return "the holder is not a did:key"
    kid = passport.parsed.kid or ""
    if not kid.startswith(passport.holder + "#"):
        return "the presentation is signed with a key that is not the holder's"
    try:
        key = jwk_from_did_key(passport.holder)
    except InputError as exc:
        return f"the holder's did:key does not resolve: {exc}"
    if not jwt.verify(passport.parsed, key):
        return "the presentation's signature does not verify with the holder's key"
    return None
