"""Phoenix REST (and one GraphQL query) over httpx: HTTP only, no verdicts.

Why not the official ``arize-phoenix-client`` (read in 3.5.0): it can sort traces
(``traces.get_traces(sort="start_time", order="desc")``), filter spans by a list of trace ids
(``spans.get_spans(trace_ids=...)``) and take an injected ``httpx.Client``, so those are no longer
reasons. The reasons that hold: both calls return a whole list (every page concatenated before the
first row is seen), ``get_spans`` asks for pages of at most 100 spans, annotations of many ids come
the same way, no call reads cost, and errors surface as bare ``httpx.HTTPStatusError`` with no
retry, body cap or request deadline. Raw REST pages of 1,000 spans, streamed by cursor through
``traceready.http``, are what a bounded-memory, bounded-time audit needs. Verified on Phoenix
20.26.1: ``GET /v1/projects/{p}/traces?sort=start_time&order=desc``, ``GET
/v1/projects/{p}/spans?trace_id=...`` (repeatable), cursors inclusive and ``null`` at the end.

Cost is computed by the Phoenix server from its price table and is not in the REST span JSON; it is
read per span from GraphQL (``node(id) { ... on Span { costSummary } }``), the UI's API. A failure
there leaves cost unknown, never fails the audit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from traceready.http import InvalidPageError, VendorClient, shape_of
from traceready.paging import CursorPaginator, PageRequest, objects, paginate

logger = logging.getLogger(__name__)

PAGE_LIMIT = 1000
"""Phoenix's maximum page size for spans and traces (1001 is a 422)."""
CURSOR = CursorPaginator(at=("next_cursor",), into=("params", "cursor"))
"""Phoenix lists answer ``{"data": [...], "next_cursor": ...}``; the cursor goes back as ``?cursor=``."""


class PhoenixClient:
    """The Phoenix endpoints traceready reads."""

    def __init__(self, http: VendorClient) -> None:
        self.http = http

    def pages(
        self, path: str, params: list[tuple[str, Any]] | None = None, *, max_items: int | None = None
    ) -> Iterator[list[Any]]:
        """Each page's ``data`` list, following ``next_cursor`` until it is null (``paginate``)."""
        request = PageRequest("GET", path, params=list(params or []))
        return paginate(self.http, request, ("data",), CURSOR, max_items=max_items)

    def project(self, name: str) -> dict[str, Any]:
        """The project, or NotFoundError naming close project names."""
        from traceready.errors import NotFoundError, unknown_name

        try:
            body = self.http.request_json("GET", f"/v1/projects/{name}")
        except NotFoundError:
            names = [str(p["name"]) for p in self.list_all("/v1/projects") if p.get("name")]
            missing = NotFoundError(f"Phoenix has no project {name!r}")
            raise unknown_name(missing, name, names, kind="projects") from None
        project = body.get("data") if isinstance(body, dict) else None
        if not isinstance(project, dict):
            raise InvalidPageError(
                f"Phoenix project {name!r}: expected an object at data, got {shape_of(body)}"
            )
        return project

    def traces(self, project: str, start_iso: str, end_iso: str | None) -> Iterator[Any]:
        """Traces started in the window, newest first (rows as they came)."""
        params: list[tuple[str, Any]] = [
            ("start_time", start_iso),
            ("sort", "start_time"),
            ("order", "desc"),
            ("limit", PAGE_LIMIT),
        ]
        if end_iso is not None:
            params.append(("end_time", end_iso))
        for page in self.pages(f"/v1/projects/{project}/traces", params):
            yield from page

    def spans(self, project: str, trace_ids: list[str]) -> list[Any]:
        """Every span of the given traces (rows as they came), at most ``max_spans_per_trace`` each."""
        params: list[tuple[str, Any]] = [("trace_id", t) for t in trace_ids] + [("limit", PAGE_LIMIT)]
        cap = len(trace_ids) * self.http.limits.max_spans_per_trace
        spans = [
            span
            for page in self.pages(f"/v1/projects/{project}/spans", params, max_items=cap)
            for span in page
        ]
        if len(spans) >= cap:
            logger.warning(
                "Phoenix: stopped at %d spans for %d traces (TRACEREADY_MAX_SPANS_PER_TRACE)",
                len(spans),
                len(trace_ids),
            )
        return spans

    def annotations(self, project: str, kind: str, ids: list[str]) -> list[dict[str, Any]]:
        """Span, trace or session annotations (``kind``: ``span``, ``trace``, ``session``) of the ids."""
        if not ids:
            return []
        key = f"{kind}_ids"
        params: list[tuple[str, Any]] = [(key, i) for i in ids] + [("limit", 10_000)]
        path = f"/v1/projects/{project}/{kind}_annotations"
        return objects(self.pages(path, params))

    def span_costs(self, global_ids: list[str]) -> dict[str, float]:
        """Server-computed cost in USD per span GlobalID; spans Phoenix could not price are absent."""
        if not global_ids:
            return {}
        fields = " ".join(
            f'c{i}: node(id: "{gid}") {{ ... on Span {{ costSummary {{ total {{ cost }} }} }} }}'
            for i, gid in enumerate(global_ids)
        )
        try:
            body = self.http.request_json("POST", "/graphql", json={"query": "{ " + fields + " }"})
        except InvalidPageError:
            return {}
        data = body.get("data") if isinstance(body, dict) else None
        costs: dict[str, float] = {}
        for i, gid in enumerate(global_ids):
            node = data.get(f"c{i}") if isinstance(data, dict) else None
            summary = node.get("costSummary") if isinstance(node, dict) else None
            total = summary.get("total") if isinstance(summary, dict) else None
            cost = total.get("cost") if isinstance(total, dict) else None
            if isinstance(cost, int | float):
                costs[gid] = float(cost)
        return costs

    def list_all(self, path: str, params: list[tuple[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The objects of a small paginated collection (projects, datasets, prompts...), bounded."""
        return objects(self.pages(path, params, max_items=self.http.limits.max_list_items))
