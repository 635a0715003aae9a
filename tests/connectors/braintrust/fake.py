"""A fake Braintrust answering from the cassettes (an ``httpx.MockTransport`` app).

It serves ``cassettes/braintrust/<scenario>/``: REST answers from ``rest.json`` by path, and
``POST /btql`` over the rows of ``btql_project_logs.json`` the way the real data plane pages them:
the request's filter (``and``/``or``/``eq``/``ge``/``lt`` over columns) is evaluated, rows are sorted
by ``_pagination_key`` descending, cut at the query's ``limit`` and continued by an opaque cursor.
The recorded window is not matched (it moves with the clock); tests assert the window on the request.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.cassettes import CASSETTES

ROOT = CASSETTES / "braintrust"
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

    def btql(self, body: dict[str, Any]) -> httpx.Response:
        """One page of rows matching the query."""
        query = body["query"]
        assert query["from"]["name"]["name"] == ["project_logs"], query["from"]
        assert query["sort"] == [{"expr": {"op": "ident", "name": ["_pagination_key"]}, "dir": "desc"}]
        rows = self._matching(query.get("filter"))
        start = int(base64.urlsafe_b64decode(query["cursor"]).decode()) if query.get("cursor") else 0
        page = rows[start : start + query["limit"]]
        following = start + len(page)
        cursor = base64.urlsafe_b64encode(str(following).encode()).decode() if page else None
        body = orjson.dumps({"data": page, "cursor": cursor})
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

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


__all__ = ["API", "APP", "KEY", "FakeBraintrust", "Path", "project_name", "scenarios", "summary"]
