from tests.factories import agent, llm, span, trace
from traceready.answers import Answers
from traceready.checks.a_reasoning import ReasoningCheck
from traceready.checks.base import Context
from traceready.checks.thresholds import Thresholds
from traceready.connector import Inventory
from traceready.findings import Status
from traceready.model import LlmInfo, Message, SpanKind, Usage

CTX = Context(Thresholds(), Inventory(), Answers())


def finish(*traces):
    check = ReasoningCheck()
    for t in traces:
        check.observe(t)
    return check.finish(CTX)


def test_final_io_only_traces_are_absent():
    finding = finish(trace(agent(span_id="root", input={"q": "hi"}, output="bye")))
    assert finding.status is Status.ABSENT
    assert "a.no_llm_spans" in finding.gaps
    assert finding.examples[0].span_id == "root"


def test_model_calls_with_full_messages_are_present():
    root = agent(span_id="r")
    finding = finish(trace(root, llm(parent="r"), llm(parent="r")))
    assert finding.status is Status.PRESENT
    ratio = next(r for r in finding.metrics if r.metric == "a.llm_spans_with_input_messages")
    assert (ratio.numerator, ratio.denominator) == (2, 2)


def test_model_calls_without_any_prompt_are_absent_even_when_steps_exist():
    finding = finish(trace(agent(span_id="r"), llm(parent="r", inputs=False)))
    assert finding.status is Status.ABSENT
    assert "a.input_messages_missing" in finding.gaps


def test_reasoning_tokens_without_reasoning_text_is_a_gap():
    hidden = llm(usage=Usage(input_tokens=1, output_tokens=9, reasoning_tokens=8))
    finding = finish(trace(hidden))
    assert finding.status is Status.PARTIAL
    assert "a.reasoning_missing" in finding.gaps


def test_reasoning_recorded_is_counted():
    info = LlmInfo(
        model="o3",
        input_messages=(Message(role="user", content="q"),),
        output_messages=(Message(role="assistant", content="a", reasoning="because"),),
        usage=Usage(input_tokens=1, output_tokens=9, reasoning_tokens=8),
    )
    finding = finish(trace(span(SpanKind.LLM, llm=info)))
    ratio = next(r for r in finding.metrics if r.metric == "a.reasoning_captured")
    assert (ratio.numerator, ratio.denominator) == (1, 1)


def test_redacted_span_is_reported_with_the_field():
    masked = llm(redacted=("input",))
    finding = finish(trace(masked))
    assert "a.content_redacted" in finding.gaps
    assert any(e.detail == "input" for e in finding.examples)


def test_a_span_cited_by_two_gaps_is_one_example_in_first_seen_order():
    # Both model calls lack their input messages and their output: each is an example of two gaps.
    first = llm(span_id="m1", parent="r", inputs=False, text=None)
    second = llm(span_id="m2", parent="r", inputs=False, text=None)
    finding = finish(trace(agent(span_id="r"), first, second))
    assert {"a.input_messages_missing", "a.output_missing"} <= set(finding.gaps)
    assert [e.span_id for e in finding.examples] == ["m1", "m2"]
