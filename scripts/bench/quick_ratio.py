"""The verification ratio in a minute, on a machine others share: for work on the verifier's hot path.

`make bench` measures wall time on a quiet machine. On a shared one, wall time swings with the
neighbours' load from one run to the next; CPU time (`time.process_time`) of the same process does
much less, and the best of several runs less still. So this builds a smaller world than the bench
(300 single credentials, cohorts of 10, 100 and 2,600; 1 % revoked; the same `World` and the same
input mix as `run.py`), then times, `--runs` times, the bench's two sides over the same credentials,
interleaved slice by slice as the bench does: `jwt.verify` over tokens parsed beforehand, and
`verify_many` (issuers kept, as `registry verify` builds its verifier) over slices of 1,000. It prints the
best CPU time per credential of each side and their ratio. Compare ratios between code versions
measured in the same minutes, never rates. Its runs verify the same 3,000 credentials again, so a
cache keyed by what they hold looks better here than on a large input met once (a cache of
decoded proof nodes did: it thrashed on the bench's cohort of 10,000).

    .venv/bin/python scripts/bench/quick_ratio.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.ops.verify import Verifier
from scripts.bench import gas
from scripts.bench.chain import bench_chain
from scripts.bench.run import SMOKE, verification_input
from scripts.bench.world import World, build

SIZES = replace(SMOKE, cohorts=(10, 100, 2600), singles=300, verify_total=3000, revoked_share=0.01)
SLICE = 1000


def inputs_of(world: World) -> tuple[list[tuple[str, str]], dict[str, int]]:
    rng = random.Random(7)
    singles = world.singles(SIZES.singles)
    _, revoked_singles = gas.ours_singles(world, singles, 3)
    small = [world.cohort(size) for size in SIZES.cohorts[:-1]]
    big = world.cohort(SIZES.cohorts[-1])  # as the bench issues it (its credentials name their schema)
    _, scattered = gas.ours_scattered_revoke(world, big, 30, rng)
    return verification_input(world, singles, revoked_singles, small, big, scattered, SIZES, rng)


def best_cpu(world: World, inputs: list[tuple[str, str]], expected: dict[str, int], runs: int) -> tuple[float, float]:
    """The best CPU seconds of each side over `runs` runs, the two sides interleaved slice by slice
    as the bench does (signature-only, verifier built as `registry verify` builds it)."""
    jwk = world.issuer.identity.signing_jwk
    verifier = Verifier(world.registry, keep_issuers=True)
    bare, total = [], []
    for _ in range(runs):
        parsed = [jwt.parse(vcfmt.load_holder_file(content).credential) for _, content in inputs]
        reports, bare_s, total_s = [], 0.0, 0.0
        for n in range(0, len(inputs), SLICE):
            start = time.process_time()
            ok = sum(jwt.verify(p, jwk) for p in parsed[n : n + SLICE])
            bare_s += time.process_time() - start
            if ok != len(parsed[n : n + SLICE]):
                raise SystemExit("signatures failed in the signature-only pass")
            start = time.process_time()
            reports += verifier.verify_many(inputs[n : n + SLICE])
            total_s += time.process_time() - start
        bare.append(bare_s)
        total.append(total_s)
        verdicts = dict(Counter(str(r.verdict) for r in reports))
        if verdicts != expected:
            raise SystemExit(f"verdicts {verdicts}, expected {expected}")
    return min(bare), min(total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quick-ratio-") as tmp, bench_chain() as chain:
        world = build(chain, Path(tmp) / "home")
        inputs, expected = inputs_of(world)
        bare, total = best_cpu(world, inputs, expected, args.runs)
    n = len(inputs)
    print(
        f"{n} credentials, best of {args.runs} runs, CPU time: signature-only {bare / n * 1e6:.1f} us, "
        f"verify_many {total / n * 1e6:.1f} us a credential; ratio {bare / total:.3f} "
        f"(load average {', '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
