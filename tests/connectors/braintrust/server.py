"""The fake Braintrust behind a real HTTP socket on 127.0.0.1, for CLI tests (the CLI opens its own client).

The server runs on a thread of the test process and is stopped with ``shutdown()`` when the
``with`` block ends; it listens on loopback only, on a free port.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import httpx

from scripts.loopback import serving
from tests.connectors.braintrust.fake import FakeBraintrust


@contextmanager
def serve(fake: FakeBraintrust) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1; yields the base URL (also the org's data plane at login)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = httpx.Request(
                self.command,
                f"http://127.0.0.1:{self.server.server_address[1]}{self.path}",
                headers=dict(self.headers),
                content=self.rfile.read(length) if length else b"",
            )
            response = fake.handler(request)
            body = response.read()
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: object) -> None:
            return

    with serving(Handler) as server:
        fake.org_api_url = server.url
        yield server.url
