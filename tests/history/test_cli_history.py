"""Scheduled checks through the command line: a named target whose traces got worse between audits."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from junitparser import JUnitXml
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from tests.conftest import SAMPLES
from traceready.cli import app
from traceready.history import History

FULL = SAMPLES / "openinference_full.otlp.jsonl"
NO_TOOL_SPANS = SAMPLES / "llm_spans_no_tool_spans.otlp.jsonl"


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def config(tmp_path: Path, sample: Path, extra: str = "") -> Path:
    """traceready.toml declaring the target "agent" as the OTel file ``sample``."""
    path = tmp_path / "traceready.toml"
    path.write_text(f'[targets.agent]\nsource = "otel"\npaths = ["{sample}"]\n{extra}')
    return path


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite"


def test_a_target_that_got_worse_regresses_and_fails_with_fail_on_regression(
    tmp_path: Path, history: Path
) -> None:
    first = invoke(
        "audit", "agent", "--config", config(tmp_path, FULL), "--history", history, "--fail-on-regression"
    )
    assert first.exit_code == 0, first.output
    assert first.stderr == ""  # nothing to say: a cron job that is fine stays quiet

    worse = config(tmp_path, NO_TOOL_SPANS)
    second = invoke("audit", "agent", "--config", worse, "--history", history, "--fail-on-regression")
    assert second.exit_code == 1, second.output
    assert "agent: 2 regressions since the audit of" in second.stderr
    assert "b dropped PRESENT -> ABSENT" in second.stderr
    assert "b.requested_calls_with_span fell from 1.00 (5 of 5) to 0.00 (0 of 5)" in second.stderr

    without_flag = invoke("audit", "agent", "--config", worse, "--history", history)
    assert without_flag.exit_code == 0, without_flag.output  # a regression alone is not a failure

    trend = invoke("history", "agent", "--config", worse, "--history", history)
    assert trend.exit_code == 0, trend.output
    line = next(line for line in trend.stdout.splitlines() if "│ b " in line)
    assert "█▁▁" in line and "PRESENT -> ABSENT on" in line
    assert "agent: 3 audits" in trend.stdout
    assert "No regression since the previous audit" in trend.stdout  # third audit equals the second


def test_history_json_and_html(tmp_path: Path, history: Path) -> None:
    for sample in (FULL, NO_TOOL_SPANS):
        result = invoke("audit", "agent", "--config", config(tmp_path, sample), "--history", history)
        assert result.exit_code == 0, result.output
    as_json = invoke("history", "--history", history, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    (agent,) = orjson.loads(as_json.stdout)
    b = next(r for r in agent["requirements"] if r["requirement"] == "b")
    assert [p["status"] for p in b["points"]] == ["PRESENT", "ABSENT"]
    page = tmp_path / "history.html"
    as_html = invoke("history", "agent", "--history", history, "--format", "html", "--out", page)
    assert as_html.exit_code == 0, as_html.output
    assert page.read_text().count("<svg") == 11


def test_history_since_leaves_older_audits_out(tmp_path: Path, history: Path) -> None:
    result = invoke("audit", "agent", "--config", config(tmp_path, FULL), "--history", history)
    assert result.exit_code == 0, result.output
    # The audit was recorded ten days ago; a window of the last week leaves it out.
    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    with sqlite3.connect(history) as db:
        db.execute("UPDATE audits SET audited_at = ?", (ten_days_ago,))
    later = invoke("history", "--history", history, "--since", "7d")
    assert (later.exit_code, later.stdout.strip()) == (0, "No audit recorded in this period.")


def test_history_of_an_unknown_target_is_not_found_with_close_names(tmp_path: Path, history: Path) -> None:
    invoke("audit", "agent", "--config", config(tmp_path, FULL), "--history", history)
    result = invoke("history", "agnet", "--history", history)
    assert result.exit_code == 4
    assert "no audit of 'agnet'" in result.stderr and "did you mean agent?" in result.stderr


def test_history_with_no_database_yet_is_not_found(tmp_path: Path) -> None:
    result = invoke("history", "--history", tmp_path / "none.sqlite")
    assert result.exit_code == 4 and "no history at" in result.stderr


def test_audits_record_in_the_user_data_dir_by_default_and_not_with_no_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = tmp_path / "data" / "traceready" / "history.sqlite"
    skipped = invoke("audit", "otel", FULL, "--no-history")
    assert skipped.exit_code == 0, skipped.output
    assert not default.exists()
    recorded = invoke("audit", "otel", FULL)
    assert recorded.exit_code == 0, recorded.output
    with History.open(default) as db:
        (audit,) = db.audits()
    assert audit.target == f"otel:{FULL}" and audit.mapped == 21


def test_junit_metrics_and_step_summary_together(tmp_path: Path, history: Path) -> None:
    summary = tmp_path / "summary.md"
    junit, metrics = tmp_path / "junit.xml", tmp_path / "traceready.prom"
    result = invoke(
        "audit", "agent", "--config", config(tmp_path, FULL), "--history", history,
        "--format", "json", "--junit", junit, "--metrics", metrics,
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["counts"]["spans_mapped"] == 21  # stdout stays the report's
    (suite,) = list(JUnitXml.fromfile(str(junit)))
    assert (suite.name, suite.tests, suite.failures) == ("agent", 10, 5)
    families = {f.name for f in text_string_to_metric_families(metrics.read_text())}
    assert "traceready_requirement_score" in families
    assert summary.read_text().startswith("### traceready: agent")


def test_compact_prints_one_line_per_requirement(tmp_path: Path, history: Path) -> None:
    result = invoke("audit", "agent", "--config", config(tmp_path, FULL), "--history", history, "--compact")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 11
    assert lines[0].split() == ["agent", "a", "PRESENT", "1.00", "ok"]
    assert lines[7].split() == ["agent", "h", "PARTIAL", "0.83", "BELOW", "h.cost_missing", "h.cost_unpriced"]
    report = tmp_path / "report.json"
    both = invoke("audit", "agent", "--config", tmp_path / "traceready.toml", "--no-history", "--compact",
                  "--format", "json", "--out", report)  # fmt: skip
    assert both.stdout == result.stdout and orjson.loads(report.read_text())["counts"]["traces"] == 6


def test_baseline_compares_with_a_saved_report_instead_of_the_history(tmp_path: Path) -> None:
    baseline = tmp_path / "main.json"
    saved = invoke("audit", "otel", FULL, "--format", "json", "--out", baseline, "--no-history")
    assert saved.exit_code == 0, saved.output
    result = invoke(
        "audit", "otel", NO_TOOL_SPANS, "--baseline", baseline, "--no-history", "--fail-on-regression"
    )
    assert result.exit_code == 1
    assert "b dropped PRESENT -> ABSENT" in result.stderr


def test_a_missing_baseline_fails_before_the_audit(tmp_path: Path) -> None:
    result = invoke(
        "audit", "otel", FULL, "--baseline", tmp_path / "nope.json", "--export-spans", tmp_path / "s"
    )
    assert result.exit_code == 4 and "baseline report not found" in result.stderr
    assert not (tmp_path / "s").exists()


def _waiver(expires: str) -> str:
    return (
        f'[[waivers]]\ntarget = "agent"\nrequirement = "j"\nreason = "evals next quarter"\n'
        f"expires = {expires}\n"
        f'[[waivers]]\ntarget = "agent"\nrequirement = "i"\nlevel = "ABSENT"\nreason = "batch agent"\n'
        f"expires = {expires}\n"
    )


def test_a_waiver_lifts_fail_under_until_it_expires(tmp_path: Path, history: Path) -> None:
    today = datetime.now(UTC).date()
    active = config(tmp_path, FULL, _waiver((today + timedelta(days=1)).isoformat()))
    waived = invoke("audit", "agent", "--config", active, "--history", history, "--fail-under", "0.85")
    assert waived.exit_code == 0, waived.output
    assert "j waived until" in waived.stderr and "evals next quarter" in waived.stderr

    expired = config(tmp_path, FULL, _waiver((today - timedelta(days=1)).isoformat()))
    failed = invoke(
        "audit", "agent", "--config", expired, "--history", history, "--fail-under", "0.85", "--compact"
    )
    assert failed.exit_code == 1
    assert "j waiver expired" in failed.stderr
    assert "agent: overall score 0.72 is below --fail-under 0.85" in failed.stderr
    j_line = next(line for line in failed.stdout.splitlines() if line.startswith("agent j "))
    assert j_line.split()[4] == "BELOW" and "waiver expired" in j_line


def test_a_bad_waiver_is_a_usage_error_naming_the_field(tmp_path: Path) -> None:
    bad = config(
        tmp_path,
        FULL,
        '[[waivers]]\ntarget = "agent"\nrequirement = "k"\nreason = "x"\nexpires = 2027-01-01\n',
    )
    result = invoke("audit", "agent", "--config", bad, "--no-history")
    assert result.exit_code == 2 and "waivers" in result.stderr


def test_compare_records_each_target_and_fails_on_its_regression(tmp_path: Path, history: Path) -> None:
    first = invoke(
        "compare", "agent", f"otel:{FULL}", "--config", config(tmp_path, FULL), "--history", history
    )
    assert first.exit_code == 0, first.output
    with History.open(history, create=False) as db:
        assert db.latest("agent") is not None
        assert db.latest(f"otel:{FULL}") is not None
    worse = invoke(
        "compare",
        "agent",
        f"otel:{FULL}",
        "--config",
        config(tmp_path, NO_TOOL_SPANS),
        "--history",
        history,
        "--fail-on-regression",
    )
    assert worse.exit_code == 1, worse.output
    assert "\n  b dropped PRESENT -> ABSENT\n" in worse.stderr
    assert "agent: 2 regressions since the previous audit (--fail-on-regression)" in worse.stderr
    assert f"otel:{FULL}: " not in worse.stderr  # the unchanged target did not regress
    untouched = invoke("compare", "agent", "--config", config(tmp_path, FULL), "--no-history")
    assert untouched.exit_code == 0, untouched.output
    with History.open(history, create=False) as db:
        assert len(db.audits("agent")) == 2
