"""The span export format: one JSON object per span, as ``--export-spans`` writes it.

Pydantic models of the exported JSON, with the class names and docstrings the shipped JSON Schema
(``schemas/span.schema.json``) is generated from. ``export`` reads an in-memory ``traceready.model``
span through them, so every exported span is validated against the published format; the hot path
never builds them (see ``traceready.model``). ``tests/test_span_format.py`` keeps both in step.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from traceready import model
from traceready.model import SPAN_FORMAT_VERSION, SpanKind, StatusCode

__all__ = ["SPAN_FORMAT_VERSION", "Span", "export"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", from_attributes=True)


class ErrorInfo(_Frozen):
    """What went wrong in a failed step: a machine-readable type beside the free text."""

    type: str | None = None
    message: str | None = None
    has_stacktrace: bool = False


class ToolCall(_Frozen):
    """A tool call requested by a model."""

    id: str | None = None
    name: str | None = None
    arguments: Any = None


class Message(_Frozen):
    """One chat message, whatever the vendor's shape; parts folded into text, reasoning, tool calls."""

    role: str
    content: str | None = None
    reasoning: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


class Usage(_Frozen):
    """Token counts of one model call; ``None`` where not reported."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None


class LlmInfo(_Frozen):
    """What a model call recorded."""

    provider: str | None = None
    model: str | None = None
    response_model: str | None = None
    params: dict[str, Any] | None = None
    input_messages: tuple[Message, ...] | None = None
    output_messages: tuple[Message, ...] | None = None
    tools_offered: tuple[str, ...] | None = None
    usage: Usage = Usage()
    cost_usd: float | None = None
    finish_reasons: tuple[str, ...] = ()


class ToolInfo(_Frozen):
    """What a tool execution recorded."""

    name: str | None = None
    call_id: str | None = None
    arguments: Any = None
    result: Any = None


class Score(_Frozen):
    """An evaluation or annotation attached to a span: a number, a label, or both."""

    name: str
    value: float | None = None
    label: str | None = None
    source: str | None = None


class Versions(_Frozen):
    """Which build of the agent produced the span."""

    harness: str | None = None
    prompt: str | None = None


class SourceRef(_Frozen):
    """Where the span came from: vendor slug, the vendor's own id, a deep link."""

    vendor: str
    raw_id: str | None = None
    url: str | None = None


class Span(_Frozen):
    """One step of an agent run in the shared model.

    Times are Unix nanoseconds. ``redacted`` names fields whose values were masked at the source
    (e.g. ``input``, ``llm.input_messages``); ``quality`` holds data-quality notes added by the
    mapper (e.g. ``end_before_start``), so nothing odd in the input passes silently.
    """

    span_id: str
    trace_id: str
    parent_id: str | None = None
    session_id: str | None = None
    kind: SpanKind = SpanKind.UNKNOWN
    name: str = ""
    start_ns: int | None = None
    end_ns: int | None = None
    status: StatusCode = StatusCode.UNSET
    error: ErrorInfo | None = None
    input: Any = None
    output: Any = None
    llm: LlmInfo | None = None
    tool: ToolInfo | None = None
    metadata: dict[str, Any] = {}
    tags: tuple[str, ...] = ()
    versions: Versions = Versions()
    environment: str | None = None
    scores: tuple[Score, ...] = ()
    redacted: tuple[str, ...] = ()
    quality: tuple[str, ...] = ()
    source: SourceRef


def export(span: model.Span) -> dict[str, Any]:
    """A span as its JSON export (plain JSON values), validated against the format."""
    return Span.model_validate(span).model_dump(mode="json")
