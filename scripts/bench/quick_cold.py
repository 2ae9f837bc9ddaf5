"""The cold start of `registry verify` in half a minute, on a machine others share: for work on
what the command imports.

`make bench` times the whole process on a quiet machine (`coldstart.py`). On a shared one the wall
time waits for the neighbours; the CPU time (user + system) of the process much less, so compare
CPU times of code versions measured in the same minutes. This deploys our contracts on an anvil
of its own, accredits an issuer and anchors one credential (as the bench's world does), then runs
`registry verify FILE --rpc URL --deployment FILE` `--runs` times. With `--against DIR` (a directory
holding another version's `registry` package, e.g. `git archive main registry | tar -x -C DIR`)
the two are run turn about, that package first on the path.

    .venv/bin/python scripts/bench/quick_cold.py --runs 15 [--against /tmp/main]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench.chain import bench_chain
from scripts.bench.coldstart import VENV_BIN
from scripts.bench.world import build


def _once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run, which must say VALID."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"`registry verify` did not say VALID (exit {done.returncode}): {done.stdout[-400:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", type=Path, help="a directory holding another version's registry package")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quick-cold-") as tmp, bench_chain() as chain:
        world = build(chain, Path(tmp) / "home")
        holder = Path(tmp) / "one-credential.json"  # its directory's `home` is the world's home
        holder.write_text(world.singles(1)[0].dumps())
        command = [str(VENV_BIN / "registry"), "verify", str(holder), "--rpc", chain.node.rpc_url,
                   "--deployment", str(world.deployment_file)]  # fmt: skip
        env = {**os.environ, "REGISTRY_HOME": str(Path(tmp) / "home")}
        versions = {"this checkout": env}
        if args.against is not None:
            versions[str(args.against)] = {**env, "PYTHONPATH": str(args.against.resolve())}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in versions}
        for version_env in versions.values():
            _once(command, version_env)  # warm-up: the page cache, and the check that it says VALID
        for _ in range(args.runs):
            for name, version_env in versions.items():
                times[name].append(_once(command, version_env))
    for name, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"{name}: wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}), "
            f"CPU median {statistics.median(cpus):.3f} s (min {min(cpus):.3f}), {args.runs} runs"
        )
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
