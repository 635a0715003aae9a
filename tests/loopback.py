"""The HTTP server every loopback fake in this repository runs on.

It listens on 127.0.0.1 only, answers each connection on a daemon thread, and stays quiet when a
client hangs up mid-exchange (a CLI that exits on its first error drops the keep-alive
connections it still holds; the standard server prints a traceback to ``sys.stderr`` for that,
which lands in the output a test is checking). Any other handler failure is kept in ``errors``
and raised by :func:`serving` when the block ends, so a broken fake fails its test loudly.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 that records handler failures instead of printing them."""

    daemon_threads = True

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__((HOST, port), handler)
        self.errors: list[str] = []

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up: normal for a CLI that stops at its first error
        self.errors.append(traceback.format_exc())


def start(server: LoopbackServer, name: str = "loopback") -> threading.Thread:
    """Serve ``server`` on a daemon thread."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return thread


def stop(server: LoopbackServer, thread: threading.Thread | None) -> None:
    """Stop serving, close the socket, and raise if a handler failed."""
    server.shutdown()
    server.server_close()
    if thread is not None:
        thread.join(timeout=5)
    if server.errors:
        raise RuntimeError(f"a loopback handler failed:\n{server.errors[0]}")


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], port: int = 0) -> Iterator[LoopbackServer]:
    """Serve ``handler`` on 127.0.0.1 for the block; yields the server (``.url``)."""
    server = LoopbackServer(port, handler)
    thread = start(server)
    try:
        yield server
    finally:
        stop(server, thread)
