"""c) Decision-point visibility: what the agent could choose, and what it chose."""

from __future__ import annotations

from typing import ClassVar

from traceready.answers import Answers
from traceready.checks.base import Check, Context, Metric, Reported, Trace, set_aside_notes
from traceready.checks.thresholds import Thresholds
from traceready.findings import Finding, Status
from traceready.model import KIND_AGENT, KIND_DECISION, KIND_LLM, KIND_TOOL, Span

_GROUPING = (KIND_AGENT, KIND_DECISION)
"""Spans that group a multi-step trace as one agent's work: agents and routers, not any chain."""


def _agent_tools(trace: Trace, span: Span) -> bool:
    """True when an enclosing agent span records the tools it offers its model calls."""
    return any(
        a.kind is KIND_AGENT and a.llm is not None and bool(a.llm.tools_offered)
        for a in trace.ancestors(span)
    )


class DecisionsCheck(Check):
    """Model calls that chose among tools record the offered set and the choice."""

    id: ClassVar[str] = "c"
    title: ClassVar[str] = "Decision-point visibility"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "c.llm_spans_with_choice",
            "model calls with their choice (tool calls or answer) recorded",
            "c.choice_missing",
            core=True,
        ),
        Metric(
            "c.tool_choices_with_offered_set",
            "model calls that chose a tool with the offered tools recorded",
            "c.tools_offered_missing",
        ),
        Metric(
            "c.multistep_traces_with_agent_span",
            "multi-step traces grouped under an agent or router span",
            "c.agent_span_missing",
        ),
    )
    extra_gaps: ClassVar[tuple[str, ...]] = ("c.no_llm_spans",)

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        super().__init__(thresholds)
        self._llm_spans_with_choice = self.counter("c.llm_spans_with_choice")
        self._tool_choices_with_offered_set = self.counter("c.tool_choices_with_offered_set")
        self._multistep_traces_with_agent_span = self.counter("c.multistep_traces_with_agent_span")

    def observe(self, trace: Trace) -> None:
        """Count model calls that made a choice and whether the trace shows the agent."""
        steps = 0
        preparation = self.set_aside_calls(trace)
        for span in trace.spans:
            kind = span.kind
            if kind is not KIND_LLM and kind is not KIND_DECISION and kind is not KIND_TOOL:
                continue
            if span.span_id in preparation:
                continue
            steps += 1
            if kind is KIND_TOOL or span.llm is None:
                continue
            self.fact("llm_spans")
            outputs = span.llm.output_messages or ()
            calls_tools = any(m.tool_calls for m in outputs)
            # Tool spans after it show a choice its output may not record as a tool call.
            chose_tool = calls_tools or span.span_id in trace.tool_choosers()
            recorded = bool(outputs) and "llm.output_messages" not in span.redacted
            if chose_tool and not calls_tools and recorded:
                recorded = False
                self.fact("tool_choice_as_text")
            self.count_into(self._llm_spans_with_choice, recorded, span)
            if chose_tool:
                offered = bool(span.llm.tools_offered)
                if not offered and _agent_tools(trace, span):
                    offered = True
                    self.fact("tools_offered_on_agent")
                self.count_into(self._tool_choices_with_offered_set, offered, span)
        if steps >= 2:
            root = trace.roots()[0]
            has_group = any(s.kind in _GROUPING for s in trace.spans)
            self.count_into(self._multistep_traces_with_agent_span, has_group, root)
        self.fact("traces")

    def finish(self, context: Context) -> Finding:
        """Level the ratios; traces without any model call show no decision at all."""
        facts = self.tally.facts
        if facts["traces"] and not facts["llm_spans"]:
            finding = self.verdict(self.ratios(), extra_gaps=["c.no_llm_spans"])
            return finding.model_copy(
                update={
                    "status": Status.ABSENT,
                    "score": 0.0,
                    "reason": (
                        f"None of {facts['traces']} traces records a model call, so no decision is visible."
                    ),
                }
            )
        notes = set_aside_notes(facts)
        if facts["tools_offered_on_agent"]:
            notes.append(
                f"{facts['tools_offered_on_agent']} model calls that chose a tool record no offered set"
                " themselves; the tools offered on their enclosing agent span were counted for them."
            )
        if facts["tool_choice_as_text"]:
            notes.append(
                f"{facts['tool_choice_as_text']} model calls were followed by the tool spans they chose"
                " but record no tool call in their output (at most text): their choice is not recorded."
            )
        return self.verdict(self.ratios(), notes=notes, empty_reason="No model call chose among tools.")

    def reported(self, answers: Answers) -> Reported | None:
        """Decisions are visible when each logged model call records the tools offered and chosen."""
        if answers.logging.reasoning == "final":
            return Reported(
                Status.ABSENT,
                "Only final outputs are logged, so no decision is visible.",
                ("c.choice_missing",),
            )
        decisions = answers.logging.decisions
        if decisions is True:
            return Reported(
                Status.PRESENT, "Each model call records the tools it was offered and the one it chose."
            )
        if decisions is False:
            return Reported(
                Status.PARTIAL,
                "Model calls do not record the tools they were offered.",
                ("c.tools_offered_missing",),
            )
        if decisions is not None:
            return Reported(
                Status.UNKNOWN, "Not sure whether model calls record the tools offered and chosen."
            )
        return None
