"""The benchmark, in one run on one anvil: gas against the peers and the floor, issuance and
verification throughput, cold start and peak memory. Writes performance.json, PERFORMANCE.md
and gas-per-credential.png.

    .venv/bin/python scripts/bench/run.py                 # full run, writes docs/ (several minutes)
    .venv/bin/python scripts/bench/run.py --smoke --out-dir /tmp/bench   # tiny sizes, seconds

The smoke run exercises every code path with small sizes so the benchmark cannot rot; its
figures are not benchmark results (the files say so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import directory, gas, logbook, memory, report, rpl, sampling, throughput
from scripts.bench.accreditation import accreditation_gas
from scripts.bench.chain import BenchChain, bench_chain
from scripts.bench.coldstart import cold_start
from scripts.bench.recognition import recognition_gas
from scripts.bench.world import World, build

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Sizes:
    cohorts: tuple[int, ...]  # anchored for gas; the last is the timed issuance cohort
    headline_cohort: int  # gas.cohort_<this>_per_credential is the headline figure
    bulk_revoke: tuple[int, ...]  # whole cohorts revoked in one call
    scattered_revoke: int  # revoked at random across the issuance cohort (the headline bulk figure)
    peer_bulk: tuple[int, ...]  # OA bulkIssue, EAS multiAttest / multiTimestamp sizes
    peer_bulk_revoke: tuple[int, ...]  # OA bulkRevoke, EAS multiRevoke sizes
    singles: int  # single-anchored credentials in the verification input
    verify_total: int
    revoked_share: float
    latency_samples: int
    profile_credentials: int
    memory: tuple[int, int]
    memory_chunk: int
    cold_runs: int
    cold_warmup: int
    directory: tuple[int, int]  # issuers, credentials per issuer: the many-issuers directory


FULL = Sizes(
    cohorts=(10, 100, 1_000, 10_000),
    headline_cohort=1_000,
    bulk_revoke=(100, 1_000),
    scattered_revoke=1_000,
    peer_bulk=(10, 100, 1_000, 10_000),
    peer_bulk_revoke=(100, 1_000),
    singles=500,
    verify_total=10_000,
    revoked_share=0.01,
    latency_samples=200,
    profile_credentials=2_000,
    memory=(10_000, 100_000),
    memory_chunk=1_000,
    cold_runs=15,
    cold_warmup=2,
    directory=(100, 100),
)

SMOKE = Sizes(
    cohorts=(10, 200),
    headline_cohort=10,
    bulk_revoke=(10, 50),
    scattered_revoke=20,
    peer_bulk=(10, 50),
    peer_bulk_revoke=(10, 50),
    singles=20,
    verify_total=150,
    revoked_share=0.05,
    latency_samples=5,
    profile_credentials=50,
    memory=(50, 200),
    memory_chunk=50,
    cold_runs=2,
    cold_warmup=0,
    directory=(3, 4),
)


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def machine_facts() -> dict[str, Any]:
    def first_line(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "unknown"

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
        )
        memory_gb = round(mem_kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        memory_gb = 0.0
    import cryptography

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "cryptography": cryptography.__version__,
        "node": first_line(["node", "--version"]),
        "hyperfine": first_line(["hyperfine", "--version"]),
    }


def verification_input(
    world: World,
    singles: list[Any],
    revoked_singles: set[int],
    small_cohorts: list[Any],
    big: Any,
    scattered: set[int],
    sizes: Sizes,
    rng: random.Random,
) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Singles, every member of the small cohorts, the rest from the big cohort; a set share revoked."""
    chosen: list[tuple[str, Any]] = [(f"single-{n}", h) for n, h in enumerate(singles)]
    for cohort in small_cohorts:
        chosen += [(f"cohort{len(cohort.holder_files)}-{n}", h) for n, h in enumerate(cohort.holder_files)]
    rest = sizes.verify_total - len(chosen)
    want_revoked = max(1, round(sizes.verify_total * sizes.revoked_share)) - len(revoked_singles)
    want_revoked = max(0, min(want_revoked, len(scattered), rest))
    revoked = rng.sample(sorted(scattered), want_revoked)
    live = [n for n in range(len(big.holder_files)) if n not in scattered]
    picked = sorted(revoked + live[: rest - want_revoked])
    chosen += [(f"cohort{len(big.holder_files)}-{n}", big.holder_files[n]) for n in picked]
    rng.shuffle(chosen)
    inputs = [(name, holder.dumps()) for name, holder in chosen]
    total_revoked = len(revoked_singles) + want_revoked
    return inputs, {"revoked": total_revoked, "valid": len(inputs) - total_revoked}


def memory_runs(world: World, sizes: Sizes, first: Any, tmp: Path) -> dict[str, Any]:
    """Distinct credentials up to the larger size: the issuance cohort, then fresh cohorts.

    The smaller input is a prefix of the larger. For each size the whole and the chunked child run
    side by side (two cores): peak RSS is per process, so running them together changes only their
    wall time, which is reported for information.
    """
    small, large = sizes.memory
    per_cohort = min(large, max(sizes.cohorts))
    lines = [h.to_json() for h in first.holder_files]
    while len(lines) < large:
        log(f"memory input: cohort {len(lines) // per_cohort + 1} of {-(-large // per_cohort)}")
        lines += [h.to_json() for h in world.fast_cohort(min(per_cohort, large - len(lines))).holder_files]
    texts = [json.dumps(line, separators=(",", ":")) for line in lines]
    files = {n: memory.write_input(tmp / f"memory-{n}.jsonl", texts[:n]) for n in (small, large)}
    del lines, texts
    results: dict[str, Any] = {}
    rpc, deployment = world.chain.node.rpc_url, world.deployment_file
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in (small, large):
            log(f"memory: verifying {n} credentials, whole and chunked, one child process each")
            whole = pool.submit(memory.measure, files[n], rpc, deployment, 0)
            chunked = pool.submit(memory.measure, files[n], rpc, deployment, sizes.memory_chunk)
            results[f"whole_{n}"], results[f"chunked_{n}"] = whole.result(), chunked.result()
    return results


@dataclass
class Issued:
    """What the gas phase issued, which the verification phase verifies."""

    singles: list[Any]
    revoked_singles: set[int]
    small_cohorts: list[Any]
    big: Any  # the issuance cohort
    scattered: set[int]  # its members revoked at random


def run(sizes: Sizes, out_dir: Path, smoke: bool, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    results: dict[str, Any] = {
        "meta": {
            "mode": "smoke" if smoke else "full",
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "make bench" if not smoke else "scripts/bench/run.py --smoke",
            "sizes": asdict(sizes),
            "machine": machine_facts(),
            "load_average_start": [round(x, 2) for x in os.getloadavg()],
        }
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name, bench_chain() as chain:
        tmp = Path(tmp_name)
        log(f"anvil on {chain.node.rpc_url}; deploying our contracts and accrediting an issuer")
        world = build(chain, tmp / "home")
        issued = gas_phase(results, world, chain, sizes, rng)
        verification_phase(results, world, issued, sizes, rng, tmp)
        log("skills logbooks: a day's entries of every learner anchored as one root, a long extract verified")
        results["logbook"] = logbook.logbook_bench(world, logbook.SMOKE if smoke else logbook.FULL)
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    results["meta"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results.update(report.headline(results, sizes.headline_cohort, sizes.scattered_revoke))
    report.write_all(results, out_dir)
    return results


def gas_phase(results: dict[str, Any], world: World, chain: BenchChain, sizes: Sizes, rng: random.Random) -> Issued:
    """Our writes through the code users run (singles, cohorts, the timed issuance cohort, bulk status
    changes), then the peers' and the floor's: `results` gets gas_detail, issue and the chain's facts."""
    log("deploying the peers (DocumentStore, SchemaRegistry + EAS) and the floor")
    peers = gas.deploy_peers(chain)
    results["meta"]["chain"] = chain.facts()
    results["meta"]["packages"] = peers.packages
    ours: dict[str, Any] = {}
    log(f"{sizes.singles} single credentials, anchored one transaction each")
    singles = world.singles(sizes.singles)
    revoked_singles_wanted = max(1, round(sizes.singles * sizes.revoked_share))
    figures, revoked_singles = gas.ours_singles(world, singles, revoked_singles_wanted)
    ours.update(figures)
    small_cohorts = []
    for size in sizes.cohorts[:-1]:
        log(f"cohort of {size}")
        cohort = world.cohort(size)
        small_cohorts.append(cohort)
        ours[f"cohort_{size}"] = gas.cohort_op(cohort)
    log(f"issuance throughput: a cohort of {sizes.cohorts[-1]}")
    big, results["issue"] = throughput.issuance(world, sizes.cohorts[-1])
    ours[f"cohort_{sizes.cohorts[-1]}"] = gas.cohort_op(big)
    log("recognition of prior learning: one RPL credential, one work-experience attestation")
    ours.update(rpl.rpl_gas(world, world.settings.home))
    log("bulk revocation, suspension and reinstatement")
    ours.update(gas.ours_bulk_status(world, sizes.bulk_revoke))
    figures, scattered = gas.ours_scattered_revoke(world, big, sizes.scattered_revoke, rng)
    ours[f"bulk_revoke_scattered_{sizes.scattered_revoke}"] = figures
    log("recognition decisions: publish, suspend, reinstate, revoke")
    ours.update(recognition_gas(world))
    log("the accreditation chain: onboard, accredit, suspend, reinstate, revoke, revoke for cause")
    ours.update(accreditation_gas(world))
    log("peers: floor, OpenAttestation, EAS")
    peer_figures = {
        **gas.floor_gas(chain, peers),
        **gas.oa_gas(chain, peers, sizes.peer_bulk, sizes.peer_bulk_revoke),
        **gas.eas_gas(chain, peers, sizes.peer_bulk, sizes.peer_bulk_revoke),
    }
    results["gas_detail"] = {"ours": ours, "peers": peer_figures, "deploy": peers.deploy_gas()}
    return Issued(singles, revoked_singles, small_cohorts, big, scattered)


def verification_phase(
    results: dict[str, Any], world: World, issued: Issued, sizes: Sizes, rng: random.Random, tmp: Path
) -> None:
    """Verification throughput and its profile, cold start, peak memory: into `results`."""
    singles, revoked_singles = issued.singles, issued.revoked_singles
    inputs, expected = verification_input(
        world, singles, revoked_singles, issued.small_cohorts, issued.big, issued.scattered, sizes, rng
    )
    log(f"verification throughput: {len(inputs)} credentials")
    results["verify"] = throughput.verification(world, inputs, expected, sizes.latency_samples, sizes.memory_chunk)
    log(f"profiling verify_many over {sizes.profile_credentials} credentials, then sampling it over all")
    results["verify_profile"] = throughput.profile(world, inputs[: sizes.profile_credentials])
    results["verify_sampled"] = sampling.sample(world, inputs, sizes.memory_chunk)
    issuers, per_issuer = sizes.directory
    log(f"a directory of {issuers * per_issuer} credentials from {issuers} issuers")
    results["directory"] = directory.directory(world, issuers, per_issuer)

    log("cold start of `registry verify`")
    holder = tmp / "one-credential.json"
    # A credential that must verify VALID: a single that was never revoked.
    holder.write_text(next(h for n, h in enumerate(singles) if n not in revoked_singles).dumps())
    results["cold_start"] = cold_start(
        holder, world.chain.node.rpc_url, world.deployment_file, sizes.cold_runs, sizes.cold_warmup
    )

    results["memory_detail"] = memory_runs(world, sizes, issued.big, tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the benchmark runs, measures nothing")
    parser.add_argument(
        "--out-dir", type=Path, help="where to write the results (default: docs/; required with --smoke)"
    )
    parser.add_argument("--seed", type=int, default=7, help="picks which credentials are revoked")
    parser.add_argument(
        "--render",
        type=Path,
        metavar="PERFORMANCE_JSON",
        help="measure nothing: rewrite the document, plot and JSON from a run's performance.json",
    )
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text())
        sizes = results["meta"]["sizes"]
        results.update(report.headline(results, sizes["headline_cohort"], sizes["scattered_revoke"]))
        report.write_all(results, args.out_dir or args.render.parent)
        return 0
    if args.smoke and args.out_dir is None:
        parser.error("--smoke needs --out-dir (smoke figures must not overwrite docs/)")
    out_dir = args.out_dir or ROOT / "docs"
    results = run(SMOKE if args.smoke else FULL, out_dir, args.smoke, args.seed)
    log(f"done in {results['meta']['seconds']} s; wrote {out_dir}")
    for line in report.target_lines(results):
        log(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
