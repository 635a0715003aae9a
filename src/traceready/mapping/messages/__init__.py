"""Message normalisers: every vendor's chat shape into ``Message`` tuples.

Mapping YAML names a format (``format: genai``); ``register_message_format`` adds one. A normaliser
returns None when the value is not in its shape, so a fallback rule can try the next source.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from traceready.mapping.messages import (
    adk,
    anthropic,
    braintrust,
    genai,
    genai_events,
    langchain,
    openai_chat,
    openinference,
    openllmetry,
)
from traceready.mapping.messages.flat import FlatReader, flat_reader
from traceready.mapping.messages.tools import tool_names
from traceready.mapping.transforms import never_raising, register_transform
from traceready.model import Message

MessageFormat = Callable[[Any], tuple[Message, ...] | None]

MESSAGE_FORMATS: dict[str, MessageFormat] = {}

FlatReaders = Callable[[list[tuple[str, tuple[str, ...]]]], FlatReader | None]
FLAT_READERS: dict[str, FlatReaders] = {}
"""Per format, a reader of flattened messages straight from their flat keys (see ``Mapper``): it
must give what the format gives for the same keys unflattened. A format registered anew loses it."""


def register_message_format(name: str, normalise: MessageFormat) -> None:
    """Make ``normalise`` available to mapping files under ``name``."""
    if not callable(normalise):
        raise TypeError(f"message format {name!r} is not callable")
    MESSAGE_FORMATS[name] = never_raising(normalise)
    FLAT_READERS.pop(name, None)


def normalise_any(value: Any) -> tuple[Message, ...] | None:
    """Try each chat shape in turn: OpenAI chat, Anthropic, LangChain."""
    for normalise in (openai_chat.to_messages, anthropic.to_messages, langchain.to_messages):
        messages = normalise(value)
        if messages is not None:
            return messages
    return None


for _name, _normalise in {
    "genai": genai.to_messages,
    "genai_events_input": genai_events.input_messages,
    "genai_events_output": genai_events.output_messages,
    "openinference": openinference.to_messages,
    "openllmetry": openllmetry.to_messages,
    "openai_chat": openai_chat.to_messages,
    "anthropic": anthropic.to_messages,
    "langchain": langchain.to_messages,
    "chat": normalise_any,
    "braintrust": braintrust.to_messages,
    "adk_request": adk.request_messages,
    "adk_response": adk.response_messages,
}.items():
    register_message_format(_name, _normalise)
FLAT_READERS["openinference"] = partial(flat_reader, openinference.FLAT)
FLAT_READERS["openllmetry"] = partial(flat_reader, openllmetry.FLAT)
register_transform("tool_names", tool_names)
for _name, _transform in {
    "braintrust_finish_reasons": braintrust.finish_reasons,
    "braintrust_response_model": braintrust.response_model,
    "braintrust_seconds": braintrust.seconds_to_ns,
    "braintrust_tool_name": braintrust.tool_name,
    "braintrust_scores": braintrust.scores,
    "braintrust_error_status": braintrust.is_error,
    "braintrust_exception_type": braintrust.exception_type,
    "braintrust_error_message": braintrust.error_message,
    "braintrust_stacktrace": braintrust.stacktrace,
    "first": braintrust.first,
    "genai_tool_call_arguments": genai.tool_call_arguments,
    "genai_tool_call_response": genai.tool_call_response,
    "genai_events_tool_arguments": genai_events.tool_arguments,
    "genai_events_tool_result": genai_events.tool_result,
    "adk_content": adk.content_json,
    "adk_tool_names": adk.tool_names,
    "adk_params": adk.params,
    "adk_finish_reasons": adk.finish_reasons,
    "adk_response_model": adk.response_model,
    "adk_input_tokens": adk.usage("prompt_token_count"),
    "adk_output_tokens": adk.usage("candidates_token_count"),
    "adk_total_tokens": adk.usage("total_token_count"),
    "adk_reasoning_tokens": adk.usage("thoughts_token_count"),
    "adk_cached_input_tokens": adk.usage("cached_content_token_count"),
}.items():
    register_transform(_name, _transform)
