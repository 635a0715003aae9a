"""Phoenix REST (and one GraphQL query) over httpx: HTTP only, no verdicts.

Why not the official ``arize-phoenix-client``: its ``spans.get_spans`` returns a whole list (no
streaming) and fixes the page size at 100, its span filters do not take a list of trace ids in one
call in every server version, and it exposes neither traces with ``sort``/``order`` nor cost. Raw
REST pages of 1,000 spans, streamed by cursor, are what a bounded-memory audit needs. Verified on
Phoenix 20.26.1: ``GET /v1/projects/{p}/traces?sort=start_time&order=desc``,
``GET /v1/projects/{p}/spans?trace_id=...`` (repeatable), cursors inclusive and ``null`` at the end.

Cost is computed by the Phoenix server from its price table and is not in the REST span JSON; it is
read per span from GraphQL (``node(id) { ... on Span { costSummary } }``), the UI's API. A failure
there leaves cost unknown, never fails the audit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from traceready.http import InvalidPageError, VendorClient

logger = logging.getLogger(__name__)

PAGE_LIMIT = 1000
"""Phoenix's maximum page size for spans and traces (1001 is a 422)."""


class PhoenixClient:
    """The Phoenix endpoints traceready reads."""

    def __init__(self, http: VendorClient) -> None:
        self.http = http

    def pages(self, path: str, params: list[tuple[str, Any]] | None = None) -> Iterator[list[dict[str, Any]]]:
        """Each page's ``data`` list, following ``next_cursor`` until it is null."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            query = list(params or [])
            if cursor is not None:
                query.append(("cursor", cursor))
            body = self.http.request_json("GET", path, params=query)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise InvalidPageError(f"Phoenix page of {path} has no data list")
            yield data
            cursor = body.get("next_cursor")
            if not cursor:
                return
            if cursor in seen:
                # A server that repeats a cursor would make us loop forever.
                logger.warning("Phoenix repeated a cursor on %s; stopping there", path)
                return
            seen.add(cursor)

    def project(self, name: str) -> dict[str, Any]:
        """The project, or NotFoundError naming close project names."""
        from traceready.errors import NotFoundError, unknown_name

        try:
            body = self.http.request_json("GET", f"/v1/projects/{name}")
        except NotFoundError:
            names = [p["name"] for page in self.pages("/v1/projects") for p in page if "name" in p]
            missing = NotFoundError(f"Phoenix has no project {name!r}")
            raise unknown_name(missing, name, names, kind="projects") from None
        project: dict[str, Any] = body["data"]
        return project

    def traces(self, project: str, start_iso: str, end_iso: str | None) -> Iterator[dict[str, Any]]:
        """Traces started in the window, newest first."""
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

    def spans(self, project: str, trace_ids: list[str]) -> list[dict[str, Any]]:
        """Every span of the given traces."""
        params: list[tuple[str, Any]] = [("trace_id", t) for t in trace_ids] + [("limit", PAGE_LIMIT)]
        return [span for page in self.pages(f"/v1/projects/{project}/spans", params) for span in page]

    def annotations(self, project: str, kind: str, ids: list[str]) -> list[dict[str, Any]]:
        """Span, trace or session annotations (``kind``: ``span``, ``trace``, ``session``) of the ids."""
        if not ids:
            return []
        key = f"{kind}_ids"
        params: list[tuple[str, Any]] = [(key, i) for i in ids] + [("limit", 10_000)]
        path = f"/v1/projects/{project}/{kind}_annotations"
        return [a for page in self.pages(path, params) for a in page]

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
        """Every item of a small paginated collection (projects, datasets, prompts...)."""
        return [item for page in self.pages(path, params) for item in page]
