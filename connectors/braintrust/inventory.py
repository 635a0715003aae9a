"""Project-level facts from Braintrust that production spans cannot show (for f, g, i and j).

All from REST lists of one project (``GET /v1/<object>?project_id=``), which are not BTQL and so do
not spend the BTQL rate limit:

- experiments (``/v1/experiment``): ``metadata``, ``repo_info.commit``, ``base_exp_id``, ``dataset_id``,
  ``created``. Experiments are separate objects from production logs (rows of ``experiment(<id>)``
  carry ``experiment_id``, log rows ``log_id: "g"``), Braintrust's own separation of offline runs
  from production (i). Scores per experiment from ``/v1/experiment/{id}/summarize?summarize_scores``.
- datasets (``/v1/dataset``) with their record counts (``/v1/dataset/{id}/summarize?summarize_data``).
- automated evaluators: names of scores that experiments recorded (``Eval`` scorers are code or LLM
  functions; human review scores are configured as project scores and excluded), scorer functions
  (``/v1/function``, ``function_type: "scorer"``) and online scoring rules (``/v1/project_score``,
  ``score_type: "online"``).
- failure taxonomies: categorical project scores with at least two categories.
- prompts (``/v1/prompt``): one version each is visible here; older versions live in the prompt
  audit log, which only BTQL reads, so they are not counted.

Retention and org environments are not read: no REST call shows a project's retention.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from traceready.connector import VERDICT_LABELS, Inventory
from traceready.errors import NotFoundError
from traceready.http import InvalidPageError
from traceready.window import parse_time

if TYPE_CHECKING:
    from .client import BraintrustClient

logger = logging.getLogger(__name__)

EXPERIMENTS_READ = 10
"""Newest experiments whose score summaries are read."""
DATASETS_READ = 20
"""Datasets whose record counts are read."""
VERSION_KEYS = ("harness_version", "agent_version", "version", "git_sha", "prompt_version", "commit")


def _versions(experiment: dict[str, Any]) -> list[str]:
    metadata = experiment.get("metadata")
    found = [str(v) for k, v in metadata.items() if k in VERSION_KEYS] if isinstance(metadata, dict) else []
    repo = experiment.get("repo_info")
    if isinstance(repo, dict) and isinstance(repo.get("commit"), str):
        found.append(repo["commit"])
    return found


def _categories(score: dict[str, Any]) -> set[str]:
    categories = score.get("categories")
    if isinstance(categories, dict):
        return {str(name).lower() for name in categories}
    if isinstance(categories, list):
        return {str(c.get("name") if isinstance(c, dict) else c).lower() for c in categories if c is not None}
    return set()


def collect_inventory(client: BraintrustClient, project_id: str) -> Inventory:
    """Experiments (scores, versions, recency), datasets, evaluators, taxonomies, prompts."""
    try:
        return _collect(client, project_id)
    except (InvalidPageError, NotFoundError) as exc:
        logger.warning("Braintrust inventory unreadable (%s); project facts unknown", exc)
        return Inventory()


def _collect(client: BraintrustClient, project_id: str) -> Inventory:
    experiments = client.objects("/v1/experiment", project_id=project_id)
    experiments.sort(key=lambda e: str(e.get("created")), reverse=True)
    datasets = client.objects("/v1/dataset", project_id=project_id)
    project_scores = client.objects("/v1/project_score", project_id=project_id)
    functions = client.objects("/v1/function", project_id=project_id)
    prompts = client.objects("/v1/prompt", project_id=project_id)

    human = {str(s.get("name")) for s in project_scores if s.get("score_type") != "online"}
    online = {str(s.get("name")) for s in project_scores if s.get("score_type") == "online"}
    scorers = {str(f.get("name")) for f in functions if f.get("function_type") == "scorer"}
    scored = 0
    evaluators: set[str] = set()
    for experiment in experiments[:EXPERIMENTS_READ]:
        summary = client.get(f"/v1/experiment/{experiment['id']}/summarize", summarize_scores="true")
        names = set(summary.get("scores") or {}) if isinstance(summary, dict) else set()
        scored += bool(names)
        evaluators.update(names - human)
    examples = 0
    for dataset in datasets[:DATASETS_READ]:
        summary = client.get(f"/v1/dataset/{dataset['id']}/summarize", summarize_data="true")
        data = summary.get("data_summary") if isinstance(summary, dict) else None
        total = data.get("total_records") if isinstance(data, dict) else None
        examples += int(total) if isinstance(total, int | float) else 0
    taxonomies = tuple(
        sorted(
            str(s.get("name"))
            for s in project_scores
            if s.get("score_type") == "categorical"
            and len(cats := _categories(s)) >= 2
            and not cats <= VERDICT_LABELS
        )
    )
    dates = [d for e in experiments if (d := parse_time(e.get("created"))) is not None]
    return Inventory(
        datasets=len(datasets),
        dataset_examples=examples,
        experiments=len(experiments),
        scored_experiments=scored,
        last_experiment_at=max(dates) if dates else None,
        automated_evaluators=len(evaluators | scorers | online),
        experiments_with_version=sum(1 for e in experiments if _versions(e)),
        experiment_versions=tuple(sorted({v for e in experiments for v in _versions(e)})),
        prompt_versions=len(prompts),
        failure_taxonomies=taxonomies,
        experiment_projects=len(experiments) or None,
    )
