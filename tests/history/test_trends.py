"""``traceready history`` output: sparklines, status changes, the last change, regressions, HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import orjson
import pytest

from tests.history.conftest import record
from traceready.errors import NotFoundError
from traceready.findings import Status
from traceready.history import History
from traceready.report.trends import TREND_RENDERERS, sparkline
from traceready.settings import Settings
from traceready.trends import TargetTrend, read_trends

START = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
ARGS = "b.tool_spans_with_arguments"


@pytest.fixture
def trends(tmp_path: Path) -> list[TargetTrend]:
    """prod: b PRESENT, PRESENT, then PARTIAL with a ratio down from 0.96 to 0.70; staging: one audit."""
    runs = [(Status.PRESENT, 480), (Status.PRESENT, 490), (Status.PARTIAL, 350)]
    with History.open(tmp_path / "h.sqlite") as history:
        for day, (status, met) in enumerate(runs):
            findings = {
                "b": (status, [(ARGS, met, 500)]),
                "h": (Status.ABSENT, [("h.llm_spans_with_cost", 0, 9)]),
            }
            history.add(record("prod", at=START + timedelta(days=day), findings=findings))
        history.add(record("staging", at=START))
        return read_trends(history, None, since=None, settings=Settings(), today=date(2026, 11, 5))


def test_sparkline_maps_scores_to_eight_levels() -> None:
    assert sparkline([0.0, 0.5, 0.99, 1.0]) == "▁▅██"


def test_each_requirement_has_its_scores_changes_and_last_change(trends: list[TargetTrend]) -> None:
    prod, staging = trends
    assert (prod.target, prod.audits, staging.audits) == ("prod", 3, 1)
    b = next(r for r in prod.requirements if r.requirement == "b")
    assert [p.score for p in b.points] == [0.96, 0.98, 0.7]
    assert b.last_change is not None
    assert (b.last_change.before, b.last_change.after) == (Status.PRESENT, Status.PARTIAL)
    assert b.last_change.audited_at == START + timedelta(days=2)
    h = next(r for r in prod.requirements if r.requirement == "h")
    assert h.last_change is None


def test_regressions_are_since_the_previous_audit_only(trends: list[TargetTrend]) -> None:
    prod = trends[0]
    assert prod.latest.previous is not None and prod.latest.previous.audited_at == START + timedelta(days=1)
    assert [r.describe() for r in prod.latest.regressions] == [
        "b dropped PRESENT -> PARTIAL",
        "b.tool_spans_with_arguments fell from 0.98 (490 of 500) to 0.70 (350 of 500)",
    ]
    assert trends[1].latest.previous is None


def test_table_shows_the_trend_last_change_and_regressions(trends: list[TargetTrend]) -> None:
    text = TREND_RENDERERS["table"](trends, False)
    assert "prod: 3 audits, 2026-11-01 06:00 to 2026-11-03 06:00" in text
    line = next(line for line in text.splitlines() if "│ b " in line)
    assert "│ ██▆ " in line and "PARTIAL" in line
    assert "PRESENT -> PARTIAL on 2026-11-03 06:00" in text
    assert "Regressions since the previous audit (2026-11-02 06:00):" in text
    assert "First audit of this target: nothing to compare yet." in text


def test_markdown_has_a_table_per_target(trends: list[TargetTrend]) -> None:
    text = TREND_RENDERERS["md"](trends, False)
    assert "## prod" in text and "## staging" in text
    assert "| b | requirement b | `██▆` | PARTIAL | 0.70 | PRESENT -> PARTIAL on 2026-11-03 06:00 |" in text


def test_json_is_the_trend_model(trends: list[TargetTrend]) -> None:
    data = orjson.loads(TREND_RENDERERS["json"](trends, False))
    assert [t["target"] for t in data] == ["prod", "staging"]
    b = next(r for r in data[0]["requirements"] if r["requirement"] == "b")
    assert [c["after"] for c in b["changes"]] == ["PARTIAL"]
    b_outcome = next(o for o in data[0]["latest"]["outcomes"] if o["finding"]["requirement"] == "b")
    assert [r["kind"] for r in b_outcome["regressions"]] == ["level", "criterion"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.external += [v for k, v in attrs if k in ("src", "href") and v]


def test_html_is_self_contained_with_an_svg_chart_per_requirement(trends: list[TargetTrend]) -> None:
    text = TREND_RENDERERS["html"](trends, False)
    page = _Page()
    page.feed(text)
    assert page.external == [] and "script" not in page.tags
    # 1 overall chart and 2 requirement charts for prod, 1 + 1 for staging
    assert page.tags.count("svg") == 5
    svg = text[text.index("<svg") : text.index("</svg>") + 6]
    chart = ET.fromstring(svg)  # each chart is well-formed XML
    assert len(chart.findall("{http://www.w3.org/2000/svg}circle")) == 3
    assert 'class="regressed"' in text


def test_an_unknown_target_is_not_found_with_close_names(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        history.add(record("prod-langsmith"))
        with pytest.raises(NotFoundError, match="no audit of 'prod-langsmit'") as caught:
            read_trends(history, "prod-langsmit", since=None, settings=Settings(), today=date(2026, 12, 1))
    assert caught.value.hint == "did you mean prod-langsmith?"


def test_on_a_terminal_each_block_of_the_sparkline_has_its_status_colour(trends: list[TargetTrend]) -> None:
    text = TREND_RENDERERS["table"](trends, True)
    line = next(line for line in text.splitlines() if "requirement b" in line)
    assert "\x1b[32m█\x1b[0m\x1b[32m█\x1b[0m\x1b[33m▆\x1b[0m" in line  # green, green, yellow
