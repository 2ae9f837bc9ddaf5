"""The skills logbook section of PERFORMANCE.md (scripts/bench/logbook.py measures it)."""

from __future__ import annotations

from typing import Any

from scripts.bench.report.format import number


def section(lb: dict[str, Any] | None, reproduce: str) -> list[str]:
    """A day's entries of every learner anchored as one root; a long extract verified."""
    if not lb:
        return []
    d, x = lb["day"], lb["extract"]
    alone = "`.venv/bin/python scripts/bench/logbook.py --write` runs this part alone and puts its figures in"
    when = f" (this part measured {lb['measured']})" if lb.get("measured") else ""
    if lb.get("load_average_end"):
        when += f"; load average {' / '.join(map(str, lb['load_average_end']))} at its end, in {lb['seconds']} s"
    return [
        "## Skills logbooks",
        "",
        f"{reproduce} {alone}{when}.",
        "",
        f"One provider, {number(d['learners'])} learners, {lb['sizes']['per_day']} entries each in a day: each entry "
        "signed by its learner and countersigned by one of "
        f"{lb['sizes']['supervisors']} authorised supervisors (`countersign` checks the learner's signature first), "
        "then the day anchored as one Merkle root in one transaction (`Provider.anchor_day`: status entries, tree, "
        "every proof, the journaled transaction).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| entries in the day | {number(d['entries'])} ({number(d['signatures'])} ES256 signatures) |",
        f"| **gas per entry, daily anchor** (target ≤ 10) | **{number(d['gas_per_entry'])}** "
        f"({number(d['anchor_gas'])} gas, one transaction) |",
        f"| entries signed and anchored | {number(d['entries_per_s'])} /s ({d['sign_s']} s signing, "
        f"{d['anchor_s']} s anchoring) |",
        f"| signing and countersigning alone | {number(d['sign_entries_per_s'])} entries/s |",
        f"| anchoring alone | {number(d['anchor_entries_per_s'])} entries/s |",
        f"| extract of {number(x['entries'])} entries (one learner, {lb['sizes']['per_day']} a day, one day anchor a "
        f"day) verified, chain reads included | {number(x['rate_per_s'])} entries/s |",
        f"| the same entries' two signatures alone (learner, countersigner) | "
        f"{number(x['signature_only_rate_per_s'])} entries/s |",
        f"| **ratio extract verification / signature-only** | **{x['ratio']}** (best of {x['runs']}) |",
        "",
        "Per entry the verifier checks three signatures (the learner's, the countersigner's and, once per "
        "authorisation, the provider's), the signer's authorisation (anchor, period, status), the day proof and "
        "root, and the entry's status; the day roots and status bits of the whole extract are read in a few "
        "batched calls. Not measured here: the learners' keys, the supervisors' authorisations and the "
        "enrolments (only the extract's learner is enrolled on-chain; the day anchor does not read enrolments).",
        "",
    ]
