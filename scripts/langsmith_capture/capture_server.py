#!/usr/bin/env python3
"""Loopback stand-in for LangSmith's *ingest* API, recording what the real SDK sends.

Point the real ``langsmith`` SDK at it (``LANGSMITH_ENDPOINT=http://127.0.0.1:PORT``,
``LANGSMITH_API_KEY`` a dummy, ``LANGSMITH_TRACING=true``) and every run create / update and
feedback the SDK emits is decoded and recorded. Stdlib only, plus ``zstandard`` for the
compressed multipart stream (the SDK's default when ``/info`` advertises it).

Endpoints, as the SDK (langsmith 0.15.x, ``client.py``) uses them:

``GET /info``
    ``{"version", "license_expiration_time", "batch_ingest_config", "instance_flags"}``. The SDK
    reads ``batch_ingest_config.use_multipart_endpoint`` / ``size_limit`` /
    ``size_limit_bytes`` / ``scale_*`` (background thread), ``instance_flags``
    ``zstd_compression_enabled`` (turns on the zstd-compressed multipart stream),
    ``ch_query_enabled`` / ``sdb_query_enabled`` (v1 vs v2 queries),
    ``dataset_examples_multipart_enabled`` / ``examples_multipart_enabled``, and ``version``
    (``>= 0.8.10`` sends feedback inside the multipart stream; ``>= 0.16.0`` for v2 resources).
    ``InfoConfig`` picks one of the answers below (``mode``).
``POST /runs/multipart``
    ``multipart/form-data`` (``requests_toolbelt`` encoder, boundary in ``Content-Type``),
    optionally ``Content-Encoding: zstd`` (then ``X-Pre-Compressed-Size`` /
    ``X-Post-Compressed-Size`` headers) or ``gzip``. Part names: ``post.<run id>`` /
    ``patch.<run id>`` (the run without its big fields), ``post.<id>.inputs`` /
    ``.outputs`` / ``.events`` / ``.extra`` / ``.error`` / ``.serialized`` (each a JSON part),
    ``attachment.<id>.<name>`` and ``feedback.<feedback id>``. Every part carries its own
    ``Content-Type: application/json`` and ``Content-Length``.
``POST /runs/batch``
    ``{"post": [run...], "patch": [run...]}`` (used when multipart is disabled or 404s).
``POST /runs`` and ``PATCH /runs/{id}``
    one run as JSON (``auto_batch_tracing=False`` or a run without ``dotted_order``).
``POST /feedback``
    one feedback object (feedback outside the multipart stream).
``GET /sessions?name=...``
    a one-element list with the project of that name (``project_record``: a stable id derived
    from the name), as a workspace whose project already exists answers. The agents read it to
    pass ``session_id`` to ``create_feedback`` as the SDK now asks (without it the SDK warns, and
    refuses on SmithDB-only deployments). Without ``name``: the projects created so far.
``POST /sessions``, ``PATCH /sessions/{id}``, ``GET /sessions/{id}``
    projects the SDK creates and updates (``evaluate()`` experiments), kept in a ``Workspace``.
``POST /datasets``, ``GET /datasets?name=``, ``GET /datasets/{id}``, ``GET /datasets/{id}/splits``
    datasets (ids: uuid5 of the name).
``POST /v1/platform/datasets/{id}/examples``, ``GET /examples?dataset=``
    examples, uploaded as multipart (parts ``<example id>``, ``<id>.inputs``, ``<id>.outputs``).
``GET /settings``
    the tenant.
``POST|GET /feedback-configs``, ``POST|GET /annotation-queues``, ``GET /annotation-queues/{id}``,
``POST|GET /repos/``, ``GET /repos/{owner}/{name}``, ``GET|POST /commits/{owner}/{name}``
    the workspace configuration the SDK creates (``create_feedback_config``,
    ``create_annotation_queue``, ``create_prompt``, ``create_commit``), answered by
    ``tests/connectors/langsmith/fake_workspace.py`` (shared with the replay server).

Anything else is recorded and answered 404. The recorder keeps, in arrival order, one entry per
HTTP request (method, path, transport, encoding, part names, sizes; credentials are never
stored, only whether ``x-api-key`` was present) and one entry per operation
(``post``/``patch``/``feedback`` with its full JSON payload). ``merge_runs`` folds the
operations into one object per run id the way the server does: creates first, then every
update's non-null fields override.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import io
import json
import re
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.connectors.langsmith import fake_workspace
from tests.connectors.langsmith.fake import (
    ID_NAMESPACE,
    PROJECT_CREATED_AT,
    TENANT_HANDLE,
    TENANT_ID,
    datasets_response,
    examples_response,
    project_id,
    project_record,
)

HOST = "127.0.0.1"

# Run fields the SDK ships as separate multipart parts ("post.<id>.<field>").
BIG_FIELDS = ("inputs", "outputs", "events", "extra", "error", "serialized")
_UUID = r"[0-9a-fA-F-]{36}"
_PART_RE = re.compile(rf"^(post|patch)\.({_UUID})(?:\.(\w+))?$")
_FEEDBACK_RE = re.compile(rf"^feedback\.({_UUID})$")
_ATTACHMENT_RE = re.compile(rf"^attachment\.({_UUID})\.(.+)$")
_RUN_PATH_RE = re.compile(rf"^/runs/({_UUID})$")
_EXAMPLES_PATH_RE = re.compile(rf"^(?:/v1)?/platform/datasets/({_UUID})/examples$")

BATCH_INGEST_CONFIG: dict[str, Any] = {
    "use_multipart_endpoint": True,
    "scale_up_qsize_trigger": 1000,
    "scale_up_nthreads_limit": 16,
    "scale_down_nempty_trigger": 4,
    "size_limit": 100,
    "size_limit_bytes": 20_971_520,
}


def info_payload(mode: str = "zstd") -> dict[str, Any]:
    """``GET /info`` answer for a transport ``mode``.

    ``zstd``: multipart + zstd stream (what a current LangSmith advertises);
    ``multipart``: multipart, no compression; ``batch``: ``use_multipart_endpoint`` false, so
    the SDK posts JSON to ``/runs/batch``.
    """
    bic = dict(BATCH_INGEST_CONFIG)
    flags: dict[str, Any] = {
        "zstd_compression_enabled": mode == "zstd",
        "ch_query_enabled": True,
        "sdb_query_enabled": True,
        "dataset_examples_multipart_enabled": True,
        "examples_multipart_enabled": True,
    }
    if mode == "batch":
        bic["use_multipart_endpoint"] = False
    return {
        "version": "0.16.2",
        "license_expiration_time": None,
        "batch_ingest_config": bic,
        "instance_flags": flags,
    }


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def decompress(body: bytes, encoding: str | None) -> bytes:
    """Undo ``Content-Encoding`` (zstd, gzip or none)."""
    enc = (encoding or "").strip().lower()
    if not enc or enc == "identity":
        return body
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "zstd":
        import zstandard

        # The SDK streams frames without a content size: use a streaming reader.
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body)) as reader:
            return reader.read()
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


def _boundary(content_type: str) -> bytes:
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        raise ValueError(f"no multipart boundary in {content_type!r}")
    return m.group(1).encode()


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, dict[str, str], bytes]]:
    """Split a ``multipart/form-data`` body into ``(name, headers, data)`` parts.

    Uses each part's ``Content-Length`` when present (the SDK always sends it for JSON
    parts), else the next boundary.
    """
    delim = b"--" + _boundary(content_type)
    parts: list[tuple[str, dict[str, str], bytes]] = []
    pos = body.find(delim)
    if pos < 0:
        raise ValueError("multipart body has no boundary")
    while True:
        pos += len(delim)
        if body[pos : pos + 2] == b"--":
            break  # closing delimiter
        if body[pos : pos + 2] != b"\r\n":
            raise ValueError("malformed multipart delimiter line")
        pos += 2
        head_end = body.find(b"\r\n\r\n", pos)
        if head_end < 0:
            raise ValueError("multipart part without header terminator")
        headers: dict[str, str] = {}
        for line in body[pos:head_end].decode("utf-8").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        data_start = head_end + 4
        length = headers.get("content-length")
        if length is not None and length.isdigit():
            data_end = data_start + int(length)
        else:
            data_end = body.find(b"\r\n" + delim, data_start)
            if data_end < 0:
                raise ValueError("multipart part without closing boundary")
        data = body[data_start:data_end]
        m = re.search(r'name="([^"]*)"', headers.get("content-disposition", ""))
        parts.append((m.group(1) if m else "", headers, data))
        nxt = body.find(delim, data_end)
        if nxt < 0:
            raise ValueError("multipart body not terminated")
        pos = nxt
    return parts


def ops_from_multipart(parts: list[tuple[str, dict[str, str], bytes]]) -> list[dict[str, Any]]:
    """Turn multipart parts into ``post``/``patch``/``feedback`` operations (payloads re-joined)."""
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    order: list[tuple[str, str]] = []
    ops: list[dict[str, Any]] = []
    for name, headers, data in parts:
        if m := _PART_RE.match(name):
            op, run_id, field = m.group(1), m.group(2), m.group(3)
            key = (op, run_id)
            if key not in runs:
                runs[key] = {"op": op, "id": run_id, "parts": [], "payload": {}}
                order.append(key)
            entry = runs[key]
            entry["parts"].append(field or "main")
            value = json.loads(data) if data else None
            if field is None:
                entry["payload"].update(value or {})
            elif field in BIG_FIELDS:
                entry["payload"][field] = value
            else:
                entry["payload"][field] = value
                entry.setdefault("unknown_parts", []).append(field)
        elif m := _FEEDBACK_RE.match(name):
            ops.append({"op": "feedback", "id": m.group(1), "parts": ["main"], "payload": json.loads(data)})
        elif m := _ATTACHMENT_RE.match(name):
            ops.append(
                {
                    "op": "attachment",
                    "id": m.group(1),
                    "name": m.group(2),
                    "content_type": headers.get("content-type"),
                    "size": len(data),
                }
            )
        else:
            ops.append({"op": "unknown-part", "name": name, "size": len(data)})
    return [runs[k] for k in order] + ops


# --------------------------------------------------------------------------
# Merging (what the server stores per run id)
# --------------------------------------------------------------------------


def merge_runs(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold run operations into one object per run id, in order of first create.

    Creates are applied first (a later create of the same id replaces fields it carries), then
    updates in arrival order; an update's ``None`` values do not erase stored ones (the SDK drops
    ``None`` fields before sending anyway). Each result gets ``_ops`` (e.g. ``["post",
    "patch"]``) for provenance; the converter removes it.
    """
    merged: dict[str, dict[str, Any]] = {}
    history: dict[str, list[str]] = {}
    for op in ops:
        if op["op"] == "post":
            rid = op["id"]
            merged.setdefault(rid, {}).update(op["payload"])
            history.setdefault(rid, []).append("post")
    for op in ops:
        if op["op"] == "patch":
            rid = op["id"]
            target = merged.setdefault(rid, {"id": rid})
            target.update({k: v for k, v in op["payload"].items() if v is not None})
            history.setdefault(rid, []).append("patch")
    out = []
    for rid, run in merged.items():
        run = dict(run)
        run["_ops"] = history[rid]
        out.append(run)
    return out


# --------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------


class Workspace:
    """Datasets, examples and projects the SDK creates (``create_dataset``, ``create_examples``,
    ``evaluate()``'s experiment projects), answered the way LangSmith answers them."""

    def __init__(self) -> None:
        self.datasets: dict[str, dict[str, Any]] = {}
        self.examples: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self.config: dict[str, Any] = fake_workspace.empty()
        """Feedback configs, annotation queues, hub prompts (``fake_workspace``)."""
        self.clock: str | None = None
        """A fixed time for what the server stamps (None: now)."""

    def _now(self) -> str:
        return self.clock or dt.datetime.now(dt.UTC).isoformat()

    def project_by_name(self, name: str) -> dict[str, Any]:
        for proj in self.projects.values():
            if proj["name"] == name:
                return proj
        return project_record(name)

    def create_project(self, body: dict[str, Any]) -> dict[str, Any]:
        pid = str(body.get("id") or project_id(body["name"]))
        proj = {
            **project_record(body["name"]),
            "id": pid,
            "start_time": body.get("start_time") or self._now(),
            "end_time": body.get("end_time"),
            "description": body.get("description"),
            "extra": body.get("extra"),
            "reference_dataset_id": body.get("reference_dataset_id"),
        }
        self.projects[pid] = proj
        return proj

    def update_project(self, pid: str, body: dict[str, Any]) -> dict[str, Any]:
        proj = self.projects.setdefault(pid, {**project_record(str(body.get("name") or pid)), "id": pid})
        for key in ("name", "description", "end_time", "extra"):
            if key in body and body[key] is not None:
                proj[key] = body[key]
        if body.get("metadata") is not None:
            proj["extra"] = {**(proj.get("extra") or {}), "metadata": body["metadata"]}
        return proj

    def create_dataset(self, body: dict[str, Any]) -> dict[str, Any]:
        did = str(body.get("id") or uuid.uuid5(ID_NAMESPACE, f"dataset:{body['name']}"))
        now = self._now()
        ds = {
            "id": did,
            "name": body["name"],
            "description": body.get("description"),
            "data_type": body.get("data_type") or "kv",
            "created_at": now,
            "modified_at": now,
            "example_count": 0,
            "session_count": 0,
            "last_session_start_time": None,
            "inputs_schema_definition": body.get("inputs_schema_definition"),
            "outputs_schema_definition": body.get("outputs_schema_definition"),
            "transformations": body.get("transformations"),
            "metadata": body.get("extra", {}).get("metadata") if body.get("extra") else body.get("metadata"),
            "tenant_id": TENANT_ID,
        }
        self.datasets[did] = ds
        return ds

    def add_example(self, dataset_id: str, example_id: str, body: dict[str, Any]) -> None:
        now = self._now()
        self.examples[example_id] = {
            "id": example_id,
            "dataset_id": dataset_id,
            "inputs": body.get("inputs"),
            "outputs": body.get("outputs"),
            "metadata": body.get("metadata"),
            "created_at": body.get("created_at") or now,
            "modified_at": now,
            "source_run_id": body.get("source_run_id"),
            "attachment_urls": None,
        }
        if body.get("split") is not None:
            split = body["split"]
            self.examples[example_id]["metadata"] = {
                **(body.get("metadata") or {}),
                "dataset_split": split if isinstance(split, list) else [split],
            }
        ds = self.datasets.get(dataset_id)
        if ds is not None:
            ds["example_count"] = sum(1 for e in self.examples.values() if e["dataset_id"] == dataset_id)
            ds["modified_at"] = now

    def examples_from_multipart(
        self, dataset_id: str, parts: list[tuple[str, dict[str, str], bytes]]
    ) -> list[str]:
        bodies: dict[str, dict[str, Any]] = {}
        for name, _headers, data in parts:
            eid, _, field = name.partition(".")
            entry = bodies.setdefault(eid, {})
            if not field:
                entry.update(json.loads(data))
            elif field in ("inputs", "outputs"):
                entry[field] = json.loads(data)
        for eid, body in bodies.items():
            self.add_example(dataset_id, eid, body)
        return list(bodies)

    def snapshot(self) -> dict[str, Any]:
        for ds in self.datasets.values():
            ds["session_count"] = sum(
                1 for p in self.projects.values() if p.get("reference_dataset_id") == ds["id"]
            )
            starts = [
                p["start_time"] for p in self.projects.values() if p.get("reference_dataset_id") == ds["id"]
            ]
            ds["last_session_start_time"] = max(starts) if starts else None
        return json.loads(
            json.dumps(
                {
                    "datasets": list(self.datasets.values()),
                    "examples": list(self.examples.values()),
                    "projects": list(self.projects.values()),
                    **({"config": self.config} if any(self.config.values()) else {}),
                }
            )
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, info: dict[str, Any], verbose: bool) -> None:
        super().__init__((HOST, port), _Handler)
        self.info = info
        self.verbose = verbose
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.ops: list[dict[str, Any]] = []
        self.workspace = Workspace()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # -- helpers ---------------------------------------------------------
    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _record(self, entry: dict[str, Any], ops: list[dict[str, Any]]) -> None:
        received = time.time()
        header_names = sorted(h.lower() for h in self.headers)
        entry = {
            "method": self.command,
            "path": urlsplit(self.path).path,
            "query": parse_qs(urlsplit(self.path).query),
            "received_at": received,
            "api_key_sent": "x-api-key" in header_names,
            "headers": {
                k: v
                for k, v in ((h.lower(), self.headers[h]) for h in self.headers)
                if k
                in (
                    "content-type",
                    "content-encoding",
                    "x-pre-compressed-size",
                    "x-post-compressed-size",
                    "user-agent",
                    "accept",
                )
            },
            "header_names": [h for h in header_names if h not in ("host", "connection")],
            **entry,
        }
        with self.server.lock:
            entry["seq"] = len(self.server.requests)
            for op in ops:
                op["request_seq"] = entry["seq"]
                op["received_at"] = received
            self.server.requests.append(entry)
            self.server.ops.extend(ops)

    def _workspace_get(self, path: str, params: dict[str, list[str]]) -> bool:
        """Answer dataset/example/project reads from the workspace; False if not one."""
        ws = self.server.workspace
        with self.server.lock:
            if path == "/datasets":
                answer: Any = datasets_response({"datasets": list(ws.datasets.values())}, params)
            elif m := re.fullmatch(rf"/datasets/({_UUID})", path):
                answer = ws.datasets.get(m.group(1))
            elif path == "/examples":
                answer = examples_response({"examples": list(ws.examples.values())}, params)
            elif m := re.fullmatch(rf"/datasets/({_UUID})/splits", path):
                answer = []
            elif m := re.fullmatch(rf"/sessions/({_UUID})", path):
                answer = ws.projects.get(m.group(1))
            elif path == "/settings":
                answer = {
                    "id": TENANT_ID,
                    "display_name": "traceready capture",
                    "created_at": PROJECT_CREATED_AT,
                    "tenant_handle": TENANT_HANDLE,
                }
            elif path == "/feedback-configs":
                answer = fake_workspace.list_feedback_configs(ws.config, params)
            elif path == "/annotation-queues":
                answer = fake_workspace.list_annotation_queues(ws.config, params)
            elif m := re.fullmatch(rf"/annotation-queues/({_UUID})", path):
                answer = fake_workspace.read_annotation_queue(ws.config, m.group(1))
            elif path == "/repos":
                answer = fake_workspace.list_repos(ws.config, params)
            elif m := re.fullmatch(r"/repos/([^/]+)/([^/]+)", path):
                answer = fake_workspace.get_repo(ws.config, m.group(2))
            elif m := re.fullmatch(r"/commits/([^/]+)/([^/]+)", path):
                answer = fake_workspace.list_commits(ws.config, m.group(2), params)
            else:
                return False
        self._record({"transport": "workspace"}, [])
        if answer is None:
            self._send(404, {"detail": "Not Found"})
        else:
            self._send(200, answer)
        return True

    def _create_config(self, path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        ws = self.server.workspace
        now = ws._now()
        if path == "/feedback-configs":
            return fake_workspace.create_feedback_config(ws.config, doc, TENANT_ID, now)
        if path == "/annotation-queues":
            return fake_workspace.create_annotation_queue(ws.config, doc, TENANT_ID, now)
        if path == "/repos":
            return fake_workspace.create_repo(ws.config, doc, TENANT_ID, TENANT_HANDLE, now)
        m = re.fullmatch(r"/commits/([^/]+)/([^/]+)", path)
        return fake_workspace.create_commit(ws.config, m.group(2), doc, now) if m else None

    # -- verbs -----------------------------------------------------------
    def do_GET(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        if path == "/info":
            self._record({"transport": "info"}, [])
            self._send(200, self.server.info)
        elif path == "/sessions":
            self._record({"transport": "sessions"}, [])
            params = parse_qs(urlsplit(self.path).query)
            names = params.get("name") or []
            with self.server.lock:
                if names:
                    found = [self.server.workspace.project_by_name(n) for n in names[:1]]
                else:  # a plain listing (the SDK asks for one project to learn the tenant id)
                    limit = int((params.get("limit") or ["100"])[0])
                    found = list(self.server.workspace.projects.values())[:limit]
                self._send(200, found)
        elif self._workspace_get(path, parse_qs(urlsplit(self.path).query)):
            pass
        else:
            self._record({"transport": "unknown"}, [])
            self._send(404, {"detail": "Not Found"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        raw = self._body()
        encoding = self.headers.get("Content-Encoding")
        try:
            body = decompress(raw, encoding)
            if path == "/runs/multipart":
                parts = parse_multipart(body, self.headers.get("Content-Type", ""))
                ops = ops_from_multipart(parts)
                self._record(
                    {
                        "transport": "multipart",
                        "bytes_on_wire": len(raw),
                        "bytes_decoded": len(body),
                        "part_names": [p[0] for p in parts],
                    },
                    ops,
                )
                self._send(202, {})
            elif path == "/runs/batch":
                doc = json.loads(body)
                ops = [
                    {"op": kind, "id": str(run["id"]), "parts": ["json"], "payload": run}
                    for kind in ("post", "patch")
                    for run in doc.get(kind) or []
                ]
                self._record({"transport": "batch", "bytes_on_wire": len(raw), "keys": sorted(doc)}, ops)
                self._send(202, {})
            elif path == "/runs":
                run = json.loads(body)
                self._record(
                    {"transport": "single", "bytes_on_wire": len(raw)},
                    [{"op": "post", "id": str(run["id"]), "parts": ["json"], "payload": run}],
                )
                self._send(202, {})
            elif path == "/datasets":
                doc = json.loads(body)
                with self.server.lock:
                    ds = self.server.workspace.create_dataset(doc)
                self._record({"transport": "workspace", "body": doc}, [])
                self._send(200, ds)
            elif path == "/sessions":
                doc = json.loads(body)
                with self.server.lock:
                    proj = self.server.workspace.create_project(doc)
                self._record({"transport": "workspace", "body": doc}, [])
                self._send(200, proj)
            elif path in ("/feedback-configs", "/annotation-queues", "/repos") or path.startswith(
                "/commits/"
            ):
                doc = json.loads(body)
                with self.server.lock:
                    answer = self._create_config(path, doc)
                self._record({"transport": "workspace", "body": doc}, [])
                self._send(404, {"detail": "Not Found"}) if answer is None else self._send(200, answer)
            elif m := _EXAMPLES_PATH_RE.match(path):
                parts = parse_multipart(body, self.headers.get("Content-Type", ""))
                with self.server.lock:
                    ids = self.server.workspace.examples_from_multipart(m.group(1), parts)
                self._record({"transport": "workspace", "part_names": [p[0] for p in parts]}, [])
                self._send(200, {"count": len(ids), "example_ids": ids})
            elif path == "/feedback":
                fb = json.loads(body)
                self._record(
                    {"transport": "feedback", "bytes_on_wire": len(raw)},
                    [{"op": "feedback", "id": str(fb.get("id")), "parts": ["json"], "payload": fb}],
                )
                self._send(200, fb)
            else:
                self._record({"transport": "unknown", "bytes_on_wire": len(raw)}, [])
                self._send(404, {"detail": "Not Found"})
        except Exception as exc:  # noqa: BLE001 - record any decoding failure, answer 422 so the SDK logs it
            self._record({"transport": "error", "error": repr(exc), "bytes_on_wire": len(raw)}, [])
            self._send(422, {"detail": repr(exc)})

    def do_PATCH(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        raw = self._body()
        if sm := re.fullmatch(rf"/sessions/({_UUID})", path):
            doc = json.loads(raw or b"{}")
            with self.server.lock:
                proj = self.server.workspace.update_project(sm.group(1), doc)
            self._record({"transport": "workspace", "body": doc}, [])
            self._send(200, proj)
            return
        m = _RUN_PATH_RE.match(path)
        if not m:
            self._record({"transport": "unknown"}, [])
            self._send(404, {"detail": "Not Found"})
            return
        run = json.loads(decompress(raw, self.headers.get("Content-Encoding")))
        run.setdefault("id", m.group(1))
        self._record(
            {"transport": "single", "bytes_on_wire": len(raw)},
            [{"op": "patch", "id": m.group(1), "parts": ["json"], "payload": run}],
        )
        self._send(202, {})


class CaptureServer:
    """In-process capture server (context manager): ``with CaptureServer() as url: ...``."""

    def __init__(
        self, port: int = 0, *, mode: str = "zstd", verbose: bool = False, clock: str | None = None
    ) -> None:
        self._port = port
        self._clock = clock
        self._info = info_payload(mode)
        self._verbose = verbose
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._requests: list[dict[str, Any]] = []
        self._ops: list[dict[str, Any]] = []
        self._workspace: dict[str, Any] = {}

    @property
    def workspace(self) -> dict[str, Any]:
        """Datasets, examples and created projects (after ``stop``)."""
        return self._workspace

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server is not running")
        return f"http://{HOST}:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        if self._server is None:
            return list(self._requests)
        with self._server.lock:
            return list(self._server.requests)

    @property
    def ops(self) -> list[dict[str, Any]]:
        if self._server is None:
            return list(self._ops)
        with self._server.lock:
            return list(self._server.ops)

    def start(self) -> str:
        if self._server is not None:
            raise RuntimeError("already running")
        self._server = _Server(self._port, self._info, self._verbose)
        self._server.workspace.clock = self._clock
        self._thread = threading.Thread(target=self._server.serve_forever, name="ls-capture", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        with self._server.lock:
            self._requests = list(self._server.requests)
            self._ops = list(self._server.ops)
            self._workspace = self._server.workspace.snapshot()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    """Run standalone until SIGINT/SIGTERM, then print the merged runs as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=("zstd", "multipart", "batch"), default="zstd")
    parser.add_argument("--out", help="write merged runs (JSON lines) here on exit")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    server = CaptureServer(args.port, mode=args.mode, verbose=args.verbose)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server as url:
        print(f"LangSmith capture server on {url} (mode {args.mode})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    runs = merge_runs(server.ops)
    text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in runs)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    print(f"captured {len(server.requests)} requests, {len(runs)} runs", flush=True)


if __name__ == "__main__":
    main()
