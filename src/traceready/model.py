"""The shared trace model every connector maps into.

Vendor-neutral and aligned with the OpenTelemetry GenAI conventions and OpenInference. A ``Span`` is
what the checks read. These are plain classes, compiled by mypyc into native classes
(``setup.py``): a span is built, read by ten checks and freed on the hot path, where
validating each one cost 7 µs, a sixth of the whole audit. The mapper gives every field its type. The JSON
export of a span is a public format versioned by ``SPAN_FORMAT_VERSION``; its pydantic models, which
validate every exported span and generate the JSON Schema, live in ``traceready.span_format``.

Absence is meaningful: ``None`` means "not recorded", an empty tuple means "recorded as empty". A
check must never confuse the two, or it would count a missing fact as present. Treat every object as
immutable: ``replace`` makes a changed copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Self

from traceready.kinds import SpanKind, StatusCode

SPAN_FORMAT_VERSION = "1.0"

# The members the compiled modules compare against, as module constants. Compiled code reads a
# ``Final`` name of a compiled module as a C static, while ``SpanKind.LLM`` is an attribute read
# through Python 3.11's ``EnumType.__getattr__`` hook (~1,000 instructions, 6 % of map+score).
KIND_AGENT: Final = SpanKind.AGENT
KIND_CHAIN: Final = SpanKind.CHAIN
KIND_DECISION: Final = SpanKind.DECISION
KIND_EVALUATOR: Final = SpanKind.EVALUATOR
KIND_LLM: Final = SpanKind.LLM
KIND_TOOL: Final = SpanKind.TOOL
KIND_UNKNOWN: Final = SpanKind.UNKNOWN
STATUS_ERROR: Final = StatusCode.ERROR
STATUS_UNSET: Final = StatusCode.UNSET

__all__ = [
    "KIND_AGENT",
    "KIND_CHAIN",
    "KIND_DECISION",
    "KIND_EVALUATOR",
    "KIND_LLM",
    "KIND_TOOL",
    "KIND_UNKNOWN",
    "SPAN_FORMAT_VERSION",
    "STATUS_ERROR",
    "STATUS_UNSET",
    "ErrorInfo",
    "JsonText",
    "LlmInfo",
    "Message",
    "Rejection",
    "Score",
    "SourceRef",
    "Span",
    "SpanKind",
    "StatusCode",
    "ToolCall",
    "ToolInfo",
    "Usage",
    "Value",
    "Versions",
]


class Value:
    """Equality, hashing, a repr and ``replace`` over the attributes an ``__init__`` sets."""

    def fields(self) -> dict[str, Any]:
        """The attributes by name, in declaration order (``_input`` read through its ``input``)."""
        names = getattr(type(self), "__mypyc_attrs__", None)  # compiled: the native attributes
        if names is None:
            names = tuple(vars(self))
        public = (name.removeprefix("_") for name in names if not name.startswith("__"))
        return {name: getattr(self, name) for name in public}

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied."""
        return type(self)(**{**self.fields(), **changes})

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, Value) and self.fields() == other.fields()

    def __hash__(self) -> int:
        return hash(tuple(self.fields().values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.fields().items())
        return f"{type(self).__name__}({shown})"


class JsonText:
    """A JSON document still held as its text, decoded the first time its value is read.

    A span's ``input`` and ``output`` are often whole requests and conversation states, which
    the checks only need to know are there; the mapper keeps such text undecoded (only text that
    cannot decode to an empty value) and ``Span`` decodes it when ``input`` or ``output`` is read.
    """

    def __init__(self, text: str, decode: Callable[[str], Any]) -> None:
        self.text = text
        self.decode = decode

    def value(self) -> Any:
        """The decoded value (what ``decode`` gives for the text)."""
        return self.decode(self.text)


class ErrorInfo(Value):
    """What went wrong in a failed step: a machine-readable type beside the free text."""

    def __init__(
        self, *, type: str | None = None, message: str | None = None, has_stacktrace: bool = False
    ) -> None:
        self.type = type
        self.message = message
        self.has_stacktrace = has_stacktrace


class ToolCall(Value):
    """A tool call requested by a model."""

    def __init__(self, *, id: str | None = None, name: str | None = None, arguments: Any = None) -> None:
        self.id = id
        self.name = name
        self.arguments = arguments


class Message(Value):
    """One chat message, whatever the vendor's shape; parts folded into text, reasoning, tool calls."""

    def __init__(
        self,
        *,
        role: str,
        content: str | None = None,
        reasoning: str | None = None,
        tool_calls: tuple[ToolCall, ...] = (),
        tool_call_id: str | None = None,
    ) -> None:
        self.role = role
        self.content = content
        self.reasoning = reasoning
        self.tool_calls = tool_calls
        self.tool_call_id = tool_call_id


class Usage(Value):
    """Token counts of one model call; ``None`` where not reported."""

    def __init__(
        self,
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        total_tokens: int | None = None,
        reasoning_tokens: int | None = None,
        cached_input_tokens: int | None = None,
    ) -> None:
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.total_tokens = total_tokens
        self.reasoning_tokens = reasoning_tokens
        self.cached_input_tokens = cached_input_tokens


_NO_USAGE = Usage()


SAMPLING_PARAMS = frozenset(
    {
        "temperature", "topp", "topk", "minp", "typicalp", "seed", "n", "candidatecount",
        "maxtokens", "maxcompletiontokens", "maxoutputtokens", "maxnewtokens",
        "frequencypenalty", "presencepenalty", "repetitionpenalty", "stop", "stopsequences",
        "logitbias", "reasoningeffort", "reasoning", "thinking", "thinkingbudget",
    }
)  # fmt: skip
"""Request parameters that change what the model answers, spelled without ``_`` or case
(``top_p``, ``topP``); configuration such as a context window size or a stream flag is not one."""


def sampling_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """The recorded parameters of ``params`` that change the output (see ``SAMPLING_PARAMS``)."""
    return {key: value for key, value in (params or {}).items() if value is not None and _is_sampling(key)}


def has_sampling_params(params: dict[str, Any] | None) -> bool:
    """``bool(sampling_params(params))`` without building the dict (the checks ask it per call)."""
    return any(value is not None and _is_sampling(key) for key, value in (params or {}).items())


_SAMPLING_KEYS: Final[dict[str, bool]] = {}
"""Parameter names seen, normalised once: every model call repeats its instrumentation's few names."""


def _is_sampling(key: str) -> bool:
    """True when ``key``, spelled without ``_``, ``.`` or case, is in ``SAMPLING_PARAMS``."""
    known = _SAMPLING_KEYS.get(key)
    if known is None:
        if len(_SAMPLING_KEYS) >= 1024:
            _SAMPLING_KEYS.clear()  # bounded on input with ever new names
        known = _SAMPLING_KEYS[key] = key.replace("_", "").replace(".", "").lower() in SAMPLING_PARAMS
    return known


def has_content(messages: tuple[Message, ...] | None) -> bool:
    """True when the messages carry content: text, reasoning or tool-call arguments.

    An instrumentation with content capture off may still write the message list, roles and tool
    names without any text (pydantic-ai ``include_content=False``): that is no recorded prompt.
    """
    return any(
        m.content or m.reasoning or any(c.arguments is not None for c in m.tool_calls) for m in messages or ()
    )


class LlmInfo(Value):
    """What a model call recorded."""

    def __init__(
        self,
        *,
        provider: str | None = None,
        model: str | None = None,
        response_model: str | None = None,
        params: dict[str, Any] | None = None,
        input_messages: tuple[Message, ...] | None = None,
        output_messages: tuple[Message, ...] | None = None,
        tools_offered: tuple[str, ...] | None = None,
        usage: Usage = _NO_USAGE,
        cost_usd: float | None = None,
        finish_reasons: tuple[str, ...] = (),
    ) -> None:
        self.provider = provider
        self.model = model
        self.response_model = response_model
        self.params = params
        self.input_messages = input_messages
        self.output_messages = output_messages
        self.tools_offered = tools_offered
        self.usage = usage
        self.cost_usd = cost_usd
        self.finish_reasons = finish_reasons


class ToolInfo(Value):
    """What a tool execution recorded."""

    def __init__(
        self,
        *,
        name: str | None = None,
        call_id: str | None = None,
        arguments: Any = None,
        result: Any = None,
    ) -> None:
        self.name = name
        self.call_id = call_id
        self.arguments = arguments
        self.result = result


class Score(Value):
    """An evaluation or annotation attached to a span: a number, a label, or both."""

    def __init__(
        self, *, name: str, value: float | None = None, label: str | None = None, source: str | None = None
    ) -> None:
        self.name = name
        self.value = value
        self.label = label
        self.source = source


class Versions(Value):
    """Which build of the agent produced the span."""

    def __init__(self, *, harness: str | None = None, prompt: str | None = None) -> None:
        self.harness = harness
        self.prompt = prompt


_NO_VERSIONS = Versions()


class SourceRef(Value):
    """Where the span came from: vendor slug, the vendor's own id, a deep link."""

    def __init__(self, *, vendor: str, raw_id: str | None = None, url: str | None = None) -> None:
        self.vendor = vendor
        self.raw_id = raw_id
        self.url = url


class Span(Value):
    """One step of an agent run in the shared model.

    Times are Unix nanoseconds. ``redacted`` names fields whose values were masked at the source
    (e.g. ``input``, ``llm.input_messages``); ``quality`` holds data-quality notes added by the
    mapper (e.g. ``end_before_start``), so nothing odd in the input passes silently.
    """

    def __init__(
        self,
        *,
        span_id: str,
        trace_id: str,
        parent_id: str | None = None,
        session_id: str | None = None,
        kind: SpanKind = KIND_UNKNOWN,
        name: str = "",
        start_ns: int | None = None,
        end_ns: int | None = None,
        status: StatusCode = STATUS_UNSET,
        error: ErrorInfo | None = None,
        input: Any = None,
        output: Any = None,
        llm: LlmInfo | None = None,
        tool: ToolInfo | None = None,
        metadata: dict[str, Any] | None = None,
        tags: tuple[str, ...] = (),
        versions: Versions = _NO_VERSIONS,
        environment: str | None = None,
        scores: tuple[Score, ...] = (),
        redacted: tuple[str, ...] = (),
        quality: tuple[str, ...] = (),
        source: SourceRef,
    ) -> None:
        self.span_id = span_id
        self.trace_id = trace_id
        self.parent_id = parent_id
        self.session_id = session_id
        self.kind = kind
        self.name = name
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.status = status
        self.error = error
        self._input = input
        self._output = output
        self.llm = llm
        self.tool = tool
        self.metadata: dict[str, Any] = {} if metadata is None else metadata
        self.tags = tags
        self.versions = versions
        self.environment = environment
        self.scores = scores
        self.redacted = redacted
        self.quality = quality
        self.source = source

    @property
    def input(self) -> Any:
        """What the step was given (decoded on first read when the mapper kept it as JSON text)."""
        value = self._input
        if isinstance(value, JsonText):
            value = self._input = value.value()
        return value

    @property
    def output(self) -> Any:
        """What the step gave back (decoded on first read when the mapper kept it as JSON text)."""
        value = self._output
        if isinstance(value, JsonText):
            value = self._output = value.value()
        return value

    @property
    def has_input(self) -> bool:
        """True when an input was recorded (without decoding it)."""
        return self._input is not None

    @property
    def has_output(self) -> bool:
        """True when an output was recorded (without decoding it)."""
        return self._output is not None

    @property
    def latency_ms(self) -> float | None:
        """Duration in milliseconds, or None when a timestamp is missing or runs backwards."""
        if self.start_ns is None or self.end_ns is None or self.end_ns < self.start_ns:
            return None
        return (self.end_ns - self.start_ns) / 1e6

    @property
    def is_failed(self) -> bool:
        """True when the step reports an error."""
        return self.status is STATUS_ERROR or self.error is not None


class Rejection(Value):
    """A raw record that could not become a Span, with a short machine reason."""

    def __init__(self, *, reason: str, detail: str = "", raw_id: str | None = None) -> None:
        self.reason = reason
        self.detail = detail
        self.raw_id = raw_id
