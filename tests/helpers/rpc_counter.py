"""A counting JSON-RPC proxy: a real threaded HTTP server in front of a node, relaying every POST
unchanged and counting what passes, so a test can hold a command to a number of requests.

`requests` counts JSON-RPC requests (each element of a batch is one), `round_trips` the HTTP
POSTs, `methods` the requests per method.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import relay


class CountingProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                proxy.count(body)
                relay(self, upstream, body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self._lock = threading.Lock()
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

    def reset(self) -> None:
        with self._lock:
            self.requests = self.round_trips = 0
            self.methods.clear()

    def close(self) -> None:
        self.shutdown()
        self.server_close()
