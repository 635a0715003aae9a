from tests.checks.conftest import ratio
from tests.factories import agent, llm, tool, trace
from traceready.answers import Answers, RetentionAnswers
from traceready.checks.e_replay import ReplayCheck
from traceready.findings import Status


def full_trace(trace_id="t1", session="s1"):
    return trace(
        agent(span_id=f"{trace_id}r", trace_id=trace_id, input={"q": "hi"}, session_id=session),
        llm(trace_id=trace_id, parent=f"{trace_id}r", calls=[("c1", "get_weather")]),
        tool(trace_id=trace_id, parent=f"{trace_id}r", call_id="c1", arguments={}, result={"t": 1}),
        llm(trace_id=trace_id, parent=f"{trace_id}r", tool_results=["c1"]),
        trace_id=trace_id,
    )


def test_fully_recorded_sessions_are_replayable(run):
    finding = run(ReplayCheck, full_trace("t1"), full_trace("t2"))
    assert finding.status is Status.PRESENT
    assert ratio(finding, "e.replayable_traces") == (2, 2)


def test_missing_params_make_a_trace_unreplayable(run):
    t = trace(agent(span_id="r", input="q", session_id="s"), llm(parent="r", params={}))
    finding = run(ReplayCheck, t)
    assert finding.status is Status.ABSENT
    assert "e.model_params_missing" in finding.gaps


def test_tool_result_fed_back_as_message_counts_as_recorded(run):
    t = trace(
        agent(span_id="r", input="q", session_id="s"),
        llm(parent="r", calls=[("c9", "get_weather")]),
        llm(parent="r", tool_results=["c9"]),
    )
    assert ratio(run(ReplayCheck, t), "e.traces_with_tool_results") == (1, 1)


def test_tool_result_recorded_nowhere_is_a_gap(run):
    t = trace(agent(span_id="r", input="q", session_id="s"), llm(parent="r", calls=[("c9", "get_weather")]))
    finding = run(ReplayCheck, t)
    assert ratio(finding, "e.traces_with_tool_results") == (0, 1)
    assert finding.status is Status.ABSENT


def test_short_self_reported_retention_is_a_gap_and_noted(run):
    answers = Answers(retention=RetentionAnswers(days=3))
    finding = run(ReplayCheck, full_trace(), answers=answers)
    assert finding.status is Status.PARTIAL
    assert "e.retention_short" in finding.gaps
    assert "Traces are kept 3 days (self-reported)." in finding.notes
