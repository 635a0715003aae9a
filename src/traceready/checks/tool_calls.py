"""Matching the tool calls models requested to the tool spans that executed them (b, c, e)."""

from __future__ import annotations

from traceready.checks.base import Trace, in_start_order
from traceready.model import KIND_DECISION, KIND_LLM, KIND_TOOL, Span, ToolCall


class RequestedCall:
    """A tool call in a model's output, with the tool span that ran it (None when none did).

    A plain class, not a dataclass: compiled by mypyc, a dataclass keeps the interpreted
    ``__init__`` that ``dataclasses`` generates, a Python call per requested call.
    """

    def __init__(self, llm_span: Span, call: ToolCall, tool_span: Span | None) -> None:
        self.llm_span = llm_span
        self.call = call
        self.tool_span = tool_span


def _start(span: Span) -> int:
    return span.start_ns if span.start_ns is not None else 0


def match_tool_calls(trace: Trace) -> tuple[list[RequestedCall], list[Span]]:
    """Requested calls with their spans (by call id, else name and order) and the tool spans.

    Computed once per trace (b and e both ask); callers only read the lists.
    """
    matched: tuple[list[RequestedCall], list[Span]] | None = trace.memo.get("tool_calls")
    if matched is None:
        matched = trace.memo["tool_calls"] = _match(trace)
    return matched


def _match(trace: Trace) -> tuple[list[RequestedCall], list[Span]]:
    tool_spans = in_start_order([s for s in trace.spans if s.kind is KIND_TOOL])
    by_call_id = {s.tool.call_id: s for s in tool_spans if s.tool and s.tool.call_id}
    used: set[str] = set()
    requested: list[tuple[Span, ToolCall]] = []
    seen_ids: set[str] = set()
    deciding = [s for s in trace.spans if s.kind is KIND_LLM or s.kind is KIND_DECISION]
    for llm in in_start_order(deciding):
        for message in (llm.llm.output_messages or ()) if llm.llm else ():
            for call in message.tool_calls:
                if call.id is not None:
                    if call.id in seen_ids:
                        continue
                    seen_ids.add(call.id)
                requested.append((llm, call))
    matched: list[Span | None] = []
    for _, call in requested:
        span = by_call_id.get(call.id) if call.id else None
        if span is not None and span.span_id not in used:
            used.add(span.span_id)
        else:
            span = None
        matched.append(span)
    for index, (llm, call) in enumerate(requested):
        if matched[index] is not None:
            continue
        for span in tool_spans:
            if span.span_id in used or _start(span) < _start(llm):
                continue
            if span.tool is not None and span.tool.call_id and call.id:
                continue  # both sides carry ids and they differ: not this call
            if span.tool is not None and span.tool.name == call.name:
                used.add(span.span_id)
                matched[index] = span
                break
    # By index, not zip(strict=True): mypyc calls that zip through Python (~2,500 instructions).
    calls = [RequestedCall(llm, call, matched[index]) for index, (llm, call) in enumerate(requested)]
    return calls, tool_spans
