"""The sections of PERFORMANCE.md about runs rather than gas: issuance and verification throughput,
where verification's time goes, cold start, peak memory, and how it all is measured."""

from __future__ import annotations

from typing import Any

from scripts.bench.report import logbook
from scripts.bench.report.figures import completed
from scripts.bench.report.format import number, verdicts


def sections(r: dict[str, Any], reproduce: str) -> list[str]:
    """Every run section, in the document's order."""
    return [
        *issuance(r["issue"], reproduce),
        *verification(r["verify"], reproduce, r.get("directory")),
        *sampled(r.get("verify_sampled"), r["verify"]),
        *profile(r["verify_profile"]),
        *cold_start(r["cold_start"], reproduce),
        *memory(r, reproduce),
        *logbook.section(r.get("logbook"), reproduce),
    ]


def issuance(i: dict[str, Any], reproduce: str) -> list[str]:
    """One cohort signed, rooted and anchored, against signing alone."""
    return [
        "## Issuance throughput",
        "",
        reproduce,
        "",
        "| measure | value |",
        "|---|---:|",
        f"| cohort signed, Merkle-rooted and anchored (`Issuer.issue_cohort`) | {number(i['credentials'])} credentials "
        f"in {i['seconds']} s |",
        f"| issuance rate | {number(i['rate_per_s'])} /s |",
        f"| ES256 signature-only rate (same inputs, same process) | {number(i['signature_only_rate_per_s'])} /s |",
        f"| ratio issuance / signature-only | {i['ratio']} |",
        f"| time building and signing credentials | {i['phase_build_and_sign_s']} s |",
        f"| time for the tree, proofs and the anchoring transaction | {i['phase_tree_proofs_anchor_s']} s |",
        "",
    ]


def verification(v: dict[str, Any], reproduce: str, directory: dict[str, Any] | None = None) -> list[str]:
    """Verification's rate against the signature-only rate, its round trips and latency."""
    as_expected = "yes" if v["verdicts_as_expected"] else "NO, expected " + verdicts(v["expected_verdicts"])
    return [
        "## Verification throughput and latency",
        "",
        reproduce,
        "",
        "| measure | value |",
        "|---|---:|",
        f"| credentials, {v.get('shape', 'one `Verifier.verify_many` call')} | {number(v['credentials'])} "
        f"({verdicts(v['verdicts'])}) |",
        *_single_call_row(v),
        f"| verdicts as expected | {as_expected} |",
        f"| verification rate | {number(v['rate_per_s'])} /s ({v['seconds']} s) |",
        f"| JWT signature-only rate (`jwt.verify`, same tokens, same process) | "
        f"{number(v['signature_only_rate_per_s'])} /s |",
        f"| **ratio verification / signature-only** (target ≥ 0.6) | **{v['ratio']}** |",
        *_context_rows(v),
        f"| JSON-RPC round trips during the batch | {v['rpc']['request']} single requests + "
        f"{v['rpc']['batch']} batches ({v['rpc']['batched_requests']} requests in them) |",
        *_request_rows(v, directory),
        f"| latency, one credential per call: median / p95 / max ({v['latency_single_ms']['samples']} samples) | "
        f"{v['latency_single_ms']['p50']} / {v['latency_single_ms']['p95']} / {v['latency_single_ms']['max']} ms |",
        "",
    ]


def _context_rows(v: dict[str, Any]) -> list[str]:
    """The rates that put the ratio in context, when the run measured them."""
    rows = []
    if "parse_and_signature_rate_per_s" in v:
        rows.append(
            f"| for context: parse + signature rate (`jwt.parse` then `jwt.verify`) | "
            f"{number(v['parse_and_signature_rate_per_s'])} /s (ratio {v['ratio_to_parse_and_signature']}) |"
        )
    if "issuers_read_per_slice_rate_per_s" in v:
        rows.append(
            "| for context: the same slices, by a verifier that reads every issuer's DID document and "
            "accreditation chain again for each slice (how this bench measured before issue #12) | "
            f"{number(v['issuers_read_per_slice_rate_per_s'])} /s |"
        )
    if "reading_floor_rate_per_s" in v:
        rows += [
            f"| reading floor: holder JSON + payload base64url + payload JSON + hash, nothing checked | "
            f"{number(v['reading_floor_rate_per_s'])} /s |",
            f"| ceiling of the ratio for any verifier that reads what it verifies: signature time / "
            f"(signature time + reading-floor time) | {v['ceiling_ratio']} |",
        ]
    if "checks_floor_rate_per_s" in v:
        rows += [
            f"| checks floor: the reading floor + the schema ({_schema_way(v)}) + the cohort proof (keccak, "
            f"memo across the batch), nothing else checked or recorded | {number(v['checks_floor_rate_per_s'])} /s |",
            f"| ratio a verifier would reach if all its other checks (claims, key, anchor, status, "
            f"accreditation, report) cost nothing | {v['checks_ceiling_ratio']} |",
        ]
    if "collector" in v:
        c = v["collector"]
        rows.append(
            f"| cyclic garbage collector during the timed slices (the harness's objects frozen out) | "
            f"{c['runs']} runs, {c['seconds']} s |"
        )
    return rows


def sampled(samples: dict[str, Any] | None, v: dict[str, Any]) -> list[str]:
    """Where verification's CPU time goes, by part of the work (sampled: nested work counted once)."""
    if not samples:
        return []
    lines = [
        f"Where the CPU time goes, by part of the work (`scripts/bench/sampling.py`: the stack read every "
        f"millisecond of CPU time while the same slices were verified again, {number(samples['credentials'])} "
        f"credentials, {number(samples['samples'])} samples; each sample counted once, in the innermost part "
        f"it falls in). Beside it, per credential at this run's verification rate "
        f"({number(v['rate_per_s'])} /s):",
        "",
        "| part | share | µs per credential |",
        "|---|---:|---:|",
    ]
    per_credential = 1e6 / v["rate_per_s"]
    for part, share in samples["parts"].items():
        lines.append(f"| {part} | {share * 100:.1f}% | {number(round(share * per_credential, 1))} |")
    return [*lines, ""]


def profile(prof: dict[str, Any]) -> list[str]:
    """Where verification's time goes, by function (cumulative, so nested rows overlap)."""
    lines = [
        f"Where the time goes (cProfile of `verify_many` over {number(prof['credentials'])} of the same credentials, "
        f"{prof['wall_s']} s under the profiler; cumulative time, so nested rows overlap):",
        "",
        "| function | calls | cumulative s | share |",
        "|---|---:|---:|---:|",
    ]
    for name, row in sorted(prof["functions"].items(), key=lambda kv: kv[1]["cumulative_s"], reverse=True):
        lines.append(f"| `{name}` | {number(row['calls'])} | {row['cumulative_s']} | {row['share'] * 100:.0f}% |")
    return lines


def cold_start(c: dict[str, Any], reproduce: str) -> list[str]:
    """`registry verify` on one credential as a whole process, beside the bare interpreter."""
    verify_cold, python = c["verify"], c["python_startup"]
    return [
        "",
        "## Cold start",
        "",
        reproduce,
        "",
        f"`{c['command']}` on one single-anchored credential, whole process, {verify_cold['method']}, "
        f"{verify_cold['runs']} runs after {verify_cold.get('warmup', 2)} warm-ups; the registry package's "
        f"bytecode: {c.get('bytecode', 'not recorded')}:",
        "",
        "| process | median | min | max | CPU (user + system) |",
        "|---|---:|---:|---:|---:|",
        f"| `registry verify FILE` | {verify_cold['median_s']} s | {verify_cold['min_s']} s | "
        f"{verify_cold['max_s']} s | {_cpu(verify_cold)} |",
        f"| `python -c pass` (the interpreter alone) | {python['median_s']} s | {python['min_s']} s | "
        f"{python['max_s']} s | {_cpu(python)} |",
        "",
        "Slowest top-level imports of one run (`python -X importtime`, cumulative):",
        "",
        "| module | ms |",
        "|---|---:|",
        *[f"| `{row['module']}` | {row['cumulative_ms']} |" for row in c["top_imports"]],
        "",
    ]


def _cpu(timed: dict[str, Any]) -> str:
    return f"{timed['cpu_s']} s ({timed['cpu_measure']})" if "cpu_s" in timed else "not measured"


def memory(r: dict[str, Any], reproduce: str) -> list[str]:
    """Peak RSS of verification at two input sizes, chunked (as the command runs) and whole."""
    lines = [
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
    for row in sorted(r["memory_detail"].values(), key=lambda row: (row["mode"] != "whole", row["credentials"])):
        lines.append(
            f"| {number(row['credentials'])} credentials | {row['mode']} | {row['baseline_rss_mb']} | "
            f"{row['peak_rss_mb']} | {row['seconds']} | {verdicts(row['verdicts'])} | "
            f"{'yes' if completed(row) else '**no**'} |"
        )
    mm = r["memory"]
    lines += [
        "",
        f"Ratio 100k / 10k: chunked, as `registry verify` runs, {mm['ratio']} (target ≤ 1.2); one whole "
        f"`verify_many` call {mm['whole_call_ratio']}.",
        "",
    ]
    return lines


def _request_rows(v: dict[str, Any], d: dict[str, Any] | None) -> list[str]:
    """JSON-RPC requests per credential (a batch's elements counted one by one), and the directory
    of many issuers verified a slice at a time (scripts/bench/directory.py)."""
    rows = []
    if "requests_per_credential" in v:
        rows.append(f"| JSON-RPC requests per credential (batch elements counted) | {v['requests_per_credential']} |")
    if d:
        rows.append(
            f"| a directory of {number(d['credentials'])} credentials from {d['issuers']} issuers, slices of "
            f"{d['slice']}: JSON-RPC requests (round trips) | {number(d['requests'])} ({number(d['round_trips'])}), "
            f"{d['requests_per_credential']} per credential, {number(d['rate_per_s'])} /s; "
            f"before issue #12: {number(d['before']['requests'])} |"
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
        f"{number(single['rate_per_s'])} /s; {verdicts(single['verdicts'])}; {outcome} |"
    ]


def method_notes(r: dict[str, Any]) -> list[str]:
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
        "- Signature-only rates are measured on the very same tokens in the same process: for verification, "
        "`jwt.verify` on already-parsed tokens, slice by slice just before `verify_many` checks the same slice "
        "(so a neighbour's load on a shared machine weighs on both sides alike); for issuance, "
        "`jwt.create_signature` on the same signing inputs just after the measured run. The verifier is built as "
        "`registry verify` builds it: issuers' DID documents and accreditation chains kept for the run, checked "
        "for changes before each slice. Before the timed slices the harness's own objects (the world, every "
        "credential the gas phase issued, the peers' contracts) are frozen out of the cyclic garbage collector's "
        "sight (`gc.freeze()`): a `registry verify` process holds none of them, and a full collection scanning "
        "them (about half a second per million objects here) would otherwise be charged to the verifier. The "
        "collector's runs during the timed slices are reported beside the rates.",
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


def _schema_way(v: dict[str, Any]) -> str:
    """How the checks floor checked the schema: the cheaper of the verifier's two ways."""
    if v.get("checks_floor_schema") == "one pass":
        return "msgspec's typed records, decoded and checked in one pass: cheaper here than orjson + jsonschema-rs"
    if v.get("checks_floor_schema") == "general":
        return "orjson + jsonschema-rs: cheaper here than msgspec's typed records in one pass"
    return "jsonschema-rs"
