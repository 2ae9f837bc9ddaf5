"""Every file a command line names is read within its cap, and only if it is a file (issue 19,
item 9): `/dev/zero` as stdin or as a file option, a sparse file of several GB, a FIFO with no
writer. Each gets a one-line error and its exit code at once: 64 for `verify` and `issuer check`
(a command-line mistake is never a verdict), 1 for the other commands; a deployment file that
cannot be used is "could not determine" (2), as a missing one is.

The real console script runs under a 1 GiB address-space limit, so reading such an input whole
fails the test (MemoryError, a traceback) instead of the machine; a FIFO read blocks until the
timeout, which fails it too.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from registry.errors import InputError
from registry.files import read_capped
from tests.conftest import PASSPHRASE

MEMORY_LIMIT = 1 << 30
TIMEOUT_S = 30
DEAD_RPC = "http://127.0.0.1:9"  # nothing here is asked of a chain


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def registry(
    home: Path, *args: str, stdin: object = subprocess.DEVNULL, preexec: Any = _limited
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "registry", "--home", str(home), *args],
        stdin=stdin,  # type: ignore[arg-type]
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_S,
        preexec_fn=preexec,
    )
    assert time.monotonic() - started < TIMEOUT_S
    return result


def one_line_error(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == code, (result.returncode, result.stdout[-500:], result.stderr[-500:])
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def sparse(tmp_path: Path) -> Path:
    """8 GiB that take no disk: a read of it whole needs 8 GiB of memory."""
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(8 << 30)
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "roots.json"
    os.mkfifo(path)
    return path


@pytest.fixture
def credential(tmp_path: Path) -> Path:
    path = tmp_path / "c.json"
    path.write_text("{}")
    return path


def test_verify_reads_at_most_its_cap_of_stdin(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zeros:
        result = registry(tmp_path, "verify", "--rpc", DEAD_RPC, "-", stdin=zeros)
    one_line_error(result, 64, "stdin is larger than 2 MiB")


def test_verify_with_stdin_closed_is_one_line(tmp_path: Path) -> None:
    def closed_stdin() -> None:
        _limited()
        os.close(0)

    result = registry(tmp_path, "verify", "--rpc", DEAD_RPC, "-", preexec=closed_stdin)
    one_line_error(result, 64, "stdin is closed")


def test_verify_refuses_a_sparse_file_of_gigabytes_without_reading_it(tmp_path: Path, sparse: Path) -> None:
    result = registry(tmp_path, "verify", "--rpc", DEAD_RPC, str(sparse))
    one_line_error(result, 64, f"{sparse} is larger than 2 MiB")
    result = registry(tmp_path, "verify", "--rpc", DEAD_RPC, "-", stdin=sparse.open("rb"))
    one_line_error(result, 64, "stdin is larger than 2 MiB")


def test_a_file_larger_than_a_credential_is_refused_not_judged(tmp_path: Path, credential: Path) -> None:
    """1-2 MiB (a big PDF's text, a big JSON): above a credential file's 1 MiB and no passport, it is
    refused as too large (64), not INVALID; with another file, before any report is printed."""
    big = tmp_path / "big.json"
    big.write_text('{"type": ["VerifiableCredential"], "pad": "' + "x" * 1_500_000 + '"}')
    result = registry(tmp_path, "verify", "--rpc", DEAD_RPC, str(credential), str(big))
    limits = "at most 1 MiB, a skills passport 2 MiB"
    one_line_error(result, 64, f"{big} is 1.5 MiB: too large to be a credential", limits)
    assert result.stdout == ""
    # Under 1 MiB, but its JWT above a token's 256 KiB: refused as too large too, before any report.
    big.write_text('{"format": "skills-credential/1", "credential": "eyJ' + "x" * 300_000 + '.e30.AA"}')
    result = registry(tmp_path, "verify", "--rpc", DEAD_RPC, str(credential), str(big))
    one_line_error(result, 64, f"{big} is 294 KiB: too large, its JWT is 293 KiB (a JWT is at most 256 KiB)")
    assert result.stdout == ""


def test_only_a_skills_passport_may_be_larger_than_a_credential_file() -> None:
    from registry.ops.inputs import credential_sized

    pad = "x" * 1_100_000
    credential_sized("p.json", '{"format": "skills-passport/1", "pad": "' + pad + '"}')  # judged, not refused
    with pytest.raises(InputError, match=r"^c.json is 1.1 MiB: too large to be a credential"):
        credential_sized("c.json", '{"format": "skills-credential/1", "pad": "' + pad + '"}')
    # A bare JWT (what a wallet or a QR code carries) above a token's 256 KiB: refused too, not INVALID.
    with pytest.raises(InputError, match=r"^t.jwt is 293 KiB: too large to be a credential's token \(a JWT is at most"):
        credential_sized("t.jwt", b"eyJ" + b"x" * 300_000)
    credential_sized("f.json", b'{"credential": "eyJ' + b"x" * 300_000 + b'"}')  # a file: its parser judges it
    # A credential file's or a passport's JWT above 256 KiB (the file under its own limit): too large, not INVALID.
    for kind, field in (("skills-credential/1", "credential"), ("skills-passport/1", "presentation")):
        with pytest.raises(InputError, match=r"^h.json is 293 KiB: too large, its JWT is 293 KiB \(a JWT is at most"):
            credential_sized("h.json", f'{{"format": "{kind}", "{field}": "eyJ{"x" * 299_950}"}}')


@pytest.mark.parametrize("command", [["verify", "--rpc", DEAD_RPC], ["issuer", "check", "--rpc", DEAD_RPC]])
def test_a_trust_list_that_is_a_device_a_fifo_or_huge_is_a_command_line_error(
    tmp_path: Path, sparse: Path, fifo: Path, credential: Path, command: list[str]
) -> None:
    target = str(credential) if command[0] == "verify" else "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1"
    for trust_list, named in ((Path("/dev/zero"), "not a regular file"), (fifo, "not a regular file"),
                              (sparse, "larger than 1 MiB")):  # fmt: skip
        result = registry(tmp_path, *command, "--trust-list", str(trust_list), target)
        one_line_error(result, 64, f"trust list {trust_list}", named)


def test_a_deployment_file_that_is_a_device_or_a_fifo_cannot_be_used(
    tmp_path: Path, fifo: Path, credential: Path
) -> None:
    for deployment in (Path("/dev/zero"), fifo):
        result = registry(tmp_path, "verify", "--rpc", DEAD_RPC, "--deployment", str(deployment), str(credential))
        assert "Traceback" not in result.stderr, result.stderr[-2000:]
        assert result.returncode in (1, 2)  # "{}" is not a credential: not valid, before any chain read
        result = registry(tmp_path, "issuer", "check", "did:ebsi:zsSgDXeYPhZ3AuKhTFneDf1", "--rpc", DEAD_RPC,
                          "--deployment", str(deployment))  # fmt: skip
        one_line_error(result, 2, f"deployment file {deployment} is not a regular file")


def test_roster_csv_and_passport_inputs_are_bounded(tmp_path: Path, sparse: Path, fifo: Path) -> None:
    roster = registry(
        tmp_path, "issue", "--issuer", "nobody", "--roster", "/dev/zero", "--out-dir", str(tmp_path / "o")
    )
    one_line_error(roster, 1, "roster /dev/zero is not a regular file")
    csv_fifo = tmp_path / "list.csv"
    os.mkfifo(csv_fifo)
    revoke = registry(tmp_path, "revoke", "--issuer", "nobody", "--rpc", DEAD_RPC, str(csv_fifo))
    one_line_error(revoke, 1, f"CSV {csv_fifo} is not a regular file")
    huge_csv = sparse.rename(tmp_path / "huge.csv")
    revoke = registry(tmp_path, "revoke", "--issuer", "nobody", "--rpc", DEAD_RPC, str(huge_csv))
    one_line_error(revoke, 1, f"CSV {huge_csv} is larger than 64 MiB")
    passport = registry(tmp_path, "passport", "create", "--holder", "nobody", "--out", str(tmp_path / "p.json"),
                        str(fifo))  # fmt: skip
    one_line_error(passport, 1, f"{fifo} is not a regular file")


def test_read_capped_refuses_what_is_not_a_file_and_stops_at_the_cap(tmp_path: Path, fifo: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_capped(tmp_path, 10)
    with pytest.raises(InputError, match="not a regular file"):
        read_capped(fifo, 10)  # opened without blocking, then refused
    with pytest.raises(InputError, match="no such file"):
        read_capped(tmp_path / "nope", 10)
    exact = tmp_path / "ten"
    exact.write_bytes(b"x" * 10)
    assert read_capped(exact, 10) == b"x" * 10
    with pytest.raises(InputError, match="ten is larger than 9 bytes"):
        read_capped(exact, 9)
