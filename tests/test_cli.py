"""The command line: one case per exit code, one clear line on errors, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from traceready.cli import app

FULL = str(SAMPLES / "openinference_full.otlp.jsonl")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_audit_prints_a_table_and_exits_0() -> None:
    result = invoke("audit", "otel", FULL)
    assert result.exit_code == 0, result.output
    assert "Full reasoning traces" in result.stdout
    assert "21 records pulled = 21 mapped + 0 rejected; 6 traces" in result.stdout


def test_demo_audits_the_sample_through_a_real_local_phoenix() -> None:
    result = invoke("demo", "--format", "json")
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["connector"] == "phoenix"
    assert report["target"].startswith("project travel-agent at http://127.0.0.1:")
    assert report["counts"]["spans_mapped"] == 21
    evidence = {f["requirement"]: (f["status"], f["evidence"]) for f in report["findings"]}
    assert evidence["i"] == ("PRESENT", "inventory")
    assert evidence["j"] == ("PRESENT", "inventory")
    assert report["overall"]["ready"] is True
    # The window is what the demo loaded, in words, not the ten-year span it reads it through.
    assert report["window"].startswith("every trace of the sample agent's file")
    assert "traces started" not in report["window"]
    assert "added what a trace file cannot hold" in result.stderr
    assert "traceready audit otel FILE_OR_DIR..." in result.stderr


def test_demo_without_server_audits_the_bundled_file() -> None:
    result = invoke("demo", "--no-server", "--format", "json")
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert (report["connector"], report["counts"]["spans_mapped"]) == ("otel", 21)
    assert [f["status"] for f in report["findings"]][:5] == ["PRESENT"] * 5
    # Why it differs from the served demo, and what to run next on your own traces.
    assert "traceready demo` adds them on a local server and scores higher" in result.stderr
    next_steps = result.stderr.split("Audit your own traces next:")[1]
    assert "traceready audit otel FILE_OR_DIR..." in next_steps
    assert "traceready audit langsmith --project PROJECT" in next_steps


def test_json_goes_to_stdout_only_so_it_pipes_into_jq() -> None:
    result = invoke("audit", "otel", FULL, "--format", "json")
    assert orjson.loads(result.stdout)["format_version"] == "1.2"


def test_markdown_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    result = invoke("audit", "otel", FULL, "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# traceready audit: OpenTelemetry files")
    assert "## b) Tool-call granularity: PRESENT" in text


def test_below_fail_under_exits_1() -> None:
    result = invoke("audit", "otel", str(SAMPLES / "plain_spans.otlp.jsonl"), "--fail-under", "0.7")
    assert result.exit_code == 1, result.output
    assert "below --fail-under 0.70" in result.stderr


def test_fail_under_met_exits_0() -> None:
    assert invoke("audit", "otel", FULL, "--fail-under", "0.5").exit_code == 0


def test_unknown_flag_exits_2() -> None:
    assert invoke("audit", "otel", FULL, "--no-such-flag").exit_code == 2


def test_unknown_format_exits_2_with_one_line() -> None:
    result = invoke("audit", "otel", FULL, "--format", "xml")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        "traceready: error: unknown format 'xml' (choose one of html, json, md, table)"
    ]


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    binary = tmp_path / "traces.pb"
    binary.write_bytes(b"\x00\x01\x02protobuf")
    result = invoke("audit", "otel", str(binary))
    assert result.exit_code == 2, result.output
    assert "not OTLP/JSON" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_mapping_file_exits_2(tmp_path: Path) -> None:
    mapping = tmp_path / "mine.yaml"
    mapping.write_text("vendor: otel\nfields:\n  no.such.field: [attributes.x]\n")
    result = invoke("audit", "otel", FULL, "--mapping", str(mapping))
    assert result.exit_code == 2, result.output
    assert "no.such.field" in result.stderr


def test_invalid_answers_file_exits_2(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text("[sandbox]\nexperiments_isolated = 'perhaps'\n")
    result = invoke("audit", "otel", FULL, "--answers", str(answers))
    assert result.exit_code == 2, result.output
    assert "sandbox.experiments_isolated" in result.stderr


def test_missing_file_exits_4() -> None:
    result = invoke("audit", "otel", "/nonexistent/traces.jsonl")
    assert result.exit_code == 4, result.output
    assert result.stderr.strip() == "traceready: error: input not found: /nonexistent/traces.jsonl"


def test_missing_answers_file_exits_4() -> None:
    assert invoke("audit", "otel", FULL, "--answers", "/nonexistent.toml").exit_code == 4


def test_internal_bug_exits_70_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("traceready.targets.run_audit", broken)
    result = invoke("audit", "otel", FULL)
    assert result.exit_code == 70
    assert result.stderr.strip() == "traceready: internal error: RuntimeError: boom (rerun with --debug)"


def test_debug_shows_the_traceback_and_keeps_the_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("traceready.targets.run_audit", broken)
    result = invoke("audit", "otel", FULL, "--debug")
    assert result.exit_code == 70, result.output
    assert "Traceback" in result.stderr and 'raise RuntimeError("boom")' in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "traceready: internal error: RuntimeError: boom (rerun with --debug)"
    )
    missing = invoke("audit", "otel", "/nonexistent/traces.jsonl", "--debug")
    assert missing.exit_code == 4, missing.output
    assert "Traceback" in missing.stderr


def test_answers_are_marked_self_reported_in_every_format(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text("[sandbox]\nexperiments_isolated = true\nhow = 'staging project'\n")
    table = invoke("audit", "otel", FULL, "--answers", str(answers)).stdout
    markdown = invoke("audit", "otel", FULL, "--answers", str(answers), "-f", "md").stdout
    report = orjson.loads(invoke("audit", "otel", FULL, "--answers", str(answers), "-f", "json").stdout)
    sandbox = next(f for f in report["findings"] if f["requirement"] == "i")
    assert (sandbox["status"], sandbox["evidence"]) == ("PRESENT", "self-reported")
    assert "self-reported" in table
    assert "| i | Sandboxed execution | PRESENT | 1.00 | self-reported |" in markdown


def test_config_file_thresholds_change_the_verdict(tmp_path: Path) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text('[thresholds]\n"h.llm_spans_with_cost" = 0.0\n')
    report = orjson.loads(invoke("audit", "otel", FULL, "-f", "json", "--config", str(config)).stdout)
    cost = next(f for f in report["findings"] if f["requirement"] == "h")
    assert cost["status"] == "PRESENT"
    assert cost["thresholds"]["h.llm_spans_with_cost"] == 0.0


def test_invalid_threshold_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text("[thresholds]\npresent = 3\n")
    assert invoke("audit", "otel", FULL, "--config", str(config)).exit_code == 2


def test_folder_and_gzip_inputs_are_read(tmp_path: Path) -> None:
    data = (SAMPLES / "otel_genai.otlp.jsonl").read_bytes()
    (tmp_path / "a.otlp.jsonl.gz").write_bytes(gzip.compress(data))
    report = orjson.loads(invoke("audit", "otel", str(tmp_path), "-f", "json").stdout)
    assert report["counts"]["spans_mapped"] == 21


def test_connectors_lists_the_otel_connector() -> None:
    result = invoke("connectors")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "otel\tOpenTelemetry files\ttraceready.connectors.otel" in lines
    assert "langsmith\tLangSmith\ttraceready.connectors.langsmith" in lines
    assert lines == sorted(lines)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("traceready 0.1.0")


def test_interview_non_interactive_lists_what_is_still_unanswered(tmp_path: Path) -> None:
    out = tmp_path / "answers.toml"
    text = 'version = 2\n[agent]\ndescription = "Books trips"\narchitecture = "unknown"\n'
    out.write_text(text)
    result = invoke("interview", "--out", str(out), "--non-interactive")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{out}: 2 answered, 22 unanswered"
    assert lines[1] == "  [3] agent.models: Which models does it call (e.g. gpt-4o, claude-sonnet-4)?"
    assert not any("agent.architecture" in line for line in lines)  # "not sure" is an answer
    assert not any("logging.project" in line for line in lines)  # a follow-up of an unanswered question
    assert out.read_text() == text


def test_interview_never_overwrites_an_unreadable_answers_file(tmp_path: Path) -> None:
    out = tmp_path / "answers.toml"
    out.write_text("[sandbox]\nexperiments_isolated = 'perhaps'\n")
    result = CliRunner().invoke(app, ["interview", "--out", str(out)], input="Books trips\n")
    assert result.exit_code == 2
    assert "sandbox.experiments_isolated" in result.output
    assert out.read_text() == "[sandbox]\nexperiments_isolated = 'perhaps'\n"


def test_interview_with_a_target_audits_it_first_and_lists_only_what_its_traces_cannot_show(
    tmp_path: Path,
) -> None:
    out = tmp_path / "answers.toml"
    result = invoke("interview", "--out", str(out), "--target", f"otel:{FULL}", "--non-interactive")
    assert result.exit_code == 0, result.output
    listed = {line.split()[1].rstrip(":") for line in result.stdout.splitlines()[1:]}
    # The sample shows where traces live, their shape and every model call as a step.
    assert not listed & {"logging.source", "logging.format", "logging.reasoning"}
    assert {"agent.description", "retention.days", "sandbox.experiments_isolated"} <= listed
    without = invoke("interview", "--out", str(out), "--non-interactive")
    assert len(without.stdout.splitlines()) > len(result.stdout.splitlines())


def test_interview_report_errors_exit_with_their_codes(tmp_path: Path) -> None:
    assert (
        invoke("interview", "--out", str(tmp_path / "a.toml"), "--report", "/nonexistent.json").exit_code == 4
    )
    bad = tmp_path / "audit.json"
    bad.write_text('{"findings": "none"}')
    result = invoke("interview", "--out", str(tmp_path / "a.toml"), "--report", str(bad), "--non-interactive")
    assert result.exit_code == 2
    assert "not a traceready JSON report" in result.output
    assert not (tmp_path / "a.toml").exists()


def test_otel_audit_hands_a_trace_on_soon_after_its_root_and_counts_a_straggler_late(tmp_path: Path) -> None:
    # Exporters write a span as it ends, so a root follows its children; one child that ends 300
    # spans after its root (an async task outliving it) arrives after its trace was handed on.
    def span(trace: int, number: int, parent: int | None) -> dict[str, object]:
        return {
            "traceId": f"{trace:032x}",
            "spanId": f"{number:016x}",
            **({"parentSpanId": f"{parent:016x}"} if parent is not None else {}),
            "name": "step",
            "startTimeUnixNano": "1795609528582294846",
            "endTimeUnixNano": "1795609528582363047",
        }

    def line(*spans: dict[str, object]) -> bytes:
        return orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": list(spans)}]}]}) + b"\n"

    lines = [line(span(1, 2, 1), span(1, 1, None))]  # trace 1: child, then root
    lines += [line(span(100 + n, 100 + n, None)) for n in range(300)]  # other one-span traces
    lines.append(line(span(1, 3, 1)))  # the straggler of trace 1
    path = tmp_path / "stragglers.otlp.jsonl"
    path.write_bytes(b"".join(lines))

    report = orjson.loads(invoke("audit", "otel", str(path), "--format", "json").stdout)

    assert report["counts"]["late_spans"] == 1
    assert report["counts"]["spans_mapped"] == 303
    assert report["counts"]["traces"] == 302  # trace 1 and its late fragment, and the 300 others


@pytest.mark.parametrize(
    "command", [["audit", "otel"], ["audit", "phoenix"], ["audit", "braintrust"], ["demo"], ["compare"]]
)
def test_help_names_no_python_types_and_lists_the_formats(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    for leak in ("<bool>", "<str>", "<path>", "list[", "{paths}", "╭"):
        assert leak not in result.stdout
    assert "[table|md|json|html]" in result.stdout


def test_audit_help_names_the_variables_the_source_reads() -> None:
    result = invoke("audit", "langsmith", "--help")
    for variable in ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGSMITH_PROJECT", "LANGSMITH_WORKSPACE_ID"):
        assert variable in result.stdout
    assert "[langsmith] table of traceready.toml" in result.stdout
    assert "--since" not in invoke("audit", "otel", "--help").stdout


def test_format_is_read_in_any_case() -> None:
    result = invoke("audit", "otel", FULL, "-f", "JSON")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["counts"]["spans_mapped"] == 21


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            ["audit", "otel", FULL, "--fail-undr", "0.5"],
            "traceready: error: no such option '--fail-undr' (did you mean '--fail-under'?; "
            "see traceready audit otel --help)",
            id="option_typo",
        ),
        pytest.param(
            ["audit", "otel"],
            "traceready: error: missing argument 'FILE_OR_DIR...' (see traceready audit otel --help)",
            id="missing_argument",
        ),
        pytest.param(
            ["audit", "phonix"],
            "traceready: error: unknown target 'phonix' (did you mean phoenix?)",
            id="source_typo",
        ),
        pytest.param(
            ["audit", "otel", FULL, "--fail-under", "2"],
            "traceready: error: invalid value for '--fail-under': 2.0 is not in the range 0.0<=x<=1.0 "
            "(see traceready audit otel --help)",
            id="bad_value",
        ),
        pytest.param(
            ["schemma"],
            "traceready: error: no such command 'schemma' (did you mean 'schema'?; see traceready --help)",
            id="command_typo",
        ),
    ],
)
def test_usage_errors_are_one_line_in_our_style_and_exit_2(args: list[str], line: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [line]


def test_scripts_demo_says_what_it_is_doing() -> None:
    import subprocess

    root = Path(__file__).parent.parent
    done = subprocess.run(
        [str(root / "scripts" / "demo"), "--no-server", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    stages = [line for line in done.stderr.splitlines() if line.startswith("traceready demo: ")]
    assert stages[0].startswith("traceready demo: 1/2 set-up")
    assert any(line.startswith("traceready demo: 2/2 the demo") for line in stages)
    assert orjson.loads(done.stdout)["counts"]["spans_mapped"] == 21
