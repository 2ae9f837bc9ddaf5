"""A counting JSON-RPC proxy: a real threaded HTTP server in front of a node, relaying every POST
unchanged and counting what passes, so a test can hold a command to a number of requests.

`requests` counts JSON-RPC requests (each element of a batch is one), `round_trips` the HTTP
POSTs, `methods` the requests per method. With `max_log_range`, it refuses an `eth_getLogs` over
more blocks, as a Besu node does (`--rpc-max-logs-range`, 5,000 by default): the whole POST is
answered with a JSON-RPC error, a fault the test could not cause with anvil, which has no limit.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import relay, respond


class CountingProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, max_log_range: int | None = None) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                proxy.count(body)
                if proxy.too_wide(body):
                    error = {"jsonrpc": "2.0", "id": 1, "error": {"code": -32005, "message": "exceeds max range"}}
                    respond(self, json.dumps(error).encode())
                    return
                relay(self, upstream, body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self._lock = threading.Lock()
        self.max_log_range = max_log_range
        self.refused = 0
        self.requests = 0
        self.round_trips = 0
        self.methods: Counter[str] = Counter()
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def count(self, body: bytes) -> None:
        message = json.loads(body)
        calls = message if isinstance(message, list) else [message]
        with self._lock:
            self.round_trips += 1
            self.requests += len(calls)
            self.methods.update(str(c.get("method")) for c in calls)

    def too_wide(self, body: bytes) -> bool:
        if self.max_log_range is None:
            return False
        message = json.loads(body)
        for call in message if isinstance(message, list) else [message]:
            if call.get("method") == "eth_getLogs" and self._span(call["params"][0]) > self.max_log_range:
                self.refused += 1
                return True
        return False

    @staticmethod
    def _span(query: dict[str, Any]) -> int:
        low, high = query.get("fromBlock", "0x0"), query.get("toBlock", "latest")
        if not (isinstance(low, str) and low.startswith("0x") and isinstance(high, str) and high.startswith("0x")):
            return 1 << 62  # a range up to "latest": the node cannot bound it
        return int(high, 16) - int(low, 16) + 1

    def reset(self) -> None:
        with self._lock:
            self.requests = self.round_trips = 0
            self.methods.clear()

    def close(self) -> None:
        self.shutdown()
        self.server_close()
