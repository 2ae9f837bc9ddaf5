"""The figures of one run: the flat headline figures issue 7 asks for (with the stand-ins a smoke
run uses), the target verdicts computed from them, and the gas-per-credential series by batch size.

Nothing here measures or adjusts anything: every number comes from the run's results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Gas per recognition decision (scripts/bench/recognition.py), by name.
RECOGNITION = (
    "recognition_publish", "recognition_publish_next", "recognition_publish_by_body", "recognition_suspend",
    "recognition_reinstate", "recognition_revoke",
)  # fmt: skip
# Gas of the accreditation chain's writes (scripts/bench/accreditation.py), by name.
ACCREDITATION = (
    "accreditation_onboard_root", "accreditation_accredit_tao", "accreditation_accredit_ti", "accreditation_suspend",
    "accreditation_reinstate", "accreditation_revoke", "accreditation_revoke_for_cause",
)  # fmt: skip


def _nearest(available: Sequence[int], wanted: int) -> int:
    return min(available, key=lambda n: (abs(n - wanted), -n))


def headline(results: dict[str, Any], headline_cohort: int, scattered: int) -> dict[str, Any]:
    """The flat figures issue 7 asks for, plus every per-credential figure by size.

    In a smoke run the sizes are smaller; each headline name is then filled from the nearest size
    that was run, and meta.stand_ins says which.
    """
    ours = results["gas_detail"]["ours"]
    peers = results["gas_detail"]["peers"]
    g = _gas(ours, peers)
    stand_ins = _stand_ins(g, ours, peers, scattered)
    del headline_cohort
    memory = _memory(results["memory_detail"], stand_ins)
    results["meta"]["stand_ins"] = stand_ins
    out = {
        "gas": dict(sorted(g.items())),
        "cold_start_s": results["cold_start"]["verify"]["median_s"],
        "memory": memory,
    }
    out["targets"] = targets({**results, **out})
    return out


def _gas(ours: dict[str, Any], peers: dict[str, Any]) -> dict[str, Any]:
    """Every gas figure by name: single operations, then per credential (and transactions) by size."""
    g: dict[str, Any] = {
        "floor_single": peers["floor_single"]["gas"],
        "single_anchor": ours["single_anchor"]["gas"],
        "single_revoke": ours["single_revoke"]["gas"],
        "single_suspend": ours["single_suspend"]["gas"],
        "single_reinstate": ours["single_reinstate"]["gas"],
        "oa_issue": peers["oa_issue"]["gas"],
        "oa_revoke": peers["oa_revoke"]["gas"],
        "eas_attest": peers["eas_attest"]["gas"],
        "eas_revoke": peers["eas_revoke"]["gas"],
        "eas_timestamp": peers["eas_timestamp"]["gas"],
    }
    if "single_revoke_same_word" in ours:
        g["single_revoke_same_word"] = ours["single_revoke_same_word"]["gas"]
    for name in (*RECOGNITION, *ACCREDITATION, "rpl_credential", "work_attestation"):  # a run before has none
        if name in ours:
            g[name] = ours[name]["gas"]
    for source in (ours, peers):
        for name, figures in source.items():
            if figures.get("credentials", 1) > 1:
                g[f"{name}_per_credential"] = figures["per_credential"]
                if figures.get("transactions", 1) > 1:
                    g[f"{name}_transactions"] = figures["transactions"]
    return g


def _stand_ins(g: dict[str, Any], ours: dict[str, Any], peers: dict[str, Any], scattered: int) -> dict[str, int]:
    """Fill each headline gas name from the size that was run; the smaller sizes standing in, by name."""
    stand_ins: dict[str, int] = {}
    cohorts = [int(k.split("_")[1]) for k in ours if k.startswith("cohort_")]
    oa_bulk = [int(k.rsplit("_", 1)[1]) for k in peers if k.startswith("oa_bulk_issue_")]
    wanted = {
        "cohort_1000_per_credential": f"cohort_{_nearest(cohorts, 1000)}_per_credential",
        "bulk_revoke_1000_per_credential": f"bulk_revoke_scattered_{scattered}_per_credential",
        "oa_bulk_issue_100_per_credential": f"oa_bulk_issue_{_nearest(oa_bulk, 100)}_per_credential",
    }
    for name, source_key in wanted.items():
        if name != source_key:
            g[name] = g[source_key]
            size = int("".join(c for c in source_key if c.isdigit()))
            if str(size) not in name:  # a smaller size than the name says: a stand-in (smoke runs)
                stand_ins[name] = size
    return stand_ins


def _memory(mem: dict[str, Any], stand_ins: dict[str, int]) -> dict[str, Any]:
    """Peak memory at the two sizes, chunked (the headline) and in one whole call."""
    small, large = sorted({int(k.rsplit("_", 1)[1]) for k in mem})
    # The headline is how `registry verify` runs (files read and verified a slice at a time); one
    # `verify_many` call over every input, which returns every report at once, is kept beside it.
    memory = {
        "peak_10k_mb": mem[f"chunked_{small}"]["peak_rss_mb"],
        "peak_100k_mb": mem[f"chunked_{large}"]["peak_rss_mb"],
        "ratio": round(mem[f"chunked_{large}"]["peak_rss_mb"] / mem[f"chunked_{small}"]["peak_rss_mb"], 3),
        "whole_call_peak_10k_mb": mem[f"whole_{small}"]["peak_rss_mb"],
        "whole_call_peak_100k_mb": mem[f"whole_{large}"]["peak_rss_mb"],
    }
    memory["whole_call_ratio"] = round(memory["whole_call_peak_100k_mb"] / memory["whole_call_peak_10k_mb"], 3)
    if (small, large) != (10_000, 100_000):
        stand_ins["memory.peak_10k_mb"], stand_ins["memory.peak_100k_mb"] = small, large
    return memory


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    g, v, m = r["gas"], r["verify"], r["memory"]

    def at_most(name: str, measured: float, limit: float, unit: str, strict: bool = False) -> dict[str, Any]:
        met = measured < limit if strict else measured <= limit
        return {
            "target": name,
            "measured": measured,
            "limit": limit,
            "unit": unit,
            "met": met,
            "margin": round(measured - limit, 4),
            "margin_pct": round(100 * (measured - limit) / limit, 1),
        }

    def at_least(name: str, measured: float, limit: float, unit: str) -> dict[str, Any]:
        row = at_most(name, measured, limit, unit)
        row["met"] = measured >= limit
        return row

    def valid_only(row: dict[str, Any], problem: str | None) -> dict[str, Any]:
        # A figure from a verification that did not reach its verdicts measures nothing: never "met".
        if problem:
            row.update(met=False, invalid=problem)
        return row

    mem = r["memory_detail"]
    incomplete = [
        f"{row['credentials']:,} ({row['mode']})"
        for row in mem.values()
        if not completed(row) and row["mode"] == "whole"
    ]
    verify_problem = (
        None if v["verdicts_as_expected"] else f"verdicts {v['verdicts']} (expected {v['expected_verdicts']})"
    )
    memory_problem = f"verification did not complete for {', '.join(incomplete)}" if incomplete else None
    logbook = (
        [at_most("logbook day anchor: gas per entry <= 10", r["logbook"]["day"]["gas_per_entry"], 10, "gas")]
        if "logbook" in r
        else []
    )
    return [
        at_most("single anchor < OA issue", g["single_anchor"], g["oa_issue"], "gas", strict=True),
        at_most("single revocation < OA revoke", g["single_revoke"], g["oa_revoke"], "gas", strict=True),
        at_most("single anchor < 47,000 (issue 4)", g["single_anchor"], 47_000, "gas", strict=True),
        at_most("single revocation < 47,000 (issue 4)", g["single_revoke"], 47_000, "gas", strict=True),
        at_most("cohort of 1,000: gas per credential <= 50", g["cohort_1000_per_credential"], 50, "gas"),
        at_most(
            "revoking 1,000 in one tx: gas per credential <= 1,500", g["bulk_revoke_1000_per_credential"], 1_500, "gas"
        ),
        valid_only(at_least("verification >= 0.6 x signature-only rate", v["ratio"], 0.6, "ratio"), verify_problem),
        at_most("cold start of `registry verify` <= 0.6 s", r["cold_start_s"], 0.6, "s"),
        valid_only(at_most("peak memory 100k <= 1.2 x 10k", m["ratio"], 1.2, "ratio"), memory_problem),
        *logbook,
    ]


def completed(row: dict[str, Any]) -> bool:
    return bool(row.get("completed", "could not determine" not in row["verdicts"]))


def target_lines(results: dict[str, Any]) -> list[str]:
    return [
        f"{'MET   ' if t['met'] else 'MISSED'} {t['target']}: {t['measured']} (limit {t['limit']})"
        + (f" INVALID: {t['invalid']}" if t.get("invalid") else "")
        for t in results["targets"]
    ]


# Each way of recording a batch of credentials: its label, whose figures it is ("ours" or "peers"),
# the prefix of its figures by size, and the single operation it is at N = 1.
WAYS = (
    ("ours: anchorCohort (Merkle root)", "ours", "cohort_", "single_anchor"),
    ("OpenAttestation: bulkIssue (one hash each)", "peers", "oa_bulk_issue_", "oa_issue"),
    ("OpenAttestation: issue(Merkle root)", "peers", "oa_merkle_batch_", "oa_issue"),
    ("EAS: multiAttest", "peers", "eas_multi_attest_", "eas_attest"),
    ("EAS: multiTimestamp", "peers", "eas_multi_timestamp_", "eas_timestamp"),
    ("EAS: timestamp(Merkle root)", "peers", "eas_timestamp_root_", "eas_timestamp"),
)


def series(results: dict[str, Any]) -> dict[str, list[tuple[int, float]]]:
    """Gas per credential against batch size, for each way of recording a batch; measured points only."""

    def sized(source: dict[str, Any], prefix: str) -> list[tuple[int, float]]:
        points = []
        for name, figures in source.items():
            tail = name.removeprefix(prefix)
            if name.startswith(prefix) and tail.isdigit():
                points.append((int(tail), float(figures["per_credential"])))
        return sorted(points)

    detail = results["gas_detail"]
    return {
        label: [(1, detail[whose][single]["gas"]), *sized(detail[whose], prefix)]
        for label, whose, prefix, single in WAYS
    }
