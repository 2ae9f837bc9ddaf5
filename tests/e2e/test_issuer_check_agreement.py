"""`registry issuer check` and the service's `GET /api/issuers/{did}/check` give one answer.

Both go through `trust.evaluate_at`; these tests hold them to it from the outside: the real
`registry` process and the real uvicorn server, on the same anvil and deployment. A time the chain
has not reached is never answered trusted (nor untrusted): whether the accreditation will still be
in force then is not known yet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from registry.config import Settings
from registry.formats.credential import iso
from tests.conftest import PASSPHRASE, Chain

pytest_plugins = ("tests.helpers.service_fixtures",)

DAY = 24 * 3600


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [
        sys.executable, "-m", "registry", "--home", str(settings.home), "issuer", "check", *args,
        "--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file),
    ]  # fmt: skip
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def both(
    settings: Settings, http: httpx.Client, did: str, at: str | None
) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """(the CLI's --json report, its exit code, the service's report) for one question."""
    extra = ["--at", at] if at is not None else []
    result = cli(settings, did, "--json", *extra)
    assert result.stderr == "", result.stderr
    answer = http.get(f"/api/issuers/{did}/check", params={"at": at} if at is not None else {})
    assert answer.status_code == 200, answer.text
    return json.loads(result.stdout), result.returncode, answer.json()


@pytest.mark.parametrize("ahead_s", [60 * DAY, 2 * 3600, 400 * DAY])
def test_a_time_the_chain_has_not_reached_could_not_determine_in_both(
    settings: Settings, http: httpx.Client, chain: Chain, ahead_s: int
) -> None:
    at = iso(int(time.time()) + ahead_s)
    report, code, served = both(settings, http, chain.ti.did, at)
    assert code == 2
    for answer in (report, served):
        assert answer["ok"] is False and answer["verdict"] == "could not determine", answer
        assert "later than the chain's newest block" in answer["summary"]
    assert report == served
    text = cli(settings, chain.ti.did, "--at", at)
    assert text.returncode == 2 and "COULD NOT DETERMINE" in text.stdout, text.stdout


@pytest.mark.parametrize("when", ["now", "past", "default"])
def test_times_the_chain_has_reached_get_the_same_verdict_in_both(
    settings: Settings, http: httpx.Client, chain: Chain, when: str
) -> None:
    at = {"now": iso(int(time.time())), "past": "2001-01-01", "default": None}[when]
    report, code, served = both(settings, http, chain.ti.did, at)
    expected = "not trusted" if when == "past" else "trusted"
    assert report["verdict"] == served["verdict"] == expected, (report, served)
    assert report["ok"] is served["ok"] is (expected == "trusted")
    assert code == (0 if expected == "trusted" else 1)
    assert report["summary"] == served["summary"]
