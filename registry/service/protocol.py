"""uvicorn's HTTP protocol (httptools) with a cap on a request's head: its request line and headers.

httptools keeps a URL or a header however long it grows, and uvicorn sets no limit on it: one
client sending a 50 MB header held 50 MB of the service's memory until it stopped, and ten such
connections half a gigabyte; a few more and the process is killed. A head over MAX_HEAD_BYTES is
answered 431 (problem+json) and the connection closed. The body has its own cap (BodyLimit).
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from registry.service.errors import PROBLEM_JSON, problem_type

MAX_HEAD_BYTES = 64 * 1024


class HeadCappedProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that counts a request's head as it arrives, before the parser keeps it."""

    _in_head = True  # from the end of the request before to the blank line that ends this one's head
    _head_bytes = 0
    _tail = b""  # the last bytes read, in case the blank line is split between two reads

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes, self._tail = True, 0, b""  # what comes next is the next request's head
        super().on_message_complete()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._in_head and not self.transport.is_closing():
            window = self._tail + data
            end = window.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else max(0, end - len(self._tail))
            self._tail = window[-3:]
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse()
                return
        super().data_received(data)

    def _refuse(self) -> None:
        detail = f"the request line and headers are larger than {MAX_HEAD_BYTES} bytes"
        body = json.dumps(
            {"type": problem_type("head-too-large"), "title": "Request head too large", "status": 431, "detail": detail}
        ).encode()
        head = (
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: " + PROBLEM_JSON.encode()
            + b"\r\ncontent-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n"
        )  # fmt: skip
        self.transport.write(head + body)
        self.transport.close()
