"""Crash points: the fault tests' hook into every step of a write.

`crash_point(step)` SIGKILLs this process when `REGISTRY_CRASH_AT` names the step, so the tests
(tests/chain/test_faults.py, tests/ops/test_writer_faults.py, tests/ops/test_logbook_faults.py) kill
a real writer where they mean to and check that the journal finishes what it left.
"""

from __future__ import annotations

import os
import signal

# Fault injection for the crash tests: the process SIGKILLs itself at the named step.
# Per transaction: before-send | after-send | after-receipt. Issuance: after-allocation |
# after-row | during-files | after-files. Batches: between-batch | before-publication. A logbook
# day (ops/logbook/days.py): after-allocation | after-files (its record) | after-row | during-files
# (the entry files, once the root is confirmed). A key rotation (ops/rotation.py): before-key-saved.
CRASH_ENV = "REGISTRY_CRASH_AT"


def crash_point(step: str) -> None:
    """SIGKILL this process at `step` when REGISTRY_CRASH_AT names it (the fault tests' hook)."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)
