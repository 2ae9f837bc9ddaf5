"""README.md's quickstarts, run as written: every ```sh block under "## Quickstarts", in order, in
one bash (-euo pipefail) as a newcomer pasting them into one terminal would, from the repository's
directory. Their trial directory lands in this test's tmp_path (TMPDIR, for `mktemp -d`); the only
change made to the text is the two ports (the chain's 18545 and the service's 18080, each
replaced by a free port, so parallel runs do not collide). A README that drifts from the CLI fails
here: a command or option that no longer exists stops the script (set -e), and the verdicts the
text promises are checked in each block's output.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from registry.chain.node import AnvilNode, free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CHAIN_PORT, SERVICE_PORT = "18545", "18080"
MARK = "::quickstart block {}::"


def quickstart_blocks(text: str) -> list[str]:
    """The ```sh blocks between the "## Quickstarts" heading and the next level-2 heading."""
    start = text.index("\n## Quickstarts\n")
    end = text.find("\n## ", start + 1)
    return re.findall(r"^```sh\n(.*?)^```$", text[start : end if end != -1 else len(text)], re.S | re.M)


def script_of(blocks: list[str], chain_port: int, service_port: int) -> str:
    parts = []
    for n, block in enumerate(blocks, 1):
        block = block.replace(CHAIN_PORT, str(chain_port)).replace(SERVICE_PORT, str(service_port))
        parts.append(f'echo "{MARK.format(n)}"\n{block}')
    return "\n".join(parts)


def split_output(stdout: str, count: int) -> list[str]:
    pieces = []
    for n in range(1, count + 1):
        start = stdout.index(MARK.format(n))
        end = stdout.find(MARK.format(n + 1))
        pieces.append(stdout[start : end if end != -1 else len(stdout)])
    return pieces


def stop_leftovers(tmp_path: Path, bash: subprocess.Popen[str]) -> None:
    """Whatever the script left running when it failed half-way: the service (in bash's process
    group) and the anvil `registry node start` started (in a session of its own, with a pid file)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(bash.pid, signal.SIGTERM)
    for node_dir in tmp_path.glob("*/network/node"):
        AnvilNode(node_dir).stop()


def run_quickstarts(tmp_path: Path, chain_port: int, service_port: int) -> tuple[list[str], float]:
    """Every quickstart block in one bash; each block's output, and the wall time of the run."""
    text = README.read_text()
    assert CHAIN_PORT in text and SERVICE_PORT in text  # the ports this test moves
    blocks = quickstart_blocks(text)
    assert len(blocks) == 8, "one block per kind of user, then the clean-up"
    assert (ROOT / ".venv" / "bin" / "registry").exists(), "the quickstarts run the repository's .venv (make bootstrap)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(TMPDIR=str(tmp_path), COLUMNS="200")
    started = time.monotonic()
    bash = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script_of(blocks, chain_port, service_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = bash.communicate(timeout=240)
    finally:
        stop_leftovers(tmp_path, bash)
    assert bash.returncode == 0, f"a quickstart stopped (exit {bash.returncode}):\n{out[-4000:]}"
    assert "Traceback" not in out and "warning:" not in out and "hint:" not in out
    return split_output(out, len(blocks)), time.monotonic() - started


def check_employer(employer: str, trial: Path) -> None:
    # The employer's home is fresh: no deployment file, only the trust list it made.
    assert sorted(p.name for p in (trial / "employer").iterdir()) == ["trust-list.json"]
    assert "amina-passport.json: VALID: all 2 credentials valid" in employer
    assert "audience: made for 'Employer GmbH'" in employer
    assert "checked in the registry the file names" in employer
    assert re.search(r"^safety/3-chidi-\S+\.json: REVOKED: revoked on .*: issued in error$", employer, re.M)
    assert "amina-welding.json: ROOT NOT TRUSTED: genuine and anchored" in employer
    # No trust list: the root by the name it gave itself at onboarding, marked as such (DIDs shortened).
    assert "Root TAO did:ebsi:" in employer and (
        '(self-declared name "National Vocational Authority", not from a trust list), which you have not said you trust'
        in employer
    ), employer
    assert re.findall(r"^exit code \d+", employer, re.M) == ["exit code 1", "exit code 1"]


def test_the_readme_quickstarts_run_as_written(tmp_path: Path) -> None:
    chain_port, service_port = free_port(), free_port()
    outputs, elapsed = run_quickstarts(tmp_path, chain_port, service_port)
    network, centre, worker, employer, authority, recognition, rpl, cleanup = outputs
    (trial,) = (p for p in tmp_path.iterdir() if (p / "network").is_dir())

    assert "is a Root TAO" in network and network.count("accredited as T") == 2
    root = re.search(r"^root (did:ebsi:\S+);", network, re.M)
    assert root, network[-2000:]

    # The issuer by its accreditation's legal name, the holder by hers and her did:key shortened.
    assert re.search(
        r"^issued 'MIG/MAG welding, level 2' by Northside Training Centre \(training-centre\) to Amina Haddad "
        r"\(did:key:\S{21}…\S{10}\)$",
        centre,
        re.M,
    ), centre
    assert "issued 3 credentials; cohort root" in centre
    assert "revoked 1 credential in block" in centre

    passport = r"^passport of Amina Haddad \(did:key:\S+…\S+\) with 2 credentials written to amina-passport"
    assert re.search(passport, worker, re.M), worker

    check_employer(employer, trial)

    assert re.search(  # the issuer by its legal name first
        rf"^Northside Training Centre \(did:ebsi:\S+\): TRUSTED — accredited through an unbroken chain to Root TAO "
        rf"{root[1]} \(National Vocational",
        authority,
        re.M,
    ), authority
    # The history, each party by the legal name its accreditation states.
    assert re.search(r"^Northside Training Centre \(did:ebsi:\S+\): 1 accreditation$", authority, re.M), authority
    assert re.search(r"^ +1 +\S+Z +block \d+ +accredited by Vocational Accreditation Body \(did:ebsi:", authority, re.M)
    assert "amina-passport.json: VALID: all 2 credentials valid" in authority
    listed = json.loads(next(line for line in authority.splitlines() if line.startswith('{"configured"')))
    assert listed["name"] == "Destination labour authority" and [r["did"] for r in listed["roots"]] == [root[1]]
    assert f"verified via http://127.0.0.1:{service_port}" in authority
    assert f"web page: http://127.0.0.1:{service_port}/" in authority

    assert "published by Federal Recognition Office (did:ebsi:" in recognition, recognition  # its legal name
    assert "ACTIVE, recognised here as Schweißer/in" in recognition
    assert (
        "recognition by Federal Recognition Office: recognised here as Schweißer/in (MIG/MAG) (level 4 of German "
        "Qualifications" in recognition
    )
    # The worker prints her passport for there, under the destination's list: verified, the finding on its page.
    assert re.search(r"amina-passport-de\.pdf: 2 credentials, VALID: all 2 credentials valid", recognition), recognition

    assert "issued RPL credential 'MIG/MAG welding (recognised prior learning)'" in rpl
    # Who issued it, to whom, and who assessed her, each by name; the employer's attestation likewise.
    assert " by Eastside RPL Centre (rpl-centre) to Amina Haddad (did:key:" in rpl and "assessed by Yusuf Demir" in rpl
    assert "Stahlbau Nord GmbH (stahlbau) attested work as welder for Amina Haddad (did:key:" in rpl
    assert "evidence: 1 of 3 evidence items shown and matched, 0 altered (not valid), 2 not shown" in rpl
    assert "amina-work.json: VALID" in rpl and "assurance: a work-experience attestation by a registered" in rpl

    assert "anvil stopped" in cleanup
    assert not AnvilNode(trial / "network" / "node").pid_file.exists()
    print(f"quickstarts ran in {elapsed:.1f} s")
