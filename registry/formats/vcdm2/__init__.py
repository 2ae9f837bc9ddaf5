"""The second credential profile: W3C VCDM 2.0 secured as `vc+jwt` (VC-JOSE-COSE, JOSE part).

Unlike the EBSI VCDM 1.1 profile (credential.py), the credential JSON *is* the JWT payload:
there is no `vc` claim, the header is `{alg, typ: "vc+jwt", kid}` and the dates are `validFrom`
/ `validUntil`. The subject is the same Open Badges 3.0 `AchievementSubject`, so the credential
is an `OpenBadgeCredential` and passes the OB 3.0 JSON Schema.

`check_vc2` enforces the VCDM 2.0 data-model rules that can be checked without the network:
the base context first, well-formed IRIs, required `type`s, one-line reasons on failure. Type
terms are resolved against the contexts with a small, purposely partial JSON-LD processor: the
terms of the base context are known here, inline contexts are processed, and remote contexts are
used only when a `loader` supplies them (otherwise they may define any term). Only the
credential's own `type` values must resolve; nested objects need a string `type`, which is what
VCDM 2.0 asks of them.

The package, one module per concern (callers import from the package): `context` (the JSON-LD
type terms), `model` (the data-model rules, `check_vc2`), `tokens` (the `vc+jwt` token, the
profile of a compact JWT) and `skills` (our own credentials: the skills context, build and sign).
"""

from __future__ import annotations

from registry.formats.vcdm2.context import BASE_CONTEXT_TYPES, VC_V1_CONTEXT, VC_V2_CONTEXT, ContextLoader, is_iri
from registry.formats.vcdm2.model import check_vc2, parse_datetime_stamp
from registry.formats.vcdm2.skills import (
    PAIRED_SUSPENSION,
    SKILLS_CONTEXT,
    VC2_TYPES,
    build_vc2,
    known_types,
    paired_status_entry,
    sign_vc2,
    skills_context_loader,
    status_entry,
)
from registry.formats.vcdm2.tokens import (
    CONTENT_TYPE,
    MEDIA_TYPE,
    PROFILE_VCDM11,
    PROFILE_VCDM20,
    TIME_CLAIMS,
    Profile,
    detect_profile,
    parse_vc2,
    verify_vc2,
)

__all__ = [
    "BASE_CONTEXT_TYPES",
    "CONTENT_TYPE",
    "MEDIA_TYPE",
    "PAIRED_SUSPENSION",
    "PROFILE_VCDM11",
    "PROFILE_VCDM20",
    "SKILLS_CONTEXT",
    "TIME_CLAIMS",
    "VC2_TYPES",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "ContextLoader",
    "Profile",
    "build_vc2",
    "check_vc2",
    "detect_profile",
    "is_iri",
    "known_types",
    "paired_status_entry",
    "parse_datetime_stamp",
    "parse_vc2",
    "sign_vc2",
    "skills_context_loader",
    "status_entry",
    "verify_vc2",
]
