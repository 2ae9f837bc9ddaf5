"""`make demo`, steps 18 to 24: Amina's welding apprenticeship as a skills logbook (issue #16).

The welding school publishes the programme and authorises two supervisors and an assessor; Amina's
entries are signed and countersigned day by day from her enrolment day on (the local chain's clock
is moved a day at a time), some of them at a workshop without a network and anchored later; one
supervisor's authorisation is revoked for cause, reaching back; the school issues the
qualification; an employer abroad checks the extract. Every step is the real `registry` command, run by `demo.Demo.run`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"
DAY = 86_400
WORKPLACE = "Coastal shipyard, yard 3"
WORKSHOP = "Village workshop (no network)"
PROGRAMME = {
    "id": "urn:programme:welding-apprenticeship", "version": 1, "title": "MIG/MAG welding apprenticeship",
    "eqfLevel": 4, "durationMonths": 18, "backdatingDays": 7,
    "units": [
        {"id": "U1", "title": "Prepare and fit up joints", "skills": [SKILL], "hours": 6, "signer": "supervisor"},
        {"id": "U2", "title": "Weld plate, assessed", "skills": [SKILL], "hours": 4, "signer": "assessor"},
    ],
}  # fmt: skip


def chain_day(rpc_url: str) -> str:
    """Today on the local chain (its latest block's time), YYYY-MM-DD."""
    block = _rpc(rpc_url, "eth_getBlockByNumber", ["latest", False])
    return datetime.fromtimestamp(int(block["timestamp"], 16), UTC).strftime("%Y-%m-%d")


def learner_day(day: int) -> str:
    """The date of the demo's working day `day` (1 or 2) as the learner's and signers' own clocks
    date it: today, the day of her enrolment (an entry dated before it never counts), and tomorrow
    (`logbook add` refuses a date after tomorrow). Only the chain's clock moves on a day after each
    (`next_day`), for the anchors: an entry is anchored on or after its day."""
    return (datetime.now(UTC) + timedelta(days=day - 1)).strftime("%Y-%m-%d")


def next_day(rpc_url: str) -> None:
    """The local chain's clock moved on a day (anvil's evm_increaseTime, then a block)."""
    _rpc(rpc_url, "evm_increaseTime", [DAY])
    _rpc(rpc_url, "evm_mine", [])


def _rpc(rpc_url: str, method: str, params: list[Any]) -> Any:
    answer = requests.post(rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=10)
    return answer.json()["result"]


def programme(demo: Any, where: Path) -> dict[str, Path]:
    """Step 18: the programme published; two supervisors and an assessor authorised; Amina enrolled."""
    demo.step(
        "18. Amina goes on to a welding apprenticeship at the same school, which keeps a skills logbook "
        "for it. The school publishes the programme (units, ESCO skills, hours, who signs each unit off, "
        "how far back an entry may be dated) and anchors its hash; it authorises two workplace "
        "supervisors, Farah and Omar, and an assessor, Kofi, each a person with a did:key; and enrols "
        "Amina, which opens her logbook."
    )
    where.mkdir()
    paths = {name: where / f"{name}.jwt" for name in ("programme", "farah", "omar", "kofi")}
    (where / "programme.json").write_text(json.dumps(PROGRAMME, indent=2))
    demo.run("programme", "publish", str(where / "programme.json"), "--issuer", "welding-school",
             "--out", str(paths["programme"]))  # fmt: skip
    today, since = chain_day(demo.rpc_url), learner_day(1)
    until = f"{int(today[:4]) + 2}{today[4:]}"
    people = (("farah", "supervisor", "Farah Nasser"), ("omar", "supervisor", "Omar Haddou"),
              ("kofi", "assessor", "Kofi Mensah"))  # fmt: skip
    for person, role, name in people:  # each by her legal name, which verifiers see beside her DID
        demo.run("identity", "create", "--person", person)
        demo.run("supervisor", "authorise", person, "--programme", str(paths["programme"]), "--role", role,
                 "--issuer", "welding-school", "--valid-from", since, "--valid-until", until, "--name", name,
                 "--out", str(paths[person]))  # fmt: skip
    paths["book"] = where / "amina-logbook"
    demo.run("logbook", "enrol", "amina", "--programme", str(paths["programme"]), "--issuer", "welding-school",
             "--dir", str(paths["book"]), "--learner-name", "Amina Haddad")  # fmt: skip
    return paths


def entry(demo: Any, paths: dict[str, Path], signer: str, fields: tuple[int, str, str, str, str]) -> None:
    """Amina writes one entry of the day's work; `signer` countersigns it (neither needs a network)."""
    day, unit, activity, hours, workplace = fields
    before = set((paths["book"] / "entries").glob("*.json"))
    demo.run("logbook", "add", str(paths["book"]), "--learner", "amina", "--date", learner_day(day),
             "--unit", unit, "--activity", activity, "--hours", hours, "--workplace", workplace)  # fmt: skip
    (made,) = set((paths["book"] / "entries").glob("*.json")) - before
    demo.run("logbook", "sign", str(made), "--signer", signer, "--authorisation", str(paths[signer]))


def days(demo: Any, paths: dict[str, Path]) -> str:
    """Steps 19 and 20: two working days; the second one's entries anchored the day after. Day 2."""
    demo.step(
        "19. Day 1, the day she is enrolled, at the shipyard: Amina records each task (unit, activity, "
        "hours, workplace), signed with her did:key; her supervisor countersigns it under her authorisation. "
        "In the evening the school anchors the day's entries of all its learners as one Merkle root, one "
        "transaction."
    )
    entry(demo, paths, "farah", (1, "U1", "Bevel and fit up plate joints", "3", WORKPLACE))
    entry(demo, paths, "farah", (1, "U1", "Tack welds on plate joints", "2", WORKPLACE))
    demo.run("logbook", "anchor", str(paths["book"]), "--issuer", "welding-school")
    next_day(demo.rpc_url)
    second = learner_day(2)
    demo.step(
        "20. Day 2 starts at a village workshop without a network: the entries are signed and countersigned "
        "as files all the same; in the afternoon, back at the yard, more. The school anchors them the day "
        "after: an entry may be anchored up to the programme's 7 days after its date."
    )
    entry(demo, paths, "omar", (2, "U1", "Fit up pipe joints", "2", WORKSHOP))
    entry(demo, paths, "kofi", (2, "U2", "Fillet welds on plate, assessed", "2", WORKSHOP))
    entry(demo, paths, "farah", (2, "U1", "Root pass on plate joints", "2", WORKPLACE))
    entry(demo, paths, "kofi", (2, "U2", "Butt weld on plate, assessed", "2", WORKPLACE))
    next_day(demo.rpc_url)
    demo.run("logbook", "anchor", str(paths["book"]), "--issuer", "welding-school")
    demo.run("logbook", "show", str(paths["book"]))
    return second


def revoked_for_cause(demo: Any, paths: dict[str, Path], since: str) -> Path:
    """Step 21: Omar's authorisation revoked for cause, from day 2 on. The record."""
    demo.step(
        f"21. The school learns that Omar signed off work at the village workshop that he never saw. It "
        f"revokes his authorisation for cause: his sign-offs from {since} on are not to be trusted. The "
        "chain's status event carries only a reason code, so the date is in a record the school signs "
        "and anchors, which travels with Amina's extract."
    )
    record = paths["programme"].parent / "omar-revocation.jwt"
    demo.run("supervisor", "revoke", str(paths["omar"]), "--issuer", "welding-school", "--reason", "2",
             "--untrusted-from", since, "--record", str(record))  # fmt: skip
    return record


def qualification(demo: Any, paths: dict[str, Path], record: Path, trust_list: Path) -> None:
    """Steps 22 to 24: the qualification issued; the extract shared and checked abroad."""
    demo.step(
        "22. Amina has done the hours of both units. The school checks her whole logbook as a verifier "
        "would (Omar's day-2 sign-off does not count) and issues the qualification: a skills credential "
        "naming the root of the entries that count and summarising them, and the same summary as a "
        "1EdTech CLR 2.0 credential."
    )
    demo.run("logbook", "complete", str(paths["book"]), "--issuer", "welding-school", "--record", str(record))
    demo.step(
        "23. Amina shares her logbook with an employer abroad: an extract of the entries the qualification "
        "counted, with their proofs, the school's revocation record and the qualification."
    )
    extract = paths["programme"].parent / "amina-logbook-extract.json"
    demo.run("logbook", "share", str(paths["book"]), "--out", str(extract), "--record", str(record))
    demo.step(
        "24. The employer checks each entry against the registry: both signatures, the signer's "
        "authorisation on that date, the day anchor, the entry's status, that it is Amina's, and that each "
        "is in the qualification's logbook root: all valid. Shared with every entry (--all), Omar's day-2 "
        "sign-off, which the qualification did not count, shows as not valid and says why (exit code 1: not "
        "everything shown is valid), and the report says the qualification still stands. The same check is "
        "on the service's page, /logbook."
    )
    demo.run("logbook", "verify", str(extract), "--trust-list", str(trust_list))
    everything = extract.with_name("amina-logbook-all.json")
    demo.run("logbook", "share", str(paths["book"]), "--all", "--out", str(everything), "--record", str(record))
    demo.run("logbook", "verify", str(everything), "--trust-list", str(trust_list), expect=1)


def apprenticeship(demo: Any, files: Any) -> None:
    """Steps 18 to 24, in the demo's files directory (`files/logbook/`)."""
    paths = programme(demo, files.directory / "logbook")
    since = days(demo, paths)
    record = revoked_for_cause(demo, paths, since)
    qualification(demo, paths, record, files.trust_list)
