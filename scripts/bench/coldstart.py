"""Cold start of `registry verify FILE`: the whole process, from exec to exit, many times.

hyperfine when it is installed (Debian's `hyperfine`), otherwise repeated subprocess timing; the
median is reported either way, with the CPU time (user + system) of the process beside the wall
time: on a shared machine the wall time waits for the neighbours, the CPU time much less. The
interpreter alone (`python -c pass`) is timed the same way as a baseline, and one `-X importtime`
run names the imports that dominate. Whether Python may cache the package's bytecode is recorded:
with PYTHONDONTWRITEBYTECODE set and no `__pycache__` (an editable checkout), every run compiles
the registry's modules from source, which an installed package (pip writes its bytecode) does not.
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VENV_BIN = Path(sys.executable).parent


def _hyperfine(command: list[str], runs: int, warmup: int, env: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(
            [
                "hyperfine",
                "-N",
                "--warmup",
                str(warmup),
                "--runs",
                str(runs),
                "--export-json",
                export.name,
                shlex.join(command),
            ],
            check=True,
            capture_output=True,
            env=env,
            timeout=600,
        )
        result = json.loads(Path(export.name).read_text())["results"][0]
    times = result["times"]
    cpu = result["user"] + result["system"]  # hyperfine's means
    return {"method": "hyperfine", "runs": len(times), "median_s": round(result["median"], 4),
            "cpu_s": round(cpu, 4), "cpu_measure": "mean", **_spread(times)}  # fmt: skip


def _repeat(command: list[str], runs: int, warmup: int, env: dict[str, str]) -> dict[str, Any]:
    for _ in range(warmup):  # warm the page cache as hyperfine's --warmup does
        subprocess.run(command, capture_output=True, env=env, timeout=120)
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, timeout=120)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"method": "subprocess", "runs": runs, "median_s": round(statistics.median(times), 4),
            "cpu_s": round(statistics.median(cpu), 4), "cpu_measure": "median", **_spread(times)}  # fmt: skip


def _spread(times: list[float]) -> dict[str, float]:
    return {"min_s": round(min(times), 4), "max_s": round(max(times), 4)}


def time_command(command: list[str], runs: int, warmup: int, env: dict[str, str]) -> dict[str, Any]:
    timer = _hyperfine if shutil.which("hyperfine") else _repeat
    return {**timer(command, runs, warmup, env), "warmup": warmup}


def top_imports(command: list[str], env: dict[str, str], top: int = 12) -> list[dict[str, Any]]:
    """The slowest top-level imports of one run (`python -X importtime`), cumulative microseconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]], capture_output=True, text=True, env=env, timeout=120
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        # importtime indents nested imports; only first-level ones (one space) are what the command asked for.
        if parts[2].startswith("  "):
            continue
        rows.append({"module": parts[2].strip(), "cumulative_ms": round(int(parts[1]) / 1000, 1)})
    return sorted(rows, key=lambda r: r["cumulative_ms"], reverse=True)[:top]


def _bytecode(env: dict[str, str]) -> str:
    """Whether the runs timed could use compiled bytecode of the registry package."""
    import registry.cli

    cached = any(Path(registry.cli.__file__).parent.glob("__pycache__/app.*.pyc"))
    if cached:
        return "cached (the package's __pycache__ holds its bytecode)"
    if env.get("PYTHONDONTWRITEBYTECODE"):
        return "compiled from source on every run (PYTHONDONTWRITEBYTECODE set, no __pycache__)"
    return "written by the warm-up runs"


def cold_start(holder_file: Path, rpc_url: str, deployment: Path, runs: int, warmup: int = 2) -> dict[str, Any]:
    registry = shutil.which("registry", path=str(VENV_BIN)) or str(VENV_BIN / "registry")
    command = [registry, "verify", str(holder_file), "--rpc", rpc_url, "--deployment", str(deployment)]
    env = {**os.environ, "REGISTRY_HOME": str(holder_file.parent / "home")}
    # Only a VALID verification is worth timing; say what it said otherwise (hyperfine would only
    # report a non-zero exit).
    check = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    if check.returncode != 0:
        raise SystemExit(
            f"`registry verify` did not say VALID (exit {check.returncode}): {check.stdout[-600:]}{check.stderr[-300:]}"
        )
    # `-m registry.cli` is the entry point's module: the same imports, run through the interpreter directly.
    import_command = [sys.executable, "-m", "registry.cli", *command[1:]]
    return {
        "command": "registry verify FILE --rpc URL --deployment FILE",
        "bytecode": _bytecode(env),
        "verify": time_command(command, runs, warmup, env),
        "python_startup": time_command([sys.executable, "-c", "pass"], runs, warmup, env),
        "top_imports": top_imports(import_command, env),
    }
