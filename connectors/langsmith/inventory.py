"""Workspace facts from LangSmith that runs cannot show (for f, g, i and j).

Read with the SDK's own routes (langsmith 0.15.1 ``client.py`` and its generated OpenAPI types):

- ``GET /datasets`` (items carry ``example_count``) and ``GET /sessions?reference_dataset=<id>&
  include_stats=true`` (experiments: the projects ``evaluate()`` creates, with ``extra.metadata``
  holding ``revision_id``, user metadata such as ``agent_version``, and ``feedback_stats`` whose
  ``sources`` say ``model`` for evaluator feedback);
- ``GET /feedback-configs`` (``feedback_config.type == "categorical"`` with ``categories``; one
  config per key unless ``include_all_configs``);
- ``GET /annotation-queues?include_rubric_keys=true`` (offset-paged like ``list_annotation_queues``;
  items name their ``rubric_keys``) and, for a queue whose rubric uses a key not yet known as a
  taxonomy, ``GET /annotation-queues/{id}`` (``rubric_items[].feedback_config``: the config the
  queue's reviewers fill in, which can be another config of the key than the one listed first);
- ``GET /runs/rules`` (automation rules, ``types/evaluator.py`` "Run rules schema": one unpaged
  list; ``session_id`` or ``dataset_id`` is what a rule watches, ``evaluators`` /
  ``code_evaluators`` / ``evaluator_id`` make it an online evaluator, ``add_to_annotation_queue_id``
  / ``add_to_dataset_id`` route runs, ``is_enabled``, ``sampling_rate``; where the deprecated v1
  list is gone, ``GET /api/v2/runs/rules``: cursor-paged, ``project_id`` for ``session_id``);
- ``GET /repos/`` (hub prompts, ``{"repos": [...], "total": n}`` with ``num_commits``).

Datasets, experiments, configs, queues and prompts are workspace-wide, as in the LangSmith UI. Rules
count only when they act on the audited project (its ``session_id``) or on one of the workspace's
datasets (a dataset rule evaluates every experiment on it: part of the same eval harness); a rule
watching another project evaluates another agent. A route the server does not serve (404), this key
may not read (403) or that answers junk leaves its fact unknown, never zero, with one warning line.

Retention comes from the pulled runs themselves (each run's ``ttl_seconds``: the trace tier's
retention; the shortest seen is kept), passed in.
"""

from __future__ import annotations

import logging
from typing import Any

from traceready.connector import VERDICT_LABELS, Inventory
from traceready.errors import AuthError, NotFoundError, VendorUnavailableError
from traceready.http import CancelledError, InvalidPageError
from traceready.paging import OffsetPaginator, PageRequest, objects, paginate
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


UNSEEN = (InvalidPageError, NotFoundError, AuthError, VendorUnavailableError)
"""A workspace route this server does not serve (404, junk, a redirect, 5xx) or this key may not read
(403)."""

MAX_QUEUE_READS = 50
"""Annotation queues whose rubric is read one by one (``GET /annotation-queues/{id}``), at most."""


def _rubric_taxonomies(client: LangSmithClient, queues: list[dict[str, Any]], known: set[str]) -> set[str]:
    """Keys the queues' rubrics use with a categorical config of failure categories.

    A queue is read only when its listed ``rubric_keys`` hold a key not already known as a taxonomy
    (or the server did not list them); the VERDICT_LABELS rule applies as to any config.
    """
    found: set[str] = set()
    reads = 0
    for queue in queues:
        keys = queue.get("rubric_keys")
        if isinstance(keys, list) and not {str(k) for k in keys} - known - found:
            continue
        if not queue.get("id") or reads >= MAX_QUEUE_READS:
            continue
        reads += 1
        try:
            detail = client.get_json(f"/annotation-queues/{queue['id']}")
        except UNSEEN:
            continue
        items = detail.get("rubric_items") if isinstance(detail, dict) else None
        configs = [
            item["feedback_config"]
            for item in (items if isinstance(items, list) else ())
            if isinstance(item, dict) and isinstance(item.get("feedback_config"), dict)
        ]
        found |= _configured_taxonomies(configs)
    return found


def _is_active(rule: dict[str, Any]) -> bool:
    """Enabled and sampling something (a server older than the on/off switch sends no ``is_enabled``)."""
    rate = rule.get("sampling_rate")
    return rule.get("is_enabled") is not False and not (isinstance(rate, int | float) and rate <= 0)


def _is_evaluator(rule: dict[str, Any]) -> bool:
    """An online evaluator: an LLM judge, code, or a linked evaluator (not only routing runs)."""
    return bool(rule.get("evaluators") or rule.get("code_evaluators") or rule.get("evaluator_id"))


def _project_rules(
    client: LangSmithClient, project_id: str | None, dataset_ids: set[str]
) -> list[dict[str, Any]] | None:
    """Active rules watching the project or a workspace dataset; None when no rules route is served."""
    try:
        rules = client.get_json("/runs/rules")
    except NotFoundError:
        # The v1 list is deprecated for GET /api/v2/runs/rules (SDK 0.15.1 evaluators.list).
        try:
            rules = client.rules_v2()
        except UNSEEN as exc:
            _unseen("/api/v2/runs/rules", exc)
            return None
    except UNSEEN as exc:
        _unseen("/runs/rules", exc)
        return None
    if not isinstance(rules, list):
        return None
    return [
        rule
        for rule in rules
        if isinstance(rule, dict)
        and _is_active(rule)
        and (
            (project_id is not None and str(rule.get("session_id")) == project_id)
            or str(rule.get("dataset_id")) in dataset_ids
        )
    ]


def collect_inventory(
    client: LangSmithClient, project: str, *, retention_days: int | None = None
) -> Inventory:
    """Datasets, experiments, evaluators and rules, versions, prompts, taxonomies, queues, retention."""
    try:
        return _collect(client, project, retention_days)
    except CancelledError:
        raise
    except UNSEEN as exc:
        logger.warning("LangSmith inventory unreadable (%s); workspace facts unknown", exc)
        return Inventory(retention_days=retention_days)


def _optional(
    client: LangSmithClient, path: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]] | None:
    """A workspace list, or None when this server does not serve the route (or this key may not read it)."""
    try:
        return client.get_list(path, params)
    except UNSEEN as exc:
        _unseen(path, exc)
        return None


def _unseen(path: str, exc: Exception) -> None:
    """One warning line saying why a workspace fact stays unknown (the audit goes on)."""
    if isinstance(exc, CancelledError):
        raise exc
    if isinstance(exc, AuthError):
        logger.warning("LangSmith: this key may not read %s (%s); that fact stays unknown", path, exc.message)
    else:
        reason = exc.one_line() if isinstance(exc, NotFoundError | VendorUnavailableError) else str(exc)
        logger.warning("LangSmith: %s unreadable (%s); that fact stays unknown", path, reason)


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
    project_stats = [
        p for p in client.sessions(name=project, include_stats="true") if p.get("name") == project
    ]
    project_id = next((str(p["id"]) for p in project_stats if p.get("id")), None)
    taxonomies = set().union(
        *(_categorical_keys(s) for s in stats),
        *(_categorical_keys(p.get("feedback_stats")) for p in project_stats),
    )
    configs = _optional(client, "/feedback-configs")
    if configs:
        taxonomies |= _configured_taxonomies(configs)
    queues = _optional(client, "/annotation-queues", {"include_rubric_keys": "true"})
    if queues:
        taxonomies |= _rubric_taxonomies(client, queues, taxonomies)
    rules = _project_rules(client, project_id, {str(d["id"]) for d in datasets if d.get("id")})
    evaluator_rules = sum(1 for r in rules if _is_evaluator(r)) if rules is not None else 0
    prompts = _prompt_versions(client)
    dates = [d for e in experiments if (d := parse_time(e.get("start_time"))) is not None]
    return Inventory(
        datasets=len(datasets),
        dataset_examples=sum(int(d.get("example_count") or 0) for d in datasets),
        experiments=len(experiments),
        scored_experiments=sum(1 for s in stats if isinstance(s, dict) and s),
        last_experiment_at=max(dates) if dates else None,
        automated_evaluators=len(evaluators) + evaluator_rules,
        experiments_with_version=sum(1 for e in experiments if _versions(e)),
        experiment_versions=tuple(sorted({v for e in experiments for v in _versions(e)})),
        prompt_versions=prompts,
        failure_taxonomies=tuple(sorted(taxonomies)),
        experiment_projects=len(experiments),
        retention_days=retention_days,
        annotation_queues=None if queues is None else len(queues),
        automation_rules=None if rules is None else len(rules),
    )


PROMPT_PAGE = 100


def _prompt_versions(client: LangSmithClient) -> int | None:
    """Commits of the workspace's hub prompts, archived ones aside as ``list_prompts`` does.

    ``GET /repos/`` answers ``{"repos": [...], "total": n}``, offset-paged.
    """
    params = [("limit", PROMPT_PAGE), ("offset", 0), ("is_archived", "false")]
    request = PageRequest("GET", f"{client.v1_prefix}/repos/", params=params)
    pages = paginate(
        client.http,
        request,
        ("repos",),
        OffsetPaginator(PROMPT_PAGE, total_at=("total",)),
        max_items=client.http.limits.max_list_items,
    )
    try:
        return sum(_count(r.get("num_commits")) for r in objects(pages))
    except UNSEEN as exc:
        _unseen("/repos/", exc)
        return None


def _count(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0
