"""The benchmark in smoke mode (tiny sizes), so `make bench` cannot rot between full runs.

Only the structure of what it writes is checked, never a timing or a gas figure: those belong to
the full run and to docs/PERFORMANCE.md, not to a test that must pass on any machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Issue 7 names these keys; each is a path into performance.json.
REQUIRED = (
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
    # Issue 16: skills logbooks.
    "logbook.day.gas_per_entry",
    "logbook.day.entries_per_s",
    "logbook.extract.rate_per_s",
    "logbook.extract.signature_only_rate_per_s",
    "logbook.extract.ratio",
)


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        assert isinstance(value, dict) and part in value, f"performance.json lacks {path}"
        value = value[part]
    return value


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench" / "run.py"), "--smoke", "--out-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def test_smoke_writes_every_required_figure(smoke: Path) -> None:
    data = json.loads((smoke / "performance.json").read_text())
    assert data["meta"]["mode"] == "smoke"
    for path in REQUIRED:
        value = _get(data, path)
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{path} is not a number: {value!r}"
        assert value > 0, f"{path} is {value}"


def test_smoke_reports_every_target_with_a_verdict(smoke: Path) -> None:
    data = json.loads((smoke / "performance.json").read_text())
    targets = data["targets"]
    assert len(targets) >= 7
    for target in targets:
        assert set(target) >= {"target", "measured", "limit", "met", "margin", "margin_pct"}
        assert isinstance(target["met"], bool)
    # The verification run checks its own verdicts: a benchmark of wrong answers is no benchmark.
    assert data["verify"]["verdicts_as_expected"] is True
    assert data["verify"]["verdicts"].get("revoked", 0) > 0


def test_smoke_measures_peers_on_the_same_chain(smoke: Path) -> None:
    data = json.loads((smoke / "performance.json").read_text())
    packages = data["meta"]["packages"]
    assert packages["DocumentStore"].startswith("@govtechsg/document-store@")
    assert packages["EAS"].startswith("@ethereum-attestation-service/eas-contracts@")
    peers = data["gas_detail"]["peers"]
    for name in ("oa_issue", "oa_revoke", "eas_attest", "eas_revoke", "eas_timestamp", "floor_single"):
        assert peers[name]["transactions"] == 1
    assert any(name.startswith("eas_multi_revoke_") for name in peers)
    assert any(name.startswith("oa_bulk_revoke_") for name in peers)


def test_smoke_writes_the_plot_and_the_document(smoke: Path) -> None:
    png = (smoke / "gas-per-credential.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    text = (smoke / "PERFORMANCE.md").read_text()
    assert "SMOKE RUN" in text
    for heading in ("## Targets", "## Gas: one credential", "## Gas per credential by batch size", "## Cold start",
                    "## Skills logbooks"):  # fmt: skip
        assert heading in text
    assert "make bench" in text
    # The service's load benchmark runs on its own; its report is copied in whole.
    # (up to the next section: other kept sections, keys and requests, may follow it)
    section = text.split("## Registry service", 1)[1].split("\n## ", 1)[0]
    assert "scripts/bench/load_service.py" in section and "POST /verify" in section
    service_doc = (ROOT / "docs" / "PERFORMANCE-service.md").read_text()
    assert section.strip().endswith(service_doc.strip().splitlines()[-1])
