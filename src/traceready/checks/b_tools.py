"""b) Tool-call granularity: each tool call with inputs, outputs, latency and error state."""

from __future__ import annotations

from typing import ClassVar

from traceready.answers import Answers, known
from traceready.checks.base import Check, Context, Metric, Reported, Trace, has_latency
from traceready.checks.thresholds import Thresholds
from traceready.checks.tool_calls import match_tool_calls
from traceready.findings import Finding, Status
from traceready.model import STATUS_ERROR


class ToolsCheck(Check):
    """Every tool call the model requested ran in a span of its own, fully recorded."""

    id: ClassVar[str] = "b"
    title: ClassVar[str] = "Tool-call granularity"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "b.requested_calls_with_span",
            "requested tool calls with a tool span",
            "b.tool_spans_missing",
            core=True,
            weight=2.0,
        ),
        Metric("b.tool_spans_with_arguments", "tool spans with arguments", "b.tool_arguments_missing"),
        Metric(
            "b.tool_spans_with_result",
            "tool spans with a result or an error",
            "b.tool_results_missing",
        ),
        Metric(
            "b.tool_spans_with_latency",
            "tool spans with start and end times",
            "b.tool_latency_missing",
        ),
        Metric(
            "b.tool_errors_with_status",
            "failed tool spans with ERROR status",
            "b.tool_error_status_missing",
        ),
        Metric(
            "b.tool_spans_with_call_id",
            "tool spans with the model's tool-call id",
            "b.tool_call_id_missing",
            scored=False,
        ),
    )

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        super().__init__(thresholds)
        self._requested_calls_with_span = self.counter("b.requested_calls_with_span")
        self._tool_spans_with_arguments = self.counter("b.tool_spans_with_arguments")
        self._tool_spans_with_result = self.counter("b.tool_spans_with_result")
        self._tool_spans_with_latency = self.counter("b.tool_spans_with_latency")
        self._tool_errors_with_status = self.counter("b.tool_errors_with_status")
        self._tool_spans_with_call_id = self.counter("b.tool_spans_with_call_id")

    def observe(self, trace: Trace) -> None:
        """Match requested calls to tool spans and count what each tool span carries."""
        calls, tool_spans = match_tool_calls(trace)
        for requested in calls:
            ran = requested.tool_span is not None
            call = requested.call
            detail = None if ran else f"{call.name or '?'} call {call.id or '(no id)'}"  # shown on a miss
            self.count_into(self._requested_calls_with_span, ran, requested.llm_span, detail=detail)
        for span in tool_spans:
            tool = span.tool
            self.count_into(
                self._tool_spans_with_arguments, tool is not None and tool.arguments is not None, span
            )
            has_result = tool is not None and tool.result is not None
            self.count_into(self._tool_spans_with_result, has_result or span.is_failed, span)
            self.count_into(self._tool_spans_with_latency, has_latency(span), span)
            if span.error is not None:
                self.count_into(self._tool_errors_with_status, span.status is STATUS_ERROR, span)
            self.count_into(
                self._tool_spans_with_call_id, tool is not None and tool.call_id is not None, span
            )

    def finish(self, context: Context) -> Finding:
        """Level the ratios; no tool call at all is UNKNOWN."""
        return self.verdict(self.ratios(), empty_reason="No tool call was observed.")

    def reported(self, answers: Answers) -> Reported | None:
        """Whether tool calls are logged one by one: all, some (which not), none."""
        logged = answers.logging.tool_calls
        if logged == "some":
            missing = known(answers.logging.tools_not_logged)
            which = f" (not logged: {', '.join(missing)})" if missing else ""
            return Reported(
                Status.PARTIAL,
                f"Some tools' calls are not logged one by one{which}.",
                ("b.tool_spans_missing",),
            )
        return _REPORTED.get(logged or "")


_REPORTED = {
    "all": Reported(Status.PRESENT, "Every tool call is logged one by one with its inputs and outputs."),
    "none": Reported(Status.ABSENT, "Tool calls are not logged one by one.", ("b.tool_spans_missing",)),
    "no_tools": Reported(Status.UNKNOWN, "The agent calls no tools, so tool logging does not apply."),
    "unknown": Reported(Status.UNKNOWN, "Not sure whether tool calls are logged one by one."),
}
