"""The terminal report fits the terminal: a table when wide, stacked blocks when narrow, hanging indents."""

from __future__ import annotations

import pytest

from tests.test_scenarios import audit
from traceready.findings import Evidence
from traceready.report.model import Report
from traceready.report.terminal import STACK_BELOW, reason_of, render_terminal


@pytest.fixture(scope="module")
def report() -> Report:
    return audit("openinference_full")


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [80, 100, 160])
def test_no_line_is_wider_than_the_terminal(report: Report, width: int) -> None:
    lines = _lines(render_terminal(report, colour=False, width=width))
    # Only a link may run past the edge: it is left whole for the terminal to wrap, so it stays clickable.
    assert [line for line in lines if len(line) > width and not line.lstrip().startswith("https://")] == []


def test_the_width_comes_from_the_terminal_when_not_given(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    narrow = _lines(render_terminal(report, colour=False))
    assert any("┃ requirement" in line for line in narrow)
    assert max(len(line) for line in narrow if "https://" not in line) <= 100
    monkeypatch.setenv("COLUMNS", "160")
    wide = _lines(render_terminal(report, colour=False))
    assert max(len(line) for line in wide if "https://" not in line) > 120


@pytest.mark.parametrize("width", [100, 160])
def test_a_wide_terminal_gets_one_table_row_per_requirement(report: Report, width: int) -> None:
    lines = _lines(render_terminal(report, colour=False, width=width))
    for finding in report.findings:
        row = next(line for line in lines if f" {finding.title} " in line)
        # The id, title, status and score share the row: nothing hard-wraps into a narrow column.
        assert finding.status.value in row, row
        assert f"{finding.score:.2f}" in row, row


def test_a_narrow_terminal_stacks_each_requirement(report: Report) -> None:
    assert STACK_BELOW > 80
    lines = _lines(render_terminal(report, colour=False, width=80))
    assert not any("requirement" in line and "status" in line for line in lines)  # no table header
    for finding in report.findings:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{finding.requirement})"))
        assert f"{finding.title}  {finding.status.value} {finding.score:.2f}" in lines[index]
        # The reason starts under the title, indented past the requirement id.
        assert lines[index + 1].startswith("   ") and lines[index + 1].strip()


@pytest.mark.parametrize("width", [80, 100, 160])
def test_top_fixes_wrap_with_a_hanging_indent(report: Report, width: int) -> None:
    lines = _lines(render_terminal(report, colour=False, width=width))
    start = lines.index("Top fixes:")
    fixes = lines[start + 1 :]
    assert fixes[0].startswith("  ") and fixes[0].strip()[1] == ")"
    for line in fixes:
        assert line.startswith("  "), f"wrapped back to column 0: {line!r}"
    urls = [line for line in fixes if "https://" in line]
    assert len(urls) == len([line for line in fixes if line.lstrip()[1:2] == ")"])


def test_the_evidence_source_is_said_once(report: Report) -> None:
    finding = report.findings[0].model_copy(
        update={
            "reason": "Experiments run apart from production (self-reported).",
            "evidence": Evidence.SELF_REPORTED,
        }
    )
    assert reason_of(finding) == "Experiments run apart from production (self-reported)."
    plain = finding.model_copy(update={"reason": "2 datasets with examples."})
    assert reason_of(plain) == "2 datasets with examples (self-reported)."


def test_a_ready_report_does_not_call_its_remaining_fixes_top_fixes(report: Report) -> None:
    ready = report.model_copy(update={"overall": report.overall.model_copy(update={"ready": True})})
    text = render_terminal(ready, colour=False, width=100)
    assert "Top fixes:" not in text
    assert "Still worth fixing (the verdict stands):" in text
