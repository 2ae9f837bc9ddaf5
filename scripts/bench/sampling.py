"""Where verification's CPU time goes, by sampling: the share of each part of the work.

cProfile (`throughput.profile`) counts every call and so inflates what makes many small calls; a
sampler does not. Every millisecond of this process's CPU time (`ITIMER_PROF`) the stack is read
and the sample is given to the innermost frame that one of `PARTS` names (walking from the frame
running outwards), so nested work counts once, where it happens. The verifier runs as the
throughput run runs it: slices, issuers kept for the run.
"""

from __future__ import annotations

import signal
from collections import Counter
from types import FrameType
from typing import Any

from registry.ops.verify import Verifier
from scripts.bench.world import World

# (path fragment, function name or "" for any): the part of the work, first match from the innermost frame.
PARTS: list[tuple[str, str, str]] = [
    ("formats/jwt.py", "_key_verifies", "signature check (ES256, OpenSSL)"),
    ("formats/jwt.py", "verify_with", "signature check (ES256, OpenSSL)"),
    ("formats/merkle/", "", "cohort Merkle proof (keccak)"),
    ("ops/verify/offline.py", "check_cohort_proof", "cohort Merkle proof (keccak)"),
    ("ops/verify/schemas.py", "", "schema (jsonschema-rs)"),
    ("formats/typedvc.py", "", "payload JSON and schema in one pass (msgspec, our skills credentials)"),
    ("formats/holderfile.py", "", "reading the holder file (JSON, proof hex)"),
    ("formats/safejson.py", "loads_shallow", "reading the holder file (JSON, proof hex)"),
    ("formats/safejson.py", "", "decoding and hashing the JWT (base64url, JSON, sha256)"),
    ("formats/multibase.py", "", "decoding and hashing the JWT (base64url, JSON, sha256)"),
    ("formats/jwt.py", "", "decoding and hashing the JWT (base64url, JSON, sha256)"),
    ("ops/verify/offline.py", "check_format", "decoding and hashing the JWT (base64url, JSON, sha256)"),
    ("ops/verify/fields.py", "", "the payload's claims (fields, status entries)"),
    ("ops/statusentries.py", "", "the payload's claims (fields, status entries)"),
    ("formats/vcdm2/", "", "the payload's claims (fields, status entries)"),
    ("ops/verify/offline.py", "", "the payload's claims (fields, status entries)"),
    ("chain/", "", "chain reads (JSON-RPC, answers checked)"),
    ("contracts/", "", "chain reads (JSON-RPC, answers checked)"),
    ("ops/registry.py", "", "chain reads (JSON-RPC, answers checked)"),
    ("ops/verify/status.py", "", "status checks"),
    ("ops/verify/chain_checks.py", "", "key, anchor and accreditation checks"),
    ("ops/verify/lookups.py", "", "key, anchor and accreditation checks"),
    ("ops/trust/", "", "key, anchor and accreditation checks"),
    ("ops/verify/registries.py", "", "registry check"),
    ("ops/verify/report.py", "", "verdict and report"),
]
REST = "the verifier's loops, records and the collector"


def _part(frame: FrameType | None) -> str:
    while frame is not None:
        path, name = frame.f_code.co_filename.replace("\\", "/"), frame.f_code.co_name
        for fragment, function, part in PARTS:
            if "registry/" + fragment in path and (not function or function == name):
                return part
        frame = frame.f_back
    return REST


def sample(world: World, inputs: list[tuple[str, str]], chunk: int, rounds: int = 3) -> dict[str, Any]:
    """Verify `inputs` in slices `rounds` times under the sampler; the share of samples per part."""
    verifier = Verifier(world.registry, keep_issuers=True)
    verifier.verify_many(inputs[:chunk])  # issuers read, as a run's first slice reads them
    parts: Counter[str] = Counter()

    def record(_signum: int, frame: FrameType | None) -> None:
        parts[_part(frame)] += 1

    previous = signal.signal(signal.SIGPROF, record)
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
    try:
        for _ in range(rounds):
            for n in range(0, len(inputs), chunk):
                verifier.verify_many(inputs[n : n + chunk])
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
    total = sum(parts.values()) or 1
    return {
        "credentials": len(inputs) * rounds,
        "samples": total,
        "parts": {part: round(count / total, 3) for part, count in parts.most_common()},
    }
