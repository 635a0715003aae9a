"""h) Cost and latency: tokens, cost and latency per step, rolled up per session without double counting."""

from __future__ import annotations

from typing import ClassVar

from traceready.answers import Answers
from traceready.checks.base import Check, Context, Metric, Reported, Trace, has_latency, set_aside_notes
from traceready.checks.thresholds import Thresholds
from traceready.findings import Finding, Status
from traceready.model import KIND_LLM, Span


def _has_tokens(span: Span) -> bool:
    usage = span.llm.usage if span.llm else None
    return usage is not None and (usage.input_tokens is not None or usage.total_tokens is not None)


class CostLatencyCheck(Check):
    """Every step has latency; model calls have tokens and cost; usage sums cleanly per session."""

    id: ClassVar[str] = "h"
    title: ClassVar[str] = "Cost and latency"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("h.spans_with_latency", "spans with latency", "h.latency_missing"),
        Metric(
            "h.llm_spans_with_tokens",
            "model calls with token usage",
            "h.tokens_missing",
            core=True,
            weight=2.0,
        ),
        Metric("h.llm_spans_with_cost", "model calls with cost", "h.cost_missing"),
        Metric(
            "h.priceable_llm_spans_with_cost",
            "model calls with model name and tokens that carry a cost",
            "h.cost_unpriced",
            scored=False,
        ),
        Metric(
            "h.llm_spans_in_sessions",
            "model calls attributable to a session (a session id on their trace)",
            "h.session_rollup_missing",
        ),
        Metric(
            "h.traces_without_double_counting",
            "traces whose token usage sums without a parent repeating its children",
            "h.tokens_double_counted",
        ),
    )

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        super().__init__(thresholds)
        self._spans_with_latency = self.counter("h.spans_with_latency")
        self._llm_spans_with_tokens = self.counter("h.llm_spans_with_tokens")
        self._llm_spans_in_sessions = self.counter("h.llm_spans_in_sessions")
        self._priceable_llm_spans_with_cost = self.counter("h.priceable_llm_spans_with_cost")
        self._llm_spans_with_cost = self.counter("h.llm_spans_with_cost")
        self._traces_without_double_counting = self.counter("h.traces_without_double_counting")

    def observe(self, trace: Trace) -> None:
        """Count latency, usage, cost, and parents that repeat their children's tokens."""
        self.fact("traces")
        with_tokens = set()
        in_session = any(s.session_id for s in trace.spans)
        preparation = self.set_aside_calls(trace)
        for span in trace.spans:
            self.count_into(self._spans_with_latency, has_latency(span), span)
            if _has_tokens(span):
                with_tokens.add(span.span_id)
            if span.kind is KIND_LLM and span.span_id not in preparation:
                self.count_into(self._llm_spans_with_tokens, _has_tokens(span), span)
                self.count_into(self._llm_spans_in_sessions, in_session, span)
                if span.llm is not None and span.llm.model and _has_tokens(span):
                    # Model and tokens known but no cost: the price table lacks this model.
                    self.count_into(self._priceable_llm_spans_with_cost, span.llm.cost_usd is not None, span)
                self.count_into(
                    self._llm_spans_with_cost,
                    span.llm is not None and span.llm.cost_usd is not None,
                    span,
                )
        if not with_tokens:
            return
        repeating = None
        for span in trace.spans:
            if span.span_id in with_tokens:
                for ancestor in trace.ancestors(span):
                    if ancestor.span_id in with_tokens:
                        repeating = ancestor
                        break
            if repeating is not None:
                break
        root = trace.roots()[0] if trace.roots() else trace.spans[0]
        self.count_into(
            self._traces_without_double_counting,
            repeating is None,
            repeating or root,
            detail=f"{repeating.name} repeats its children's tokens" if repeating else None,
        )

    def finish(self, context: Context) -> Finding:
        """Level the ratios."""
        ratios = self.ratios()
        traces = self.tally.facts["traces"]
        if traces and not self.tally.denominators.get("h.llm_spans_with_tokens", 0):
            finding = self.verdict(ratios)
            return finding.model_copy(
                update={
                    "status": Status.ABSENT,
                    "score": 0.0,
                    "reason": (
                        f"None of {traces} traces records a model call, so no tokens or cost are visible."
                    ),
                    "gaps": tuple(dict.fromkeys((*finding.gaps, "h.tokens_missing", "h.cost_missing"))),
                }
            )
        return self.verdict(
            ratios, notes=set_aside_notes(self.tally.facts), empty_reason="No spans were observed."
        )

    def reported(self, answers: Answers) -> Reported | None:
        """Token counts and cost per model call."""
        return _REPORTED.get(answers.logging.usage or "")


_REPORTED = {
    "tokens_and_cost": Reported(Status.PRESENT, "Token counts and cost are logged for each model call."),
    "tokens": Reported(
        Status.PARTIAL, "Token counts are logged for each model call, but not cost.", ("h.cost_missing",)
    ),
    "none": Reported(
        Status.ABSENT, "Neither token counts nor cost are logged.", ("h.tokens_missing", "h.cost_missing")
    ),
    "unknown": Reported(Status.UNKNOWN, "Not sure whether token counts and cost are logged."),
}
