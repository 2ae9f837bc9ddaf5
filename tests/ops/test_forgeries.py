"""A stranger with a genuine credential of an accredited centre, a registered DID and keys of her
own, forging in the centre's name: every forgery is INVALID for its own reason, whether it comes as
a holder file or as a bare token, and whether or not she anchored its hash from her account."""

from __future__ import annotations

import copy
import time
from typing import Any

from registry.formats import jwt
from registry.formats.credential import HolderFile, credential_hash
from registry.keystore import Identity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.verify import Verdict, Verifier
from tests.conftest import next_second, welding_certificate


def _forgeries(genuine: jwt.CompactJWS, centre: Identity, stranger: Identity) -> dict[str, tuple[str, str]]:
    """name -> (token, the reason its report must give)."""
    header, payload = genuine.header, genuine.payload
    thumbprint = stranger.kid.partition("#")[2]

    def in_own_name(issuer: str, kid: str, key: Any, keep: tuple[str, ...] = ()) -> str:
        vc = copy.deepcopy(payload["vc"])
        vc["issuer"] = issuer
        for name in ("credentialStatus", "credentialSchema"):  # hers would name her own; they are not the point
            if name not in keep:
                vc.pop(name, None)
        return jwt.sign({**header, "kid": kid}, {**payload, "iss": issuer, "vc": vc, "iat": int(time.time())}, key)

    person = new_natural_person("self-made-centre")
    issuer_object = copy.deepcopy(payload["vc"])
    issuer_object["issuer"] = {"id": centre.did, "name": "Training Centre"}
    return {
        # The kid names her own key (a key of another DID than the issuer's).
        "kid of another DID": (
            jwt.sign({**header, "kid": stranger.kid}, payload, stranger.signing_key),
            "belongs to another DID than the issuer",
        ),
        # Her key embedded in the header (jwk) under the centre's DID: keys come from its DID document only.
        "jwk in the header": (
            jwt.sign(
                {**header, "kid": f"{centre.did}#{thumbprint}", "jwk": stranger.signing_jwk},
                payload,
                stranger.signing_key,
            ),
            f"the issuer's DID document has no key #{thumbprint}",
        ),
        "the centre's kid, her signature": (
            jwt.sign(header, payload, stranger.signing_key),
            "the signature does not match",
        ),
        # ES256K with her secp256k1 key, under the centre's P-256 key: no algorithm confusion.
        "ES256K for an ES256 key": (
            jwt.sign({**header, "alg": "ES256K"}, payload, stranger.controller_key),
            "the signature does not match",
        ),
        "a did:key calling itself the issuer": (
            in_own_name(person.did, person.kid, person.signing_key),
            f"{person.did} is not registered",
        ),
        "her own registered DID, unaccredited": (
            in_own_name(stranger.did, stranger.kid, stranger.signing_key),
            "holds no accreditation",
        ),
        "her own DID, the centre's status list": (
            in_own_name(stranger.did, stranger.kid, stranger.signing_key, keep=("credentialStatus",)),
            "a status list belongs to another DID than the issuer",
        ),
        "iss hers, vc.issuer the centre's": (
            jwt.sign(
                {**header, "kid": stranger.kid},
                {**payload, "iss": stranger.did, "vc": issuer_object},
                stranger.signing_key,
            ),
            "iss differs from the credential's issuer",
        ),
    }


def test_forgeries_in_an_accredited_centres_name_are_invalid_for_their_reason(
    issuer: Issuer, holder: Identity, verifier: Verifier, registry: Registry, make_issuer: Any
) -> None:
    genuine = jwt.parse(issuer.issue_single(holder.did, welding_certificate()).holder_file.credential)
    stranger = make_issuer("stranger")
    forged = _forgeries(genuine, issuer.identity, stranger)
    for token, _ in forged.values():
        registry.anchor(stranger, credential_hash(token))  # anchored, by her: that proves nothing either
    # Judged once the node's newest block is past their iat: a node whose newest block is of that very
    # second cannot tell a key its issuer never had from one added in a later block of it (could not
    # determine, test_node_time.py).
    next_second()
    registry.client.request("evm_mine", [])
    names = list(forged)
    files = [(name, HolderFile(forged[name][0]).dumps()) for name in names]
    bare = [(name, forged[name][0]) for name in names]
    for report in verifier.verify_many([*files, *bare]):
        reason = forged[report.source][1]
        assert report.verdict is Verdict.INVALID and reason in report.summary, (report.source, report.summary)
