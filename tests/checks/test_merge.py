"""Scoring traces in two parts and merging gives the one-pass state: counts, examples, facts."""

from __future__ import annotations

from tests.factories import agent, trace
from traceready.checks.base import Check
from traceready.checks.base import Trace as TraceType
from traceready.checks.j_eval_harness import EvalHarnessCheck
from traceready.model import Score


def _one_pass_and_merged(check_cls: type[Check], traces: list[TraceType], split: int) -> tuple[Check, Check]:
    whole = check_cls()
    for t in traces:
        whole.observe(t)
    left, right = check_cls(), check_cls()
    for t in traces[:split]:
        left.observe(t)
    for t in traces[split:]:
        right.observe(t)
    left.merge(right)
    return whole, left


def _state(check: Check) -> tuple[object, ...]:
    tally = check.tally
    return tally.numerators, tally.denominators, dict(tally.facts), tally.examples


def test_a_met_example_citing_the_span_cited_last_is_kept_once_across_parts() -> None:
    # Span ids repeat across traces: one pass keeps a "+" example once when the span cited just
    # before is the same span; merging must not keep it twice.
    scored = (Score(name="c", value=1.0),)
    traces = [
        trace(agent(span_id="root", scores=scored), trace_id="t1"),
        trace(agent(span_id="root", scores=scored), trace_id="t2"),
        *(trace(agent(span_id=f"r{i}", scores=scored), trace_id=f"t{i}") for i in range(3, 9)),
    ]
    whole, merged = _one_pass_and_merged(EvalHarnessCheck, traces, split=1)
    assert _state(merged) == _state(whole)
    assert [e.span_id for e in merged.tally.examples["+"]] == ["root", "r3", "r4", "r5", "r6"]
