"""Gas, read from receipts: ours, OpenAttestation's DocumentStore, EAS and the floor, on one chain.

Every figure is one transaction's `gasUsed` (or the sum over the transactions an operation had to
be split into to respect EIP-7825's 16,777,216-gas cap; the split is reported with it).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode

from registry.formats import credential as vcfmt
from registry.formats.merkle import StandardMerkleTree
from registry.ops.issuance import Cohort, own_status_entry
from registry.ops.registry import BITS_PER_WORD, Purpose
from scripts.bench import peers
from scripts.bench.chain import BenchChain, Contract, Sent, max_chunk_for
from scripts.bench.world import ACHIEVEMENT, EXTRA_TYPES, World

REASON_ISSUED_IN_ERROR = 1
REASON_UNDER_INVESTIGATION = 6
REASON_INVESTIGATION_CLOSED = 7


def gas_of(receipts: Sequence[dict[str, Any]]) -> int:
    return sum(int(r["gasUsed"]) for r in receipts)


def op(gas: int, count: int = 1, transactions: int = 1, **extra: Any) -> dict[str, Any]:
    """One measured operation: total gas, credentials it covers, per credential, transactions."""
    return {
        "gas": gas,
        "credentials": count,
        "per_credential": round(gas / count, 1),
        "transactions": transactions,
        **extra,
    }


def sent_op(sent: Sent, count: int) -> dict[str, Any]:
    return op(sent.gas, count, sent.transactions)


def fake_hashes(count: int, tag: str) -> list[bytes]:
    """Distinct, unguessable-looking 32-byte values for the peers (what they store is a hash too)."""
    return [hashlib.sha256(f"{tag}:{n}".encode()).digest() for n in range(count)]


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    return bytes.fromhex(StandardMerkleTree.of([[h] for h in hashes], ["bytes32"]).root[2:])


@dataclass
class Peers:
    floor: Contract
    document_store: Contract
    schema_registry: Contract
    eas: Contract
    packages: dict[str, str] = field(default_factory=dict)

    def deploy_gas(self) -> dict[str, int]:
        return {c.name: c.deploy_gas for c in (self.floor, self.document_store, self.schema_registry, self.eas)}


def deploy_peers(chain: BenchChain) -> Peers:
    floor_art, oa_art = peers.floor(), peers.document_store()
    sr_art, eas_art = peers.schema_registry(), peers.eas()
    floor = chain.deploy("Floor", floor_art.abi, floor_art.bytecode)
    # DocumentStore's constructor runs its initializer: name and owner (who gets the issuer and revoker roles).
    store = chain.deploy("DocumentStore", oa_art.abi, oa_art.bytecode, ["bench", chain.deployer.address])
    registry = chain.deploy("SchemaRegistry", sr_art.abi, sr_art.bytecode)
    eas = chain.deploy("EAS", eas_art.abi, eas_art.bytecode, [registry.address])
    packages = {a.name: a.package for a in (floor_art, oa_art, sr_art, eas_art)}
    return Peers(floor, store, registry, eas, packages)


# -- ours ---------------------------------------------------------------------------------------


def status_index(world: World, token: str, purpose: Purpose) -> tuple[int, int]:
    identity = world.issuer.identity
    return own_status_entry(token, identity.did, identity.account.address, purpose)


def ours_singles(
    world: World, singles: list[vcfmt.HolderFile], revoked_singles: int
) -> tuple[dict[str, Any], set[int]]:
    """Single anchor, single revocation (fresh word, then same word), suspension and reinstatement.

    Returns the figures and the positions (in `singles`) of the credentials now revoked.
    """
    issuer = world.issuer
    results: dict[str, Any] = {}
    anchors = [issuer.issue_single(world.holders[n], ACHIEVEMENT, extra_types=EXTRA_TYPES) for n in range(2)]
    gases = [int(a.receipt["gasUsed"]) for a in anchors if a.receipt]
    results["single_anchor"] = op(gases[0], samples=gases)

    tokens = [h.credential for h in singles]
    words = [status_index(world, t, Purpose.REVOCATION)[1] // BITS_PER_WORD for t in tokens]
    revoked: set[int] = set()
    # Nothing of this issuer's has touched its status words yet: the first revocation writes a fresh slot.
    first = 0
    receipts = issuer.change_status([tokens[first]], Purpose.REVOCATION, set_=True, reason=REASON_ISSUED_IN_ERROR)
    results["single_revoke"] = op(gas_of(receipts), note="first bit in a fresh status word")
    revoked.add(first)
    last = len(tokens) - 1  # kept for suspension and reinstatement below, so never revoked
    same = next((n for n in range(1, last) if words[n] == words[first]), None)
    if same is not None:
        receipts = issuer.change_status([tokens[same]], Purpose.REVOCATION, set_=True, reason=REASON_ISSUED_IN_ERROR)
        results["single_revoke_same_word"] = op(gas_of(receipts), note="a word that already holds a revocation")
        revoked.add(same)
    # Suspension: the last single, in the suspension list (its own words, fresh too).
    suspend = issuer.change_status([tokens[last]], Purpose.SUSPENSION, set_=True, reason=REASON_UNDER_INVESTIGATION)
    reinstate = issuer.change_status([tokens[last]], Purpose.SUSPENSION, set_=False, reason=REASON_INVESTIGATION_CLOSED)
    results["single_suspend"] = op(gas_of(suspend), note="fresh suspension word")
    results["single_reinstate"] = op(gas_of(reinstate))
    # More revoked singles so the verification input holds the share of revoked credentials asked for.
    extra = [n for n in range(1, last) if n not in revoked][: max(0, revoked_singles - len(revoked))]
    if extra:
        issuer.change_status([tokens[n] for n in extra], Purpose.REVOCATION, set_=True, reason=REASON_ISSUED_IN_ERROR)
        revoked.update(extra)
    return results, revoked


def cohort_op(cohort: Cohort) -> dict[str, Any]:
    size = len(cohort.holder_files)
    return op(int(cohort.receipt["gasUsed"]), size)


def ours_bulk_status(world: World, sizes: Sequence[int]) -> dict[str, Any]:
    """Revoke whole cohorts of each size in one call; suspend and reinstate one of them in bulk."""
    issuer = world.issuer
    results: dict[str, Any] = {}
    for size in sizes:
        cohort = world.cohort(size)
        tokens = [h.credential for h in cohort.holder_files]
        receipts = issuer.change_status(tokens, Purpose.REVOCATION, set_=True, reason=REASON_ISSUED_IN_ERROR)
        words = len({i // BITS_PER_WORD for i in cohort.indexes})
        results[f"bulk_revoke_cohort_{size}"] = op(gas_of(receipts), size, len(receipts), words=words)
        if size == sizes[0]:
            suspend = issuer.change_status(tokens, Purpose.SUSPENSION, set_=True, reason=REASON_UNDER_INVESTIGATION)
            reinstate = issuer.change_status(tokens, Purpose.SUSPENSION, set_=False, reason=REASON_INVESTIGATION_CLOSED)
            results[f"bulk_suspend_{size}"] = op(gas_of(suspend), size, len(suspend), words=words)
            results[f"bulk_reinstate_{size}"] = op(gas_of(reinstate), size, len(reinstate), words=words)
    return results


def ours_scattered_revoke(
    world: World, cohort: Cohort, count: int, rng: random.Random
) -> tuple[dict[str, Any], set[int]]:
    """Revoke `count` credentials picked at random across a big cohort (every word of it is touched)."""
    picked = sorted(rng.sample(range(len(cohort.holder_files)), count))
    tokens = [cohort.holder_files[n].credential for n in picked]
    receipts = world.issuer.change_status(tokens, Purpose.REVOCATION, set_=True, reason=REASON_ISSUED_IN_ERROR)
    words = len({cohort.indexes[n] // BITS_PER_WORD for n in picked})
    figures = op(gas_of(receipts), count, len(receipts), words=words, cohort=len(cohort.holder_files))
    return figures, set(picked)


# -- peers --------------------------------------------------------------------------------------


def floor_gas(chain: BenchChain, p: Peers) -> dict[str, Any]:
    return {"floor_single": sent_op(chain.send(p.floor, "record", fake_hashes(1, "floor")[0]), 1)}


def oa_gas(chain: BenchChain, p: Peers, bulk: Sequence[int], bulk_revoke: Sequence[int]) -> dict[str, Any]:
    store = p.document_store
    results: dict[str, Any] = {}
    single = fake_hashes(1, "oa-single")[0]
    results["oa_issue"] = sent_op(chain.send(store, "issue", single), 1)
    results["oa_revoke"] = sent_op(chain.send(store, "revoke", single), 1)
    issued: dict[int, list[bytes]] = {}
    chunk: int | None = None
    for size in bulk:
        hashes = fake_hashes(size, f"oa-bulk-{size}")
        sent = chain.send_split(store, "bulkIssue", hashes, lambda items: (list(items),), chunk)
        results[f"oa_bulk_issue_{size}"] = sent_op(sent, size)
        chunk = max_chunk_for(sent.receipts[0]["gasUsed"], len(hashes) // sent.transactions)
        issued[size] = hashes
        # OpenAttestation's own batching: wrap N documents in a Merkle tree, issue the root once.
        root = merkle_root(fake_hashes(size, f"oa-root-{size}"))
        results[f"oa_merkle_batch_{size}"] = sent_op(chain.send(store, "issue", root), size)
    chunk = None
    for size in bulk_revoke:
        hashes = issued.get(size) or fake_hashes(size, f"oa-revoke-{size}")
        sent = chain.send_split(store, "bulkRevoke", hashes, lambda items: (list(items),), chunk)
        results[f"oa_bulk_revoke_{size}"] = sent_op(sent, size)
        chunk = max_chunk_for(sent.receipts[0]["gasUsed"], len(hashes) // sent.transactions)
    return results


def _as_bytes(value: Any) -> bytes:
    """A topic or hash from a receipt, whether the client gives 0x strings or bytes."""
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def _attested_uids(eas: Contract, receipts: Sequence[dict[str, Any]]) -> list[bytes]:
    topic = eas.abi.event_topic("Attested")
    uids = []
    for receipt in receipts:
        for log in receipt["logs"]:
            topics = ["0x" + _as_bytes(t).hex() for t in log["topics"]]
            if topics and topics[0] == topic:
                uids.append(bytes(eas.abi.decode_event("Attested", {**log, "topics": topics})["uid"]))
    return uids


def eas_gas(chain: BenchChain, p: Peers, bulk: Sequence[int], bulk_revoke: Sequence[int]) -> dict[str, Any]:
    eas = p.eas
    results: dict[str, Any] = {}
    # A schema holding one bytes32 (the credential hash), no resolver, revocable: the closest EAS gets to an anchor.
    sent = chain.send(p.schema_registry, "register", "bytes32 credentialHash", "0x" + "00" * 20, True)
    schema = _as_bytes(sent.receipts[0]["logs"][0]["topics"][1])
    results["eas_register_schema"] = sent_op(sent, 1)

    def request(value: bytes) -> tuple[Any, ...]:
        # recipient none (the holder is a did:key, not an account), no expiry, revocable, no ref, no value.
        return ("0x" + "00" * 20, 0, True, b"\0" * 32, encode(["bytes32"], [value]), 0)

    single = fake_hashes(1, "eas-single")[0]
    sent = chain.send(eas, "attest", (schema, request(single)))
    results["eas_attest"] = sent_op(sent, 1)
    uid = _attested_uids(eas, sent.receipts)[0]
    results["eas_revoke"] = sent_op(chain.send(eas, "revoke", (schema, (uid, 0))), 1)
    results["eas_timestamp"] = sent_op(chain.send(eas, "timestamp", fake_hashes(1, "eas-ts")[0]), 1)
    uids_by_size: dict[int, list[bytes]] = {}
    attest_chunk: int | None = None
    ts_chunk: int | None = None
    for size in bulk:
        values = fake_hashes(size, f"eas-multi-{size}")
        sent = chain.send_split(
            eas, "multiAttest", values, lambda items: ([(schema, [request(v) for v in items])],), attest_chunk
        )
        results[f"eas_multi_attest_{size}"] = sent_op(sent, size)
        attest_chunk = max_chunk_for(sent.receipts[0]["gasUsed"], size // sent.transactions)
        uids_by_size[size] = _attested_uids(eas, sent.receipts)
        stamps = fake_hashes(size, f"eas-mts-{size}")
        sent = chain.send_split(eas, "multiTimestamp", stamps, lambda items: (list(items),), ts_chunk)
        results[f"eas_multi_timestamp_{size}"] = sent_op(sent, size)
        ts_chunk = max_chunk_for(sent.receipts[0]["gasUsed"], size // sent.transactions)
        # Blockcerts-style anchoring on EAS: timestamp one Merkle root for the batch.
        root = merkle_root(fake_hashes(size, f"eas-root-{size}"))
        results[f"eas_timestamp_root_{size}"] = sent_op(chain.send(eas, "timestamp", root), size)
    revoke_chunk: int | None = None
    for size in bulk_revoke:
        uids = uids_by_size.get(size)
        if not uids:
            continue
        sent = chain.send_split(
            eas, "multiRevoke", uids, lambda items: ([(schema, [(u, 0) for u in items])],), revoke_chunk
        )
        results[f"eas_multi_revoke_{size}"] = sent_op(sent, size)
        revoke_chunk = max_chunk_for(sent.receipts[0]["gasUsed"], size // sent.transactions)
    return results
