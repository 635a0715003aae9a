"""Machine formats read back by real parsers: JUnit XML, OpenMetrics, the step summary, --compact."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus_text

from traceready.findings import Status
from traceready.history import record_of
from traceready.regressions import Assessment, assess
from traceready.report.junit import render_junit
from traceready.report.metrics import render_metrics, write_metrics
from traceready.report.model import Report
from traceready.report.summary import STEP_SUMMARY_LIMIT, append_step_summary, render_compact
from traceready.waivers import Waiver

TODAY = date(2026, 12, 2)


@pytest.fixture
def worse(sample_report: Callable[[str], Report]) -> Assessment:
    """The full sample, then the same target losing its tool spans; i waived as out of scope."""
    before = record_of(sample_report("openinference_full"), "agent")
    after = record_of(sample_report("llm_spans_no_tool_spans"), "agent")
    i_out = Waiver(target="agent", requirement="i", level=Status.ABSENT, reason="batch", expires=TODAY)
    return assess(after, before, waivers=(i_out,), today=TODAY)


def test_junit_has_one_case_per_requirement_failing_below_bar_or_regressed(
    tmp_path: Path, worse: Assessment
) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(render_junit([worse]))
    xml = JUnitXml.fromfile(str(path))
    (suite,) = list(xml)
    cases = {case.name.split(")")[0]: case for case in suite}
    assert sorted(cases) == list("abcdefghij")
    assert suite.name == "agent" and suite.tests == 10
    b_result = cases["b"].result
    assert len(b_result) == 1 and isinstance(b_result[0], Failure)
    assert b_result[0].type == "regression"
    assert "b dropped PRESENT -> ABSENT" in b_result[0].message
    assert "b.requested_calls_with_span: 0 of 5 requested tool calls" in b_result[0].text
    assert "b.requested_calls_with_span fell from 1.00 (5 of 5) to 0.00 (0 of 5)" in b_result[0].message
    assert cases["a"].is_passed
    f_result = cases["f"].result[0]
    assert isinstance(f_result, Failure) and f_result.type == "below_bar"
    assert "PARTIAL, must reach PRESENT" in f_result.message
    i_result = cases["i"].result
    assert cases["i"].is_passed and not i_result  # bar lowered to ABSENT: met, so it passes
    failed = {name for name, case in cases.items() if not case.is_passed}
    assert failed == {"b", "f", "g", "h", "j"}
    assert suite.failures == 5


def test_junit_marks_a_waived_failure_as_skipped(worse: Assessment) -> None:
    waived = assess(
        worse.record,
        worse.previous,
        waivers=(Waiver(target="*", requirement="j", reason="no evals yet", expires=TODAY),),
        today=TODAY,
    )
    root = ET.fromstring(render_junit([waived]))
    (case,) = [c for c in root.iter("testcase") if c.get("name", "").startswith("j)")]
    skipped = case.find("skipped")
    assert skipped is not None and "waived until 2026-12-02: no evals yet" in skipped.get("message", "")
    xml = JUnitXml.fromstring(render_junit([waived]))
    (suite,) = list(xml)
    j = next(c for c in suite if c.name.startswith("j)"))
    assert isinstance(j.result[0], Skipped)


def test_openmetrics_parses_with_both_prometheus_parsers(tmp_path: Path, worse: Assessment) -> None:
    path = tmp_path / "traceready.prom"
    write_metrics([worse], path)
    text = path.read_text()
    assert text.endswith("# EOF\n")
    families = {f.name: f for f in parse_openmetrics(text)}
    score = {s.labels["requirement"]: s.value for s in families["traceready_requirement_score"].samples}
    status = {s.labels["requirement"]: s.value for s in families["traceready_requirement_status"].samples}
    assert (score["a"], status["a"]) == (1.0, 3.0)
    assert (score["b"], status["b"]) == (0.0, 1.0)
    regressions = {
        s.labels["requirement"]: s.value for s in families["traceready_requirement_regressions"].samples
    }
    assert regressions["b"] >= 2 and regressions["a"] == 0
    records = {s.labels["kind"]: s.value for s in families["traceready_records"].samples}
    assert records == {"pulled": 16.0, "mapped": 16.0, "rejected": 0.0}
    (stamp,) = families["traceready_audit_timestamp_seconds"].samples
    assert stamp.value == worse.record.audited_at.timestamp() and stamp.labels == {"target": "agent"}
    assert families["traceready_audit_timestamp_seconds"].unit == "seconds"
    # The node-exporter textfile collector reads the Prometheus text format: it reads this file too.
    classic = {f.name for f in parse_prometheus_text(text)}
    assert {"traceready_requirement_score", "traceready_records"} <= classic


def test_metrics_are_written_by_rename_so_a_reader_never_sees_half_a_file(
    tmp_path: Path, worse: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "traceready.prom"
    path.write_text("old complete file\n")
    import traceready.report.metrics as metrics

    def broken(assessments: list[Assessment]) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(metrics, "render_metrics", broken)
    with pytest.raises(RuntimeError):
        write_metrics([worse], path)
    assert path.read_text() == "old complete file\n"
    assert list(tmp_path.iterdir()) == [path]
    monkeypatch.undo()
    write_metrics([worse], path)
    assert path.read_text() == render_metrics([worse])
    assert list(tmp_path.iterdir()) == [path]


def test_compact_is_one_line_per_requirement_with_gap_ids(worse: Assessment) -> None:
    lines = render_compact([worse]).splitlines()
    assert len(lines) == 11
    b_line = next(line for line in lines if line.startswith("agent b "))
    assert b_line.split()[:5] == ["agent", "b", "ABSENT", "0.00", "REGRESSED"]
    assert "b.tool_spans_missing" in b_line
    assert next(line for line in lines if line.startswith("agent i ")).split()[4] == "waived"
    assert lines[-1].startswith("agent overall 0.55, ")


def test_step_summary_is_appended_when_github_sets_the_variable(
    tmp_path: Path, worse: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert append_step_summary([worse]) == summary
    text = summary.read_text()
    assert text.startswith("# earlier step\n### traceready: agent")
    assert "| b | Tool-call granularity | ABSENT | 0.00 | REGRESSED | b dropped PRESENT -> ABSENT;" in text
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    assert append_step_summary([worse]) is None


def test_step_summary_stays_under_the_1_mib_cap(tmp_path: Path, worse: Assessment) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("x" * (STEP_SUMMARY_LIMIT - 2000) + "\n")
    append_step_summary([worse] * 20, summary)
    assert summary.stat().st_size < STEP_SUMMARY_LIMIT
    assert summary.read_text().endswith("summary cut to stay under GitHub's 1 MiB step-summary limit._\n")
