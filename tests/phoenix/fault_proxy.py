"""A reverse proxy on 127.0.0.1 in front of a real Phoenix that injects faults on request.

Each rule matches a path fragment and acts on the n-th matching request(s): answer 429 with
``Retry-After``, answer a status, cut the JSON body short, or drop the connection (a server going
away mid-pull). Everything else is forwarded unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import httpx

from tests.loopback import serving


@dataclass
class Rule:
    """Inject ``action`` on matching requests number ``first``..``last`` (1-based, inclusive)."""

    fragment: str
    action: str  # "429", "status:<code>", "truncate", "drop"
    first: int = 1
    last: int = 1_000_000
    seen: int = 0


@dataclass
class FaultProxy:
    """The running proxy: its URL and what it forwarded or injected."""

    url: str
    rules: list[Rule]
    log: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def fault_proxy(upstream: str, rules: list[Rule]) -> Iterator[FaultProxy]:
    """Run the proxy for the body of the ``with``; it listens on 127.0.0.1 only."""
    state = FaultProxy(url="", rules=rules)
    client = httpx.Client(base_url=upstream, timeout=30, trust_env=False)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            return

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            for rule in state.rules:
                if rule.fragment in self.path:
                    rule.seen += 1
                    if rule.first <= rule.seen <= rule.last:
                        state.log.append((rule.action, self.path))
                        if self._inject(rule):
                            return
            upstream_response = client.request(
                self.command,
                self.path,
                content=body,
                headers={
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                },
            )
            self._send(
                upstream_response.status_code,
                upstream_response.content,
                upstream_response.headers.get("content-type", "application/json"),
            )

        def _inject(self, rule: Rule) -> bool:
            if rule.action == "429":
                self.send_response(429)
                self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            if rule.action.startswith("status:"):
                self._send(int(rule.action.split(":")[1]), b'{"detail":"injected"}', "application/json")
                return True
            if rule.action == "drop":
                self.close_connection = True
                self.connection.close()
                return True
            if rule.action == "truncate":
                self._send(200, b'{"data": [{"name": "trunc', "application/json")
                return True
            return False

        def _send(self, status: int, content: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _handle  # noqa: N815 - http.server's naming

    try:
        with serving(Handler) as server:
            state.url = server.url
            yield state
    finally:
        client.close()
