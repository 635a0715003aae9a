"""Braintrust project facts beside the spans: org environments, logs retention and prompt versions.

The routes are served by the fake in the shapes braintrust 0.48.1's generated REST client declares
(see ``fake.py``); a route that is missing, refused or answers nonsense leaves its fact unknown.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from tests.connectors.braintrust.fake import (
    FakeBraintrust,
    environment,
    org_automation,
    project_automation,
    prompt_audit_entry,
    retention_config,
    summary,
)
from tests.connectors.braintrust.test_connector import audit, connector
from traceready.report.model import describe_inventory

SCENARIO = "logger_traced_tools"
PROJECT_ID = summary(SCENARIO)["project"]["id"]
OTHER_PROJECT = "0f0f0f0f-1111-5222-8333-444444444444"
PROMPTS = {"objects": [{"id": "p-system", "slug": "system"}, {"id": "p-router", "slug": "router"}]}


def with_prompts(fake: FakeBraintrust) -> FakeBraintrust:
    fake.rest[:0] = [("GET", "/v1/prompt", {}, PROMPTS)]
    return fake


def prompt_queries(fake: FakeBraintrust) -> list[dict[str, Any]]:
    return [b for b in fake.btql_bodies() if b["query"]["from"]["name"]["name"] == ["project_prompts"]]


def test_org_environments_are_listed_in_the_report_inventory() -> None:
    fake = FakeBraintrust(
        SCENARIO,
        environments=[
            environment("production"),
            environment("staging"),
            environment("dev", "Development"),
            environment("qa-old", deleted=True),
        ],
    )
    report = audit(connector(fake, org_name="traceready-local"))
    assert report.inventory.environments == ("production", "staging", "dev")
    assert "environments: production, staging, dev" in (describe_inventory(report.inventory) or "")
    asked = next(r for r in fake.requests if r.url.path == "/environment")
    assert dict(asked.url.params) == {"org_name": "traceready-local"}


def test_an_org_without_environments_is_an_empty_tuple_not_unknown() -> None:
    report = audit(connector(FakeBraintrust(SCENARIO)))
    assert report.inventory.environments == ()
    assert "environments: none" in (describe_inventory(report.inventory) or "")


def test_a_data_plane_without_the_environment_route_leaves_environments_unknown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        report = audit(connector(FakeBraintrust(SCENARIO, environments=None)))
    assert report.inventory.environments is None
    assert report.inventory.experiments == 0  # the other facts are still read
    assert "Braintrust environments unreadable" in caplog.text


def test_the_projects_logs_retention_rule_is_shown() -> None:
    fake = FakeBraintrust(
        SCENARIO,
        project_automations=[
            project_automation(OTHER_PROJECT, retention_config(7)),
            project_automation(PROJECT_ID, retention_config(90, "experiment"), "Experiment retention"),
            project_automation(
                PROJECT_ID, {"event_type": "logs", "btql_filter": "error IS NOT NULL"}, "Errors"
            ),
            project_automation(PROJECT_ID, retention_config(30)),
        ],
        org_automations=[org_automation(retention_config(365))],
    )
    report = audit(connector(fake))
    assert report.inventory.retention_days == 30
    assert "retention days 30" in (describe_inventory(report.inventory) or "")


def test_an_organization_rule_applies_when_the_project_has_none() -> None:
    fake = FakeBraintrust(
        SCENARIO,
        project_automations=[project_automation(OTHER_PROJECT, retention_config(7))],
        org_automations=[org_automation(retention_config(60))],
    )
    assert audit(connector(fake)).inventory.retention_days == 60


def test_without_a_rule_retention_stays_unknown_never_the_plan_default() -> None:
    fake = FakeBraintrust(SCENARIO, org_automations=None)
    report = audit(connector(fake))
    assert report.inventory.retention_days is None
    assert "retention" not in (describe_inventory(report.inventory) or "")


def test_a_rule_on_a_later_page_of_automations_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    import traceready.connectors.braintrust.client as client_module

    monkeypatch.setattr(client_module, "LIST_LIMIT", 2)
    others = [project_automation(OTHER_PROJECT, retention_config(d), f"rule {d}") for d in (1, 2)]
    fake = FakeBraintrust(
        SCENARIO, project_automations=[*others, project_automation(PROJECT_ID, retention_config(45))]
    )
    assert audit(connector(fake)).inventory.retention_days == 45
    pages = [r for r in fake.requests if r.url.path == "/v1/project_automation"]
    assert [r.url.params.get("starting_after") for r in pages] == [None, others[1]["id"]]


def test_unreadable_payloads_leave_the_facts_unknown_and_the_audit_goes_on() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == "/environment":
            return httpx.Response(200, json={"objects": "production"})
        if request.url.path == "/v1/org_automation":
            return httpx.Response(403, json={"error": "no access"})
        return None

    fake = FakeBraintrust(
        SCENARIO,
        fault=fault,
        project_automations=[
            project_automation(PROJECT_ID, retention_config("30")),
            project_automation(PROJECT_ID, retention_config(True), "bool days"),
            {"id": "broken", "project_id": PROJECT_ID, "config": "retention"},
        ],
    )
    report = audit(connector(fake))
    assert (report.inventory.environments, report.inventory.retention_days) == (None, None)
    assert report.counts.spans_mapped == 21


def test_prompt_versions_are_the_upserts_and_merges_of_the_prompts_audit_log() -> None:
    fake = with_prompts(
        FakeBraintrust(
            SCENARIO,
            prompt_audit=[
                prompt_audit_entry("p-system", "1000196000000000001"),
                prompt_audit_entry("p-system", "1000196000000000002"),
                prompt_audit_entry("p-system", "1000196000000000003", "merge"),
                prompt_audit_entry("p-system", "1000196000000000004", "delete"),
                prompt_audit_entry("p-router", "1000196000000000005"),
                prompt_audit_entry("p-router", "1000196000000000005"),  # the same write twice
            ],
        )
    )
    report = audit(connector(fake))
    assert report.inventory.prompt_versions == 4
    (query,) = prompt_queries(fake)
    assert query["audit_log"] is True
    assert query["query"]["from"]["args"] == [{"op": "literal", "value": PROJECT_ID}]


@pytest.fixture
def two_audit_pages_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 2 rows, and at most 2 pages of the prompts' audit log."""
    import traceready.connectors.braintrust.client as client_module
    import traceready.connectors.braintrust.inventory as inventory_module

    monkeypatch.setattr(client_module, "PAGE_LIMIT", 2)
    monkeypatch.setattr(inventory_module, "PAGE_LIMIT", 2)
    monkeypatch.setattr(inventory_module, "PROMPT_AUDIT_PAGES", 2)


@pytest.mark.usefixtures("two_audit_pages_of_two")
def test_prompt_versions_read_a_capped_number_of_pages(caplog: pytest.LogCaptureFixture) -> None:
    writes = [prompt_audit_entry("p-system", str(1000196000000000000 + i)) for i in range(9)]
    fake = with_prompts(FakeBraintrust(SCENARIO, prompt_audit=writes))
    with caplog.at_level(logging.WARNING):
        report = audit(connector(fake))
    assert len(prompt_queries(fake)) == 2
    # 4 writes of p-system read; p-router, listed but not reached, counts once.
    assert report.inventory.prompt_versions == 5
    assert "is a lower bound" in caplog.text


def test_an_unreadable_prompt_audit_log_counts_one_version_per_listed_prompt() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        body = json.loads(request.content) if request.url.path == "/btql" else {}
        if body.get("audit_log"):
            return httpx.Response(400, text="audit_log is not supported")
        return None

    fake = with_prompts(FakeBraintrust(SCENARIO, fault=fault))
    assert audit(connector(fake)).inventory.prompt_versions == 2


def test_a_project_without_prompts_spends_no_btql_request_on_versions() -> None:
    fake = FakeBraintrust(SCENARIO)
    assert audit(connector(fake)).inventory.prompt_versions == 0
    assert prompt_queries(fake) == []


@pytest.mark.usefixtures("two_audit_pages_of_two")
def test_a_short_last_page_at_the_cap_is_a_full_count(caplog: pytest.LogCaptureFixture) -> None:
    writes = [
        prompt_audit_entry(p, str(1000196000000000000 + i))
        for i, p in enumerate(["p-system"] * 2 + ["p-router"])
    ]
    fake = with_prompts(FakeBraintrust(SCENARIO, prompt_audit=writes))
    with caplog.at_level(logging.WARNING):
        report = audit(connector(fake))
    assert report.inventory.prompt_versions == 3
    assert "lower bound" not in caplog.text


def test_org_environments_without_experiments_make_i_partial_with_braintrusts_fix() -> None:
    fake = FakeBraintrust(SCENARIO, environments=[environment("production"), environment("staging")])
    report = audit(connector(fake))
    i = next(f for f in report.findings if f.requirement == "i")
    assert (i.status.value, i.evidence.value, i.gaps) == ("PARTIAL", "inventory", ("i.no_sandbox_evidence",))
    (fix,) = i.recommendations
    assert "org environments only pin prompt versions" in fix.title
    assert 'init_logger(project="my-agent-staging")' in (fix.snippet or "")
