"""``traceready demo --compare``: the same agent before and after the recommended fixes, side by side.

The two samples (``samples/demo/``) were recorded by real OpenInference instrumentation against the
fake LLM (MANIFEST.toml); the after-agent must score better for the reasons its spans show.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from traceready.cli import app

DEMO = Path(__file__).resolve().parents[1] / "src" / "traceready" / "samples" / "demo"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def _sides(report: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    before, after = report["targets"]
    assert (before["label"], after["label"]) == ("before", "after")
    return before["report"], after["report"]


def _metric(side: dict[str, Any], requirement: str, metric: str) -> tuple[int, int]:
    finding = next(f for f in side["findings"] if f["requirement"] == requirement)
    ratio = next(r for r in finding["metrics"] if r["metric"] == metric)
    return ratio["numerator"], ratio["denominator"]


def _statuses(side: dict[str, Any]) -> dict[str, str]:
    return {f["requirement"]: f["status"] for f in side["findings"]}


def test_the_samples_are_the_same_agent_recorded_twice_as_the_manifest_says() -> None:
    manifest = tomllib.loads((DEMO / "MANIFEST.toml").read_text(encoding="utf-8"))
    assert manifest["command"] == "scripts/generate-samples --demo"
    files = manifest["files"]
    assert set(files) == {"before_fixes", "after_fixes"}
    for name, entry in files.items():
        path = DEMO / entry["path"]
        assert path.stat().st_size == entry["bytes"], name
        assert len(path.read_text(encoding="utf-8").splitlines()) == entry["lines"] == entry["traces"] == 6
    before, after = files["before_fixes"], files["after_fixes"]
    # The same model calls; the fixes add the tool spans and the context attributes.
    assert before["span_names"]["ChatCompletion"] == after["span_names"]["ChatCompletion"] == 10
    assert "get_weather" not in before["span_names"] and after["span_names"]["get_weather"] == 4
    for key in ("session.id", "user.id", "metadata", "tool_call.id", "error.type"):
        assert key not in before["attribute_keys"] and key in after["attribute_keys"], key


def test_demo_compare_through_a_real_local_phoenix() -> None:
    result = invoke("demo", "--compare", "--format", "json")
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    before, after = _sides(report)
    assert before["connector"] == after["connector"] == "phoenix"
    assert before["target"].startswith("project travel-agent-before at http://127.0.0.1:")
    assert after["target"].startswith("project travel-agent-after at http://127.0.0.1:")
    assert (before["counts"]["spans_mapped"], after["counts"]["spans_mapped"]) == (16, 21)
    # The verdict changes, and for the reasons the spans show.
    assert before["overall"]["ready"] is False
    assert after["overall"]["ready"] is True
    assert after["overall"]["score"] > before["overall"]["score"]
    assert report["readiest"] == "after"
    assert _metric(before, "b", "b.requested_calls_with_span") == (0, 5)
    assert _metric(after, "b", "b.requested_calls_with_span") == (5, 5)
    assert _metric(before, "e", "e.traces_with_session_id") == (0, 6)
    assert _metric(after, "e", "e.traces_with_session_id") == (6, 6)
    assert _metric(before, "f", "f.traces_with_version") == (0, 6)
    assert _metric(after, "f", "f.traces_with_version") == (6, 6)
    old, new = _statuses(before), _statuses(after)
    assert (old["b"], new["b"]) == ("ABSENT", "PRESENT")
    assert (old["f"], new["f"]) == ("ABSENT", "PRESENT")
    assert (old["g"], new["g"]) == ("UNKNOWN", "PRESENT")  # the failed tool call is visible only after
    # What the server holds besides spans is the same for both, so i and j do not move.
    assert (old["i"], old["j"]) == (new["i"], new["j"]) == ("PRESENT", "PRESENT")
    # Each lack names the Phoenix fix that closes it.
    rows = {row["requirement"]: row for row in report["requirements"]}
    (lack,) = [x for x in rows["b"]["lacks"] if x["metric"] == "b.requested_calls_with_span"]
    assert (lack["target"], lack["leader"], lack["gap"]) == ("before", "after", "b.tool_spans_missing")
    assert "@tracer.tool" in lack["fix"]["title"]
    # On stderr: the before/after in words, which fix closed which gap, what was loaded.
    assert "Before → after: Not ready, score " in result.stderr
    assert "→ Ready, score 1.00, 10 of 10 PRESENT" in result.stderr
    assert "closed b.tool_spans_missing by: Trace each tool with @tracer.tool" in result.stderr
    assert "closed e.session_id_missing by: Group turns into Phoenix sessions" in result.stderr
    assert "Both sit in one local server" in result.stderr


def test_demo_compare_without_a_server_reads_the_two_files() -> None:
    result = invoke("demo", "--compare", "--no-server", "--format", "json")
    assert result.exit_code == 0, result.output
    before, after = _sides(orjson.loads(result.stdout))
    assert before["connector"] == after["connector"] == "otel"
    assert after["overall"]["score"] > before["overall"]["score"]
    old, new = _statuses(before), _statuses(after)
    assert (old["b"], new["b"]) == ("ABSENT", "PRESENT")
    assert (old["e"], new["e"]) == ("PARTIAL", "PRESENT")
    # A file holds no dataset or experiment: j is unknown on both sides, and the epilogue says why.
    assert old["j"] == new["j"] == "UNKNOWN"
    assert "a file cannot hold datasets, experiments or labels" in result.stderr
    assert "closed b.tool_spans_missing by:" in result.stderr


def test_demo_compare_prints_the_table_by_default() -> None:
    result = invoke("demo", "--compare", "--no-server")
    assert result.exit_code == 0, result.output
    assert "traceready compare: 2 targets" in result.stdout
    assert "What each target lacks against the one that records the most:" in result.stdout


def test_demo_compare_refuses_a_format_it_has_not() -> None:
    result = invoke("demo", "--compare", "--no-server", "--format", "junit")
    assert result.exit_code == 2
    assert result.stderr.startswith("traceready: error: unknown format 'junit'")


def test_the_plain_demo_points_at_the_before_after() -> None:
    result = invoke("demo", "--no-server", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "traceready demo --compare" in result.stderr
