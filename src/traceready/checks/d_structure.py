"""d) Structured format: typed spans, intact parent links, structured inputs and outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from traceready.answers import Answers
from traceready.checks.base import Check, Context, Metric, Reported, Trace, add_counts, set_aside_notes
from traceready.findings import Finding, Ratio, Status
from traceready.model import KIND_LLM, KIND_TOOL, KIND_UNKNOWN, Span, SpanKind

_ATTRIBUTES: dict[SpanKind, tuple[str, ...]] = {
    KIND_LLM: (
        "model",
        "input_messages",
        "output_messages",
        "tools_offered",
        "usage",
        "params",
    ),
    KIND_TOOL: ("name", "call_id", "arguments", "result"),
}
_COMMON = ("input", "output", "latency", "session_id")


def _structured(value: Any) -> bool:
    return isinstance(value, dict | list)


def _llm_has(attribute: str) -> Callable[[Span], bool]:
    return lambda span: span.llm is not None and bool(getattr(span.llm, attribute))


def _tool_has(attribute: str) -> Callable[[Span], bool]:
    return lambda span: span.tool is not None and getattr(span.tool, attribute) is not None


_CARRIES: dict[str, Callable[[Span], bool]] = {
    "input": lambda span: span.has_input,
    "output": lambda span: span.has_output,
    "latency": lambda span: span.latency_ms is not None,
    "session_id": lambda span: span.session_id is not None,
    "usage": lambda span: span.llm is not None and span.llm.usage.input_tokens is not None,
    **{a: _llm_has(a) for a in ("model", "input_messages", "output_messages", "tools_offered", "params")},
    **{a: _tool_has(a) for a in _ATTRIBUTES[KIND_TOOL]},
}
"""Whether a span carries each attribute whose coverage is counted per kind."""

_COVERAGE: dict[SpanKind, tuple[str, tuple[tuple[Callable[[Span], bool], str], ...]]] = {
    kind: (
        kind.value,
        tuple((_CARRIES[a], f"{kind.value}.{a}") for a in _ATTRIBUTES.get(kind, ()) + _COMMON),
    )
    for kind in SpanKind
}
"""Per kind, its coverage key and (test, coverage key) per attribute: built once, not per span."""


class StructureCheck(Check):
    """Spans are typed, linked and carry machine-parseable inputs and outputs."""

    id: ClassVar[str] = "d"
    title: ClassVar[str] = "Structured format"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "d.spans_with_known_kind",
            "spans with a known kind (llm, tool, agent...)",
            "d.span_kinds_unknown",
            core=True,
            weight=2.0,
        ),
        Metric(
            "d.steps_with_structured_io",
            "model and tool steps with structured inputs or outputs",
            "d.unstructured_io",
        ),
        Metric(
            "d.parent_links_resolved",
            "parent links that resolve inside their trace",
            "d.broken_parent_links",
        ),
        Metric("d.traces_with_single_root", "traces with one root and no cycle", "d.broken_trace_trees"),
        Metric("d.spans_with_valid_timing", "spans with start before end", "d.invalid_timestamps"),
        Metric("d.spans_with_standard_ids", "spans with standard hex ids", "d.nonstandard_ids"),
    )

    def __init__(self, thresholds: Any = None) -> None:
        super().__init__(thresholds)
        self.coverage: dict[str, int] = {}
        """Spans per kind, and per kind and attribute those carrying it (a plain dict: see Tally)."""

    def merge(self, other: StructureCheck) -> None:
        """Add the other part's counters, per-kind coverage included."""
        super().merge(other)
        add_counts(self.coverage, other.coverage)

    def observe(self, trace: Trace) -> None:
        """Count kinds, links, timing, ids and per-kind attribute coverage."""
        by_id, coverage = trace.by_id, self.coverage
        wrappers = trace.empty_wrappers()
        if wrappers:
            self.fact("empty_wrappers", len(wrappers))
        preparation = self.set_aside_calls(trace)
        for span in trace.spans:
            kind = span.kind
            wrapper = span.span_id in wrappers
            if not wrapper:
                self.count(
                    "d.spans_with_known_kind", kind is not KIND_UNKNOWN, span, detail=span.name or None
                )
            if kind is KIND_LLM and span.span_id not in preparation:
                llm = span.llm
                structured = llm is not None and bool(llm.input_messages or llm.output_messages)
                self.count("d.steps_with_structured_io", structured, span)
            elif kind is KIND_TOOL:
                tool = span.tool
                structured = tool is not None and (_structured(tool.arguments) or _structured(tool.result))
                self.count("d.steps_with_structured_io", structured, span)
            parent_id = span.parent_id
            if parent_id is not None:
                resolved = parent_id in by_id
                detail = None if resolved else f"parent {parent_id}"  # the detail only shows on a miss
                self.count("d.parent_links_resolved", resolved, span, detail=detail)
            quality = span.quality
            timing_ok = "end_before_start" not in quality and "missing_timestamp" not in quality
            self.count("d.spans_with_valid_timing", timing_ok, span)
            self.count("d.spans_with_standard_ids", "nonstandard_id" not in quality, span)
            if wrapper:
                continue
            kind_key, attributes = _COVERAGE[kind]
            coverage[kind_key] = coverage.get(kind_key, 0) + 1
            for carries, key in attributes:
                if carries(span):
                    coverage[key] = coverage.get(key, 0) + 1
        roots = trace.roots()
        single = len(roots) == 1 and not _has_cycle(trace)
        self.count(
            "d.traces_with_single_root",
            single,
            roots[0] if roots else trace.spans[0],
            detail=None if single else f"{len(roots)} roots",
        )

    def finish(self, context: Context) -> Finding:
        """Level the ratios; the breakdown lists attribute coverage per span kind."""
        breakdown = []
        for kind in SpanKind:
            total = self.coverage.get(kind.value, 0)
            if not total:
                continue
            for attribute in _ATTRIBUTES.get(kind, ()) + _COMMON:
                breakdown.append(
                    Ratio(
                        metric=f"d.coverage.{kind.value}.{attribute}",
                        numerator=self.coverage.get(f"{kind.value}.{attribute}", 0),
                        denominator=total,
                        label=f"{kind.value} spans with {attribute.replace('_', ' ')}",
                        scored=False,
                    )
                )
        notes = set_aside_notes(self.tally.facts)
        if wrappers := self.tally.facts["empty_wrappers"]:
            notes.append(
                f"{wrappers} empty wrapper spans (no kind, no content, only child spans) were set aside"
                " from the span kind and attribute coverage ratios."
            )
        return self.verdict(
            self.ratios(), breakdown=breakdown, notes=notes, empty_reason="No spans were observed."
        )

    def reported(self, answers: Answers) -> Reported | None:
        """The shape of the logs: nested spans, structured records, or plain text."""
        return _REPORTED.get(answers.logging.format or "")


_REPORTED = {
    "spans": Reported(Status.PRESENT, "Logs are traces of nested spans."),
    "json": Reported(
        Status.PARTIAL,
        "Logs are structured records, but not spans linked into traces.",
        ("d.span_kinds_unknown", "d.broken_parent_links"),
    ),
    "text": Reported(
        Status.ABSENT,
        "Logs are plain text lines, which no program can split into typed steps.",
        ("d.span_kinds_unknown", "d.unstructured_io"),
    ),
    "unknown": Reported(Status.UNKNOWN, "Not sure what shape the logs have."),
}


def _has_cycle(trace: Trace) -> bool:
    for span in trace.spans:
        seen = {span.span_id}
        parent_id = span.parent_id
        while parent_id is not None:
            if parent_id in seen:
                return True
            seen.add(parent_id)
            parent = trace.by_id.get(parent_id)
            parent_id = parent.parent_id if parent is not None else None
    return False
