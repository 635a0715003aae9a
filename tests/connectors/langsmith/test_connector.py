"""The LangSmith connector on every failure a user can meet, and its settings and run shaping.

A fake LangSmith behind ``httpx.MockTransport`` answers from the cassettes with the replay server's
own query code (``fake.py``), with a fault hook per request.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from click.testing import CliRunner

from tests.connectors.faults import Fault, with_fault
from tests.connectors.langsmith import fake
from tests.connectors.langsmith.conftest import LANGSMITH, SINCE, project
from tests.connectors.langsmith.replay import DEFAULT_NOW, ReplayServer, load_workspace
from traceready.audit import PullStats, Scorer, score_spans
from traceready.cli import app
from traceready.connectors.langsmith import LangSmithConnector, LangSmithSettings
from traceready.connectors.langsmith.shape import HIDDEN, shape_run
from traceready.errors import AuthError, NotFoundError, UsageError, VendorUnavailableError
from traceready.http import RetryPolicy
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Rejection, SpanKind, StatusCode
from traceready.window import Window

BASE = "http://langsmith.test"
WINDOW = Window(start=datetime(2026, 11, 13, 9, tzinfo=UTC))
KEY = "ls-secret-key-123"
INFO = json.loads((LANGSMITH / "info.json").read_text())
WORKSPACE = load_workspace(LANGSMITH / "traceable_full")
STORE = WORKSPACE["stores"][WORKSPACE["main"]]


def fake_langsmith(fault: Fault, backend: str = "v1") -> Callable[[httpx.Request], httpx.Response]:
    """traceable_full's project as LangSmith serves it, with a fault hook (request, call number)."""

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/info":
            return httpx.Response(200, json=INFO[backend][0]["response"]["body"])
        if path == "/sessions":
            names = request.url.params.get_list("name")
            if names and names != [STORE["project_name"]]:
                return httpx.Response(200, json=[])
            return httpx.Response(200, json=fake.sessions_response(STORE, include_stats=False))
        if path == "/runs/query":
            return httpx.Response(200, json=fake.query_v1(STORE, json.loads(request.content)))
        if path == "/api/v2/runs/query":
            return httpx.Response(200, json=fake.query_v2(STORE, json.loads(request.content), DEFAULT_NOW))
        if path == "/datasets":
            return httpx.Response(200, json=[])
        return httpx.Response(404, json={"detail": "Not Found"})

    return with_fault(fault, answer)


def connector(handler: Callable[[httpx.Request], httpx.Response], **kwargs) -> LangSmithConnector:
    settings = LangSmithSettings(endpoint=BASE, project=STORE["project_name"], api_key=KEY)
    client = httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler), headers=settings.headers())
    return LangSmithConnector(
        settings,
        WINDOW,
        http=client,
        retry=RetryPolicy(attempts=3, max_total=5),
        sleep=kwargs.pop("sleep", lambda s: None),
        **kwargs,
    )


def pulled(conn: LangSmithConnector) -> list[dict]:
    return [r for r in conn.iter_records() if isinstance(r, dict)]


@pytest.mark.parametrize("backend", ["v1", "v2"])
def test_info_chooses_the_query_api(backend: str) -> None:
    seen: list[str] = []
    conn = connector(fake_langsmith(lambda r, n: seen.append(r.url.path), backend))  # type: ignore[func-returns-value]
    assert len(pulled(conn)) == 21
    assert conn.api == backend
    expected = "/api/v2/runs/query" if backend == "v2" else "/runs/query"
    assert {p for p in seen if p.endswith("/runs/query")} == {expected}


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_is_an_auth_error_naming_the_variable_not_the_key(status: int) -> None:
    conn = connector(fake_langsmith(lambda r, n: httpx.Response(status, json={"detail": "Invalid token"})))
    with pytest.raises(AuthError) as caught:
        list(conn.iter_records())
    assert caught.value.one_line() == f"LangSmith rejected the credentials ({status}) (set LANGSMITH_API_KEY)"
    assert caught.value.exit_code == 3
    assert KEY not in caught.value.one_line()


def test_org_scoped_key_without_workspace_names_the_workspace_variable() -> None:
    body = {"error": "org_scoped_key_requires_workspace"}
    conn = connector(fake_langsmith(lambda r, n: httpx.Response(403, json=body)))
    with pytest.raises(AuthError) as caught:
        list(conn.iter_records())
    assert caught.value.one_line() == (
        "LangSmith: this API key is org-scoped and needs a workspace (403) "
        "(set LANGSMITH_WORKSPACE_ID to the workspace id)"
    )


def test_unknown_project_lists_close_names() -> None:
    conn = connector(fake_langsmith(lambda r, n: None))
    conn.project = "travel-agent-traceable-ful"
    with pytest.raises(NotFoundError) as caught:
        list(conn.iter_records())
    assert caught.value.one_line() == (
        "LangSmith has no project 'travel-agent-traceable-ful' (did you mean travel-agent-traceable-full?)"
    )
    assert caught.value.exit_code == 4


def test_429_with_retry_after_is_retried_after_the_asked_delay() -> None:
    waits: list[float] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == "/runs/query" and n in (3, 4):
            return httpx.Response(429, headers={"retry-after": "2"}, json={"detail": "Rate limit exceeded."})
        return None

    conn = connector(fake_langsmith(fault), sleep=waits.append)
    assert len(pulled(conn)) == 21
    assert waits == [2.0, 2.0]


def test_5xx_retries_are_bounded_then_exit_5_with_runs_pulled() -> None:
    calls: list[int] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        body = json.loads(request.content) if request.content else {}
        if request.url.path == "/runs/query" and "is_root" not in body:
            calls.append(n)
            return httpx.Response(503)
        return None

    conn = connector(fake_langsmith(fault))
    with pytest.raises(VendorUnavailableError) as caught:
        list(conn.iter_records())
    assert caught.value.exit_code == 5
    assert len(calls) == 3
    assert caught.value.message == "LangSmith kept answering 503 after 3 attempts; 0 runs had been pulled"


def test_server_gone_is_unavailable_not_a_traceback() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        raise httpx.ConnectError("connection refused")

    conn = connector(fake_langsmith(fault))
    with pytest.raises(VendorUnavailableError) as caught:
        list(conn.iter_records())
    assert caught.value.message.startswith("LangSmith is unreachable at http://langsmith.test (ConnectError)")


def test_invalid_page_is_counted_and_the_rest_goes_on() -> None:
    import traceready.connectors.langsmith as module

    runs = [r["v1"] for r in STORE["runs"]]
    newest = sorted((r for r in runs if r["parent_run_id"] is None), key=lambda r: r["start_time"])[-2:]
    first_batch_start = datetime.fromisoformat(newest[0]["start_time"]).replace(tzinfo=UTC)

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        body = json.loads(request.content) if request.content else {}
        if (
            request.url.path == "/runs/query"
            and "is_root" not in body
            and datetime.fromisoformat(body["start_time"]) == first_batch_start
        ):
            return httpx.Response(200, text='{"runs": [{"trunc')  # the batch of the two newest traces
        return None

    original = module.TRACES_PER_BATCH
    module.TRACES_PER_BATCH = 2
    try:
        stats = PullStats()
        score_spans(
            connector(fake_langsmith(fault)).iter_records(),
            Mapper(load_mapping("langsmith")),
            Scorer(),
            stats,
        )
    finally:
        module.TRACES_PER_BATCH = original
    lost = sum(1 for r in runs if r["trace_id"] in {t["trace_id"] for t in newest})
    assert stats.rejections == {"invalid_page": 2}
    assert stats.mapped == 21 - lost
    assert stats.pulled == stats.mapped + 2


def test_a_repeated_cursor_stops_instead_of_looping() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == "/runs/query":
            body = json.loads(request.content)
            body.pop("cursor", None)
            page = fake.query_v1(STORE, body)
            page["cursors"]["next"] = "same"
            return httpx.Response(200, json=page)
        return None

    assert len(pulled(connector(fake_langsmith(fault)))) > 0


def test_settings_prefer_langsmith_variables_then_langchain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGCHAIN_API_KEY", "old-key")
    monkeypatch.setenv("LANGCHAIN_PROJECT", "old-project")
    monkeypatch.setenv("LANGCHAIN_ENDPOINT", "https://old.example")
    monkeypatch.setenv("LANGSMITH_API_KEY", "new-key")
    monkeypatch.setenv("LANGSMITH_ENDPOINT", "https://eu.api.smith.langchain.com/")
    monkeypatch.setenv("LANGSMITH_WORKSPACE_ID", "ws-1")
    settings = LangSmithSettings()
    assert settings.project == "old-project"  # only the legacy name is set: it is used
    assert settings.base_url() == "https://eu.api.smith.langchain.com"
    assert settings.web_url() == "https://eu.smith.langchain.com"
    assert settings.headers() == {"Accept": "application/json", "x-api-key": "new-key", "X-Tenant-Id": "ws-1"}
    assert "new-key" not in repr(settings)


def test_self_hosted_endpoint_keeps_v1_under_api_v1() -> None:
    settings = LangSmithSettings(endpoint="https://langsmith.corp.example/api/v1")
    assert (settings.base_url(), settings.v1_prefix()) == ("https://langsmith.corp.example", "/api/v1")
    assert LangSmithSettings().endpoint_url() == "https://api.smith.langchain.com"
    assert LangSmithSettings().web_url() == "https://smith.langchain.com"


@pytest.mark.parametrize("key", ["", "   "])
def test_empty_key_sends_no_key_header(key: str) -> None:
    assert "x-api-key" not in LangSmithSettings(api_key=key).headers()


def test_v2_runs_are_shaped_like_v1_and_map_alike() -> None:
    body = {"project_ids": [STORE["project"]["id"]], "min_start_time": SINCE, "trace_id": None}
    v1 = {
        r["id"]: r for r in fake.query_v1(STORE, {"session": [STORE["project"]["id"]], "limit": 100})["runs"]
    }
    selects = list(fake.V2_SELECTS)
    v2 = fake.query_v2(STORE, {**body, "selects": selects, "page_size": 100}, DEFAULT_NOW)["items"]
    mapper = Mapper(load_mapping("langsmith"))
    for item in v2:
        one = mapper.map_record(shape_run(item, v2=True, web_url=BASE))
        other = mapper.map_record(shape_run(v1[item["id"]], v2=False, web_url=BASE))
        assert not isinstance(one, Rejection) and not isinstance(other, Rejection)
        assert (one.parent_id, one.kind, one.status, one.start_ns, one.end_ns) == (
            other.parent_id,
            other.kind,
            other.status,
            other.start_ns,
            other.end_ns,
        )
        assert one.llm == other.llm and one.tool == other.tool and one.session_id == other.session_id


def test_chain_roll_ups_are_not_usage_and_hidden_io_is_redacted() -> None:
    chain = {
        "id": "r1",
        "trace_id": "r1",
        "run_type": "chain",
        "status": "error",
        "start_time": "2026-11-20T09:00:00.000001",
        "end_time": "2026-11-20T09:00:01.000001",
        "total_tokens": 390,
        "prompt_tokens": 356,
        "inputs": {},
        "outputs": {},
        "extra": {"metadata": {"LANGSMITH_HIDE_INPUTS": "true"}},
        "error": "TimeoutError('weather API timed out after 5s')\n\nTraceback ...",
        "feedback_stats": {
            "failure_type": {"n": 1, "avg": None, "values": {"tool_timeout": 1}, "sources": ["api"]}
        },
    }
    shaped = shape_run(chain, v2=False, web_url=BASE)
    assert shaped["subtree_usage"]["total_tokens"] == 390 and "total_tokens" not in shaped
    assert (shaped["inputs"], shaped["outputs"]) == (HIDDEN, {})
    span = Mapper(load_mapping("langsmith")).map_record(shaped)
    assert not isinstance(span, Rejection)
    # A root chain is the agent's run: LangSmith has no agent run type (mappings/langsmith.yaml).
    assert span.llm is None and span.kind is SpanKind.AGENT and span.status is StatusCode.ERROR
    assert span.redacted == ("input",)
    assert span.error is not None and span.error.type == "TimeoutError"
    assert [(s.name, s.label) for s in span.scores] == [("failure_type", "tool_timeout")]
    assert span.latency_ms == 1000.0


def test_cli_exit_codes(tmp_path) -> None:
    """2 usage, 3 auth, 4 unknown project, 5 unreachable: one line on stderr, never a traceback."""

    def run(*args: str, env: dict[str, str] | None = None):
        return CliRunner(env={"LANGSMITH_API_KEY": "", "LANGSMITH_PROJECT": "", **(env or {})}).invoke(
            app, ["audit", "langsmith", "--since", SINCE, *args]
        )

    usage = run("--endpoint", "http://127.0.0.1:9")
    assert usage.exit_code == 2, usage.output
    assert usage.stderr.strip() == (
        "traceready: error: no LangSmith project given (pass --project or set LANGSMITH_PROJECT)"
    )
    replay = ReplayServer(backend="v1", require_api_key=True)
    with replay as url:
        auth = run("--project", project("traceable_full"), "--endpoint", url)
        asked_without_key = replay.requests
        missing = run(
            "--project", "travel-agent-traceable", "--endpoint", url, env={"LANGSMITH_API_KEY": KEY}
        )
    # No key: exit 3 at once, naming the variable, before any request.
    assert auth.exit_code == 3, auth.output
    assert auth.stderr.strip() == "traceready: error: no LangSmith API key (set LANGSMITH_API_KEY)"
    assert asked_without_key == []
    assert missing.exit_code == 4, missing.output
    assert missing.stderr.startswith(
        "traceready: error: LangSmith has no project 'travel-agent-traceable' (did you mean"
    )
    gone = run("--project", "p", "--endpoint", "http://127.0.0.1:9", env={"LANGSMITH_API_KEY": KEY})
    assert gone.exit_code == 5, gone.output
    assert "LangSmith is unreachable at http://127.0.0.1:9 (ConnectError)" in gone.stderr
    assert "Traceback" not in gone.output


def test_cli_rate_limited_server_is_waited_for() -> None:
    with ReplayServer(backend="v2", rate_limit=1) as url:
        result = CliRunner(env={"LANGSMITH_API_KEY": KEY}).invoke(
            app,
            [
                "audit",
                "langsmith",
                "--project",
                project("wrap_openai_only"),
                "--endpoint",
                url,
                "--since",
                SINCE,
                "-f",
                "json",
            ],
        )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["traces"] == 10


def test_a_tracing_sampling_rate_in_run_metadata_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        body = json.loads(request.content) if request.content else {}
        if request.url.path == "/runs/query" and "is_root" not in body:
            page = copy.deepcopy(fake.query_v1(STORE, body))
            for run in page["runs"]:
                run["extra"]["metadata"]["LANGSMITH_TRACING_SAMPLING_RATE"] = "0.25"
            return httpx.Response(200, json=page)
        return None

    with caplog.at_level("WARNING"):
        assert len(pulled(connector(fake_langsmith(fault)))) == 21
    assert "LANGSMITH_TRACING_SAMPLING_RATE=0.25" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        pulled(connector(fake_langsmith(lambda r, n: None)))
    assert "SAMPLING_RATE" not in caplog.text


def test_settings_layer_toml_then_environment_then_flags(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from traceready.settings import vendor_settings

    config = tmp_path / "traceready.toml"
    config.write_text('[langsmith]\nproject = "from-toml"\nquery_api = "v2"\nworkspace_id = "ws-toml"\n')
    monkeypatch.setenv("LANGSMITH_PROJECT", "from-env")
    settings = vendor_settings(LangSmithSettings, "langsmith", config, workspace_id="ws-flag", endpoint=None)
    assert (settings.project, settings.query_api, settings.workspace_id) == ("from-env", "v2", "ws-flag")
    config.write_text('[langsmith]\nquery_api = "v3"\n')
    with pytest.raises(UsageError) as caught:
        vendor_settings(LangSmithSettings, "langsmith", config)
    assert caught.value.one_line().startswith(
        "langsmith settings: query_api: Input should be 'auto', 'v1' or 'v2'"
    )


def test_v2_limit_keeps_the_newest_traces_whatever_order_the_server_pages_in() -> None:
    def oldest_first(request: httpx.Request, n: int) -> httpx.Response | None:
        body = json.loads(request.content) if request.content else {}
        if request.url.path == "/api/v2/runs/query" and body.get("is_root"):
            page = fake.query_v2(STORE, {**body, "page_size": 1000}, DEFAULT_NOW)
            page["items"].reverse()  # v2 documents no order: assume none
            return httpx.Response(200, json=page)
        return None

    roots = sorted(
        (r["v1"] for r in STORE["runs"] if r["v1"]["parent_run_id"] is None), key=lambda r: r["start_time"]
    )
    conn = connector(fake_langsmith(oldest_first, "v2"), limit=2)
    kept = {r["trace_id"] for r in pulled(conn)}
    assert kept == {r["trace_id"] for r in roots[-2:]}


def test_cli_org_scoped_key_exits_3_naming_the_workspace_variable() -> None:
    from http.server import BaseHTTPRequestHandler

    from tests.loopback import serving

    class OrgScoped(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = b'{"error": "org_scoped_key_requires_workspace"}'
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(OrgScoped) as server:
        result = CliRunner(env={"LANGSMITH_API_KEY": KEY, "LANGSMITH_WORKSPACE_ID": ""}).invoke(
            app, ["audit", "langsmith", "--project", "p", "--endpoint", server.url, "--since", SINCE]
        )
    assert result.exit_code == 3, result.output
    assert result.stderr.strip() == (
        "traceready: error: LangSmith: this API key is org-scoped and needs a workspace (403) "
        "(set LANGSMITH_WORKSPACE_ID to the workspace id)"
    )


def serving(served: dict[str, object], seen: list[httpx.Request] | None = None) -> Fault:
    """A fault hook answering ``served`` paths with 200 (a callable value gets the request)."""

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if seen is not None:
            seen.append(request)
        found = served.get(request.url.path)
        if callable(found):
            found = found(request)
        return None if found is None else httpx.Response(200, json=found)

    return fault


def test_inventory_reads_feedback_configs_and_prompts_where_served() -> None:
    # Shapes as the SDK reads them: FeedbackConfigSchema, ListPromptsResponse.
    served = {
        "/feedback-configs": [
            {
                "feedback_key": "failure_type",
                "feedback_config": {
                    "type": "categorical",
                    "categories": [
                        {"value": 0, "label": "tool_timeout"},
                        {"value": 1, "label": "wrong_tool"},
                    ],
                },
            },
            {"feedback_key": "thumbs", "feedback_config": {"type": "categorical", "categories": [
                {"value": 1, "label": "positive"}, {"value": 0, "label": "negative"}]}},
            {"feedback_key": "quality", "feedback_config": {"type": "continuous", "min": 0, "max": 1}},
        ],
        "/repos/": {"repos": [{"repo_handle": "travel-prompt", "num_commits": 3}], "total": 1},
    }  # fmt: skip
    conn = connector(fake_langsmith(serving(served)))
    pulled(conn)
    inventory = conn.inventory()
    assert inventory.failure_taxonomies == ("failure_type",)  # thumbs up/down is not a taxonomy
    assert inventory.prompt_versions == 3
    assert (inventory.datasets, inventory.retention_days) == (0, 400)


def _rule(name: str, **fields: object) -> dict[str, object]:
    """A rule as ``GET /runs/rules`` lists it (langsmith 0.15.1 ``types/evaluator.py``)."""
    return {"id": name, "display_name": name, "sampling_rate": 1.0, "is_enabled": True, **fields}


JUDGE = [{"structured": {"prompt": [["system", "grade"]], "schema": {"title": "helpfulness"}}}]


def test_only_active_rules_on_the_project_count_and_only_evaluator_rules_are_evaluators() -> None:
    project_id = STORE["project_id"]
    rules = [
        _rule("judge", session_id=project_id, evaluators=JUDGE),
        _rule("code", session_id=project_id, code_evaluators=[{"code": "def perform_eval(run): ..."}]),
        _rule("linked", session_id=project_id, evaluator_id="e1"),
        _rule("to-queue", session_id=project_id, add_to_annotation_queue_id="q1"),
        _rule("to-dataset", session_id=project_id, add_to_dataset_id="d1"),
        _rule("off", session_id=project_id, evaluators=JUDGE, is_enabled=False),
        _rule("paused", session_id=project_id, evaluators=JUDGE, sampling_rate=0.0),
        _rule("other-project", session_id="0000dead-0000-0000-0000-000000000000", evaluators=JUDGE),
        _rule("unknown-dataset", dataset_id="0000beef-0000-0000-0000-000000000000", evaluators=JUDGE),
    ]
    old_server = {
        k: v for k, v in _rule("old", session_id=project_id, evaluators=JUDGE).items() if k != "is_enabled"
    }
    seen: list[httpx.Request] = []
    conn = connector(fake_langsmith(serving({"/runs/rules": [*rules, old_server]}, seen)))
    pulled(conn)
    inventory = conn.inventory()
    # judge, code, linked, to-queue, to-dataset, and the rule of a server without is_enabled.
    assert inventory.automation_rules == 6
    assert inventory.automated_evaluators == 4
    # One unpaged read: the v1 route takes no limit/offset (paging it would re-read the same list).
    asked = [r for r in seen if r.url.path == "/runs/rules"]
    assert len(asked) == 1 and "offset" not in asked[0].url.params


def test_a_dataset_rule_counts_when_the_dataset_is_the_workspaces() -> None:
    dataset = {"id": "5e7d0000-0000-0000-0000-000000000001", "name": "golden", "example_count": 4}
    served = {
        "/datasets": [dataset],
        "/runs/rules": [_rule("on-golden", dataset_id=dataset["id"], evaluators=JUDGE)],
    }
    conn = connector(fake_langsmith(serving(served)))
    pulled(conn)
    inventory = conn.inventory()
    assert (inventory.datasets, inventory.automation_rules, inventory.automated_evaluators) == (1, 1, 1)


def test_a_queue_rubric_with_failure_categories_is_a_taxonomy_a_verdict_rubric_is_not() -> None:
    def config(key: str, *labels: str) -> dict[str, object]:
        categories = [{"value": i, "label": label} for i, label in enumerate(labels)]
        return {"feedback_key": key, "feedback_config": {"type": "categorical", "categories": categories}}

    queues = [
        {"id": "q-triage", "name": "triage", "rubric_keys": ["failure_category", "correctness"]},
        {"id": "q-empty", "name": "inbox", "rubric_keys": []},
    ]
    triage = {
        "id": "q-triage",
        "name": "triage",
        "rubric_items": [
            {
                "feedback_key": "failure_category",
                "feedback_config": config("failure_category", "timeout", "wrong_tool"),
            },
            {"feedback_key": "correctness", "feedback_config": config("correctness", "correct", "incorrect")},
        ],
    }
    seen: list[httpx.Request] = []
    # No /feedback-configs route here: the taxonomy can come only from the queue's rubric.
    served = {"/annotation-queues": queues, "/annotation-queues/q-triage": triage}
    conn = connector(fake_langsmith(serving(served, seen)))
    pulled(conn)
    inventory = conn.inventory()
    assert inventory.annotation_queues == 2
    assert inventory.failure_taxonomies == ("failure_category",)
    listed = next(r for r in seen if r.url.path == "/annotation-queues")
    assert listed.url.params["include_rubric_keys"] == "true"
    assert not any(r.url.path == "/annotation-queues/q-empty" for r in seen)  # no rubric: not read


def test_workspace_routes_not_served_stay_unknown_not_zero() -> None:
    conn = connector(fake_langsmith(lambda request, n: None))
    pulled(conn)
    inventory = conn.inventory()
    assert inventory.annotation_queues is inventory.automation_rules is inventory.prompt_versions is None
    assert inventory.automated_evaluators == 0  # no experiments: the count is known, and zero


def test_prompts_are_read_page_by_page_until_the_total() -> None:
    def repos(request: httpx.Request) -> dict[str, object]:
        offset = int(request.url.params["offset"])
        page = [{"repo_handle": f"p{i}", "num_commits": 2} for i in range(offset, min(offset + 100, 130))]
        return {"repos": page, "total": 130}

    conn = connector(fake_langsmith(serving({"/repos/": repos})))
    pulled(conn)
    assert conn.inventory().prompt_versions == 260


def test_rules_fall_back_to_the_v2_list_where_v1_is_gone() -> None:
    # v2 (types/rule.py) pages by cursor and names the project project_id.
    project_id = STORE["project_id"]
    pages = {
        None: {"items": [_rule("judge", project_id=project_id, evaluators=JUDGE)], "next_cursor": "c2"},
        "c2": {"items": [_rule("to-queue", project_id=project_id, add_to_annotation_queue_id="q")]},
    }
    seen: list[httpx.Request] = []
    served = {"/api/v2/runs/rules": lambda request: pages[request.url.params.get("cursor")]}
    conn = connector(fake_langsmith(serving(served, seen)))
    pulled(conn)
    inventory = conn.inventory()
    assert (inventory.automation_rules, inventory.automated_evaluators) == (2, 1)
    assert [r.url.path for r in seen if "rules" in r.url.path] == [
        "/runs/rules",
        "/api/v2/runs/rules",
        "/api/v2/runs/rules",
    ]


def test_a_workspace_route_this_key_may_not_read_stays_unknown(caplog: pytest.LogCaptureFixture) -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path in ("/runs/rules", "/annotation-queues"):
            return httpx.Response(403, json={"detail": "Forbidden"})
        return None

    conn = connector(fake_langsmith(fault))
    pulled(conn)
    inventory = conn.inventory()
    assert inventory.automation_rules is inventory.annotation_queues is None
    assert inventory.datasets == 0  # the rest of the inventory is still read
    assert "this key may not read /runs/rules" in caplog.text
    assert KEY not in caplog.text
