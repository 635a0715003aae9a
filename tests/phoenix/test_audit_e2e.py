"""End to end: the CLI audits real Phoenix projects holding the bundled scenarios."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from tests.phoenix.conftest import PhoenixFixture, scenarios
from tests.phoenix.fault_proxy import Rule, fault_proxy
from tests.test_scenarios import EXPECTED
from traceready.cli import app

SCENARIOS = sorted(scenarios())


def audit(base_url: str, project: str, *extra: str, env: dict[str, str] | None = None):
    args = ["audit", "phoenix", "--project", project, "--endpoint", base_url, "--since", "3650d", *extra]
    return CliRunner(env=env).invoke(app, args)


def statuses(result) -> dict[str, str]:
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    return {f["requirement"]: f["status"] for f in report["findings"]}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_phoenix_verdicts_match_the_same_traces_as_files_on_a_to_e(phoenix_server: PhoenixFixture, scenario):
    got = statuses(audit(phoenix_server.base_url, scenario, "-f", "json"))
    expected = dict(zip("abcdefghij", (s.value for s in EXPECTED[scenario]), strict=True))
    assert {k: got[k] for k in "abcde"} == {k: expected[k] for k in "abcde"}


# What Phoenix adds to, or hides from, the same traces (f-j), each for a reason the report shows:
# h: Phoenix prices tokens server-side, so model calls carry cost;
# i, j: the server holds an experiment (its own Experiment-* project) on a dataset with a code
#   evaluator, and these are server-wide;
# g: the failure taxonomy is server-wide; only openinference_full's failed span is labelled;
# f: versions link to the seeded experiment (harness_version travel-agent@1.4.0) only where spans
#   carry that exact version in metadata; Phoenix's span API returns no resource attributes, so a
#   service.version on the resource (final_io_only, plain_spans, openllmetry_legacy) is not seen.
PHOENIX_F_TO_J = {
    "final_io_only":           ("ABSENT", "UNKNOWN", "ABSENT", "PRESENT", "PRESENT"),
    "llm_spans_no_tool_spans": ("PRESENT", "UNKNOWN", "PRESENT", "PRESENT", "PRESENT"),
    "openinference_full":      ("PRESENT", "PRESENT", "PRESENT", "PRESENT", "PRESENT"),
    "openllmetry_legacy":      ("ABSENT", "PARTIAL", "PRESENT", "PRESENT", "PRESENT"),
    "otel_genai":              ("PARTIAL", "PARTIAL", "PRESENT", "PRESENT", "PRESENT"),
    "otel_genai_legacy":       ("PARTIAL", "PARTIAL", "PRESENT", "PRESENT", "PRESENT"),
    "plain_spans":             ("ABSENT", "PARTIAL", "ABSENT", "PRESENT", "PRESENT"),
    "redacted":                ("PRESENT", "PARTIAL", "PRESENT", "PRESENT", "PRESENT"),
}  # fmt: skip


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_phoenix_adds_cost_and_server_facts_for_f_to_j(phoenix_server: PhoenixFixture, scenario):
    result = audit(phoenix_server.base_url, scenario, "-f", "json")
    got = statuses(result)
    assert tuple(got[k] for k in "fghij") == PHOENIX_F_TO_J[scenario]
    report = orjson.loads(result.stdout)
    evidence = {f["requirement"]: f["evidence"] for f in report["findings"]}
    assert evidence["i"] == evidence["j"] == "inventory"


def test_unknown_project_exits_4_naming_close_projects(phoenix_server: PhoenixFixture):
    result = audit(phoenix_server.base_url, "openinference_ful")
    assert result.exit_code == 4, result.output
    assert result.stderr.strip() == (
        "traceready: error: Phoenix has no project 'openinference_ful' (did you mean openinference_full?)"
    )


def test_missing_key_on_an_auth_server_exits_3_naming_the_variable(phoenix_auth_server):
    result = audit(phoenix_auth_server.base_url, "default", env={"PHOENIX_API_KEY": ""})
    assert result.exit_code == 3, result.output
    assert result.stderr.strip() == (
        "traceready: error: Phoenix rejected the credentials (401) (set PHOENIX_API_KEY)"
    )


def test_wrong_key_exits_3_without_echoing_the_key(phoenix_auth_server):
    result = audit(phoenix_auth_server.base_url, "default", env={"PHOENIX_API_KEY": "wrong-key-123456"})
    assert result.exit_code == 3, result.output
    assert "wrong-key-123456" not in result.output


def test_system_key_from_the_environment_is_accepted(phoenix_auth_server):
    result = audit(
        phoenix_auth_server.base_url,
        "default",
        "-f",
        "json",
        env={"PHOENIX_API_KEY": phoenix_auth_server.system_key},
    )
    assert result.exit_code == 0, result.output
    assert phoenix_auth_server.system_key not in result.output


def test_429_with_retry_after_is_retried_and_the_audit_completes(phoenix_server: PhoenixFixture):
    rules = [Rule("/spans", "429", first=1, last=2)]
    with fault_proxy(phoenix_server.base_url, rules) as proxy:
        got = statuses(audit(proxy.url, "openinference_full", "-f", "json"))
    assert [action for action, _ in proxy.log] == ["429", "429"]
    assert got["b"] == "PRESENT"


def test_persistent_5xx_exits_5_after_bounded_retries(phoenix_server: PhoenixFixture):
    with fault_proxy(phoenix_server.base_url, [Rule("/spans", "status:503")]) as proxy:
        result = audit(proxy.url, "openinference_full")
    assert result.exit_code == 5, result.output
    assert "Phoenix kept answering 503 after 5 attempts; 0 spans had been pulled" in result.stderr
    assert len(proxy.log) == 5


def test_server_going_away_mid_pull_exits_5_with_spans_pulled(phoenix_server: PhoenixFixture):
    rules = [Rule("/span_annotations", "drop", first=1)]
    with fault_proxy(phoenix_server.base_url, rules) as proxy:
        result = audit(proxy.url, "openinference_full", "--limit", "500")
    assert result.exit_code == 5, result.output
    assert "spans had been pulled" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_json_page_is_counted_and_the_rest_is_audited(phoenix_server: PhoenixFixture):
    import traceready.connectors.phoenix as phoenix_connector

    original = phoenix_connector.TRACES_PER_BATCH
    phoenix_connector.TRACES_PER_BATCH = 2
    try:
        with fault_proxy(phoenix_server.base_url, [Rule("/spans", "truncate", first=1, last=1)]) as proxy:
            result = audit(proxy.url, "openinference_full", "-f", "json")
    finally:
        phoenix_connector.TRACES_PER_BATCH = original
    assert result.exit_code == 0, result.output
    counts = orjson.loads(result.stdout)["counts"]
    assert counts["rejections"] == {"invalid_page": 2}
    assert counts["records_pulled"] == counts["spans_mapped"] + counts["records_rejected"]
    assert counts["spans_mapped"] > 0


def test_a_session_label_classifies_the_failures_of_its_traces(phoenix_server: PhoenixFixture):
    # Teams often label a whole conversation in Phoenix (a session annotation), not the failed span.
    import httpx

    from traceready.connectors.phoenix.local import iter_otlp_requests, post_otlp_requests, wait_for_spans

    project = "session_labelled"
    requests = [_fresh_ids(r) for r in iter_otlp_requests(phoenix_server.files["openinference_full"])]
    wait_for_spans(
        phoenix_server.base_url, project, post_otlp_requests(phoenix_server.base_url, project, requests)
    )

    def labelled() -> tuple[int, int]:
        report = orjson.loads(audit(phoenix_server.base_url, project, "-f", "json").stdout)
        failures = next(f for f in report["findings"] if f["requirement"] == "g")
        ratio = next(m for m in failures["metrics"] if m["metric"] == "g.failures_labelled")
        return ratio["numerator"], ratio["denominator"]

    assert labelled() == (0, 1)
    label = {"name": "failure_type", "annotator_kind": "HUMAN", "result": {"label": "tool_timeout"}}
    with httpx.Client(base_url=phoenix_server.base_url) as http:
        for session in ("sess-1-relabelled", "sess-3-relabelled"):  # sess-3: the Lisbon timeout
            response = http.post(
                "/v1/session_annotations",
                params={"sync": "true"},
                json={"data": [{**label, "session_id": session}]},
            )
            assert response.status_code == 200, response.text
    assert labelled() == (1, 1)


def _fresh_ids(request: dict) -> dict:
    """The request with new trace, span and session ids (Phoenix keeps each id once server-wide)."""
    import hashlib

    def fresh(value: str) -> str:
        return hashlib.sha256(f"relabelled:{value}".encode()).hexdigest()[: len(value)]

    for resource_spans in request["resourceSpans"]:
        for scope_spans in resource_spans["scopeSpans"]:
            for span in scope_spans["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if span.get(key):
                        span[key] = fresh(span[key])
                for attribute in span.get("attributes", []):
                    if attribute["key"] == "session.id":  # session ids are server-wide too
                        attribute["value"]["stringValue"] += "-relabelled"
    return request
