"""Turn one run's measurements into performance.json, PERFORMANCE.md and the gas plot.

Nothing here measures or adjusts anything: every number printed comes from the run's results,
and every target verdict is computed from them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COMMAND = "make bench"
RAW_COMMAND = ".venv/bin/python scripts/bench/run.py"
SERVICE_DOC = Path(__file__).resolve().parents[2] / "docs" / "PERFORMANCE-service.md"
SERVICE_HEADING = "## Registry service (`registry serve`)"
REQUESTS_DOC = SERVICE_DOC.with_name("PERFORMANCE-requests.md")
REQUESTS_HEADING = "## JSON-RPC requests, whatever the history"


def _kept_section(path: Path, heading: str, intro: str) -> list[str]:
    """A section kept in its own file under docs/ and copied in whenever this document is generated."""
    try:
        body = path.read_text().strip()
    except OSError:
        return [heading, "", intro, "", f"(docs/{path.name} is missing.)", ""]
    return [heading, "", intro, "", body.removeprefix(heading).strip(), ""]


def service_section() -> list[str]:
    """The service's load benchmark, copied in from docs/PERFORMANCE-service.md.

    It runs on its own (`scripts/bench/load_service.py`): a server under load needs the cores to
    itself, so it is not part of this run; its figures are kept in that file and copied here
    whenever this document is generated, so PERFORMANCE.md reports every benchmark."""
    intro = (
        "Measured separately with `scripts/bench/load_service.py` (a server under load needs the cores to itself); "
        "kept in `docs/PERFORMANCE-service.md` and copied here when this file is generated."
    )
    return _kept_section(SERVICE_DOC, SERVICE_HEADING, intro)


def requests_section() -> list[str]:
    """JSON-RPC requests per verification whatever the history, counted by the proxy test
    (tests/e2e/test_request_counts.py): kept in docs/PERFORMANCE-requests.md."""
    intro = (
        "Counted by a proxy in front of anvil (`tests/e2e/test_request_counts.py`, run on its own); kept in "
        "`docs/PERFORMANCE-requests.md` and copied here when this file is generated."
    )
    return _kept_section(REQUESTS_DOC, REQUESTS_HEADING, intro)


# The keys issue 7 names, as paths into performance.json (the test checks they exist).
REQUIRED_KEYS = (
    "gas.floor_single",
    "gas.single_anchor",
    "gas.single_revoke",
    "gas.cohort_1000_per_credential",
    "gas.bulk_revoke_1000_per_credential",
    "gas.oa_issue",
    "gas.oa_revoke",
    "gas.oa_bulk_issue_100_per_credential",
    "gas.eas_attest",
    "gas.eas_timestamp",
    "verify.rate_per_s",
    "verify.signature_only_rate_per_s",
    "issue.rate_per_s",
    "issue.signature_only_rate_per_s",
    "cold_start_s",
    "memory.peak_10k_mb",
    "memory.peak_100k_mb",
)


def _nearest(available: Sequence[int], wanted: int) -> int:
    return min(available, key=lambda n: (abs(n - wanted), -n))


def headline(results: dict[str, Any], headline_cohort: int, scattered: int) -> dict[str, Any]:
    """The flat figures issue 7 asks for, plus every per-credential figure by size.

    In a smoke run the sizes are smaller; each headline name is then filled from the nearest size
    that was run, and meta.stand_ins says which.
    """
    ours = results["gas_detail"]["ours"]
    peers = results["gas_detail"]["peers"]
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
    for source in (ours, peers):
        for name, figures in source.items():
            if figures.get("credentials", 1) > 1:
                g[f"{name}_per_credential"] = figures["per_credential"]
                if figures.get("transactions", 1) > 1:
                    g[f"{name}_transactions"] = figures["transactions"]
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
    del headline_cohort
    mem = results["memory_detail"]
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
    results["meta"]["stand_ins"] = stand_ins
    out = {
        "gas": dict(sorted(g.items())),
        "cold_start_s": results["cold_start"]["verify"]["median_s"],
        "memory": memory,
    }
    out["targets"] = targets({**results, **out})
    return out


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
        if not _completed(row) and row["mode"] == "whole"
    ]
    verify_problem = (
        None if v["verdicts_as_expected"] else f"verdicts {v['verdicts']} (expected {v['expected_verdicts']})"
    )
    memory_problem = f"verification did not complete for {', '.join(incomplete)}" if incomplete else None
    return [
        at_most("single anchor < OA issue", g["single_anchor"], g["oa_issue"], "gas", strict=True),
        at_most("single revocation < OA revoke", g["single_revoke"], g["oa_revoke"], "gas", strict=True),
        at_most("single anchor < 47,000 (issue 4)", g["single_anchor"], 47_000, "gas", strict=True),
        at_most("single revocation < 47,000 (issue 4)", g["single_revoke"], 47_000, "gas", strict=True),
        at_most("cohort of 1,000: gas per credential <= 50", g["cohort_1000_per_credential"], 50, "gas"),
        at_most(
            "revoking 1,000 in one tx: gas per credential <= 1,500", g["bulk_revoke_1000_per_credential"], 1_500, "gas"
        ),
        valid_only(at_least("verification >= 0.7 x signature-only rate", v["ratio"], 0.7, "ratio"), verify_problem),
        at_most("cold start of `registry verify` <= 1.0 s", r["cold_start_s"], 1.0, "s"),
        valid_only(at_most("peak memory 100k <= 1.2 x 10k", m["ratio"], 1.2, "ratio"), memory_problem),
    ]


def _completed(row: dict[str, Any]) -> bool:
    return bool(row.get("completed", "could not determine" not in row["verdicts"]))


def target_lines(results: dict[str, Any]) -> list[str]:
    return [
        f"{'MET   ' if t['met'] else 'MISSED'} {t['target']}: {t['measured']} (limit {t['limit']})"
        + (f" INVALID: {t['invalid']}" if t.get("invalid") else "")
        for t in results["targets"]
    ]


# -- files ---------------------------------------------------------------------------------------


def write_all(results: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "performance.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    plot(results, out_dir / "gas-per-credential.png")
    (out_dir / "PERFORMANCE.md").write_text(markdown(results))


def series(results: dict[str, Any]) -> dict[str, list[tuple[int, float]]]:
    """Gas per credential against batch size, for each way of recording a batch; measured points only."""
    ours = results["gas_detail"]["ours"]
    peers = results["gas_detail"]["peers"]

    def sized(source: dict[str, Any], prefix: str) -> list[tuple[int, float]]:
        points = []
        for name, figures in source.items():
            tail = name.removeprefix(prefix)
            if name.startswith(prefix) and tail.isdigit():
                points.append((int(tail), float(figures["per_credential"])))
        return sorted(points)

    return {
        "ours: anchorCohort (Merkle root)": [(1, ours["single_anchor"]["gas"]), *sized(ours, "cohort_")],
        "OpenAttestation: bulkIssue (one hash each)": [(1, peers["oa_issue"]["gas"]), *sized(peers, "oa_bulk_issue_")],
        "OpenAttestation: issue(Merkle root)": [(1, peers["oa_issue"]["gas"]), *sized(peers, "oa_merkle_batch_")],
        "EAS: multiAttest": [(1, peers["eas_attest"]["gas"]), *sized(peers, "eas_multi_attest_")],
        "EAS: multiTimestamp": [(1, peers["eas_timestamp"]["gas"]), *sized(peers, "eas_multi_timestamp_")],
        "EAS: timestamp(Merkle root)": [(1, peers["eas_timestamp"]["gas"]), *sized(peers, "eas_timestamp_root_")],
    }


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


def _n(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        # Ratios and seconds are small: keep their significant digits; gas per credential keeps one decimal.
        return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    return f"{int(value):,}"


def _x(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "—"


def _per(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "—"
    text = _n(figures["per_credential"])
    if figures.get("transactions", 1) > 1:
        text += f" ({figures['transactions']} tx)"
    return text


def markdown(r: dict[str, Any]) -> str:
    meta, g, ours, peers = r["meta"], r["gas"], r["gas_detail"]["ours"], r["gas_detail"]["peers"]
    m = meta["machine"]
    floor = g["floor_single"]
    reproduce = f"Reproduce: `{COMMAND}` (runs `{RAW_COMMAND}`; writes this file, `performance.json` and the plot)."
    lines: list[str] = ["# Performance", ""]
    if meta["mode"] == "smoke":
        lines += ["> **SMOKE RUN**: tiny sizes to keep the benchmark from rotting. These are not results.", ""]
    lines += [
        f"Generated by `{COMMAND}` on {meta['started']} in {meta['seconds']} s: one anvil "
        f"({meta['chain']['client']}, block gas limit {meta['chain']['block_gas_limit']:,}, EIP-7825 cap of "
        f"{meta['chain']['tx_gas_cap']:,} gas per transaction enforced), our contracts, the peers' contracts "
        "as their npm packages ship them, and a floor contract, all measured in the same run. Gas is the "
        "receipt's `gasUsed`. Every figure below is in `docs/performance.json`.",
        "",
        reproduce,
        "",
        "## Targets (issues 4 and 7)",
        "",
        "| target | measured | limit | verdict |",
        "|---|---:|---:|---|",
    ]
    for t in r["targets"]:
        verdict = "met" if t["met"] else f"**missed** by {_n(abs(t['margin']))} {t['unit']} ({t['margin_pct']:+}%)"
        if t.get("invalid"):
            verdict = f"**not validly measured**: {t['invalid']}"
        lines.append(f"| {t['target']} | {_n(t['measured'])} | {_n(t['limit'])} | {verdict} |")
    v = r["verify"]
    ratio_missed = any(not t["met"] and t["target"].startswith("verification") for t in r["targets"])
    if ratio_missed and "ceiling_ratio" in v:
        lines += [
            "",
            f"On the verification ratio: the baseline is `jwt.verify` alone on tokens parsed beforehand, "
            f"{_n(v['signature_only_rate_per_s'])} /s here (one ES256 check). Merely *reading* each credential, "
            f"with nothing checked (the holder file's JSON, the payload's base64url and JSON, its hash; "
            f"`_reading_floor` in `scripts/bench/throughput.py`), runs at {_n(v['reading_floor_rate_per_s'])} /s, "
            f"so no verifier in this process that reads what it verifies can exceed a ratio of "
            f"**{v['ceiling_ratio']}** before it checks a single claim, proof or chain answer. The verifier is "
            f"at {v['ratio']} of signature-only and {round(v['ratio'] / v['ceiling_ratio'], 2)} of that ceiling; "
            "the per-function profile below shows where the rest goes.",
        ]
    lines += [
        "",
        "## Machine",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; load average {_load(meta)}; {m['os']}; "
        f"Python {m['python']} "
        f"(cryptography {m['cryptography']}); node {m['node']}; {m['hyperfine']}; anvil runs its default (latest) "
        "hardfork.",
        "",
        "Measured: " + ", ".join(f"`{v}`" for v in dict.fromkeys(meta["packages"].values())) + ".",
        "",
        "## Gas: one credential",
        "",
        reproduce,
        "",
        "| operation | gas | x floor | vs OpenAttestation | vs EAS |",
        "|---|---:|---:|---:|---:|",
        f"| floor: one fresh slot (`Floor.record`) | {_n(floor)} | 1.00x | | |",
        f"| **ours: anchor one credential** (`anchor`) | {_n(g['single_anchor'])} | {_x(g['single_anchor'], floor)} "
        f"| {_x(g['single_anchor'], g['oa_issue'])} of `issue` | {_x(g['single_anchor'], g['eas_attest'])} of "
        f"`attest`, {_x(g['single_anchor'], g['eas_timestamp'])} of `timestamp` |",
        f"| OpenAttestation `issue` | {_n(g['oa_issue'])} | {_x(g['oa_issue'], floor)} | | |",
        f"| EAS `attest` | {_n(g['eas_attest'])} | {_x(g['eas_attest'], floor)} | | |",
        f"| EAS `timestamp` | {_n(g['eas_timestamp'])} | {_x(g['eas_timestamp'], floor)} | | |",
        f"| **ours: revoke one credential** (`setStatus`, fresh status word) | {_n(g['single_revoke'])} | "
        f"{_x(g['single_revoke'], floor)} | {_x(g['single_revoke'], g['oa_revoke'])} of `revoke` | "
        f"{_x(g['single_revoke'], g['eas_revoke'])} of `revoke` |",
    ]
    if "single_revoke_same_word" in g:
        lines.append(
            f"| ours: revoke one more in a word already written | {_n(g['single_revoke_same_word'])} | "
            f"{_x(g['single_revoke_same_word'], floor)} | | |"
        )
    lines += [
        f"| OpenAttestation `revoke` | {_n(g['oa_revoke'])} | {_x(g['oa_revoke'], floor)} | | |",
        f"| EAS `revoke` | {_n(g['eas_revoke'])} | {_x(g['eas_revoke'], floor)} | | |",
        f"| ours: suspend one (`setStatus`, suspension list) | {_n(g['single_suspend'])} | "
        f"{_x(g['single_suspend'], floor)} | | |",
        f"| ours: reinstate it (`updateStatus`, clear) | {_n(g['single_reinstate'])} | "
        f"{_x(g['single_reinstate'], floor)} | | |",
        "",
        "## Gas per credential by batch size",
        "",
        reproduce,
        "",
        "![gas per credential](gas-per-credential.png)",
        "",
    ]
    table = series(r)
    sizes = sorted({n for points in table.values() for n, _ in points})
    header = "| way of recording N credentials | " + " | ".join(f"N = {n:,}" for n in sizes) + " |"
    lines += [header, "|---|" + "---:|" * len(sizes)]
    detail = {
        "ours: anchorCohort (Merkle root)": (ours, "cohort_"),
        "OpenAttestation: bulkIssue (one hash each)": (peers, "oa_bulk_issue_"),
        "OpenAttestation: issue(Merkle root)": (peers, "oa_merkle_batch_"),
        "EAS: multiAttest": (peers, "eas_multi_attest_"),
        "EAS: multiTimestamp": (peers, "eas_multi_timestamp_"),
        "EAS: timestamp(Merkle root)": (peers, "eas_timestamp_root_"),
    }
    for label, points in table.items():
        source, prefix = detail[label]
        cells = []
        for n in sizes:
            if n == 1:
                cells.append(_n(dict(points).get(1)))
            else:
                cells.append(_per(source.get(f"{prefix}{n}")))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| floor: one slot per credential | " + " | ".join(_n(floor) for _ in sizes) + " |")
    head = r["gas"]["cohort_1000_per_credential"]
    lines += [
        "",
        f"Ratios at the headline cohort: ours {_n(head)} gas per credential, "
        f"{_x(g.get('oa_bulk_issue_1000_per_credential', g['oa_bulk_issue_100_per_credential']), head)} cheaper "
        "than OpenAttestation's `bulkIssue` at the same size, "
        f"{_x(floor, head)} below the one-slot floor. A Merkle root costs the same for anyone who anchors one "
        "(OpenAttestation's `issue(root)`, EAS `timestamp(root)`): the difference there is what the verifier can "
        'check, not gas. "(k tx)" marks an operation that had to be split into k transactions to stay under the '
        "per-transaction cap.",
        "",
        "## Gas: revoking, suspending and reinstating in bulk",
        "",
        reproduce,
        "",
        "| operation | credentials | transactions | status words | gas | per credential |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, figures in ours.items():
        if name.startswith(("bulk_", "single_suspend", "single_reinstate")):
            lines.append(
                f"| ours: {name.replace('_', ' ')} | {_n(figures['credentials'])} | {figures['transactions']} | "
                f"{figures.get('words', 1)} | {_n(figures['gas'])} | {_n(figures['per_credential'])} |"
            )
    for name, figures in peers.items():
        if "revoke_" in name:
            who = "OpenAttestation" if name.startswith("oa_") else "EAS"
            lines.append(
                f"| {who}: {name.split('_', 1)[1].replace('_', ' ')} | {_n(figures['credentials'])} | "
                f"{figures['transactions']} | | {_n(figures['gas'])} | {_n(figures['per_credential'])} |"
            )
    lines += [
        "",
        "The headline `gas.bulk_revoke_1000_per_credential` is the scattered case: credentials picked at random "
        "across a cohort ten times larger, so every status word of that cohort is touched (the most words a "
        "revocation of that many credentials of one cohort can touch). Revoking a whole cohort touches only its own "
        "⌈N/224⌉ words and costs less.",
        "",
    ]
    lines += _throughput_sections(r, reproduce)
    lines += _method_notes(r)
    lines += ["", *requests_section(), *service_section()]
    return "\n".join(lines)


def _throughput_sections(r: dict[str, Any], reproduce: str) -> list[str]:
    i, v, c, mem = r["issue"], r["verify"], r["cold_start"], r["memory_detail"]
    as_expected = "yes" if v["verdicts_as_expected"] else "NO, expected " + _verdicts(v["expected_verdicts"])
    lines = [
        "## Issuance throughput",
        "",
        reproduce,
        "",
        "| measure | value |",
        "|---|---:|",
        f"| cohort signed, Merkle-rooted and anchored (`Issuer.issue_cohort`) | {_n(i['credentials'])} credentials "
        f"in {i['seconds']} s |",
        f"| issuance rate | {_n(i['rate_per_s'])} /s |",
        f"| ES256 signature-only rate (same inputs, same process) | {_n(i['signature_only_rate_per_s'])} /s |",
        f"| ratio issuance / signature-only | {i['ratio']} |",
        f"| time building and signing credentials | {i['phase_build_and_sign_s']} s |",
        f"| time for the tree, proofs and the anchoring transaction | {i['phase_tree_proofs_anchor_s']} s |",
        "",
        "## Verification throughput and latency",
        "",
        reproduce,
        "",
        "| measure | value |",
        "|---|---:|",
        f"| credentials, {v.get('shape', 'one `Verifier.verify_many` call')} | {_n(v['credentials'])} "
        f"({_verdicts(v['verdicts'])}) |",
        *_single_call_row(v),
        f"| verdicts as expected | {as_expected} |",
        f"| verification rate | {_n(v['rate_per_s'])} /s ({v['seconds']} s) |",
        f"| JWT signature-only rate (`jwt.verify`, same tokens, same process) | "
        f"{_n(v['signature_only_rate_per_s'])} /s |",
        f"| **ratio verification / signature-only** (target ≥ 0.7) | **{v['ratio']}** |",
        *(
            [
                f"| for context: parse + signature rate (`jwt.parse` then `jwt.verify`) | "
                f"{_n(v['parse_and_signature_rate_per_s'])} /s (ratio {v['ratio_to_parse_and_signature']}) |"
            ]
            if "parse_and_signature_rate_per_s" in v
            else []
        ),
        *(
            [
                f"| reading floor: holder JSON + payload base64url + payload JSON + hash, nothing checked | "
                f"{_n(v['reading_floor_rate_per_s'])} /s |",
                f"| ceiling of the ratio for any verifier that reads what it verifies: signature time / "
                f"(signature time + reading-floor time) | {v['ceiling_ratio']} |",
            ]
            if "reading_floor_rate_per_s" in v
            else []
        ),
        f"| JSON-RPC round trips during the batch | {v['rpc']['request']} single requests + "
        f"{v['rpc']['batch']} batches ({v['rpc']['batched_requests']} requests in them) |",
        *_request_rows(r),
        f"| latency, one credential per call: median / p95 / max ({v['latency_single_ms']['samples']} samples) | "
        f"{v['latency_single_ms']['p50']} / {v['latency_single_ms']['p95']} / {v['latency_single_ms']['max']} ms |",
        "",
    ]
    prof = r["verify_profile"]
    lines += [
        f"Where the time goes (cProfile of `verify_many` over {_n(prof['credentials'])} of the same credentials, "
        f"{prof['wall_s']} s under the profiler; cumulative time, so nested rows overlap):",
        "",
        "| function | calls | cumulative s | share |",
        "|---|---:|---:|---:|",
    ]
    for name, row in sorted(prof["functions"].items(), key=lambda kv: kv[1]["cumulative_s"], reverse=True):
        lines.append(f"| `{name}` | {_n(row['calls'])} | {row['cumulative_s']} | {row['share'] * 100:.0f}% |")
    verify_cold, python = c["verify"], c["python_startup"]
    lines += [
        "",
        "## Cold start",
        "",
        reproduce,
        "",
        f"`{c['command']}` on one single-anchored credential, whole process, {verify_cold['method']}, "
        f"{verify_cold['runs']} runs after {verify_cold.get('warmup', 2)} warm-ups:",
        "",
        "| process | median | min | max |",
        "|---|---:|---:|---:|",
        f"| `registry verify FILE` | {verify_cold['median_s']} s | {verify_cold['min_s']} s | "
        f"{verify_cold['max_s']} s |",
        f"| `python -c pass` (the interpreter alone) | {python['median_s']} s | {python['min_s']} s | "
        f"{python['max_s']} s |",
        "",
        "Slowest top-level imports of one run (`python -X importtime`, cumulative):",
        "",
        "| module | ms |",
        "|---|---:|",
        *[f"| `{row['module']}` | {row['cumulative_ms']} |" for row in c["top_imports"]],
        "",
        "## Peak memory",
        "",
        reproduce,
        "",
        "One child process per measurement; peak RSS (VmHWM) of the whole process. *chunked*: `verify_many` over "
        "consecutive slices, keeping only the verdict counts (the shape of `registry verify DIR`, which reads, "
        "verifies and prints 500 files at a time; the slices here are the size the table names); *whole*: one "
        "`verify_many` call over every input, which returns every report at once (a library caller's choice).",
        "",
        "| input | shape | baseline MB | peak MB | seconds | verdicts | completed |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in sorted(mem.values(), key=lambda row: (row["mode"] != "whole", row["credentials"])):
        lines.append(
            f"| {_n(row['credentials'])} credentials | {row['mode']} | {row['baseline_rss_mb']} | "
            f"{row['peak_rss_mb']} | {row['seconds']} | {_verdicts(row['verdicts'])} | "
            f"{'yes' if _completed(row) else '**no**'} |"
        )
    mm = r["memory"]
    lines += [
        "",
        f"Ratio 100k / 10k: chunked, as `registry verify` runs, {mm['ratio']} (target ≤ 1.2); one whole "
        f"`verify_many` call {mm['whole_call_ratio']}.",
        "",
    ]
    return lines


def _request_rows(r: dict[str, Any]) -> list[str]:
    """JSON-RPC requests per credential (a batch's elements counted one by one), and the directory
    of many issuers verified a slice at a time (scripts/bench/directory.py)."""
    v, d = r["verify"], r.get("directory")
    rows = []
    if "requests_per_credential" in v:
        rows.append(f"| JSON-RPC requests per credential (batch elements counted) | {v['requests_per_credential']} |")
    if d:
        rows.append(
            f"| a directory of {_n(d['credentials'])} credentials from {d['issuers']} issuers, slices of "
            f"{d['slice']}: JSON-RPC requests (round trips) | {_n(d['requests'])} ({_n(d['round_trips'])}), "
            f"{d['requests_per_credential']} per credential, {_n(d['rate_per_s'])} /s; "
            f"before issue #12: {_n(d['before']['requests'])} |"
        )
    return rows


def _single_call_row(v: dict[str, Any]) -> list[str]:
    single = v.get("single_call")
    if not single:
        return []
    outcome = "as expected" if single["as_expected"] else f"**not as expected**: {single['error'] or 'wrong verdicts'}"
    return [
        f"| the same credentials in one `verify_many` call over every input (as a library caller may do; "
        f"`registry verify DIR` works 500 files at a time) | "
        f"{_n(single['rate_per_s'])} /s; {_verdicts(single['verdicts'])}; {outcome} |"
    ]


def _load(meta: dict[str, Any]) -> str:
    """Load average (1, 5, 15 min) at the start and the end: timings from a busy machine say so."""
    start, end = meta.get("load_average_start"), meta.get("load_average_end")
    if not start or not end:
        return "not recorded"
    return f"{' / '.join(map(str, start))} at the start, {' / '.join(map(str, end))} at the end"


def _verdicts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {k}" for k, n in counts.items())


def _method_notes(r: dict[str, Any]) -> list[str]:
    sizes = r["meta"]["sizes"]
    notes = [
        "## How it is measured",
        "",
        "- One anvil started by the script on a free port (stopped at the end), EIP-7825's per-transaction cap "
        "enforced (`--enable-tx-gas-limit`). A bulk operation that does not fit is split into the fewest "
        "near-equal chunks that do, and its figure is the sum over them with the transaction count shown.",
        "- Peers: OpenAttestation's `DocumentStore` bytecode and ABI from the typechain factory in "
        "`@govtechsg/document-store`; EAS's `SchemaRegistry` and `EAS` from the hardhat artifacts in "
        "`@ethereum-attestation-service/eas-contracts`. Nothing recompiled. The EAS schema is `bytes32 "
        "credentialHash`, no resolver, revocable; attestations have no recipient and no expiry.",
        "- The floor (`scripts/bench/contracts/Floor.sol`) is compiled by our pinned solc with our settings.",
        "- Our figures go through the code users run: `Issuer.issue_single`, `Issuer.issue_cohort`, "
        "`Issuer.change_status` (`setStatus` to set one credential's bit, `updateStatus` for several or to clear). "
        "Single "
        "credentials for the verification input are signed by the issuer's own draft code and anchored back to back "
        "(the same `anchor` call, without waiting for each receipt) to keep setup short.",
        f"- Verification input: {sizes['singles']:,} single-anchored credentials, every member of the smaller "
        "cohorts, the rest from the issuance cohort; "
        f"{sizes['revoked_share'] * 100:g}% revoked (singles and cohort members). The issuer is a TI accredited by a "
        "TAO accredited by a Root TAO, so every check the verifier makes (signature, key validity, anchor, status, "
        "accreditation chain) runs.",
        "- Signature-only rates are measured on the very same tokens in the same process just before (verification) "
        "or just after (issuance) the measured run: `jwt.verify` on already-parsed tokens; "
        "`jwt.create_signature` on the same signing inputs.",
        f"- Memory: the {sizes['memory'][1]:,}-credential input is {sizes['memory'][1] // max(sizes['cohorts']):,} "
        f"cohort(s) of {max(sizes['cohorts']):,} distinct credentials, every one signed and anchored: the issuance "
        "cohort (with its scattered revocations) first, then fresh cohorts built like `issue_cohort` builds them "
        f"(see `World.fast_cohort`); the {sizes['memory'][0]:,}-credential input is its first "
        f"{sizes['memory'][0]:,} lines. Inputs are JSON lines, one holder file each. The whole and the chunked "
        "child for one size run side by side (peak RSS is per process; their seconds are then informative only).",
    ]
    stand_ins = r["meta"].get("stand_ins")
    if stand_ins:
        notes.append(
            "- Stand-ins (smaller sizes than the names say, smoke run only): "
            + ", ".join(f"`{k}` from N = {v:,}" for k, v in stand_ins.items())
        )
    return notes
