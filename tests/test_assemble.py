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


def _rooted(rooted_idle_after: int = 100) -> tuple[TraceAssembler, list[Trace]]:
    closed: list[Trace] = []
    return TraceAssembler(closed.append, idle_after=5_000, rooted_idle_after=rooted_idle_after), closed


def _others(assembler: TraceAssembler, count: int, prefix: str = "x") -> None:
    for number in range(count):  # unrelated spans, each of its own trace with a parent elsewhere
        assembler.add(span(trace_id=f"{prefix}{number}", parent="remote"))


def test_children_first_a_trace_closes_soon_after_its_root_but_one_without_root_waits() -> None:
    assembler, closed = _rooted()
    assembler.add(span(trace_id="a", span_id="a-child", parent="a-root"))
    assembler.add(span(trace_id="a", span_id="a-root"))  # exporters write the root last
    assembler.add(span(trace_id="b", span_id="b-child", parent="b-root"))  # root not yet written
    _others(assembler, 300)
    assert [t.trace_id for t in closed] == ["a"]
    assert [s.span_id for s in closed[0].spans] == ["a-child", "a-root"]
    assembler.flush()
    assert "b" in [t.trace_id for t in closed] and assembler.late_spans == 0


def test_children_first_a_span_soon_after_the_root_still_joins_its_trace() -> None:
    assembler, closed = _rooted()
    assembler.add(span(trace_id="a", span_id="a-child", parent="a-root"))
    assembler.add(span(trace_id="a", span_id="a-root"))
    _others(assembler, 50)
    assembler.add(span(trace_id="a", span_id="a-async", parent="a-root"))  # outlived its root a little
    _others(assembler, 300, prefix="y")
    (trace,) = [t for t in closed if t.trace_id == "a"]
    assert [s.span_id for s in trace.spans] == ["a-child", "a-root", "a-async"]


def test_children_first_a_span_long_after_its_closed_trace_is_counted_late() -> None:
    assembler, closed = _rooted()
    assembler.add(span(trace_id="a", span_id="a-child", parent="a-root"))
    assembler.add(span(trace_id="a", span_id="a-root"))
    _others(assembler, 300)
    assembler.add(span(trace_id="a", span_id="a-late", parent="a-root"))
    assembler.flush()
    assert assembler.late_spans == 1
    fragments = [[s.span_id for s in t.spans] for t in closed if t.trace_id == "a"]
    assert fragments == [["a-child", "a-root"], ["a-late"]]


def test_children_first_a_root_that_comes_first_keeps_the_idle_window() -> None:
    # A file sorted by start time puts each root before its children: nothing says the trace is done.
    assembler, closed = _rooted()
    assembler.add(span(trace_id="a", span_id="a-root"))
    _others(assembler, 300)
    assembler.add(span(trace_id="a", span_id="a-child", parent="a-root"))
    _others(assembler, 300, prefix="y")
    assert "a" not in [t.trace_id for t in closed]
    assembler.flush()
    assert assembler.late_spans == 0
    assert [[s.span_id for s in t.spans] for t in closed if t.trace_id == "a"] == [["a-root", "a-child"]]


def test_without_children_first_a_rooted_trace_waits_for_the_idle_window() -> None:
    closed: list[Trace] = []
    assembler = TraceAssembler(closed.append, idle_after=5_000)  # vendor APIs: roots may come first
    assembler.add(span(trace_id="a", span_id="a-root"))
    _others(assembler, 1_000)
    assembler.add(span(trace_id="a", span_id="a-child", parent="a-root"))
    assembler.flush()
    assert assembler.late_spans == 0
    assert [[s.span_id for s in t.spans] for t in closed if t.trace_id == "a"] == [["a-root", "a-child"]]
