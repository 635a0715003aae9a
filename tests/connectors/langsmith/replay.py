"""Loopback fake of LangSmith's *read* API, answering any query from ``cassettes/langsmith/``.

Loads every scenario folder (``runs.jsonl``, ``feedback.json``, ``ingest.jsonl``,
``sessions.json``, ``workspace.json``), builds the same stored state
``scripts/langsmith_capture/convert.py`` rendered the pages from (``fake.build_workspace``) and
serves, on 127.0.0.1 only:

``GET /info``                           ``info.json`` ``v1`` (ClickHouse only) or ``v2`` (SmithDB only)
``GET /sessions?name=&include_stats=``  a one-element list, or ``[]`` for an unknown name
``GET /sessions?reference_dataset=<id>``  the dataset's experiments (``evaluate()`` projects)
``GET /sessions/{id}``                  the project object
``GET /datasets?name=``, ``/datasets/{id}``, ``GET /examples?dataset=``  datasets and examples
``POST /runs/query`` (also ``/api/v1/runs/query``)  v1: ``session trace parent_run id run_type
                                        is_root error start_time end_time select limit<=100 cursor order``
``POST /api/v2/runs/query``             v2: ``project_ids is_root has_error ids trace_id run_type
                                        min_start_time (default now-24h) max_start_time selects
                                        page_size 1..1000 cursor include_subtree_usage``
``GET /runs/{id}``                      one v1 run (every field)
``GET /feedback?run=&key=``             feedback list
``GET /feedback-configs``, ``GET /annotation-queues``, ``GET /annotation-queues/{id}``,
``GET /repos/``, ``GET /runs/rules``     the workspace configuration in ``workspace_config/``
                                        (``fake_workspace.py``); 404 when that folder is absent

``--backend v1|v2`` picks the ``/info`` answer (v1 also answers v2 queries; it is the flags that
tell a client which to use). ``--require-api-key`` answers 401 without an ``x-api-key`` header.
``--rate-limit N`` answers the first N run queries with ``429`` and ``Retry-After: 1``. ``--now``
fixes the clock the v2 24 h default window uses (default: one hour after the cassettes' runs).

In-process: ``with ReplayServer(backend="v2") as url: ...`` (``url`` is the API base). By hand:
``python -m tests.connectors.langsmith.replay --backend v2`` from the repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import re
import signal
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests import loopback
from tests.connectors.langsmith import fake, fake_workspace

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "langsmith"
DEFAULT_NOW = dt.datetime(2026, 11, 20, 10, 0, 0, tzinfo=dt.UTC)
"""One hour after the cassettes' runs (``REPLAY_NOW`` of ``scripts/langsmith_capture/convert.py``)."""
CONFIG_FOLDER = "workspace_config"
"""Feedback configs, annotation queues, prompts and rules (``scripts/langsmith_capture/workspace_config.py``
builds them)."""


def load_workspace(folder: Path) -> dict[str, Any]:
    """Rebuild one scenario's stored state (every project, datasets, examples) from its files."""
    runs = [
        json.loads(line) for line in (folder / "runs.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    feedback = json.loads((folder / "feedback.json").read_text(encoding="utf-8"))[0]["response"]["body"]
    sessions = json.loads((folder / "sessions.json").read_text(encoding="utf-8"))
    name = sessions[0]["request"]["query"]["name"]
    snapshot_path = folder / "workspace.json"
    snapshot = json.loads(snapshot_path.read_text(encoding="utf-8")) if snapshot_path.exists() else {}
    received: dict[str, float] = {}
    for line in (folder / "ingest.jsonl").read_text(encoding="utf-8").splitlines():
        req = json.loads(line)
        for op in req.get("ops") or []:
            kind, rid = op.split()[:2]
            if kind in ("post", "patch"):
                received[rid] = min(received.get(rid, req["received_at"]), req["received_at"])
    return fake.build_workspace(runs, feedback, received, snapshot, name)


def load_store(folder: Path) -> dict[str, Any]:
    """The scenario's traced (main) project."""
    workspace = load_workspace(folder)
    main: dict[str, Any] = workspace["stores"][workspace["main"]]
    return main


def load_all(root: Path = CASSETTES) -> dict[str, Any]:
    """Every scenario folder under ``root`` merged into one workspace (projects keyed by id)."""
    merged: dict[str, Any] = {"stores": {}, "datasets": [], "examples": [], "config": None}
    for folder in sorted(p for p in root.iterdir() if (p / "runs.jsonl").exists()):
        ws = load_workspace(folder)
        merged["stores"].update(ws["stores"])
        merged["datasets"] += ws["datasets"]
        merged["examples"] += ws["examples"]
    config = root / CONFIG_FOLDER / "workspace.json"
    if config.exists():
        merged["config"] = json.loads(config.read_text(encoding="utf-8"))
    return merged


class _Server(loopback.LoopbackServer):
    def __init__(
        self,
        port: int,
        workspace: dict[str, Any],
        info: dict[str, Any],
        *,
        require_key: bool,
        rate_limit: int,
        now: dt.datetime,
    ) -> None:
        super().__init__(port, _Handler)
        self.workspace = workspace
        self.stores: dict[str, dict[str, Any]] = workspace["stores"]
        self.info = info
        self.require_key = require_key
        self.rate_limit = rate_limit
        self.now = now
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: without TCP_NODELAY, Nagle and delayed ACKs stall each
    # keep-alive response ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _gate(self, body: Any = None) -> bool:
        """Record the request; answer 401/429 when configured. True = go on."""
        with self.server.lock:
            self.server.requests.append({"method": self.command, "path": self.path, "body": body})
        if self.server.require_key and not self.headers.get("x-api-key"):
            self._send(401, {"detail": "Invalid token"})
            return False
        return True

    def _rate_limited(self) -> bool:
        with self.server.lock:
            if self.server.rate_limit > 0:
                self.server.rate_limit -= 1
                limited = True
            else:
                limited = False
        if limited:
            self._send(429, {"detail": "Rate limit exceeded."}, {"Retry-After": "1"})
        return limited

    def _by_name(self, name: str) -> dict[str, Any] | None:
        return next((s for s in self.server.stores.values() if s["project_name"] == name), None)

    def do_GET(self) -> None:
        if not self._gate():
            return
        url = urlsplit(self.path)
        path, params = url.path.rstrip("/"), parse_qs(url.query)
        path = re.sub(r"^/api/v1(?=/)", "", path)
        if path == "/info":
            self._send(200, self.server.info)
        elif path == "/sessions":
            names = params.get("name") or []
            stats = (params.get("include_stats") or ["false"])[0].lower() == "true"
            stores = [self._by_name(n) for n in names] if names else list(self.server.stores.values())
            out = [fake.sessions_response(s, include_stats=stats)[0] for s in stores if s]
            if params.get("reference_dataset"):
                out = [p for p in out if p.get("reference_dataset_id") in params["reference_dataset"]]
            self._send(200, out)
        elif path == "/datasets":
            self._send(200, fake.datasets_response(self.server.workspace, params))
        elif m := re.fullmatch(r"/datasets/([0-9a-f-]{36})", path):
            found = fake.datasets_response(self.server.workspace, {"id": [m.group(1)]})
            self._send(200, found[0]) if found else self._send(404, {"detail": "Dataset not found"})
        elif path == "/examples":
            self._send(200, fake.examples_response(self.server.workspace, params))
        elif m := re.fullmatch(r"/sessions/([0-9a-f-]{36})", path):
            store = self.server.stores.get(m.group(1))
            if store is None:
                self._send(404, {"detail": "Session not found"})
            else:
                stats = (params.get("include_stats") or ["false"])[0].lower() == "true"
                self._send(200, fake.sessions_response(store, include_stats=stats)[0])
        elif m := re.fullmatch(r"/runs/([0-9a-f-]{36})", path):
            for store in self.server.stores.values():
                for r in store["runs"]:
                    if r["v1"]["id"] == m.group(1):
                        self._send(200, r["v1"])
                        return
            self._send(404, {"detail": "Run not found"})
        elif path == "/feedback":
            items = [f for s in self.server.stores.values() for f in fake.feedback_response(s, params)]
            self._send(200, items)
        elif not self._config_get(path, params):
            self._send(404, {"detail": "Not Found"})

    def _config_get(self, path: str, params: dict[str, list[str]]) -> bool:
        """Answer a workspace configuration read; False when ``path`` is none (or not served)."""
        config = self.server.workspace["config"]
        if config is None:
            return False  # a deployment without these routes: 404, the audit reads "unknown"
        answer: Any
        if path == "/feedback-configs":
            answer = fake_workspace.list_feedback_configs(config, params)
        elif path == "/annotation-queues":
            answer = fake_workspace.list_annotation_queues(config, params)
        elif m := re.fullmatch(r"/annotation-queues/([0-9a-f-]{36})", path):
            answer = fake_workspace.read_annotation_queue(config, m.group(1))
        elif path == "/repos":
            answer = fake_workspace.list_repos(config, params)
        elif path == "/runs/rules":
            answer = fake_workspace.list_run_rules(config, params)
        else:
            return False
        self._send(404, {"detail": "Not Found"}) if answer is None else self._send(200, answer)
        return True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(422, {"detail": "body is not JSON"})
            return
        if not self._gate(body):
            return
        path = re.sub(r"^/api/v1(?=/)", "", urlsplit(self.path).path.rstrip("/"))
        try:
            if path == "/runs/query":
                if self._rate_limited():
                    return
                sessions = [str(s) for s in body.get("session") or []]
                store = self._merged([self.server.stores[s] for s in sessions if s in self.server.stores])
                self._send(200, fake.query_v1(store, body))
            elif path == "/api/v2/runs/query":
                if self._rate_limited():
                    return
                pids = [str(p) for p in body.get("project_ids") or []]
                store = self._merged([self.server.stores[p] for p in pids if p in self.server.stores])
                self._send(200, fake.query_v2(store, body, self.server.now))
            else:
                self._send(404, {"detail": "Not Found"})
        except fake.QueryError as exc:
            self._send(exc.status, exc.body)

    @staticmethod
    def _merged(stores: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "runs": [r for s in stores for r in s["runs"]],
            "feedback": [f for s in stores for f in s["feedback"]],
        }


class ReplayServer:
    """In-process replay server: ``with ReplayServer() as url: ...``."""

    def __init__(
        self,
        port: int = 0,
        *,
        backend: str = "v1",
        root: Path = CASSETTES,
        require_api_key: bool = False,
        rate_limit: int = 0,
        now: dt.datetime = DEFAULT_NOW,
    ) -> None:
        info = json.loads((root / "info.json").read_text(encoding="utf-8"))
        self._port = port
        self.workspace = load_all(root)
        self._info: dict[str, Any] = info[backend][0]["response"]["body"]
        self._require_key, self._rate_limit, self._now = require_api_key, rate_limit, now
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server is not running")
        return self._server.url

    @property
    def requests(self) -> list[dict[str, Any]]:
        if self._server is None:
            return []
        with self._server.lock:
            return list(self._server.requests)

    def start(self) -> str:
        self._server = _Server(
            self._port,
            self.workspace,
            self._info,
            require_key=self._require_key,
            rate_limit=self._rate_limit,
            now=self._now,
        )
        self._thread = loopback.start(self._server, "ls-replay")
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        loopback.stop(server, self._thread)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--backend", choices=("v1", "v2"), default="v1")
    parser.add_argument("--root", type=Path, default=CASSETTES)
    parser.add_argument("--require-api-key", action="store_true")
    parser.add_argument("--rate-limit", type=int, default=0)
    parser.add_argument("--now", type=dt.datetime.fromisoformat, default=DEFAULT_NOW)
    args = parser.parse_args()
    server = ReplayServer(
        args.port,
        backend=args.backend,
        root=args.root,
        require_api_key=args.require_api_key,
        rate_limit=args.rate_limit,
        now=args.now,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server as url:
        names = sorted(s["project_name"] for s in server.workspace["stores"].values())
        print(f"LangSmith replay ({args.backend}) on {url}: projects {', '.join(names)}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
