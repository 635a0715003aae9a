"""Google ADK's schema-1 ``LlmRequest`` / ``LlmResponse`` JSON (google-genai types) read as a model call."""

from __future__ import annotations

import json

from traceready.mapping.mapper import Mapper
from traceready.mapping.messages import adk
from traceready.mapping.spec import load_mapping
from traceready.model import Message, Span, SpanKind, ToolCall

# google-genai's pydantic dump (exclude_none, mode="json"): a system instruction given as a Content,
# a model turn with a thought and two parallel calls, both answered in one user turn.
REQUEST = {
    "model": "gemini-2.5-flash",
    "config": {
        "system_instruction": {"parts": [{"text": "Be brief."}, {"text": "Use tools."}], "role": "user"},
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40.0,
        "max_output_tokens": 512,
        "seed": 3,
        "stop_sequences": ["END"],
        "thinking_config": {"thinking_budget": 128},
        "labels": {"adk_agent_name": "trip"},
        "tools": [
            {"function_declarations": [{"name": "get_weather"}, {"name": "convert_currency"}]},
            {"google_search": {}},
        ],
    },
    "contents": [
        {"role": "user", "parts": [{"text": "Weather in Paris and Rome?"}]},
        {"role": "model", "parts": [
            {"text": "Two cities: two calls.", "thought": True},
            {"function_call": {"id": "c1", "name": "get_weather", "args": {"city": "Paris"}}},
            {"function_call": {"id": "c2", "name": "get_weather", "args": {"city": "Rome"}}},
        ]},
        {"role": "user", "parts": [
            {"function_response": {"id": "c1", "name": "get_weather", "response": {"result": "18C"}}},
            {"function_response": {"id": "c2", "name": "get_weather", "response": {"error": "timeout"}}},
        ]},
    ],
}  # fmt: skip
RESPONSE = {
    "model_version": "gemini-2.5-flash-001",
    "content": {"role": "model", "parts": [{"text": "Paris 18C; Rome timed out."}]},
    "finish_reason": "MAX_TOKENS",
    "usage_metadata": {
        "prompt_token_count": 120,
        "candidates_token_count": 9,
        "thoughts_token_count": 30,
        "cached_content_token_count": 64,
        "total_token_count": 159,
    },
}


def test_request_contents_become_system_user_assistant_and_tool_messages() -> None:
    assert adk.request_messages(json.dumps(REQUEST)) == (
        Message(role="system", content="Be brief.\nUse tools."),
        Message(role="user", content="Weather in Paris and Rome?"),
        Message(
            role="assistant",
            reasoning="Two cities: two calls.",
            tool_calls=(
                ToolCall(id="c1", name="get_weather", arguments={"city": "Paris"}),
                ToolCall(id="c2", name="get_weather", arguments={"city": "Rome"}),
            ),
        ),
        Message(role="tool", content='{"result":"18C"}', tool_call_id="c1"),
        Message(role="tool", content='{"error":"timeout"}', tool_call_id="c2"),
    )


def test_request_config_gives_tools_and_sampling_parameters_not_configuration() -> None:
    assert adk.tool_names(REQUEST) == ("get_weather", "convert_currency", "google_search")
    assert adk.params(REQUEST) == {
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40.0,
        "max_tokens": 512,
        "seed": 3,
        "stop": ["END"],
    }


def test_a_plain_string_system_instruction_and_no_config() -> None:
    request = {"config": {"system_instruction": "Be brief."}, "contents": []}
    assert adk.request_messages(request) == (Message(role="system", content="Be brief."),)
    assert adk.params({"contents": []}) is None and adk.tool_names({"contents": []}) is None


def test_content_switch_off_and_placeholders_record_nothing() -> None:
    # ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS=false writes "{}"; a raised tool's response is a placeholder
    for value in ("{}", "N/A", "<not serializable>", '{"result": "<not specified>"}'):
        assert adk.content_json(value) is None
    assert adk.request_messages("{}") is None and adk.response_messages("{}") is None
    assert adk.content_json('{"city": "Paris"}') == {"city": "Paris"}


def _call_llm(attributes: dict[str, object]) -> Span:
    record = {
        "span_id": "b" * 16,
        "trace_id": "a" * 32,
        "parent_id": "c" * 16,
        "name": "call_llm",
        "start_ns": 1,
        "end_ns": 2,
        "status": {"code": "unset"},
        "attributes": {"gen_ai.system": "gcp.vertex.agent", "gen_ai.request.model": "gemini-2.5-flash"}
        | attributes,
        "resource": {},
        "events": {},
        "event_list": [],
    }
    span = Mapper(load_mapping("otel")).map_record(record)
    assert isinstance(span, Span)
    return span


def test_otel_mapping_reads_a_call_llm_span_from_its_json_alone() -> None:
    span = _call_llm(
        {
            "gcp.vertex.agent.llm_request": json.dumps(REQUEST),
            "gcp.vertex.agent.llm_response": json.dumps(RESPONSE),
            "gcp.vertex.agent.session_id": "s-1",
        }
    )
    assert span.kind is SpanKind.LLM and span.session_id == "s-1" and span.llm is not None
    assert [m.role for m in span.llm.input_messages or ()] == ["system", "user", "assistant", "tool", "tool"]
    assert span.llm.output_messages == (Message(role="assistant", content="Paris 18C; Rome timed out."),)
    assert span.llm.tools_offered == ("get_weather", "convert_currency", "google_search")
    assert span.llm.params is not None and span.llm.params["seed"] == 3
    assert span.llm.finish_reasons == ("max_tokens",)
    assert span.llm.response_model == "gemini-2.5-flash-001"
    usage = span.llm.usage
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (120, 9, 159)
    assert (usage.reasoning_tokens, usage.cached_input_tokens) == (30, 64)


def test_otel_mapping_call_llm_with_content_off_has_no_messages() -> None:
    span = _call_llm({"gcp.vertex.agent.llm_request": "{}", "gcp.vertex.agent.llm_response": "{}"})
    assert span.llm is not None and not span.llm.input_messages and not span.llm.output_messages
    assert not span.llm.params and not span.llm.tools_offered
