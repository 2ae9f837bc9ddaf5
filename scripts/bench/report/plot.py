"""The gas plot: gas per credential against batch size, every way of recording a batch, the floor
and the target, on log axes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.bench.report.figures import series


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=110)
    styles = ["o-", "s--", "s:", "^--", "v--", "v:"]
    for (label, points), style in zip(series(results).items(), styles, strict=False):
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, style, label=label, linewidth=2 if label.startswith("ours") else 1.2)
    floor = results["gas"]["floor_single"]
    ax.axhline(
        floor, color="grey", linestyle="-.", linewidth=1, label=f"floor: one storage slot per credential ({floor:,})"
    )
    ax.axhline(50, color="green", linestyle=":", linewidth=1, label="target: 50 gas per credential at 1,000")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("credentials recorded together (batch or cohort size)")
    ax.set_ylabel("gas per credential (receipt gasUsed / N)")
    title = "Gas per credential against batch size, one anvil, one run"
    if results["meta"]["mode"] == "smoke":
        title += " (SMOKE RUN: not results)"
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
