"""A lying JSON-RPC node for the tests: a loopback proxy in front of a real anvil that relays every
request and then, as the test tells it, rewrites answers per method (garbage of the wrong type, a
block without a timestamp, a non-hex call result, a DID document with an attacker's key...),
answers a batch with one object, or trickles its answer one byte at a time.

It is the node operator the threat model talks about: everything it says is what anvil said,
except what it chooses to change. (A plain module: test files import it, pytest_plugins do not.)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from conftest import forward

from registry.chain.client import contract_abi

# method -> (result, params) -> the result the node sends instead
Rewrite = Callable[[Any, list[Any]], Any]


class LyingNode(ThreadingHTTPServer):
    """Relays to `upstream`; `lies` rewrites results per method, `trickle` picks requests (by their
    raw body) whose whole HTTP answer, status line included, goes out one byte every
    `trickle_every_s`; `batch_as_object` answers a batch with its first answer alone; `rewrite_answer`
    changes the whole answer (a batch's list, say) last."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        node = self
        self.lies: dict[str, Rewrite] = {}
        self.trickle: Callable[[bytes], bool] | None = None
        self.trickle_every_s = 2.0
        self.batch_as_object = False
        self.rewrite_answer: Callable[[Any], Any] | None = None
        self.trickled = 0
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

    def answer(self, upstream: str, body: bytes) -> bytes:
        request = json.loads(body)
        answer = json.loads(forward(upstream, body))
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

    def _rewrite(self, answer: dict[str, Any], method: str, params: list[Any]) -> dict[str, Any]:
        lie = self.lies.get(method)
        if lie is None or "result" not in answer:
            return answer
        return {**answer, "result": lie(answer["result"], params)}

    def close(self) -> None:
        self.shutdown()
        self.server_close()


# -- lies about contract reads ------------------------------------------------------------------


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
