"""`make demo` is one of the two commands the README promises: run it whole, so it cannot rot.

It starts its own anvil on a free port. Run here as `make demo KEEP=DIR` runs it (`--keep DIR`),
so the files it leaves for a newcomer are checked too: the credentials, the passport and the
chain's state, from which the chain starts again and gives the same verdict it printed last.
Without --keep the same story runs in a temporary directory that is removed at the end.

The story runs in the test process (scripts/demo.py's main, each step's `registry` command line
through registry.cli.main as tests/helpers/commands.py runs it, its anvil a real process): 57
Python starts less. The script as a process is run by the last test, and the lines it prints to
look again run the `registry` console script, in bash, as a newcomer would.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from registry.chain.node import AnvilNode, free_port
from tests.helpers.commands import registry_in_process

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo.py"


# Hang guards, not speed bounds: the demo alone took 155 s of its 240 s guard in a full run beside
# other work, and the whole test had pytest's 300 s.
def run_demo_here(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """scripts/demo.py's main(argv) in this process, its steps' commands in this process too; its
    exit code and what it printed, as a finished process's."""
    monkeypatch.syspath_prepend(str(DEMO.parent))  # as `python scripts/demo.py` has it: demo_rpl, demo_logbook
    monkeypatch.chdir(ROOT)
    spec = importlib.util.spec_from_file_location("demo", DEMO)
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "demo", demo)  # its dataclasses look their module up there
    spec.loader.exec_module(demo)
    monkeypatch.setattr(demo.Demo, "command", staticmethod(registry_in_process))
    try:
        code = demo.main(argv)
    except SystemExit as stopped:  # "demo stopped: ..." as the process ends with it
        print(stopped.code, file=sys.stderr)
        code = 1
    said = capsys.readouterr()
    return subprocess.CompletedProcess([str(DEMO), *argv], code, said.out, said.err)


@pytest.mark.timeout(900)
def test_the_demo_tells_the_whole_story_and_keeps_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "kept"
    result = run_demo_here(["--keep", str(kept)], monkeypatch, capsys)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    # The order of the story: valid, a cohort, a valid passport, then revoked inside the passport.
    milestones = [
        "TRUSTED",
        "VALID: every check passed",
        "issued 3 credentials; cohort root",
        "VALID: all 2 credentials valid",
        "revoked 1 credential in block",
        "NOT ALL VALID: 1 of 2 credentials valid",
        "REVOKED: revoked on",
        "COULD NOT DETERMINE",
        # Recognition of prior learning (issue #17): RPL at home, work abroad attested and recognised.
        "issued RPL credential 'MIG/MAG welding (recognised prior learning)'",
        "assurance: a work-experience attestation by a registered organisation",
        # The decision published by the destination's recognition office, a recognition body its authority accredited.
        "Destination recognition office (did:ebsi:",
        "accredited as TAO by Destination vocational authority (did:ebsi:",
        "published by Destination recognition office (did:ebsi:",
        "recognition by Destination recognition office: recognised here as Schweißer/in (Teilqualifikation) (level 3",
        "matched: Fillet weld, 6 mm plate (Photograph)",
        "issued RPL credential 'MIG/MAG welding, level 2 (recognised prior learning)'",
        "matched: Work experience: welder (Work experience attestation)",
        # Amina's apprenticeship logbook (scripts/demo_logbook.py): days 1, then 2 and 3 anchored together.
        "anchored 2 entries of 1 logbook",
        "anchored 4 entries of 1 logbook",
        ") for cause from",  # revoked FILE (Omar Haddou (did:key:…)) for cause from DAY
        "' issued to Amina Haddad (did:key:",  # the qualification, by name
        "shared the 5 entries the qualification counted",
        "valid: 5 entries of logbook",
        "not valid: 6 entries of logbook",
        "the qualification stands, and every entry shown that it counted is valid",
        "are not trusted",
        f"Local chain stopped; the demo's files are kept in {kept}",
    ]
    positions = [out.find(text) for text in milestones]
    assert -1 not in positions, [m for m, p in zip(milestones, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert "Traceback" not in out + result.stderr
    files = kept / "files"
    for name in ("amina-welding.json", "amina-passport.json", "safety-course.csv", "destination-trusted-roots.json"):
        assert (files / name).is_file() and f"files/{name}" in out
    assert len(list((files / "safety-course").glob("*.json"))) == 3
    assert (files / "logbook" / "amina-logbook-extract.json").is_file()
    assert out.count(": valid") >= 5 and out.count("h: not valid") == 1  # only Omar's day-2 sign-off
    assert (kept / "deployment.json").is_file() and (kept / "node" / "state.json").is_file()
    look_again(kept, out)


def look_again(kept: Path, out: str) -> None:
    """The lines the demo tells a newcomer to run afterwards, as printed (on a free port instead of
    its 18546): the chain starts again from its state and gives the verdict the demo gave last."""
    lines = out[out.index("To look again") : out.index("(the passport: NOT ALL VALID")].splitlines()[1:]
    assert [line.split()[:2] for line in lines][1:] == [
        ["registry", "node"],
        ["registry", "verify"],
        ["registry", "node"],
    ]
    assert lines[0].split()[:2] == ["export", f'PATH={Path(sys.executable).parent}:"$PATH"']
    script = "\n".join(line.strip() for line in lines).replace("18546", str(free_port()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    try:
        again = subprocess.run(["bash", "-u", "-c", script], env=env, capture_output=True, text=True, timeout=90)
    finally:
        AnvilNode(kept / "node").stop()
    assert "NOT ALL VALID: 1 of 2 credentials valid" in again.stdout and "REVOKED: revoked on" in again.stdout
    assert again.stdout.rstrip().endswith("anvil stopped"), again.stdout[-2000:] + again.stderr


def test_the_demo_refuses_to_keep_its_files_among_others(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("a newcomer's own file")
    result = subprocess.run([sys.executable, str(DEMO), "--keep", str(tmp_path)], capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 2 and "is not an empty directory: give a new or empty one" in result.stderr
    assert "Traceback" not in result.stderr and sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]
