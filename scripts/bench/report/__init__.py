"""Turn one run's measurements into performance.json, PERFORMANCE.md and the gas plot.

Nothing here measures or adjusts anything: every number printed comes from the run's results,
and every target verdict is computed from them. `figures` computes the headline figures and the
target verdicts, `document` writes PERFORMANCE.md (with `gas`, `runs` and `format`), `plot` draws
the gas plot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scripts.bench.report.document import markdown, service_section
from scripts.bench.report.figures import headline, series, target_lines, targets
from scripts.bench.report.plot import plot

__all__ = [
    "headline",
    "markdown",
    "plot",
    "series",
    "service_section",
    "target_lines",
    "targets",
    "write_all",
]


def write_all(results: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "performance.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    plot(results, out_dir / "gas-per-credential.png")
    (out_dir / "PERFORMANCE.md").write_text(markdown(results))
