"""The load benchmark's harness works end to end (its own anvil, chain, service process and load),
in smoke mode: a fraction of a second of load, every answer checked, no figures asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "load_service.py"


def test_load_benchmark_smoke_mode_runs_and_every_request_is_answered_correctly() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke"], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    for name in ("verify", "reads"):
        assert results[name]["ok"] > 0 and results[name]["failed"] == 0, results[name]
