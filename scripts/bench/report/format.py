"""How PERFORMANCE.md writes a figure: numbers with their significant digits, ratios, per-credential
gas with its transaction count, verdict counts, the machine's load."""

from __future__ import annotations

from typing import Any


def number(value: float | int | None) -> str:
    """A figure as the document prints it ("—" when there is none)."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        # Ratios and seconds are small: keep their significant digits; gas per credential keeps one decimal.
        return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    return f"{int(value):,}"


def times(a: float, b: float) -> str:
    """`a` as a multiple of `b` ("1.23x")."""
    return f"{a / b:.2f}x" if b else "—"


def per_credential(figures: dict[str, Any] | None) -> str:
    """Gas per credential, with the transactions it took when more than one."""
    if not figures:
        return "—"
    text = number(figures["per_credential"])
    if figures.get("transactions", 1) > 1:
        text += f" ({figures['transactions']} tx)"
    return text


def load(meta: dict[str, Any]) -> str:
    """Load average (1, 5, 15 min) at the start and the end: timings from a busy machine say so."""
    start, end = meta.get("load_average_start"), meta.get("load_average_end")
    if not start or not end:
        return "not recorded"
    return f"{' / '.join(map(str, start))} at the start, {' / '.join(map(str, end))} at the end"


def verdicts(counts: dict[str, int]) -> str:
    """Verdict counts in words ("9 valid, 1 revoked")."""
    return ", ".join(f"{n:,} {k}" for k, n in counts.items())
