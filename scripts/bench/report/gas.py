"""The gas sections of PERFORMANCE.md: one credential against the peers and the floor, gas per
credential by batch size (the plot and its table), and revoking, suspending, reinstating in bulk."""

from __future__ import annotations

from typing import Any

from scripts.bench.report.figures import WAYS, series
from scripts.bench.report.format import number, per_credential, times


def one_credential(g: dict[str, Any], reproduce: str) -> list[str]:
    """A single anchor and a single status change, against the floor, OpenAttestation and EAS."""
    floor = g["floor_single"]
    lines = [
        "## Gas: one credential",
        "",
        reproduce,
        "",
        "| operation | gas | x floor | vs OpenAttestation | vs EAS |",
        "|---|---:|---:|---:|---:|",
        f"| floor: one fresh slot (`Floor.record`) | {number(floor)} | 1.00x | | |",
        f"| **ours: anchor one credential** (`anchor`) | {number(g['single_anchor'])} | "
        f"{times(g['single_anchor'], floor)} "
        f"| {times(g['single_anchor'], g['oa_issue'])} of `issue` | {times(g['single_anchor'], g['eas_attest'])} of "
        f"`attest`, {times(g['single_anchor'], g['eas_timestamp'])} of `timestamp` |",
    ]
    lines += _rpl_rows(g, floor)
    lines += [
        f"| OpenAttestation `issue` | {number(g['oa_issue'])} | {times(g['oa_issue'], floor)} | | |",
        f"| EAS `attest` | {number(g['eas_attest'])} | {times(g['eas_attest'], floor)} | | |",
        f"| EAS `timestamp` | {number(g['eas_timestamp'])} | {times(g['eas_timestamp'], floor)} | | |",
        f"| **ours: revoke one credential** (`setStatus`, fresh status word) | {number(g['single_revoke'])} | "
        f"{times(g['single_revoke'], floor)} | {times(g['single_revoke'], g['oa_revoke'])} of `revoke` | "
        f"{times(g['single_revoke'], g['eas_revoke'])} of `revoke` |",
    ]
    if "single_revoke_same_word" in g:
        lines.append(
            f"| ours: revoke one more in a word already written | {number(g['single_revoke_same_word'])} | "
            f"{times(g['single_revoke_same_word'], floor)} | | |"
        )
    lines += [
        f"| OpenAttestation `revoke` | {number(g['oa_revoke'])} | {times(g['oa_revoke'], floor)} | | |",
        f"| EAS `revoke` | {number(g['eas_revoke'])} | {times(g['eas_revoke'], floor)} | | |",
        f"| ours: suspend one (`setStatus`, suspension list) | {number(g['single_suspend'])} | "
        f"{times(g['single_suspend'], floor)} | | |",
        f"| ours: reinstate it (`updateStatus`, clear) | {number(g['single_reinstate'])} | "
        f"{times(g['single_reinstate'], floor)} | | |",
        "",
    ]
    return lines


def _rpl_rows(g: dict[str, Any], floor: int) -> list[str]:
    """An RPL credential and an employer's attestation (issue #17): one anchor each, evidence off-chain."""
    rows = []
    if "rpl_credential" in g:
        rows.append(
            f"| ours: one RPL credential (`anchor`; its evidence hashes are in the credential only) | "
            f"{number(g['rpl_credential'])} | {times(g['rpl_credential'], floor)} | | |"
        )
    if "work_attestation" in g:
        rows.append(
            f"| ours: one work-experience attestation (`anchor`) | {number(g['work_attestation'])} | "
            f"{times(g['work_attestation'], floor)} | | |"
        )
    return rows


def by_batch_size(r: dict[str, Any], reproduce: str) -> list[str]:
    """The plot, then gas per credential for every way of recording N credentials, and the ratios."""
    g = r["gas"]
    floor = g["floor_single"]
    lines = [
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
    for label, whose, prefix, _single in WAYS:
        points, source = table[label], r["gas_detail"][whose]
        cells = []
        for n in sizes:
            if n == 1:
                cells.append(number(dict(points).get(1)))
            else:
                cells.append(per_credential(source.get(f"{prefix}{n}")))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| floor: one slot per credential | " + " | ".join(number(floor) for _ in sizes) + " |")
    head = r["gas"]["cohort_1000_per_credential"]
    lines += [
        "",
        f"Ratios at the headline cohort: ours {number(head)} gas per credential, "
        f"{times(g.get('oa_bulk_issue_1000_per_credential', g['oa_bulk_issue_100_per_credential']), head)} cheaper "
        "than OpenAttestation's `bulkIssue` at the same size, "
        f"{times(floor, head)} below the one-slot floor. A Merkle root costs the same for anyone who anchors one "
        "(OpenAttestation's `issue(root)`, EAS `timestamp(root)`): the difference there is what the verifier can "
        'check, not gas. "(k tx)" marks an operation that had to be split into k transactions to stay under the '
        "per-transaction cap.",
        "",
    ]
    return lines


def in_bulk(r: dict[str, Any], reproduce: str) -> list[str]:
    """Revoking, suspending and reinstating many credentials: ours and the peers', per credential."""
    ours, peers = r["gas_detail"]["ours"], r["gas_detail"]["peers"]
    lines = [
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
                f"| ours: {name.replace('_', ' ')} | {number(figures['credentials'])} | {figures['transactions']} | "
                f"{figures.get('words', 1)} | {number(figures['gas'])} | {number(figures['per_credential'])} |"
            )
    for name, figures in peers.items():
        if "revoke_" in name:
            who = "OpenAttestation" if name.startswith("oa_") else "EAS"
            lines.append(
                f"| {who}: {name.split('_', 1)[1].replace('_', ' ')} | {number(figures['credentials'])} | "
                f"{figures['transactions']} | | {number(figures['gas'])} | {number(figures['per_credential'])} |"
            )
    lines += [
        "",
        "The headline `gas.bulk_revoke_1000_per_credential` is the scattered case: credentials picked at random "
        "across a cohort ten times larger, so every status word of that cohort is touched (the most words a "
        "revocation of that many credentials of one cohort can touch). Revoking a whole cohort touches only its own "
        "⌈N/224⌉ words and costs less.",
        "",
    ]
    return lines


def _operations_table(
    g: dict[str, Any], reproduce: str, title: str, module: str, rows: list[tuple[str, str]], closing: str
) -> list[str]:
    """A section of one contract's operations: gas and multiple of the single-anchor floor per row
    measured, then the closing paragraph that says what the gas pays for."""
    floor = g["floor_single"]
    lines = [
        f"## Gas: {title}",
        "",
        f"{reproduce} Alone, in seconds: `.venv/bin/python -m scripts.bench.{module}`.",
        "",
        "| operation | gas | x floor |",
        "|---|---:|---:|",
    ]
    lines += [f"| ours: {label} | {number(g[key])} | {times(g[key], floor)} |" for label, key in rows if key in g]
    return [*lines, "", closing, ""]


def recognition(g: dict[str, Any], reproduce: str) -> list[str]:
    """Gas per recognition decision (issue 17): a destination authority publishes one and changes it."""
    if "recognition_publish" not in g:
        return []
    rows = [
        ("publish a decision (`publish`, the authority's first: its list of decisions is a fresh slot)",
         "recognition_publish"),
        ("publish a further decision of the same authority", "recognition_publish_next"),
        ("a recognition body (a TAO its Root TAO accredited for `RecognitionDecision`) publishes its first",
         "recognition_publish_by_body"),
        ("suspend it (`setDecisionStatus`)", "recognition_suspend"),
        ("reinstate it", "recognition_reinstate"),
        ("revoke it", "recognition_revoke"),
    ]  # fmt: skip
    return _operations_table(
        g, reproduce, "recognition decisions", "recognition", rows,
        "A decision stores its authority, the accreditation it was published under, the root of that "
        "accreditation, its validity and status, and an append-only history (one revision per change); its "
        "document (scope, outcome, conditions: no personal data) is emitted once in `DecisionDocument`, its "
        "sha256 the decision's id. Publishing checks the authority's key in the DID registry and its "
        "accreditation in the trusted issuers registry (two calls to other contracts).",
    )  # fmt: skip


def accreditation(g: dict[str, Any], reproduce: str) -> list[str]:
    """Gas of the accreditation chain's writes (the trusted issuers registry), with a revocation for cause."""
    if "accreditation_onboard_root" not in g:
        return []
    rows = [
        ("onboard a Root TAO (`onboardRoot`, governance; its authorisation JWT in the event)",
         "accreditation_onboard_root"),
        ("accredit a TAO (`accredit`; the accreditation JWT in the event)", "accreditation_accredit_tao"),
        ("accredit a TI", "accreditation_accredit_ti"),
        ("suspend an accreditation (`setAttributeStatus`)", "accreditation_suspend"),
        ("reinstate it", "accreditation_reinstate"),
        ("revoke it", "accreditation_revoke"),
        ("revoke one for cause from a stated date (`revokeForCauseSince`)", "accreditation_revoke_for_cause"),
    ]  # fmt: skip
    return _operations_table(
        g, reproduce, "the accreditation chain", "accreditation", rows,
        "A revocation for cause is a revocation (one revision appended, its `AttributeRevised` event) plus an "
        "`AttributeRevokedForCause` event carrying the date it reaches back to: nothing more is stored, so that "
        "the other operations, and a recognition decision's publication (which reads the accreditation), cost "
        'what they did before it existed (docs/INTEROP.md, "Revocation for cause, reaching back").',
    )  # fmt: skip
