"""e) Session reproducibility: enough recorded to replay a session step by step."""

from __future__ import annotations

from typing import Any, ClassVar

from traceready.answers import Answers, known
from traceready.checks.base import (
    Check,
    Context,
    Metric,
    Reported,
    Trace,
    add_counts,
    count_construction_when_alone,
    set_aside_notes,
)
from traceready.checks.tool_calls import match_tool_calls
from traceready.findings import Finding, Status
from traceready.model import Span, has_content, has_sampling_params


def _has_result(span: Span) -> bool:
    return span.is_failed or (span.tool is not None and span.tool.result is not None)


class ReplayCheck(Check):
    """Each trace records its inputs, model and parameters, and every tool response."""

    id: ClassVar[str] = "e"
    title: ClassVar[str] = "Session reproducibility"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "e.replayable_traces",
            "traces replayable from what they record",
            "e.not_replayable",
            core=True,
            weight=2.0,
        ),
        Metric("e.traces_with_session_id", "traces with a session id", "e.session_id_missing"),
        Metric(
            "e.llm_spans_with_model_and_params",
            "model calls with model name and parameters",
            "e.model_params_missing",
        ),
        Metric(
            "e.traces_with_tool_results",
            "traces with tools whose every call has a recorded result",
            "e.tool_results_missing",
        ),
        Metric(
            "e.traces_with_complete_input",
            "traces whose input (root input or first prompt) is recorded and not redacted",
            "e.inputs_incomplete",
        ),
        Metric(
            "e.llm_spans_with_seed",
            "model calls with a seed (where the provider supports one)",
            "e.seed_missing",
            scored=False,
        ),
    )
    extra_gaps: ClassVar[tuple[str, ...]] = ("e.retention_short",)

    def __init__(self, thresholds: Any = None) -> None:
        super().__init__(thresholds)
        self._traces_with_session_id = self.counter("e.traces_with_session_id")
        self._llm_spans_with_model_and_params = self.counter("e.llm_spans_with_model_and_params")
        self._llm_spans_with_seed = self.counter("e.llm_spans_with_seed")
        self._traces_with_tool_results = self.counter("e.traces_with_tool_results")
        self._traces_with_complete_input = self.counter("e.traces_with_complete_input")
        self._replayable_traces = self.counter("e.replayable_traces")
        self.session_traces: dict[str, int] = {}
        """Traces per session id: an id no two traces share links no turns."""

    def merge(self, other: ReplayCheck) -> None:
        """Add the other part's counters, traces per session included."""
        super().merge(other)
        add_counts(self.session_traces, other.session_traces)

    def observe(self, trace: Trace) -> None:
        """Decide whether the trace could be replayed and why not."""
        if trace.is_agent_construction():
            self.fact("construction_traces")
            return
        roots = trace.roots()
        root = roots[0] if roots else trace.spans[0]
        sessions = {s.session_id for s in trace.spans if s.session_id}
        for session in sessions:
            self.session_traces[session] = self.session_traces.get(session, 0) + 1
        self.count_into(self._traces_with_session_id, bool(sessions), root)
        self.set_aside_calls(trace)
        llm_spans = trace.model_calls()
        llm_ok = True
        for span in llm_spans:
            info = span.llm
            ok = info is not None and info.model is not None and has_sampling_params(info.params)
            self.count_into(self._llm_spans_with_model_and_params, ok, span)
            self.count_into(
                self._llm_spans_with_seed, info is not None and "seed" in (info.params or {}), span
            )
            # Replayable: model and parameters, recorded input messages, none of them masked.
            llm_ok = (
                llm_ok
                and ok
                and info is not None
                and has_content(info.input_messages)
                and "llm.input_messages" not in span.redacted
            )
        calls, tool_spans = match_tool_calls(trace)
        # A tool response fed back to the model as a tool message is recorded too: a replay can serve it.
        answered = {
            m.tool_call_id
            for s in llm_spans
            if s.llm is not None
            for m in s.llm.input_messages or ()
            if m.tool_call_id  # a tool message, or a user message carrying a tool result (Bedrock shape)
        }
        tools_ok = all(
            (c.call.id is not None and c.call.id in answered)
            or (c.tool_span is not None and _has_result(c.tool_span))
            for c in calls
        ) and all(_has_result(s) or (s.tool is not None and s.tool.call_id in answered) for s in tool_spans)
        if calls or tool_spans:
            self.count_into(self._traces_with_tool_results, tools_ok, root)
        first_prompt = any(s.llm is not None and has_content(s.llm.input_messages) for s in llm_spans)
        recorded = root.has_input or first_prompt
        input_ok = recorded and not any(s.redacted for s in trace.spans)
        self.count_into(self._traces_with_complete_input, input_ok, root)
        replayable = bool(llm_spans) and llm_ok and tools_ok and input_ok
        self.count_into(self._replayable_traces, replayable, root)

    def finish(self, context: Context) -> Finding:
        """Level the ratios; a self-reported retention under 7 days is a gap."""
        ratios, facts = count_construction_when_alone(self.ratios(), self.tally.facts, "e.replayable_traces")
        days = known(context.answers.retention.days)
        notes, gaps = set_aside_notes(facts), []
        if days is not None:
            notes.append(f"Traces are kept {days} days (self-reported).")
            if days < 7:
                gaps.append("e.retention_short")
        if len(self.session_traces) >= 2 and max(self.session_traces.values()) == 1:
            # Per-run ids (pydantic-ai writes a fresh gen_ai.conversation.id for every run unless
            # given one) look like session ids but link no turns: not a session for a replay.
            notes.append(
                f"Each of the {len(self.session_traces)} session ids appears in one trace only, so they link"
                " no turns of a conversation (a per-run id, not a session)."
            )
            gaps.append("e.session_id_missing")
        return self.verdict(
            ratios,
            notes=notes,
            extra_gaps=gaps,
            empty_reason="No traces were observed.",
        )

    def reported(self, answers: Answers) -> Reported | None:
        """Whether a session can be replayed from the logs, and gives the same result."""
        replay = answers.replay
        days = known(answers.retention.days)
        short = ("e.retention_short",) if days is not None and days < 7 else ()
        how = known(replay.how)
        notes = (
            (f"Replayed with: {', '.join(h.replace('_', ' ') for h in how)} (self-reported).",) if how else ()
        )
        if replay.possible is True:
            if replay.deterministic is True and not short:
                return Reported(
                    Status.PRESENT,
                    "Sessions can be replayed from the logs, with the same result.",
                    notes=notes,
                )
            why = (
                "a replay may not give the same result"
                if replay.deterministic is not True
                else (f"traces are kept only {days} days")
            )
            gaps = ("e.seed_missing",) if replay.deterministic is not True else ()
            return Reported(
                Status.PARTIAL, f"Sessions can be replayed from the logs, but {why}.", (*gaps, *short), notes
            )
        if replay.possible is False:
            return Reported(
                Status.ABSENT, "Sessions cannot be replayed from the logs.", ("e.not_replayable", *short)
            )
        if answers.logging.inputs_outputs is False:
            return Reported(
                Status.ABSENT, "Session inputs and outputs are not logged.", ("e.inputs_incomplete", *short)
            )
        if replay.possible is not None:
            return Reported(
                Status.UNKNOWN, "Not sure whether a session can be replayed from the logs.", short
            )
        return None
