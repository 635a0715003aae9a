#!/usr/bin/env python3
"""Check the LangSmith cassettes: consistent, readable by the real SDK, free of secrets.

1. Every rendered exchange (``v1_runs_query.json``, ``v2_runs_query.json``, ``sessions.json``,
   ``feedback.json``) is exactly what ``tests/connectors/langsmith/replay.py`` answers to the same request.
2. The real ``langsmith`` SDK reads every scenario through the replay server: ``Client.info``,
   ``read_project``, ``list_runs`` (v1, default select) and the raw v1 cursor pager with pages of
   5, the v2 ``runs.query_v2`` pager with pages of 5 mapped by the SDK's own
   ``_v2_run_to_schema``, and ``list_feedback``; each returns every run / feedback once.
3. Trees rebuild: every ``parent_run_id`` resolves, ``trace_id`` is the root, ``parent_run_ids``
   follow ``dotted_order``, v2 ``parent_run_ids[-1]`` equals v1 ``parent_run_id``.
4. The SDK reads the workspace configuration (``workspace_config/``) through the replay server:
   ``list_feedback_configs``, ``list_annotation_queues``, ``read_annotation_queue`` (rubric items
   with their configs), ``list_prompts``; every rule validates as the SDK's generated
   ``types.evaluator.Evaluator``.
5. No data file (JSON, JSON lines, TOML) under ``cassettes/langsmith`` holds the dummy key,
   ``lsv2``, ``Bearer`` or ``sk-`` keys, and every URL in them is loopback.

Prints one summary line per scenario (run types, what the llm runs' inputs/outputs look like).
Run with the capture venv (it needs the SDK): ``.venv-capture/bin/python check.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))  # the repository: tests.connectors.langsmith, the fake server

from capture import DUMMY_API_KEY  # noqa: E402
from convert import REPLAY_NOW, WINDOW_START  # noqa: E402

from tests.connectors.langsmith import fake  # noqa: E402
from tests.connectors.langsmith.replay import CASSETTES, CONFIG_FOLDER, ReplayServer, load_workspace  # noqa: E402

SECRETS = re.compile(r"lsv2|Bearer |sk-[A-Za-z0-9-]{6,}|" + re.escape(DUMMY_API_KEY))
URL = re.compile(r"https?://([^/\s\"':]+)")


def fail(msg: str) -> None:
    raise SystemExit(f"check failed: {msg}")


def _stores(workspace: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    chosen = [workspace["stores"][i] for i in ids if i in workspace["stores"]]
    return {
        "runs": [r for s in chosen for r in s["runs"]],
        "feedback": [f for s in chosen for f in s["feedback"]],
    }


def check_rendered(folder: Path, workspace: dict[str, Any]) -> None:
    store = workspace["stores"][workspace["main"]]
    for name, answer in (
        ("v1_runs_query.json", lambda body: fake.query_v1(_stores(workspace, body["session"]), body)),
        (
            "v2_runs_query.json",
            lambda body: fake.query_v2(_stores(workspace, body["project_ids"]), body, REPLAY_NOW),
        ),
    ):
        for ex in json.loads((folder / name).read_text(encoding="utf-8")):
            if ex["response"]["body"] != answer(ex["request"]["body"]):
                fail(f"{folder.name}/{name}: rendered page differs from the replay answer")
    if (folder / "datasets.json").exists():
        for ex in json.loads((folder / "datasets.json").read_text(encoding="utf-8")):
            q = {k: [str(v)] for k, v in ex["request"]["query"].items()}
            if ex["request"]["path"] == "/datasets":
                want: Any = fake.datasets_response(workspace, q)
            elif ex["request"]["path"] == "/examples":
                want = fake.examples_response(workspace, q)
            else:
                want = fake.experiments_response(workspace, q["reference_dataset"][0])
            if ex["response"]["body"] != want:
                fail(f"{folder.name}/datasets.json: {ex['request']['path']} differs")
    for ex in json.loads((folder / "sessions.json").read_text(encoding="utf-8")):
        stats = ex["request"]["query"]["include_stats"]
        if ex["response"]["body"] != fake.sessions_response(store, include_stats=stats):
            fail(f"{folder.name}/sessions.json differs")


def check_sdk(folder: Path, store: dict[str, Any], url: str, backend: str) -> dict[str, Any]:
    from langsmith import Client
    from langsmith._internal._v2_migration_utils import _v2_run_to_schema

    client = Client(api_url=url, api_key=DUMMY_API_KEY, auto_batch_tracing=False)
    info = client.info
    want_sdb = backend == "v2"
    if bool((info.instance_flags or {}).get("sdb_query_enabled")) != want_sdb:
        fail(f"/info flags for {backend}: {info.instance_flags}")
    project = client.read_project(project_name=store["project_name"], include_stats=True)
    if str(project.id) != store["project_id"] or project.run_count != len(store["runs"]):
        fail(f"{folder.name}: read_project gave {project.id} / {project.run_count}")
    ids = {r["v1"]["id"] for r in store["runs"]}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # list_runs is deprecated in favour of runs.query
        v1_runs = list(client.list_runs(project_id=project.id, start_time=WINDOW_START))
    if {str(r.id) for r in v1_runs} != ids:
        fail(f"{folder.name}: list_runs returned {len(v1_runs)} runs, want {len(ids)}")
    paged = list(
        client._get_cursor_paginated_list(
            "/runs/query",
            body={"session": [store["project_id"]], "start_time": WINDOW_START.isoformat(), "limit": 5},
        )
    )
    if sorted(r["id"] for r in paged) != sorted(ids):
        fail(f"{folder.name}: v1 cursor paging returned {len(paged)} runs")

    api = client._get_langsmith_api_sync()
    pager = api.runs.query_v2(
        project_ids=[store["project_id"]],
        min_start_time=WINDOW_START,
        selects=list(fake.V2_AUDIT_SELECTS),  # type: ignore[arg-type]
        page_size=5,
    )
    v2_items = list(pager)
    v2_runs = [_v2_run_to_schema(item) for item in v2_items]
    if {str(r.id) for r in v2_runs} != ids:
        fail(f"{folder.name}: v2 query_v2 returned {len(v2_runs)} runs")
    # The 24 h default window: without min_start_time, nothing older than now-24h comes back.
    late = api.runs.query_v2(project_ids=[store["project_id"]], page_size=5)
    if not all(isinstance(x.id, str) for x in late):
        fail("v2 default window query")

    by_id = {str(r.id): r for r in v1_runs}
    for r in v1_runs:
        if r.parent_run_id is not None and str(r.parent_run_id) not in by_id:
            fail(f"{folder.name}: orphan {r.id}")
        root = str(r.dotted_order.split(".")[0][-36:])
        if str(r.trace_id) != root or [str(p) for p in (r.parent_run_ids or [])] != [
            seg[-36:] for seg in r.dotted_order.split(".")[:-1]
        ]:
            fail(f"{folder.name}: tree fields of {r.id}")
    for r in v2_runs:
        if (str(r.parent_run_id) if r.parent_run_id else None) != (
            str(by_id[str(r.id)].parent_run_id) if by_id[str(r.id)].parent_run_id else None
        ):
            fail(f"{folder.name}: v2 parent of {r.id}")

    fb = list(client.list_feedback(run_ids=[r["v1"]["id"] for r in store["runs"]]))
    if len(fb) != len(store["feedback"]):
        fail(f"{folder.name}: list_feedback gave {len(fb)}")
    client.close() if hasattr(client, "close") else None
    return {"v1": v1_runs, "v2": v2_items, "feedback": fb}


def check_datasets(folder: Path, workspace: dict[str, Any], url: str) -> None:
    """Datasets, examples and experiments read back through the SDK."""
    from langsmith import Client

    client = Client(api_url=url, api_key=DUMMY_API_KEY, auto_batch_tracing=False)
    for ds in workspace["datasets"]:
        dataset = client.read_dataset(dataset_name=ds["name"])
        examples = list(client.list_examples(dataset_id=dataset.id))
        if len(examples) != ds["example_count"] or dataset.example_count != len(examples):
            fail(f"{folder.name}: {ds['name']} has {len(examples)} examples")
        experiments = list(client.list_projects(reference_dataset_id=dataset.id, include_stats=True))
        want = [
            s for s in workspace["stores"].values() if s["project"].get("reference_dataset_id") == ds["id"]
        ]
        if len(experiments) != len(want) or not experiments:
            fail(f"{folder.name}: {len(experiments)} experiments for {ds['name']}")
        example_ids = {str(e.id) for e in examples}
        for exp in experiments:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                roots = list(client.list_runs(project_id=exp.id, is_root=True, start_time=WINDOW_START))
            linked = {str(r.reference_example_id) for r in roots}
            if not roots or linked != example_ids:
                fail(f"{folder.name}: experiment {exp.name} roots link to {linked}")
            if not (exp.metadata or {}).get("dataset_version") or not exp.feedback_stats:
                fail(f"{folder.name}: experiment {exp.name} lacks dataset_version or feedback_stats")


def check_workspace_config(url: str) -> str:
    """Feedback configs, queues, prompts and rules read back through the SDK's own models."""
    from langsmith import Client
    from langsmith.types.evaluator import Evaluator

    config = json.loads((CASSETTES / CONFIG_FOLDER / "workspace.json").read_text(encoding="utf-8"))
    client = Client(api_url=url, api_key=DUMMY_API_KEY, auto_batch_tracing=False)
    configs = list(client.list_feedback_configs())
    if {c.feedback_key for c in configs} != {c["feedback_key"] for c in config["feedback_configs"]}:
        fail(f"{CONFIG_FOLDER}: feedback configs read back as {configs}")
    queues = list(client.list_annotation_queues())
    if len(queues) != len(config["annotation_queues"]):
        fail(f"{CONFIG_FOLDER}: {len(queues)} annotation queues read back")
    for queue in queues:
        rubric = client.read_annotation_queue(queue.id).rubric_items or []
        if not rubric or any(item.get("feedback_config") is None for item in rubric):
            fail(f"{CONFIG_FOLDER}: queue {queue.name} rubric without configs: {rubric}")
    prompts = client.list_prompts()
    if prompts.total != len(config["repos"]) or not all(p.num_commits for p in prompts.repos):
        fail(f"{CONFIG_FOLDER}: prompts read back as {prompts}")
    rules = [Evaluator.model_validate(r) for r in client.request_with_retries("GET", "/runs/rules").json()]
    if len(rules) != len(config["run_rules"]):
        fail(f"{CONFIG_FOLDER}: {len(rules)} rules read back")
    return (
        f"{len(configs)} feedback configs, {len(queues)} queues, {prompts.total} prompts, {len(rules)} rules"
    )


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(sorted(value)) + "}"
    return type(value).__name__


def summary(folder: Path, store: dict[str, Any]) -> str:
    runs = [r["v1"] for r in store["runs"]]
    types: dict[str, int] = {}
    for r in runs:
        types[r["run_type"]] = types.get(r["run_type"], 0) + 1
    llm = [r for r in runs if r["run_type"] == "llm"]
    parts = [f"{folder.name}: {len(runs)} runs {types}"]
    if llm:
        r = llm[0]
        meta = sorted(k for k in (r["extra"] or {}).get("metadata", {}) if not k.startswith("LANGSMITH_"))
        parts.append(f"llm inputs {_shape(r['inputs'])} outputs {_shape(r['outputs'])}")
        parts.append(f"extra {_shape(r['extra'])} metadata keys {meta}")
        parts.append(f"tokens {r['total_tokens']} cost {r['total_cost']} first_token {r['first_token_time']}")
    errors = [r for r in runs if r["error"]]
    parts.append(f"errors {[(r['run_type'], r['name'], r['error'].split(chr(10))[0][:60]) for r in errors]}")
    roots = [r for r in runs if r["parent_run_id"] is None]
    parts.append(f"threads {sorted({str(r['thread_id']) for r in roots})}")
    return "\n    ".join(parts)


def check_secrets(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".json", ".jsonl", ".toml"):
            continue  # README.md names the patterns it bans
        text = path.read_text(encoding="utf-8")
        if m := SECRETS.search(text):
            fail(f"{path}: looks like a secret: {m.group(0)!r}")
        for host in URL.findall(text):
            if host not in ("127.0.0.1", "localhost") and not host.endswith("langchain.com"):
                fail(f"{path}: non-loopback URL host {host!r}")


def main() -> None:
    folders = sorted(p for p in CASSETTES.iterdir() if (p / "runs.jsonl").exists())
    if not folders:
        fail("no cassettes")
    workspaces = {f.name: load_workspace(f) for f in folders}
    stores = {name: ws["stores"][ws["main"]] for name, ws in workspaces.items()}
    for folder in folders:
        check_rendered(folder, workspaces[folder.name])
    for backend in ("v1", "v2"):
        with ReplayServer(backend=backend) as url:
            for folder in folders:
                check_sdk(folder, stores[folder.name], url, backend)
                if workspaces[folder.name]["datasets"]:
                    check_datasets(folder, workspaces[folder.name], url)
            config = check_workspace_config(url) if (CASSETTES / CONFIG_FOLDER).is_dir() else "none"
    check_secrets(CASSETTES)
    for folder in folders:
        print(summary(folder, stores[folder.name]))
    print(f"{CONFIG_FOLDER}: {config}")
    print(
        f"ok: {len(folders)} scenarios, rendered pages == replay answers, SDK reads v1 and v2 and the "
        f"workspace configuration, no secrets ({dt.datetime.now(dt.UTC):%Y-%m-%d})"
    )


if __name__ == "__main__":
    main()
