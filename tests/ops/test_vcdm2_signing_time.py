"""A VCDM 2.0 credential without `iat` does not say when it was signed: its `awardedDate` is the
award's date (Open Badges), often long before the signing, and its `validFrom` may lie ahead of it.
What the chain proves bounds its signing instead: the signing key must have been valid in the
issuer's DID document when the credential was anchored (docs/SECURITY.md, "Former keys and
controllers; passports"). Real anvil, the issuer's real keys, tokens as another tool writes them."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from registry.formats import credential as vcfmt
from registry.formats import jwt, ownschemas
from registry.formats import keys as keyfmt
from registry.formats.vcdm2 import build_vc2
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry, Rel
from registry.ops.verify import Code, Outcome, Verdict, Verifier
from tests.conftest import welding_certificate

JUNE_2015 = 1_435_622_400  # 2015-06-30T00:00:00Z
MONTH = 30 * 24 * 3600


def _vc2(
    issuer: Issuer, holder: Identity, *, kid: str | None = None, key: Any = None, anchor: bool = True, **fields: Any
) -> str:
    """A vc+jwt of the issuer, as another tool writes one (no `iat` unless given), with `fields` set
    (None removes one), signed with its key (or `key` under `kid`) and anchored by the issuer."""
    now = issuer.registry.signing_time()
    number, index = issuer.allocator.allocate_single()
    draft = issuer._draft(holder.did, welding_certificate(), number, index, now, None)
    draft = dataclasses.replace(
        draft, schema_url=ownschemas.schema_url(issuer.settings.public_url, ownschemas.SKILLS_VC2)
    )
    vc = build_vc2(draft, now)
    for name, value in fields.items():
        if value is None:
            vc.pop(name, None)
        else:
            vc[name] = value
    header = {"alg": "ES256", "typ": "vc+jwt", "kid": kid or issuer.identity.kid}
    token = jwt.sign(header, vc, key or issuer.identity.signing_key)
    if anchor:
        issuer.registry.anchor(issuer.identity, vcfmt.credential_hash(token))
    return token


def _verify(verifier: Verifier, token: str) -> Any:
    report = verifier.verify("vc2", vcfmt.HolderFile(token).dumps())
    assert report.credential["profile"] == "vcdm2.0-vc+jwt"
    return report


def test_an_award_of_2015_signed_and_anchored_today_is_valid(
    issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:
    """Before, it was INVALID: "the signing key was not valid when the credential was signed
    (2015-06-30...)", the award's date read as the signing's (forced once with the old reading)."""
    award = vcfmt.iso(JUNE_2015)
    report = _verify(verifier, _vc2(issuer, holder, awardedDate=award, validFrom=award))
    assert report.verdict is Verdict.VALID, report.summary
    key = report.check("signing key")
    assert key is not None and key.outcome is Outcome.PASS and "when the credential was anchored" in key.message


def test_valid_from_next_month_is_not_valid_yet_for_its_validity_not_a_signature_in_the_future(
    issuer: Issuer, holder: Identity, verifier: Verifier
) -> None:
    """Before, it was INVALID for a signature "in the future" (validFrom read as the signing time),
    and once that month came, for an anchor that "predates the credential's issuance"."""
    start = vcfmt.iso(int(time.time()) + MONTH)
    report = _verify(verifier, _vc2(issuer, holder, awardedDate=None, validFrom=start))
    assert report.verdict is Verdict.INVALID and report.summary.startswith("INVALID: validity period: not valid"), (
        report.summary
    )
    assert report.check("signing time") is None
    anchor = report.check("anchor")
    assert anchor is not None and anchor.outcome is Outcome.PASS, anchor


def test_a_vc2_that_states_its_iat_is_held_to_it(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    """An `iat` is the signer's word, as in a VCDM 1.1 JWT: one in 2015 under this year's key is not."""
    report = _verify(verifier, _vc2(issuer, holder, iat=JUNE_2015))
    assert report.verdict is Verdict.INVALID and "not valid when the credential was signed (2015-06-30" in (
        report.summary
    ), report.summary


def test_a_key_the_did_document_got_after_the_anchor_did_not_sign_it(
    issuer: Issuer, holder: Identity, registry: Registry, verifier: Verifier
) -> None:
    """Signed with a key the issuer's DID document did not hold, anchored, and only then the key
    added: no `iat` to check, so the anchor's time decides, and the key was not the issuer's then."""
    later_key = keyfmt.generate(keyfmt.KeyType.P256)
    public = keyfmt.jwk_public_dict(later_key)
    kid = f"{issuer.identity.did}#{keyfmt.thumbprint(public)}"
    token = _vc2(issuer, holder, kid=kid, key=later_key)
    time.sleep(1.1)  # the key's window starts in a later second than the anchor's block
    registry.add_key(issuer.identity, public, int(Rel.ASSERTION_METHOD))
    report = _verify(verifier, token)
    assert report.verdict is Verdict.INVALID, report.summary
    assert report.summary.startswith("INVALID: signing key:") and "after the credential was anchored" in (
        report.summary
    ), report.summary


def test_an_old_key_signing_a_vc2_dated_in_its_window_and_anchored_after_its_end_is_invalid(
    issuer: Issuer, holder: Identity, registry: Registry, verifier: Verifier
) -> None:
    """The awardedDate inside the old key's window does not date the signature back: the anchor after
    the key's end decides, as for a VCDM 1.1 credential's `iat`."""
    award = vcfmt.iso(registry.signing_time())
    old = registry.resolve(issuer.identity.did).method_by_thumbprint(issuer.identity.kid.partition("#")[2])
    assert old is not None
    registry.expire_key(issuer.identity, old.index, 0)
    time.sleep(1.1)
    report = _verify(verifier, _vc2(issuer, holder, awardedDate=award))
    assert report.verdict is Verdict.INVALID, report.summary
    assert report.summary.startswith("INVALID: signing key: the signing key was retired"), report.summary


def test_a_vc2_without_valid_from_is_valid(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    """validFrom is optional in VCDM 2.0 (its section 4.9): one without it, naming no schema of ours
    (another tool's), was INVALID "format: not an ISO 8601 date/time: ''" (forced once)."""
    for fields in ({"validFrom": None}, {"validFrom": None, "awardedDate": None}):
        report = _verify(verifier, _vc2(issuer, holder, credentialSchema=None, **fields))
        assert report.verdict is Verdict.VALID, (fields, report.summary)
        # Its period names no start, not the epoch ("valid from 1970-01-01T00:00:00Z ...", forced once).
        period = [c.message for c in report.checks if c.code is Code.VALIDITY_PERIOD]
        assert period and period[0].startswith("valid with no start"), period


def test_a_vc2_without_iat_whose_anchor_is_missing_could_not_determine_until_its_keys_window_passed(
    issuer: Issuer, holder: Identity, registry: Registry, verifier: Verifier
) -> None:
    """No `iat`, and no anchor (yet): nothing says when it was signed, only that its key was valid
    then, so the anchoring window is counted from the key's end, not from its award's date. Before,
    an award of 2015 signed today read INVALID ("... the 3600 s anchoring window after its signing has
    passed", counted from 2015; forced once) in the seconds before its anchor landed; now could not
    determine while its key is valid, and INVALID once the window after the key's retirement passed
    (a 1 s window here)."""
    award = vcfmt.iso(JUNE_2015)
    token = _vc2(issuer, holder, awardedDate=award, validFrom=award, anchor=False)
    report = _verify(verifier, token)
    assert report.verdict is Verdict.INDETERMINATE, report.summary
    assert "states no signing time (no iat); its signing key is still valid" in report.summary, report.summary
    old = registry.resolve(issuer.identity.did).method_by_thumbprint(issuer.identity.kid.partition("#")[2])
    assert old is not None
    registry.expire_key(issuer.identity, old.index, 0)
    time.sleep(2.1)
    registry.client.request("evm_mine", [])
    late = _verify(Verifier(registry, verifier.trust_list, anchor_window_s=1), token)
    assert late.verdict is Verdict.INVALID, late.summary
    assert "1 s anchoring window after its signing key was retired" in late.summary, late.summary
