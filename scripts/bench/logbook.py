"""Skills logbooks at scale (issue #16): one provider, many learners, a day's entries anchored as one
Merkle root in one transaction, and a long extract verified.

Through the code users run: each entry is signed by its learner (`sign_record`, as `Logbook.add`
does, without writing a file per entry) and countersigned by an authorised supervisor
(`countersign`, which first checks the learner's signature); `Provider.anchor_day` anchors the day
(status entries allocated, the tree built, every proof made, one journaled transaction);
`verify_extract` checks the extract. Setup that is not measured: the learners' keys, the
supervisors' authorisations, and the learners' logbook ids (only the extract's learner is enrolled
on-chain: the day anchor does not read enrolments).

    .venv/bin/python scripts/bench/logbook.py            # the full sizes, prints the figures
    .venv/bin/python scripts/bench/logbook.py --write    # and puts them into docs/ (performance.json, PERFORMANCE.md)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from registry.formats import jwt
from registry.formats.logbook import Entry, EntryFile, Extract, sign_record
from registry.formats.logbook.records import did_key_signed, signed_by
from registry.keystore import Identity, new_natural_person
from registry.ops.logbook import Provider, verify_extract
from registry.ops.logbook.book import countersign
from scripts.bench.world import World

DAY = 86_400
SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"
UNITS = ("U1", "U2", "U3", "U4", "U5")
PROGRAMME = {
    "id": "urn:programme:bench-welding", "version": 1, "title": "Welding apprenticeship (bench)", "eqfLevel": 4,
    "durationMonths": 24, "backdatingDays": 365,
    "units": [{"id": u, "title": f"Unit {u}", "skills": [SKILL], "hours": 100} for u in UNITS],
}  # fmt: skip


@dataclass(frozen=True)
class LogbookSizes:
    learners: int
    per_day: int  # entries per learner per day
    supervisors: int
    extract: int  # entries in the verified extract (per_day a day, one anchor a day)
    runs: int  # verification runs (best taken)


FULL = LogbookSizes(learners=5_000, per_day=5, supervisors=50, extract=1_000, runs=3)
SMOKE = LogbookSizes(learners=20, per_day=5, supervisors=3, extract=20, runs=1)


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] logbook: {message}\n")
    sys.stderr.flush()


@dataclass
class Cast:
    provider: Provider
    programme: str
    supervisors: list[tuple[Identity, str]]  # (person, her authorisation)


def cast(world: World, sizes: LogbookSizes) -> Cast:
    provider = Provider(world.registry, world.issuer.identity, world.settings)
    programme = provider.publish_programme(PROGRAMME)
    now = world.registry.signing_time()
    people = [new_natural_person(f"supervisor-{n}") for n in range(sizes.supervisors)]
    supervisors = [(p, provider.authorise(programme, p.did, "supervisor", now - 400 * DAY, now + 60 * DAY))
                   for p in people]  # fmt: skip
    return Cast(provider, programme, supervisors)


def _date(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%d")


def sign_day(cast: Cast, learners: list[tuple[Identity, str]], per_day: int, days_ago: int) -> list[EntryFile]:
    """Each learner's `per_day` entries of one day, signed by her and countersigned."""
    now = int(time.time())
    files = []
    for n, (learner, logbook) in enumerate(learners):
        person, authorisation = cast.supervisors[n % len(cast.supervisors)]
        for k in range(per_day):
            entry = Entry(logbook=logbook, id=f"urn:uuid:{uuid.uuid4()}", date=_date(days_ago), unit=UNITS[k % 5],
                          activity="fillet welds on 10 mm plate", hours=1.5, workplace="Yard 3")  # fmt: skip
            token = sign_record("logbook-entry+jwt", entry.payload(learner.did, now), learner.signing_key, learner.kid)
            files.append(countersign(EntryFile(token), person, authorisation, now))
    return files


def _anchor_gas(world: World, before: int, root: bytes, size: int) -> int:
    """The gas of the day's anchoring transaction (found by its exact calldata)."""
    contract = world.registry.credentials
    wanted = contract.calldata(contract.anchor_cohort(root, size)).lower()
    client = world.client
    last = int(client.request("eth_blockNumber", []), 16)
    for number in range(before + 1, last + 1):
        block = client.request("eth_getBlockByNumber", [hex(number), True])
        for tx in block["transactions"]:
            if tx["input"].lower() == wanted:
                return int(client.request("eth_getTransactionReceipt", [tx["hash"]])["gasUsed"], 16)
    raise SystemExit("the day anchor's transaction was not found")


def day_anchor(world: World, cast: Cast, sizes: LogbookSizes) -> dict[str, Any]:
    """One day: every learner's entries signed, countersigned and anchored as one root."""
    log(f"{sizes.learners} learners' keys (setup)")
    learners = [(new_natural_person(f"learner-{n}"), f"urn:uuid:{uuid.uuid4()}") for n in range(sizes.learners)]
    total = sizes.learners * sizes.per_day
    log(f"signing and countersigning {total} entries")
    start = time.perf_counter()
    files = sign_day(cast, learners, sizes.per_day, 0)
    signed = time.perf_counter() - start
    log(f"anchoring {total} entries as one root")
    before = int(world.client.request("eth_blockNumber", []), 16)
    start = time.perf_counter()
    root = cast.provider.anchor_day(files)
    anchored = time.perf_counter() - start
    gas = _anchor_gas(world, before, root, total)
    return {
        "learners": sizes.learners, "entries": total, "signatures": 2 * total,
        "sign_s": round(signed, 2), "anchor_s": round(anchored, 2),
        "entries_per_s": round(total / (signed + anchored), 1),
        "sign_entries_per_s": round(total / signed, 1), "anchor_entries_per_s": round(total / anchored, 1),
        "anchor_gas": gas, "gas_per_entry": round(gas / total, 3),
    }  # fmt: skip


def long_extract(world: World, cast: Cast, sizes: LogbookSizes) -> Extract:
    """One learner's `extract` entries, `per_day` a day, each day anchored on its own (setup)."""
    learner = new_natural_person("extract-learner")
    enrolment = cast.provider.enrol(cast.programme, learner.did)
    logbook = str(signed_by(enrolment, "logbook-enrolment+jwt").payload["logbook"])
    days = -(-sizes.extract // sizes.per_day)
    log(f"one learner's {sizes.extract} entries over {days} days, {days} day anchors (setup)")
    files: list[EntryFile] = []
    for d in range(days, 0, -1):
        day = sign_day(cast, [(learner, logbook)], sizes.per_day, d)[: sizes.extract - len(files)]
        cast.provider.anchor_day(day)
        files += day
    return Extract(cast.programme, enrolment, files)


def extract_rate(world: World, extract: Extract, runs: int) -> dict[str, Any]:
    """The extract verified (chain reads included, a fresh verifier each run) against the
    signature-only rate of the same entries (the learner's and the countersigner's signatures,
    over records parsed beforehand)."""
    n = len(extract.entries)
    parsed = [(signed_by(f.entry, "logbook-entry+jwt"), jwt.parse(str(f.countersignature))) for f in extract.entries]
    bare, full = [], []
    for _ in range(runs):
        start = time.perf_counter()
        ok = sum(did_key_signed(a) and did_key_signed(b) for a, b in parsed)
        bare.append(time.perf_counter() - start)
        if ok != n:
            raise SystemExit(f"{n - ok} entries failed the signature-only pass")
        start = time.perf_counter()
        report = verify_extract(world.registry, extract)
        full.append(time.perf_counter() - start)
        if report.verdict != "valid":
            raise SystemExit(f"the bench extract is {report.verdict}: {report.to_json()}")
    bare_rate, full_rate = n / min(bare), n / min(full)
    return {"entries": n, "rate_per_s": round(full_rate, 1), "signature_only_rate_per_s": round(bare_rate, 1),
            "ratio": round(full_rate / bare_rate, 3), "runs": runs}  # fmt: skip


def logbook_bench(world: World, sizes: LogbookSizes) -> dict[str, Any]:
    started = time.perf_counter()
    log(f"publishing the programme, authorising {sizes.supervisors} supervisors (setup)")
    roles = cast(world, sizes)
    results: dict[str, Any] = {"day": day_anchor(world, roles, sizes)}
    extract = long_extract(world, roles, sizes)
    log(f"verifying the {len(extract.entries)}-entry extract, {sizes.runs} runs")
    results["extract"] = extract_rate(world, extract, sizes.runs)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["sizes"] = sizes.__dict__
    return results


def main(argv: list[str] | None = None) -> int:
    from scripts.bench import report
    from scripts.bench.chain import bench_chain
    from scripts.bench.world import build

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes")
    parser.add_argument("--write", action="store_true", help="merge the figures into docs/performance.json and "
                        "regenerate docs/PERFORMANCE.md from it")  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-logbook-") as tmp, bench_chain() as chain:
        figures = logbook_bench(build(chain, Path(tmp) / "home"), SMOKE if args.smoke else FULL)
    print(json.dumps(figures, indent=2))
    if args.write:
        docs = Path(__file__).resolve().parents[2] / "docs"
        results = json.loads((docs / "performance.json").read_text())
        results["logbook"] = {**figures, "measured": datetime.now(UTC).isoformat(timespec="seconds")}
        sizes = results["meta"]["sizes"]
        results.update(report.headline(results, sizes["headline_cohort"], sizes["scattered_revoke"]))
        report.write_all(results, docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
