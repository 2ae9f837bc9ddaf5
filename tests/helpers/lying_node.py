"""A lying JSON-RPC node for the tests: a loopback proxy in front of a real anvil that relays every
request and then, as the test tells it, rewrites answers per method (garbage of the wrong type, a
block without a timestamp, a non-hex call result, a DID document with an attacker's key...),
answers a batch with one object, or trickles its answer one byte at a time.

It is the node operator the threat model talks about: everything it says is what anvil said,
except what it chooses to change. (A plain module: test files import it, pytest_plugins do not.)
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from registry.chain.client import contract_abi
from registry.config import Settings
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.trust import IssuerType, Root, Trust, TrustList
from tests.conftest import (
    GOVERNANCE,
    ONE_YEAR,
    PASSPHRASE,
    ROOT_SCOPE,
    TAO_SCOPE,
    WELDING_SCOPE,
    forward,
    fund,
    welding_certificate,
)

# method -> (result, params) -> the result the node sends instead
Rewrite = Callable[[Any, list[Any]], Any]


class LyingNode(ThreadingHTTPServer):
    """Relays to `upstream`; `lies` rewrites results per method, `trickle` picks requests (by their
    raw body) whose whole HTTP answer, status line included, goes out one byte every
    `trickle_every_s`; `hold` picks requests whose answer waits until `released` is set (`holding`
    counts them as they arrive: a test waits for that count, never a sleep); `batch_as_object`
    answers a batch with its first answer alone; `rewrite_answer` changes the whole answer (a
    batch's list, say) last; `raw_answer` replaces every answer."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        node = self
        self.lies: dict[str, Rewrite] = {}
        self.trickle: Callable[[bytes], bool] | None = None
        self.trickle_every_s = 2.0
        self.batch_as_object = False
        self.rewrite_answer: Callable[[Any], Any] | None = None
        self.rewrite_request: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.raw_answer: bytes | None = None
        # request -> the JSON-RPC error the node answers it with instead (None: relayed), as a node's limit
        self.refuse: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
        self.trickled = 0
        self.hold: Callable[[bytes], bool] | None = None
        self.released = threading.Event()
        self.holding = 0
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = node.answer(upstream, body)
                head = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(answer)}\r\n\r\n"
                ).encode()
                trickle = node.trickle
                if trickle is not None and trickle(body):
                    with node._lock:
                        node.trickled += 1
                    self.close_connection = True
                    try:
                        for byte in head + answer:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(node.trickle_every_s)
                    except OSError:  # the client gave up: as it should
                        pass
                    return
                hold, released = node.hold, node.released
                if hold is not None and hold(body):
                    with node._lock:
                        node.holding += 1
                    released.wait(120)
                    self.close_connection = True
                with contextlib.suppress(OSError):  # a held answer's client may have given up meanwhile
                    self.wfile.write(head + answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def honest(self) -> None:
        self.lies = {}
        self.trickle = None
        self.trickle_every_s = 2.0
        self.batch_as_object = False
        self.rewrite_answer = None
        self.rewrite_request = None
        self.raw_answer = None
        self.refuse = None
        self.release()

    def release(self) -> None:
        """Every held answer goes out now; answers held from here on wait for the next release."""
        self.hold = None
        with self._lock:
            released, self.released, self.holding = self.released, threading.Event(), 0
        released.set()

    def wait_count(self, counter: str, count: int, timeout_s: float = 60) -> None:
        """Until `count` requests were trickled or are held (`counter`: "trickled" or "holding"),
        however slow the machine; not within `timeout_s` is a failure of the test, named."""
        deadline = time.monotonic() + timeout_s
        while getattr(self, counter) < count:
            assert time.monotonic() < deadline, f"{getattr(self, counter)} requests {counter}, not {count}"
            time.sleep(0.01)

    def answer(self, upstream: str, body: bytes) -> bytes:
        if self.raw_answer is not None:
            return self.raw_answer
        request = json.loads(body)
        change = self.rewrite_request
        if change is not None:
            request = [change(r) for r in request] if isinstance(request, list) else change(request)
            body = json.dumps(request).encode()
        answer = json.loads(forward(upstream, body))
        if self.refuse is not None:
            answer = self._refused(request, answer, self.refuse)
        if isinstance(request, list):
            methods = {r["id"]: (r["method"], r["params"]) for r in request}
            answer = [self._rewrite(a, *methods[a["id"]]) for a in answer]
            if self.batch_as_object:
                answer = answer[0]
        else:
            answer = self._rewrite(answer, request["method"], request["params"])
        if self.rewrite_answer is not None:
            answer = self.rewrite_answer(answer)
        return json.dumps(answer).encode()

    @staticmethod
    def _refused(request: Any, answer: Any, refuse: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Any:
        if not isinstance(request, list):
            error = refuse(request)
            return answer if error is None else {"jsonrpc": "2.0", "id": request.get("id"), "error": error}
        by_id = {r["id"]: r for r in request}
        return [
            a if (e := refuse(by_id[a["id"]])) is None else {"jsonrpc": "2.0", "id": a["id"], "error": e}
            for a in answer
        ]

    def _rewrite(self, answer: dict[str, Any], method: str, params: list[Any]) -> dict[str, Any]:
        lie = self.lies.get(method)
        if lie is None or "result" not in answer:
            return answer
        return {**answer, "result": lie(answer["result"], params)}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid-answer (one that stops reading a 17 MiB answer) is no fault of
        the node's: not printed. A command run in the test process shares its stderr with this
        node's threads, and a node's traceback there is not the command's."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close(self) -> None:
        self.shutdown()
        self.server_close()


# -- lies about contract reads ------------------------------------------------------------------


def stale_head(block: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A request-side lie: the node's "latest" is `block` (a replica stuck behind the chain), for
    every request naming "latest" (eth_blockNumber is not rewritten)."""
    tag = hex(block)

    def rewrite(request: dict[str, Any]) -> dict[str, Any]:
        return {**request, "params": [tag if p == "latest" else p for p in request.get("params", [])]}

    return rewrite


def selector(contract: str, function: str) -> str:
    return "0x" + contract_abi(contract).selector(function).hex()


def on_call(
    contract: str, function: str, change: Callable[[tuple[Any, ...]], tuple[Any, ...]], about: bytes = b""
) -> Rewrite:
    """An eth_call lie: the real answer to `function` (when its arguments hold `about`), decoded,
    changed by `change` and re-encoded; every other call passes unchanged."""
    from eth_abi import encode

    abi = contract_abi(contract)
    wanted = selector(contract, function)

    def rewrite(result: Any, params: list[Any]) -> Any:
        data = str(params[0].get("data", ""))
        if not data.startswith(wanted) or about.hex() not in data:
            return result
        values = change(abi.decode_output(function, result))
        return "0x" + encode(abi.output_types(function), list(values)).hex()

    return rewrite


# -- a world to lie about -----------------------------------------------------------------------


@dataclass
class World:
    settings: Settings
    registry: Registry
    issuer: Identity
    holder: Identity
    credential: Path
    node: LyingNode


def build_world(upstream: str, deployment_file: Path, home: Path) -> World:
    """An accredited issuer, one credential it issued, and a lying node in front of the chain."""
    settings = Settings(home=home / "home", rpc_urls=(upstream,), deployment_path=deployment_file)
    registry = Registry.connect(settings)
    keys = KeyStore(settings.keys_dir)
    root, tao, ti = (new_legal_entity(n) for n in ("authority", "accreditor", "school"))
    for identity in (root, tao, ti):
        fund(registry, identity)
        keys.save(identity, PASSPHRASE)
        registry.register_did(identity)
    trust = Trust(registry, "http://registry.test")
    until = int(time.time()) + ONE_YEAR
    root_attribute = trust.onboard_root(GOVERNANCE, root, [ROOT_SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [TAO_SCOPE], until)
    trust.accredit(tao, tao_attribute, ti.did, IssuerType.TI, [WELDING_SCOPE], until)
    # The verifier of this world has said it trusts its root: its home's default trust list.
    TrustList(frozenset({root.did}), "world", entries=(Root(root.did, "authority"),), title="world roots").save(
        settings.trust_list_file
    )
    holder = new_natural_person("worker")
    issued = Issuer(registry, ti, settings).issue_single(holder.did, welding_certificate())
    credential = home / "credential.json"
    credential.write_text(issued.holder_file.dumps())
    return World(settings, registry, ti, holder, credential, LyingNode(upstream))


# -- garbage per method -------------------------------------------------------------------------


def _key_type_out_of_range(out: tuple[Any, ...]) -> tuple[Any, ...]:
    return ([(m[0], m[1], 9, *m[3:]) for m in out[0]],)


def _issuer_type_out_of_range(out: tuple[Any, ...]) -> tuple[Any, ...]:
    return ([(link[0], link[1], (*link[2][:4], 9, *link[2][5:]), link[3]) for link in out[0]],)


def _revision_time_out_of_range(out: tuple[Any, ...]) -> tuple[Any, ...]:
    return ([(link[0], link[1], link[2], [(r[0], r[1], 2**48 - 2, r[3]) for r in link[3]]) for link in out[0]],)


# Times past 9999-12-31: no chain records them (datetime cannot even print them).
OUT_OF_RANGE: dict[str, Callable[[LyingNode], None]] = {
    "anchors with a time out of range": lambda n: n.lies.update(
        eth_call=on_call("CredentialRegistry", "anchorsOf", lambda out: ([(2**48 - 2, *a[1:]) for a in out[0]],))
    ),
    "a block time out of range": lambda n: n.lies.update(
        eth_getBlockByNumber=lambda r, p: {**r, "timestamp": "0xffffffffffff"} if r else r
    ),
    "a registration time out of range": lambda n: n.lies.update(
        eth_call=on_call("DIDRegistry", "registration", lambda out: (2**63, out[1]))
    ),
    "an accreditation revision time out of range": lambda n: n.lies.update(
        eth_call=on_call("TrustedIssuersRegistry", "trustChainOf", _revision_time_out_of_range)
    ),
}

GARBAGE: dict[str, Callable[[LyingNode], None]] = {
    "eth_chainId of the wrong type": lambda n: n.lies.update(eth_chainId=lambda r, p: int(r, 16)),
    "a block number of the wrong type": lambda n: n.lies.update(
        eth_getBlockByNumber=lambda r, p: {**r, "number": int(r["number"], 16)} if r else r
    ),
    "a block without a timestamp": lambda n: n.lies.update(
        eth_getBlockByNumber=lambda r, p: {k: v for k, v in r.items() if k != "timestamp"} if r else r
    ),
    "an empty eth_call result": lambda n: n.lies.update(eth_call=lambda r, p: "0x"),
    "a non-hex eth_call result": lambda n: n.lies.update(eth_call=lambda r, p: "0xzz" + r[2:]),
    "an eth_call result that is not a string": lambda n: n.lies.update(eth_call=lambda r, p: 7),
    "a batch answered by one object": lambda n: setattr(n, "batch_as_object", True),
    "eth_getLogs entries that are not logs": lambda n: n.lies.update(eth_getLogs=lambda r, p: [{"topics": "x"}]),
    "eth_getCode of the wrong type": lambda n: n.lies.update(eth_getCode=lambda r, p: 12),
    "an answer nested 100,000 levels deep": lambda n: setattr(n, "raw_answer", b"[" * 100_000 + b"]" * 100_000),
    "a key type out of range": lambda n: n.lies.update(
        eth_call=on_call("DIDRegistry", "verificationMethods", _key_type_out_of_range)
    ),
    "an issuer type out of range": lambda n: n.lies.update(
        eth_call=on_call("TrustedIssuersRegistry", "trustChainOf", _issuer_type_out_of_range)
    ),
    "anchors for other credentials than asked": lambda n: n.lies.update(
        eth_call=on_call("CredentialRegistry", "anchorsOf", lambda out: ([],))
    ),
    "status words for other entries than asked": lambda n: n.lies.update(
        eth_call=on_call("CredentialRegistry", "statusWordsFor", lambda out: ([],))
    ),
    **OUT_OF_RANGE,
}
# The issuer check reads no anchors or status words.
ISSUER_CHECK_GARBAGE = [g for g in GARBAGE if "anchors" not in g and "status words" not in g]


def startup_slack() -> float:
    """What a loaded machine adds to a `registry` process's wall time, measured now: three times the
    wall time of `registry --help` (interpreter start and the CLI's imports). Deadline tests allow it
    on top of their margin, so that they test the deadline, not how busy the machine running them is
    (a CI run beside other work took 6.6 s for a 3 s deadline; a hung read would still take 40 s)."""
    import subprocess
    import sys
    import time

    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "registry", "--help"], capture_output=True, check=True, timeout=60)
    return 3 * (time.monotonic() - started)


def log_range_limit(blocks: int) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """A node's limit on one eth_getLogs query's block range (Besu's --rpc-max-logs-range, 5,000 by
    default; hosted nodes' are often smaller): a wider query is refused with Besu's error."""

    def refuse(request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("method") != "eth_getLogs":
            return None
        query = request["params"][0]
        low, high = (query.get(k, "latest") for k in ("fromBlock", "toBlock"))
        if not (low.startswith("0x") and high.startswith("0x")) or int(high, 16) - int(low, 16) + 1 > blocks:
            return {"code": -32005, "message": "Requested range exceeds maximum RPC range limit"}
        return None

    return refuse
