#!/usr/bin/env python3
"""Turn raw SDK captures (``capture.py``) into LangSmith read-API cassettes.

For each ``<raw-dir>/<scenario>.json`` this writes ``cassettes/langsmith/<scenario>/``:

``runs.jsonl``
    the runs exactly as the SDK sent them, one per line, each create merged with its update
    (update fields override, as the server does), after normalisation (below).
``ingest.jsonl``
    one line per HTTP request the SDK made: method, path, transport, encoding headers, sizes and
    the operations it carried (``[op, run id, parts]``); no payloads (they are in runs.jsonl).
``v1_runs_query.json`` / ``v2_runs_query.json``
    request/response exchanges of ``POST /runs/query`` and ``POST /api/v2/runs/query``: the
    window's root runs, then every run of the window (the bulk child fetch), paged by 10 so the
    cursor chain is exercised. Rendered by ``tests/connectors/langsmith/fake.py`` with the
    server-side fields it computes.
``sessions.json`` / ``feedback.json``
    ``GET /sessions?name=`` (without and with stats) and ``GET /feedback`` exchanges.

and ``cassettes/langsmith/info.json`` (``GET /info`` for a v1-only and a SmithDB deployment),
``MANIFEST.toml``. Normalisation, so a rebuild changes only what really changed: every time is
shifted by one offset so the scenario's first run starts at ``BASE_TIME``; run and feedback ids
are replaced by UUIDv7s built from the shifted times and a hash of (scenario, ordinal); the
capture server's and fake OpenAI's loopback ports become 1984 and 8765; the checkout path in
tracebacks becomes ``/srv/travel-agent``. Durations, order, payloads are untouched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
import tomllib
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))  # the repository: tests.connectors.langsmith, the fake server

from capture_server import info_payload, merge_runs  # noqa: E402

from tests.connectors.langsmith import fake  # noqa: E402
from tests.connectors.langsmith.fake import project_id  # noqa: E402

BASE_TIME = dt.datetime(2026, 11, 20, 9, 0, 0, tzinfo=dt.UTC)
WINDOW_START = BASE_TIME - dt.timedelta(days=7)
REPLAY_NOW = BASE_TIME + dt.timedelta(hours=1)
ROOT_PAGE = 4
CAPTURE_PORT, OPENAI_PORT = "1984", "8765"
FAKE_CHECKOUT = "/srv/travel-agent"
OUT_ROOT = REPO_ROOT / "cassettes" / "langsmith"

_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?")
_COMPACT = re.compile(r"\b(\d{8}T\d{6})(\d{6})Z")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------


def _uuid7(when: dt.datetime, seed: str) -> str:
    ms = int(when.timestamp() * 1000)
    rand = bytearray(hashlib.sha256(seed.encode()).digest()[:10])
    raw = bytearray(ms.to_bytes(6, "big") + rand)
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return str(uuid.UUID(bytes=bytes(raw)))


def _remint(old: str, when: dt.datetime, seed: str) -> str:
    """A stable id of the same UUID version as ``old``: v7 from ``when``, else v4 from the hash."""
    if uuid.UUID(old).version == 7:
        return _uuid7(when, seed)
    raw = bytearray(hashlib.sha256(seed.encode()).digest()[:16])
    raw[6] = 0x40 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return str(uuid.UUID(bytes=bytes(raw)))


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Shift times, re-mint ids, fix ports and paths in a raw capture (see module docstring)."""
    scenario = raw["scenario"]
    runs = merge_runs(raw["ops"])
    first = min(fake.parse_time(r["start_time"]) for r in runs)
    shift = BASE_TIME - first

    ids: dict[str, str] = {}
    for i, r in enumerate(sorted(runs, key=lambda r: r["dotted_order"])):
        ids[r["id"]] = _remint(r["id"], fake.parse_time(r["start_time"]) + shift, f"{scenario}:run:{i}")
    feedback = [o for o in raw["ops"] if o["op"] == "feedback"]
    for i, op in enumerate(feedback):
        created = fake.parse_time(op["payload"].get("created_at") or runs[0]["start_time"])
        ids[op["id"]] = _remint(op["id"], created + shift, f"{scenario}:feedback:{i}")
    workspace = raw.get("workspace") or {}
    for i, ex in enumerate(workspace.get("examples") or []):
        ids[ex["id"]] = _remint(ex["id"], BASE_TIME, f"{scenario}:example:{i}")
    names: dict[str, str] = {}
    for proj in workspace.get("projects") or []:
        new_name = proj["name"]
        if m := re.fullmatch(r"(.+)-([0-9a-f]{6,8})", proj["name"]):  # evaluate()'s random suffix
            digest = hashlib.sha256(f"{scenario}:{m.group(1)}".encode()).hexdigest()
            new_name = f"{m.group(1)}-{digest[: len(m.group(2))]}"
        names[proj["name"]] = new_name
        ids[proj["id"]] = project_id(new_name)

    def iso(m: re.Match[str]) -> str:
        t = fake.parse_time(m.group(1) + (m.group(2) or "") + (m.group(3) or "Z")) + shift
        text = t.replace(tzinfo=None).isoformat(timespec="microseconds" if m.group(2) else "seconds")
        suffix = m.group(3) or ""
        return text + ("Z" if suffix == "Z" else ("+00:00" if suffix else ""))

    def compact(m: re.Match[str]) -> str:
        t = dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.UTC)
        return (t + shift).strftime("%Y%m%dT%H%M%S%fZ")

    body = {"requests": raw["requests"], "ops": raw["ops"], "workspace": workspace}
    for entry in body["requests"]:
        entry["received_at"] = round(entry["received_at"] + shift.total_seconds(), 6)
        ct = entry.get("headers", {}).get("content-type")
        if ct and "boundary=" in ct:
            entry["headers"]["content-type"] = re.sub(r"boundary=[^;]+", "boundary=<random>", ct)
    for op in body["ops"]:
        op["received_at"] = round(op["received_at"] + shift.total_seconds(), 6)
    text = json.dumps(body)
    text = _ISO.sub(iso, text)
    text = _COMPACT.sub(compact, text)
    text = _UUID.sub(lambda m: ids.get(m.group(0), m.group(0)), text)
    for old_name, new_name in names.items():
        text = text.replace(old_name, new_name)
    text = text.replace(f"127.0.0.1:{raw['capture_port']}", f"127.0.0.1:{CAPTURE_PORT}")
    text = text.replace(f"127.0.0.1:{raw['openai_port']}", f"127.0.0.1:{OPENAI_PORT}")
    text = text.replace(json.dumps(str(REPO_ROOT))[1:-1], FAKE_CHECKOUT)
    out = dict(raw)
    out.update(json.loads(text))
    out["time_shift_seconds"] = shift.total_seconds()
    return out


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _exchange(
    method: str,
    path: str,
    status: int,
    body: Any,
    *,
    request_body: Any = None,
    query: dict[str, Any] | None = None,
) -> dict[str, Any]:
    req: dict[str, Any] = {"method": method, "path": path}
    if query is not None:
        req["query"] = query
    if request_body is not None:
        req["body"] = request_body
    return {"request": req, "response": {"status": status, "body": body}}


def _paged(render: Any, body: dict[str, Any], cursor_of: Any, path: str) -> list[dict[str, Any]]:
    out = []
    req = dict(body)
    while True:
        resp = render(req)
        out.append(_exchange("POST", path, 200, resp, request_body=dict(req)))
        nxt = cursor_of(resp)
        if not nxt:
            return out
        req = {**req, "cursor": nxt}


# Root listing: the columns needed to pick and summarise traces, no payloads.
# fmt: off
V1_ROOT_SELECT = (
    "id", "name", "run_type", "start_time", "end_time", "status", "error", "trace_id",
    "dotted_order", "tags", "thread_id", "total_tokens", "prompt_tokens", "completion_tokens",
    "total_cost", "first_token_time", "feedback_stats", "session_id", "trace_tier",
    "ttl_seconds", "trace_upgrade",
)
# fmt: on
# fmt: off
V2_ROOT_SELECTS = (
    "ID", "NAME", "RUN_TYPE", "START_TIME", "END_TIME", "LATENCY_SECONDS", "STATUS", "ERROR_PREVIEW",
    "TRACE_ID", "DOTTED_ORDER", "TAGS", "THREAD_ID", "TOTAL_TOKENS", "PROMPT_TOKENS",
    "COMPLETION_TOKENS", "TOTAL_COST", "FIRST_TOKEN_TIME", "FEEDBACK_STATS", "PROJECT_ID", "IS_ROOT",
)
# fmt: on
EXPERIMENT_SELECT = ("reference_example_id", "reference_dataset_id", "inputs", "outputs")


def v1_requests(pid: str, trace: str) -> list[dict[str, Any]]:
    """Roots of the window (lean select, paged by 4), then one whole trace with every column."""
    window = {"session": [pid], "start_time": WINDOW_START.isoformat()}
    return [
        {**window, "is_root": True, "select": list(V1_ROOT_SELECT), "limit": ROOT_PAGE},
        {**window, "trace": trace, "select": list(fake.V1_FIELDS), "limit": 100},
    ]


def v2_requests(pid: str, trace: str) -> list[dict[str, Any]]:
    """The same two queries on v2 (roots with subtree usage; the trace with the SDK's selects + 3)."""
    window = {"project_ids": [pid], "min_start_time": WINDOW_START.isoformat()}
    return [
        {
            **window,
            "is_root": True,
            "include_subtree_usage": True,
            "selects": list(V2_ROOT_SELECTS),
            "page_size": ROOT_PAGE,
        },
        {**window, "trace_id": trace, "selects": list(fake.V2_AUDIT_SELECTS), "page_size": 100},
    ]


def showcase_trace(merged: list[dict[str, Any]]) -> str:
    """The trace rendered in full: one with an error run, else the richest Lisbon turn, else the first."""
    for r in sorted(merged, key=lambda r: r["dotted_order"]):
        if r.get("error"):
            return str(r["trace_id"])
    counts: dict[str, int] = {}
    for r in merged:
        if "Lisbon" in json.dumps(r.get("inputs")):
            counts[r["trace_id"]] = counts.get(r["trace_id"], 0) + 1
    traces = [r["trace_id"] for r in sorted(merged, key=lambda r: r["dotted_order"])]
    return str(max(counts, key=lambda t: (counts[t], -traces.index(t))) if counts else traces[0])


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _format(doc: Any, indent: str = "") -> str:
    """Indented JSON down to the runs, one run (or item, or feedback) per line."""
    inner = indent + " "
    if isinstance(doc, dict) and doc:
        body = ",\n".join(f"{inner}{_compact(k)}: {_format(v, inner)}" for k, v in doc.items())
        return "{\n" + body + "\n" + indent + "}"
    if isinstance(doc, list) and doc and all(isinstance(x, dict) and "id" in x for x in doc):
        return "[\n" + ",\n".join(inner + _compact(x) for x in doc) + "\n" + indent + "]"
    if isinstance(doc, list) and doc and any(isinstance(x, (dict, list)) for x in doc):
        return "[\n" + ",\n".join(inner + _format(x, inner) for x in doc) + "\n" + indent + "]"
    return _compact(doc)


def _dump(path: Path, doc: Any) -> int:
    text = _format(doc) + "\n"
    json.loads(text)  # still plain JSON
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def _dump_lines(path: Path, rows: list[Any]) -> int:
    text = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def convert(raw: dict[str, Any], out_root: Path) -> dict[str, Any]:
    """Write one scenario's cassette folder; return its manifest facts."""
    norm = normalize(raw)
    scenario = norm["scenario"]
    out = out_root / scenario
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*"):
        stale.unlink()

    merged = merge_runs(norm["ops"])
    received: dict[str, float] = {}
    for op in norm["ops"]:
        if op["op"] in ("post", "patch"):
            received[op["id"]] = min(received.get(op["id"], op["received_at"]), op["received_at"])
    feedback = [op["payload"] for op in norm["ops"] if op["op"] == "feedback"]
    snapshot = norm.get("workspace") or {}
    workspace = fake.build_workspace(merged, feedback, received, snapshot, norm["project_name"])
    store = workspace["stores"][workspace["main"]]
    pid = store["project_id"]
    main_runs = [r for r in merged if (r.get("session_name") or norm["project_name"]) == norm["project_name"]]

    sizes: dict[str, int] = {}
    sizes["runs.jsonl"] = _dump_lines(
        out / "runs.jsonl", [{k: v for k, v in r.items() if k != "_ops"} for r in merged]
    )
    ingest = []
    for req in norm["requests"]:
        ops = [
            f"{o['op']} {o['id']} {','.join(o.get('parts') or [])}".strip()
            for o in norm["ops"]
            if o.get("request_seq") == req["seq"]
        ]
        ingest.append({k: v for k, v in req.items() if k not in ("part_names", "body")} | {"ops": ops})
    sizes["ingest.jsonl"] = _dump_lines(out / "ingest.jsonl", ingest)
    if snapshot.get("datasets") or snapshot.get("projects"):
        sizes["workspace.json"] = _dump(out / "workspace.json", snapshot)

    trace = showcase_trace(main_runs)
    experiments = sorted(
        (s for s in workspace["stores"].values() if s["project"].get("reference_dataset_id")),
        key=lambda s: s["project_name"],
    )
    v1 = []
    for body in v1_requests(pid, trace):
        v1 += _paged(lambda b: fake.query_v1(store, b), body, lambda r: r["cursors"]["next"], "/runs/query")
    for exp in experiments:
        body = {**v1_requests(exp["project_id"], trace)[0], "select": [*V1_ROOT_SELECT, *EXPERIMENT_SELECT]}
        v1 += _paged(
            lambda b, e=exp: fake.query_v1(e, b), body, lambda r: r["cursors"]["next"], "/runs/query"
        )
    sizes["v1_runs_query.json"] = _dump(out / "v1_runs_query.json", v1)
    v2 = []
    for body in v2_requests(pid, trace):
        v2 += _paged(
            lambda b: fake.query_v2(store, b, REPLAY_NOW),
            body,
            lambda r: r["next_cursor"],
            "/api/v2/runs/query",
        )
    sizes["v2_runs_query.json"] = _dump(out / "v2_runs_query.json", v2)

    sessions = [
        _exchange(
            "GET",
            "/sessions",
            200,
            fake.sessions_response(store, include_stats=stats),
            query={"name": store["project_name"], "limit": 1, "include_stats": stats},
        )
        for stats in (False, True)
    ]
    sizes["sessions.json"] = _dump(out / "sessions.json", sessions)
    all_feedback = [f for s in workspace["stores"].values() for f in s["feedback"]]
    with_feedback = sorted({f["run_id"] for f in all_feedback})
    fb_store = {"feedback": all_feedback}
    fb = [
        _exchange(
            "GET",
            "/feedback",
            200,
            fake.feedback_response(fb_store, {"run": with_feedback}),
            query={"run": with_feedback, "limit": 100},
        )
    ]
    sizes["feedback.json"] = _dump(out / "feedback.json", fb)
    if workspace["datasets"]:
        datasets = []
        for ds in workspace["datasets"]:
            datasets.append(
                _exchange(
                    "GET", "/datasets", 200, fake.datasets_response(workspace, {"name": [ds["name"]]}),
                    query={"name": ds["name"], "limit": 1},
                )
            )  # fmt: skip
            q = {"dataset": [ds["id"]], "offset": ["0"], "limit": ["100"]}
            datasets.append(
                _exchange(
                    "GET", "/examples", 200, fake.examples_response(workspace, q),
                    query={"dataset": ds["id"], "offset": 0, "limit": 100},
                )
            )  # fmt: skip
            datasets.append(
                _exchange(
                    "GET", "/sessions", 200, fake.experiments_response(workspace, ds["id"]),
                    query={"reference_dataset": ds["id"], "include_stats": True, "limit": 100, "offset": 0},
                )
            )  # fmt: skip
        sizes["datasets.json"] = _dump(out / "datasets.json", datasets)

    roots = [r for r in main_runs if not r.get("parent_run_id")]
    return {
        "scenario": scenario,
        "project": store["project_name"],
        "project_id": pid,
        "runs": len(main_runs),
        "traces": len(roots),
        "run_types": sorted({r["run_type"] for r in main_runs}),
        "errors": sum(1 for r in main_runs if r.get("error")),
        "feedback": len(store["feedback"]),
        "other_projects": {
            s["project_name"]: len(s["runs"]) for s in workspace["stores"].values() if s["project_id"] != pid
        },
        "datasets": {d["name"]: d["example_count"] for d in workspace["datasets"]},
        "transports": sorted({r["transport"] for r in norm["requests"]}),
        "showcase_trace": trace,
        "versions": norm["versions"],
        "env": norm["env"],
        "date": norm["captured_at"][:10],
        "bytes": sum(sizes.values()),
        "files": sorted(sizes),
    }


# --------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------

CONVERTED = (
    "SDK ingest payloads (zstd multipart, decoded) merged per run id, normalised (times shifted to "
    "{base}, ids re-minted, loopback ports and checkout path fixed), then rendered as v1 /runs/query "
    "and v2 /api/v2/runs/query pages with server-side fields computed by tests/connectors/"
    "langsmith/fake.py (status, parent_run_ids, session_id/project_id, tokens and cost from usage_metadata, "
    "trace tier, feedback_stats, thread_id; see README.md)"
)
DESCRIPTIONS = {
    "traceable_full": "@traceable chain root + wrap_openai + @traceable(run_type='tool') tools, thread_id/"
    "user_id metadata, tags, LANGSMITH_REVISION_ID, feedback (user_score, categorical failure_type)",
    "traceable_no_tool_spans": "as traceable_full but tools are plain function calls (no tool runs), "
    "no feedback",
    "traceable_hidden_io": "traceable_full with LANGSMITH_HIDE_INPUTS=true and LANGSMITH_HIDE_OUTPUTS=true",
    "wrap_openai_only": "wrap_openai alone: every model call its own root llm run; no metadata, no revision",
    "langchain_agent": "LangChain bind_tools loop in a @chain runnable, ChatOpenAI (streaming, stream_usage) "
    "on the fake OpenAI server, @tool tools, metadata/tags via config; LangChainTracer",
    "langgraph_react": "LangGraph prebuilt create_react_agent (ChatOpenAI, ToolNode with handle_tool_errors, "
    "InMemorySaver checkpointer) traced natively (LANGSMITH_TRACING only); configurable.thread_id per "
    "session, user_id/agent_version/prompt_version metadata and tags via config, LANGSMITH_REVISION_ID",
    "langgraph_react_no_versions": "langgraph_react's agent on one thread (sess-3, the tool timeout) with no "
    "revision, version metadata or tags",
    "langgraph_agent": "LangGraph prebuilt create_react_agent over the same ChatOpenAI and tools",
    "eval_with_dataset": "traceable_full's agent: one production session (sess-3, the tool timeout), "
    "a 2-example dataset travel-golden (create_dataset/create_examples), and two evaluate() experiments "
    "on it (baseline agent_version 1.3.0, candidate 1.4.0) with code evaluators mentions_cities, "
    "no_apology, failure_type",
}


class _Inline(str):
    """A value already written as TOML."""


def _toml_inline(mapping: dict[str, int]) -> _Inline:
    return _Inline("{ " + ", ".join(f"{json.dumps(k)} = {v}" for k, v in mapping.items()) + " }")


def _toml(value: Any) -> str:
    if isinstance(value, _Inline):
        return str(value)
    if isinstance(value, dict):  # an inline table read back from MANIFEST.toml
        return str(_toml_inline(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def manifest_entry(f: dict[str, Any]) -> dict[str, Any]:
    v = f["versions"]
    client = ", ".join(f"{k} {v[k]}" for k in v if k != "python") + f" (Python {v.get('python')})"
    env = " ".join(f"{k}={val}" for k, val in sorted(f["env"].items()))
    return {
        "how": "built from real SDK payloads",
        "server": "scripts/langsmith_capture/capture_server.py (loopback stand-in for the LangSmith "
        "ingest API) + scripts/fake_openai.py (deterministic OpenAI-compatible model)",
        "client": client,
        "date": f["date"],
        "command": f"scripts/langsmith_capture/run.sh {f['scenario']}",
        "converted": CONVERTED.format(base=BASE_TIME.isoformat()),
        "agent": DESCRIPTIONS.get(f["scenario"], ""),
        "env": env or "(none beyond LANGSMITH_TRACING/ENDPOINT/API_KEY/PROJECT)",
        "project": f["project"],
        "project_id": f["project_id"],
        "ingest_transports": f["transports"],
        "runs": f["runs"],
        "traces": f["traces"],
        "run_types": f["run_types"],
        "error_runs": f["errors"],
        "feedback": f["feedback"],
        **({"other_projects": _toml_inline(f["other_projects"])} if f.get("other_projects") else {}),
        **({"datasets": _toml_inline(f["datasets"])} if f.get("datasets") else {}),
        "showcase_trace": f["showcase_trace"],
        "files": f["files"],
    }


def write_manifest(entries: dict[str, dict[str, Any]], out_root: Path) -> None:
    lines = [
        "# How each LangSmith cassette folder was made (see README.md). Rebuild everything with",
        "# scripts/langsmith_capture/run.sh (no network, no real keys).",
        "",
    ]
    for scenario, entry in entries.items():
        lines.append(f"[{scenario}]")
        lines += [f"{k} = {_toml(val)}" for k, val in entry.items()]
        lines.append("")
    (out_root / "MANIFEST.toml").write_text("\n".join(lines), encoding="utf-8")


def write_info(out_root: Path) -> None:
    v1 = info_payload("zstd")
    v1["version"] = "0.15.9"
    v1["instance_flags"] = {**v1["instance_flags"], "ch_query_enabled": True, "sdb_query_enabled": False}
    v2 = info_payload("zstd")
    v2["instance_flags"] = {**v2["instance_flags"], "ch_query_enabled": False, "sdb_query_enabled": True}
    doc = {
        "v1": [_exchange("GET", "/info", 200, v1)],
        "v2": [_exchange("GET", "/info", 200, v2)],
    }
    _dump(out_root / "info.json", doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=REPO_ROOT / "build" / "langsmith_capture")
    parser.add_argument("--out", type=Path, default=OUT_ROOT)
    parser.add_argument("--scenario", action="append", help="default: every raw capture present")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from capture import DEFAULT_SCENARIOS, SCENARIOS

    names = args.scenario or [s for s in DEFAULT_SCENARIOS if (args.raw_dir / f"{s}.json").exists()]
    entries: dict[str, dict[str, Any]] = {}
    manifest = args.out / "MANIFEST.toml"
    if manifest.exists():  # keep the entries of scenarios not rebuilt this time
        entries = {
            k: v
            for k, v in tomllib.loads(manifest.read_text(encoding="utf-8")).items()
            if (args.out / k).is_dir()
        }
    for name in names:
        raw = json.loads((args.raw_dir / f"{name}.json").read_text(encoding="utf-8"))
        facts = convert(raw, args.out)
        entries[name] = manifest_entry(facts)
        print(f"{name}: {facts['runs']} runs, {facts['bytes'] / 1024:.0f} KB")
    order = {s: i for i, s in enumerate(SCENARIOS)}
    write_manifest(dict(sorted(entries.items(), key=lambda kv: order.get(kv[0], 99))), args.out)
    write_info(args.out)


if __name__ == "__main__":
    main()
