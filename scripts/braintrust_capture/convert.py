"""Turn the recorded SDK writes into the responses of Braintrust's read API.

Input: ``cassettes/braintrust/<scenario>/sdk_requests.json`` (capture.py). Output,
beside it, plain JSON:

* ``btql_project_logs.json``: ``POST /btql`` pages over ``project_logs('<id>')``
  for the capture window, ``_pagination_key`` descending, 10 rows a page,
  followed by the cursor (pipe form ``| cursor: '<c>'``, SQL form
  ``OFFSET '<c>'``, JSON form ``query.cursor``), ending with an empty page.
* ``btql_experiments.json`` / ``btql_datasets.json``: the same for
  ``experiment('<id>')`` and ``dataset('<id>')`` (scenarios that have them).
* ``rest.json``: login, project lookup (found / not found), the inventory lists
  (experiments, datasets, functions, prompts, project scores, automations, tags,
  environments), experiment/dataset summaries, ``/v1/project_logs/{id}/fetch`` and
  ``/v1/experiment/{id}/fetch`` pages.
* ``superseded_versions.json``: the older versions of rows that were written
  more than once (to test "keep the latest ``_xact_id`` per ``id``").
* ``summary.json``: counts and shapes, for tests to assert on.

It also writes ``cassettes/braintrust/MANIFEST.toml``. Row-level rules (merge,
``_xact_id``, ``_pagination_key``, columns) live in btrows.py. Stdlib only;
deterministic for a given ``sdk_requests.json``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from btrows import ORG_NAME, RowStore, parse_time  # noqa: E402

REPO = HERE.parent.parent
OUT = REPO / "cassettes" / "braintrust"
BASE_URL = "http://127.0.0.1:8787"
PAGE_SIZE = 10
FETCH_TRACES_PER_PAGE = 2
# Only this scenario also gets /v1/project_logs/{id}/fetch pages and superseded row versions
# (they repeat its rows; one example is enough and keeps the folder small).
FULL_EXTRAS = ("logger_traced_tools",)
JSON_HEADERS = {"content-type": "application/json"}
CONVERTED = (
    "merged /logs3 rows by id (SDK merge rule), kept the latest _xact_id, added _xact_id/"
    "_pagination_key/org_id/is_root/project_id and null columns; paged as POST /btql (10 rows, "
    "_pagination_key desc) and REST fetch/list responses"
)


# --------------------------------------------------------------------------
# Replay
# --------------------------------------------------------------------------


class Replay:
    """The server state after every recorded request, rebuilt from the recording."""

    def __init__(self, record: dict[str, Any]) -> None:
        recorded_url = record["recorder_base_url"]
        record = json.loads(json.dumps(record).replace(recorded_url, BASE_URL))
        self.record = record
        self.rows = RowStore()
        self.project: dict[str, Any] = {}
        self.experiments: dict[str, dict[str, Any]] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}
        for req in record["requests"]:
            status, body = req["response"]["status"], req["response"]["body"]
            if req["path"] == "/logs3" and status == 200:
                self.rows.apply(req["body"]["rows"], req["server_xact_id"])
            elif req["method"] == "POST" and req["path"] == "/v1/project":
                self.project = body
            elif req["method"] == "POST" and req["path"] == "/v1/experiment":
                self.experiments[body["id"]] = body
            elif req["method"] == "POST" and req["path"] == "/v1/dataset":
                self.datasets[body["id"]] = body
            self.answers[(req["method"], req["path"])] = req

    def object_project(self, object_type: str, object_id: str) -> str:
        if object_type == "experiment":
            return str(self.experiments[object_id]["project_id"])
        if object_type == "dataset":
            return str(self.datasets[object_id]["project_id"])
        return object_id


# --------------------------------------------------------------------------
# BTQL
# --------------------------------------------------------------------------


def cursor_for(row: dict[str, Any]) -> str:
    """Opaque cursor pointing past ``row`` (ours: base64 of its pagination key)."""
    return base64.urlsafe_b64encode(row["_pagination_key"].encode()).decode().rstrip("=")


def iso_z(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def capture_window(rows: list[dict[str, Any]], record: dict[str, Any]) -> tuple[str, str]:
    """Whole minutes around the rows' ``created`` (or the recording time if none)."""
    times = [parse_time(r["created"]) for r in rows] or [dt.datetime.fromisoformat(record["recorded_at"])]
    start = min(times).replace(second=0, microsecond=0)
    end = max(times).replace(second=0, microsecond=0) + dt.timedelta(minutes=2)
    return iso_z(start), iso_z(end)


def btql_bodies(
    source: str, object_id: str, window: tuple[str, str] | None, cursor: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The request body (pipe syntax, as the bt CLI sends) and its SQL and JSON-AST equivalents."""
    shape = " spans" if source in ("project_logs", "experiment") else ""
    pipe = ["select: *", f"from: {source}('{object_id}'){shape}"]
    sql = f"SELECT * FROM {source}('{object_id}')"
    ast: dict[str, Any] = {
        "select": [{"op": "star"}],
        "from": {
            "op": "function",
            "name": {"op": "ident", "name": [source]},
            "args": [{"op": "literal", "value": object_id}],
        },
    }
    if window is not None:
        start, end = window
        pipe.append(f"filter: created >= '{start}' and created < '{end}'")
        sql += f" WHERE created >= '{start}' AND created < '{end}'"
        ast["filter"] = {
            "op": "and",
            "children": [
                {
                    "op": "ge",
                    "left": {"op": "ident", "name": ["created"]},
                    "right": {"op": "literal", "value": start},
                },
                {
                    "op": "lt",
                    "left": {"op": "ident", "name": ["created"]},
                    "right": {"op": "literal", "value": end},
                },
            ],
        }
    pipe += ["sort: _pagination_key desc", "preview_length: -1", f"limit: {PAGE_SIZE}"]
    sql += f" ORDER BY _pagination_key DESC LIMIT {PAGE_SIZE}"
    ast["sort"] = [{"expr": {"op": "ident", "name": ["_pagination_key"]}, "dir": "desc"}]
    ast["limit"] = PAGE_SIZE
    ast["cursor"] = cursor
    if cursor is not None:
        pipe.append(f"cursor: '{cursor}'")
        sql += f" OFFSET '{cursor}'"
    primary = {"query": " | ".join(pipe), "fmt": "json"}
    equivalents = [
        {"query": sql, "fmt": "json"},
        {"query": ast, "use_columnstore": False, "brainstore_realtime": True},
    ]
    return primary, equivalents


def btql_pages(
    source: str, object_id: str, rows: list[dict[str, Any]], window: tuple[str, str] | None
) -> list[dict[str, Any]]:
    """Interactions paging ``rows`` (already newest first) until an empty page."""
    interactions = []
    cursor: str | None = None
    chunks = [rows[i : i + PAGE_SIZE] for i in range(0, len(rows), PAGE_SIZE)] + [[]]
    for chunk in chunks:
        body, equivalents = btql_bodies(source, object_id, window, cursor)
        next_cursor = cursor_for(chunk[-1]) if chunk else None
        interactions.append(
            {
                "request": {
                    "method": "POST",
                    "path": "/btql",
                    "body": body,
                    "equivalent_bodies": equivalents,
                },
                "response": {
                    "status": 200,
                    "headers": JSON_HEADERS,
                    "body": {"data": chunk, "cursor": next_cursor},
                },
            }
        )
        cursor = next_cursor
    return interactions


# --------------------------------------------------------------------------
# REST
# --------------------------------------------------------------------------


def get(path: str, query: dict[str, Any], body: Any, status: int = 200) -> dict[str, Any]:
    return {
        "request": {"method": "GET", "path": path, "query": query},
        "response": {"status": status, "headers": JSON_HEADERS, "body": body},
    }


def post(path: str, body: Any, answer: Any, status: int = 200) -> dict[str, Any]:
    return {
        "request": {"method": "POST", "path": path, "body": body},
        "response": {"status": status, "headers": JSON_HEADERS, "body": answer},
    }


def fetch_pages(path: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``/v1/project_logs/{id}/fetch``: newest ``_xact_id`` first, ``limit`` counts traces."""
    by_trace: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: int(r["_xact_id"]), reverse=True):
        by_trace.setdefault(row["root_span_id"], []).append(row)
    traces = list(by_trace.values())
    chunks = [traces[i : i + FETCH_TRACES_PER_PAGE] for i in range(0, len(traces), FETCH_TRACES_PER_PAGE)] + [
        []
    ]
    interactions, cursor = [], None
    for chunk in chunks:
        events = [row for trace in chunk for row in trace]
        body: dict[str, Any] = {"limit": FETCH_TRACES_PER_PAGE}
        if cursor is not None:
            body["cursor"] = cursor
        next_cursor = cursor_for(events[-1]) if events else None
        interactions.append(post(path, body, {"events": events, "cursor": next_cursor}))
        cursor = next_cursor
    return interactions


def objects(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"objects": sorted(items, key=lambda o: o.get("created") or "", reverse=True)}


def rest_interactions(rp: Replay, log_rows: list[dict[str, Any]], with_fetch: bool) -> list[dict[str, Any]]:
    project = rp.project
    pid = project["id"]
    login = rp.answers[("POST", "/api/apikey/login")]
    out = [
        post("/api/apikey/login", None, login["response"]["body"]),
        get("/v1/project", {"project_name": project["name"]}, objects([project])),
        get("/v1/project", {"project_name": project["name"] + "-typo"}, objects([])),
        get("/v1/project", {}, objects([project])),
        get(f"/v1/project/{pid}", {}, project),
        get("/v1/experiment", {"project_id": pid}, objects(list(rp.experiments.values()))),
        get("/v1/dataset", {"project_id": pid}, objects(list(rp.datasets.values()))),
    ]
    # Nothing the SDK did creates these; a server fed only these writes lists none.
    for path in (
        "/v1/function",
        "/v1/prompt",
        "/v1/project_score",
        "/v1/project_automation",
        "/v1/project_tag",
    ):
        out.append(get(path, {"project_id": pid}, objects([])))
    out.append(get("/environment", {"org_name": ORG_NAME}, objects([])))
    for eid, experiment in rp.experiments.items():
        out.append(get(f"/v1/experiment/{eid}", {}, experiment))
        recorded = rp.answers.get(("GET", f"/v1/experiment/{eid}/summarize"))
        if recorded is not None:
            out.append(get(recorded["path"], recorded["query"], recorded["response"]["body"]))
    for did in rp.datasets:
        recorded = rp.answers.get(("GET", f"/v1/dataset/{did}/summarize"))
        if recorded is not None:
            out.append(get(recorded["path"], recorded["query"], recorded["response"]["body"]))
        recorded = rp.answers.get(("POST", f"/v1/dataset/{did}/fetch"))
        if recorded is not None:
            out.append(post(recorded["path"], recorded["body"], recorded["response"]["body"]))
    if with_fetch:
        out += fetch_pages(f"/v1/project_logs/{pid}/fetch", log_rows)
    return out


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------


def id_format(value: Any) -> str:
    text = str(value)
    if len(text) == 36 and text.count("-") == 4:
        return "uuid"
    if all(c in "0123456789abcdef" for c in text):
        return f"hex{len(text)}"
    return "other"


def describe(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Facts a test can assert on (counts, names, keys) for one object's rows."""
    types = Counter((r.get("span_attributes") or {}).get("type") or "none" for r in rows)
    llm = [r for r in rows if (r.get("span_attributes") or {}).get("type") == "llm"]
    roots = [r for r in rows if r["is_root"]]
    return {
        "rows": len(rows),
        "traces": len({r["root_span_id"] for r in rows}),
        "spans_by_type": dict(sorted(types.items())),
        "span_names": dict(
            sorted(Counter((r.get("span_attributes") or {}).get("name") for r in rows).items())
        ),
        "error_spans": sorted(
            (r.get("span_attributes") or {}).get("name") or "?" for r in rows if r.get("error") is not None
        ),
        "scorer_spans": sum((r.get("span_attributes") or {}).get("purpose") == "scorer" for r in rows),
        "root_metadata_keys": sorted({k for r in roots for k in (r.get("metadata") or {})}),
        "root_tags": sorted({t for r in roots for t in (r.get("tags") or [])}),
        "sessions": sorted({str((r.get("metadata") or {}).get("session_id")) for r in roots} - {"None"}),
        "llm_metrics_keys": sorted({k for r in llm for k in (r.get("metrics") or {})}),
        "llm_metadata_keys": sorted({k for r in llm for k in (r.get("metadata") or {})}),
        "llm_models": sorted({str((r.get("metadata") or {}).get("model")) for r in llm}),
        "tool_calls_requested": sum(
            len((choice.get("message") or {}).get("tool_calls") or [])
            for r in llm
            for choice in (r.get("output") or [])
            if isinstance(choice, dict)
        ),
        "environments": sorted(
            {
                json.dumps(
                    ((r.get("context") or {}).get("span_origin") or {}).get("environment"), sort_keys=True
                )
                for r in rows
            }
        ),
        "id_formats": {
            "id": sorted({id_format(r["id"]) for r in rows}),
            "span_id": sorted({id_format(r["span_id"]) for r in rows}),
            "root_span_id": sorted({id_format(r["root_span_id"]) for r in rows}),
        },
        "created_range": [min(r["created"] for r in rows), max(r["created"] for r in rows)] if rows else None,
    }


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


ROW_MARKERS = ("span_id", "_xact_id", "dataset_id", "experiment_id", "log_id")


def is_row(value: Any) -> bool:
    """Span/record rows and BTQL AST nodes are written on one line."""
    if not isinstance(value, dict):
        return False
    return ("id" in value and any(k in value for k in ROW_MARKERS)) or "op" in value


def render(value: Any, depth: int = 0) -> str:
    """Indented JSON, except that each span/record row stays on one line (small, diffable)."""
    if is_row(value) or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad, end = " " * (depth + 1), " " * depth
    if isinstance(value, dict):
        items = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {render(v, depth + 1)}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    return "[\n" + ",\n".join(pad + render(v, depth + 1) for v in value) + "\n" + end + "]"


def dump(path: Path, data: Any) -> int:
    text = render(data) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def cassette(name: str, scenario: str, notes: str, interactions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cassette": f"braintrust/{scenario}/{name}",
        "built_from": "sdk_requests.json: real braintrust SDK writes (scripts/braintrust_capture)",
        "base_url": BASE_URL,
        "notes": notes,
        "interactions": interactions,
    }


def convert(scenario_dir: Path) -> dict[str, Any]:
    record = json.loads((scenario_dir / "sdk_requests.json").read_text(encoding="utf-8"))
    rp = Replay(record)
    scenario = record["scenario"]
    pid = rp.project["id"]
    log_rows = rp.rows.read_rows("project_logs", pid, pid)
    window = capture_window(log_rows, record)
    sizes: dict[str, int] = {}

    sizes["btql_project_logs.json"] = dump(
        scenario_dir / "btql_project_logs.json",
        cassette(
            "btql_project_logs.json",
            scenario,
            f"project_logs('{pid}') spans created in [{window[0]}, {window[1]}), newest _pagination_key "
            f"first, {PAGE_SIZE} rows a page; the page after the last row is empty with cursor null. "
            "request.body is the pipe syntax; equivalent_bodies are the SQL and JSON-AST forms of the "
            "same page.",
            btql_pages("project_logs", pid, log_rows, window),
        ),
    )
    experiment_summaries = {}
    if rp.experiments:
        interactions = []
        for eid, experiment in rp.experiments.items():
            rows = rp.rows.read_rows("experiment", eid, pid)
            experiment_summaries[experiment["name"]] = {"id": eid, **describe(rows)}
            interactions += btql_pages("experiment", eid, rows, None)
        sizes["btql_experiments.json"] = dump(
            scenario_dir / "btql_experiments.json",
            cassette(
                "btql_experiments.json",
                scenario,
                "experiment('<id>') spans, every row, newest _pagination_key first, "
                f"{PAGE_SIZE} rows a page; one run of pages per experiment, in creation order.",
                interactions,
            ),
        )
    dataset_summaries = {}
    if rp.datasets:
        interactions = []
        for did, dataset in rp.datasets.items():
            rows = rp.rows.read_rows("dataset", did, pid)
            dataset_summaries[dataset["name"]] = {"id": did, "records": len(rows)}
            interactions += btql_pages("dataset", did, rows, None)
        sizes["btql_datasets.json"] = dump(
            scenario_dir / "btql_datasets.json",
            cassette(
                "btql_datasets.json",
                scenario,
                f"dataset('<id>') rows, newest _pagination_key first, {PAGE_SIZE} rows a page.",
                interactions,
            ),
        )
    sizes["rest.json"] = dump(
        scenario_dir / "rest.json",
        cassette(
            "rest.json",
            scenario,
            "Control-plane login, project lookup (found, not found, list), inventory lists, and the "
            "summarize/dataset-fetch answers the recorder gave while the SDK ran"
            + (
                f"; then /v1/project_logs/{{id}}/fetch pages ({FETCH_TRACES_PER_PAGE} traces a page, "
                "newest _xact_id first)"
                if scenario in FULL_EXTRAS
                else ""
            )
            + ". Query parameters not shown (org_name, limit) do not change the answer.",
            rest_interactions(rp, log_rows, with_fetch=scenario in FULL_EXTRAS),
        ),
    )
    superseded: list[dict[str, Any]] = []
    latest = {(k[0], k[1], k[2]): x for k, x in rp.rows.last_xact.items()}
    for version in rp.rows.versions:
        key = (version["object_type"], version["object_id"], version["row"]["id"])
        if scenario in FULL_EXTRAS and key[0] == "project_logs" and version["_xact_id"] != latest[key]:
            row = rp.rows.read_row(key, project_id=pid, xact_id=version["_xact_id"], row=version["row"])
            superseded.append(row)
    (scenario_dir / "superseded_versions.json").unlink(missing_ok=True)
    if superseded:
        sizes["superseded_versions.json"] = dump(
            scenario_dir / "superseded_versions.json",
            {
                "notes": "Older versions of project-log rows (same id, lower _xact_id) as a read at that "
                "transaction would have returned them. Mix them into pages to test that only the latest "
                "_xact_id per id is kept.",
                "rows": superseded,
            },
        )
    summary = {
        "scenario": scenario,
        "description": record["description"],
        "project": {"id": pid, "name": rp.project["name"]},
        "org": {"name": ORG_NAME},
        "client": record["client"],
        "recorded_at": record["recorded_at"],
        "sdk_calls": dict(Counter(f"{r['method']} {r['path']}" for r in record["requests"])),
        "unanswered_paths": record["unanswered_paths"],
        "window": list(window),
        "project_logs": describe(log_rows),
        "experiments": experiment_summaries,
        "datasets": dataset_summaries,
        "superseded_versions": len(superseded),
    }
    sizes["summary.json"] = dump(scenario_dir / "summary.json", summary)
    sizes["sdk_requests.json"] = dump(scenario_dir / "sdk_requests.json", record)  # same data, one row a line
    summary["files"] = sizes
    return summary


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_manifest(summaries: list[dict[str, Any]]) -> None:
    lines = [
        "# How each Braintrust cassette was made (see README.md here).",
        "# One table per scenario folder; every file in the folder comes from its sdk_requests.json.",
        "# Read-only routes the SDK capture never reached (GET /environment, GET /v1/project_automation,",
        "# GET /v1/org_automation, POST /btql over project_prompts with audit_log) have no recording: the",
        "# tests' fake (tests/connectors/braintrust/fake.py) serves them in the shapes braintrust 0.48.1's",
        "# generated REST client declares (braintrust/api/_generated/, braintrust-openapi commit 146bb7bb)",
        "# and the query get_prompt_versions sends; its docstring says which fields are verified.",
        "",
    ]
    for s in sorted(summaries, key=lambda s: s["scenario"]):
        client = s["client"]
        logs = s["project_logs"]
        exp_rows = sum(e["rows"] for e in s["experiments"].values())
        client_text = (
            f"braintrust {client['braintrust']} (python {client['python']}), openai {client['openai']}, "
            + (f"openai-agents {client['openai-agents']}, " if "openai-agents" in client else "")
            + f"requests {client['requests']}; model: scripts/fake_openai.py"
        )
        lines += [
            f"[{s['scenario']}]",
            'how = "built from real SDK payloads"',
            'server = "traceready recorder (scripts/braintrust_capture/recorder.py) on 127.0.0.1 answering '
            "the braintrust SDK as Braintrust's API would; no Braintrust server involved\"",
            f"client = {toml_str(client_text)}",
            f"date = {toml_str(s['recorded_at'][:10])}",
            'command = "scripts/braintrust_capture/run.sh"',
            f"converted = {toml_str(CONVERTED)}",
            f"description = {toml_str(s['description'])}",
            f"project = {toml_str(s['project']['name'])}",
            f"log_spans = {logs['rows']}",
            f"log_traces = {logs['traces']}",
            f"experiments = {len(s['experiments'])}",
            f"experiment_spans = {exp_rows}",
            f"datasets = {len(s['datasets'])}",
            "",
        ]
    (OUT / "MANIFEST.toml").write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    summaries = []
    for scenario_dir in sorted(p.parent for p in OUT.glob("*/sdk_requests.json")):
        summary = convert(scenario_dir)
        summaries.append(summary)
        total = sum(summary["files"].values())
        print(
            f"{summary['scenario']:22} logs={summary['project_logs']['rows']} spans/"
            f"{summary['project_logs']['traces']} traces experiments={len(summary['experiments'])} "
            f"datasets={len(summary['datasets'])} bytes={total}"
        )
    write_manifest(summaries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
