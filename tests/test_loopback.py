"""The loopback server under every fake: quiet when a client hangs up, loud when a handler breaks."""

from __future__ import annotations

import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from tests.loopback import serving


def test_a_client_that_resets_its_connection_is_no_error(capsys: pytest.CaptureFixture[str]) -> None:
    reading, answered, finished = threading.Event(), threading.Event(), threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reading.set()
            answered.wait(5)
            try:
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 20))
                self.end_headers()
                for _ in range(64):
                    self.wfile.write(b"x" * (1 << 14))
            finally:
                finished.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Slow) as server:
        host, port = server.server_address[:2]
        with socket.create_connection((str(host), int(port))) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert reading.wait(5)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        answered.set()  # the server now writes into a connection the client reset
        assert finished.wait(5)
    assert server.errors == []
    assert capsys.readouterr().err == ""


def test_a_failing_handler_fails_the_block() -> None:
    class Broken(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            raise KeyError("no such fixture")

        def log_message(self, format: str, *args: object) -> None:
            pass

    with (
        pytest.raises(RuntimeError, match="KeyError: 'no such fixture'"),
        serving(Broken) as server,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        httpx.get(server.url)
