"""A fake Braintrust answering from the cassettes (an ``httpx.MockTransport`` app).

It serves ``cassettes/braintrust/<scenario>/``: REST answers from ``rest.json`` by path, and
``POST /btql`` over the rows of ``btql_project_logs.json`` the way the real data plane pages them:
the request's filter (``and``/``or``/``eq``/``ge``/``lt`` over columns) is evaluated, rows are sorted
by ``_pagination_key`` descending, cut at the query's ``limit`` and continued by an opaque cursor.
The recorded window is not matched (it moves with the clock); tests assert the window on the request.

Routes the capture never reached (the SDK only reads them) are served from the fields below, each
shaped as braintrust 0.48.1's generated REST client types it (``braintrust/api/_generated/``, built
from braintrust-openapi commit 146bb7bb; no live answer was recorded). The fake refuses query
parameters that the spec does not list for a route, so the connector cannot lean on a filter the
real API may not have:

- ``GET /environment`` (no ``/v1``; params ``ids``, ``name``, ``org_name``; no ``limit``) answers
  ``{"objects": [Environment]}``, Environment = ``{id, org_id, name, slug, description, created,
  deleted_at}`` (``environments.py``, ``models/environments.py``). ``environments=None`` answers 404,
  as a data plane without the route would.
- ``GET /v1/project_automation`` (params ``limit``, ``starting_after``, ``ending_before``, ``ids``,
  ``project_automation_name``, ``org_name``: no ``project_id``) answers ``{"objects":
  [ProjectAutomation]}``, ProjectAutomation = ``{id, project_id, user_id, created, name,
  description, config}``, a retention config being ``{event_type: "retention", object_type:
  "project_logs"|"experiment"|"dataset", retention_days: int}`` (``models/project_automations.py``
  ``Config20``, ``models/common.py`` ``RetentionObjectType``).
- ``GET /v1/org_automation`` (the same params with ``org_automation_name``) answers ``{"objects":
  [OrgAutomation]}``, OrgAutomation = ``{id, org_id, user_id, created, name, description, config}``
  with the same retention config (``models/org_automations.py``). ``org_automations=None``: 404.
- ``POST /btql`` over ``project_prompts('<project id>')`` with ``audit_log: true``: the audit log,
  one entry per write. The SDK's ``get_prompt_versions`` (``logger.py``) reads only ``id`` (the
  prompt), ``_xact_id`` and ``audit_data.action`` (``upsert``/``merge`` make a version); the other
  fields of ``prompt_audit_entry`` are not verified.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.cassettes import CASSETTES

ROOT = CASSETTES / "braintrust"
ORG_ID = "5b0c5a4e-7f3d-5e51-9c8f-0c1a7d2e9b10"
"""The organization of every scenario's login answer."""
CREATED = "2026-11-20T09:30:00.000Z"
LIST_PARAMS = {
    "/environment": {"ids", "name", "org_name"},
    "/v1/project_automation": {
        *("limit", "starting_after", "ending_before", "ids", "project_automation_name", "org_name")
    },
    "/v1/org_automation": {
        *("limit", "starting_after", "ending_before", "ids", "org_automation_name", "org_name")
    },
}
"""Query parameters the spec lists for the routes served from fields (see the module docstring)."""


def _id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def environment(slug: str, name: str | None = None, *, deleted: bool = False) -> dict[str, Any]:
    """An org environment as ``GET /environment`` lists it."""
    return {
        "id": _id("environment", slug),
        "org_id": ORG_ID,
        "name": name or slug.capitalize(),
        "slug": slug,
        "description": None,
        "created": CREATED,
        "deleted_at": CREATED if deleted else None,
    }


def retention_config(days: Any, object_type: str = "project_logs") -> dict[str, Any]:
    """A data-retention automation config."""
    return {"event_type": "retention", "object_type": object_type, "retention_days": days}


def project_automation(
    project_id: str, config: dict[str, Any], name: str = "Log retention"
) -> dict[str, Any]:
    """A project automation as ``GET /v1/project_automation`` lists it."""
    return {
        "id": _id("project_automation", project_id, name),
        "project_id": project_id,
        "user_id": _id("user"),
        "created": CREATED,
        "name": name,
        "description": None,
        "config": config,
    }


def org_automation(config: dict[str, Any], name: str = "Org log retention") -> dict[str, Any]:
    """An organization automation as ``GET /v1/org_automation`` lists it."""
    return {
        "id": _id("org_automation", name),
        "org_id": ORG_ID,
        "user_id": _id("user"),
        "created": CREATED,
        "name": name,
        "description": None,
        "config": config,
    }


def prompt_audit_entry(prompt_id: str, xact_id: str, action: str = "upsert") -> dict[str, Any]:
    """One write of a prompt in the ``project_prompts`` audit log (``audit_log: true``)."""
    return {"id": prompt_id, "_xact_id": xact_id, "slug": "system", "audit_data": {"action": action}}


KEY = "bt-test-key-0123456789"
APP = "http://app.braintrust.test"
API = "http://api.braintrust.test"


def scenario_rows(scenario: str, name: str = "btql_project_logs.json") -> list[dict[str, Any]]:
    """Every row the recorded pages hold, in page order."""
    data = json.loads((ROOT / scenario / name).read_text())
    return [row for i in data["interactions"] for row in i["response"]["body"]["data"]]


def rest_answers(scenario: str) -> list[tuple[str, str, dict[str, Any], Any]]:
    """(method, path, query, body) of every recorded REST answer."""
    data = json.loads((ROOT / scenario / "rest.json").read_text())
    return [
        (i["request"]["method"], i["request"]["path"], i["request"].get("query") or {}, i["response"]["body"])
        for i in data["interactions"]
    ]


def _recent(path: str, body: Any, scenario: str) -> Any:
    """Experiments as if run just now: their age, not the recording date, decides j's "recent runs"."""
    if not path.startswith("/v1/experiment") or path.endswith("/summarize"):
        return body
    recorded = datetime.fromisoformat(summary(scenario)["recorded_at"])
    shift = datetime.now(recorded.tzinfo) - recorded

    def moved(item: dict[str, Any]) -> dict[str, Any]:
        created = datetime.fromisoformat(item["created"].replace("Z", "+00:00"))
        return dict(item, created=(created + shift).isoformat())

    if isinstance(body, dict) and isinstance(body.get("objects"), list):
        return dict(body, objects=[moved(o) for o in body["objects"]])
    return moved(body) if isinstance(body, dict) and "created" in body else body


def _value(row: dict[str, Any], name: list[str]) -> Any:
    value: Any = row
    for part in name:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _comparable(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def matches(row: dict[str, Any], node: dict[str, Any] | None) -> bool:
    """Whether a row passes a BTQL AST filter (the subset the connector sends)."""
    if node is None:
        return True
    op = node["op"]
    if op == "and":
        return all(matches(row, child) for child in node["children"])
    if op == "or":
        return any(matches(row, child) for child in node["children"])
    left = _comparable(_value(row, node["left"]["name"]))
    right = _comparable(node["right"]["value"])
    if op == "eq":
        return bool(left == right)
    if left is None:
        return False
    if op == "ge":
        return bool(left >= right)
    if op == "lt":
        return bool(left < right)
    raise AssertionError(f"the fake does not know BTQL op {op!r}")


@dataclass
class FakeBraintrust:
    """The app: ``handler`` for ``httpx.MockTransport``; ``requests`` records what was asked."""

    scenario: str
    extra_rows: list[dict[str, Any]] = field(default_factory=list)
    fault: Callable[[httpx.Request, int], httpx.Response | None] = lambda request, n: None
    org_api_url: str = API
    environments: list[dict[str, Any]] | None = field(default_factory=list)
    project_automations: list[dict[str, Any]] = field(default_factory=list)
    org_automations: list[dict[str, Any]] | None = field(default_factory=list)
    prompt_audit: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = scenario_rows(self.scenario) + self.extra_rows
        self.rest = [(m, p, q, _recent(p, b, self.scenario)) for m, p, q, b in rest_answers(self.scenario)]
        self._memo: dict[tuple[int, int, str], list[dict[str, Any]]] = {}
        self._by_trace: tuple[tuple[int, int], dict[str, list[dict[str, Any]]]] = ((0, 0), {})

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer one request like Braintrust would."""
        self.requests.append(request)
        injected = self.fault(request, len(self.requests))
        if injected is not None:
            return injected
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return httpx.Response(401, json={"error": "Invalid API key"})
        path = request.url.path
        if request.method == "POST" and path == "/api/apikey/login":
            body = next(b for m, p, _, b in self.rest if p == path)
            orgs = [dict(org, api_url=self.org_api_url) for org in body["org_info"]]
            return httpx.Response(200, json={"org_info": orgs})
        if request.method == "POST" and path == "/btql":
            return self.btql(json.loads(request.content))
        if request.method == "GET" and path in LIST_PARAMS:
            return self.listing(request)
        if request.method == "GET" and path == "/v1/project":
            everything = next(b for m, p, q, b in self.rest if p == path and not q)
            wanted = request.url.params.get("project_name")
            objects = [o for o in everything["objects"] if wanted is None or o["name"] == wanted]
            return httpx.Response(200, json={"objects": objects})
        for method, recorded, _, body in self.rest:
            if method == request.method and recorded == path:
                return httpx.Response(200, json=body)
        if path.startswith("/v1/"):
            return httpx.Response(200, json={"objects": []})
        return httpx.Response(404, json={"error": "not found"})

    def listing(self, request: httpx.Request) -> httpx.Response:
        """``/environment`` and the automation lists, from the fields; a page after ``starting_after``."""
        path = request.url.path
        unknown = set(request.url.params) - LIST_PARAMS[path]
        assert not unknown, f"{path} takes no {sorted(unknown)} in the spec"
        objects = {
            "/environment": self.environments,
            "/v1/project_automation": self.project_automations,
            "/v1/org_automation": self.org_automations,
        }[path]
        if objects is None:
            return httpx.Response(404, json={"error": f"no route {path}"})
        if (name := request.url.params.get("name")) is not None:
            objects = [o for o in objects if o["name"] == name]
        after = request.url.params.get("starting_after")
        if after is not None:
            objects = objects[[o["id"] for o in objects].index(after) + 1 :]
        limit = request.url.params.get("limit")
        return httpx.Response(200, json={"objects": objects[: int(limit)] if limit else objects})

    def btql(self, body: dict[str, Any]) -> httpx.Response:
        """One page of rows matching the query."""
        query = body["query"]
        if query["from"]["name"]["name"] == ["project_prompts"]:
            return self.prompt_audit_page(body)
        assert query["from"]["name"]["name"] == ["project_logs"], query["from"]
        assert query["sort"] == [{"expr": {"op": "ident", "name": ["_pagination_key"]}, "dir": "desc"}]
        rows = self._matching(query.get("filter"))
        start = int(base64.urlsafe_b64decode(query["cursor"]).decode()) if query.get("cursor") else 0
        page = rows[start : start + query["limit"]]
        following = start + len(page)
        cursor = base64.urlsafe_b64encode(str(following).encode()).decode() if page else None
        content = orjson.dumps({"data": page, "cursor": cursor})
        return httpx.Response(200, content=content, headers={"content-type": "application/json"})

    def prompt_audit_page(self, body: dict[str, Any]) -> httpx.Response:
        """A page of the prompts' audit log (the SDK asks for it with ``audit_log: true``)."""
        assert body.get("audit_log") is True, "project_prompts rows are not versions; ask for the audit log"
        query = body["query"]
        assert query.get("filter") is None
        start = int(base64.urlsafe_b64decode(query["cursor"]).decode()) if query.get("cursor") else 0
        page = self.prompt_audit[start : start + query["limit"]]
        following = start + len(page)
        cursor = base64.urlsafe_b64encode(str(following).encode()).decode() if page else None
        return httpx.Response(200, json={"data": page, "cursor": cursor})

    def _matching(self, node: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Rows passing the filter, newest ``_pagination_key`` first (memoised while rows are unchanged)."""
        key = (id(self.rows), len(self.rows), json.dumps(node, sort_keys=True))
        cached = self._memo.get(key)
        if cached is None:
            candidates = (r for r in self._candidates(node) if matches(r, node))
            cached = sorted(candidates, key=lambda r: r["_pagination_key"], reverse=True)
            self._memo = {key: cached}  # one query's pages are asked in a row: keep only the last
        return cached

    def _candidates(self, node: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Rows that may match: an ``or`` of ``root_span_id`` equalities looks traces up by id."""
        children = node.get("children") if node is not None and node.get("op") == "or" else None
        if not children or not all(
            c["op"] == "eq" and c["left"]["name"] == ["root_span_id"] for c in children
        ):
            return self.rows
        if self._by_trace[0] != (id(self.rows), len(self.rows)):
            index: dict[str, list[dict[str, Any]]] = {}
            for row in self.rows:
                index.setdefault(row["root_span_id"], []).append(row)
            self._by_trace = ((id(self.rows), len(self.rows)), index)
        return [row for c in children for row in self._by_trace[1].get(c["right"]["value"], [])]

    def btql_bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies of the ``/btql`` requests made so far."""
        return [json.loads(r.content) for r in self.requests if r.url.path == "/btql"]


def scenarios() -> list[str]:
    """Scenario folders recorded for Braintrust."""
    return sorted(p.name for p in ROOT.iterdir() if (p / "btql_project_logs.json").is_file())


def summary(scenario: str) -> dict[str, Any]:
    """The scenario's summary.json."""
    data: dict[str, Any] = json.loads((ROOT / scenario / "summary.json").read_text())
    return data


def project_name(scenario: str) -> str:
    """The Braintrust project the scenario was recorded in."""
    return str(summary(scenario)["project"]["name"])


__all__ = [
    "API",
    "APP",
    "KEY",
    "FakeBraintrust",
    "Path",
    "environment",
    "org_automation",
    "project_automation",
    "project_name",
    "prompt_audit_entry",
    "retention_config",
    "scenarios",
    "summary",
]
