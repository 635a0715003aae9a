import random

import pytest

from tests.factories import agent, llm, tool, trace
from tests.factories import span as any_span
from traceready.answers import Answers
from traceready.checks.b_tools import ToolsCheck
from traceready.checks.base import Context, in_start_order
from traceready.checks.thresholds import Thresholds
from traceready.checks.tool_calls import _start
from traceready.connector import Inventory
from traceready.findings import Status
from traceready.model import SpanKind

CTX = Context(Thresholds(), Inventory(), Answers())


def finish(*traces):
    check = ToolsCheck()
    for t in traces:
        check.observe(t)
    return check.finish(CTX)


def ratio(finding, metric):
    found = next(r for r in finding.metrics if r.metric == metric)
    return found.numerator, found.denominator


def test_tool_calls_requested_but_never_executed_make_b_partial_with_missing_call_ids():
    t = trace(
        agent(span_id="r"),
        llm(span_id="m1", parent="r", calls=[("call_a", "get_weather"), ("call_b", "get_weather")], start=1),
        tool(call_id="call_a", parent="r", arguments={"city": "Paris"}, result={"t": 18}, start=5),
    )
    finding = finish(t)
    assert finding.status is Status.PARTIAL
    assert ratio(finding, "b.requested_calls_with_span") == (1, 2)
    missing = [e for e in finding.examples if e.gap == "b.tool_spans_missing"]
    assert [e.detail for e in missing] == ["get_weather call call_b"]
    assert missing[0].span_id == "m1"


def test_no_tool_span_at_all_is_absent():
    finding = finish(trace(llm(calls=[("c1", "get_weather")])))
    assert finding.status is Status.ABSENT


def test_tool_spans_without_call_ids_match_by_name_and_order():
    t = trace(
        llm(calls=[("c1", "get_weather"), ("c2", "convert")], start=1),
        tool("convert", arguments={}, result=1, start=3),
        tool("get_weather", arguments={}, result=2, start=4),
    )
    assert ratio(finish(t), "b.requested_calls_with_span") == (2, 2)


def test_tool_span_with_a_different_call_id_is_not_matched_by_name():
    t = trace(
        llm(calls=[("c1", "get_weather")], start=1),
        tool("get_weather", call_id="other", arguments={}, result=1, start=3),
    )
    assert ratio(finish(t), "b.requested_calls_with_span") == (0, 1)


@pytest.mark.parametrize(
    ("span", "metric", "expected"),
    [
        pytest.param(
            tool(arguments=None, result=1), "b.tool_spans_with_arguments", (0, 1), id="no_arguments"
        ),
        pytest.param(tool(arguments={}, result=None), "b.tool_spans_with_result", (0, 1), id="no_result"),
        pytest.param(
            tool(arguments={}, result=None, failed=True),
            "b.tool_spans_with_result",
            (1, 1),
            id="failure_counts_as_outcome",
        ),
        pytest.param(
            tool(arguments={}, result=1, end=None), "b.tool_spans_with_latency", (0, 1), id="no_end_time"
        ),
    ],
)
def test_tool_span_fields_are_counted(span, metric, expected):
    assert ratio(finish(trace(span)), metric) == expected


def test_exception_without_error_status_is_a_gap():
    from traceready.model import ErrorInfo, StatusCode

    quiet = tool(arguments={}, result=None).replace(
        error=ErrorInfo(type="TimeoutError", message="t"), status=StatusCode.UNSET
    )
    finding = finish(trace(quiet))
    assert ratio(finding, "b.tool_errors_with_status") == (0, 1)
    assert "b.tool_error_status_missing" in finding.gaps


def test_no_tool_activity_is_unknown():
    assert finish(trace(llm())).status is Status.UNKNOWN


def test_start_order_sort_matches_sorted_by_start():
    draw = random.Random(16)
    for size in [*range(0, 9), 40]:
        for _ in range(200):
            spans = [any_span(SpanKind.TOOL, start=draw.choice([None, -1, 1, 2, 3])) for _ in range(size)]
            expected = sorted(spans, key=_start)
            assert [s.span_id for s in in_start_order(list(spans))] == [s.span_id for s in expected]
