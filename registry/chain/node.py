"""A managed local anvil node: start, stop, status, with its state kept in a data directory.

anvil is the real binary from the pinned npm package `@foundry-rs/anvil`. Its state is loaded
from and dumped to `<node dir>/state.json` (every second and at exit), so a node restarted from
the same directory still holds the deployed registry and everything written to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from registry.durable import advice, write_bytes_atomic
from registry.errors import NodeError, StateError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHAIN_ID = 31337
# anvil's first dev account: publicly known, funded on every anvil chain, never valid elsewhere.
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def anvil_binary() -> str:
    """The anvil executable: $REGISTRY_ANVIL, the npm package's binary, or anvil on PATH."""
    explicit = os.environ.get("REGISTRY_ANVIL")
    candidates = [
        explicit,
        str(PROJECT_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"),
        str(PROJECT_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-arm64" / "bin" / "anvil"),
        shutil.which("anvil"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise NodeError("anvil not found: run `npm ci` (make does this) or set REGISTRY_ANVIL")


def free_port() -> int:
    """A loopback port nothing listens on, held back from other processes' free-port picks for a
    minute: a connection to it is made and closed from the listening side, which leaves the port
    in TIME_WAIT. The kernel never hands such a port to bind(("127.0.0.1", 0)) (the way every
    process here picks one), while a server binding it by number with SO_REUSEADDR (anvil,
    uvicorn, Python's and Node's HTTP servers) still can. Closed at once, the port went back to the
    pool: about one bind in 15,000 got it again, so a second test worker could start its server on
    the port before the first."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        address = listener.getsockname()
        with socket.create_connection(address):
            accepted, _ = listener.accept()
            accepted.close()  # closed first on the listening side: its port waits in TIME_WAIT
        port: int = address[1]
        return port


def rpc_ready(url: str, timeout_s: float = 1.0) -> bool:
    try:
        response = requests.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            timeout=timeout_s,
        )
        return response.ok and "result" in response.json()
    except (requests.RequestException, ValueError):
        return False


@dataclass(frozen=True)
class NodeInfo:
    pid: int
    port: int
    rpc_url: str
    data_dir: str
    running: bool


class AnvilNode:
    """An anvil process bound to a data directory (pid file, log, state file)."""

    def __init__(
        self, data_dir: Path, port: int = 8545, chain_id: int = DEFAULT_CHAIN_ID, state_interval_s: int = 1
    ) -> None:
        self.data_dir = data_dir
        self.port = port
        self.chain_id = chain_id
        self.state_interval_s = state_interval_s

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "anvil.json"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "state.json"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "anvil.log"

    @property
    def cache_dir(self) -> Path:
        """Where anvil keeps the block states it moves out of memory. Its default is one shared
        ~/.foundry/anvil/tmp, where the snapshots of a killed node stay for ever (62 GB once, over a
        day of test runs); under the data directory they go when the node's directory goes."""
        return self.data_dir / "states"

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _recorded(self) -> dict[str, int] | None:
        """The node this directory started (its pid file), None when there is none or the process it
        names is another: a home copied while its node ran (a backup, `cp -r`) carries the pid file of
        the original's node, and `node stop` from the copy stopped the original's chain."""
        try:
            data = json.loads(self.pid_file.read_text())
            recorded = {"pid": int(data["pid"]), "port": int(data["port"])}
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return recorded if self._keeps_this_state(recorded["pid"]) else None

    def _keeps_this_state(self, pid: int) -> bool:
        """Whether process `pid` is an anvil keeping its state in this directory's state file (True
        where that cannot be read: no /proc, or a process gone, which the callers check)."""
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            return True
        given = [argv[n + 1] for n, arg in enumerate(argv[:-1]) if arg == b"--state"]
        if not given:
            return False
        return (cwd / os.fsdecode(given[-1])).resolve() == self.state_file.resolve()

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A zombie child still answers kill(0); reap it if it is ours.
        with contextlib.suppress(ChildProcessError):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return False
        return True

    def status(self) -> NodeInfo | None:
        recorded = self._recorded()
        if recorded is None:
            return None
        url = f"http://127.0.0.1:{recorded['port']}"
        running = self._alive(recorded["pid"]) and rpc_ready(url)
        return NodeInfo(recorded["pid"], recorded["port"], url, str(self.data_dir), running)

    def start(self, *, extra_args: list[str] | None = None, timeout_s: float = 30.0) -> NodeInfo:
        current = self.status()
        if current and current.running:
            return current
        if rpc_ready(self.rpc_url, 0.5):
            raise NodeError(
                f"port {self.port} already serves a chain that {self.data_dir} did not start: stop that node "
                "(`registry node stop` with the home that started it) or start this one with another --port"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            anvil_binary(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--state",
            str(self.state_file),
            "--state-interval",
            str(self.state_interval_s),
            "--cache-path",
            str(self.cache_dir),
            *(extra_args or []),
        ]
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:  # unrecorded, the node could never be stopped or found again: stopped at once instead
            write_bytes_atomic(self.pid_file, json.dumps({"pid": process.pid, "port": self.port}).encode())
        except OSError as exc:
            self._terminate(process.pid)
            said = f"cannot write {self.pid_file}: {exc.strerror}{advice(exc)}"
            raise StateError(f"{said} (the node it started was stopped)") from None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise self._exited()
            if rpc_ready(self.rpc_url, 0.5):
                return NodeInfo(process.pid, self.port, self.rpc_url, str(self.data_dir), True)
            time.sleep(0.1)
        self._terminate(process.pid)
        raise NodeError(f"anvil did not answer on {self.rpc_url} within {timeout_s:.0f} s")

    def _exited(self) -> NodeError:
        """Why anvil exited at start, from its log: its own "error:" line (its last line is often
        "For more information, try '--help'."), said with what to do where that is known."""
        lines = [line.strip() for line in self.log_file.read_text(errors="replace").splitlines() if line.strip()]
        said = next((line for line in reversed(lines) if line.lower().startswith("error")), lines[-1] if lines else "")
        if "address already in use" in said.lower():  # another program (not a chain) holds the port
            return NodeError(
                f"port {self.port} is in use by another program on this machine: start the node with "
                "another --port (and name it in REGISTRY_RPC_URL or `registry config set rpc-url`)"
            )
        if "--state" in said:  # anvil could not read the chain's saved state (a cut or damaged file)
            return NodeError(
                f"the node's state file {self.state_file} cannot be read ({said.split(': ', 1)[-1][:160]}): put "
                "back a copy of it, "
                "or move it aside to start an empty chain"
            )
        return NodeError(f"anvil exited at start: {said[:200] or 'no output'}")

    def stop(self, timeout_s: float = 15.0) -> bool:
        """Stop the node (it dumps its state on SIGTERM). False if nothing was running."""
        recorded = self._recorded()
        if recorded is None or not self._alive(recorded["pid"]):
            self.pid_file.unlink(missing_ok=True)
            return False
        self._terminate(recorded["pid"], timeout_s)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL: no state dump at exit (tests use it to lose the last writes)."""
        recorded = self._recorded()
        if recorded and self._alive(recorded["pid"]):
            os.kill(recorded["pid"], signal.SIGKILL)
            self._wait_gone(recorded["pid"], 10.0)
        self.pid_file.unlink(missing_ok=True)

    def _terminate(self, pid: int, timeout_s: float = 15.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout_s):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 5.0)

    def _wait_gone(self, pid: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self._alive(pid):
                return True
            time.sleep(0.05)
        return False
