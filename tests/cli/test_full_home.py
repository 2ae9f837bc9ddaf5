"""A home on a full disk or a read-only file system while a key is made or a wallet takes
credentials (a real tmpfs: needs root, skipped otherwise): one line naming the file, the problem
and what to do, exit 74, nothing half-written, and the same command works once there is room.
(Issuing onto a full disk: tests/ops/test_writer_faults.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.cli import main
from registry.formats import credential as vcfmt
from registry.ops.wallet import Wallet
from tests.ops.test_wallet import credential
from tests.ops.test_writer_faults import _fill, one_line_error, tmpfs

WALLET_PASSPHRASE = "her own words"


@dataclass
class Ran:
    returncode: int
    stderr: str


def _registry(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> Ran:
    """`registry --home HOME ARGS` as the console script runs it (cli.main: every error one line
    with its exit code), in this process: a subprocess per command would cost a second each."""
    os.environ.update(REGISTRY_PASSPHRASE="centre words", REGISTRY_WALLET_PASSPHRASE=WALLET_PASSPHRASE)
    sys.argv = ["registry", "--home", str(home), *args]
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main()
    return Ran(int(ended.value.code or 0), capsys.readouterr().err)


def test_a_full_or_read_only_home_is_one_line_and_leaves_no_key_or_credential_half_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", sys.argv)  # put back after the runs below
    for name in ("REGISTRY_PASSPHRASE", "REGISTRY_WALLET_PASSPHRASE"):
        monkeypatch.setenv(name, "")
    with tmpfs(tmp_path / "small", "256k") as mount:
        home = mount / "home"
        wallet = Wallet(home / "wallet")
        did = wallet.create(WALLET_PASSPHRASE)[0].did
        offered = tmp_path / "welding.json"
        offered_token = credential(did)
        offered.write_text(vcfmt.HolderFile(offered_token).dumps())
        second = tmp_path / "brazing.json"
        second.write_text(vcfmt.HolderFile(credential(did, "Brazing")).dumps())
        filler = _fill(mount)
        full = _registry(capsys, home, "identity", "create", "centre")
        assert full.returncode == 74, full.stdout + full.stderr
        assert one_line_error(full) == (
            f"error: cannot write {home}/keys/centre.json: No space left on device; free some space, then run "
            "the command again"
        )
        refused = _registry(capsys, home, "wallet", "import", str(offered))
        assert refused.returncode == 74
        assert "No space left on device; nothing was imported; free some space" in one_line_error(refused)
        assert sorted(p.name for p in (home / "keys").iterdir()) == []  # no temporary file either
        assert wallet.entries() == [] and list((home / "wallet" / "credentials").iterdir()) == []
        # Room for one credential of two (a tmpfs counts 4 KiB pages; each file takes one).
        os.truncate(filler, (-(-filler.stat().st_size // 4096) - 1) * 4096)
        half = _registry(capsys, home, "wallet", "import", str(offered), str(second))
        assert half.returncode == 74
        assert one_line_error(half).startswith(f"error: cannot write {home}/wallet/credentials/")
        assert (
            f"No space left on device; imported 1 of 2 credentials ({offered}), not the rest; free some "
            "space, then run the command again (what is already in the wallet is left as it is)"
        ) in one_line_error(half)
        assert [e.holder_file.credential for e in wallet.entries()] == [offered_token]
        assert len(list((home / "wallet" / "credentials").iterdir())) == 1  # the second: no half, no temporary
        filler.unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        read_only = _registry(capsys, home, "identity", "create", "centre")
        assert read_only.returncode == 74
        assert "Read-only file system; its file system is read-only: make it writable" in one_line_error(read_only)
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        assert _registry(capsys, home, "identity", "create", "centre").returncode == 0
        taken = _registry(capsys, home, "wallet", "import", str(offered), str(second))  # the same command again
        assert taken.returncode == 0, taken.stderr
        assert len(wallet.entries()) == 2
