"""Project-level facts from Phoenix that spans cannot show (for f, g, i and j).

Verified on Phoenix 20.26.1: ``GET /v1/datasets`` items carry ``example_count``; experiments
(``GET /v1/datasets/{id}/experiments``) carry ``metadata``, ``project_name`` (each experiment runs in
its own ``Experiment-…`` project, Phoenix's separation of experiments from production) and
``successful_run_count``; evaluator results are only in ``GET /v1/experiments/{id}/json``
(``annotations`` per run, ``annotator_kind`` CODE/LLM/HUMAN). Phoenix ships a ``user_feedback``
categorical config (positive/negative) that is not a failure taxonomy. Retention has no REST read.
"""

from __future__ import annotations

import logging
from typing import Any

from traceready.connector import VERDICT_LABELS, Inventory
from traceready.http import InvalidPageError
from traceready.window import parse_time

from .client import PhoenixClient

logger = logging.getLogger(__name__)

EXPERIMENTS_READ = 10
"""Newest experiments whose runs are read for evaluator scores (each read is the experiment's JSON)."""

PROMPTS_READ = 50
VERSION_KEYS = (
    "harness_version",
    "version",
    "git_sha",
    "revision",
    "revision_id",
    "prompt_version",
    "commit",
)


def _is_failure_taxonomy(config: dict[str, Any]) -> bool:
    labels = {str(v.get("label")).lower() for v in config.get("values") or () if isinstance(v, dict)}
    return config.get("type") == "CATEGORICAL" and len(labels) >= 2 and not labels <= VERDICT_LABELS


def _versions(experiment: dict[str, Any]) -> list[Any]:
    metadata = experiment.get("metadata")
    return [v for k, v in metadata.items() if k in VERSION_KEYS] if isinstance(metadata, dict) else []


def collect_inventory(client: PhoenixClient, project: str) -> Inventory:
    """Datasets, experiments (scores, evaluators, versions, recency), prompts, taxonomies."""
    try:
        return _collect(client)
    except InvalidPageError as exc:
        logger.warning("Phoenix inventory unreadable (%s); project facts unknown", exc)
        return Inventory()


def _collect(client: PhoenixClient) -> Inventory:
    datasets = client.list_all("/v1/datasets")
    experiments: list[dict[str, Any]] = []
    for dataset in datasets:
        experiments.extend(client.list_all(f"/v1/datasets/{dataset['id']}/experiments"))
    experiments.sort(key=lambda e: str(e.get("created_at")), reverse=True)
    scored = 0
    evaluators: set[str] = set()
    for experiment in experiments[:EXPERIMENTS_READ]:
        runs = client.http.request_json("GET", f"/v1/experiments/{experiment['id']}/json")
        names = {
            (a.get("name"), a.get("annotator_kind"))
            for run in runs
            if isinstance(run, dict)
            for a in run.get("annotations") or ()
            if isinstance(a, dict) and (a.get("score") is not None or a.get("label") is not None)
        }
        scored += bool(names)
        evaluators.update(str(name) for name, kind in names if kind in ("CODE", "LLM"))
    prompts = client.list_all("/v1/prompts")
    prompt_versions = sum(
        len(client.list_all(f"/v1/prompts/{p['id']}/versions")) for p in prompts[:PROMPTS_READ]
    )
    configs = client.list_all("/v1/annotation_configs")
    dates = [d for e in experiments if (d := parse_time(e.get("created_at"))) is not None]
    return Inventory(
        datasets=len(datasets),
        dataset_examples=sum(int(d.get("example_count") or 0) for d in datasets),
        experiments=len(experiments),
        scored_experiments=scored,
        last_experiment_at=max(dates) if dates else None,
        automated_evaluators=len(evaluators),
        experiments_with_version=sum(1 for e in experiments if _versions(e)),
        experiment_versions=tuple(sorted({str(v) for e in experiments for v in _versions(e)})),
        prompt_versions=prompt_versions,
        failure_taxonomies=tuple(sorted(c["name"] for c in configs if _is_failure_taxonomy(c))),
        experiment_projects=len({e["project_name"] for e in experiments if e.get("project_name")}),
    )
