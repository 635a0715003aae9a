"""``traceready audit file``: exports written by the vendors' own SDKs, audited through the vendor's mapping.

The fixtures in ``tests/data/exports/`` were made by the real SDKs reading this project's recorded
traces (``scripts/generate_exports.py``, versions in ``MANIFEST.toml``). The strongest check: the
same traces audited through the live connector (the LangSmith replay server, the fake Braintrust
data plane) and from the export get the same verdicts and ratios wherever both hold the same facts;
where they differ, the live report holds the project fact (an inventory item) the file cannot.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from tests.connectors.braintrust.fake import FakeBraintrust
from tests.connectors.braintrust.test_connector import audit as audit_braintrust
from tests.connectors.braintrust.test_connector import connector as braintrust_connector
from tests.connectors.langsmith.conftest import SINCE, project
from tests.connectors.langsmith.replay import ReplayServer
from tests.test_scenarios import audit as audit_otel_sample
from traceready.cli import app
from traceready.connector import get_connector
from traceready.connectors.file import FileConnector
from traceready.errors import UsageError
from traceready.report.model import Report
from traceready.targets import audit_connector, audit_target, resolve_target

EXPORTS = Path(__file__).parents[2] / "data" / "exports"
LANGSMITH_EXPORTS = {
    "traceable_full": ["langsmith_traceable_full.runs.jsonl", "langsmith_traceable_full.runs.json"],
    "langchain_agent": ["langsmith_langchain_agent.runs.jsonl"],
}
BRAINTRUST_EXPORT = "braintrust_logger_traced_tools.logs.json"
PHOENIX_EXPORTS = ["phoenix_openinference_full.spans.json", "phoenix_openinference_full.dataframe.jsonl"]
FROM_SPANS = "abcdefgh"
"""Requirements measured on spans; i and j rest on project facts an export does not hold."""
FROM_INVENTORY = {"f.versioned_traces_with_scores"}
"""Span ratios that also count inventory facts (versions named by experiments)."""


def audit_file(*paths: Path) -> Report:
    return audit_connector(FileConnector(list(paths)))


def by_requirement(report: Report | dict[str, Any]) -> dict[str, dict[str, Any]]:
    data = report.model_dump(mode="json") if isinstance(report, Report) else report
    return {f["requirement"]: f for f in data["findings"]}


def ratios(finding: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {m["metric"]: (m["numerator"], m["denominator"]) for m in finding["metrics"]}


def assert_same_where_facts_overlap(live: dict[str, Any], export: Report) -> None:
    """a-h: the same ratios from the same spans; the same status unless the live inventory explains it."""
    live_findings, file_findings = by_requirement(live), by_requirement(export)
    for requirement in FROM_SPANS:
        mine, theirs = ratios(file_findings[requirement]), ratios(live_findings[requirement])
        same = set(mine) - FROM_INVENTORY
        assert {m: mine[m] for m in same} == {m: theirs.get(m) for m in same}, requirement
        if file_findings[requirement]["status"] != live_findings[requirement]["status"]:
            # Only a project fact the live connector read can move a status the spans left alone.
            assert requirement in "fg", requirement
            inventory = live["inventory"]
            assert inventory["failure_taxonomies"] if requirement == "g" else inventory["experiment_versions"]
    for requirement in "ij":
        assert file_findings[requirement]["evidence"] in ("none", "observed")
    assert export.inventory.model_dump(exclude_none=True, exclude={"experiment_versions"}) == {}


@pytest.fixture(scope="module")
def langsmith_live() -> dict[str, dict[str, Any]]:
    """The LangSmith connector's reports of the exported projects, through the v1 replay server."""
    reports = {}
    with ReplayServer(backend="v1") as url:
        for scenario in LANGSMITH_EXPORTS:
            args = ["audit", "langsmith", "--project", project(scenario), "--endpoint", url, "--since", SINCE]
            result = CliRunner(env={"LANGSMITH_API_KEY": "k"}).invoke(
                app, [*args, "-f", "json", "--no-history"]
            )
            assert result.exit_code == 0, result.output
            reports[scenario] = orjson.loads(result.stdout)
    return reports


@pytest.mark.parametrize(
    ("scenario", "name"), [(s, n) for s, names in LANGSMITH_EXPORTS.items() for n in names]
)
def test_langsmith_runs_export_gets_the_verdicts_of_the_live_project(
    langsmith_live: dict[str, dict[str, Any]], scenario: str, name: str
) -> None:
    export = audit_file(EXPORTS / name)
    live = langsmith_live[scenario]
    assert export.counts.spans_mapped == live["counts"]["spans_mapped"] == 21
    assert (export.counts.records_rejected, export.counts.traces) == (0, live["counts"]["traces"])
    assert_same_where_facts_overlap(live, export)


def test_langsmith_export_where_the_project_knows_more_the_file_says_unknown(
    langsmith_live: dict[str, dict[str, Any]],
) -> None:
    export = by_requirement(audit_file(EXPORTS / "langsmith_langchain_agent.runs.jsonl"))
    live = by_requirement(langsmith_live["langchain_agent"])
    assert (live["i"]["status"], live["j"]["status"]) == ("PRESENT", "PRESENT")
    assert (export["i"]["status"], export["j"]["status"]) == ("UNKNOWN", "UNKNOWN")
    # Experiments name the harness version the runs carry: tied to scores live, not in a file.
    assert ratios(live["f"])["f.versioned_traces_with_scores"] == (6, 6)
    assert ratios(export["f"])["f.versioned_traces_with_scores"] == (0, 6)


def test_braintrust_logs_export_gets_the_verdicts_of_the_live_project() -> None:
    live = audit_braintrust(braintrust_connector(FakeBraintrust("logger_traced_tools")))
    export = audit_file(EXPORTS / BRAINTRUST_EXPORT)
    assert export.counts.spans_mapped == live.counts.spans_mapped == 21
    assert_same_where_facts_overlap(live.model_dump(mode="json"), export)
    assert {f.requirement: f.status for f in export.findings if f.requirement in FROM_SPANS} == {
        f.requirement: f.status for f in live.findings if f.requirement in FROM_SPANS
    }


@pytest.mark.parametrize("name", PHOENIX_EXPORTS)
def test_phoenix_spans_export_gets_the_verdicts_of_the_same_traces_as_otlp(name: str) -> None:
    """The spans were the bundled OTLP sample loaded into a real Phoenix (live: tests/phoenix)."""
    export = audit_file(EXPORTS / name)
    sample = audit_otel_sample("openinference_full")
    assert (export.counts.spans_mapped, export.counts.traces) == (21, 6)
    assert_same_where_facts_overlap(sample.model_dump(mode="json"), export)
    assert [f.status for f in export.findings] == [f.status for f in sample.findings]


@pytest.mark.parametrize(
    ("name", "vendor"),
    [
        ("langsmith_traceable_full.runs.json", "langsmith"),
        (BRAINTRUST_EXPORT, "braintrust"),
        (PHOENIX_EXPORTS[1], "phoenix"),
    ],
)
def test_an_export_is_mapped_and_fixed_as_its_vendor(name: str, vendor: str) -> None:
    connector = FileConnector([EXPORTS / name])
    assert connector.maps_as() is get_connector(vendor)
    assert connector.recommendations_path() == get_connector(vendor).package_dir() / "recommendations.yaml"
    otlp = FileConnector([SAMPLES / "openinference_full.otlp.jsonl"])
    assert otlp.maps_as() is get_connector("otel")


def test_vendor_fixes_come_from_the_vendor_catalog() -> None:
    braintrust = by_requirement(audit_file(EXPORTS / BRAINTRUST_EXPORT))["b"]
    assert "b.tool_call_id_missing" in braintrust["gaps"]
    assert any("tool_call_id" in (r["snippet"] or "") for r in braintrust["recommendations"])
    langsmith = by_requirement(audit_file(EXPORTS / "langsmith_langchain_agent.runs.jsonl"))["g"]
    assert all("langsmith" in (r["doc_url"] or "langsmith") for r in langsmith["recommendations"])
    assert langsmith["recommendations"]


def test_report_names_the_export_and_what_only_the_vendor_api_has() -> None:
    report = audit_file(EXPORTS / "langsmith_traceable_full.runs.jsonl")
    assert report.connector == "file"
    assert report.target == "LangSmith runs export: langsmith_traceable_full.runs.jsonl"
    assert "traceready audit langsmith --project" in report.window
    assert "--answers answers.toml" in report.window
    assert report.counts.sources == ()  # one file, read as what it is: nothing odd to report


def test_cli_audits_an_export_by_target_and_by_command(tmp_path: Path) -> None:
    path = EXPORTS / "langsmith_traceable_full.runs.jsonl"
    by_command = CliRunner().invoke(app, ["audit", "file", str(path), "-f", "json", "--no-history"])
    by_target = CliRunner().invoke(app, ["audit", f"file:{path}", "-f", "json", "--no-history"])
    assert by_command.exit_code == by_target.exit_code == 0, by_command.output + by_target.output
    assert [f["status"] for f in orjson.loads(by_command.stdout)["findings"]] == [
        f["status"] for f in orjson.loads(by_target.stdout)["findings"]
    ]
    gate = CliRunner().invoke(app, ["audit", "file", str(path), "--fail-under", "0.99", "--no-history"])
    assert gate.exit_code == 1, gate.output
    report = audit_target(resolve_target(f"file:{path}"))
    assert report.counts.spans_mapped == 21


def test_run_dumps_with_child_runs_and_wrapped_rows_are_read(tmp_path: Path) -> None:
    """``read_run(load_child_runs=True)`` nests a trace; tools wrap rows as ``{"runs": [...]}``."""
    runs = [
        json.loads(line)
        for line in (EXPORTS / "langsmith_traceable_full.runs.jsonl").read_text().splitlines()
    ]
    trace = runs[0]["trace_id"]
    members = {r["id"]: dict(r, child_runs=[]) for r in runs if r["trace_id"] == trace}
    root = next(r for r in members.values() if r["parent_run_id"] is None)
    for run in members.values():
        if run["parent_run_id"] is not None:
            members[run["parent_run_id"]]["child_runs"].append(run)
    nested = tmp_path / "trace.json"
    nested.write_text(json.dumps(root))
    wrapped = tmp_path / "runs.json.gz"
    wrapped.write_bytes(gzip.compress(json.dumps({"runs": runs}).encode()))
    assert audit_file(nested).counts.spans_mapped == len(members)
    from_wrapped = audit_file(wrapped)
    assert (from_wrapped.counts.spans_mapped, from_wrapped.counts.traces) == (21, 6)


def test_a_dataframe_in_the_default_columns_orient_is_read(tmp_path: Path) -> None:
    text = (EXPORTS / "phoenix_openinference_full.dataframe.jsonl").read_text()
    rows = [json.loads(line) for line in text.splitlines()]
    columns = {key: {str(i): row.get(key) for i, row in enumerate(rows)} for key in rows[0]}
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(columns))
    report = audit_file(path)
    assert (report.counts.spans_mapped, report.counts.traces) == (21, 6)
    reference = audit_file(EXPORTS / "phoenix_openinference_full.dataframe.jsonl")
    assert [f.metrics for f in report.findings] == [f.metrics for f in reference.findings]


def test_a_folder_reports_each_file_and_goes_on_past_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "a.runs.jsonl").write_bytes((EXPORTS / "langsmith_traceable_full.runs.jsonl").read_bytes())
    (tmp_path / "b.jsonl").write_text('{"not": "a run"}\n')
    (tmp_path / "c.jsonl").write_text("\x00\x01 not json")
    report = audit_file(tmp_path)
    assert report.counts.spans_mapped == 21
    assert report.counts.records_pulled == report.counts.spans_mapped + report.counts.records_rejected
    sources = {Path(s.name).name: s for s in report.counts.sources}
    assert (sources["a.runs.jsonl"].spans_mapped, sources["a.runs.jsonl"].looks_like) == (21, None)
    assert sources["b.jsonl"].records_rejected == 1
    assert "not an ExportTraceServiceRequest" in (sources["b.jsonl"].looks_like or "")
    assert "binary data" in (sources["c.jsonl"].looks_like or "")


def test_exports_of_different_vendors_are_a_usage_error_before_any_scoring(tmp_path: Path) -> None:
    for name in ("langsmith_traceable_full.runs.jsonl", BRAINTRUST_EXPORT):
        (tmp_path / name).write_bytes((EXPORTS / name).read_bytes())
    with pytest.raises(UsageError, match="different sources") as raised:
        FileConnector([tmp_path])
    assert "LangSmith runs exports (langsmith_traceable_full.runs.jsonl)" in str(raised.value)
    assert "Braintrust logs exports (braintrust_logger_traced_tools.logs.json)" in str(raised.value)
    result = CliRunner().invoke(app, ["audit", "file", str(tmp_path), "--no-history"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "said"),
    [
        pytest.param(b"id,name,run_type\n1,chat,llm\n", "CSV or plain text", id="csv"),
        pytest.param(b"PAR1\x15\x04\x15\x00\x00", "a Parquet file", id="parquet"),
        pytest.param(b'[{"question": "q", "answer": "a"}]', "a JSON array", id="dataset_rows"),
    ],
)
def test_a_file_nothing_could_be_read_from_exits_2_saying_what_is_read(
    tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["audit", "file", str(path), "--no-history"])
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "JSON Lines exports of LangSmith runs, Phoenix spans and Braintrust logs" in result.output


def test_audit_otel_on_an_export_says_which_export_it_is_and_how_to_audit_it() -> None:
    path = EXPORTS / BRAINTRUST_EXPORT
    result = CliRunner().invoke(app, ["audit", "otel", str(path), "--no-history"])
    assert result.exit_code == 2, result.output
    assert "looks like a Braintrust logs export" in result.output
    assert "traceready audit file" in result.output


def mapped_spans(path: Path) -> dict[str, tuple[Any, ...]]:
    """Each span's ids, kind, session, model and times to the millisecond (to_json writes ms)."""
    spans: dict[str, tuple[Any, ...]] = {}

    def keep(span: Any) -> None:
        model = span.llm.model if span.llm is not None else None
        times = tuple(t // 1_000_000 if t is not None else None for t in (span.start_ns, span.end_ns))
        spans[span.span_id] = (span.trace_id, span.parent_id, span.kind, span.session_id, model, times)

    audit_connector(FileConnector([path]), on_span=keep)
    return spans


def test_both_phoenix_client_exports_map_to_the_same_spans_as_the_otlp_sample() -> None:
    """REST spans (ISO times) and DataFrame rows (epoch milliseconds, flat columns) map alike."""
    from_rest = mapped_spans(EXPORTS / "phoenix_openinference_full.spans.json")
    from_frame = mapped_spans(EXPORTS / "phoenix_openinference_full.dataframe.jsonl")
    from_otlp = mapped_spans(SAMPLES / "openinference_full.otlp.jsonl")
    assert len(from_rest) == 21
    assert from_rest == from_frame == from_otlp


def test_every_export_fixture_says_how_it_was_made_and_holds_no_secret() -> None:
    import tomllib

    from tests.test_cassettes import SECRET

    manifest = tomllib.loads((EXPORTS / "MANIFEST.toml").read_text())
    files = sorted(p.name for p in EXPORTS.iterdir() if p.name != "MANIFEST.toml")
    assert sorted(manifest) == files
    for name, entry in manifest.items():
        assert entry["how"] == "written by the real SDK"
        assert {"sdk", "read", "written", "server", "date", "command"} <= set(entry), name
        assert not SECRET.search((EXPORTS / name).read_text()), name


def test_a_stray_export_among_otlp_files_is_named_with_the_command_that_reads_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from traceready.connectors.otel import OtelConnector

    (tmp_path / "a.otlp.jsonl").write_bytes((SAMPLES / "openinference_full.otlp.jsonl").read_bytes())
    (tmp_path / "b.jsonl").write_bytes((EXPORTS / "langsmith_traceable_full.runs.jsonl").read_bytes())
    report = audit_connector(OtelConnector([tmp_path]))
    stray = next(s for s in report.counts.sources if s.name.endswith("b.jsonl"))
    assert (stray.spans_mapped, stray.records_rejected) == (0, 21)
    assert (stray.looks_like or "").startswith("a LangSmith runs export")
    assert any("audit it with traceready audit file" in r.getMessage() for r in caplog.records)
