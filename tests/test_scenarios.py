"""Each real-instrumentation scenario gets the verdicts its recording deserves (samples/otel/README.md)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.conftest import SAMPLES, compare_golden
from traceready.audit import PullStats, Scorer, run_audit, score_spans
from traceready.connector import get_connector
from traceready.connectors.otel import OtelConnector
from traceready.findings import Status
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.recommend import load_catalog
from traceready.report.json import render_json
from traceready.report.model import Report

P, R, A, U = Status.PRESENT, Status.PARTIAL, Status.ABSENT, Status.UNKNOWN
GOLDEN = Path(__file__).parent / "golden"

EXPECTED = {
    #                          a  b  c  d  e  f  g  h  i  j
    "openinference_full":      (P, P, P, P, P, R, R, R, U, U),
    "openllmetry_legacy":      (P, P, R, P, P, R, R, R, U, U),  # c: a workflow is no agent
    "otel_genai":              (P, P, R, P, P, R, R, R, U, U),
    "otel_genai_legacy":       (A, R, A, R, A, R, R, R, U, U),
    "llm_spans_no_tool_spans": (P, A, P, P, P, R, U, R, U, U),
    "redacted":                (A, R, A, R, A, R, R, R, U, U),
    "final_io_only":           (A, U, A, P, A, R, U, A, U, U),
    "plain_spans":             (A, U, A, A, A, R, R, A, U, U),
}  # fmt: skip


def audit(name: str) -> Report:
    connector = OtelConnector([SAMPLES / f"{name}.otlp.jsonl"])
    catalog = load_catalog(OtelConnector.package_dir() / "recommendations.yaml")
    return run_audit(connector, Mapper(load_mapping("otel")), catalog=catalog)


def normalised_json(report: Report) -> str:
    return render_json(
        report.model_copy(update={"generated_at": "<generated_at>", "tool_version": "<version>"})
    )


@pytest.mark.parametrize(("name", "expected"), list(EXPECTED.items()), ids=list(EXPECTED))
def test_scenario_gets_its_verdicts(name: str, expected: tuple[Status, ...]) -> None:
    report = audit(name)
    got = tuple(f.status for f in report.findings)
    assert dict(zip("abcdefghij", got, strict=True)) == dict(zip("abcdefghij", expected, strict=True))
    assert report.counts.records_pulled == report.counts.spans_mapped + report.counts.records_rejected
    assert report.counts.records_rejected == 0
    assert report.overall.ready is False


@pytest.mark.parametrize("name", list(EXPECTED))
def test_scenario_report_matches_golden(name: str, update_golden: bool) -> None:
    compare_golden(GOLDEN / f"{name}.report.json", normalised_json(audit(name)), update_golden)


def test_every_gap_found_in_a_scenario_has_a_recommendation() -> None:
    catalog = load_catalog(OtelConnector.package_dir() / "recommendations.yaml")
    for name in EXPECTED:
        report = audit(name)
        gaps = {gap for finding in report.findings for gap in finding.gaps}
        for finding in report.findings:
            given = {r.gap for r in finding.recommendations}
            # A gap without its own fix is one another found gap's fix covers (one gap, one fix).
            assert given | catalog.covered(gaps) >= set(finding.gaps), (name, finding.requirement)
            assert given <= set(finding.gaps)


def test_same_input_gives_byte_identical_json_apart_from_timestamp() -> None:
    first, second = audit("openinference_full"), audit("openinference_full")
    assert normalised_json(first) == normalised_json(second)


def test_reports_carry_no_prompt_content() -> None:
    text = render_json(audit("openinference_full"))
    assert "Paris" not in text
    assert "Lisbon" not in text


def test_scoring_in_two_halves_and_merging_equals_one_pass() -> None:
    mapper = Mapper(load_mapping("otel"))
    records = [r for name in EXPECTED for r in OtelConnector([SAMPLES / f"{name}.otlp.jsonl"]).iter_records()]
    trace_ids = list(dict.fromkeys(r["trace_id"] for r in records if isinstance(r, dict)))
    first_half = set(trace_ids[: len(trace_ids) // 2])  # partitions by trace id, in stream order

    whole = Scorer()
    score_spans(records, mapper, whole, PullStats())
    left, right = Scorer(), Scorer()
    score_spans([r for r in records if r["trace_id"] in first_half], mapper, left, PullStats())
    score_spans([r for r in records if r["trace_id"] not in first_half], mapper, right, PullStats())
    left.merge(right)

    from traceready.answers import Answers
    from traceready.connector import Inventory

    def dump(scorer: Scorer) -> bytes:
        findings = scorer.finish(Inventory(), Answers())
        return orjson.dumps([f.model_dump(mode="json") for f in findings])

    assert dump(left) == dump(whole)
    assert len(whole.checks[1].tally.examples) > 0


def test_connector_is_found_through_its_entry_point() -> None:
    assert get_connector("otel") is OtelConnector


def test_the_samples_readme_states_each_files_verdict() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert "Nothing the meta-agent needs" not in readme
    for name in EXPECTED:
        overall = audit(name).overall
        assert f"| `{name}` | {overall.score:.2f} | {overall.verdict} |" in readme, name
