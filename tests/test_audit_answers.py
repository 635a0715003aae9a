"""``traceready audit answers``: the a-j audit from the interview alone, every finding self-reported.

The verdicts below were decided from each file's answers before the command was first run.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from traceready.cli import app
from traceready.connector import get_connector
from traceready.recommend import load_catalog

ANSWERS = Path(__file__).parent / "answers"


def audit(name: str, *flags: str) -> dict:
    result = CliRunner().invoke(app, ["audit", "answers", str(ANSWERS / name), "-f", "json", *flags])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def statuses(report: dict) -> str:
    return " ".join(f"{f['requirement']}={f['status']}" for f in report["findings"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "text_logs_only.toml",
            "a=ABSENT b=ABSENT c=ABSENT d=ABSENT e=ABSENT f=ABSENT g=ABSENT h=ABSENT i=ABSENT j=ABSENT",
            id="text_logs_only",
        ),
        pytest.param(
            "partial_instrumentation.toml",
            "a=PARTIAL b=PARTIAL c=UNKNOWN d=PRESENT e=PARTIAL "
            "f=UNKNOWN g=PARTIAL h=PARTIAL i=UNKNOWN j=PARTIAL",
            id="partial_instrumentation",
        ),
        pytest.param(
            "reports_everything.toml",
            "a=PRESENT b=PRESENT c=PRESENT d=PRESENT e=PRESENT "
            "f=PRESENT g=PRESENT h=PRESENT i=PRESENT j=PRESENT",
            id="reports_everything",
        ),
    ],
)
def test_each_team_gets_the_verdicts_its_answers_support(name: str, expected: str) -> None:
    report = audit(name)
    assert statuses(report) == expected
    assert {f["evidence"] for f in report["findings"]} == {"self-reported"}
    assert report["overall"]["self_reported"] == list("abcdefghij")
    assert report["counts"]["records_pulled"] == 0
    assert report["connector"] == "answers"


def test_text_logs_only_gets_the_first_steps_to_take() -> None:
    report = audit("text_logs_only.toml")
    findings = {f["requirement"]: f for f in report["findings"]}
    assert findings["a"]["reason"].startswith("Only final outputs are logged")
    assert findings["a"]["gaps"] == ["a.no_llm_spans"]
    # No vendor named: OpenTelemetry's fixes, the first step for a team with text logs.
    otel = load_catalog(get_connector("otel").package_dir() / "recommendations.yaml")
    assert findings["a"]["recommendations"][0]["title"] == otel.root["a.no_llm_spans"].title
    assert findings["d"]["gaps"] == ["d.span_kinds_unknown", "d.unstructured_io"]
    assert report["overall"]["score"] == 0.0
    # Blockers in priority order: without structure and full steps nothing else helps.
    assert report["overall"]["verdict"] == (
        "Not ready (absent: d, a, b, e, j, f, g, c, h, i). Fix first: d) Structured format."
    )


def test_partial_instrumentation_names_what_is_missing_and_recommends_mast() -> None:
    report = audit("partial_instrumentation.toml")
    findings = {f["requirement"]: f for f in report["findings"]}
    assert findings["b"]["reason"] == "Some tools' calls are not logged one by one (not logged: web_fetch)."
    assert findings["c"]["reason"] == "Not sure whether model calls record the tools offered and chosen."
    assert findings["f"]["reason"] == "Not sure whether traces record the harness version."
    assert findings["g"]["gaps"] == ["g.no_failure_taxonomy"]
    assert any(note.startswith("Label failures with MAST") for note in findings["g"]["notes"])
    assert findings["e"]["gaps"] == ["e.seed_missing"]
    # j: a dataset, experiments and evaluators, but the last run is months old.
    j = {m["metric"]: (m["numerator"], m["denominator"]) for m in findings["j"]["metrics"]}
    assert j["j.recent_runs"] == (0, 1)
    assert j["j.datasets"] == (1, 1)
    # The answers name LangSmith, so the fixes are LangSmith's.
    langsmith = load_catalog(get_connector("langsmith").package_dir() / "recommendations.yaml")
    assert findings["h"]["recommendations"][0]["title"] == langsmith.root["h.cost_missing"].title
    assert report["agent"] == {
        "architecture": "multi",
        "description": "A planner hands research and writing to two worker agents",
        "failure_taxonomy": "MAST",
        "models": ["gpt-4.1", "claude-sonnet-4"],
        "tools": ["web_search", "web_fetch", "write_doc"],
    }


def test_reports_everything_is_ready_and_says_so_is_self_reported() -> None:
    report = audit("reports_everything.toml")
    assert report["overall"]["ready"] is True
    assert (
        report["overall"]["verdict"]
        == "Ready: every requirement is met (a, b, c, d, e, f, g, h, i, j self-reported)."
    )
    assert report["agent"]["failure_taxonomy"] == "TRAIL"


def test_every_format_marks_the_findings_self_reported_and_shows_the_agent() -> None:
    path = str(ANSWERS / "partial_instrumentation.toml")
    table = CliRunner().invoke(app, ["audit", "answers", path]).stdout
    markdown = CliRunner().invoke(app, ["audit", "answers", path, "-f", "md"]).stdout
    words = " ".join(table.split())  # the terminal report wraps to its width
    assert "agent: A planner hands research and writing to two worker agents; several agents" in words
    assert words.count("(self-reported)") >= 10
    assert "- Agent: A planner hands research and writing to two worker agents; several agents" in markdown
    assert markdown.count("| self-reported |") == 10


def test_the_answers_file_is_a_target_too() -> None:
    path = ANSWERS / "reports_everything.toml"
    result = CliRunner().invoke(app, ["audit", f"answers:{path}", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["overall"]["ready"] is True


def test_a_first_format_answers_file_still_audits(tmp_path: Path) -> None:
    first = tmp_path / "answers.toml"
    first.write_text("[sandbox]\nexperiments_isolated = true\n\n[retention]\ndays = 30\n")
    result = CliRunner().invoke(app, ["audit", "answers", str(first), "-f", "json"])
    assert result.exit_code == 0, result.output
    findings = {f["requirement"]: f for f in orjson.loads(result.stdout)["findings"]}
    assert (findings["i"]["status"], findings["i"]["evidence"]) == ("PRESENT", "self-reported")
    assert findings["a"]["status"] == "UNKNOWN"


def test_an_observed_fact_wins_and_a_contradiction_is_reported() -> None:
    # The sample traces record every model call; these answers say only final outputs are logged.
    result = CliRunner().invoke(
        app,
        [
            "audit",
            "otel",
            str(SAMPLES / "openinference_full.otlp.jsonl"),
            "--answers",
            str(ANSWERS / "text_logs_only.toml"),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    findings = {f["requirement"]: f for f in orjson.loads(result.stdout)["findings"]}
    assert (findings["a"]["status"], findings["a"]["evidence"]) == ("PRESENT", "observed")
    assert (
        "Contradiction: self-reported ABSENT (Only final outputs are logged, not the model calls between "
        "input and output), but observed PRESENT." in findings["a"]["notes"]
    )


def test_an_unreadable_answers_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "answers.toml"
    bad.write_text('version = 2\n[logging]\nreasoning = "most of it"\n')
    result = CliRunner().invoke(app, ["audit", "answers", str(bad)])
    assert result.exit_code == 2
    assert "logging.reasoning" in result.output
    assert "Traceback" not in result.output


def test_a_newer_answers_format_exits_2(tmp_path: Path) -> None:
    newer = tmp_path / "answers.toml"
    newer.write_text("version = 3\n")
    result = CliRunner().invoke(app, ["audit", "answers", str(newer)])
    assert result.exit_code == 2
    assert "newer than this traceready reads" in result.output
