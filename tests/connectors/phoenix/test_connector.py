"""The Phoenix connector on recorded server traffic, and on every failure a user can meet."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from tests.cassettes import replayer
from tests.connectors.phoenix.fake import CASSETTE, fake_phoenix, recorded_bodies
from traceready.audit import PullStats, Scorer, run_audit, score_spans
from traceready.connectors.phoenix import PhoenixConnector, PhoenixSettings
from traceready.errors import AuthError, NotFoundError, VendorUnavailableError
from traceready.findings import Status
from traceready.http import RetryPolicy
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Rejection
from traceready.recommend import load_catalog
from traceready.window import Window

BASE = "http://phoenix.test"
WINDOW = Window(start=datetime(2016, 1, 1, tzinfo=UTC))


def connector(handler: Callable[[httpx.Request], httpx.Response], **kwargs) -> PhoenixConnector:
    settings = PhoenixSettings(endpoint=BASE, project="demo", api_key="phx-secret-key-123")
    client = httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler), headers=settings.headers())
    return PhoenixConnector(
        settings,
        WINDOW,
        http=client,
        retry=RetryPolicy(attempts=3, max_total=5),
        sleep=kwargs.pop("sleep", lambda s: None),
        **kwargs,
    )


def audit(conn: PhoenixConnector):
    catalog = load_catalog(PhoenixConnector.package_dir() / "recommendations.yaml")
    return run_audit(conn, Mapper(load_mapping("phoenix")), catalog=catalog)


def test_recorded_project_gets_its_verdicts() -> None:
    settings = PhoenixSettings(endpoint="http://127.0.0.1:6210", project="demo")
    with replayer().use_cassette(str(CASSETTE)):
        report = audit(PhoenixConnector(settings, WINDOW))
    statuses = {f.requirement: f.status for f in report.findings}
    # Same traces as the openinference_full file, plus what Phoenix adds: versions tied to a scored
    # experiment of the same harness version (f), the failed span labelled by a categorical config
    # (g), server-side cost (h), experiment projects (i) and a dataset with a scored experiment (j).
    assert statuses == {
        "a": Status.PRESENT, "b": Status.PRESENT, "c": Status.PRESENT, "d": Status.PRESENT,
        "e": Status.PRESENT, "f": Status.PRESENT, "g": Status.PRESENT, "h": Status.PRESENT,
        "i": Status.PRESENT, "j": Status.PRESENT,
    }  # fmt: skip
    assert report.counts.records_pulled == report.counts.spans_mapped + report.counts.records_rejected == 21
    inventory = report.inventory
    assert (inventory.datasets, inventory.dataset_examples, inventory.experiments) == (1, 4, 1)
    assert (inventory.scored_experiments, inventory.automated_evaluators, inventory.prompt_versions) == (
        1,
        1,
        1,
    )
    assert inventory.failure_taxonomies == ("failure_type",)
    assert inventory.experiment_versions == ("travel-agent@1.4.0",)
    from traceready.report.markdown import render_markdown

    assert "- Inventory: datasets 1; dataset examples 4; experiments 1;" in render_markdown(report)
    structure = next(f for f in report.findings if f.requirement == "d")
    links = next(r for r in structure.metrics if r.metric == "d.parent_links_resolved")
    assert links.numerator == links.denominator == 15
    assert all(
        e.url and e.url.startswith("http://127.0.0.1:6210/redirects/spans/") for e in structure.examples
    )


def test_the_window_and_limit_are_sent() -> None:
    seen: list[httpx.Request] = []

    def fault(request: httpx.Request, n: int) -> None:
        seen.append(request)

    since = datetime.now(UTC) - timedelta(days=7)
    conn = connector(fake_phoenix(recorded_bodies(), fault))
    conn.window_ = Window(start=since)
    list(conn.iter_records())
    traces = next(r for r in seen if r.url.path.endswith("/traces"))
    query = parse_qs(traces.url.query.decode())
    assert query["start_time"] == [since.isoformat()]
    assert (query["sort"], query["order"], query["limit"]) == (["start_time"], ["desc"], ["1000"])
    assert all(r.headers["authorization"] == "Bearer phx-secret-key-123" for r in seen)


def test_limit_keeps_the_newest_traces() -> None:
    conn = connector(fake_phoenix(recorded_bodies(), lambda r, n: None), limit=2)
    spans = [r for r in conn.iter_records() if isinstance(r, dict)]
    assert len({s["context"]["trace_id"] for s in spans}) == 2


def test_sample_draws_uniformly_and_reports_the_population() -> None:
    conn = connector(fake_phoenix(recorded_bodies(), lambda r, n: None), sample=3, seed=1)
    report = audit(conn)
    assert report.sample is not None
    assert (report.sample.traces_drawn, report.sample.traces_in_window) == (3, 6)
    assert report.counts.traces == 3
    assert all(r.interval is not None for f in report.findings for r in f.metrics if r.applies)


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_is_an_auth_error_naming_the_variable_not_the_key(status: int) -> None:
    conn = connector(fake_phoenix(recorded_bodies(), lambda r, n: httpx.Response(status)))
    with pytest.raises(AuthError) as caught:
        list(conn.iter_records())
    assert caught.value.one_line() == f"Phoenix rejected the credentials ({status}) (set PHOENIX_API_KEY)"
    assert "phx-secret" not in caught.value.one_line()


def test_unknown_project_lists_close_names() -> None:
    bodies = recorded_bodies()
    bodies.pop("/v1/projects/demo")
    bodies["/v1/projects"] = '{"data":[{"name":"demo-agent"},{"name":"default"}],"next_cursor":null}'
    conn = connector(fake_phoenix(bodies, lambda r, n: None))
    with pytest.raises(NotFoundError) as caught:
        list(conn.iter_records())
    assert caught.value.one_line() == "Phoenix has no project 'demo' (did you mean demo-agent?)"


def test_429_with_retry_after_is_retried_after_the_asked_delay() -> None:
    waits: list[float] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        return httpx.Response(429, headers={"retry-after": "2"}) if n in (2, 3) else None

    conn = connector(fake_phoenix(recorded_bodies(), fault), sleep=waits.append)
    records = list(conn.iter_records())
    assert waits == [2.0, 2.0]
    assert sum(isinstance(r, dict) for r in records) == 21


def test_5xx_retries_are_bounded_then_exit_5_with_spans_pulled() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        return httpx.Response(503) if "/spans" in request.url.path else None

    conn = connector(fake_phoenix(recorded_bodies(), fault))
    with pytest.raises(VendorUnavailableError) as caught:
        list(conn.iter_records())
    assert caught.value.exit_code == 5
    assert "kept answering 503 after 3 attempts; 0 spans had been pulled" in caught.value.message


def test_server_gone_mid_pull_says_how_many_spans_were_pulled() -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path.endswith("/span_annotations"):
            raise httpx.ConnectError("connection refused")
        return None

    conn = connector(fake_phoenix(recorded_bodies(), fault), limit=500)
    with pytest.raises(VendorUnavailableError) as caught:
        list(conn.iter_records())
    assert "Phoenix is unreachable at http://phoenix.test (ConnectError)" in caught.value.message
    assert caught.value.message.endswith("0 spans had been pulled")


def test_invalid_json_page_is_counted_and_the_rest_goes_on() -> None:
    bodies = recorded_bodies()
    first_batch: list[str] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path.endswith("/spans") and not first_batch:
            first_batch.append("broken")
            return httpx.Response(200, text='{"data": [{"trunc')
        return None

    import traceready.connectors.phoenix as phoenix_module

    original = phoenix_module.TRACES_PER_BATCH
    phoenix_module.TRACES_PER_BATCH = 2
    try:
        conn = connector(fake_phoenix(bodies, fault))
        stats = PullStats()
        score_spans(conn.iter_records(), Mapper(load_mapping("phoenix")), Scorer(), stats)
    finally:
        phoenix_module.TRACES_PER_BATCH = original
    assert stats.rejections == {"invalid_page": 2}
    assert stats.mapped == 21 - 2 - 4  # the two traces of the broken page: agent+llm and agent+llm+tool+llm
    assert stats.pulled == stats.mapped + sum(stats.rejections.values())


def test_a_repeated_cursor_stops_instead_of_looping() -> None:
    bodies = recorded_bodies()
    page = bodies["/v1/projects/demo/traces"].replace('"next_cursor":null', '"next_cursor":"same"')
    bodies["/v1/projects/demo/traces"] = page
    conn = connector(fake_phoenix(bodies, lambda r, n: None))
    spans = [r for r in conn.iter_records() if not isinstance(r, Rejection)]
    assert len(spans) > 0


def test_settings_come_from_phoenix_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOENIX_COLLECTOR_ENDPOINT", "http://collector.test:6006/v1/traces")
    monkeypatch.setenv("PHOENIX_PROJECT_NAME", "agent")
    monkeypatch.setenv("PHOENIX_API_KEY", "k-123")
    monkeypatch.setenv("PHOENIX_CLIENT_HEADERS", "x-team=ml%20platform,x-env=prod")
    settings = PhoenixSettings()
    assert settings.base_url() == "http://collector.test:6006"
    assert settings.project == "agent"
    assert settings.headers() == {"x-team": "ml platform", "x-env": "prod", "Authorization": "Bearer k-123"}
    assert "k-123" not in repr(settings)


@pytest.mark.parametrize("key", ["", "   "])
def test_empty_key_sends_no_authorization_header(key: str) -> None:
    assert "Authorization" not in PhoenixSettings(api_key=key).headers()


def test_a_server_without_session_annotations_is_audited_all_the_same() -> None:
    # Phoenix before session annotations answers 404 there (as it does for sessions it has not indexed).
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path.endswith("/session_annotations"):
            return httpx.Response(404, json={"detail": "Not Found"})
        return None

    records = list(connector(fake_phoenix(recorded_bodies(), fault)).iter_records())
    assert sum(isinstance(r, dict) for r in records) == 21


@pytest.mark.parametrize(
    ("labels", "taxonomy"),
    [
        pytest.param(["correct", "incorrect"], False, id="evaluator_verdict"),
        pytest.param(["pass", "fail"], False, id="pass_fail"),
        pytest.param(["tool_timeout", "wrong_tool", "hallucination"], True, id="failure_categories"),
    ],
)
def test_only_failure_categories_make_a_taxonomy(labels: list[str], taxonomy: bool) -> None:
    from traceready.connectors.phoenix.inventory import _is_failure_taxonomy

    config = {"type": "CATEGORICAL", "values": [{"label": label} for label in labels]}
    assert _is_failure_taxonomy(config) is taxonomy


def _cost_page(ids: list[str], after: str | None) -> dict:
    edges = [{"node": {"id": i, "costSummary": {"total": {"cost": 0.5}}}} for i in ids]
    info = {"hasNextPage": after is not None, "endCursor": after}
    return {"data": {"node": {"spans": {"edges": edges, "pageInfo": info}}}}


def test_cost_is_one_query_per_batch_following_its_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    # Phoenix rejects a document of more than 50 aliases: cost must not be asked a node per span.
    import traceready.connectors.phoenix.client as client_module

    recorded = recorded_bodies()
    llm = [
        s["id"] for s in json.loads(recorded["/v1/projects/demo/spans"])["data"] if s["span_kind"] == "LLM"
    ]
    queries: list[dict] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path != "/graphql" or "costSummary" not in json.loads(request.content)["query"]:
            return None
        query = json.loads(request.content)
        queries.append(query)
        first = query["variables"]["after"] is None
        page = _cost_page(llm[:4], "c4") if first else _cost_page(llm[4:], None)
        return httpx.Response(200, json=page)

    monkeypatch.setattr(client_module, "COST_PAGE", 4)
    records = [r for r in connector(fake_phoenix(recorded, fault)).iter_records() if isinstance(r, dict)]
    assert [q["variables"]["after"] for q in queries] == [None, "c4"]
    assert queries[0]["variables"]["project"] == "UHJvamVjdDoy"
    assert "node(id: $project)" in queries[0]["query"] and "c0:" not in queries[0]["query"]
    assert queries[0]["variables"]["filter"].startswith("span_kind == 'LLM' and trace_id in ['")
    priced = {r["id"]: r["server_cost_usd"] for r in records if r["server_cost_usd"] is not None}
    assert priced == dict.fromkeys(llm, 0.5)


def test_a_cost_query_the_server_refuses_leaves_cost_unknown_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == "/graphql":
            return httpx.Response(200, json={"data": None, "errors": [{"message": "51 aliases found"}]})
        return None

    records = [
        r for r in connector(fake_phoenix(recorded_bodies(), fault)).iter_records() if isinstance(r, dict)
    ]
    assert len(records) == 21
    assert all(r["server_cost_usd"] is None for r in records)
    assert "span cost unreadable for 6 traces (51 aliases found)" in caplog.text


@pytest.mark.parametrize(
    ("names", "asked"),
    [
        pytest.param([["failure_type"], [], []], ["span"], id="span_labels_only"),
        pytest.param([[], [], []], [], id="no_labels"),
        pytest.param(None, ["span", "trace", "session"], id="server_cannot_say"),
    ],
)
def test_annotations_are_asked_only_of_kinds_the_project_holds(names: list | None, asked: list[str]) -> None:
    seen: list[str] = []

    def fault(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path.endswith("_annotations"):
            seen.append(request.url.path.rsplit("/", 1)[1].removesuffix("_annotations"))
        if request.url.path == "/graphql" and "AnnotationNames" in json.loads(request.content)["query"]:
            if names is None:
                return httpx.Response(200, json={"data": None, "errors": [{"message": "Cannot query field"}]})
            fields = ("spanAnnotationNames", "traceAnnotationNames", "sessionAnnotationNames")
            return httpx.Response(200, json={"data": {"node": dict(zip(fields, names, strict=True))}})
        return None

    records = [
        r for r in connector(fake_phoenix(recorded_bodies(), fault)).iter_records() if isinstance(r, dict)
    ]
    assert seen == asked
    labelled = [a for r in records for a in r["annotations"]]
    assert [a["label"] for a in labelled] == (["timeout"] if "span" in asked else [])
