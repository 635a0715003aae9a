"""Project-level facts from Braintrust that production spans cannot show (for f, g, i and j).

All but the prompt versions from REST lists (``GET /v1/<object>?project_id=``), which are not BTQL
and so do not spend the BTQL rate limit:

- experiments (``/v1/experiment``): ``metadata``, ``repo_info.commit``, ``base_exp_id``, ``dataset_id``,
  ``created``. Experiments are separate objects from production logs (rows of ``experiment(<id>)``
  carry ``experiment_id``, log rows ``log_id: "g"``), Braintrust's own separation of offline runs
  from production (i). Scores per experiment from ``/v1/experiment/{id}/summarize?summarize_scores``.
- datasets (``/v1/dataset``) with their record counts (``/v1/dataset/{id}/summarize?summarize_data``).
- automated evaluators: names of scores that experiments recorded (``Eval`` scorers are code or LLM
  functions; human review scores are configured as project scores and excluded), scorer functions
  (``/v1/function``, ``function_type: "scorer"``) and online scoring rules (``/v1/project_score``,
  ``score_type: "online"``, counted only while ``config.online`` is not ``paused`` and names a scorer;
  they are also the ``automation_rules``).
- failure taxonomies: categorical project scores with at least two categories.
- prompt versions: one ``POST /btql`` over ``project_prompts('<project id>')`` with
  ``audit_log: true`` (the query of the SDK's ``get_prompt_versions``, braintrust 0.48.1
  ``logger.py``, sent for the whole project instead of one prompt id): every audit entry whose
  ``audit_data.action`` is ``upsert`` or ``merge`` is a version (``_xact_id``). At most
  ``PROMPT_AUDIT_PAGES`` pages are read (a lower bound beyond, logged). When the audit log cannot be
  read, each listed prompt (``/v1/prompt``) counts as one version, a lower bound too.
- org environments (``GET /environment``, no ``/v1`` prefix; ``{"objects": [{id, org_id, name, slug,
  description, created, deleted_at}]}``, SDK 0.48.1 ``api/_generated/environments.py``): the slugs
  of those not deleted. Braintrust pins prompt versions per environment (``load_prompt(...,
  environment="production")``); environments do not split logs.
- logs retention: a ``retention`` automation (``config: {event_type: "retention", object_type:
  "project_logs", retention_days}``) of this project from ``GET /v1/project_automation`` (the route
  takes no ``project_id`` filter in the spec, so rules are matched on their ``project_id``), else an
  organization rule of the same shape from ``GET /v1/org_automation``. Without either the plan's
  default window applies, which no API shows: ``retention_days`` stays None.

The last three are optional: a route that answers 404 (an older self-hosted data plane), 403 (a
key without access), another 4xx, 5xx after retries, or a body not shaped as above leaves that
fact None (unknown) with a warning, never ends the audit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from traceready.connector import VERDICT_LABELS, Inventory
from traceready.errors import NotFoundError
from traceready.http import optional_fact
from traceready.window import parse_time

from .client import PAGE_LIMIT

if TYPE_CHECKING:
    from .client import BraintrustClient

logger = logging.getLogger(__name__)

T = TypeVar("T")

EXPERIMENTS_READ = 10
"""Newest experiments whose score summaries are read."""
DATASETS_READ = 20
"""Datasets whose record counts are read."""
PROMPT_AUDIT_PAGES = 3
"""Pages (of 1,000 audit entries) of the prompts' audit log read for version counts."""
VERSION_ACTIONS = frozenset({"upsert", "merge"})
"""Audit actions that make a prompt version (the SDK's ``get_prompt_versions``)."""
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
    """Experiments, datasets, evaluators, taxonomies, prompt versions, environments, retention."""
    return optional_fact("Braintrust", "inventory", lambda: _collect(client, project_id), Inventory())


def _collect(client: BraintrustClient, project_id: str) -> Inventory:
    experiments = client.objects("/v1/experiment", project_id=project_id)
    experiments.sort(key=lambda e: str(e.get("created")), reverse=True)
    datasets = client.objects("/v1/dataset", project_id=project_id)
    project_scores = client.objects("/v1/project_score", project_id=project_id)
    functions = client.objects("/v1/function", project_id=project_id)
    prompts = client.objects("/v1/prompt", project_id=project_id)

    human = {str(s.get("name")) for s in project_scores if s.get("score_type") != "online"}
    online = {str(s.get("name")) for s in project_scores if _scoring_online(s)}
    scorers = {str(f.get("name")) for f in functions if f.get("function_type") == "scorer"}
    scored = 0
    evaluators: set[str] = set()
    for experiment in experiments[:EXPERIMENTS_READ]:
        if not isinstance(experiment.get("id"), str):
            continue
        summary = client.get(f"/v1/experiment/{experiment['id']}/summarize", summarize_scores="true")
        names = set(summary.get("scores") or {}) if isinstance(summary, dict) else set()
        scored += bool(names)
        evaluators.update(names - human)
    examples = 0
    for dataset in datasets[:DATASETS_READ]:
        if not isinstance(dataset.get("id"), str):
            continue
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
        automation_rules=len(online),
        experiments_with_version=sum(1 for e in experiments if _versions(e)),
        experiment_versions=tuple(sorted({v for e in experiments for v in _versions(e)})),
        prompt_versions=(
            _optional("prompt versions", lambda: _prompt_versions(client, project_id, prompts), len(prompts))
            if prompts
            else 0  # no prompt, no version: the audit query would spend a BTQL request for nothing
        ),
        failure_taxonomies=taxonomies,
        experiment_projects=len(experiments) or None,
        retention_days=_optional("log retention", lambda: _retention_days(client, project_id), None),
        environments=_optional("environments", lambda: _environments(client), None),
    )


def _scoring_online(score: dict[str, Any]) -> bool:
    """An online scoring rule that runs: not paused, with at least one scorer (``config.online``)."""
    if score.get("score_type") != "online":
        return False
    config = score.get("config")
    rule = config.get("online") if isinstance(config, dict) else None
    return isinstance(rule, dict) and rule.get("status") != "paused" and bool(rule.get("scorers"))


def _optional(what: str, read: Callable[[], T], fallback: T) -> T:
    """An optional fact, or ``fallback`` when its route is missing, refused or answers nonsense."""
    return optional_fact("Braintrust", what, read, fallback)


def _prompt_versions(client: BraintrustClient, project_id: str, prompts: list[dict[str, Any]]) -> int:
    """Versions of the project's prompts: upserts and merges in the prompts' audit log.

    A listed prompt whose writes the pages read did not reach still has one version.
    """
    versions: set[tuple[str, str]] = set()
    odd = 0
    for number, page in enumerate(client.btql_pages("project_prompts", project_id, None, audit_log=True), 1):
        for entry in page:
            if not isinstance(entry, dict):
                odd += 1
                continue
            audit = entry.get("audit_data")
            actions = [audit] if isinstance(audit, dict) else audit if isinstance(audit, list) else []
            if not any(isinstance(a, dict) and a.get("action") in VERSION_ACTIONS for a in actions):
                odd += not actions
                continue
            versions.add((str(entry.get("id")), str(entry.get("_xact_id"))))
        if number == PROMPT_AUDIT_PAGES:
            if len(page) < PAGE_LIMIT:
                break  # a short page is the last one anyway
            logger.warning(
                "Braintrust: read %d pages of the prompts' audit log; %d prompt versions is a lower bound",
                number,
                len(versions),
            )
            break
    if odd:
        logger.warning("Braintrust: %d prompt audit entries without audit_data ignored", odd)
    unseen = {str(p.get("id")) for p in prompts} - {prompt for prompt, _ in versions}
    return len(versions) + len(unseen)


def _environments(client: BraintrustClient) -> tuple[str, ...]:
    """Slugs (else names) of the organization's environments that are not deleted."""
    objects = client.objects("/environment", paged=False)
    names = [
        str(e.get("slug") or e.get("name"))
        for e in objects
        if e.get("deleted_at") is None and isinstance(e.get("slug") or e.get("name"), str)
    ]
    if len(names) < len(objects):
        logger.info("Braintrust: %d environments deleted or unnamed, not listed", len(objects) - len(names))
    return tuple(dict.fromkeys(names))


def _retention(automations: list[dict[str, Any]], project_id: str | None) -> int | None:
    """The logs retention days of the rules (of one project when ``project_id`` is given)."""
    days = [
        config["retention_days"]
        for a in automations
        if project_id is None or a.get("project_id") == project_id
        if isinstance(config := a.get("config"), dict)
        and config.get("event_type") == "retention"
        and config.get("object_type") == "project_logs"
        and isinstance(config.get("retention_days"), int)
        and not isinstance(config.get("retention_days"), bool)
    ]
    return min(days) if days else None


def _retention_days(client: BraintrustClient, project_id: str) -> int | None:
    """This project's logs retention rule, else the organization's; None when neither exists."""
    project = _retention(client.objects("/v1/project_automation", pages=5), project_id)
    if project is not None:
        return project
    try:
        return _retention(client.objects("/v1/org_automation"), None)
    except NotFoundError:
        return None
