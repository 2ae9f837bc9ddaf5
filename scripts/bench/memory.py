"""Peak memory of verifying N credentials, one fresh process per measurement.

Run as a child: `python scripts/bench/memory.py --input FILE.jsonl --rpc URL --deployment FILE
[--chunk N]`. It prints one JSON object. The peak is the process's peak RSS, VmHWM (everything:
the interpreter, the libraries, the input, the reports), so two sizes compare like for like.

Two shapes are measured: `whole` (one `verify_many` over every input, which returns every report
at once: a library caller's choice) and `chunked` (`verify_many` over consecutive slices, keeping
only the verdict counts: the shape of `registry verify DIR`, which works 500 files at a time).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _rss_mb() -> float:
    """This process's peak RSS in MB.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork and exec, so a child of the (large)
    benchmark process would report its parent's peak; VmHWM belongs to the new address space.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    with path.open() as handle:
        for n, line in enumerate(handle):
            yield f"credential-{n}", line


def child(argv: Sequence[str]) -> dict[str, Any]:
    import argparse

    from registry.chain.client import ChainClient
    from registry.chain.deployment import Deployment
    from registry.ops.registry import Registry
    from registry.ops.verify import Verifier

    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--deployment", type=Path, required=True)
    parser.add_argument("--chunk", type=int, default=0)
    args = parser.parse_args(argv)
    registry = Registry(ChainClient(args.rpc, timeout_s=600.0), Deployment.load(args.deployment))
    verifier = Verifier(registry)
    baseline = _rss_mb()
    verdicts: Counter[str] = Counter()
    start = time.perf_counter()
    if args.chunk:
        batch: list[tuple[str, str]] = []
        for item in _lines(args.input):
            batch.append(item)
            if len(batch) == args.chunk:
                verdicts.update(str(r.verdict) for r in verifier.verify_many(batch))
                batch = []
        if batch:
            verdicts.update(str(r.verdict) for r in verifier.verify_many(batch))
    else:
        inputs = list(_lines(args.input))
        reports = verifier.verify_many(inputs)
        verdicts.update(str(r.verdict) for r in reports)
    return {
        "credentials": sum(verdicts.values()),
        "mode": f"chunked {args.chunk}" if args.chunk else "whole",
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "seconds": round(time.perf_counter() - start, 2),
        "verdicts": dict(sorted(verdicts.items())),
        # No input is built to be indeterminate: any such verdict means the verification did not complete.
        "completed": "could not determine" not in verdicts,
    }


def measure(input_file: Path, rpc_url: str, deployment: Path, chunk: int = 0) -> dict[str, Any]:
    """Run the child on one input file and return what it printed."""
    command = [sys.executable, str(Path(__file__).resolve()), "--input", str(input_file)]
    command += ["--rpc", rpc_url, "--deployment", str(deployment), "--chunk", str(chunk)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ}, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"memory child failed: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def write_input(path: Path, lines: Sequence[str]) -> Path:
    """One holder file (compact JSON) per line."""
    with path.open("w") as handle:
        for line in lines:
            handle.write(line + "\n")
    return path


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1:])))
