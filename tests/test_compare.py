"""`traceready compare` end to end through the CLI: side by side, lacks and fixes, failures, JSON."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import orjson
from click.testing import CliRunner

from tests.conftest import SAMPLES
from traceready.cli import app
from traceready.compare import TargetResult, audit_targets, compare_results
from traceready.connector import get_connector
from traceready.errors import AuthError
from traceready.recommend import Owner, load_catalog
from traceready.schemas import shipped_schema

FULL = f"otel:{SAMPLES / 'openinference_full.otlp.jsonl'}"
NO_TOOLS = f"otel:{SAMPLES / 'llm_spans_no_tool_spans.otlp.jsonl'}"
PLAIN = f"otel:{SAMPLES / 'plain_spans.otlp.jsonl'}"
EXPORTS = Path(__file__).parent / "data" / "exports"
LANGSMITH_EXPORT = f"file:{EXPORTS / 'langsmith_traceable_full.runs.jsonl'}"
# Nothing listens on the discard port: the connection is refused at once, the retries end in exit 5.
UNREACHABLE_ENV = {"PHOENIX_ENDPOINT": "http://127.0.0.1:9"}


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(app, ["compare", *args])


def compare_json(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    result = invoke(*args, "--format", "json", env=env)
    return result.exit_code, orjson.loads(result.stdout)


def test_two_samples_side_by_side_name_the_readier_and_what_the_other_lacks() -> None:
    code, report = compare_json(FULL, NO_TOOLS)
    assert code == 0
    assert [t["label"] for t in report["targets"]] == [FULL, NO_TOOLS]
    assert [t["exit_code"] for t in report["targets"]] == [0, 0]
    rows = {row["requirement"]: row for row in report["requirements"]}
    assert list(rows) == list("abcdefghij")
    b = rows["b"]
    assert [(c["target"], c["status"]) for c in b["cells"]] == [(FULL, "PRESENT"), (NO_TOOLS, "ABSENT")]
    assert b["leader"] == FULL
    lack = next(x for x in b["lacks"] if x["metric"] == "b.requested_calls_with_span")
    assert lack["target"] == NO_TOOLS
    assert (lack["numerator"], lack["leader_numerator"]) == (0, lack["leader_denominator"])
    assert lack["leader_denominator"] > 0
    # The lagging target's own fix, and whose gap it is, from its connector's catalog.
    assert lack["gap"] == "b.tool_spans_missing"
    assert lack["fix"]["gap"] == "b.tool_spans_missing"
    assert lack["owner"] == Owner.VENDOR.value
    assert report["readiest"] == FULL
    assert report["answer"].startswith(f"{FULL} is the readier for an improvement loop")
    assert f"{NO_TOOLS} b.tool_spans_missing" in report["answer"]
    # Each target's full audit report rides along.
    full = report["targets"][0]["report"]
    assert (
        full["counts"]["records_pulled"]
        == full["counts"]["spans_mapped"] + full["counts"]["records_rejected"]
    )
    assert len(full["findings"]) == 10


def test_the_table_shows_a_column_per_target_and_each_lack_in_words() -> None:
    result = invoke(FULL, NO_TOOLS)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "21 records pulled" not in out  # the compare header has its own wording
    assert "records: 21 pulled = 21 mapped + 0 rejected; 6 traces" in out
    assert re.search(r"b\) otel:.*llm_spans_no_tool_spans.*: 0/\d+ requested tool calls", out), out
    assert "Fix (vendor limit, sdk):" in out


def test_the_same_file_twice_is_the_same_agent_and_agrees_with_itself(tmp_path: Path) -> None:
    copy = tmp_path / "copy.otlp.jsonl"
    copy.write_bytes((SAMPLES / "openinference_full.otlp.jsonl").read_bytes())
    code, report = compare_json(FULL, f"otel:{copy}")
    assert code == 0
    (group,) = report["same_agent"]
    assert group["targets"] == [FULL, f"otel:{copy}"]
    assert group["traces"] == 6
    assert group["disagreements"] == []
    assert all(not row["lacks"] for row in report["requirements"])
    assert "equally ready" in report["answer"]


def without_one_tool_call_id(path: Path) -> None:
    """The bundled sample with the model's call id dropped from its first tool span (an export bug)."""
    lines = []
    dropped = False
    for line in (SAMPLES / "openinference_full.otlp.jsonl").read_bytes().splitlines():
        batch = orjson.loads(line)
        for resource in batch["resourceSpans"]:
            for scope in resource["scopeSpans"]:
                for span in scope["spans"]:
                    keys = [a["key"] for a in span["attributes"]]
                    if not dropped and "tool_call.id" in keys:
                        span["attributes"] = [a for a in span["attributes"] if a["key"] != "tool_call.id"]
                        dropped = True
        lines.append(orjson.dumps(batch))
    assert dropped
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_the_same_agent_exported_with_a_bug_is_flagged_where_the_two_disagree(tmp_path: Path) -> None:
    buggy = tmp_path / "buggy.otlp.jsonl"
    without_one_tool_call_id(buggy)
    _, report = compare_json(FULL, f"otel:{buggy}")
    (group,) = report["same_agent"]
    assert [
        (d["metric"], [(m["numerator"], m["denominator"]) for m in d["measured"]])
        for d in group["disagreements"]
    ] == [("b.tool_spans_with_call_id", [(5, 5), (4, 5)])]
    text = invoke(FULL, f"otel:{buggy}").stdout
    assert "Disagree on b.tool_spans_with_call_id" in text
    assert "a mapping or export bug somewhere" in text


def test_named_targets_of_traceready_toml_are_compared_under_their_names(tmp_path: Path) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text(
        f'[targets.full]\nsource = "otel"\npaths = ["{SAMPLES / "openinference_full.otlp.jsonl"}"]\n'
    )
    code, report = compare_json("full", NO_TOOLS, "--config", str(config))
    assert code == 0
    assert [t["label"] for t in report["targets"]] == ["full", NO_TOOLS]
    assert report["readiest"] == "full"


def test_different_agents_are_not_called_the_same() -> None:
    _, report = compare_json(FULL, PLAIN)
    assert report["same_agent"] == []


def test_an_unreachable_target_shows_its_error_while_the_others_render() -> None:
    result = invoke(FULL, "phoenix:nowhere", NO_TOOLS, "--format", "json", env=UNREACHABLE_ENV)
    assert result.exit_code == 5, result.output
    report = orjson.loads(result.stdout)
    failed = report["targets"][1]
    assert failed["report"] is None
    assert failed["exit_code"] == failed["error"]["exit_code"] == 5
    assert "unreachable at http://127.0.0.1:9" in failed["error"]["message"]
    assert [t["report"] is not None for t in report["targets"]] == [True, False, True]
    assert {c["target"]: c["status"] for c in report["requirements"][0]["cells"]}["phoenix:nowhere"] is None
    assert "phoenix:nowhere could not be audited" in report["answer"]
    assert "traceready: phoenix:nowhere: error:" in result.stderr


def test_a_missing_file_is_that_targets_exit_4_and_the_table_names_it(tmp_path: Path) -> None:
    result = invoke(FULL, f"otel:{tmp_path / 'missing.jsonl'}")
    assert result.exit_code == 4, result.output
    assert "error (exit 4)" in result.stdout


def test_fail_under_applies_per_target() -> None:
    code, report = compare_json(FULL, PLAIN, "--fail-under", "0.6")
    assert code == 1
    assert [t["exit_code"] for t in report["targets"]] == [0, 1]
    plain = report["targets"][1]
    score = plain["report"]["overall"]["score"]
    assert plain["failed_gate"] == [f"overall score {score:.2f} is below --fail-under 0.60"]


def _agent_config(tmp_path: Path, waiver_expires: datetime | None = None) -> Path:
    """traceready.toml declaring the target "agent" (the full sample), with waivers of its i and j."""
    waivers = ""
    if waiver_expires is not None:
        expires = waiver_expires.date().isoformat()
        waivers = (
            f'[[waivers]]\ntarget = "agent"\nrequirement = "j"\nreason = "evals next quarter"\n'
            f"expires = {expires}\n"
            f'[[waivers]]\ntarget = "agent"\nrequirement = "i"\nlevel = "ABSENT"\nreason = "batch"\n'
            f"expires = {expires}\n"
        )
    path = tmp_path / "traceready.toml"
    sample = SAMPLES / "openinference_full.otlp.jsonl"
    path.write_text(f'[targets.agent]\nsource = "otel"\npaths = ["{sample}"]\n{waivers}')
    return path


def test_fail_under_gates_each_target_as_audit_does_with_waivers_applied(tmp_path: Path) -> None:
    def audit_code(config: Path) -> int:
        args = ["audit", "agent", "--config", str(config), "--no-history", "--fail-under", "0.85"]
        return CliRunner().invoke(app, args).exit_code

    def compare_codes(config: Path) -> tuple[int, list[int], str]:
        args = ("agent", PLAIN, "--config", str(config), "--no-history", "--fail-under", "0.85")
        result = invoke(*args, "--format", "json")
        report = orjson.loads(result.stdout)
        return result.exit_code, [t["exit_code"] for t in report["targets"]], result.stderr

    # Raw score 0.72: below the bar without waivers, in both commands.
    bare = _agent_config(tmp_path)
    assert audit_code(bare) == 1
    assert compare_codes(bare)[:2] == (1, [1, 1])
    # Waiving i and j lifts the agent over the bar: audit exits 0, and so does its compare column;
    # the other target is still below it (waivers name "agent" only).
    waived = _agent_config(tmp_path, datetime.now(UTC) + timedelta(days=1))
    assert audit_code(waived) == 0
    code, codes, stderr = compare_codes(waived)
    assert (code, codes) == (1, [0, 1])
    assert "agent: overall score" not in stderr
    assert f"{PLAIN}: overall score" in stderr and "is below --fail-under 0.85" in stderr
    # An expired waiver counts no more, in both.
    expired = _agent_config(tmp_path, datetime.now(UTC) - timedelta(days=1))
    assert audit_code(expired) == 1
    assert compare_codes(expired)[:2] == (1, [1, 1])


def test_a_vendor_export_file_is_attributed_with_that_vendors_catalog() -> None:
    code, report = compare_json(LANGSMITH_EXPORT, FULL)
    assert code == 0
    export = report["targets"][0]["report"]
    assert (export["connector"], export["maps_as"]) == ("file", "langsmith")
    gaps = [gap for finding in export["findings"] for gap in finding["gaps"]]
    catalog = load_catalog(get_connector("langsmith").package_dir() / "recommendations.yaml")
    vendor = [gap for gap in gaps if catalog.owner(gap) is Owner.VENDOR]
    team = [gap for gap in gaps if catalog.owner(gap) is Owner.TEAM]
    # The export lacks the model's call ids on its tool runs: a limit of LangSmith's SDK, per its catalog.
    assert "b.tool_call_id_missing" in vendor and team
    vendor_sentence = next(
        s for s in report["answer"].split(". ") if s.startswith("Gaps that are the vendor's")
    )
    for gap in vendor:
        assert f"{LANGSMITH_EXPORT} {gap}" in vendor_sentence
    for gap in team:
        assert f"{LANGSMITH_EXPORT} {gap}" not in vendor_sentence
    table = invoke(LANGSMITH_EXPORT, FULL, "--format", "table", env={"COLUMNS": "200"})
    assert "(file, read as langsmith)" in table.stdout


def test_a_bad_target_string_is_a_usage_error_before_any_audit() -> None:
    result = invoke(FULL, "no-colon-here")
    assert result.exit_code == 2, result.output
    assert "unknown target 'no-colon-here'" in result.stderr
    assert invoke(FULL, "nosuchvendor:x").exit_code == 2
    assert invoke(FULL, FULL).exit_code == 2


def test_json_validates_against_the_shipped_schema_and_is_byte_identical_but_for_timestamps() -> None:
    first = invoke(FULL, NO_TOOLS, PLAIN, "--format", "json").stdout
    second = invoke(FULL, NO_TOOLS, PLAIN, "--format", "json").stdout
    jsonschema.validate(orjson.loads(first), shipped_schema("compare"))
    stamp = re.compile(r'"generated_at": "[^"]+"')
    assert stamp.sub("", first) == stamp.sub("", second)
    assert orjson.loads(first)["format_version"] == "1.1"


def test_markdown_and_html_to_files(tmp_path: Path) -> None:
    md, html = tmp_path / "c.md", tmp_path / "c.html"
    assert invoke(FULL, NO_TOOLS, "--format", "md", "--out", str(md)).exit_code == 0
    assert md.read_text().startswith("# traceready compare: 2 targets")
    assert "## What each target lacks" in md.read_text()
    assert invoke(FULL, NO_TOOLS, "--format", "html", "--out", str(html)).exit_code == 0
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_a_bug_in_one_target_is_its_exit_70_and_others_are_kept() -> None:
    from tests.test_scenarios import audit

    def broken(on_span):
        raise RuntimeError("boom")

    def no_key(on_span):
        raise AuthError("Phoenix rejected the credentials (401)", hint="set PHOENIX_API_KEY")

    def good(on_span):
        return audit("plain_spans")

    states: dict[str, str] = {}
    results = audit_targets(
        [("a", broken), ("b", no_key), ("c", good)],
        progress=lambda label, spans, state: states.__setitem__(label, state),
    )
    assert [r.exit_code for r in results] == [70, 3, 0]
    assert states == {"a": "failed (exit 70)", "b": "failed (exit 3)", "c": "done"}
    assert results[1].error is not None
    assert results[1].error.message == "Phoenix rejected the credentials (401) (set PHOENIX_API_KEY)"
    report = compare_results(results, settings={})
    assert report.exit_code == 70
    assert report.readiest == "c"
    assert isinstance(report.targets[2], TargetResult)
