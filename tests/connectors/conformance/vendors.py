"""What the conformance suite needs from each vendor connector: its fake server and where its routes are.

A new connector joins the suite by adding one ``Vendor`` here: how to start a well-behaved fake of
its API (an ``httpx.MockTransport``-style handler), the variables its key and endpoint come from,
the project the fake holds, and which requests are the project lookup, the list of traces, the
span pages and one inventory route. The suite then breaks each of those routes in every way a
hostile server or proxy can.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.connectors.braintrust.fake import KEY as BRAINTRUST_KEY
from tests.connectors.braintrust.fake import FakeBraintrust
from tests.connectors.conformance.hostile import App
from tests.connectors.langsmith.replay import ReplayServer
from tests.connectors.phoenix.fake import fake_phoenix, recorded_bodies

Route = Callable[[httpx.Request], bool]


@dataclass(frozen=True)
class Vendor:
    """One connector's part of the suite."""

    slug: str
    key_variable: str
    endpoint_variable: str
    project: str
    spans: int
    """Spans an audit of the healthy fake maps."""
    fake: Callable[[], AbstractContextManager[App]]
    lookup: Route
    """The project lookup: the first request that must answer an object."""
    roots: Route
    """Pages of the window's traces (root spans or runs)."""
    spans_route: Route
    """Pages of the spans of a batch of traces."""
    inventory: Route
    """One route the inventory reads (an older or locked-down server may not serve it)."""
    items: str
    """Where a span page holds its rows."""
    cursor: tuple[str, ...]
    """Where a page holds the next cursor."""
    batch_module: str
    """The module whose ``TRACES_PER_BATCH`` sets the traces per span query."""
    key: str = "sk-conformance-0123456789-SECRET"
    """The API key the fake accepts."""
    since: str = "3650d"

    def args(self, *extra: str) -> list[str]:
        """The audit command line for the fake's project."""
        return ["audit", self.slug, "--project", self.project, "--since", self.since, *extra]

    def with_rows(self, response: httpx.Response, rows: list[Any]) -> httpx.Response:
        """``response`` (a span page) with ``rows`` added to its items."""
        page = json.loads(response.read())
        page[self.items] = [*page[self.items], *rows]
        return httpx.Response(200, json=page)

    def with_cursor(self, fake: App, request: httpx.Request, cursor: str) -> httpx.Response:
        """The fake's first page for ``request``, handing out ``cursor`` as the next page's."""
        page = json.loads(fake(_first_page(request)).read())
        target = page
        for key in self.cursor[:-1]:
            target = target.setdefault(key, {})
        target[self.cursor[-1]] = cursor
        return httpx.Response(200, json=page)


def _first_page(request: httpx.Request) -> httpx.Request:
    """``request`` without the cursor it carries (a fake knows only the cursors it handed out)."""
    params = [(k, v) for k, v in request.url.params.multi_items() if k != "cursor"]
    body = _body(request)
    body.pop("cursor", None)
    if isinstance(body.get("query"), dict):
        body["query"] = {**body["query"], "cursor": None}
    content = json.dumps(body).encode() if request.content else b""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return httpx.Request(
        request.method, request.url.copy_with(params=params), headers=headers, content=content
    )


def _body(request: httpx.Request) -> dict[str, Any]:
    try:
        body = json.loads(request.content or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@contextmanager
def _phoenix() -> Iterator[App]:
    yield fake_phoenix(recorded_bodies(), lambda request, n: None)


@contextmanager
def _langsmith() -> Iterator[App]:
    with ReplayServer(backend="v1") as url, httpx.Client(base_url=url) as client:

        def forward(request: httpx.Request) -> httpx.Response:
            headers = {k: v for k, v in request.headers.items() if k.lower() in ("x-api-key", "content-type")}
            answer = client.request(
                request.method, request.url.raw_path.decode(), headers=headers, content=request.content
            )
            return httpx.Response(
                answer.status_code, headers={"content-type": "application/json"}, content=answer.content
            )

        yield forward


@contextmanager
def _braintrust() -> Iterator[App]:
    yield FakeBraintrust("logger_traced_tools").handler


def _btql_filter(request: httpx.Request) -> str | None:
    if request.url.path != "/btql":
        return None
    query = _body(request).get("query")
    found = query.get("filter") if isinstance(query, dict) else None
    op = found.get("op") if isinstance(found, dict) else None
    return op if isinstance(op, str) else None


PHOENIX = Vendor(
    slug="phoenix",
    key_variable="PHOENIX_API_KEY",
    endpoint_variable="PHOENIX_ENDPOINT",
    project="demo",
    spans=21,
    fake=_phoenix,
    lookup=lambda r: r.url.path == "/v1/projects/demo",
    roots=lambda r: r.url.path.endswith("/traces"),
    spans_route=lambda r: r.url.path.endswith("/spans"),
    inventory=lambda r: r.url.path == "/v1/prompts",
    items="data",
    cursor=("next_cursor",),
    batch_module="traceready.connectors.phoenix",
)
LANGSMITH = Vendor(
    slug="langsmith",
    key_variable="LANGSMITH_API_KEY",
    endpoint_variable="LANGSMITH_ENDPOINT",
    project="travel-agent-wrap-openai-only",
    spans=0,
    fake=_langsmith,
    lookup=lambda r: (
        r.url.path == "/sessions" and "name" in r.url.params and "include_stats" not in r.url.params
    ),
    roots=lambda r: r.url.path == "/runs/query" and _body(r).get("is_root") is True,
    spans_route=lambda r: r.url.path == "/runs/query" and "is_root" not in _body(r),
    inventory=lambda r: r.url.path == "/feedback-configs",
    items="runs",
    cursor=("cursors", "next"),
    batch_module="traceready.connectors.langsmith",
    since="2026-11-13T09:00:00Z",
)
BRAINTRUST = Vendor(
    slug="braintrust",
    key_variable="BRAINTRUST_API_KEY",
    endpoint_variable="BRAINTRUST_API_URL",
    project="travel-agent-traced-tools",
    spans=21,
    fake=_braintrust,
    lookup=lambda r: r.url.path == "/v1/project",
    roots=lambda r: _btql_filter(r) == "and",
    spans_route=lambda r: _btql_filter(r) == "or",
    inventory=lambda r: r.url.path == "/environment",
    items="data",
    cursor=("cursor",),
    batch_module="traceready.connectors.braintrust",
    key=BRAINTRUST_KEY,
)
VENDORS = (PHOENIX, LANGSMITH, BRAINTRUST)
