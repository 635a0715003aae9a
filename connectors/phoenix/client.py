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
read from GraphQL, the UI's API: the project's span connection filtered to a batch's LLM spans,
``costSummary`` on each. A failure there leaves cost unknown (logged), never fails the audit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from traceready.http import InvalidPageError, VendorClient, shape_of
from traceready.paging import CursorPaginator, PageRequest, dig, objects, paginate

logger = logging.getLogger(__name__)

PAGE_LIMIT = 1000
"""Phoenix's maximum page size for spans and traces (1001 is a 422)."""
CURSOR = CursorPaginator(at=("next_cursor",), into=("params", "cursor"))
"""Phoenix lists answer ``{"data": [...], "next_cursor": ...}``; the cursor goes back as ``?cursor=``."""
COST_PAGE = 1000
"""Spans per page of the cost query (Phoenix's largest GraphQL page)."""
COST_QUERY = (
    "query ($project: ID!, $filter: String!, $after: String) { node(id: $project) { ... on Project {"
    f" spans(first: {COST_PAGE}, after: $after, filterCondition: $filter) {{"
    " edges { node { id costSummary { total { cost } } } } pageInfo { hasNextPage endCursor } } } } }"
)
"""The cost of a batch's LLM spans, a page at a time. One query per batch, not a ``node(id)`` alias per
span: Phoenix rejects a document of more than 50 aliases (``MaxAliasesLimiter``), and parsing and
validating the aliases cost the server ~1.4 ms a span (10,000 traces: 100 queries, 23 s, against
~0.07 s a batch this way)."""

ANNOTATION_NAMES_QUERY = (
    "query ($project: ID!) { node(id: $project) { ... on Project {"
    " spanAnnotationNames traceAnnotationNames sessionAnnotationNames } } }"
)
"""The annotation names a project holds, by kind (Phoenix 20: distinct names over the project)."""


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

    def span_costs(self, project_id: str, trace_ids: list[str]) -> dict[str, float]:
        """Server-computed cost in USD of the LLM spans of these traces, by span GlobalID.

        ``project_id`` is the project's GlobalID. Spans Phoenix could not price are absent; so is
        every span when the query fails (logged, the audit goes on without cost).
        """
        if not trace_ids:
            return {}
        # A filter expression of Phoenix's span DSL (Python syntax): repr() quotes each id.
        condition = f"span_kind == 'LLM' and trace_id in [{', '.join(repr(t) for t in trace_ids)}]"
        pages = len(trace_ids) * self.http.limits.max_spans_per_trace // COST_PAGE + 1
        costs: dict[str, float] = {}
        after: str | None = None
        for _ in range(pages):
            variables = {"project": project_id, "filter": condition, "after": after}
            try:
                body = self.http.request_json(
                    "POST", "/graphql", json={"query": COST_QUERY, "variables": variables}
                )
            except InvalidPageError as exc:
                logger.warning("Phoenix: span cost unreadable for %d traces (%s)", len(trace_ids), exc)
                return {}
            spans = dig(body, ("data", "node", "spans"))
            if not isinstance(spans, dict):
                logger.warning(
                    "Phoenix: span cost unreadable for %d traces (%s)", len(trace_ids), _errors(body)
                )
                return {}
            for edge in spans.get("edges") or ():
                gid, cost = dig(edge, ("node", "id")), dig(edge, ("node", "costSummary", "total", "cost"))
                if isinstance(gid, str) and isinstance(cost, int | float):
                    costs[gid] = float(cost)
            after = dig(spans, ("pageInfo", "endCursor"))
            if dig(spans, ("pageInfo", "hasNextPage")) is not True or not isinstance(after, str):
                break
        return costs

    def annotated_kinds(self, project_id: str) -> set[str] | None:
        """The kinds (``span``, ``trace``, ``session``) of which the project holds any annotation.

        One GraphQL query for the whole audit (the names the UI's filters list); None when the
        server cannot say (an older server, an error), and then every kind is asked for.
        """
        try:
            body = self.http.request_json(
                "POST",
                "/graphql",
                json={"query": ANNOTATION_NAMES_QUERY, "variables": {"project": project_id}},
            )
        except InvalidPageError:
            return None
        node = dig(body, ("data", "node"))
        kinds: set[str] = set()
        for kind in ("span", "trace", "session"):
            names = dig(node, (f"{kind}AnnotationNames",))
            if not isinstance(names, list):
                logger.debug("Phoenix: annotation names unknown (%s)", _errors(body))
                return None
            if names:
                kinds.add(kind)
        return kinds

    def list_all(self, path: str, params: list[tuple[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The objects of a small paginated collection (projects, datasets, prompts...), bounded."""
        return objects(self.pages(path, params, max_items=self.http.limits.max_list_items))


def _errors(body: Any) -> str:
    """The first GraphQL error message of a body, or its shape."""
    errors = dig(body, ("errors",))
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message"))[:200]
    return f"no data, got {shape_of(body)}"
