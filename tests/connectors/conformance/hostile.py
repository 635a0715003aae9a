"""A vendor fake behind a real socket on 127.0.0.1 that can misbehave the way real servers and proxies do.

Each request is first shown to a fault hook with its route's call number; the hook may let the fake
answer, replace the answer, or take over the socket: drip the body a byte at a time, never answer,
reset the connection, or send raw (e.g. gzip-encoded) bytes. Every request is recorded, with its
headers, so a test can say which host saw which key.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import httpx

from tests.loopback import LoopbackServer, start, stop

App = Callable[[httpx.Request], httpx.Response]
"""The well-behaved fake: an httpx.MockTransport-style handler."""


@dataclass(frozen=True)
class Drip:
    """Send the status and headers, then ``body`` one byte every ``every`` seconds."""

    body: bytes
    every: float


@dataclass(frozen=True)
class Stall:
    """Accept the request and never answer."""


@dataclass(frozen=True)
class Reset:
    """Close the connection with a TCP reset, nothing sent."""


@dataclass(frozen=True)
class Raw:
    """Send these headers and bytes as they are (``content-length`` is added)."""

    status: int
    headers: dict[str, str]
    body: bytes


Act = httpx.Response | Drip | Stall | Reset | Raw
Fault = Callable[[httpx.Request, int], Act | None]
"""Sees each request with the 1-based count of requests so far; an act it returns replaces the fake's."""


@dataclass
class Seen:
    """What the server received."""

    requests: list[httpx.Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, request: httpx.Request) -> int:
        with self.lock:
            self.requests.append(request)
            return len(self.requests)

    def matching(self, test: Callable[[httpx.Request], bool]) -> list[httpx.Request]:
        with self.lock:
            return [r for r in self.requests if test(r)]


class HostileServer(LoopbackServer):
    """The loopback server holding the app, the fault and the record of requests."""

    def __init__(self, app: App, fault: Fault | None) -> None:
        super().__init__(0, _Handler)
        self.app = app
        self.fault = fault
        self.seen = Seen()
        self.closing = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = httpx.Request(
            self.command,
            f"http://127.0.0.1:{self.server.server_address[1]}{self.path}",
            headers=dict(self.headers),
            content=self.rfile.read(length) if length else b"",
        )
        number = self.server.seen.add(request)
        act = self.server.fault(request, number) if self.server.fault else None
        if act is None:
            act = self.server.app(request)
        if isinstance(act, Stall):
            self.server.closing.wait()
            self.close_connection = True
        elif isinstance(act, Reset):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif isinstance(act, Drip):
            self._head(200, {"content-type": "application/json"}, len(act.body))
            for byte in act.body:
                if self.server.closing.wait(act.every):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            self.close_connection = True
        elif isinstance(act, Raw):
            self._head(act.status, act.headers, len(act.body))
            self.wfile.write(act.body)
        else:
            body = act.read()
            headers = {
                k: v
                for k, v in act.headers.items()
                if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding")
            }
            self._head(act.status_code, headers, len(body))
            self.wfile.write(body)

    def _head(self, status: int, headers: dict[str, str], length: int) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("content-length", str(length))
        self.end_headers()
        self.wfile.flush()


@contextmanager
def hostile(app: App, fault: Fault | None = None) -> Iterator[HostileServer]:
    """Serve ``app`` (with ``fault``) on 127.0.0.1 for the block; yields the server (``.url``, ``.seen``)."""
    server = HostileServer(app, fault)
    thread = start(server, "hostile")
    try:
        yield server
    finally:
        server.closing.set()
        time.sleep(0.05)  # let stalled handlers see the flag before the socket closes
        stop(server, thread)
