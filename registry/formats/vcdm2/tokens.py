"""The `vc+jwt` token: its JOSE header and claims checked around the credential it carries
(`parse_vc2`, `verify_vc2`), and which credential profile a compact JWT uses (`detect_profile`).
"""

from __future__ import annotations

from typing import Any, Final, Literal

from registry.errors import InputError
from registry.formats import jwt
from registry.formats.credential import MAX_TIMESTAMP
from registry.formats.vcdm2.context import ContextLoader, short
from registry.formats.vcdm2.model import check_vc2

MEDIA_TYPE = "vc+jwt"
CONTENT_TYPE = "vc"
PROFILE_VCDM11: Final = "vcdm1.1-jwt"
PROFILE_VCDM20: Final = "vcdm2.0-vc+jwt"
Profile = Literal["vcdm1.1-jwt", "vcdm2.0-vc+jwt"]
FORBIDDEN_CLAIMS = ("vc", "vp")
# JWT time claims a vc+jwt may carry beside validFrom/validUntil (VC-JOSE-COSE); when present they
# bound the validity too (`nbf` as a start, `exp` as an end), so they must be NumericDates. (`iat`
# bounds nothing here, and the W3C suite's own vectors carry it as a date string: left alone.)
TIME_CLAIMS = ("nbf", "exp")


def refuse_forbidden_claims(payload: dict[str, Any]) -> None:
    """A vc+jwt payload is the credential itself: no `vc` or `vp` claim."""
    for claim in FORBIDDEN_CLAIMS:
        if claim in payload:
            raise InputError(f"a vc+jwt payload must not have a {claim!r} claim")


def _media_type(value: Any) -> str | None:
    """RFC 7515 §4.1.9: `application/` may be omitted and media types are case-insensitive."""
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    return lowered.removeprefix("application/")


def _parse_compact(token: str) -> jwt.CompactJWS:
    text = token.strip() if isinstance(token, str) else ""
    if "~" in text:
        raise InputError("SD-JWT credentials (with ~ disclosures) are not supported; expected a compact JWS")
    if text.count(".") != 2:
        raise InputError("not a compact JWS (COSE and JSON-serialised credentials are not supported)")
    return jwt.parse(text)


def parse_vc2(token: str, loader: ContextLoader | None = None) -> tuple[jwt.CompactJWS, dict[str, Any]]:
    """Decode a `vc+jwt` and check its structure (not its signature): header, claims, data model."""
    parsed = _parse_compact(token)
    typ = _media_type(parsed.header.get("typ"))
    if typ != MEDIA_TYPE:
        raise InputError(f"the JWS typ is {short(parsed.header.get('typ'))}, not {MEDIA_TYPE!r}")
    if "cty" in parsed.header and _media_type(parsed.header["cty"]) != CONTENT_TYPE:
        raise InputError(f"the JWS cty is {short(parsed.header['cty'])}, not {CONTENT_TYPE!r}")
    payload = parsed.payload
    refuse_forbidden_claims(payload)
    for claim in TIME_CLAIMS:
        value = payload.get(claim, 0)
        # bool is an int in Python; and times must fit a calendar (years 1970 to 9999).
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_TIMESTAMP:
            raise InputError(f"the {claim} claim is not a whole number of seconds between 1970 and 9999")
    vc = check_vc2(payload, loader)
    issuer = vc["issuer"]
    issuer_id = issuer if isinstance(issuer, str) else issuer.get("id")
    if "iss" in payload and payload["iss"] != issuer_id:
        raise InputError("the iss claim does not match the credential's issuer")
    if "jti" in payload and payload["jti"] != vc.get("id"):
        raise InputError("the jti claim does not match the credential's id")
    return parsed, vc


def verify_vc2(token: str, public_jwk: dict[str, Any], loader: ContextLoader | None = None) -> dict[str, Any]:
    """The credential of a structurally valid `vc+jwt` whose signature verifies with `public_jwk`."""
    parsed, vc = parse_vc2(token, loader)
    if not jwt.verify(parsed, public_jwk):
        raise InputError(f"the {parsed.alg} signature of the vc+jwt does not verify with the given key")
    return vc


def detect_profile(token: str | jwt.CompactJWS) -> Profile:
    """Which credential profile a compact JWT uses: EBSI VCDM 1.1 (`vc` claim) or VCDM 2.0 `vc+jwt`."""
    parsed = _parse_compact(token) if isinstance(token, str) else token
    typ = _media_type(parsed.header.get("typ"))
    has_vc_claim = isinstance(parsed.payload.get("vc"), dict)
    if typ == MEDIA_TYPE and not has_vc_claim:
        return PROFILE_VCDM20
    if typ in (None, "jwt") and has_vc_claim:
        return PROFILE_VCDM11
    raise InputError(f"not a credential JWT of a known profile (typ {short(parsed.header.get('typ'))})")
