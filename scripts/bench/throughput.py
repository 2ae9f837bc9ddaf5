"""Issuance and verification throughput, each against the bare signature rate of the same process.

Ratios, not absolute rates, are what the targets speak of: the machine's speed cancels out when
the signature-only rate is measured in the same process, on the same credentials, in the same run.
"""

from __future__ import annotations

import binascii
import cProfile
import gc
import hashlib
import os
import pstats
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from registry.formats import jwt
from registry.ops.issuance import Cohort
from registry.ops.verify import Verifier
from scripts.bench.world import World


def issuance(world: World, size: int) -> tuple[Cohort, dict[str, Any]]:
    """Issue and anchor one cohort (timed end to end), then sign the same inputs bare."""
    marks: list[float] = []
    start = time.perf_counter()
    cohort = world.issuer.issue_cohort(
        world.entries(size), extra_types=("WeldingCertificate",), progress=lambda _n: marks.append(time.perf_counter())
    )
    total = time.perf_counter() - start
    signed_at = marks[-1] - start if marks else total
    key = world.issuer.identity.signing_key
    inputs = [jwt.parse(h.credential).signing_input for h in cohort.holder_files]
    start = time.perf_counter()
    for signing_input in inputs:
        jwt.create_signature("ES256", key, signing_input)
    bare = time.perf_counter() - start
    figures = {
        "credentials": size,
        "seconds": round(total, 3),
        "rate_per_s": round(size / total, 1),
        "signature_only_seconds": round(bare, 3),
        "signature_only_rate_per_s": round(size / bare, 1),
        "ratio": round(bare / total, 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        # Where the issuance time goes: building and signing each credential, then tree + proofs + anchor.
        "phase_build_and_sign_s": round(signed_at, 3),
        "phase_tree_proofs_anchor_s": round(total - signed_at, 3),
        "anchor_gas": int(cohort.receipt["gasUsed"]),
    }
    return cohort, figures


def _reading_floor(contents: Sequence[str]) -> float:
    """Seconds to do only what no verifier can skip besides the signature: parse each holder
    file, base64url-decode and parse its JWT payload, hash the token (orjson and binascii, the
    fastest parsers this process has, with no checks at all). The verifier can be no faster than
    signature + this, so signature / (signature + this) is the ceiling of the ratio."""
    start = time.perf_counter()
    for content in contents:
        token = orjson.loads(content)["credential"]
        payload = token.split(".")[1]
        orjson.loads(binascii.a2b_base64(payload.replace("-", "+").replace("_", "/") + "=="))
        hashlib.sha256(token.encode()).digest()
    return time.perf_counter() - start


def _checks_floor(contents: Sequence[str]) -> tuple[float, str]:
    """Seconds to do the reading floor plus the two per-credential checks that run in C and cannot
    be shared across a batch: the payload against the schema it names and, for a cohort member, its
    Merkle proof (keccak, with the verifier's memo across the batch). Nothing else is checked: no
    claim, key, anchor, status or accreditation, no record of any result. The schema is checked both
    ways the verifier can (`general`: orjson, then the compiled jsonschema-rs validator; `one pass`:
    msgspec's typed records, `formats/typedvc.py`), and the cheaper is the floor, with its name.
    signature / (signature + this) is the ratio a verifier would reach if every other check it makes
    cost nothing."""
    from registry.formats import typedvc
    from registry.formats.ownschemas import id_in_url
    from registry.ops.verify import schemas

    validators: dict[str, Any] = {}

    def general(raw: bytes) -> bool:
        vc = orjson.loads(raw)["vc"]
        schema = vc["credentialSchema"]["id"]
        validator = validators.get(schema)
        if validator is None:
            validator = validators[schema] = schemas.validator_for(id_in_url(schema) or schema, ())
        return bool(validator.is_valid(vc))

    def one_pass(raw: bytes) -> bool:
        return typedvc.read(raw) is not None

    general_s, one_pass_s = _checks_floor_with(contents, general), _checks_floor_with(contents, one_pass)
    return (general_s, "general") if general_s <= one_pass_s else (one_pass_s, "one pass")


def _checks_floor_with(contents: Sequence[str], conforms: Callable[[bytes], bool]) -> float:
    from registry.formats.merkle import bytes32_leaf, verify_proof

    memo: dict[bytes, Any] = {}
    start = time.perf_counter()
    for content in contents:
        holder = orjson.loads(content)
        token = holder["credential"]
        raw = binascii.a2b_base64(token.split(".")[1].replace("-", "+").replace("_", "/") + "==")
        digest = hashlib.sha256(token.encode()).digest()
        if not conforms(raw):
            raise SystemExit("the checks floor refused a credential the verifier passed")
        anchor = holder["anchor"]
        if anchor["type"] == "cohort":
            proof = [bytes.fromhex(node[2:]) for node in anchor["proof"]]
            if not verify_proof(bytes.fromhex(anchor["root"][2:]), bytes32_leaf(digest), proof, memo):
                raise SystemExit("a cohort proof failed in the checks floor")
    return time.perf_counter() - start


class _CollectorTime:
    """Seconds the cyclic garbage collector ran while in use, from `gc.callbacks`."""

    def __init__(self) -> None:
        self.seconds, self.runs, self._start = 0.0, 0, 0.0

    def __call__(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.runs += 1

    def __enter__(self) -> _CollectorTime:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)


def _counting(world: World) -> Callable[[], dict[str, int]]:
    """Count JSON-RPC round trips made through the world's client (wrapping this instance only)."""
    client = world.client
    counts = {"request": 0, "batch": 0, "batched_requests": 0}
    request, batch = client.request, client.batch

    def counted_request(method: str, params: list[Any]) -> Any:
        counts["request"] += 1
        return request(method, params)

    def counted_batch(requests_: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        if len(requests_) > 1:
            counts["batch"] += 1
            counts["batched_requests"] += len(requests_)
        return batch(requests_)

    client.request = counted_request  # type: ignore[method-assign]
    client.batch = counted_batch  # type: ignore[method-assign]

    def restore() -> dict[str, int]:
        client.request = request  # type: ignore[method-assign]
        client.batch = batch  # type: ignore[method-assign]
        return dict(counts)

    return restore


def _outcome(reports: Sequence[Any], expected: dict[str, int], seconds: float) -> dict[str, Any]:
    """Verdict counts, whether they are the ones the setup made, and the first chain error if any."""
    verdicts = Counter(str(r.verdict) for r in reports)
    stuck = next((r.summary for r in reports if str(r.verdict) == "could not determine"), None)
    return {
        "seconds": round(seconds, 3),
        "rate_per_s": round(len(reports) / seconds, 1),
        "verdicts": dict(sorted(verdicts.items())),
        "as_expected": dict(verdicts) == expected,
        "error": stuck,
    }


def _interleaved(
    verifier: Verifier, inputs: list[tuple[str, str]], parsed: list[Any], jwk: dict[str, Any], chunk: int
) -> tuple[float, float, list[Any]]:
    """Slice by slice, `jwt.verify` over the slice's tokens (parsed beforehand), then `verify_many`
    over the same slice: seconds of each side and the reports. Interleaved, so that a change in the
    machine's load during the run (a shared machine's neighbours) weighs on both sides alike."""
    bare = total = 0.0
    reports: list[Any] = []
    for n in range(0, len(inputs), chunk):
        start = time.perf_counter()
        ok = sum(jwt.verify(p, jwk) for p in parsed[n : n + chunk])
        bare += time.perf_counter() - start
        if ok != len(parsed[n : n + chunk]):
            raise SystemExit(f"{len(parsed[n : n + chunk]) - ok} signatures failed in the signature-only pass")
        start = time.perf_counter()
        reports += verifier.verify_many(inputs[n : n + chunk])
        total += time.perf_counter() - start
    return bare, total, reports


def _timed_slices(
    world: World, verifier: Verifier, inputs: list[tuple[str, str]], parsed: list[Any], chunk: int
) -> tuple[float, float, list[Any], dict[str, int], _CollectorTime]:
    """`_interleaved` with the JSON-RPC requests counted and the collector's runs timed.

    The harness's own objects (the world, every credential the gas phase issued, the peers'
    contracts) are frozen out of the collector's sight first: a `registry verify` process holds
    none of them, and a full collection scanning them during the timed run (half a second per
    million objects here) would be charged to the verifier."""
    gc.collect()
    gc.freeze()
    restore = _counting(world)
    try:
        with _CollectorTime() as collector:
            bare, total, reports = _interleaved(verifier, inputs, parsed, world.issuer.identity.signing_jwk, chunk)
    finally:
        rpc = restore()
        gc.unfreeze()
    return bare, total, reports, rpc, collector


def _context_rates(world: World, inputs: list[tuple[str, str]], parsed: list[Any], chunk: int) -> dict[str, Any]:
    """For context: parse + signature (a lenient baseline), the reading floor, and the slices verified
    by a verifier that reads every issuer again for each slice (as the bench measured before #12)."""
    jwk = world.issuer.identity.signing_jwk
    start = time.perf_counter()
    for token in [p.token for p in parsed]:
        jwt.verify(jwt.parse(token), jwk)
    parse_and_verify = time.perf_counter() - start
    floor = _reading_floor([content for _, content in inputs])
    fresh = Verifier(world.registry)
    start = time.perf_counter()
    for n in range(0, len(inputs), chunk):
        fresh.verify_many(inputs[n : n + chunk])
    unkept = time.perf_counter() - start
    n = len(inputs)
    return {
        "parse_and_signature_rate_per_s": round(n / parse_and_verify, 1),
        "parse_and_signature_seconds": parse_and_verify,
        "reading_floor_rate_per_s": round(n / floor, 1),
        "reading_floor_seconds": floor,
        "issuers_read_per_slice_rate_per_s": round(n / unkept, 1),
    }


def verification(
    world: World, inputs: list[tuple[str, str]], expected: dict[str, int], latency_samples: int, chunk: int
) -> dict[str, Any]:
    """verify_many over every input (one call, then in slices) against jwt.verify over the same tokens.

    The verifier is built as `registry verify` builds it: issuers' DID documents and accreditation
    chains kept for the run (`keep_issuers`), checked for changes before each slice."""
    from registry.formats import credential as vcfmt

    parsed = [jwt.parse(vcfmt.load_holder_file(content).credential) for _, content in inputs]
    verifier = Verifier(world.registry, keep_issuers=True)
    # First one verify_many over everything (a library caller's choice).
    start = time.perf_counter()
    single_reports = verifier.verify_many(inputs)
    single = _outcome(single_reports, expected, time.perf_counter() - start)
    # Then consecutive slices in the same process: what a streaming verifier (`registry verify DIR`) does.
    bare, total, reports, rpc, collector = _timed_slices(world, verifier, inputs, parsed, chunk)
    sliced = _outcome(reports, expected, total)
    context = _context_rates(world, inputs, parsed, chunk)
    floor, parse_and_verify = context.pop("reading_floor_seconds"), context.pop("parse_and_signature_seconds")
    checks_floor, checks_floor_way = _checks_floor([content for _, content in inputs])
    return {
        "credentials": len(inputs),
        "shape": f"verify_many over slices of {chunk}, issuers kept for the run, interleaved with signature-only",
        "seconds": round(total, 3),
        "rate_per_s": round(len(inputs) / total, 1),
        "signature_only_seconds": round(bare, 4),
        "signature_only_rate_per_s": round(len(inputs) / bare, 1),
        "ratio": round(bare / total, 4),
        **context,
        "ratio_to_parse_and_signature": round(parse_and_verify / total, 4),
        # The least any verifier must do besides the signature: read the file and the payload.
        "ceiling_ratio": round(bare / (bare + floor), 4),
        # ... and reads, validates the schema and folds the cohort proof, checking nothing else.
        "checks_floor_rate_per_s": round(len(inputs) / checks_floor, 1),
        "checks_floor_schema": checks_floor_way,
        "checks_ceiling_ratio": round(bare / (bare + checks_floor), 4),
        # The cyclic collector's runs during the timed slices (the harness's objects frozen out).
        "collector": {"runs": collector.runs, "seconds": round(collector.seconds, 4)},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "verdicts": sliced["verdicts"],
        "expected_verdicts": dict(sorted(expected.items())),
        "verdicts_as_expected": sliced["as_expected"],
        "single_call": single,
        "rpc": rpc,
        # JSON-RPC requests (a batch's elements one by one) per credential, beside the rates.
        "requests_per_credential": round((rpc["request"] + rpc["batched_requests"]) / len(inputs), 4),
        "latency_single_ms": _latency(Verifier(world.registry), inputs, latency_samples),
    }


def _latency(verifier: Verifier, inputs: list[tuple[str, str]], samples: int) -> dict[str, Any]:
    """One credential at a time: what a relying party checking one file waits for."""
    step = max(1, len(inputs) // max(1, samples))
    latencies = []
    for source, content in inputs[::step][:samples]:
        t0 = time.perf_counter()
        verifier.verify_many([(source, content)])
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    return {
        "samples": len(latencies),
        "p50": round(statistics.median(latencies) * 1000, 2),
        "p95": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000, 2),
        "max": round(latencies[-1] * 1000, 2),
    }


# Functions whose cumulative time tells where verification goes (module path fragment, function name).
PROFILED = [
    ("ops/verify/verifier.py", "verify_many"),
    ("ops/verify/offline.py", "check_format"),
    ("ops/verify/offline.py", "check_cohort_proof"),
    ("ops/verify/fields.py", "fields_v1"),
    ("formats/safejson.py", "loads"),
    ("formats/multibase.py", "b64url_decode"),
    ("formats/credential.py", "credential_hash"),
    ("ops/verify/verifier.py", "_chain_phase"),
    ("ops/verify/verifier.py", "_resolve_issuers"),
    ("ops/verify/verifier.py", "_read"),
    ("ops/verify/chain_checks.py", "check_key"),
    ("ops/verify/chain_checks.py", "check_anchor"),
    ("ops/verify/status.py", "check_status"),
    ("ops/verify/verifier.py", "_accreditations"),
    ("ops/verify/lookups.py", "event_times"),
    ("ops/verify/chain_checks.py", "check_accreditation"),
    ("ops/verify/offline.py", "check_validity"),
    ("ops/verify/report.py", "verdict_of"),
    ("ops/registry.py", "anchor_tx"),
    ("ops/history.py", "run"),
    ("ops/registry.py", "anchor_records"),
    ("ops/trust/tir.py", "fetch"),
    ("ops/trust/evaluation.py", "evaluate"),
    ("formats/jwt.py", "verify"),
    ("formats/jwt.py", "parse"),
    ("formats/credential.py", "load_holder_file"),
    ("formats/merkle/proofs.py", "verify_proof"),
    ("formats/merkle/leaves.py", "leaf_hash"),
    ("chain/client.py", "request"),
    ("chain/client.py", "batch"),
    ("chain/client.py", "call_many"),
    ("chain/abi.py", "decode_output"),
    ("chain/abi.py", "encode_call"),
]


def profile(world: World, inputs: list[tuple[str, str]], top: int = 25) -> dict[str, Any]:
    """cProfile one verify_many call: cumulative time of the functions that matter, and the hottest others."""
    verifier = Verifier(world.registry)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    verifier.verify_many(inputs)
    profiler.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    named: dict[str, dict[str, Any]] = {}
    for (path, _line, name), (_cc, calls, _tt, cum, _callers) in raw.items():
        for fragment, function in PROFILED:
            if name == function and path.replace("\\", "/").endswith("registry/" + fragment):
                key = f"{fragment.split('/')[-1].removesuffix('.py')}.{function}"
                named[key] = {"calls": calls, "cumulative_s": round(cum, 4), "share": round(cum / wall, 3)}
    hottest = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    self_time = [
        {
            "function": f"{_short(path)}:{line}({name})",
            "calls": calls,
            "self_s": round(tt, 4),
            "cumulative_s": round(cum, 4),
        }
        for (path, line, name), (_cc, calls, tt, cum, _callers) in hottest
    ]
    return {"credentials": len(inputs), "wall_s": round(wall, 3), "functions": named, "hottest_self_time": self_time}


def _short(path: str) -> str:
    path = path.replace("\\", "/")
    for marker in ("/registry/", "/site-packages/", "/lib/python"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    return path
