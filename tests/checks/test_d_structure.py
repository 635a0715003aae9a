import random

from tests.checks.conftest import ratio
from tests.factories import agent, llm, span, tool, trace
from traceready.checks.d_structure import StructureCheck, _has_cycle, _has_cycle_walk
from traceready.findings import Status
from traceready.model import SpanKind


def test_typed_linked_spans_are_present(run):
    t = trace(agent(span_id="r"), llm(parent="r"), tool(parent="r", arguments={"a": 1}, result={"b": 2}))
    assert run(StructureCheck, t).status is Status.PRESENT


def test_plain_spans_without_kinds_are_absent(run):
    t = trace(span(span_id="r"), span(parent="r"))
    finding = run(StructureCheck, t)
    assert finding.status is Status.ABSENT
    # The root wraps its child and says nothing else: set aside from the kind ratio, and said so.
    assert ratio(finding, "d.spans_with_known_kind") == (0, 1)
    assert any("1 empty wrapper spans" in note for note in finding.notes)


def test_missing_parent_is_a_broken_link_with_example(run):
    t = trace(agent(span_id="r"), llm(span_id="orphan", parent="gone"))
    finding = run(StructureCheck, t)
    assert ratio(finding, "d.parent_links_resolved") == (0, 1)
    assert ratio(finding, "d.traces_with_single_root") == (0, 1)
    assert any(e.span_id == "orphan" and e.detail == "parent gone" for e in finding.examples)


def test_parent_cycle_is_detected_without_hanging(run):
    t = trace(span(SpanKind.CHAIN, span_id="x", parent="y"), span(SpanKind.CHAIN, span_id="y", parent="x"))
    finding = run(StructureCheck, t)
    assert ratio(finding, "d.traces_with_single_root") == (0, 1)


def test_cycle_search_that_remembers_finished_walks_agrees_with_walking_from_every_span():
    # Random parent links among a few ids: cycles, missing parents and repeated span ids.
    draw = random.Random(16)
    ids = ["a", "b", "c", "d", "e"]
    for _ in range(2_000):
        spans = [
            span(SpanKind.CHAIN, span_id=draw.choice(ids), parent=draw.choice([None, "gone", *ids]))
            for _ in range(draw.randint(1, 6))
        ]
        t = trace(*spans)
        assert _has_cycle(t) == _has_cycle_walk(t), [(s.span_id, s.parent_id) for s in spans]


def test_clock_skew_counts_against_timing(run):
    skewed = agent(quality=("end_before_start",), start=10, end=5)
    assert ratio(run(StructureCheck, trace(skewed)), "d.spans_with_valid_timing") == (0, 1)


def test_tool_args_as_text_are_unstructured(run):
    finding = run(StructureCheck, trace(tool(arguments="city=Paris", result="18C")))
    assert ratio(finding, "d.steps_with_structured_io") == (0, 1)


def test_coverage_per_kind_is_reported(run):
    t = trace(tool(arguments={"a": 1}, result=1), tool(arguments=None, result=1), llm())
    finding = run(StructureCheck, t)
    assert ratio(finding, "d.coverage.tool.arguments") == (1, 2)
    assert ratio(finding, "d.coverage.llm.tools_offered") == (1, 1)
