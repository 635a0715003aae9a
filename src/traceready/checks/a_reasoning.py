"""a) Full reasoning traces: every step's prompt, output and reasoning, not just final I/O."""

from __future__ import annotations

from typing import ClassVar

from traceready.answers import Answers
from traceready.checks.base import (
    Check,
    Context,
    Metric,
    Reported,
    Trace,
    count_construction_when_alone,
    set_aside_notes,
)
from traceready.checks.thresholds import Thresholds
from traceready.findings import Finding, Status
from traceready.model import Span, has_content


def _has_output(span: Span) -> bool:
    messages = span.llm.output_messages if span.llm else None
    return bool(messages) and any(m.content or m.tool_calls or m.reasoning for m in messages or ())


class ReasoningCheck(Check):
    """Model calls are recorded as steps with their full messages and any reasoning."""

    id: ClassVar[str] = "a"
    title: ClassVar[str] = "Full reasoning traces"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "a.traces_with_llm_steps",
            "traces with model calls recorded as steps",
            "a.no_llm_spans",
            core=True,
            weight=2.0,
        ),
        Metric(
            "a.llm_spans_with_input_messages",
            "model calls with their input messages",
            "a.input_messages_missing",
            core=True,
        ),
        Metric(
            "a.llm_spans_with_output",
            "model calls with output content or tool calls",
            "a.output_missing",
        ),
        Metric(
            "a.reasoning_captured",
            "model calls that used reasoning tokens with the reasoning recorded",
            "a.reasoning_missing",
        ),
        Metric("a.spans_not_redacted", "spans with content not redacted", "a.content_redacted"),
    )

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        super().__init__(thresholds)
        self._traces_with_llm_steps = self.counter("a.traces_with_llm_steps")
        self._llm_spans_with_input_messages = self.counter("a.llm_spans_with_input_messages")
        self._llm_spans_with_output = self.counter("a.llm_spans_with_output")
        self._reasoning_captured = self.counter("a.reasoning_captured")
        self._spans_not_redacted = self.counter("a.spans_not_redacted")

    def observe(self, trace: Trace) -> None:
        """Count the trace, its model calls and any redaction."""
        self.set_aside_calls(trace)
        llm_spans = trace.model_calls()
        roots = trace.roots()
        root = roots[0] if roots else trace.spans[0]
        if trace.is_agent_construction():
            self.fact("construction_traces")
        else:
            self.count_into(self._traces_with_llm_steps, bool(llm_spans), root)
        for span in llm_spans:
            info = span.llm
            inputs = info.input_messages if info else None
            redacted_in = "llm.input_messages" in span.redacted
            self.count_into(
                self._llm_spans_with_input_messages, has_content(inputs) and not redacted_in, span
            )
            redacted_out = "llm.output_messages" in span.redacted
            self.count_into(self._llm_spans_with_output, _has_output(span) and not redacted_out, span)
            if info and info.usage.reasoning_tokens:
                outputs = info.output_messages or ()
                self.count_into(self._reasoning_captured, any(m.reasoning for m in outputs), span)
        for span in trace.spans:
            self.count_into(
                self._spans_not_redacted,
                not span.redacted,
                span,
                detail=",".join(span.redacted) or None if span.redacted else None,
            )

    def finish(self, context: Context) -> Finding:
        """Level the ratios, saying which spans and traces were set aside."""
        ratios, facts = count_construction_when_alone(
            self.ratios(), self.tally.facts, "a.traces_with_llm_steps"
        )
        return self.verdict(ratios, notes=set_aside_notes(facts), empty_reason="No traces were observed.")

    def reported(self, answers: Answers) -> Reported | None:
        """What is logged between input and output: every call with reasoning, without, or nothing."""
        return _REPORTED.get(answers.logging.reasoning or "")


_REPORTED = {
    "full": Reported(
        Status.PRESENT, "Every model call is logged with its full prompt, output and reasoning."
    ),
    "steps": Reported(
        Status.PARTIAL,
        "Every model call's prompt and output is logged, but not its reasoning.",
        ("a.reasoning_missing",),
    ),
    "final": Reported(
        Status.ABSENT,
        "Only final outputs are logged, not the model calls between input and output.",
        ("a.no_llm_spans",),
    ),
    "unknown": Reported(Status.UNKNOWN, "Not sure what is logged between the input and the final output."),
}
