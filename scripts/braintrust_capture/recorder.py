"""A loopback stand-in for Braintrust's control and data plane that records the SDK.

The real ``braintrust`` SDK is pointed at it with ``BRAINTRUST_APP_URL`` and
``BRAINTRUST_API_URL`` (and a dummy ``BRAINTRUST_API_KEY``). It answers only what
the SDK calls while logging and running ``Eval`` (login, project/experiment/
dataset registration, ``/version``, ``/logs3``, dataset fetch, experiment
summarize, base-experiment lookup) and records every request with the answer it
gave. Unknown paths get a 404 and are listed in ``unknown``. Stdlib only; binds
127.0.0.1 only. The ``Authorization`` header is never stored.

Answers that need server logic (dataset fetch, summarize) are computed from the
rows the SDK wrote, with ``btrows.RowStore``; they are *our* server's answers and
the cassette README says so.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from btrows import ORG_ID, ORG_NAME, USER_ID, RowStore, iso_ms, make_xact_id

HOST = "127.0.0.1"
ID_NAMESPACE = uuid.UUID("6f1d2c3b-4a59-5e6f-8a7b-9c0d1e2f3a4b")
KEPT_HEADERS = ("user-agent", "content-type", "content-encoding", "accept-encoding", "x-bt-org-name")
LOGS3_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024
PREFERRED_PORT = 8787  # a fixed URL keeps the recorded login answer stable across rebuilds


def stable_id(*parts: str) -> str:
    """Deterministic UUID for our fake server's objects (same name, same id)."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


class State:
    """Objects the fake server knows about, plus the request log."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.unknown: list[str] = []
        self.projects: dict[str, dict[str, Any]] = {}
        self.experiments: dict[str, dict[str, Any]] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.rows = RowStore()
        self._xact_counter = 0

    def next_xact(self) -> str:
        self._xact_counter += 1
        return make_xact_id(time.time(), self._xact_counter)

    # -- objects ---------------------------------------------------------

    def project(self, name: str) -> dict[str, Any]:
        for project in self.projects.values():
            if project["name"] == name:
                return project
        pid = stable_id("project", name)
        project = {
            "id": pid,
            "org_id": ORG_ID,
            "name": name,
            "description": None,
            "created": iso_ms(time.time()),
            "deleted_at": None,
            "user_id": USER_ID,
            "settings": None,
        }
        self.projects[pid] = project
        return project

    def create_experiment(self, body: dict[str, Any]) -> dict[str, Any]:
        project_id = str(body["project_id"])
        taken = {e["name"] for e in self.experiments.values() if e["project_id"] == project_id}
        name = str(body.get("name") or f"experiment-{len(taken) + 1}")
        if name in taken and body.get("ensure_new", True):
            n = 1
            while f"{name}-{n}" in taken:
                n += 1
            name = f"{name}-{n}"
        eid = stable_id("experiment", project_id, name)
        experiment = {
            "id": eid,
            "project_id": project_id,
            "name": name,
            "description": body.get("description"),
            "created": iso_ms(time.time()),
            "repo_info": body.get("repo_info"),
            "commit": (body.get("repo_info") or {}).get("commit"),
            "base_exp_id": body.get("base_exp_id"),
            "deleted_at": None,
            "dataset_id": body.get("dataset_id"),
            "dataset_version": body.get("dataset_version"),
            "parameters_id": body.get("parameters_id"),
            "parameters_version": body.get("parameters_version"),
            "public": bool(body.get("public", False)),
            "user_id": USER_ID,
            "metadata": body.get("metadata"),
            "tags": body.get("tags"),
        }
        self.experiments[eid] = experiment
        return experiment

    def dataset(self, body: dict[str, Any]) -> dict[str, Any]:
        project_id = str(body["project_id"])
        name = str(body.get("name") or "logs")
        for dataset in self.datasets.values():
            if dataset["project_id"] == project_id and dataset["name"] == name:
                return dataset
        did = stable_id("dataset", project_id, name)
        dataset = {
            "id": did,
            "project_id": project_id,
            "name": name,
            "description": body.get("description"),
            "created": iso_ms(time.time()),
            "deleted_at": None,
            "user_id": USER_ID,
            "tags": body.get("tags"),
            "metadata": body.get("metadata"),
            "url_slug": name,
        }
        self.datasets[did] = dataset
        return dataset

    # -- computed answers ------------------------------------------------

    def urls(self, project_id: str) -> str:
        return f"{self.base_url}/app/{ORG_NAME}/p/{self.projects[project_id]['name']}"

    def summarize_dataset(self, dataset_id: str, with_data: bool) -> dict[str, Any]:
        """``/v1/dataset/{id}/summarize``: names, urls and the record count."""
        dataset = self.datasets[dataset_id]
        project_url = self.urls(dataset["project_id"])
        count = len(self.rows.read_rows("dataset", dataset_id))
        return {
            "project_name": self.projects[dataset["project_id"]]["name"],
            "dataset_name": dataset["name"],
            "project_url": project_url,
            "dataset_url": f"{project_url}/datasets/{dataset['name']}",
            "data_summary": {"total_records": count} if with_data else None,
        }

    def summarize(self, experiment_id: str, comparison_id: str | None) -> dict[str, Any]:
        """Per-score means (and diffs against the comparison experiment) from the rows."""
        experiment = self.experiments[experiment_id]
        comparison_id = comparison_id or experiment.get("base_exp_id")

        def per_case(eid: str) -> dict[str, dict[str, float]]:
            rows = self.rows.read_rows("experiment", eid, experiment["project_id"])
            roots = {r["root_span_id"]: r for r in rows if r["is_root"]}
            cases: dict[str, dict[str, float]] = {}
            for row in rows:
                root = roots.get(row["root_span_id"])
                if root is None:
                    continue
                case = json.dumps(root.get("input"), sort_keys=True)
                for name, value in (row.get("scores") or {}).items():
                    if isinstance(value, (int, float)):
                        cases.setdefault(case, {})[name] = float(value)
            return cases

        mine = per_case(experiment_id)
        theirs = per_case(comparison_id) if comparison_id in self.experiments else {}
        names = sorted({n for scores in mine.values() for n in scores})
        scores: dict[str, Any] = {}
        for name in names:
            values = [s[name] for s in mine.values() if name in s]
            mean = sum(values) / len(values)
            entry: dict[str, Any] = {"name": name, "score": mean, "improvements": 0, "regressions": 0}
            base = [s[name] for s in theirs.values() if name in s]
            if base:
                entry["diff"] = mean - sum(base) / len(base)
                for case, s in mine.items():
                    old = theirs.get(case, {}).get(name)
                    if old is not None and name in s:
                        entry["improvements"] += s[name] > old
                        entry["regressions"] += s[name] < old
            scores[name] = entry
        metrics: dict[str, Any] = {}
        rows = self.rows.read_rows("experiment", experiment_id, experiment["project_id"])
        durations = [
            r["metrics"]["end"] - r["metrics"]["start"]
            for r in rows
            if r["is_root"] and "end" in (r["metrics"] or {}) and "start" in (r["metrics"] or {})
        ]
        traces = len({r["root_span_id"] for r in rows}) or 1
        if durations:
            metrics["duration"] = {"name": "duration", "metric": sum(durations) / len(durations), "unit": "s"}
        for key, label in (
            ("prompt_tokens", "prompt_tokens"),
            ("completion_tokens", "completion_tokens"),
            ("tokens", "total_tokens"),
        ):
            total = sum(
                (r["metrics"] or {}).get(key, 0)
                for r in rows
                if (r.get("span_attributes") or {}).get("type") == "llm"
            )
            metrics[label] = {"name": label, "metric": total / traces, "unit": "tok"}
        for entry in metrics.values():
            entry.update({"improvements": None, "regressions": None})
        comparison = self.experiments.get(comparison_id or "")
        project_url = self.urls(experiment["project_id"])
        return {
            "project_name": self.projects[experiment["project_id"]]["name"],
            "experiment_name": experiment["name"],
            "project_url": project_url,
            "experiment_url": f"{project_url}/experiments/{experiment['name']}",
            "comparison_experiment_name": comparison["name"] if comparison else None,
            "scores": scores,
            "metrics": metrics,
        }


class Handler(BaseHTTPRequestHandler):
    server: RecorderServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            raw = gzip.decompress(raw)
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(parts.query).items()}
        body = self._body()
        state = self.server.state
        with state.lock:
            entry: dict[str, Any] = {
                "seq": len(state.requests) + 1,
                "t": round(time.time(), 6),
                "method": method,
                "path": path,
                "query": query,
                "headers": {k: self.headers[k] for k in self.headers if k.lower() in KEPT_HEADERS},
                "has_authorization": "authorization" in {k.lower() for k in self.headers},
                "body": body,
            }
            status, answer = route(state, method, path, query, body, entry)
            entry["response"] = {"status": status, "body": answer}
            state.requests.append(entry)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")


def _objects(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"objects": sorted(items, key=lambda o: o.get("created") or "", reverse=True)}


def route(
    state: State, method: str, path: str, query: dict[str, Any], body: Any, entry: dict[str, Any]
) -> tuple[int, Any]:
    """Answer one request like the hosted service would (for what the SDK reads)."""
    seg = path.strip("/").split("/")
    if method == "POST" and path == "/api/apikey/login":
        return 200, {
            "org_info": [
                {
                    "id": ORG_ID,
                    "name": ORG_NAME,
                    "api_url": state.base_url,
                    "proxy_url": state.base_url,
                    "realtime_url": None,
                    "is_universal_api": False,
                    "git_metadata": None,
                }
            ]
        }
    if method == "GET" and path == "/version":
        return 200, {"logs3_payload_max_bytes": LOGS3_PAYLOAD_MAX_BYTES}
    if method == "POST" and path == "/logs3":
        rows = (body or {}).get("rows") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            return 400, {"error": "expected {rows: [...]}"}
        xact = state.next_xact()
        entry["server_xact_id"] = xact
        state.rows.apply(rows, xact)
        return 200, {}
    if seg[:2] == ["v1", "project"]:
        if method == "POST" and len(seg) == 2:
            return 200, state.project(str(body["name"]))
        if method == "GET" and len(seg) == 2:
            name = query.get("project_name")
            return 200, _objects([p for p in state.projects.values() if name in (None, p["name"])])
        if method == "GET" and len(seg) == 3 and seg[2] in state.projects:
            return 200, state.projects[seg[2]]
    if seg[:2] == ["v1", "experiment"]:
        if method == "POST" and len(seg) == 2:
            return 200, state.create_experiment(body)
        if method == "GET" and len(seg) == 2:
            found = [
                e
                for e in state.experiments.values()
                if query.get("experiment_name") in (None, e["name"])
                and query.get("project_id") in (None, e["project_id"])
            ]
            return 200, _objects(found)
        if len(seg) >= 3 and seg[2] in state.experiments:
            eid = seg[2]
            if method == "GET" and len(seg) == 3:
                return 200, state.experiments[eid]
            if method == "GET" and seg[3:] == ["summarize"]:
                return 200, state.summarize(eid, query.get("comparison_experiment_id"))
            if seg[3:] == ["fetch"]:
                rows = state.rows.read_rows("experiment", eid, state.experiments[eid]["project_id"])
                return 200, {"events": rows, "cursor": None}
    if seg[:2] == ["v1", "dataset"]:
        if method == "POST" and len(seg) == 2:
            return 200, state.dataset(body)
        if method == "GET" and len(seg) == 2:
            found = [
                d
                for d in state.datasets.values()
                if query.get("dataset_name") in (None, d["name"])
                and query.get("project_id") in (None, d["project_id"])
            ]
            return 200, _objects(found)
        if len(seg) >= 3 and seg[2] in state.datasets:
            did = seg[2]
            if method == "GET" and len(seg) == 3:
                return 200, state.datasets[did]
            if seg[3:] == ["fetch"]:
                rows = state.rows.read_rows("dataset", did, state.datasets[did]["project_id"])
                return 200, {"events": rows, "cursor": None}
            if method == "GET" and seg[3:] == ["summarize"]:
                return 200, state.summarize_dataset(did, query.get("summarize_data") == "true")
    if method == "POST" and path == "/api/base_experiment/get_id":
        eid = str((body or {}).get("id"))
        base = state.experiments.get(str((state.experiments.get(eid) or {}).get("base_exp_id")))
        if base is None:
            return 400, {"error": "no base experiment"}
        return 200, {"base_exp_id": base["id"], "base_exp_name": base["name"]}
    state.unknown.append(f"{method} {path}")
    return 404, {"error": f"not answered by the traceready recorder: {method} {path}"}


class RecorderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0) -> None:
        try:
            super().__init__((HOST, port or PREFERRED_PORT), Handler)
        except OSError:  # taken: any free port (convert.py normalises the URL)
            super().__init__((HOST, 0), Handler)
        self.state = State(f"http://{HOST}:{self.server_address[1]}")


class Recorder:
    """``with Recorder() as rec:`` serves on ``rec.base_url`` in a thread."""

    def __init__(self) -> None:
        self.server = RecorderServer()
        self.thread = threading.Thread(target=self.server.serve_forever, name="bt-recorder", daemon=True)

    @property
    def base_url(self) -> str:
        return self.server.state.base_url

    @property
    def state(self) -> State:
        return self.server.state

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
