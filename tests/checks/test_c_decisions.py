import random

from tests.checks.conftest import ratio
from tests.factories import agent, llm, tool, trace
from tests.factories import span as any_span
from traceready.checks.base import in_start_order
from traceready.checks.c_decisions import DecisionsCheck
from traceready.findings import Status
from traceready.model import SpanKind


def test_tool_choice_without_offered_tools_is_partial(run):
    t = trace(
        agent(span_id="r"),
        llm(parent="r", calls=[("c1", "get_weather")], offered=None),
        tool(parent="r", call_id="c1"),
    )
    finding = run(DecisionsCheck, t)
    assert finding.status is Status.PARTIAL
    assert ratio(finding, "c.tool_choices_with_offered_set") == (0, 1)
    assert "c.tools_offered_missing" in finding.gaps


def test_offered_set_and_choices_under_an_agent_are_present(run):
    t = trace(
        agent(span_id="r"),
        llm(parent="r", calls=[("c1", "get_weather")]),
        tool(parent="r", call_id="c1"),
        llm(parent="r"),
    )
    assert run(DecisionsCheck, t).status is Status.PRESENT


def test_multistep_trace_without_agent_span_is_a_gap(run):
    t = trace(llm(span_id="m", calls=[("c1", "get_weather")]), tool(parent="m", call_id="c1"))
    finding = run(DecisionsCheck, t)
    assert ratio(finding, "c.multistep_traces_with_agent_span") == (0, 1)


def test_traces_without_model_calls_are_absent_not_unknown(run):
    finding = run(DecisionsCheck, trace(agent()), trace(agent(), trace_id="t2"))
    assert finding.status is Status.ABSENT
    assert "c.no_llm_spans" in finding.gaps
    assert "None of 2 traces" in finding.reason


def test_redacted_outputs_hide_the_choice(run):
    masked = llm(redacted=("llm.output_messages",))
    finding = run(DecisionsCheck, trace(masked))
    assert finding.status is Status.ABSENT


def test_step_order_sort_matches_sorted_by_start_and_kind():
    draw = random.Random(16)
    for size in [*range(1, 9), 40]:
        for _ in range(200):
            group = [
                any_span(draw.choice([SpanKind.LLM, SpanKind.TOOL]), start=draw.choice([None, 1, 2, 3]))
                for _ in range(size)
            ]
            expected = sorted(group, key=lambda s: (s.start_ns or 0, s.kind is SpanKind.TOOL))
            assert [s.span_id for s in in_start_order(list(group), tools_last=True)] == [
                s.span_id for s in expected
            ]
