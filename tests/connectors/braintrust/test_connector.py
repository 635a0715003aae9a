"""The Braintrust connector on cassettes built from real SDK payloads, and on every failure a user meets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.connectors.braintrust.fake import (
    API,
    APP,
    KEY,
    ROOT,
    FakeBraintrust,
    project_name,
    scenario_rows,
    summary,
)
from traceready.audit import PullStats, Scorer, run_audit, score_spans
from traceready.connectors.braintrust import BraintrustConnector, BraintrustSettings
from traceready.errors import AuthError, NotFoundError, UsageError, VendorUnavailableError
from traceready.findings import Status
from traceready.http import RetryPolicy
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Rejection
from traceready.recommend import load_catalog
from traceready.report.json import render_json
from traceready.report.model import Report
from traceready.window import Window

P, R, A, U = Status.PRESENT, Status.PARTIAL, Status.ABSENT, Status.UNKNOWN
WINDOW = Window(start=datetime(2016, 1, 1, tzinfo=UTC))

# openai_agents (Agents SDK + BraintrustTracingProcessor; decided from its rows before the audit):
#   a: 10 "Response" llm rows with the input items and the output items; b: 5 function rows (tool)
#   for the 5 function_call items, with arguments and output, no call id; c: each llm row's metadata
#   lists the tools offered, and the model calls sit under the agent's task row; d: every row typed,
#   one tree per trace (the root's span_id is the SDK's trace_<32 hex>); e: trace(group_id=...) in
#   the root's metadata, the full history in each turn's input, model and temperature/max tokens;
#   f: harness_version on every root, no score or experiment; g: the one tool failure says only
#   "Error running tool (non-fatal)" (the SDK redacts the exception: no class), ABSENT;
#   h: tokens but no cost; i: no datasets or environments besides production logs; j: nothing.
EXPECTED = {
    #                        a  b  c  d  e  f  g  h  i  j
    "logger_traced_tools": (P, P, P, P, P, R, R, R, U, A),
    "logger_plain_tools":  (P, A, P, P, P, R, U, R, U, A),
    "logger_legacy_ids":   (P, P, P, P, P, R, R, R, U, A),
    "eval_with_dataset":   (P, P, P, P, P, P, U, R, P, P),
    "openai_agents":       (P, P, P, P, P, R, A, R, U, A),
}  # fmt: skip


def connector(fake: FakeBraintrust, **kwargs: Any) -> BraintrustConnector:
    settings = BraintrustSettings(
        api_key=kwargs.pop("api_key", KEY),
        app_url=APP,
        api_url=kwargs.pop("api_url", None),
        org_name=kwargs.pop("org_name", None),
        project=kwargs.pop("project", project_name(fake.scenario)),
    )
    client = httpx.Client(
        transport=httpx.MockTransport(fake.handler), headers={"Authorization": f"Bearer {KEY}"}
    )
    if settings.key() != KEY:
        client.headers["Authorization"] = f"Bearer {settings.key()}" if settings.key() else ""
    return BraintrustConnector(
        settings,
        kwargs.pop("window", WINDOW),
        http=client,
        retry=kwargs.pop("retry", RetryPolicy(attempts=3, max_total=5)),
        sleep=kwargs.pop("sleep", lambda s: None),
        **kwargs,
    )


def audit(conn: BraintrustConnector) -> Report:
    catalog = load_catalog(BraintrustConnector.package_dir() / "recommendations.yaml")
    return run_audit(conn, Mapper(load_mapping("braintrust")), catalog=catalog)


def finding(report: Report, requirement: str):
    return next(f for f in report.findings if f.requirement == requirement)


def ratio(report: Report, metric: str) -> tuple[int, int]:
    found = next(r for f in report.findings for r in f.metrics if r.metric == metric)
    return found.numerator, found.denominator


@pytest.mark.parametrize(("scenario", "expected"), list(EXPECTED.items()), ids=list(EXPECTED))
def test_recorded_project_gets_its_verdicts(scenario: str, expected: tuple[Status, ...]) -> None:
    report = audit(connector(FakeBraintrust(scenario)))
    got = {f.requirement: f.status for f in report.findings}
    assert got == dict(zip("abcdefghij", expected, strict=True))
    logs = summary(scenario)["project_logs"]
    assert report.counts.records_pulled == report.counts.spans_mapped == logs["rows"]
    assert report.counts.records_rejected == 0
    assert report.counts.traces == logs["traces"]
    assert report.target == f"project {project_name(scenario)} at {API}"


def test_only_root_spans_is_the_lowest_readiness_level() -> None:
    # The same project with the agent's steps missing: only each turn's root row was logged.
    fake = FakeBraintrust("logger_traced_tools")
    fake.rows = [r for r in fake.rows if r["is_root"]]
    report = audit(connector(fake))
    got = {f.requirement: f.status for f in report.findings}
    assert (got["a"], got["b"], got["c"], got["e"], got["h"]) == (A, U, A, A, A)
    assert "a.no_llm_spans" in finding(report, "a").gaps


def test_wrapper_limits_show_as_precise_gaps_with_braintrust_fixes() -> None:
    plain = audit(connector(FakeBraintrust("logger_plain_tools")))
    traced = audit(connector(FakeBraintrust("logger_traced_tools")))
    assert ratio(plain, "b.requested_calls_with_span") == (0, 5)
    assert ratio(traced, "b.tool_spans_with_call_id") == (0, 5)
    assert ratio(traced, "h.llm_spans_with_cost") == (0, 10)
    assert ratio(traced, "h.priceable_llm_spans_with_cost") == (0, 10)
    fixes = {r.gap: r for f in (*plain.findings, *traced.findings) for r in f.recommendations}
    assert '@traced(type="tool")' in fixes["b.tool_spans_missing"].title
    assert "tool_call_id" in (fixes["b.tool_call_id_missing"].snippet or "")
    # One fix for the one cost gap: pricing the answering model also closes h.cost_missing.
    assert "h.cost_missing" not in fixes
    assert "estimated_cost" in fixes["h.cost_unpriced"].title
    assert "requested model only" in fixes["h.cost_unpriced"].title
    assert all(r.doc_url.startswith("https://www.braintrust.dev/docs/") for r in fixes.values())


def test_eval_project_inventory_counts_experiments_datasets_and_scorers() -> None:
    report = audit(connector(FakeBraintrust("eval_with_dataset")))
    inventory = report.inventory
    assert (inventory.datasets, inventory.dataset_examples, inventory.experiments) == (1, 3, 2)
    assert (inventory.scored_experiments, inventory.automated_evaluators) == (2, 3)
    assert "travel-agent@1.4.0" in inventory.experiment_versions
    assert inventory.experiment_projects == 2
    # f links the production traces' harness_version to the candidate experiment that names it.
    assert ratio(report, "f.versioned_traces_with_scores") == (2, 2)
    assert finding(report, "i").evidence.value == "inventory"


def test_window_filter_sort_page_size_and_key_are_sent() -> None:
    fake = FakeBraintrust("logger_traced_tools")
    since = datetime.now(UTC) - timedelta(days=7)
    conn = connector(fake, window=Window(start=since), org_name="traceready-local")
    list(conn.iter_records())
    roots = fake.btql_bodies()[0]
    assert roots["fmt"] == "json"
    query = roots["query"]
    assert query["from"] == {
        "op": "function",
        "name": {"op": "ident", "name": ["project_logs"]},
        "args": [{"op": "literal", "value": summary("logger_traced_tools")["project"]["id"]}],
    }
    assert query["filter"]["children"] == [
        {"op": "eq", "left": {"op": "ident", "name": ["is_root"]}, "right": {"op": "literal", "value": True}},
        {
            "op": "ge",
            "left": {"op": "ident", "name": ["created"]},
            "right": {"op": "literal", "value": since.isoformat()},
        },
    ]
    assert (query["limit"], query["cursor"]) == (1000, None)
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in fake.requests)
    assert all(r.url.params.get("org_name") == "traceready-local" for r in fake.requests if r.method == "GET")


def test_pages_are_followed_by_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    import traceready.connectors.braintrust.client as client_module

    monkeypatch.setattr(client_module, "PAGE_LIMIT", 4)
    fake = FakeBraintrust("logger_traced_tools")
    records = [r for r in connector(fake).iter_records() if isinstance(r, dict)]
    assert len(records) == 21
    cursors = [b["query"]["cursor"] for b in fake.btql_bodies()]
    # 6 roots: a full page and a short one; 21 spans: five full pages and a short one. A short page
    # ends its chain, so no request is spent on an empty page.
    assert [c is None for c in cursors] == [True, False, True, False, False, False, False, False]
    assert all(b["query"]["limit"] == 4 for b in fake.btql_bodies())


def test_only_the_latest_xact_id_of_each_row_is_kept() -> None:
    superseded = json.loads((ROOT / "logger_traced_tools" / "superseded_versions.json").read_text())["rows"]
    report = audit(connector(FakeBraintrust("logger_traced_tools", extra_rows=superseded)))
    assert report.counts.rejections == {"superseded_version": 14}
    assert report.counts.spans_mapped == 21
    assert report.counts.records_pulled == 21 + 14
    # The older versions lack the output and end time the later write added.
    assert finding(report, "a").status is P
    assert ratio(report, "h.spans_with_latency") == (21, 21)


def test_legacy_uuid_ids_and_hex_ids_both_resolve() -> None:
    legacy = audit(connector(FakeBraintrust("logger_legacy_ids")))
    assert ratio(legacy, "d.parent_links_resolved") == (4, 4)
    assert ratio(legacy, "d.spans_with_standard_ids") == (6, 6)
    fake = FakeBraintrust("logger_legacy_ids")
    fake.rows[0] = dict(fake.rows[0], span_id="span-one")
    odd = audit(connector(fake))
    assert odd.counts.data_quality == {"nonstandard_id": 1}


def test_limit_keeps_the_newest_traces() -> None:
    fake = FakeBraintrust("logger_traced_tools")
    records = [r for r in connector(fake, limit=2).iter_records() if isinstance(r, dict)]
    roots = sorted((r for r in fake.rows if r["is_root"]), key=lambda r: r["_pagination_key"], reverse=True)
    assert {r["root_span_id"] for r in records} == {roots[0]["root_span_id"], roots[1]["root_span_id"]}


def test_sample_draws_uniformly_and_reports_the_population() -> None:
    report = audit(connector(FakeBraintrust("logger_traced_tools"), sample=3, seed=1))
    assert report.sample is not None
    assert (report.sample.traces_drawn, report.sample.traces_in_window) == (3, 6)
    assert report.counts.traces == 3
    assert all(r.interval is not None for f in report.findings for r in f.metrics if r.applies)


def test_login_finds_the_organizations_data_plane() -> None:
    fake = FakeBraintrust("logger_traced_tools", org_api_url="http://eu-plane.test")
    conn = connector(fake)
    list(conn.iter_records())
    login = fake.requests[0]
    assert (login.method, str(login.url)) == ("POST", f"{APP}/api/apikey/login")
    assert {r.url.host for r in fake.requests[1:]} == {"eu-plane.test"}
    assert conn.describe_target() == "project travel-agent-traced-tools at http://eu-plane.test"


@pytest.mark.parametrize(
    ("api_url", "host"),
    [
        ("eu", "api-eu.braintrust.dev"),
        ("us", "api.braintrust.dev"),
        ("https://bt.corp.test/", "bt.corp.test"),
    ],
)
def test_a_given_data_plane_skips_login(api_url: str, host: str) -> None:
    fake = FakeBraintrust("logger_traced_tools")
    conn = connector(fake, api_url=api_url)
    conn.client.http.client.base_url = httpx.URL(conn.api_url or "")
    list(conn.iter_records())
    assert all(r.url.host == host for r in fake.requests)
    assert not any(r.url.path == "/api/apikey/login" for r in fake.requests)


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_is_an_auth_error_naming_the_variable_not_the_key(status: int) -> None:
    fake = FakeBraintrust("logger_traced_tools", fault=lambda r, n: httpx.Response(status))
    with pytest.raises(AuthError) as caught:
        list(connector(fake).iter_records())
    assert caught.value.exit_code == 3
    assert (
        caught.value.one_line() == f"Braintrust rejected the credentials ({status}) (set BRAINTRUST_API_KEY)"
    )
    assert KEY not in caught.value.one_line()


@pytest.mark.parametrize("key", [None, "", "  "])
def test_missing_key_is_an_auth_error_before_any_request(key: str | None) -> None:
    fake = FakeBraintrust("logger_traced_tools")
    with pytest.raises(AuthError) as caught:
        list(connector(fake, api_key=key).iter_records())
    assert caught.value.one_line() == "no Braintrust API key (set BRAINTRUST_API_KEY)"
    assert fake.requests == []


def test_unknown_project_lists_close_names() -> None:
    fake = FakeBraintrust("logger_traced_tools")
    with pytest.raises(NotFoundError) as caught:
        list(connector(fake, project="travel-agent-traced-tool").iter_records())
    assert caught.value.exit_code == 4
    assert caught.value.one_line() == (
        "Braintrust has no project 'travel-agent-traced-tool' (did you mean travel-agent-traced-tools?)"
    )


def test_no_project_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        BraintrustConnector(BraintrustSettings(api_key=KEY), WINDOW)


def test_btql_429_waits_the_retry_after_and_reports_the_wait() -> None:
    waits: list[float] = []
    notices: list[tuple[float, str]] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == "/btql" and n in (4, 5):
            return httpx.Response(429, headers={"retry-after": "20"})
        return None

    conn = connector(
        FakeBraintrust("logger_traced_tools", fault=fault),
        sleep=waits.append,
        on_wait=lambda delay, reason: notices.append((delay, reason)),
        retry=RetryPolicy(attempts=4, max_delay=60, max_total=120),
    )
    records = list(conn.iter_records())
    assert waits == [20.0, 20.0]
    assert notices == [(20.0, "429"), (20.0, "429")]
    assert sum(isinstance(r, dict) for r in records) == 21


def test_5xx_retries_are_bounded_then_exit_5_with_spans_pulled() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        return httpx.Response(503) if request.url.path == "/btql" else None

    fake = FakeBraintrust("logger_traced_tools", fault=fault)
    with pytest.raises(VendorUnavailableError) as caught:
        list(connector(fake).iter_records())
    assert caught.value.exit_code == 5
    assert "Braintrust kept answering 503 after 3 attempts; 0 spans had been pulled" in caught.value.message
    assert len(fake.btql_bodies()) == 3


def test_network_failure_mid_pull_is_exit_5_with_spans_pulled() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == "/btql" and n > 5:
            raise httpx.ConnectError("connection refused")
        return None

    import traceready.connectors.braintrust as module

    original = module.TRACES_PER_BATCH
    module.TRACES_PER_BATCH = 2
    try:
        with pytest.raises(VendorUnavailableError) as caught:
            list(connector(FakeBraintrust("logger_traced_tools", fault=fault)).iter_records())
    finally:
        module.TRACES_PER_BATCH = original
    assert "Braintrust is unreachable at http://api.braintrust.test (ConnectError)" in caught.value.message
    assert caught.value.message.endswith("spans had been pulled")


def test_invalid_json_page_is_counted_and_the_rest_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import traceready.connectors.braintrust as module

    monkeypatch.setattr(module, "TRACES_PER_BATCH", 2)
    broken: list[int] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        body = json.loads(request.content) if request.url.path == "/btql" else {}
        if body.get("query", {}).get("filter", {}).get("op") == "or" and not broken:
            broken.append(n)
            return httpx.Response(200, text='{"data": [{"trunc')
        return None

    stats = PullStats()
    conn = connector(FakeBraintrust("logger_traced_tools", fault=fault))
    score_spans(conn.iter_records(), Mapper(load_mapping("braintrust")), Scorer(), stats)
    assert stats.rejections == {"invalid_page": 2}
    assert stats.pulled == stats.mapped + 2
    assert 0 < stats.mapped < 21


def test_a_repeated_cursor_stops_instead_of_looping(monkeypatch: pytest.MonkeyPatch) -> None:
    import traceready.connectors.braintrust.client as client_module

    monkeypatch.setattr(client_module, "PAGE_LIMIT", 4)
    fake = FakeBraintrust("logger_traced_tools")
    original = fake.btql

    def stuck(body: dict[str, Any]) -> httpx.Response:
        # The server hands out the same cursor for ever, and answers it with the first page again.
        body["query"]["cursor"] = None
        page = original(body)
        data = json.loads(page.content)
        return httpx.Response(200, json={"data": data["data"], "cursor": "same" if data["data"] else None})

    fake.btql = stuck  # type: ignore[method-assign]
    records = list(connector(fake).iter_records())
    # Roots: the first page twice, then stop (4 traces); their spans: the first page twice, then stop.
    assert len(fake.btql_bodies()) == 4
    assert sum(isinstance(r, dict) for r in records) == 4
    assert [r.reason for r in records if isinstance(r, Rejection)] == ["duplicate_row"] * 4


def test_parent_repeating_its_childrens_tokens_is_flagged() -> None:
    fake = FakeBraintrust("logger_traced_tools")
    rows = fake.rows
    trace = next(r["root_span_id"] for r in rows if r["is_root"])
    children = [r for r in rows if r["root_span_id"] == trace and r["span_attributes"]["type"] == "llm"]
    root = next(r for r in rows if r["root_span_id"] == trace and r["is_root"])
    totals: dict[str, float] = {
        k: sum(c["metrics"][k] for c in children) for k in ("prompt_tokens", "completion_tokens", "tokens")
    }
    rows[rows.index(root)] = dict(root, metrics={**root["metrics"], **totals})
    report = audit(connector(fake))
    assert ratio(report, "h.traces_without_double_counting") == (5, 6)
    h = finding(report, "h")
    assert "h.tokens_double_counted" in h.gaps


def test_cost_the_app_logged_is_read_per_llm_span() -> None:
    fake = FakeBraintrust("logger_traced_tools")
    fake.rows = [
        dict(r, metrics={**r["metrics"], "estimated_cost": 0.0001})
        if r["span_attributes"]["type"] == "llm"
        else r
        for r in fake.rows
    ]
    report = audit(connector(fake))
    assert ratio(report, "h.llm_spans_with_cost") == (10, 10)
    assert "h.cost_missing" not in finding(report, "h").gaps


def test_cost_the_openrouter_integration_logs_is_read_per_llm_span() -> None:
    # braintrust 0.48.1 integrations/openrouter/tracing.py copies OpenRouter's usage.cost into
    # metrics.cost (and cost_details into metrics.cost_*); only the app's own spans carry a cost.
    fake = FakeBraintrust("logger_traced_tools")
    llm = [r for r in fake.rows if r["span_attributes"]["type"] == "llm"]
    priced = {r["id"] for r in llm[:4]}
    fake.rows = [
        dict(r, metrics={**r["metrics"], "cost": 0.00042, "cost_upstream_inference_cost": 0.0004})
        if r["id"] in priced
        else r
        for r in fake.rows
    ]
    report = audit(connector(fake))
    assert ratio(report, "h.llm_spans_with_cost") == (4, 10)
    assert "h.cost_missing" in finding(report, "h").gaps


def test_reports_carry_no_prompt_content_nor_key() -> None:
    text = render_json(audit(connector(FakeBraintrust("logger_traced_tools"))))
    assert "Lisbon" not in text and "Paris" not in text
    assert KEY not in text


def test_settings_come_from_braintrust_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAINTRUST_API_KEY", "sk-bt-123")
    monkeypatch.setenv("BRAINTRUST_API_URL", "EU")
    monkeypatch.setenv("BRAINTRUST_APP_URL", "https://bt.example.test/")
    monkeypatch.setenv("BRAINTRUST_ORG_NAME", "acme")
    monkeypatch.setenv("BRAINTRUST_PROJECT", "agent")
    settings = BraintrustSettings()
    assert settings.data_plane() == "https://api-eu.braintrust.dev"
    assert settings.control_plane() == "https://bt.example.test"
    assert (settings.org_name, settings.project, settings.key()) == ("acme", "agent", "sk-bt-123")
    assert "sk-bt-123" not in repr(settings)


def test_every_row_of_every_scenario_maps() -> None:
    mapper = Mapper(load_mapping("braintrust"))
    for scenario in EXPECTED:
        for row in scenario_rows(scenario):
            span = mapper.map_record(row)
            assert not hasattr(span, "reason"), (scenario, span)


def test_a_read_page_leaves_no_cyclic_garbage_behind() -> None:
    # Scoring relaxes the cyclic GC; a page body kept alive by httpx's response cycle would make
    # memory grow with every page instead of staying bounded.
    import gc

    from traceready.http import VendorClient

    fake = FakeBraintrust("logger_traced_tools")
    client = httpx.Client(
        base_url=API, transport=httpx.MockTransport(fake.handler), headers={"Authorization": f"Bearer {KEY}"}
    )
    http = VendorClient(client, vendor="Braintrust", key_variable="BRAINTRUST_API_KEY")
    gc.collect()
    gc.disable()
    try:
        http.request_json("GET", "/v1/project")
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_online_rules_scorer_functions_and_categorical_scores_reach_the_inventory() -> None:
    fake = FakeBraintrust("logger_traced_tools")
    project_scores = {
        "objects": [
            {"name": "failure_type", "score_type": "categorical",
             "categories": [{"name": "timeout", "value": 0}, {"name": "wrong_tool", "value": 0.5}]},
            {"name": "thumbs", "score_type": "categorical", "categories": ["good", "bad"]},
            {"name": "helpfulness-online", "score_type": "online",
             "config": {"online": {"sampling_rate": 0.1,
                                   "scorers": [{"type": "global", "name": "Helpful"}]}}},
            {"name": "paused-online", "score_type": "online",
             "config": {"online": {"sampling_rate": 1, "status": "paused",
                                   "scorers": [{"type": "global", "name": "Factuality"}]}}},
            {"name": "empty-online", "score_type": "online",
             "config": {"online": {"sampling_rate": 1, "scorers": []}}},
        ]
    }  # fmt: skip
    functions = {"objects": [{"name": "Factuality", "function_type": "scorer"}, {"name": "tool-x"}]}
    prompts = {"objects": [{"id": "p-system", "name": "system", "slug": "system"}]}
    fake.rest[:0] = [
        ("GET", "/v1/project_score", {}, project_scores),
        ("GET", "/v1/function", {}, functions),
        ("GET", "/v1/prompt", {}, prompts),
    ]
    report = audit(connector(fake))
    inventory = report.inventory
    assert inventory.failure_taxonomies == ("failure_type",)
    assert inventory.automated_evaluators == 2  # the running online rule and the scorer function
    assert inventory.automation_rules == 1  # a paused rule, or one without scorers, evaluates nothing
    assert inventory.prompt_versions == 1
    failures = finding(report, "g")
    assert "g.no_failure_taxonomy" not in failures.gaps


def test_openai_agents_under_braintrusts_processor_is_named_and_read_by_its_conventions() -> None:
    report = audit(connector(FakeBraintrust("openai_agents")))
    (found,) = report.instrumentations
    assert (found.scope, found.family, found.framework, found.sdk, found.spans) == (
        "braintrust:openai-agents-auto",
        "openai-agents",
        "openai-agents",
        "braintrust.sdk.python 0.48.1",
        43,
    )
    # trace(group_id=session) is the session; the SDK's trace_<hex> root ids are its own standard.
    assert ratio(report, "e.traces_with_session_id") == (6, 6)
    assert ratio(report, "d.spans_with_standard_ids") == (43, 43)
    # The Responses call's echoed temperature and max_output_tokens are its parameters.
    assert ratio(report, "e.llm_spans_with_model_and_params") == (10, 10)


def test_openai_agents_limits_get_fixes_for_the_agents_sdk() -> None:
    report = audit(connector(FakeBraintrust("openai_agents")))
    failures = finding(report, "g")
    assert failures.reason.startswith(
        "Core criterion unmet: 0 of 1 failed steps with an error type or failure finish reason"
    )
    fixes = {r.gap: r for f in report.findings for r in f.recommendations}
    assert "failure_error_function" in (fixes["g.failure_type_missing"].snippet or "")
    assert "ctx.tool_call_id" in (fixes["b.tool_call_id_missing"].snippet or "")
    assert "no seed" in fixes["e.seed_missing"].title
    # The wrap_openai rows of another project keep the wrappers' fixes.
    traced = audit(connector(FakeBraintrust("logger_traced_tools")))
    plain_fixes = {r.gap: r for f in traced.findings for r in f.recommendations}
    assert "@traced" in plain_fixes["b.tool_call_id_missing"].title
    assert [i.scope for i in traced.instrumentations] == [
        "braintrust:braintrust-python-logger",
        "braintrust:openai-auto",
    ]


def test_an_id_that_only_looks_like_the_agents_sdks_is_still_nonstandard() -> None:
    fake = FakeBraintrust("openai_agents")
    trace = fake.rows[0]["root_span_id"]
    for row in fake.rows:
        if row["root_span_id"] == trace:
            row["root_span_id"] = trace.replace("trace_", "trace-")
            if row["span_id"] == trace:
                row["span_id"] = row["root_span_id"]
            row["span_parents"] = [p.replace("trace_", "trace-") for p in row["span_parents"] or []] or None
    spans = sum(1 for r in fake.rows if r["root_span_id"] == trace.replace("trace_", "trace-"))
    assert ratio(audit(connector(fake)), "d.spans_with_standard_ids") == (43 - spans, 43)
