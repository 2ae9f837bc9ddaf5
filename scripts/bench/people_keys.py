"""Key creation for a class of people who have no key: the roster path of `registry issue`.

Times `make_people` and `write_handovers` (registry/ops/people.py) for N people, wall time, as
`registry issue --roster` runs them: a fresh P-256 key each, one handover file each under a
one-time passphrase at the handover cost (HANDOVER_SCRYPT_N), the sheet, and the centre's
pending records. For comparison, one key file at the keystore's default cost (2^18) is timed and
multiplied by N: what `identity create --person` N times would spend deriving keys.

    .venv/bin/python scripts/bench/people_keys.py            # prints the figures
    .venv/bin/python scripts/bench/people_keys.py --write    # and writes docs/PERFORMANCE-keys.md

PERFORMANCE.md copies docs/PERFORMANCE-keys.md in when `make bench` generates it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from registry.formats.credential import Achievement
from registry.keystore import DEFAULT_SCRYPT_N, identity_document, new_natural_person
from registry.ops.handover import HANDOVER_SCRYPT_N
from registry.ops.people import make_people, write_handovers

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "PERFORMANCE-keys.md"
HEADING = "## Keys for a class of people without one"
NAMES = ["Kwame Mensah", "Siobhán O'Brien", "محمد الأحمد", "Nguyễn Thị Minh Khai", "Амина Юсупова"]


def one_class(people: int) -> float:
    """Wall seconds to make `people` keys and their handover files, as the roster path does."""
    achievement = Achievement("Welding", "Welding", "Assessed.")
    rows = [("", Achievement(**{**achievement.__dict__, "holder_name": f"{NAMES[n % 5]} {n}"})) for n in range(people)]
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        start = time.perf_counter()
        _, made = make_people(rows)
        write_handovers(home, made, Path(scratch) / "cohort-keys")
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    args = parser.parse_args()
    times = [one_class(args.people) for _ in range(args.runs)]
    start = time.perf_counter()
    identity_document(new_natural_person("x"), "a passphrase", DEFAULT_SCRYPT_N)
    full = time.perf_counter() - start
    load = os.getloadavg()
    text = "\n".join([
        HEADING, "",
        f"Measured {datetime.now(UTC).isoformat(timespec='seconds')} by `scripts/bench/people_keys.py` "
        f"({os.cpu_count()} cores, load average {load[0]:.2f} at the end): `registry issue --roster` making keys "
        f"for {args.people} people named without a did:key, one handover file each under a one-time passphrase "
        f"at scrypt cost 2^{HANDOVER_SCRYPT_N.bit_length() - 1}, the passphrase sheet and the centre's pending "
        f"records: **{statistics.median(times):.2f} s** wall time (median of {args.runs}; slowest "
        f"{max(times):.2f} s; target under 10 s). One key file at the keystore's default cost "
        f"(2^{DEFAULT_SCRYPT_N.bit_length() - 1}) took {full:.2f} s here, so {args.people} people at that cost "
        f"would spend about {full * args.people:.0f} s; why the lower cost is sound for a one-time passphrase is "
        "in docs/SECURITY.md (\"Keys made for people\").",
        "",
    ])  # fmt: skip
    print(text)
    if args.write:
        DOC.write_text(text)


if __name__ == "__main__":
    main()
