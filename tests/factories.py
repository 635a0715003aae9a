"""Small builders for spans and traces in check tests."""

from __future__ import annotations

from itertools import count
from typing import Any

from traceready.checks.base import Trace
from traceready.model import (
    ErrorInfo,
    LlmInfo,
    Message,
    Score,
    SourceRef,
    Span,
    SpanKind,
    StatusCode,
    ToolCall,
    ToolInfo,
    Usage,
    Versions,
)

_ids = count(1)


def span(
    kind: SpanKind = SpanKind.UNKNOWN,
    *,
    trace_id: str = "t1",
    parent: str | None = None,
    span_id: str | None = None,
    start: int = 1_000,
    end: int | None = 2_000,
    **fields: Any,
) -> Span:
    """A span with sensible defaults; keyword fields override."""
    sid = span_id or f"s{next(_ids)}"
    return Span(
        span_id=sid,
        trace_id=trace_id,
        parent_id=parent,
        kind=kind,
        name=fields.pop("name", sid),
        start_ns=start,
        end_ns=end,
        source=SourceRef(vendor="test", raw_id=sid),
        **fields,
    )


def llm(
    *,
    calls: list[tuple[str | None, str]] = (),
    offered: tuple[str, ...] | None = ("get_weather",),
    text: str | None = "ok",
    inputs: bool = True,
    params: dict[str, Any] | None = None,
    usage: Usage | None = None,
    cost: float | None = None,
    tool_results: list[str] = (),
    **fields: Any,
) -> Span:
    """A model-call span; ``calls`` are (call id, tool name) pairs in its output."""
    input_messages = None
    if inputs:
        input_messages = (
            Message(role="user", content="hi"),
            *(Message(role="tool", content="r", tool_call_id=cid) for cid in tool_results),
        )
    output = (
        Message(
            role="assistant",
            content=text,
            tool_calls=tuple(ToolCall(id=cid, name=name, arguments={}) for cid, name in calls),
        ),
    )
    info = LlmInfo(
        model="gpt-4o-mini",
        params=params if params is not None else {"temperature": 0},
        input_messages=input_messages,
        output_messages=output,
        tools_offered=offered,
        usage=usage or Usage(input_tokens=10, output_tokens=5),
        cost_usd=cost,
    )
    return span(SpanKind.LLM, llm=info, **fields)


def tool(
    name: str = "get_weather",
    *,
    call_id: str | None = None,
    arguments: Any = None,
    result: Any = None,
    failed: bool = False,
    error_type: str | None = None,
    **fields: Any,
) -> Span:
    """A tool-execution span."""
    error = ErrorInfo(type=error_type, message="boom") if failed else None
    return span(
        SpanKind.TOOL,
        tool=ToolInfo(name=name, call_id=call_id, arguments=arguments, result=result),
        status=StatusCode.ERROR if failed else StatusCode.UNSET,
        error=error,
        **fields,
    )


def agent(**fields: Any) -> Span:
    """An agent root span."""
    return span(SpanKind.AGENT, **fields)


def trace(*spans: Span, trace_id: str = "t1") -> Trace:
    """A trace of the given spans."""
    return Trace(trace_id=trace_id, spans=list(spans))


__all__ = ["Score", "Usage", "Versions", "agent", "llm", "span", "tool", "trace"]
