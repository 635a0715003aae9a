"""Braintrust's read API over httpx: login, projects, ``POST /btql`` pages, REST lists. HTTP only.

Why not the ``braintrust`` package (checked in the 0.48.1 wheel): its only reader of rows,
``logger.ObjectFetcher._refetch``, concatenates every ``/btql`` page into one list before yielding
the first row (``data = (data or []) + resp_json["data"]``), so memory grows with the window; it
offers no time window or trace filter except the private ``_internal_btql``; ``init_logger``'s
``Logger`` has no reader for project logs at all (only experiments and datasets subclass the
fetcher); and the generated REST client (``braintrust.api``) has no ``/btql`` and no project-logs
fetch. It also talks through ``requests`` with its own retry policy, so it cannot take the injected
``httpx.Client`` the tests replay cassettes through, nor the project's ``VendorClient`` errors and
exit codes. Raw httpx through ``VendorClient`` streams one page at a time and keeps 429/5xx
handling in one place (``traceready.http``).

Queries use the parsed-JSON form of BTQL that the SDK itself sends (no string quoting of ids, and
every data plane that serves the SDK accepts it)::

    {"query": {"select": [{"op": "star"}],
               "from": {"op": "function", "name": {"op": "ident", "name": ["project_logs"]},
                        "args": [{"op": "literal", "value": "<project id>"}]},
               "filter": {...}, "sort": [{"expr": {"op": "ident", "name": ["_pagination_key"]},
                                          "dir": "desc"}],
               "limit": 1000, "cursor": null},
     "fmt": "json", "use_columnstore": false, "brainstore_realtime": true}

A page answers ``{"data": [rows], "cursor": "<opaque>"}``; the cursor goes back in ``query.cursor``
until it is empty or repeats, or a page comes back shorter than the limit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import islice
from typing import Any

from traceready.errors import NotFoundError, unknown_name
from traceready.http import VendorClient
from traceready.paging import (
    CursorPaginator,
    PageRequest,
    StartingAfterPaginator,
    objects,
    paginate,
)

logger = logging.getLogger(__name__)

PAGE_LIMIT = 1000
"""Rows per ``/btql`` page: the SDK's batch size and the ``bt`` CLI's cap."""
LIST_LIMIT = 1000
"""Objects per REST list page."""


def ident(*name: str) -> dict[str, Any]:
    """A column reference in the BTQL AST (``metadata.model`` is ``ident("metadata", "model")``)."""
    return {"op": "ident", "name": list(name)}


def literal(value: Any) -> dict[str, Any]:
    """A literal value in the BTQL AST."""
    return {"op": "literal", "value": value}


def compare(op: str, column: str, value: Any) -> dict[str, Any]:
    """``column <op> value`` (``eq``, ``ge``, ``lt``...)."""
    return {"op": op, "left": ident(column), "right": literal(value)}


def all_of(*children: dict[str, Any]) -> dict[str, Any]:
    """Every condition holds."""
    return {"op": "and", "children": list(children)}


def any_of(*children: dict[str, Any]) -> dict[str, Any]:
    """At least one condition holds."""
    return {"op": "or", "children": list(children)}


class BraintrustClient:
    """The Braintrust endpoints traceready reads."""

    def __init__(self, http: VendorClient, org_name: str | None = None) -> None:
        self.http = http
        self.org_name = org_name

    def login(self, app_url: str) -> dict[str, Any]:
        """The org the key belongs to (``POST {app}/api/apikey/login``): its name and data-plane URL."""
        body = self.http.request_json("POST", f"{app_url.rstrip('/')}/api/apikey/login", json={})
        orgs = [
            o for o in (body.get("org_info") if isinstance(body, dict) else None) or () if isinstance(o, dict)
        ]
        if not orgs:
            raise NotFoundError("Braintrust login returned no organization for this API key")
        if self.org_name is None:
            return orgs[0]
        for org in orgs:
            if org.get("name") == self.org_name:
                return org
        names = [str(o.get("name")) for o in orgs]
        raise NotFoundError(
            f"the API key has no Braintrust organization {self.org_name!r}",
            hint=f"organizations: {', '.join(names)}; set BRAINTRUST_ORG_NAME",
        )

    def _org_params(self) -> dict[str, Any]:
        return {"org_name": self.org_name} if self.org_name else {}

    def objects(
        self, path: str, *, paged: bool = True, pages: int = 1, **params: Any
    ) -> list[dict[str, Any]]:
        """A REST list (``{"objects": [...]}``) of one project's experiments, datasets, prompts...

        ``paged=False`` sends no ``limit`` (``GET /environment`` takes none). With ``pages > 1`` a full
        page is followed by ``starting_after=<last id>``, the spec's cursor, up to ``pages`` pages.
        """
        limit = [("limit", LIST_LIMIT)] if paged else []
        query = [*self._org_params().items(), *limit, *params.items()]
        request = PageRequest("GET", path, params=query)
        found = paginate(
            self.http,
            request,
            ("objects",),
            StartingAfterPaginator(LIST_LIMIT),
            max_items=self.http.limits.max_list_items,
        )
        return objects(islice(found, pages if paged else 1))

    def project(self, name: str) -> dict[str, Any]:
        """The project named ``name``, or NotFoundError naming close project names."""
        found = [p for p in self.objects("/v1/project", project_name=name) if p.get("name") == name]
        if found:
            return found[0]
        names = [str(p.get("name")) for p in self.objects("/v1/project") if p.get("name")]
        raise unknown_name(NotFoundError(f"Braintrust has no project {name!r}"), name, names, kind="projects")

    def get(self, path: str, **params: Any) -> Any:
        """One REST object (``/v1/experiment/{id}/summarize`` and the like)."""
        return self.http.request_json("GET", path, params=params or None)

    def btql_pages(
        self,
        source: str,
        object_id: str,
        query_filter: dict[str, Any] | None,
        *,
        page_limit: int | None = None,
        audit_log: bool = False,
        max_items: int | None = None,
    ) -> Iterator[list[Any]]:
        """Rows of ``source('<object_id>')`` matching the filter, newest first, one page at a time.

        Rows are yielded as they came: one that is not an object is the caller's to count.

        ``audit_log=True`` reads the object's audit log instead of its rows (one entry per write,
        with ``audit_data.action``), as the SDK's ``get_prompt_versions`` does; that query is sent
        unsorted, as the SDK sends it.
        """
        page_limit = page_limit or PAGE_LIMIT
        query: dict[str, Any] = {
            "select": [{"op": "star"}],
            "from": {"op": "function", "name": ident(source), "args": [literal(object_id)]},
            "limit": page_limit,
            "cursor": None,
        }
        if not audit_log:
            query["sort"] = [{"expr": ident("_pagination_key"), "dir": "desc"}]
        if query_filter is not None:
            query["filter"] = query_filter
        request: dict[str, Any] = {
            "query": query,
            "fmt": "json",
            "use_columnstore": False,
            "brainstore_realtime": True,
        }
        if audit_log:
            request["audit_log"] = True
        # A short page is the last one (as the bt CLI reads it): asking for the empty page after it
        # would spend one more request of the BTQL rate limit on every query.
        paginator = CursorPaginator(at=("cursor",), into=("json", "query", "cursor"), page_size=page_limit)
        return paginate(
            self.http,
            PageRequest("POST", "/btql", json=request),
            ("data",),
            paginator,
            max_items=max_items,
            what=f"/btql over {source}",
        )
