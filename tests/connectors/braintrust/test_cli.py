"""``traceready audit braintrust`` against a fake Braintrust on a loopback socket: a case per exit code."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from tests.connectors.braintrust.fake import KEY, FakeBraintrust
from tests.connectors.braintrust.server import serve
from traceready.cli import app

PROJECT = "travel-agent-traced-tools"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BRAINTRUST_API_URL", "BRAINTRUST_ORG_NAME", "BRAINTRUST_PROJECT", "BRAINTRUST_APP_URL"):
        monkeypatch.delenv(name, raising=False)


def audit(url: str, *extra: str, key: str = KEY, project: str = PROJECT):
    args = ["audit", "braintrust", "--since", "3650d", *extra]
    if project:
        args += ["--project", project]
    env = {"BRAINTRUST_API_KEY": key, "BRAINTRUST_APP_URL": url}
    return CliRunner(env=env).invoke(app, args)


def test_audit_prints_json_verdicts_and_exits_0() -> None:
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        result = audit(url, "-f", "json")
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["connector"] == "braintrust"
    assert report["target"] == f"project {PROJECT} at {url}"
    assert report["counts"]["spans_mapped"] == 21
    assert [f["status"] for f in report["findings"]][:5] == ["PRESENT"] * 5
    assert KEY not in result.output


def test_rejected_key_exits_3_naming_the_variable() -> None:
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        result = audit(url, key="wrong-key-0123456789")
    assert result.exit_code == 3, result.output
    assert result.stderr.strip() == (
        "traceready: error: Braintrust rejected the credentials (401) (set BRAINTRUST_API_KEY)"
    )
    assert "wrong-key-0123456789" not in result.output


def test_missing_key_exits_3() -> None:
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        result = audit(url, key="")
    assert result.exit_code == 3, result.output
    assert result.stderr.strip() == "traceready: error: no Braintrust API key (set BRAINTRUST_API_KEY)"


def test_unknown_project_exits_4_with_close_names() -> None:
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        result = audit(url, project="travel-agent-traced")
    assert result.exit_code == 4, result.output
    assert result.stderr.strip() == (
        "traceready: error: Braintrust has no project 'travel-agent-traced' "
        "(did you mean travel-agent-traced-tools?)"
    )


def test_persistent_5xx_exits_5_after_bounded_retries() -> None:
    import httpx

    fake = FakeBraintrust(
        "logger_traced_tools",
        fault=lambda r, n: (
            httpx.Response(502, headers={"retry-after": "0"}) if r.url.path == "/btql" else None
        ),
    )
    with serve(fake) as url:
        result = audit(url)
    assert result.exit_code == 5, result.output
    assert "Braintrust kept answering 502 after 6 attempts; 0 spans had been pulled" in result.stderr
    assert len(fake.btql_bodies()) == 6


def test_server_unreachable_exits_5(monkeypatch: pytest.MonkeyPatch) -> None:
    import traceready.connectors.braintrust as module
    from traceready.http import RetryPolicy

    # Backoff without Retry-After is seconds long; the bound, not the wait, is what this test checks.
    monkeypatch.setattr(module, "RETRY", RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05))
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        pass  # stopped: nothing listens there any more
    result = audit(url, "--api-url", url)
    assert result.exit_code == 5, result.output
    assert "Braintrust is unreachable" in result.stderr
    assert "Traceback" not in result.output


def test_rate_limit_wait_is_summed_up_once_off_a_terminal_and_the_audit_completes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import httpx

    fake = FakeBraintrust(
        "logger_traced_tools",
        fault=lambda r, n: (
            httpx.Response(429, headers={"retry-after": "1"}) if r.url.path == "/btql" and n == 4 else None
        ),
    )
    with serve(fake) as url:
        result = audit(url, "-f", "json")
    assert result.exit_code == 0, result.output
    assert "waiting" not in result.stderr  # nothing per retry in a log
    assert [r.getMessage() for r in caplog.records if "spent waiting" in r.getMessage()] == [
        "Braintrust: 1 retry, 1 s spent waiting"
    ]
    assert orjson.loads(result.stdout)["counts"]["spans_mapped"] == 21


def test_no_project_exits_2() -> None:
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        result = audit(url, project="")
    assert result.exit_code == 2, result.output
    assert "no Braintrust project given" in result.stderr


def test_limit_and_sample_flags_reach_the_connector() -> None:
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        limited = orjson.loads(audit(url, "-f", "json", "--limit", "2").stdout)
        sampled = orjson.loads(audit(url, "-f", "json", "--sample", "3", "--seed", "1").stdout)
    assert limited["counts"]["traces"] == 2
    assert limited["window"].endswith("; newest 2 traces")
    assert sampled["sample"] == {"traces_drawn": 3, "traces_in_window": 6}


def test_project_and_org_from_traceready_toml_and_the_org_header(tmp_path) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text(f'[braintrust]\nproject = "{PROJECT}"\norg_name = "traceready-local"\n')
    fake = FakeBraintrust("logger_traced_tools")
    with serve(fake) as url:
        result = audit(url, "-f", "json", "--config", str(config), project="")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["counts"]["spans_mapped"] == 21
    assert {r.headers.get("x-bt-org-name") for r in fake.requests} == {"traceready-local"}
    assert all(r.url.params.get("org_name") == "traceready-local" for r in fake.requests if r.method == "GET")


def test_an_org_the_key_does_not_belong_to_exits_4() -> None:
    with serve(FakeBraintrust("logger_traced_tools")) as url:
        result = audit(url, "--org", "someone-else")
    assert result.exit_code == 4, result.output
    assert result.stderr.strip() == (
        "traceready: error: the API key has no Braintrust organization 'someone-else' "
        "(organizations: traceready-local; set BRAINTRUST_ORG_NAME)"
    )


def test_environments_and_retention_reach_the_printed_report() -> None:
    from tests.connectors.braintrust.fake import environment, project_automation, retention_config, summary

    project_id = summary("logger_traced_tools")["project"]["id"]
    fake = FakeBraintrust(
        "logger_traced_tools",
        environments=[environment("production"), environment("staging")],
        project_automations=[project_automation(project_id, retention_config(30))],
    )
    with serve(fake) as url:
        as_json = audit(url, "-f", "json")
        as_markdown = audit(url, "-f", "md")
    assert as_json.exit_code == as_markdown.exit_code == 0, as_json.output
    inventory = orjson.loads(as_json.stdout)["inventory"]
    assert (inventory["environments"], inventory["retention_days"]) == (["production", "staging"], 30)
    assert "environments: production, staging" in as_markdown.stdout
    assert "retention days 30" in as_markdown.stdout


def test_a_missing_environment_route_leaves_them_unknown_without_a_traceback() -> None:
    with serve(FakeBraintrust("logger_traced_tools", environments=None, org_automations=None)) as url:
        result = audit(url, "-f", "json")
    assert result.exit_code == 0, result.output
    inventory = orjson.loads(result.stdout)["inventory"]
    assert (inventory["environments"], inventory["retention_days"]) == (None, None)
    assert "Traceback" not in result.output
