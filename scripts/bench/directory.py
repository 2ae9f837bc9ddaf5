"""A directory of credentials from many issuers: what `registry verify DIR` asks of the node.

`issuers` training centres, each accredited under one TAO, each with `per_issuer` credentials
anchored one transaction each; the directory is verified a slice at a time (`ops/batch.SLICE`), as
the command does, with issuer state kept for the command. The figure is the JSON-RPC requests (a
batch's elements counted one by one) and round trips: before issue #12 a directory of 10,000 from
100 issuers cost 22,101 requests (one log query per credential, issuers re-read per slice).

Setup only: the anchors are sent unsigned through anvil's impersonation (anvil_autoImpersonateAccount)
in batches, and the credentials are signed by building their drafts directly (as `World.fast_cohort`
does), because 10,000 signed transactions would make the setup, not the measurement, take minutes.
"""

from __future__ import annotations

import time
from typing import Any

from registry.chain.client import NodeRefused
from registry.formats import credential as vcfmt
from registry.keystore import Identity, new_legal_entity
from registry.ops.batch import SLICE
from registry.ops.issuance import Issuer, status_list_url
from registry.ops.registry import Purpose
from registry.ops.trust import IssuerType, Trust
from registry.ops.verify import Verifier
from scripts.bench.throughput import _counting
from scripts.bench.world import ACHIEVEMENT, EXTRA_TYPES, ONE_YEAR, SCOPE, World, fund


def _accredited(world: World, count: int) -> list[Identity]:
    """`count` training centres accredited by a fresh Root TAO -> TAO chain."""
    registry, chain = world.registry, world.chain
    trust = Trust(registry, world.settings.public_url)
    root, tao = new_legal_entity("directory-root"), new_legal_entity("directory-tao")
    centres = [new_legal_entity(f"directory-centre-{n}") for n in range(count)]
    for identity in (root, tao, *centres):
        fund(world.client, identity)
        registry.register_did(identity)
    until = int(time.time()) + ONE_YEAR
    root_attribute = trust.onboard_root(chain.deployer, root, [SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [SCOPE], until - 60)
    for centre in centres:
        trust.accredit(tao, tao_attribute, centre.did, IssuerType.TI, [SCOPE], until - 120)
    return centres


def _tokens(world: World, centre: Identity, count: int, offset: int) -> list[str]:
    address, now = centre.account.address, int(time.time())
    terms = Issuer(world.registry, centre, world.settings).terms_of_use
    urls = {p: status_list_url(world.settings.public_url, centre.did, address, p, 1) for p in Purpose}
    tokens = []
    for n in range(count):
        draft = vcfmt.CredentialDraft(
            issuer=centre.did,
            holder=world.holders[n % len(world.holders)],
            achievement=ACHIEVEMENT,
            valid_from=now,
            status=tuple(vcfmt.StatusEntry(p.label, urls[p], offset + n) for p in Purpose),
            terms_of_use=terms,
            extra_types=EXTRA_TYPES,
        )
        tokens.append(vcfmt.sign_vc(vcfmt.build_vc(draft, now), centre.signing_key, centre.kid))
    return tokens


def _anchor(world: World, centre: Identity, tokens: list[str]) -> None:
    client, contract = world.client, world.registry.credentials
    sender = centre.account.address
    nonce = int(client.request("eth_getTransactionCount", [sender, "pending"]), 16)
    sends = [
        ("eth_sendTransaction", [{"from": sender, "to": world.registry.credential_address, "nonce": hex(nonce + n),
                                  "data": contract.calldata(contract.anchor(vcfmt.credential_hash(t))),
                                  "gas": hex(120_000)}])
        for n, t in enumerate(tokens)
    ]  # fmt: skip
    for n in range(0, len(sends), 500):
        try:
            client.batch(sends[n : n + 500])
        except NodeRefused as exc:
            # The transport sends a request once more when a kept-alive connection turns out closed;
            # an impersonated send the node had already taken then meets its own nonce again.
            if "underpriced" not in str(exc) and "already known" not in str(exc):
                raise
    # Done when the account's mined nonce has passed the last send (its hash may be unknown here).
    deadline = time.monotonic() + 600
    while int(client.request("eth_getTransactionCount", [sender, "latest"]), 16) < nonce + len(sends):
        if time.monotonic() > deadline:
            raise SystemExit(f"the directory's anchors from {sender} were not mined within 600 s")
        time.sleep(0.05)


def directory(world: World, issuers: int, per_issuer: int) -> dict[str, Any]:
    """Build the directory, verify it a slice at a time, and count what it asked of the node."""
    centres = _accredited(world, issuers)
    world.client.request("anvil_autoImpersonateAccount", [True])
    by_centre = []
    for centre in centres:
        tokens = _tokens(world, centre, per_issuer, 0)
        _anchor(world, centre, tokens)
        by_centre.append(tokens)
    world.client.request("anvil_autoImpersonateAccount", [False])
    # Interleaved, as a listing mixes issuers: every slice names every issuer.
    inputs = [
        (f"{m}-{n}", vcfmt.HolderFile(by_centre[n][m]).dumps()) for m in range(per_issuer) for n in range(issuers)
    ]
    verifier = Verifier(world.registry, keep_issuers=True)
    restore = _counting(world)
    start = time.perf_counter()
    reports = [r for n in range(0, len(inputs), SLICE) for r in verifier.verify_many(inputs[n : n + SLICE])]
    seconds = time.perf_counter() - start
    rpc = restore()
    valid = sum(r.verdict.value == "valid" for r in reports)
    if valid != len(inputs):
        raise SystemExit(f"{len(inputs) - valid} of the directory's credentials did not verify VALID")
    requests = rpc["request"] + rpc["batched_requests"]
    return {
        "credentials": len(inputs),
        "issuers": issuers,
        "slice": SLICE,
        "seconds": round(seconds, 3),
        "rate_per_s": round(len(inputs) / seconds, 1),
        "requests": requests,
        "round_trips": rpc["request"] + rpc["batch"],
        "requests_per_credential": round(requests / len(inputs), 4),
        "before": {"requests": 22_101, "note": "100 issuers x 100 credentials before issue #12 (counting proxy)"},
    }
