"""LangSmith's read API over httpx: HTTP only, no verdicts.

Endpoints (``/work/shared/vendors/langsmith.md`` §1-§4, checked against the langsmith 0.15.1 SDK):
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

from traceready.errors import AuthError, unknown_name
from traceready.http import InvalidPageError, VendorClient

logger = logging.getLogger(__name__)

V1_PAGE = 100
"""v1 ``limit`` ceiling: 101 is a 400 ``Limit exceeds maximum allowed value of 100``."""
V2_PAGE = 1000
"""v2 ``page_size`` ceiling."""


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
        except InvalidPageError:
            return {}
        return body if isinstance(body, dict) else {}

    def sessions(self, **params: Any) -> list[dict[str, Any]]:
        """``GET /sessions`` with the given query (offset-paged; LangSmith caps ``limit`` at 100)."""
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            query = {**params, "limit": 100, "offset": offset}
            page = self.http.request_json("GET", f"{self.v1_prefix}/sessions", params=query)
            if not isinstance(page, list):
                raise InvalidPageError("LangSmith /sessions answered something that is not a list")
            out.extend(p for p in page if isinstance(p, dict))
            if len(page) < 100:
                return out
            offset += 100

    def project(self, name: str) -> dict[str, Any]:
        """The project named ``name``, or NotFoundError naming close project names."""
        from traceready.errors import NotFoundError

        found = self.http.request_json("GET", f"{self.v1_prefix}/sessions", params={"name": name, "limit": 1})
        if isinstance(found, list):
            exact = [p for p in found if isinstance(p, dict) and p.get("name") == name]
            if exact:
                return exact[0]
        names = [str(p["name"]) for p in self.sessions() if p.get("name")]
        raise unknown_name(NotFoundError(f"LangSmith has no project {name!r}"), name, names, kind="projects")

    def runs_v1(self, body: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``POST /runs/query``, following ``cursors.next``."""
        query = dict(body)
        seen: set[str] = set()
        while True:
            page = self.http.request_json("POST", f"{self.v1_prefix}/runs/query", json=query)
            runs = page.get("runs") if isinstance(page, dict) else None
            if not isinstance(runs, list):
                raise InvalidPageError("LangSmith /runs/query page has no runs list")
            yield runs
            cursors = page.get("cursors")
            cursor = cursors.get("next") if isinstance(cursors, dict) else None
            if not cursor or not runs:
                return
            if cursor in seen:
                # A server repeating a cursor would make us loop forever.
                logger.warning("LangSmith repeated a cursor on /runs/query; stopping there")
                return
            seen.add(cursor)
            query["cursor"] = cursor

    def runs_v2(self, body: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``POST /api/v2/runs/query``, following ``next_cursor``."""
        return self._cursor_pages("POST", "/api/v2/runs/query", body=body)

    def rules_v2(self) -> list[dict[str, Any]]:
        """Every rule from ``GET /api/v2/runs/rules`` (``{"items", "next_cursor"}``), v1-shaped.

        The v2 list names a rule's project ``project_id`` where v1 says ``session_id``.
        """
        return [
            {**rule, "session_id": rule.get("session_id") or rule.get("project_id")}
            for page in self._cursor_pages("GET", "/api/v2/runs/rules", params={"page_size": 100})
            for rule in page
            if isinstance(rule, dict)
        ]

    def _cursor_pages(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """The ``items`` of each page of a v2 list, following ``next_cursor`` (in the body or the query).

        Stops at an empty page, a page without a cursor, or a cursor the server already gave (a server
        repeating one would otherwise make us loop forever).
        """
        query = dict(body if body is not None else params or {})
        seen: set[str] = set()
        while True:
            if body is not None:
                page = self.http.request_json(method, path, json=query)
            else:
                page = self.http.request_json(method, path, params=query)
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise InvalidPageError(f"LangSmith {path} page has no items list")
            yield items
            cursor = page.get("next_cursor")
            if not cursor or not items:
                return
            if cursor in seen:
                logger.warning("LangSmith repeated a cursor on %s; stopping there", path)
                return
            seen.add(cursor)
            query["cursor"] = cursor

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """One unpaged GET on a v1 route (a rules list, one annotation queue)."""
        return self.http.request_json("GET", f"{self.v1_prefix}{path}", params=params)

    def get_list(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """A small offset-paged collection (datasets, feedback configs...)."""
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            query = {**(params or {}), "limit": 100, "offset": offset}
            page = self.http.request_json("GET", f"{self.v1_prefix}{path}", params=query)
            if not isinstance(page, list):
                raise InvalidPageError(f"LangSmith {path} answered something that is not a list")
            out.extend(p for p in page if isinstance(p, dict))
            if len(page) < 100:
                return out
            offset += 100
