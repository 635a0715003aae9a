"""Trace assembly: spans grouped per trace, traces handed on once idle, late spans counted."""

from __future__ import annotations

from tests.factories import span
from traceready.assemble import TraceAssembler
from traceready.checks.base import Trace


def _collect(idle_after: int) -> tuple[TraceAssembler, list[Trace]]:
    closed: list[Trace] = []
    return TraceAssembler(closed.append, idle_after=idle_after), closed


def test_trace_stays_open_while_its_spans_keep_arriving_and_idle_ones_close_in_order() -> None:
    assembler, closed = _collect(idle_after=300)
    assembler.add(span(trace_id="a", span_id="a1"))
    assembler.add(span(trace_id="b", span_id="b1"))
    for number in range(600):  # trace "c" keeps arriving, and so does "a" once, late in the window
        assembler.add(span(trace_id="c", span_id=f"c{number}"))
        if number == 100:
            assembler.add(span(trace_id="a", span_id="a2"))
    assert [t.trace_id for t in closed] == ["b", "a"]  # "b" went idle first: its last span is older
    assert [s.span_id for s in closed[1].spans] == ["a1", "a2"]
    assembler.flush()
    assert [t.trace_id for t in closed] == ["b", "a", "c"]
    assert len(closed[2].spans) == 600
    assert assembler.traces == 3
    assert assembler.late_spans == 0


def test_span_after_its_trace_was_handed_on_is_late_and_starts_a_fragment() -> None:
    assembler, closed = _collect(idle_after=10)
    assembler.add(span(trace_id="a", span_id="a1"))
    for number in range(300):
        assembler.add(span(trace_id=f"x{number}", span_id=f"x{number}"))
    assert "a" in [t.trace_id for t in closed]
    assembler.add(span(trace_id="a", span_id="a2"))
    assembler.flush()
    assert assembler.late_spans == 1
    fragments = [t for t in closed if t.trace_id == "a"]
    assert [[s.span_id for s in t.spans] for t in fragments] == [["a1"], ["a2"]]


def test_flush_hands_on_open_traces_by_their_last_span() -> None:
    assembler, closed = _collect(idle_after=1_000)
    for trace_id in ("a", "b", "a", "c"):
        assembler.add(span(trace_id=trace_id))
    assembler.flush()
    assert [t.trace_id for t in closed] == ["b", "a", "c"]
    assembler.flush()
    assert assembler.traces == 3
