"""Message normalisers: every vendor's chat shape folds into the same Message tuples."""

from __future__ import annotations

import json
from typing import Any

import pytest

from traceready.mapping.messages import (
    MESSAGE_FORMATS,
    anthropic,
    genai,
    langchain,
    normalise_any,
    openai_chat,
    openinference,
    openllmetry,
)
from traceready.mapping.messages.tools import tool_names
from traceready.model import Message, ToolCall

PARIS_ARGS = '{"city": "Paris"}'
WEATHER_CALL = ToolCall(id="call_1", name="get_weather", arguments={"city": "Paris"})

# --- OTel GenAI parts ---------------------------------------------------------------------------


def test_genai_parts_fold_into_text_reasoning_and_tool_calls() -> None:
    value = [
        {"role": "assistant", "finish_reason": "tool_call", "parts": [
            {"type": "reasoning", "content": "The user wants the weather."},
            {"type": "text", "content": "Let me check."},
            {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}},
        ]},
    ]  # fmt: skip
    assert genai.to_messages(value) == (
        Message(
            role="assistant",
            content="Let me check.",
            reasoning="The user wants the weather.",
            tool_calls=(WEATHER_CALL,),
        ),
    )


def test_genai_tool_call_arguments_as_json_text_are_decoded() -> None:
    value = [
        {
            "role": "assistant",
            "parts": [{"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": PARIS_ARGS}],
        }
    ]
    assert genai.to_messages(value) == (Message(role="assistant", tool_calls=(WEATHER_CALL,)),)


def test_genai_tool_call_response_becomes_a_tool_message_linked_by_id() -> None:
    value = [
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "18C, sunny"}]}
    ]
    assert genai.to_messages(value) == (Message(role="tool", content="18C, sunny", tool_call_id="call_1"),)


def test_genai_structured_tool_response_is_kept_as_json_text() -> None:
    value = [
        {
            "role": "tool",
            "parts": [
                {"type": "tool_call_response", "id": "call_1", "response": {"temp_c": 18, "sunny": True}}
            ],
        }
    ]
    (message,) = genai.to_messages(value) or ()
    assert message.tool_call_id == "call_1"
    assert json.loads(message.content or "") == {"temp_c": 18, "sunny": True}


def test_genai_tool_call_response_without_a_response_has_no_content() -> None:
    value = [{"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1"}]}]
    assert genai.to_messages(value) == (Message(role="tool", tool_call_id="call_1"),)


def test_genai_messages_held_as_a_json_string_are_decoded() -> None:
    text = json.dumps([{"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]}])
    assert genai.to_messages(text) == (Message(role="user", content="Weather in Paris?"),)


def test_genai_system_instructions_are_a_bare_list_of_parts() -> None:
    value = [{"type": "text", "content": "Be concise."}, {"type": "text", "content": "Use tools."}]
    assert genai.to_messages(value) == (Message(role="system", content="Be concise.\nUse tools."),)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"role": "user", "content": "hi"}, id="object_not_list"),
        pytest.param([{"role": "user", "content": "hi"}], id="openai_shape"),
        pytest.param("just text", id="plain_text"),
        pytest.param(None, id="none"),
    ],
)
def test_genai_returns_none_for_other_shapes_so_the_next_source_is_tried(value: Any) -> None:
    assert genai.to_messages(value) is None


# --- OpenAI chat, responses and Responses API ---------------------------------------------------


def test_openai_request_body_messages_are_unwrapped() -> None:
    body = {"model": "gpt-4o-mini", "messages": [
        {"role": "system", "content": "Be concise."},
        {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": PARIS_ARGS}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
    ]}  # fmt: skip
    assert openai_chat.to_messages(body) == (
        Message(role="system", content="Be concise."),
        Message(role="user", content="Weather in Paris?"),
        Message(role="assistant", tool_calls=(WEATHER_CALL,)),
        Message(role="tool", content="18C", tool_call_id="call_1"),
    )


def test_openai_response_choices_are_unwrapped_with_reasoning() -> None:
    response = json.dumps(
        {
            "id": "chatcmpl-1",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {
                        "role": "assistant",
                        "content": "It is 18C.",
                        "reasoning_content": "Read the tool result.",
                    },
                }
            ],
        }
    )
    assert openai_chat.to_messages(response) == (
        Message(role="assistant", content="It is 18C.", reasoning="Read the tool result."),
    )


def test_openai_legacy_function_call_is_a_tool_call_without_id() -> None:
    value = [{"role": "assistant", "function_call": {"name": "get_weather", "arguments": PARIS_ARGS}}]
    assert openai_chat.to_messages(value) == (
        Message(role="assistant", tool_calls=(ToolCall(name="get_weather", arguments={"city": "Paris"}),)),
    )


def test_openai_responses_items_give_reasoning_calls_outputs_and_text() -> None:
    response = {"output": [
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Need the weather tool."}]},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": PARIS_ARGS},
        {"type": "function_call_output", "call_id": "call_1", "output": "18C"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "It is 18C."}]},
    ]}  # fmt: skip
    assert openai_chat.to_messages(response) == (
        Message(role="assistant", reasoning="Need the weather tool."),
        Message(role="assistant", tool_calls=(WEATHER_CALL,)),
        Message(role="tool", content="18C", tool_call_id="call_1"),
        Message(role="assistant", content="It is 18C."),
    )


@pytest.mark.parametrize(
    "value",
    [
        pytest.param([], id="empty_list"),
        pytest.param([{"content": "no role"}], id="item_without_role"),
        pytest.param({"foo": 1}, id="unrelated_object"),
        pytest.param(3, id="number"),
    ],
)
def test_openai_returns_none_for_other_shapes(value: Any) -> None:
    assert openai_chat.to_messages(value) is None


# --- Anthropic ----------------------------------------------------------------------------------


def test_anthropic_blocks_give_thinking_text_and_tool_use() -> None:
    value = {"model": "claude", "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Use the weather tool.", "signature": "sig"},
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
        ]},
    ]}  # fmt: skip
    assert anthropic.to_messages(value) == (
        Message(role="user", content="Weather in Paris?"),
        Message(
            role="assistant",
            content="Checking.",
            reasoning="Use the weather tool.",
            tool_calls=(WEATHER_CALL,),
        ),
    )


def test_anthropic_tool_result_becomes_a_tool_message() -> None:
    value = [
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": [{"type": "text", "text": "18C"}]}
            ],
        }
    ]
    assert anthropic.to_messages(value) == (Message(role="tool", content="18C", tool_call_id="call_1"),)


def test_anthropic_text_next_to_a_tool_result_keeps_both() -> None:
    value = [
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
                {"type": "text", "text": "And London?"},
            ],
        }
    ]
    assert anthropic.to_messages(value) == (
        Message(role="user", content="And London?"),
        Message(role="tool", content="18C", tool_call_id="call_1"),
    )


def test_anthropic_plain_string_content_alone_is_not_its_shape() -> None:
    assert anthropic.to_messages([{"role": "user", "content": "hi"}]) is None


# --- LangChain ----------------------------------------------------------------------------------


def _lc(cls: str, **kwargs: Any) -> dict[str, Any]:
    return {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", cls], "kwargs": kwargs}


def test_langchain_constructor_form() -> None:
    value = {"messages": [[
        _lc("SystemMessage", content="Be concise."),
        _lc("HumanMessage", content="Weather in Paris?"),
        _lc("AIMessage", content="",
            tool_calls=[{"id": "call_1", "name": "get_weather", "args": {"city": "Paris"}}]),
        _lc("ToolMessage", content="18C", tool_call_id="call_1"),
    ]]}  # fmt: skip
    messages = langchain.to_messages(value)
    assert messages is not None
    assert [(m.role, m.content, m.tool_calls, m.tool_call_id) for m in messages] == [
        ("system", "Be concise.", (), None),
        ("user", "Weather in Paris?", (), None),
        ("assistant", "", (WEATHER_CALL,), None),
        ("tool", "18C", (), "call_1"),
    ]


def test_langchain_type_data_form_with_reasoning_and_legacy_tool_calls() -> None:
    value = [
        {"type": "human", "data": {"content": "Weather in Paris?"}},
        {"type": "ai", "data": {"content": "", "additional_kwargs": {
            "reasoning_content": "Use the tool.",
            "tool_calls": [{"id": "call_1", "type": "function",
                            "function": {"name": "get_weather", "arguments": PARIS_ARGS}}]}}},
    ]  # fmt: skip
    messages = langchain.to_messages(value)
    assert messages is not None
    assert [(m.role, m.reasoning, m.tool_calls) for m in messages] == [
        ("user", None, ()),
        ("assistant", "Use the tool.", (WEATHER_CALL,)),
    ]


def test_langchain_generations_output_is_unwrapped() -> None:
    value = {"generations": [[{"text": "It is 18C.", "message": _lc("AIMessage", content="It is 18C.")}]]}
    assert langchain.to_messages(value) == (Message(role="assistant", content="It is 18C."),)


def test_langchain_unknown_message_class_is_not_its_shape() -> None:
    assert langchain.to_messages([_lc("MysteryMessage", content="?")]) is None


# --- OpenInference flattened --------------------------------------------------------------------


def test_openinference_unflattened_indexed_messages() -> None:
    value = {
        "0": {"message": {"role": "user", "content": "Weather in Paris?"}},
        "1": {"message": {
            "role": "assistant",
            "contents": {"0": {"message_content": {"type": "reasoning", "text": "Use the tool."}},
                         "1": {"message_content": {"type": "text", "text": "Checking."}}},
            "tool_calls": {"0": {"tool_call": {
                "id": "call_1", "function": {"name": "get_weather", "arguments": PARIS_ARGS}}}},
        }},
        "2": {"message": {"role": "tool", "content": "18C", "tool_call_id": "call_1"}},
    }  # fmt: skip
    assert openinference.to_messages(value) == (
        Message(role="user", content="Weather in Paris?"),
        Message(role="assistant", content="Checking.", reasoning="Use the tool.", tool_calls=(WEATHER_CALL,)),
        Message(role="tool", content="18C", tool_call_id="call_1"),
    )


def test_openinference_index_order_is_numeric_not_text() -> None:
    value = {str(i): {"message": {"role": "user", "content": f"m{i}"}} for i in (10, 2, 0, 1)}
    assert [m.content for m in openinference.to_messages(value) or ()] == ["m0", "m1", "m2", "m10"]


def test_openinference_returns_none_without_message_bodies() -> None:
    assert openinference.to_messages({"0": {"role": "user"}}) is None


# --- OpenLLMetry indexed ------------------------------------------------------------------------


def test_openllmetry_indexed_prompt_and_completion() -> None:
    value = {
        "0": {"role": "user", "content": "Weather in Paris?"},
        "1": {"role": "assistant", "content": "", "finish_reason": "tool_calls",
              "tool_calls": {"0": {"id": "call_1", "name": "get_weather", "arguments": PARIS_ARGS}}},
        "2": {"role": "tool", "content": "18C", "tool_call_id": "call_1"},
    }  # fmt: skip
    assert openllmetry.to_messages(value) == (
        Message(role="user", content="Weather in Paris?"),
        Message(role="assistant", tool_calls=(WEATHER_CALL,)),
        Message(role="tool", content="18C", tool_call_id="call_1"),
    )


# --- the "chat" format tries each shape ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"messages": [{"role": "user", "content": "Weather in Paris?"}]}, id="openai"),
        pytest.param(
            [{"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]}], id="anthropic"
        ),
        pytest.param([{"type": "human", "data": {"content": "Weather in Paris?"}}], id="langchain"),
    ],
)
def test_chat_format_recognises_each_vendor_shape(value: Any) -> None:
    assert normalise_any(value) == (Message(role="user", content="Weather in Paris?"),)
    assert MESSAGE_FORMATS["chat"](value) == normalise_any(value)


# --- offered tool names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "names"),
    [
        pytest.param(
            [
                {"type": "function", "name": "get_weather", "parameters": {}},
                {"type": "function", "name": "convert_currency"},
            ],
            ("get_weather", "convert_currency"),
            id="genai_tool_definitions",
        ),
        pytest.param(
            json.dumps([{"type": "function", "name": "get_weather"}]),
            ("get_weather",),
            id="genai_definitions_as_json_text",
        ),
        pytest.param(
            [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}],
            ("get_weather",),
            id="openai_wire_shape",
        ),
        pytest.param(
            {
                "0": {
                    "tool": {
                        "json_schema": json.dumps({"type": "function", "function": {"name": "get_weather"}})
                    }
                },
                "1": {
                    "tool": {
                        "json_schema": json.dumps(
                            {"type": "function", "function": {"name": "convert_currency"}}
                        )
                    }
                },
            },
            ("get_weather", "convert_currency"),
            id="openinference_llm_tools_json_schema",
        ),
        pytest.param(
            {
                "0": {"name": "get_weather", "description": "Weather.", "parameters": "{}"},
                "1": {"name": "convert_currency"},
            },
            ("get_weather", "convert_currency"),
            id="openllmetry_request_functions",
        ),
        pytest.param(
            [{"name": "get_weather", "input_schema": {"type": "object"}}],
            ("get_weather",),
            id="anthropic_tools",
        ),
    ],
)
def test_tool_names_from_each_definition_shape(value: Any, names: tuple[str, ...]) -> None:
    assert tool_names(value) == names


def test_tool_names_read_again_and_past_the_memo_stay_right() -> None:
    """Definitions read on every model call come from the memo; its bound never changes an answer."""
    from traceready.mapping.messages import tools

    def schema(name: str) -> str:
        return json.dumps({"type": "function", "function": {"name": name}})

    offered = {str(i): {"tool": {"json_schema": schema(f"tool_{i}")}} for i in range(3)}
    for _ in range(3):
        assert tool_names(offered) == ("tool_0", "tool_1", "tool_2")
    for i in range(tools.TEXTS_KEPT + 10):  # odd input: every text new
        assert tool_names([schema(f"t{i}")]) == (f"t{i}",)
    assert len(tools._NAMES_OF_TEXT) <= tools.TEXTS_KEPT
    long_text = json.dumps({"name": "big", "description": "x" * tools.TEXT_KEPT_CHARS})
    assert tool_names([long_text]) == ("big",) and long_text not in tools._NAMES_OF_TEXT
    assert tool_names(offered) == ("tool_0", "tool_1", "tool_2")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param([{"type": "function"}], id="definition_without_name"),
        pytest.param("get_weather", id="plain_text"),
        pytest.param([], id="empty"),
        pytest.param(None, id="none"),
        pytest.param({"\u00b9": {"name": "get_weather"}}, id="superscript_digit_is_not_an_index"),
    ],
)
def test_tool_names_return_none_for_what_is_not_a_tool_list(value: Any) -> None:
    assert tool_names(value) is None


# --- odd field types: not the shape, so None (or messages), never an exception -------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(
            [{"role": 0, "content": [{"type": "text", "text": "hi"}]}], id="numeric_role_with_blocks"
        ),
        pytest.param([{"role": 0, "content": "hi"}], id="numeric_role_with_text"),
        pytest.param(
            [{"role": "user", "content": [{"type": ["text"], "text": "hi"}]}], id="list_as_block_type"
        ),
        pytest.param(
            [{"role": "user", "content": [{"type": {"x": 1}, "text": "hi"}]}], id="object_as_block_type"
        ),
        pytest.param(
            [{"role": "user", "parts": [{"type": ["reasoning"], "content": "hi"}]}], id="list_as_part_type"
        ),
        pytest.param([{"type": ["function_call"], "data": {}}], id="list_as_item_type"),
        pytest.param(
            {
                "0": {
                    "message": {
                        "role": "user",
                        "contents": {"0": {"message_content": {"type": ["text"], "text": "hi"}}},
                    }
                }
            },
            id="list_as_content_type",
        ),
        pytest.param(
            [{"lc": 1, "type": "constructor", "id": [["AIMessage"]], "kwargs": {}}], id="list_as_class_name"
        ),
    ],
)
@pytest.mark.parametrize("name", sorted(MESSAGE_FORMATS))
def test_odd_field_types_never_raise(value: Any, name: str) -> None:
    result = MESSAGE_FORMATS[name](value)
    assert result is None or all(isinstance(m, Message) for m in result)
