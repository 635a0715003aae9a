"""LangSmith's workspace configuration routes: feedback configs, annotation queues, hub prompts, rules.

One model of the server, shared by ``scripts/langsmith_capture/capture_server.py`` (which stores
what the real SDK creates) and ``replay.py`` (which answers reads from
``cassettes/langsmith/workspace_config/``), so both answer alike. Stdlib only. The state is one plain dict::

    {"feedback_configs": [FeedbackConfigSchema...], "annotation_queues": [queue with rubric_items],
     "repos": [Prompt...], "commits": {"<repo_handle>": [commit, newest first]},
     "run_rules": [RunRulesSchema...]}

Shapes, from the langsmith 0.15.1 SDK: ``schemas.FeedbackConfigSchema`` (``create_feedback_config``,
``list_feedback_configs``: one config per key unless ``include_all_configs``), ``schemas.AnnotationQueue``
/ ``AnnotationQueueWithDetails`` and the generated ``types/annotation_queue_retrieve_*_response.py``
(``GET /annotation-queues`` items carry ``queue_type``, ``total_runs`` and, with
``include_rubric_keys``, ``rubric_keys``; ``GET /annotation-queues/{id}`` carries ``rubric_items``
whose ``feedback_config`` is the config the item uses), ``schemas.Prompt`` / ``ListPromptsResponse``
(``GET /repos/``), and ``types/evaluator.py`` ("Run rules schema", ``GET /api/v1/runs/rules``: one
unpaged list; filters ``session_id``, ``dataset_id``, ``type``, ``id``, combined with AND).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from tests.connectors.langsmith.fake import ID_NAMESPACE as NAMESPACE

Params = dict[str, list[str]]


def empty() -> dict[str, Any]:
    """A workspace with no configuration."""
    return {"feedback_configs": [], "annotation_queues": [], "repos": [], "commits": {}, "run_rules": []}


def _first(params: Params, name: str, default: str | None = None) -> str | None:
    values = params.get(name)
    return values[0] if values else default


def _page(items: list[Any], params: Params, default_limit: int = 100) -> list[Any]:
    offset = int(_first(params, "offset", "0") or 0)
    limit = int(_first(params, "limit", str(default_limit)) or default_limit)
    return items[offset : offset + limit]


# -- feedback configs --------------------------------------------------------


def create_feedback_config(
    state: dict[str, Any], body: dict[str, Any], tenant: str, now: str
) -> dict[str, Any]:
    """``POST /feedback-configs``: an identical config of the key is returned unchanged."""
    key = body["feedback_key"]
    same: list[dict[str, Any]] = [c for c in state["feedback_configs"] if c["feedback_key"] == key]
    for config in same:
        if config["feedback_config"] == body["feedback_config"]:
            return config
    config = {
        "id": str(uuid.uuid5(NAMESPACE, f"feedback-config:{key}:{len(same)}")),
        "feedback_key": key,
        "feedback_config": body["feedback_config"],
        "tenant_id": tenant,
        "modified_at": now,
        "is_lower_score_better": body.get("is_lower_score_better", False),
        "is_enforced": bool(body.get("is_enforced")),
        "is_first": not same,
        "is_deleted": False,
    }
    state["feedback_configs"].append(config)
    return config


def list_feedback_configs(state: dict[str, Any], params: Params) -> list[dict[str, Any]]:
    """``GET /feedback-configs?key=&include_all_configs=&limit=&offset=``."""
    configs = state["feedback_configs"]
    if (_first(params, "include_all_configs") or "").lower() != "true":
        configs = [c for c in configs if c["is_first"]]
    if params.get("key"):
        configs = [c for c in configs if c["feedback_key"] in params["key"]]
    return _page(configs, params)


# -- annotation queues -------------------------------------------------------


def create_annotation_queue(
    state: dict[str, Any], body: dict[str, Any], tenant: str, now: str
) -> dict[str, Any]:
    """``POST /annotation-queues``; the answer's ``rubric_items`` is not filled in (SDK docstring)."""
    queue = {
        "id": body["id"],
        "name": body["name"],
        "description": body.get("description"),
        "created_at": now,
        "updated_at": now,
        "tenant_id": tenant,
        "queue_type": "single",
        "default_dataset": None,
        "num_reviewers_per_item": 1,
        "enable_reservations": True,
        "reservation_minutes": 1,
        "metadata": None,
        "run_rule_id": None,
        "source_rule_id": None,
        "assigned_reviewers": [],
        "rubric_instructions": body.get("rubric_instructions"),
        "rubric_items": [dict(item) for item in body.get("rubric_items") or []],
    }
    state["annotation_queues"].append(queue)
    return {**{k: v for k, v in queue.items() if k != "rubric_items"}, "rubric_items": None}


_LISTED = [
    "id",
    "name",
    "description",
    "created_at",
    "updated_at",
    "tenant_id",
    "queue_type",
    "default_dataset",
    "num_reviewers_per_item",
    "enable_reservations",
    "reservation_minutes",
    "metadata",
    "run_rule_id",
    "source_rule_id",
    "assigned_reviewers",
]


def list_annotation_queues(state: dict[str, Any], params: Params) -> list[dict[str, Any]]:
    """``GET /annotation-queues?ids=&name=&include_rubric_keys=&limit=&offset=`` (no rubric items)."""
    queues = state["annotation_queues"]
    if params.get("ids"):
        queues = [q for q in queues if q["id"] in params["ids"]]
    if params.get("name"):
        queues = [q for q in queues if q["name"] in params["name"]]
    with_keys = (_first(params, "include_rubric_keys") or "").lower() == "true"
    out = []
    for queue in _page(queues, params):
        item = {k: queue[k] for k in _LISTED}
        item["total_runs"] = 0
        if with_keys:
            item["rubric_keys"] = [i["feedback_key"] for i in queue["rubric_items"]]
        out.append(item)
    return out


def read_annotation_queue(state: dict[str, Any], queue_id: str) -> dict[str, Any] | None:
    """``GET /annotation-queues/{id}``: each rubric item with the config it uses (the key's first)."""
    queue = next((q for q in state["annotation_queues"] if q["id"] == queue_id), None)
    if queue is None:
        return None
    items = []
    for item in queue["rubric_items"]:
        configs = [c for c in state["feedback_configs"] if c["feedback_key"] == item["feedback_key"]]
        chosen = next((c for c in configs if c["id"] == item.get("feedback_config_id")), None)
        chosen = chosen or next((c for c in configs if c["is_first"]), None)
        items.append(
            {
                **item,
                "feedback_config_id": chosen["id"] if chosen else None,
                "feedback_config": chosen,
            }
        )
    return {
        **{k: queue[k] for k in _LISTED},
        "rubric_instructions": queue["rubric_instructions"],
        "rubric_items": items,
    }


# -- hub prompts -------------------------------------------------------------


def create_repo(
    state: dict[str, Any], body: dict[str, Any], tenant: str, handle: str, now: str
) -> dict[str, Any]:
    """``POST /repos/``: ``{"repo": Prompt}``."""
    name = body["repo_handle"]
    repo = {
        "repo_handle": name,
        "description": body.get("description"),
        "readme": body.get("readme"),
        "id": str(uuid.uuid5(NAMESPACE, f"repo:{name}")),
        "tenant_id": tenant,
        "created_at": now,
        "updated_at": now,
        "is_public": bool(body.get("is_public")),
        "is_archived": False,
        "tags": list(body.get("tags") or []),
        "original_repo_id": None,
        "upstream_repo_id": None,
        "owner": handle,
        "full_name": f"{handle}/{name}",
        "num_likes": 0,
        "num_downloads": 0,
        "num_views": 0,
        "liked_by_auth_user": False,
        "last_commit_hash": None,
        "num_commits": 0,
        "original_repo_full_name": None,
        "upstream_repo_full_name": None,
    }
    state["repos"].append(repo)
    state["commits"][name] = []
    return {"repo": repo}


def get_repo(state: dict[str, Any], name: str) -> dict[str, Any] | None:
    """``GET /repos/{owner}/{name}``: ``{"repo": Prompt}``."""
    repo = next((r for r in state["repos"] if r["repo_handle"] == name), None)
    return None if repo is None else {"repo": repo}


def list_repos(state: dict[str, Any], params: Params) -> dict[str, Any]:
    """``GET /repos/?limit=&offset=&is_archived=``: ``{"repos": [...], "total": n}``."""
    repos = state["repos"]
    archived = _first(params, "is_archived")
    if archived in ("true", "false"):
        repos = [r for r in repos if r["is_archived"] == (archived == "true")]
    return {"repos": _page(repos, params), "total": len(repos)}


def list_commits(state: dict[str, Any], name: str, params: Params) -> dict[str, Any]:
    """``GET /commits/{owner}/{name}/?limit=&offset=``: ``{"commits": [...], "total": n}``, newest first."""
    commits = state["commits"].get(name, [])
    return {"commits": _page(commits, params), "total": len(commits)}


def create_commit(state: dict[str, Any], name: str, body: dict[str, Any], now: str) -> dict[str, Any] | None:
    """``POST /commits/{owner}/{name}``: ``{"commit": {...}}``; the hash is a digest of the manifest."""
    repo = next((r for r in state["repos"] if r["repo_handle"] == name), None)
    if repo is None:
        return None
    manifest = json.dumps(body.get("manifest"), sort_keys=True)
    digest = hashlib.sha256(f"{body.get('parent_commit')}:{manifest}".encode()).hexdigest()
    commit = {
        "id": str(uuid.uuid5(NAMESPACE, f"commit:{name}:{digest}")),
        "commit_hash": digest,
        "parent_commit_hash": body.get("parent_commit"),
        "repo_id": repo["id"],
        "manifest": body.get("manifest"),
        "description": body.get("description"),
        "created_at": now,
    }
    state["commits"][name].insert(0, commit)
    repo.update(num_commits=len(state["commits"][name]), last_commit_hash=digest, updated_at=now)
    return {"commit": commit}


# -- automation rules --------------------------------------------------------


def list_run_rules(state: dict[str, Any], params: Params) -> list[dict[str, Any]]:
    """``GET /runs/rules?session_id=&dataset_id=&type=&id=``: every matching rule (no paging)."""
    rules = state["run_rules"]
    if params.get("id"):
        rules = [r for r in rules if r["id"] in params["id"]]
    if session := _first(params, "session_id"):
        rules = [r for r in rules if r.get("session_id") == session]
    if dataset := _first(params, "dataset_id"):
        rules = [r for r in rules if r.get("dataset_id") == dataset]
    kind = _first(params, "type")
    if kind == "session":
        rules = [r for r in rules if r.get("session_id")]
    elif kind == "dataset":
        rules = [r for r in rules if r.get("dataset_id")]
    return list(rules)
