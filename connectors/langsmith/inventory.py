"""Workspace facts from LangSmith that runs cannot show (for f, g, i and j).

Read with the SDK's own routes (langsmith 0.15.1 ``client.py``): ``GET /datasets`` (items carry
``example_count``), ``GET /sessions?reference_dataset=<id>&include_stats=true`` (experiments: the
projects ``evaluate()`` creates, with ``extra.metadata`` holding ``revision_id``, user metadata such as
``agent_version``, and ``feedback_stats`` whose ``sources`` say ``model`` for evaluator feedback),
``GET /feedback-configs`` (``feedback_config.type == "categorical"`` with ``categories``),
``GET /repos/`` (hub prompts with ``num_commits``) and ``GET /runs/rules`` (automation rules: online
evaluators, queues, datasets). Datasets, configs, prompts and rules are workspace-wide, as in the
LangSmith UI. A route the server does not serve (404) leaves its fact unknown, never zero.

Retention comes from the pulled runs themselves (``ttl_seconds``, vendor notes §0.5), passed in.
"""

from __future__ import annotations

import logging
from typing import Any

from traceready.connector import VERDICT_LABELS, Inventory
from traceready.errors import NotFoundError
from traceready.http import InvalidPageError
from traceready.window import parse_time

from .client import LangSmithClient

logger = logging.getLogger(__name__)

VERSION_KEYS = (
    "harness_version",
    "agent_version",
    "version",
    "revision_id",
    "git_sha",
    "prompt_version",
    "commit",
)


def _versions(experiment: dict[str, Any]) -> list[str]:
    extra = experiment.get("extra")
    metadata = extra.get("metadata") if isinstance(extra, dict) else None
    if not isinstance(metadata, dict):
        return []
    return [str(v) for k, v in metadata.items() if k in VERSION_KEYS and isinstance(v, str | int) and v]


def _categorical_keys(stats: Any) -> set[str]:
    """Feedback keys whose recorded values are category labels beyond yes/no."""
    if not isinstance(stats, dict):
        return set()
    return {
        key
        for key, entry in stats.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("values"), dict)
        and {str(v).lower() for v in entry["values"]} - VERDICT_LABELS
    }


def _configured_taxonomies(configs: list[dict[str, Any]]) -> set[str]:
    found = set()
    for config in configs:
        body = config.get("feedback_config")
        if not isinstance(body, dict) or body.get("type") != "categorical":
            continue
        labels = {
            str(c.get("label") or c.get("value")).lower()
            for c in body.get("categories") or ()
            if isinstance(c, dict)
        }
        if len(labels) >= 2 and not labels <= VERDICT_LABELS and config.get("feedback_key"):
            found.add(str(config["feedback_key"]))
    return found


def collect_inventory(
    client: LangSmithClient, project: str, *, retention_days: int | None = None
) -> Inventory:
    """Datasets, experiments (scores, evaluators, versions, recency), prompts, taxonomies, retention."""
    try:
        return _collect(client, project, retention_days)
    except (InvalidPageError, NotFoundError) as exc:
        logger.warning("LangSmith inventory unreadable (%s); workspace facts unknown", exc)
        return Inventory(retention_days=retention_days)


def _optional(client: LangSmithClient, path: str) -> list[dict[str, Any]] | None:
    """A workspace list, or None when this server does not serve the route."""
    try:
        return client.get_list(path)
    except (InvalidPageError, NotFoundError):
        return None


def _collect(client: LangSmithClient, project: str, retention_days: int | None) -> Inventory:
    datasets = client.get_list("/datasets")
    experiments: list[dict[str, Any]] = []
    for dataset in datasets:
        if dataset.get("id"):
            found = client.sessions(reference_dataset=dataset["id"], include_stats="true")
            experiments.extend(e for e in found if e.get("reference_dataset_id") == dataset["id"])
    stats = [e.get("feedback_stats") for e in experiments]
    evaluators = {
        key
        for s in stats
        if isinstance(s, dict)
        for key, entry in s.items()
        if isinstance(entry, dict) and "model" in (entry.get("sources") or ())
    }
    project_stats = client.sessions(name=project, include_stats="true")
    taxonomies = set().union(
        *(_categorical_keys(s) for s in stats),
        *(_categorical_keys(p.get("feedback_stats")) for p in project_stats if p.get("name") == project),
    )
    configs = _optional(client, "/feedback-configs")
    if configs:
        taxonomies |= _configured_taxonomies(configs)
    rules = _optional(client, "/runs/rules")
    prompts = _prompt_versions(client)
    dates = [d for e in experiments if (d := parse_time(e.get("start_time"))) is not None]
    return Inventory(
        datasets=len(datasets),
        dataset_examples=sum(int(d.get("example_count") or 0) for d in datasets),
        experiments=len(experiments),
        scored_experiments=sum(1 for s in stats if isinstance(s, dict) and s),
        last_experiment_at=max(dates) if dates else None,
        automated_evaluators=len(evaluators) + len(rules or ()),
        experiments_with_version=sum(1 for e in experiments if _versions(e)),
        experiment_versions=tuple(sorted({v for e in experiments for v in _versions(e)})),
        prompt_versions=prompts,
        failure_taxonomies=tuple(sorted(taxonomies)),
        experiment_projects=len(experiments),
        retention_days=retention_days,
    )


def _prompt_versions(client: LangSmithClient) -> int | None:
    """Commits of the workspace's hub prompts (``GET /repos/`` answers ``{"repos": [...]}``)."""
    try:
        body = client.http.request_json("GET", f"{client.v1_prefix}/repos/", params={"limit": 100})
    except (NotFoundError, InvalidPageError):
        return None
    repos = body.get("repos") if isinstance(body, dict) else None
    if not isinstance(repos, list):
        return None
    return sum(int(r.get("num_commits") or 0) for r in repos if isinstance(r, dict))
