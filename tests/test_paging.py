"""The shared paginators and prefetch: how every vendor list stops, and how batches are fetched ahead."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import httpx
import pytest

from traceready.http import InvalidPageError, TransportLimits, VendorClient
from traceready.paging import (
    CursorPaginator,
    OffsetPaginator,
    PageRequest,
    StartingAfterPaginator,
    paginate,
    prefetch,
)

BASE = "http://vendor.test"


def _client(handler: Any, **limits: Any) -> VendorClient:
    http = httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler))
    return VendorClient(
        http, vendor="Vendor", key_variable="VENDOR_API_KEY", limits=TransportLimits(**limits)
    )


def _pages(
    client: VendorClient, request: PageRequest, at: tuple[str, ...], paginator: Any, **kw: Any
) -> list[Any]:
    return list(paginate(client, request, at, paginator, **kw))


def test_a_query_cursor_is_followed_until_it_is_null() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        seen.append(cursor)
        following = {None: "b", "b": "c", "c": None}[cursor]
        return httpx.Response(200, json={"data": [cursor or "a"], "next_cursor": following})

    pages = _pages(
        _client(handler),
        PageRequest("GET", "/list"),
        ("data",),
        CursorPaginator(("next_cursor",), ("params", "cursor")),
    )
    assert pages == [["a"], ["b"], ["c"]]
    assert seen == [None, "b", "c"]


def test_a_body_cursor_goes_back_into_the_nested_json_and_a_short_page_ends_the_chain() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        short = len(bodies) == 2
        return httpx.Response(200, json={"data": [1] if short else [1, 2], "cursor": f"c{len(bodies)}"})

    paginator = CursorPaginator(("cursor",), ("json", "query", "cursor"), page_size=2)
    request = PageRequest("POST", "/btql", json={"query": {"cursor": None, "limit": 2}})
    assert _pages(_client(handler), request, ("data",), paginator) == [[1, 2], [1]]
    assert [b["query"]["cursor"] for b in bodies] == [None, "c1"]
    assert bodies[1]["query"]["limit"] == 2


def test_a_repeated_cursor_stops_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"items": [len(calls)], "next_cursor": "same"})

    with caplog.at_level(logging.WARNING):
        pages = _pages(
            _client(handler),
            PageRequest("GET", "/x"),
            ("items",),
            CursorPaginator(("next_cursor",), ("params", "cursor")),
        )
    assert pages == [[1], [2]]
    assert "Vendor repeated a cursor on GET /x; stopping there" in caplog.text


def test_a_chain_that_never_ends_stops_at_the_page_cap_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"items": [1], "next_cursor": f"c{len(calls)}"})

    with caplog.at_level(logging.WARNING):
        pages = _pages(
            _client(handler, max_pages=4),
            PageRequest("GET", "/x"),
            ("items",),
            CursorPaginator(("next_cursor",), ("params", "cursor")),
        )
    assert len(pages) == len(calls) == 4
    assert [r.getMessage() for r in caplog.records] == [
        "Vendor GET /x did not end after 4 pages; stopping there (TRACEREADY_MAX_PAGES)"
    ]


def test_max_items_stops_the_chain_once_reached() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"items": [1, 2, 3], "next_cursor": f"c{len(calls)}"})

    pages = _pages(
        _client(handler),
        PageRequest("GET", "/x"),
        ("items",),
        CursorPaginator(("next_cursor",), ("params", "cursor")),
        max_items=5,
    )
    assert len(pages) == len(calls) == 2


def test_offset_pages_stop_at_a_short_page_or_the_total() -> None:
    offsets: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        offsets.append(request.url.params["offset"])
        return httpx.Response(200, json={"repos": [{}, {}], "total": 4})

    request = PageRequest("GET", "/repos/", params=[("limit", 2), ("offset", 0)])
    pages = _pages(_client(handler), request, ("repos",), OffsetPaginator(2, total_at=("total",)))
    assert len(pages) == 2
    assert offsets == ["0", "2"]


def test_starting_after_follows_the_last_id_of_a_full_page() -> None:
    after: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        after.append(request.url.params.get("starting_after"))
        objects = [{"id": "a"}, {"id": "b"}] if len(after) == 1 else [{"id": "c"}]
        return httpx.Response(200, json={"objects": objects})

    pages = _pages(
        _client(handler), PageRequest("GET", "/v1/experiment"), ("objects",), StartingAfterPaginator(2)
    )
    assert [len(p) for p in pages] == [2, 1]
    assert after == [None, "b"]


def test_a_page_without_its_list_names_what_came_instead() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": "nope", "items": None})

    with pytest.raises(
        InvalidPageError, match="expected a list at data, got an object with keys error, items"
    ):
        _pages(
            _client(handler), PageRequest("GET", "/x"), ("data",), CursorPaginator(("c",), ("params", "c"))
        )


def test_prefetch_keeps_the_order_and_at_most_ahead_fetches_running() -> None:
    running = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()

    def fetch(job: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(0.05)
        with lock:
            running -= 1
        return job * 10

    assert list(prefetch(fetch, range(6), ahead=2, name="test")) == [0, 10, 20, 30, 40, 50]
    assert most <= 2


def test_prefetch_raises_a_fetch_error_in_the_caller_and_fetches_on_daemon_threads() -> None:
    daemons: list[bool] = []

    def fetch(job: int) -> int:
        daemons.append(threading.current_thread().daemon)
        if job == 1:
            raise ValueError("broken batch")
        return job

    results = prefetch(fetch, range(3), ahead=1, name="test")
    assert next(results) == 0
    with pytest.raises(ValueError, match="broken batch"):
        next(results)
    assert daemons and all(daemons)
