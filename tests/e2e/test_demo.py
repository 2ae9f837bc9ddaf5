"""`make demo` is one of the two commands the README promises: run it whole, so it cannot rot.

It starts its own anvil on a free port and removes everything it wrote; here we only check that
every step ran with the exit code it expects (the script stops at the first one that does not)
and that the verdicts a reader is shown are the ones the story tells.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_tells_the_whole_story() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    # The order of the story: valid, a cohort, a valid passport, then revoked inside the passport.
    milestones = [
        "TRUSTED",
        "VALID: every check passed",
        "issued 3 credentials; cohort root",
        "VALID: all 2 credentials valid",
        "revoked 1 credential in block",
        "NOT ALL VALID: 1 of 2 credentials valid",
        "REVOKED: revoked on",
        "COULD NOT DETERMINE",
        "Local chain stopped and demo files removed",
    ]
    positions = [out.find(text) for text in milestones]
    assert -1 not in positions, [m for m, p in zip(milestones, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert "Traceback" not in out + result.stderr
