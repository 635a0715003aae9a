"""What LangSmith's *read* API would return for runs the SDK ingested (our model of the server).

Shared by ``scripts/langsmith_capture/convert.py`` (renders the cassette pages) and ``replay.py``
(answers any query from the cassettes), so the two always agree. Every field the server, not the
SDK, produces is computed here; each rule is listed in ``SERVER_FIELD_RULES`` and copied into the
cassettes' README. Sources: LangSmith's API reference (run, project and feedback objects) and the
SDK 0.15.1 read-side models (``langsmith/schemas.py`` ``Run``/``TracerSessionResult``,
``langsmith/types/run.py``, ``_internal/_v2_migration_utils.py``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import statistics
import uuid
from collections.abc import Iterable
from typing import Any

UTC = dt.UTC

# --------------------------------------------------------------------------
# The fake workspace's identity: stable uuid5 ids, shared with the capture server.
# --------------------------------------------------------------------------

ID_NAMESPACE = uuid.UUID("6f1d3c9e-2b7a-5e4f-9a1c-3d2e1f0a9b8c")
TENANT_ID = str(uuid.uuid5(ID_NAMESPACE, "tenant:traceready-capture"))
TENANT_HANDLE = "traceready"
PROJECT_CREATED_AT = "2026-11-01T08:00:00.000000+00:00"


def project_id(name: str) -> str:
    """Id the fake workspace gives the project ``name`` (uuid5, stable)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"project:{name}"))


def project_record(name: str) -> dict[str, Any]:
    """``TracerSession`` as ``GET /sessions?name=`` lists it (without stats)."""
    return {
        "id": project_id(name),
        "name": name,
        "start_time": PROJECT_CREATED_AT,
        "end_time": None,
        "description": None,
        "extra": None,
        "tenant_id": TENANT_ID,
        "reference_dataset_id": None,
    }


# --------------------------------------------------------------------------
# Price table (USD per token) the fake workspace uses; LangSmith's own default table has
# the same list prices for this model.
# --------------------------------------------------------------------------

PRICES: dict[str, dict[str, float]] = {
    "gpt-4o-mini": {"input": 0.15e-6, "cache_read": 0.075e-6, "output": 0.60e-6},
}
PRICE_MODEL_IDS = {m: str(uuid.uuid5(ID_NAMESPACE, f"price:{m}")) for m in PRICES}

# Feedback fields the read API returns (langsmith.md §4, docs feedback-data-format).
# fmt: off
FEEDBACK_FIELDS: tuple[str, ...] = (
    "id", "created_at", "modified_at", "run_id", "trace_id", "session_id", "key", "score", "value",
    "comment", "correction", "feedback_source", "feedback_group_id", "comparative_experiment_id",
    "extra",
)
# fmt: on

SHORTLIVED_TTL = 14 * 24 * 3600  # 1209600, base tier
LONGLIVED_TTL = 400 * 24 * 3600  # 34560000, extended tier

# v1 field order of a real ``GET /runs/{id}`` (langsmith.md §3.1).
# fmt: off
V1_FIELDS: tuple[str, ...] = (
    "name", "run_type", "inputs", "start_time", "end_time", "extra", "error", "execution_order",
    "serialized", "outputs", "parent_run_id", "manifest_id", "manifest_s3_id", "events", "tags",
    "inputs_s3_urls", "outputs_s3_urls", "s3_urls", "trace_id", "dotted_order", "id", "status",
    "child_run_ids", "direct_child_run_ids", "parent_run_ids", "feedback_stats",
    "reference_example_id", "total_tokens", "prompt_tokens", "completion_tokens",
    "prompt_token_details", "completion_token_details", "total_cost", "prompt_cost",
    "completion_cost", "prompt_cost_details", "completion_cost_details", "price_model_id",
    "first_token_time", "messages", "session_id", "app_path", "last_queued_at", "in_dataset",
    "share_token", "trace_tier", "trace_first_received_at", "ttl_seconds", "trace_upgrade",
    "reference_dataset_id", "thread_id",
)
# fmt: on

# What ``Client.list_runs`` selects when the caller gives no ``select`` (SDK 0.15.1).
# fmt: off
V1_DEFAULT_SELECT: tuple[str, ...] = (
    "app_path", "completion_cost", "completion_tokens", "dotted_order", "end_time", "error",
    "events", "extra", "feedback_stats", "first_token_time", "id", "inputs", "name", "outputs",
    "parent_run_id", "parent_run_ids", "prompt_cost", "prompt_tokens", "reference_example_id",
    "run_type", "s3_urls", "session_id", "start_time", "status", "tags", "total_cost",
    "total_tokens", "trace_id",
)
# fmt: on

# The v2 ``selects`` enum (``langsmith/types/run_select_field.py``) -> v2 Run field.
# fmt: off
V2_SELECT_FIELDS: tuple[str, ...] = (
    "ID", "NAME", "RUN_TYPE", "STATUS", "START_TIME", "END_TIME", "LATENCY_SECONDS",
    "FIRST_TOKEN_TIME", "ERROR", "ERROR_PREVIEW", "EXTRA", "METADATA", "EVENTS", "INPUTS",
    "INPUTS_PREVIEW", "OUTPUTS", "OUTPUTS_PREVIEW", "MANIFEST", "PARENT_RUN_IDS", "PROJECT_ID",
    "TRACE_ID", "THREAD_ID", "DOTTED_ORDER", "IS_ROOT", "REFERENCE_EXAMPLE_ID", "REFERENCE_DATASET_ID",
    "TOTAL_TOKENS", "PROMPT_TOKENS", "COMPLETION_TOKENS", "TOTAL_COST", "PROMPT_COST",
    "COMPLETION_COST", "PROMPT_TOKEN_DETAILS", "COMPLETION_TOKEN_DETAILS", "PROMPT_COST_DETAILS",
    "COMPLETION_COST_DETAILS", "PRICE_MODEL_ID", "TAGS", "APP_PATH", "ATTACHMENTS",
    "THREAD_EVALUATION_TIME", "IS_IN_DATASET", "LAST_QUEUED_AT", "SHARE_URL", "FEEDBACK_STATS",
    "LS_USER_ID",
)
# fmt: on
V2_SELECTS: dict[str, str] = {s: s.lower() for s in V2_SELECT_FIELDS}

# What the SDK itself selects on v2 (``_v2_migration_utils._V2_RUN_SELECTS``), plus the three
# fields an audit needs that the SDK list lacks (THREAD_ID, IS_ROOT, LATENCY_SECONDS).
# fmt: off
V2_SDK_SELECTS: tuple[str, ...] = (
    "ID", "NAME", "RUN_TYPE", "STATUS", "START_TIME", "END_TIME", "INPUTS", "OUTPUTS",
    "PARENT_RUN_IDS", "PROJECT_ID", "TRACE_ID", "DOTTED_ORDER", "REFERENCE_EXAMPLE_ID", "ERROR",
    "TAGS", "EXTRA", "EVENTS", "FEEDBACK_STATS", "FIRST_TOKEN_TIME", "APP_PATH", "PROMPT_TOKENS",
    "COMPLETION_TOKENS", "TOTAL_TOKENS", "PROMPT_COST", "COMPLETION_COST", "TOTAL_COST",
    "PROMPT_TOKEN_DETAILS", "COMPLETION_TOKEN_DETAILS", "PROMPT_COST_DETAILS",
    "COMPLETION_COST_DETAILS",
)
# fmt: on
V2_AUDIT_SELECTS: tuple[str, ...] = (*V2_SDK_SELECTS, "THREAD_ID", "IS_ROOT", "LATENCY_SECONDS")

SERVER_FIELD_RULES: dict[str, str] = {
    "id, name, run_type, inputs, outputs, extra, events, tags, error, serialized, "
    "parent_run_id, trace_id, dotted_order, start_time, end_time": "as the SDK sent them "
    "(create merged with its update: update fields override); times re-printed as v1 prints "
    "them, naive UTC without offset (§3.1)",
    "session_id / project_id": "the project's id, resolved from the run's session_name "
    "(fake.project_id: uuid5 of the project name)",
    "status": "'error' if error is set, else 'success' if end_time is set, else 'pending' (v2: UPPERCASE)",
    "parent_run_ids": "the run ids in dotted_order before the run's own segment, root first",
    "prompt_tokens / completion_tokens / total_tokens (llm runs)": "usage_metadata input_tokens / "
    "output_tokens / total_tokens, read from extra.metadata.usage_metadata (both wrap_openai and "
    "LangChain put it there), else outputs.usage_metadata, else the LangChain generation message",
    "prompt_token_details / completion_token_details": "usage_metadata input_token_details / "
    "output_token_details (v2: wrapped as {'raw': {...}})",
    "prompt_cost / completion_cost / total_cost (+ *_details, price_model_id)": "tokens times the "
    "fake workspace price table (gpt-4o-mini: 0.15 $/1M input, 0.075 $/1M cached input, 0.60 $/1M "
    "output), model from extra.metadata.ls_model_name; null when no price matches",
    "tokens and cost on chain/tool runs (v1)": "sums over the llm runs of the run's subtree (v1 "
    "aggregates, §3.1); 0 tokens and null costs when the subtree has no llm run",
    "tokens and cost on chain/tool runs (v2)": "the run's own values (0 / null) unless the query "
    "sets include_subtree_usage=true, then the v1 subtree sums",
    "first_token_time": "time of the llm run's first 'new_token' event (streamed LangChain calls "
    "only); v1 chains: the earliest in their subtree",
    "feedback_stats": "per key over the run's feedback: n, avg/stdev of numeric scores, values "
    "(categorical label counts), errors 0, comments, sources ['api'], contains_thread_feedback false",
    "trace_tier / ttl_seconds / trace_upgrade": "'shortlived' / 1209600 / false; a trace with "
    "feedback is auto-upgraded: 'longlived' / 34560000 / true (§0.5)",
    "trace_first_received_at": "when the capture server received the trace's first operation "
    "(shifted like every other time)",
    "thread_id": "metadata thread_id, else session_id, else conversation_id (§0.6); null otherwise",
    "app_path": "/o/<tenant>/projects/p/<project>/r/<run>?trace_id=<trace>&start_time=<start>",
    "latency_seconds, is_root, metadata, manifest (v2)": "end-start; no parent; extra.metadata; serialized",
    "constant": "execution_order 1; in_dataset/is_in_dataset false; child_run_ids, "
    "direct_child_run_ids, manifest_id, manifest_s3_id, *_s3_urls, s3_urls, messages, "
    "reference_example_id, reference_dataset_id, last_queued_at, share_token, share_url null",
}


# --------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------


def parse_time(value: str) -> dt.datetime:
    """ISO 8601 (with ``Z``, an offset, or naive = UTC) to an aware datetime."""
    t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def v1_time(value: str | None) -> str | None:
    """v1 prints naive UTC with microseconds: ``2026-01-05T16:46:01.068924``."""
    if value is None:
        return None
    return parse_time(value).astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def v2_time(value: str | None) -> str | None:
    """v2 prints RFC 3339 UTC: ``2026-01-05T16:46:01.068924Z``."""
    if value is None:
        return None
    return parse_time(value).astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# --------------------------------------------------------------------------
# Building the stored runs
# --------------------------------------------------------------------------


def _usage(run: dict[str, Any]) -> dict[str, Any] | None:
    meta = (run.get("extra") or {}).get("metadata") or {}
    if isinstance(usage := meta.get("usage_metadata"), dict):
        return usage
    outputs = run.get("outputs") or {}
    if isinstance(usage := outputs.get("usage_metadata"), dict):
        return usage
    for batch in outputs.get("generations") or []:
        for gen in batch or []:
            kwargs = ((gen or {}).get("message") or {}).get("kwargs") or {}
            if isinstance(usage := kwargs.get("usage_metadata"), dict):
                return usage
    return None


def _model(run: dict[str, Any]) -> str | None:
    extra = run.get("extra") or {}
    meta = extra.get("metadata") or {}
    for value in (
        meta.get("ls_model_name"),
        (run.get("inputs") or {}).get("model"),
        (extra.get("invocation_params") or {}).get("model"),
    ):
        if isinstance(value, str) and value:
            return value
    return None


def _llm_usage(run: dict[str, Any]) -> dict[str, Any]:
    """Token and cost columns of one llm run (empty when it reported no usage)."""
    usage = _usage(run)
    if usage is None:
        return {}
    inp, out = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
    in_details = {k: v for k, v in (usage.get("input_token_details") or {}).items() if v is not None}
    out_details = {k: v for k, v in (usage.get("output_token_details") or {}).items() if v is not None}
    cols: dict[str, Any] = {
        "prompt_tokens": inp,
        "completion_tokens": out,
        "total_tokens": int(usage.get("total_tokens") or inp + out),
        "prompt_token_details": in_details or None,
        "completion_token_details": out_details or None,
    }
    price = PRICES.get(_model(run) or "")
    if price is not None:
        cached = int(in_details.get("cache_read") or 0)
        prompt_cost_details = {
            k: round(v * price["cache_read"], 12) if k == "cache_read" else 0.0 for k, v in in_details.items()
        }
        completion_cost_details = {
            k: round(v * price["output"], 12) if k == "reasoning" else 0.0 for k, v in out_details.items()
        }
        prompt_cost = round((inp - cached) * price["input"] + cached * price["cache_read"], 12)
        completion_cost = round(out * price["output"], 12)
        cols.update(
            {
                "prompt_cost": prompt_cost,
                "completion_cost": completion_cost,
                "total_cost": round(prompt_cost + completion_cost, 12),
                "prompt_cost_details": prompt_cost_details or None,
                "completion_cost_details": completion_cost_details or None,
                "price_model_id": PRICE_MODEL_IDS[_model(run) or ""],
            }
        )
    return cols


_SUMMED = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "prompt_cost",
    "completion_cost",
    "total_cost",
)


def _add_details(acc: dict[str, Any] | None, more: dict[str, Any] | None) -> dict[str, Any] | None:
    if not more:
        return acc
    out = dict(acc or {})
    for k, v in more.items():
        out[k] = round(out.get(k, 0) + v, 12) if isinstance(v, float) else out.get(k, 0) + v
    return out


def _aggregate(cols: Iterable[dict[str, Any]]) -> dict[str, Any]:
    cols = [c for c in cols if c]
    if not cols:
        return {}
    out: dict[str, Any] = {}
    for key in _SUMMED:
        values = [c[key] for c in cols if c.get(key) is not None]
        if values:
            out[key] = round(sum(values), 12) if key.endswith("cost") else sum(values)
    for key in (
        "prompt_token_details",
        "completion_token_details",
        "prompt_cost_details",
        "completion_cost_details",
    ):
        acc = None
        for c in cols:
            acc = _add_details(acc, c.get(key))
        out[key] = acc
    return out


def _feedback_stats(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not items:
        return None
    stats: dict[str, Any] = {}
    for key in sorted({f["key"] for f in items}):
        group = [f for f in items if f["key"] == key]
        scores = [float(f["score"]) for f in group if f.get("score") is not None]
        values: dict[str, int] = {}
        for f in group:
            if f.get("value") is not None:
                values[str(f["value"])] = values.get(str(f["value"]), 0) + 1
        stats[key] = {
            "n": len(group),
            "avg": round(statistics.fmean(scores), 4) if scores else None,
            "stdev": round(statistics.stdev(scores), 4) if len(scores) > 1 else (0.0 if scores else None),
            "errors": 0,
            "values": values,
            "comments": [f["comment"] for f in group if f.get("comment")],
            "sources": sorted({(f.get("feedback_source") or {}).get("type") or "api" for f in group}),
            "contains_thread_feedback": False,
        }
    return stats


def _thread_id(run: dict[str, Any]) -> str | None:
    meta = (run.get("extra") or {}).get("metadata") or {}
    for key in ("thread_id", "session_id", "conversation_id"):
        if meta.get(key):
            return str(meta[key])
    return None


def _parent_ids(dotted_order: str) -> list[str]:
    return [seg[-36:] for seg in dotted_order.split(".")[:-1]]


def _first_token(run: dict[str, Any]) -> str | None:
    for ev in run.get("events") or []:
        if ev.get("name") == "new_token" and ev.get("time"):
            return str(ev["time"])
    return None


def build_store(
    merged: list[dict[str, Any]],
    feedback: list[dict[str, Any]],
    received: dict[str, float],
    project: dict[str, Any],
    example_datasets: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Stored state of one project: v1 run objects (all fields) and feedback records.

    ``merged``: SDK run payloads, creates merged with updates. ``feedback``: the SDK's feedback
    payloads. ``received``: run id -> epoch seconds the capture server received its first op.
    ``project``: the project record (``GET /sessions`` shape). ``example_datasets``: example id ->
    dataset id, for ``reference_dataset_id`` of experiment runs.
    """
    pid = project["id"]
    example_datasets = example_datasets or {}
    by_id = {r["id"]: r for r in merged}
    own = {r["id"]: (_llm_usage(r) if r.get("run_type") == "llm" else {}) for r in merged}
    subtree: dict[str, list[str]] = {rid: [] for rid in by_id}
    for r in merged:
        for anc in _parent_ids(r["dotted_order"]):
            if anc in subtree:
                subtree[anc].append(r["id"])
    fb_by_run: dict[Any, list[dict[str, Any]]] = {}
    fb_traces: set[Any] = set()
    stored_feedback = []
    for f in feedback:
        rec = {k: f.get(k) for k in FEEDBACK_FIELDS}
        rec["session_id"] = f.get("session_id") or pid
        rec["created_at"] = v1_time(f.get("created_at"))
        rec["modified_at"] = v1_time(f.get("modified_at"))
        stored_feedback.append(rec)
        fb_by_run.setdefault(rec["run_id"], []).append(rec)
        fb_traces.add(rec.get("trace_id") or (by_id.get(rec["run_id"]) or {}).get("trace_id"))
    trace_received: dict[str, float] = {}
    for r in merged:
        t = received.get(r["id"])
        if t is not None:
            trace_received[r["trace_id"]] = min(trace_received.get(r["trace_id"], t), t)

    runs = []
    for r in merged:
        rid, trace = r["id"], r["trace_id"]
        is_llm = r.get("run_type") == "llm"
        usage = own[rid] if is_llm else _aggregate(own[d] for d in subtree[rid])
        own_usage = own[rid]
        firsts = [t for t in [_first_token(r), *(_first_token(by_id[d]) for d in subtree[rid])] if t]
        error = r.get("error")
        upgraded = trace in fb_traces
        start = v1_time(r["start_time"])
        v1: dict[str, Any] = {
            "name": r.get("name"),
            "run_type": r.get("run_type"),
            "inputs": r.get("inputs"),
            "start_time": start,
            "end_time": v1_time(r.get("end_time")),
            "extra": r.get("extra"),
            "error": error,
            "execution_order": 1,
            "serialized": r.get("serialized"),
            "outputs": r.get("outputs"),
            "parent_run_id": r.get("parent_run_id"),
            "manifest_id": None,
            "manifest_s3_id": None,
            "events": r.get("events"),
            "tags": r.get("tags") or [],
            "inputs_s3_urls": None,
            "outputs_s3_urls": None,
            "s3_urls": None,
            "trace_id": trace,
            "dotted_order": r["dotted_order"],
            "id": rid,
            "status": "error" if error else ("success" if r.get("end_time") else "pending"),
            "child_run_ids": None,
            "direct_child_run_ids": None,
            "parent_run_ids": _parent_ids(r["dotted_order"]),
            "feedback_stats": _feedback_stats(fb_by_run.get(rid, [])),
            "reference_example_id": r.get("reference_example_id"),
            "total_tokens": usage.get("total_tokens", 0),
            "prompt_tokens": usage.get("prompt_tokens", 0),
            "completion_tokens": usage.get("completion_tokens", 0),
            "prompt_token_details": usage.get("prompt_token_details"),
            "completion_token_details": usage.get("completion_token_details"),
            "total_cost": usage.get("total_cost"),
            "prompt_cost": usage.get("prompt_cost"),
            "completion_cost": usage.get("completion_cost"),
            "prompt_cost_details": usage.get("prompt_cost_details"),
            "completion_cost_details": usage.get("completion_cost_details"),
            "price_model_id": own_usage.get("price_model_id"),
            "first_token_time": v1_time(min(firsts, key=parse_time)) if firsts else None,
            "messages": None,
            "session_id": pid,
            "app_path": f"/o/{TENANT_ID}/projects/p/{pid}/r/{rid}?trace_id={trace}&start_time={start}",
            "last_queued_at": None,
            "in_dataset": False,
            "share_token": None,
            "trace_tier": "longlived" if upgraded else "shortlived",
            "trace_first_received_at": (
                v1_time(dt.datetime.fromtimestamp(trace_received[trace], UTC).isoformat())
                if trace in trace_received
                else None
            ),
            "ttl_seconds": LONGLIVED_TTL if upgraded else SHORTLIVED_TTL,
            "trace_upgrade": upgraded,
            "reference_dataset_id": example_datasets.get(str(r.get("reference_example_id"))),
            "thread_id": _thread_id(r),
        }
        assert tuple(v1) == V1_FIELDS
        runs.append({"v1": v1, "own_usage": own_usage, "own_first_token": _first_token(r)})
    return {
        "project": project,
        "project_name": project["name"],
        "project_id": pid,
        "runs": runs,
        "feedback": stored_feedback,
    }


def build_workspace(
    merged: list[dict[str, Any]],
    feedback: list[dict[str, Any]],
    received: dict[str, float],
    snapshot: dict[str, Any],
    default_project: str,
) -> dict[str, Any]:
    """Every project of a capture (the traced one, experiments, ``evaluators``), datasets, examples.

    Runs are grouped by the ``session_name`` the SDK sent; a project the SDK created
    (``POST /sessions``, e.g. an ``evaluate()`` experiment) keeps its record, any other is the
    stable ``project_record`` of its name. Feedback goes to the project of its run.
    """
    created = {p["name"]: p for p in snapshot.get("projects") or []}
    examples = snapshot.get("examples") or []
    example_datasets = {e["id"]: e["dataset_id"] for e in examples}
    by_project: dict[str, list[dict[str, Any]]] = {}
    for r in merged:
        by_project.setdefault(r.get("session_name") or default_project, []).append(r)
    by_project.setdefault(default_project, [])
    run_project = {r["id"]: name for name, runs in by_project.items() for r in runs}
    stores = {}
    for name, runs in by_project.items():
        record = created.get(name) or project_record(name)
        fb = [f for f in feedback if run_project.get(f["run_id"]) == name]
        store = build_store(runs, fb, received, record, example_datasets)
        stores[store["project_id"]] = store
    return {
        "stores": stores,
        "main": project_id(default_project)
        if default_project not in created
        else created[default_project]["id"],
        "datasets": snapshot.get("datasets") or [],
        "examples": examples,
    }


# --------------------------------------------------------------------------
# v2 objects
# --------------------------------------------------------------------------


def _raw(details: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"raw": details} if details else None


def v2_run(entry: dict[str, Any], selects: Iterable[str], *, subtree_usage: bool = False) -> dict[str, Any]:
    """One v2 Run with exactly the ``selects`` fields (``ID`` only when none are given)."""
    v1 = entry["v1"]
    if v1["run_type"] == "llm" or subtree_usage:
        usage = {
            k: v1[k]
            for k in (
                *_SUMMED,
                "prompt_token_details",
                "completion_token_details",
                "prompt_cost_details",
                "completion_cost_details",
            )
        }
        first = v1["first_token_time"]
    else:
        own = entry["own_usage"]
        usage = {k: own.get(k, 0 if k.endswith("tokens") else None) for k in _SUMMED}
        usage.update(
            {
                k: own.get(k)
                for k in (
                    "prompt_token_details",
                    "completion_token_details",
                    "prompt_cost_details",
                    "completion_cost_details",
                )
            }
        )
        first = v1_time(entry["own_first_token"])
    start, end = parse_time(v1["start_time"]), parse_time(v1["end_time"]) if v1["end_time"] else None
    error = v1["error"]
    full: dict[str, Any] = {
        "id": v1["id"],
        "name": v1["name"],
        "run_type": (v1["run_type"] or "").upper() or None,
        "status": v1["status"].upper(),
        "start_time": v2_time(v1["start_time"]),
        "end_time": v2_time(v1["end_time"]),
        "latency_seconds": round((end - start).total_seconds(), 6) if end else None,
        "first_token_time": v2_time(first),
        "error": error,
        "error_preview": error[:200] if error else None,
        "extra": v1["extra"],
        "metadata": (v1["extra"] or {}).get("metadata"),
        "events": v1["events"],
        "inputs": v1["inputs"],
        "inputs_preview": None,
        "outputs": v1["outputs"],
        "outputs_preview": None,
        "manifest": v1["serialized"],
        "parent_run_ids": v1["parent_run_ids"],
        "project_id": v1["session_id"],
        "trace_id": v1["trace_id"],
        "thread_id": v1["thread_id"],
        "dotted_order": v1["dotted_order"],
        "is_root": v1["parent_run_id"] is None,
        "reference_example_id": None,
        "reference_dataset_id": None,
        "total_tokens": usage["total_tokens"],
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "total_cost": usage["total_cost"],
        "prompt_cost": usage["prompt_cost"],
        "completion_cost": usage["completion_cost"],
        "prompt_token_details": _raw(usage["prompt_token_details"]),
        "completion_token_details": _raw(usage["completion_token_details"]),
        "prompt_cost_details": _raw(usage["prompt_cost_details"]),
        "completion_cost_details": _raw(usage["completion_cost_details"]),
        "price_model_id": v1["price_model_id"],
        "tags": v1["tags"],
        "app_path": v1["app_path"],
        "attachments": None,
        "thread_evaluation_time": None,
        "is_in_dataset": False,
        "last_queued_at": None,
        "share_url": None,
        "feedback_stats": v1["feedback_stats"],
        "ls_user_id": None,
    }
    wanted = ["ID", *selects] if selects else ["ID"]
    fields = [V2_SELECTS[s] for s in wanted if s in V2_SELECTS]
    return {f: full[f] for f in dict.fromkeys(fields)}


# --------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------


class QueryError(Exception):
    """A 4xx the real server would answer; ``status`` and ``body`` as it would send them."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.status = status
        self.body = body


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        pad = "=" * (-len(cursor) % 4)
        return int(json.loads(base64.urlsafe_b64decode(cursor + pad))["offset"])
    except (ValueError, KeyError, TypeError) as exc:
        raise QueryError(400, {"detail": "Invalid cursor"}) from exc


def _order(runs: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    key = [(parse_time(r["v1"]["start_time"]), r["v1"]["dotted_order"]) for r in runs]
    pairs = sorted(zip(key, range(len(runs)), strict=True), reverse=(order != "asc"))
    return [runs[i] for _, i in pairs]


def query_v1(store: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Answer ``POST /runs/query`` (filters of langsmith.md §2.1 that the audit uses)."""
    limit = int(body.get("limit") or 100)
    if limit > 100:
        raise QueryError(400, {"detail": "Limit exceeds maximum allowed value of 100"})
    runs = store["runs"]
    if body.get("id"):
        ids = {str(i) for i in body["id"]}  # "ignores all other filters"
        runs = [r for r in runs if r["v1"]["id"] in ids]
    else:
        sessions = {str(s) for s in body.get("session") or []}
        if sessions:
            runs = [r for r in runs if r["v1"]["session_id"] in sessions]
        if body.get("trace"):
            runs = [r for r in runs if r["v1"]["trace_id"] == str(body["trace"])]
        if body.get("parent_run"):
            runs = [r for r in runs if r["v1"]["parent_run_id"] == str(body["parent_run"])]
        if body.get("run_type"):
            runs = [r for r in runs if r["v1"]["run_type"] == body["run_type"]]
        if body.get("is_root") is not None:
            runs = [r for r in runs if (r["v1"]["parent_run_id"] is None) == bool(body["is_root"])]
        if body.get("error") is not None:
            runs = [r for r in runs if (r["v1"]["error"] is not None) == bool(body["error"])]
        if body.get("start_time"):
            lo = parse_time(body["start_time"])
            runs = [r for r in runs if parse_time(r["v1"]["start_time"]) >= lo]
        if body.get("end_time"):
            hi = parse_time(body["end_time"])
            runs = [r for r in runs if parse_time(r["v1"]["start_time"]) <= hi]
    runs = _order(runs, body.get("order") or "desc")
    offset = decode_cursor(body["cursor"]) if body.get("cursor") else 0
    page = runs[offset : offset + limit]
    select = body.get("select")
    items = [{k: v for k, v in r["v1"].items() if select is None or k in select or k == "id"} for r in page]
    nxt = encode_cursor(offset + limit) if offset + limit < len(runs) else None
    prev = encode_cursor(max(0, offset - limit)) if offset > 0 else None
    return {"runs": items, "cursors": {"next": nxt, "prev": prev}}


def query_v2(store: dict[str, Any], body: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Answer ``POST /api/v2/runs/query`` (langsmith.md §2.2); ``now`` drives the 24 h default."""
    page_size = int(body.get("page_size") or 100)
    if not 1 <= page_size <= 1000:
        raise QueryError(422, {"detail": "page_size must be between 1 and 1000"})
    if bool(body.get("project_ids")) == bool(body.get("reference_dataset_id")):
        raise QueryError(422, {"detail": "set exactly one of project_ids or reference_dataset_id"})
    unknown = [s for s in body.get("selects") or [] if s not in V2_SELECTS]
    if unknown:
        raise QueryError(422, {"detail": f"unknown selects {unknown}"})
    runs = store["runs"]
    projects = {str(p) for p in body.get("project_ids") or []}
    runs = [r for r in runs if r["v1"]["session_id"] in projects]
    lo = parse_time(body["min_start_time"]) if body.get("min_start_time") else now - dt.timedelta(days=1)
    hi = parse_time(body["max_start_time"]) if body.get("max_start_time") else now
    runs = [r for r in runs if lo <= parse_time(r["v1"]["start_time"]) <= hi]
    if body.get("ids"):
        ids = {str(i) for i in body["ids"]}
        runs = [r for r in runs if r["v1"]["id"] in ids]
    if body.get("trace_id"):
        runs = [r for r in runs if r["v1"]["trace_id"] == str(body["trace_id"])]
    if body.get("run_type"):
        runs = [r for r in runs if (r["v1"]["run_type"] or "").upper() == body["run_type"]]
    if body.get("is_root") is not None:
        runs = [r for r in runs if (r["v1"]["parent_run_id"] is None) == bool(body["is_root"])]
    if body.get("has_error") is not None:
        runs = [r for r in runs if (r["v1"]["error"] is not None) == bool(body["has_error"])]
    runs = _order(runs, "desc")
    offset = decode_cursor(body["cursor"]) if body.get("cursor") else 0
    page = runs[offset : offset + page_size]
    subtree = bool(body.get("include_subtree_usage"))
    items = [v2_run(r, body.get("selects") or [], subtree_usage=subtree) for r in page]
    nxt = encode_cursor(offset + page_size) if offset + page_size < len(runs) else None
    return {"items": items, "next_cursor": nxt}


def sessions_response(store: dict[str, Any], *, include_stats: bool) -> list[dict[str, Any]]:
    """``GET /sessions?name=<project>`` (a list; stats as ``TracerSessionResult`` names them)."""
    rec = dict(store["project"])
    if not include_stats:
        return [rec]
    roots = [r["v1"] for r in store["runs"] if r["v1"]["parent_run_id"] is None]
    all_runs = [r["v1"] for r in store["runs"]]
    lat = sorted(
        (parse_time(r["end_time"]) - parse_time(r["start_time"])).total_seconds()
        for r in roots
        if r["end_time"]
    )

    def pct(p: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 6) if lat else None

    def total(key: str) -> Any:
        values = [r[key] for r in roots if r[key] is not None]
        return (round(sum(values), 12) if key.endswith("cost") else sum(values)) if values else None

    fb = _feedback_stats(store["feedback"])
    return [
        {
            **rec,
            "run_count": len(all_runs),
            "latency_p50": pct(0.5),
            "latency_p99": pct(0.99),
            "first_token_p50": None,
            "first_token_p99": None,
            "total_tokens": total("total_tokens"),
            "prompt_tokens": total("prompt_tokens"),
            "completion_tokens": total("completion_tokens"),
            "total_cost": total("total_cost"),
            "prompt_cost": total("prompt_cost"),
            "completion_cost": total("completion_cost"),
            "error_rate": round(sum(1 for r in roots if r["error"]) / len(roots), 4) if roots else None,
            "last_run_start_time": max((r["start_time"] for r in all_runs), default=None),
            "feedback_stats": fb,
            "session_feedback_stats": None,
            "run_facets": None,
        }
    ]


def experiments_response(workspace: dict[str, Any], dataset_id: str) -> list[dict[str, Any]]:
    """``GET /sessions?reference_dataset=<id>&include_stats=true``: the dataset's experiments."""
    stores = [
        s for s in workspace["stores"].values() if s["project"].get("reference_dataset_id") == dataset_id
    ]
    return [
        sessions_response(s, include_stats=True)[0] for s in sorted(stores, key=lambda s: s["project_name"])
    ]


def datasets_response(workspace: dict[str, Any], params: dict[str, list[str]]) -> list[dict[str, Any]]:
    """``GET /datasets?name=&id=``."""
    items: list[dict[str, Any]] = workspace["datasets"]
    if params.get("name"):
        items = [d for d in items if d["name"] in params["name"]]
    if params.get("id"):
        items = [d for d in items if d["id"] in params["id"]]
    return items


def examples_response(workspace: dict[str, Any], params: dict[str, list[str]]) -> list[dict[str, Any]]:
    """``GET /examples?dataset=<id>&offset=&limit=`` (offset pagination)."""
    items: list[dict[str, Any]] = workspace["examples"]
    if params.get("dataset"):
        items = [e for e in items if e["dataset_id"] in params["dataset"]]
    if params.get("id"):
        items = [e for e in items if e["id"] in params["id"]]
    offset = int((params.get("offset") or ["0"])[0])
    limit = int((params.get("limit") or ["100"])[0])
    return items[offset : offset + limit]


def feedback_response(store: dict[str, Any], params: dict[str, list[str]]) -> list[dict[str, Any]]:
    """``GET /feedback?run=<id>&key=<k>`` (offset pagination ignored: the lists are short)."""
    items: list[dict[str, Any]] = store["feedback"]
    if params.get("run"):
        items = [f for f in items if f["run_id"] in set(params["run"])]
    if params.get("key"):
        items = [f for f in items if f["key"] in set(params["key"])]
    return items
