"""Project-level facts from Phoenix that spans cannot show (for f, g, i and j).

Verified on Phoenix 20.26.1: ``GET /v1/datasets`` items carry ``example_count``; experiments
(``GET /v1/datasets/{id}/experiments``) carry ``metadata``, ``project_name`` (each experiment runs in
its own ``Experiment-…`` project, Phoenix's separation of experiments from production) and
``successful_run_count``; evaluator results are only in ``GET /v1/experiments/{id}/json``
(``annotations`` per run, ``annotator_kind`` CODE/LLM/HUMAN). Phoenix ships a ``user_feedback``
categorical config (positive/negative) that is not a failure taxonomy. Retention has no REST read.
"""

from __future__ import annotations

from typing import Any

from traceready.connector import VERDICT_LABELS, Inventory
from traceready.http import optional_fact
from traceready.window import parse_time

from .client import PhoenixClient

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
    """Datasets, experiments (scores, evaluators, versions, recency), prompts, taxonomies.

    Each fact is read on its own: a route this server does not serve (an older Phoenix without
    ``/v1/prompts`` answers 404), may not be read with this key (403), or answers junk leaves that
    fact unknown with one warning line, and the rest of the inventory is still read.
    """
    datasets = optional_fact("Phoenix", "datasets", lambda: client.list_all("/v1/datasets"), None)
    experiments = (
        None
        if datasets is None
        else optional_fact("Phoenix", "experiments", lambda: _experiments(client, datasets), None)
    )
    scores = (
        None
        if experiments is None
        else optional_fact("Phoenix", "experiment runs", lambda: _scores(client, experiments), None)
    )
    prompt_versions = optional_fact("Phoenix", "prompts", lambda: _prompt_versions(client), None)
    configs = optional_fact(
        "Phoenix", "annotation configs", lambda: client.list_all("/v1/annotation_configs"), None
    )
    known = experiments or []
    dates = [d for e in known if (d := parse_time(e.get("created_at"))) is not None]
    return Inventory(
        datasets=None if datasets is None else len(datasets),
        dataset_examples=None if datasets is None else sum(_count(d.get("example_count")) for d in datasets),
        experiments=None if experiments is None else len(experiments),
        scored_experiments=None if scores is None else scores[0],
        last_experiment_at=max(dates) if dates else None,
        automated_evaluators=None if scores is None else scores[1],
        experiments_with_version=None if experiments is None else sum(1 for e in known if _versions(e)),
        experiment_versions=tuple(sorted({str(v) for e in known for v in _versions(e)})),
        prompt_versions=prompt_versions,
        failure_taxonomies=(
            None
            if configs is None
            else tuple(sorted(str(c.get("name")) for c in configs if _is_failure_taxonomy(c)))
        ),
        experiment_projects=(
            None if experiments is None else len({e["project_name"] for e in known if e.get("project_name")})
        ),
    )


def _count(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _experiments(client: PhoenixClient, datasets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every experiment of every dataset, newest first."""
    experiments: list[dict[str, Any]] = []
    for dataset in datasets:
        if isinstance(dataset.get("id"), str):
            experiments.extend(client.list_all(f"/v1/datasets/{dataset['id']}/experiments"))
    experiments.sort(key=lambda e: str(e.get("created_at")), reverse=True)
    return experiments


def _scores(client: PhoenixClient, experiments: list[dict[str, Any]]) -> tuple[int, int]:
    """(experiments with scored runs, automated evaluators) over the newest experiments."""
    scored = 0
    evaluators: set[str] = set()
    for experiment in experiments[:EXPERIMENTS_READ]:
        if not isinstance(experiment.get("id"), str):
            continue
        runs = client.http.request_json("GET", f"/v1/experiments/{experiment['id']}/json")
        names = {
            (a.get("name"), a.get("annotator_kind"))
            for run in (runs if isinstance(runs, list) else ())
            if isinstance(run, dict)
            for a in run.get("annotations") or ()
            if isinstance(a, dict) and (a.get("score") is not None or a.get("label") is not None)
        }
        scored += bool(names)
        evaluators.update(str(name) for name, kind in names if kind in ("CODE", "LLM"))
    return scored, len(evaluators)


def _prompt_versions(client: PhoenixClient) -> int:
    prompts = client.list_all("/v1/prompts")
    return sum(
        len(client.list_all(f"/v1/prompts/{p['id']}/versions"))
        for p in prompts[:PROMPTS_READ]
        if isinstance(p.get("id"), str)
    )
