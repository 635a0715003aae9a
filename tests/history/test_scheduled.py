"""After an audit: recorded, judged against the previous audit or a baseline, gated, formats written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from traceready.errors import NotFoundError, UsageError
from traceready.findings import Status
from traceready.history import History
from traceready.report.json import render_json
from traceready.report.model import Report
from traceready.scheduled import FollowUp, check_follow_up, follow_up, gate
from traceready.settings import Settings
from traceready.waivers import Waiver

TODAY = date(2026, 12, 2)


def test_the_second_audit_of_a_target_is_judged_against_the_first(
    tmp_path: Path, sample_report: Callable[[str], Report]
) -> None:
    options = FollowUp(history=tmp_path / "h.sqlite", fail_on_regression=True, junit=tmp_path / "j.xml")
    (first,) = follow_up([("agent", sample_report("openinference_full"))], options, Settings(), today=TODAY)
    assert first.previous is None and gate([first], options, Settings()) == []
    (second,) = follow_up(
        [("agent", sample_report("llm_spans_no_tool_spans"))], options, Settings(), today=TODAY
    )
    assert second.previous is not None and second.previous.location == "openinference_full.otlp.jsonl"
    (reason,) = gate([second], options, Settings())
    assert reason == "agent: 2 regressions since the previous audit (--fail-on-regression)"
    assert next(r.describe() for r in second.regressions) == "b dropped PRESENT -> ABSENT"
    assert (tmp_path / "j.xml").read_text().count("<testcase") == 10
    with History.open(tmp_path / "h.sqlite") as history:
        assert len(history.audits("agent")) == 2


def test_without_fail_on_regression_a_regression_does_not_fail(
    tmp_path: Path, sample_report: Callable[[str], Report]
) -> None:
    options = FollowUp(history=tmp_path / "h.sqlite")
    follow_up([("agent", sample_report("openinference_full"))], options, Settings(), today=TODAY)
    (second,) = follow_up(
        [("agent", sample_report("llm_spans_no_tool_spans"))], options, Settings(), today=TODAY
    )
    assert second.regressions and gate([second], options, Settings()) == []


def test_no_history_neither_reads_nor_writes(tmp_path: Path, sample_report: Callable[[str], Report]) -> None:
    options = FollowUp(history=tmp_path / "h.sqlite", record=False)
    check_follow_up(options, Settings())
    (only,) = follow_up([("agent", sample_report("openinference_full"))], options, Settings(), today=TODAY)
    assert only.previous is None and not (tmp_path / "h.sqlite").exists()


def test_a_baseline_report_replaces_the_history_as_the_previous_audit(
    tmp_path: Path, sample_report: Callable[[str], Report]
) -> None:
    baseline = tmp_path / "main.json"
    baseline.write_text(render_json(sample_report("openinference_full")))
    options = FollowUp(record=False, baseline=baseline, fail_on_regression=True)
    check_follow_up(options, Settings())
    (judged,) = follow_up(
        [("branch", sample_report("llm_spans_no_tool_spans"))], options, Settings(), today=TODAY
    )
    assert judged.previous is not None and judged.previous.target == "branch"
    assert next(r.describe() for r in judged.regressions) == "b dropped PRESENT -> ABSENT"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(None, NotFoundError, id="missing"),
        pytest.param('{"format_version": "1.0"}', UsageError, id="not_a_report"),
        pytest.param("not json", UsageError, id="not_json"),
    ],
)
def test_a_bad_baseline_fails_before_the_audit(
    tmp_path: Path, content: str | None, error: type[Exception]
) -> None:
    baseline = tmp_path / "main.json"
    if content is not None:
        baseline.write_text(content)
    with pytest.raises(error, match="baseline report"):
        check_follow_up(FollowUp(record=False, baseline=baseline), Settings())


def test_fail_under_leaves_waived_requirements_out_until_they_expire(
    tmp_path: Path, sample_report: Callable[[str], Report]
) -> None:
    report = sample_report("openinference_full")  # score 0.7167: i and j UNKNOWN score 0
    options = FollowUp(record=False, fail_under=0.8)
    waivers = tuple(
        Waiver(target="agent", requirement=r, reason="batch agent", level=Status.ABSENT, expires=TODAY)
        for r in "ij"
    )
    settings = Settings(waivers=waivers)
    (on_time,) = follow_up([("agent", report)], options, settings, today=TODAY)
    assert on_time.gated_score == pytest.approx(0.8958, abs=1e-4) and gate([on_time], options, settings) == []
    (expired,) = follow_up([("agent", report)], options, settings, today=date(2026, 12, 3))
    (reason,) = gate([expired], options, settings)
    assert reason == "agent: overall score 0.72 is below --fail-under 0.80"
    assert all(o.expired for o in expired.outcomes if o.finding.requirement in "ij")
