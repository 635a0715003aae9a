"""LangSmith's read API over httpx: HTTP only, no verdicts.

Endpoints (checked against the langsmith 0.15.1 SDK):
``GET /info`` (``instance_flags.sdb_query_enabled`` / ``ch_query_enabled`` choose the query API),
``GET /sessions?name=`` (project id), v1 ``POST /runs/query`` (``{"runs": [...], "cursors":
{"next": ...}}``, ``limit`` at most 100) and v2 ``POST /api/v2/runs/query`` (``{"items": [...],
"next_cursor": ...}``, ``page_size`` up to 1000, UPPERCASE ``selects``, a 24 h default window unless
``min_start_time`` is sent), ``GET /datasets``, ``GET /sessions?reference_dataset=``, and the
workspace lists ``inventory.py`` reads (feedback configs, annotation queues, rules, hub prompts).

Auth is ``x-api-key``; an org-scoped key also needs ``X-Tenant-Id``, and without it LangSmith answers
403 ``{"error": "org_scoped_key_requires_workspace"}`` (SDK ``client.py`` ``request_with_retries``):
that 403 gets its own message naming ``LANGSMITH_WORKSPACE_ID``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import orjson

from traceready.errors import AuthError, NotFoundError, unknown_name
from traceready.http import InvalidPageError, VendorClient, shape_of
from traceready.paging import CursorPaginator, OffsetPaginator, PageRequest, objects, paginate

logger = logging.getLogger(__name__)

V1_PAGE = 100
"""v1 ``limit`` ceiling: 101 is a 400 ``Limit exceeds maximum allowed value of 100``."""
V2_PAGE = 1000
"""v2 ``page_size`` ceiling."""
LIST_PAGE = 100
"""``limit`` of the offset-paged v1 lists (LangSmith caps it at 100)."""
V1_CURSOR = CursorPaginator(at=("cursors", "next"), into=("json", "cursor"))
V2_BODY_CURSOR = CursorPaginator(at=("next_cursor",), into=("json", "cursor"))
V2_QUERY_CURSOR = CursorPaginator(at=("next_cursor",), into=("params", "cursor"))


def raise_org_scoped_key(response: httpx.Response) -> None:
    """Httpx response hook: a 403 asking for a workspace becomes its own AuthError."""
    if response.status_code != 403:
        return
    response.read()
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return
    if isinstance(body, dict) and body.get("error") == "org_scoped_key_requires_workspace":
        raise AuthError(
            "LangSmith: this API key is org-scoped and needs a workspace (403)",
            hint="set LANGSMITH_WORKSPACE_ID to the workspace id",
        )


class LangSmithClient:
    """The LangSmith endpoints traceready reads."""

    def __init__(self, http: VendorClient, *, v1_prefix: str = "") -> None:
        self.http = http
        self.v1_prefix = v1_prefix
        """``/api/v1`` when the endpoint named it (self-hosted), else "" (the SaaS serves both)."""

    def info(self) -> dict[str, Any]:
        """``GET /info``: version and instance flags; {} when the server has no such route."""
        try:
            body = self.http.request_json("GET", f"{self.v1_prefix}/info")
        except (InvalidPageError, NotFoundError):
            return {}
        return body if isinstance(body, dict) else {}

    def sessions(self, **params: Any) -> list[dict[str, Any]]:
        """``GET /sessions`` with the given query (offset-paged; LangSmith caps ``limit`` at 100)."""
        return self.get_list("/sessions", params)

    def project(self, name: str) -> dict[str, Any]:
        """The project named ``name``, or NotFoundError naming close project names."""
        found = self.http.request_json("GET", f"{self.v1_prefix}/sessions", params={"name": name, "limit": 1})
        if not isinstance(found, list) or not all(isinstance(p, dict) for p in found):
            raise InvalidPageError(
                f"LangSmith /sessions?name=: expected a list of projects, got {shape_of(found)}"
            )
        exact: list[dict[str, Any]] = [p for p in found if p.get("name") == name]
        if exact:
            return exact[0]
        names = [str(p["name"]) for p in self.sessions() if p.get("name")]
        raise unknown_name(NotFoundError(f"LangSmith has no project {name!r}"), name, names, kind="projects")

    def runs_v1(self, body: dict[str, Any], *, max_items: int | None = None) -> Iterator[list[Any]]:
        """Pages of ``POST /runs/query``, following ``cursors.next``."""
        request = PageRequest("POST", f"{self.v1_prefix}/runs/query", json=body)
        return paginate(self.http, request, ("runs",), V1_CURSOR, max_items=max_items)

    def runs_v2(self, body: dict[str, Any], *, max_items: int | None = None) -> Iterator[list[Any]]:
        """Pages of ``POST /api/v2/runs/query``, following ``next_cursor``."""
        request = PageRequest("POST", "/api/v2/runs/query", json=body)
        return paginate(self.http, request, ("items",), V2_BODY_CURSOR, max_items=max_items)

    def rules_v2(self) -> list[dict[str, Any]]:
        """Every rule from ``GET /api/v2/runs/rules`` (``{"items", "next_cursor"}``), v1-shaped.

        The v2 list names a rule's project ``project_id`` where v1 says ``session_id``.
        """
        request = PageRequest("GET", "/api/v2/runs/rules", params=[("page_size", 100)])
        pages = paginate(
            self.http, request, ("items",), V2_QUERY_CURSOR, max_items=self.http.limits.max_list_items
        )
        return [
            {**rule, "session_id": rule.get("session_id") or rule.get("project_id")}
            for rule in objects(pages)
        ]

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """One unpaged GET on a v1 route (a rules list, one annotation queue)."""
        return self.http.request_json("GET", f"{self.v1_prefix}{path}", params=params)

    def get_list(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """A small offset-paged collection (datasets, feedback configs, sessions...), bounded."""
        query = [*(params or {}).items(), ("limit", LIST_PAGE), ("offset", 0)]
        request = PageRequest("GET", f"{self.v1_prefix}{path}", params=query)
        pages = paginate(
            self.http, request, (), OffsetPaginator(LIST_PAGE), max_items=self.http.limits.max_list_items
        )
        return objects(pages)
