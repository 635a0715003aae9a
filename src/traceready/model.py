"""The shared trace model every connector maps into.

Vendor-neutral and aligned with the OpenTelemetry GenAI conventions and OpenInference. A ``Span`` is
what the checks read; its JSON export is a public format versioned by ``SPAN_FORMAT_VERSION`` (the
JSON Schema ships in ``traceready/schemas/span.schema.json``).

Absence is meaningful: ``None`` means "not recorded", an empty tuple means "recorded as empty". A
check must never confuse the two, or it would count a missing fact as present.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

SPAN_FORMAT_VERSION = "1.0"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SpanKind(StrEnum):
    """What a step is; vendor strings fold into it case-insensitively, unknown ones to UNKNOWN."""

    AGENT = "agent"
    LLM = "llm"
    TOOL = "tool"
    CHAIN = "chain"
    RETRIEVER = "retriever"
    EMBEDDING = "embedding"
    RERANKER = "reranker"
    DECISION = "decision"
    EVALUATOR = "evaluator"
    GUARDRAIL = "guardrail"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> SpanKind:
        if isinstance(value, str):
            folded = value.strip().lower()
            for member in cls:
                if member.value == folded:
                    return member
        return cls.UNKNOWN


class StatusCode(StrEnum):
    """OTel span status."""

    UNSET = "unset"
    OK = "ok"
    ERROR = "error"

    @classmethod
    def _missing_(cls, value: object) -> StatusCode:
        if isinstance(value, str):
            folded = value.strip().lower().removeprefix("status_code_")
            for member in cls:
                if member.value == folded:
                    return member
        return cls.UNSET


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

    @property
    def latency_ms(self) -> float | None:
        """Duration in milliseconds, or None when a timestamp is missing or runs backwards."""
        if self.start_ns is None or self.end_ns is None or self.end_ns < self.start_ns:
            return None
        return (self.end_ns - self.start_ns) / 1e6

    @property
    def is_failed(self) -> bool:
        """True when the step reports an error."""
        return self.status is StatusCode.ERROR or self.error is not None


class Rejection(_Frozen):
    """A raw record that could not become a Span, with a short machine reason."""

    reason: str
    detail: str = ""
    raw_id: str | None = None
