"""Braintrust rows into the shared model: the wrappers' OpenAI and Anthropic shapes, errors, times, scores."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.connectors.braintrust.fake import scenario_rows
from traceready.mapping.mapper import Mapper
from traceready.mapping.messages import braintrust
from traceready.mapping.spec import load_mapping
from traceready.model import Rejection, Span, SpanKind, StatusCode

MAPPER = Mapper(load_mapping("braintrust"))

# What wrap_anthropic logs (integrations/anthropic/tracing.py: _get_input_from_kwargs, _message_output).
ANTHROPIC_ROW: dict[str, Any] = {
    "id": "0b7c9f2e-5d41-4c1e-9a55-3f1f6f3a2b10",
    "span_id": "a1b2c3d4e5f60718",
    "root_span_id": "0123456789abcdef0123456789abcdef",
    "span_parents": ["1111222233334444"],
    "span_attributes": {"name": "anthropic.messages.create", "type": "llm"},
    "input": [
        {"role": "user", "content": "Weather in Lisbon?"},
        {"role": "system", "content": "You are a travel assistant."},
    ],
    "output": {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "The user wants weather; call the tool."},
            {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Lisbon"}},
        ],
        "model": "claude-sonnet-4-5-20250929",
        "stop_reason": "tool_use",
    },
    "metadata": {
        "provider": "anthropic",
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "temperature": 0,
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
    },
    "metrics": {
        "start": 1795613791.25,
        "end": 1795613792.5,
        "prompt_tokens": 120,
        "completion_tokens": 40,
        "tokens": 160,
        "completion_reasoning_tokens": 12,
        "prompt_cached_tokens": 100,
    },
    "error": None,
    "scores": None,
}


def test_anthropic_output_keeps_tool_calls_reasoning_and_the_answering_model() -> None:
    span = MAPPER.map_record(ANTHROPIC_ROW)
    assert isinstance(span, Span) and span.llm is not None
    assert span.kind is SpanKind.LLM
    (message,) = span.llm.output_messages or ()
    assert message.reasoning == "The user wants weather; call the tool."
    assert [(c.id, c.name, c.arguments) for c in message.tool_calls] == [
        ("toolu_01", "get_weather", {"city": "Lisbon"})
    ]
    assert [m.role for m in span.llm.input_messages or ()] == ["user", "system"]
    assert (span.llm.model, span.llm.response_model) == ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929")
    assert span.llm.provider == "anthropic"
    assert span.llm.finish_reasons == ("tool_use",)
    assert span.llm.tools_offered == ("get_weather",)
    assert span.llm.params == {"temperature": 0, "max_tokens": 1024}
    usage = span.llm.usage
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (120, 40, 160)
    assert (usage.reasoning_tokens, usage.cached_input_tokens) == (12, 100)
    assert (span.start_ns, span.end_ns) == (1_795_613_791_250_000_000, 1_795_613_792_500_000_000)
    assert span.parent_id == "1111222233334444"


def test_openai_choices_output_gives_the_message_and_finish_reason() -> None:
    choices = [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
        }
    ]
    (message,) = braintrust.to_messages(choices) or ()
    assert [(c.id, c.name, c.arguments) for c in message.tool_calls] == [
        ("call_1", "get_weather", {"city": "Paris"})
    ]
    assert braintrust.finish_reasons(choices) == ("tool_calls",)
    assert braintrust.response_model(choices) is None  # wrap_openai keeps only the requested model


def test_responses_api_items_and_plain_messages_are_read() -> None:
    items = [
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "think"}]},
        {"type": "function_call", "call_id": "call_9", "name": "search", "arguments": "{}"},
    ]
    messages = braintrust.to_messages(items) or ()
    assert messages[0].reasoning == "think"
    assert messages[1].tool_calls[0].id == "call_9"
    assert braintrust.to_messages({"question": "not a chat"}) is None


def test_python_traceback_gives_error_type_message_and_stacktrace() -> None:
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "agent.py", line 3, in get_weather\n'
        '    raise TimeoutError("weather API timed out after 5s")\n'
        "TimeoutError: weather API timed out after 5s\n"
    )
    row = dict(ANTHROPIC_ROW, span_attributes={"name": "get_weather", "type": "tool"}, error=traceback)
    span = MAPPER.map_record(row)
    assert isinstance(span, Span) and span.error is not None
    assert span.status is StatusCode.ERROR
    assert (span.error.type, span.error.has_stacktrace) == ("TimeoutError", True)
    assert braintrust.exception_type("requests.exceptions.ConnectionError: refused") is None
    assert braintrust.exception_type({"type": "RateLimitError", "message": "slow down"}) == "RateLimitError"
    assert braintrust.error_message({"message": "slow down"}) == "slow down"


def test_metadata_error_type_wins_over_the_traceback() -> None:
    row = dict(ANTHROPIC_ROW, error="boom", metadata={"error_type": "tool_timeout"})
    span = MAPPER.map_record(row)
    assert isinstance(span, Span) and span.error is not None
    assert (span.error.type, span.error.message) == ("tool_timeout", "boom")


def test_scores_session_version_environment_and_tool_call_id() -> None:
    row = dict(
        ANTHROPIC_ROW,
        span_attributes={"name": "get_weather", "type": "tool"},
        scores={"factuality": 0.5, "skipped": None},
        metadata={"session_id": "s-1", "harness_version": "1.4.0", "tool_call_id": "toolu_01"},
        context={"span_origin": {"environment": {"type": "server", "name": "staging"}}},
        tags=["prod"],
    )
    span = MAPPER.map_record(row)
    assert isinstance(span, Span) and span.tool is not None
    assert [(s.name, s.value) for s in span.scores] == [("factuality", 0.5)]
    assert (span.session_id, span.versions.harness, span.environment) == ("s-1", "1.4.0", "staging")
    assert (span.tool.name, span.tool.call_id, span.tags) == ("get_weather", "toolu_01", ("prod",))


def test_span_types_fold_into_kinds() -> None:
    kinds = {}
    for kind in ("llm", "tool", "task", "function", "eval", "score", "decision", "question"):
        span = MAPPER.map_record(
            dict(ANTHROPIC_ROW, metadata={}, span_attributes={"name": kind, "type": kind})
        )
        assert isinstance(span, Span)
        kinds[kind] = span.kind.value
    assert kinds == {
        "llm": "llm",
        "tool": "tool",
        "task": "chain",
        "function": "chain",
        "eval": "chain",
        "score": "evaluator",
        "decision": "decision",
        "question": "unknown",
    }


def test_recorded_rows_keep_the_prompt_version_loaded_with_load_prompt() -> None:
    row = dict(scenario_rows("logger_traced_tools")[0])
    row["metadata"] = dict(row["metadata"], prompt={"id": "p-1", "version": "5878bd218351fb8e"})
    span = MAPPER.map_record(row)
    assert isinstance(span, Span)
    assert span.versions.prompt == "5878bd218351fb8e"


ROW_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
COLUMNS = st.sampled_from(
    [
        "id",
        "span_id",
        "root_span_id",
        "span_parents",
        "span_attributes",
        "input",
        "output",
        "metadata",
        "metrics",
        "error",
        "scores",
        "tags",
        "context",
        "created",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(COLUMNS, ROW_VALUES, max_size=10))
def test_any_row_maps_to_a_span_or_a_rejection(row: dict[str, Any]) -> None:
    assert isinstance(MAPPER.map_record(row), Span | Rejection)
