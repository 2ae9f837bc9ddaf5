"""Load benchmark of the registry service, loopback only, bounded in time.

Starts its own anvil, deploys, builds a Root TAO -> TAO -> TI chain, issues credentials, runs
`registry serve` as a separate process, then measures:
  - POST /verify: verifications/s and latency percentiles (credentials cycled round-robin);
  - the EBSI read endpoints (DID document, issuer, attribute, timestamp): requests/s.

Load comes from wrk (Debian `wrk`, with a Lua script for the POST bodies) when present, otherwise
from a Python asyncio/httpx generator (`--tool python`; it costs CPU on the same cores, so it
under-reports). `--smoke` runs everything for a fraction of a second to prove the harness works.

    .venv/bin/python scripts/bench/load_service.py --duration 20 --workers 2
    .venv/bin/python scripts/bench/load_service.py --smoke
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account

os.environ.setdefault("REGISTRY_SCRYPT_N", "16384")  # throwaway identities

from registry.chain.client import ChainClient
from registry.chain.deployment import deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.config import Settings
from registry.formats.accreditation import Scope
from registry.formats.credential import Achievement, Skill
from registry.keystore import Identity, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.trust import IssuerType, Root, Trust, TrustList

SCOPE = Scope(types=("SkillsCredential",))
ACHIEVEMENT = Achievement(
    name="Forklift operation",
    description="Operates counterbalance forklifts safely.",
    criteria="Practical assessment.",
    skills=(Skill("http://data.europa.eu/esco/skill/0a1b2c3d-0000-4000-8000-000000000001", "operate forklift"),),
    eqf_level=3,
)


@dataclass
class World:
    service_url: str
    credentials: list[str]
    read_paths: list[str]


def build_world(registry: Registry, settings: Settings, credentials: int) -> tuple[Identity, list[str], list[str]]:
    """A chain of three, `credentials` credentials from the TI, and the read paths to hit."""
    governance = Account.from_key(ANVIL_DEV_KEY)
    trust = Trust(registry, settings.public_url)
    until = int(time.time()) + 365 * 24 * 3600
    actors = []
    for name in ("root", "tao", "ti"):
        identity = new_legal_entity(name)
        registry.client.request("anvil_setBalance", [identity.account.address, hex(10**20)])
        registry.register_did(identity)
        actors.append(identity)
    root, tao, ti = actors
    root_attr = trust.onboard_root(governance, root, [SCOPE], until)
    tao_attr = trust.accredit(root, root_attr, tao.did, IssuerType.TAO, [SCOPE], until)
    ti_attr = trust.accredit(tao, tao_attr, ti.did, IssuerType.TI, [SCOPE], until)
    # The service's trust list (`serve --trust-list`): without one, every answer is "root not trusted".
    TrustList(frozenset({root.did}), "bench", entries=(Root(root.did, "bench root"),)).save(settings.trust_list_file)
    issuer = Issuer(registry, ti, settings)
    holder = new_natural_person("worker")
    issued = [issuer.issue_single(holder.did, ACHIEVEMENT) for _ in range(credentials)]
    reads = [
        f"/did-registry/v5/identifiers/{ti.did}",
        f"/trusted-issuers-registry/v5/issuers/{ti.did}",
        f"/trusted-issuers-registry/v5/issuers/{ti.did}/attributes/{ti_attr.hex()}",
        f"/timestamp/v4/timestamps/0x{issued[0].credential_hash.hex()}",
    ]
    return ti, [i.holder_file.dumps() for i in issued], reads


def start_service(
    rpc_url: str, deployment: Path, workers: int, head_max_age: float, trust_list: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # The command an operator runs (`registry serve`), so the benchmark starts what is deployed.
    argv = [sys.executable, "-m", "registry", "serve", "--port", str(port), "--rpc", rpc_url,
            "--deployment", str(deployment), "--workers", str(workers), "--rate", "0",
            "--head-max-age", str(head_max_age), "--trust-list", str(trust_list)]  # fmt: skip
    process = subprocess.Popen(argv)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the service did not start")


# -- load generators ---------------------------------------------------------------------


def summarise(latencies: list[float], ok: int, failed: int, seconds: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2) if ordered else 0.0

    return {
        "requests": ok + failed,
        "ok": ok,
        "failed": failed,
        "seconds": round(seconds, 2),
        "per_second": round((ok + failed) / seconds, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * statistics.fmean(ordered), 2) if ordered else 0.0,
    }


async def python_load(
    url: str, requests: list[tuple[str, str, bytes | None]], duration: float, connections: int, expect: str | None
) -> dict[str, Any]:
    """`connections` concurrent loops for `duration` s; a request is ok when 200 (and valid, for /verify)."""
    latencies: list[float] = []
    counts = {"ok": 0, "failed": 0}
    stop = time.monotonic() + duration
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def loop(offset: int) -> None:
            n = offset
            while time.monotonic() < stop:
                method, path, body = requests[n % len(requests)]
                n += 1
                started = time.perf_counter()
                response = await client.request(
                    method, path, content=body, headers={"content-type": "application/json"} if body else None
                )
                latencies.append(time.perf_counter() - started)
                good = response.status_code == 200 and (expect is None or response.json().get("verdict") == expect)
                counts["ok" if good else "failed"] += 1

        began = time.monotonic()
        await asyncio.gather(*(loop(i) for i in range(connections)))
        elapsed = time.monotonic() - began
    return summarise(latencies, counts["ok"], counts["failed"], elapsed)


WRK_LUA = """
local requests = {}
local lines = {}
local unique = false
local n = 0
function init(args)
  local file = io.open(args[1], "r")
  unique = args[2] == "unique"
  for line in file:lines() do
    local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
    lines[#lines + 1] = {method, path, body ~= "" and body or nil}
    requests[#requests + 1] = wrk.format(method, path, {["Content-Type"] = "application/json"},
      body ~= "" and body or nil)
  end
  file:close()
end
function request()
  n = n + 1
  if unique then
    -- a query parameter no route reads, different on every request: nothing can be replayed
    local l = lines[(n % #lines) + 1]
    local sep = l[2]:find("?", 1, true) and "&" or "?"
    return wrk.format(l[1], l[2] .. sep .. "nocache=" .. n .. "-" .. math.random(1, 1000000000),
      {["Content-Type"] = "application/json"}, l[3])
  end
  return requests[(n % #requests) + 1]
end
function done(summary, latency, requests)
  io.write(string.format("JSON {\\"p50_ms\\": %.2f, \\"p99_ms\\": %.2f, \\"mean_ms\\": %.2f, \\"non2xx\\": %d}\\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def wrk_load(
    url: str,
    requests: list[tuple[str, str, bytes | None]],
    duration: float,
    connections: int,
    threads: int,
    unique: bool = False,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "requests.lua"
        script.write_text(WRK_LUA)
        listing = Path(tmp) / "requests.txt"
        listing.write_text("".join(f"{m} {p} {b.decode() if b else ''}\n" for m, p, b in requests))
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
             "-s", str(script), url, "--", str(listing), "unique" if unique else "same"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    seconds = float(re.search(r"requests in ([\d.]+)s", output).group(1))  # type: ignore[union-attr]
    stats = json.loads(output.split("JSON ", 1)[1].splitlines()[0])
    return {
        "requests": total,
        "ok": total - stats["non2xx"],
        "failed": stats["non2xx"],
        "seconds": seconds,
        "per_second": round(total / seconds, 1),
        "p50_ms": stats["p50_ms"],
        "p99_ms": stats["p99_ms"],
        "mean_ms": stats["mean_ms"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        node = AnvilNode(Path(tmp) / "anvil", port=free_port())
        node.start()
        service: subprocess.Popen[bytes] | None = None
        try:
            client = ChainClient(node.rpc_url)
            deployment_path = Path(tmp) / "deployment.json"
            deploy(client, Account.from_key(ANVIL_DEV_KEY)).save(deployment_path)
            settings = Settings(home=Path(tmp) / "home", rpc_urls=(node.rpc_url,), deployment_path=deployment_path)
            registry = Registry.connect(settings)
            _, credentials, reads = build_world(registry, settings, args.credentials)
            service, url = start_service(
                node.rpc_url, deployment_path, args.workers, args.head_max_age, settings.trust_list_file
            )
            verify_requests = [("POST", "/verify", json.dumps({"credential": c}).encode()) for c in credentials]
            read_requests: list[tuple[str, str, bytes | None]] = [("GET", p, None) for p in reads]
            # Every response must be right before any is timed: a fast wrong answer is no result.
            for _, _, body in verify_requests:
                verdict = httpx.post(f"{url}/verify", content=body, headers={"content-type": "application/json"}).json()
                assert verdict["verdict"] == "valid", verdict["summary"]
            for _, path, _ in read_requests:
                assert httpx.get(url + path).status_code == 200, path
            tool = args.tool or ("wrk" if shutil.which("wrk") else "python")
            results: dict[str, Any] = {
                "tool": tool,
                "cores": os.cpu_count(),
                "workers": args.workers,
                "connections": args.connections,
                "credentials": len(credentials),
                "head_max_age_s": args.head_max_age,
            }
            runs = (
                ("verify", verify_requests, "valid", args.connections, False),
                ("reads", read_requests, None, args.connections, False),
                # The same reads made unique, so the per-head answer cache never replays one: what
                # computing a read costs. And /verify at 32 connections: the saturated shape.
                ("reads_computed", read_requests, None, args.connections, True),
                ("verify_saturated", verify_requests, "valid", max(32, args.connections), False),
            )
            for name, requests, expect, connections, unique in runs:
                if tool == "wrk":
                    results[name] = wrk_load(url, requests, args.duration, connections, args.threads, unique)
                elif unique:
                    continue  # the Python generator has no unique-query mode; wrk measures it
                else:
                    results[name] = asyncio.run(python_load(url, requests, args.duration, connections, expect))
                results[name]["connections"] = connections
            return results
        finally:
            if service is not None:
                service.terminate()
                service.wait(timeout=10)
            node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=12, help="concurrent keep-alive connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="service worker processes")
    parser.add_argument("--credentials", type=int, default=20, help="distinct credentials cycled by /verify")
    parser.add_argument("--head-max-age", type=float, default=0.25, help="service --head-max-age")
    parser.add_argument("--tool", choices=("wrk", "python"), default=None, help="default: wrk if installed")
    parser.add_argument("--smoke", action="store_true", help="a fraction of a second per measurement")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.connections, args.workers, args.credentials = 0.5, 2, 1, 2
        args.tool = args.tool or "python"
    results = run(args)
    print(json.dumps(results, indent=2))
    failed = sum(r["failed"] for r in results.values() if isinstance(r, dict) and "failed" in r)
    if failed or not results["verify"]["ok"] or not results["reads"]["ok"]:
        raise SystemExit(f"{failed} requests failed")


if __name__ == "__main__":
    main()
