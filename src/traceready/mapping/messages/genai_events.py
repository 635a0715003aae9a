"""The deprecated OTel GenAI per-message events, read as messages, tool arguments and results.

Semantic conventions up to 1.36 recorded a model call's messages as one event per message:
``gen_ai.system.message``, ``gen_ai.user.message``, ``gen_ai.assistant.message`` and
``gen_ai.tool.message`` for the input, ``gen_ai.choice`` for each output choice. Writers put them
on spans as span events (Strands' default mode) or as a JSON list in one attribute (pydantic-ai's
instrumentation version 1, ``events``), each with a ``content`` (text, OpenAI content parts, or
Bedrock-style content blocks ``{"text"}``, ``{"toolUse"}``, ``{"toolResult"}`` as JSON text), and
for choices a ``message`` and a ``finish_reason``.

The raw OTel record keeps every span event in order (``event_list``: ``{"name", "attributes"}``);
the attribute form has the event name under ``event.name``.
"""

from __future__ import annotations

from typing import Any

import orjson

from traceready.mapping.messages._parts import REASONING_TYPES, TEXT_TYPES, Folded, text_of, tool_call
from traceready.mapping.transforms import as_json, as_str
from traceready.model import Message

INPUT_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
OUTPUT_EVENT = "gen_ai.choice"


def _events(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """(name, attributes) pairs from an event list in either form; empty when it is neither."""
    items = as_json(value)
    if not isinstance(items, list):
        return []
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        attributes = item.get("attributes")
        if isinstance(name, str) and isinstance(attributes, dict):
            found.append((name, attributes))
        elif isinstance(item.get("event.name"), str):
            found.append((item["event.name"], item))
    return found


def input_messages(value: Any) -> tuple[Message, ...] | None:
    """The input messages of a model call from its per-message events, or None when it has none."""
    messages = []
    for name, attributes in _events(value):
        if name not in INPUT_EVENTS:
            continue
        role = as_str(attributes.get("role")) or INPUT_EVENTS[name]
        content = as_json(attributes.get("content"))
        results = (
            [b for b in content if isinstance(b, dict) and "toolResult" in b]
            if isinstance(content, list)
            else []
        )
        if len(results) < 2:
            messages.append(_message(role, attributes, "content"))
        else:  # parallel tool results in one message: one tool message each, as genai.to_messages
            messages.extend(_message("tool", {"content": [block]}, "content") for block in results)
    return tuple(messages) or None


def output_messages(value: Any) -> tuple[Message, ...] | None:
    """The output messages of a model call from its ``gen_ai.choice`` events, or None."""
    messages = []
    for name, attributes in _events(value):
        if name != OUTPUT_EVENT:
            continue
        body = as_json(attributes.get("message"))
        if isinstance(body, dict) and ("content" in body or "tool_calls" in body):
            messages.append(_message(as_str(body.get("role")) or "assistant", body, "content"))
        else:
            messages.append(_message("assistant", attributes, "message"))
    return tuple(messages) or None


def _message(role: str, attributes: dict[str, Any], key: str) -> Message:
    folded = Folded()
    tool_call_id = as_str(attributes.get("id")) if role == "tool" else None
    content = as_json(attributes.get(key))
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, str):
        folded.texts.append(content)
    elif isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                folded.texts.append(block)
            elif isinstance(block, dict):
                tool_call_id = _fold_block(block, folded) or tool_call_id
    for call in as_json(attributes.get("tool_calls")) or ():
        if isinstance(call, dict):
            nested = call.get("function")
            function: dict[str, Any] = nested if isinstance(nested, dict) else call
            folded.tool_calls.append(
                tool_call(call.get("id"), function.get("name"), function.get("arguments"))
            )
    return folded.message(role, tool_call_id)


def _fold_block(block: dict[str, Any], folded: Folded) -> str | None:
    """Fold one content block into ``folded``; the tool-call id it answers, if it is a tool result."""
    use = block.get("toolUse")
    if isinstance(use, dict):
        folded.tool_calls.append(tool_call(use.get("toolUseId"), use.get("name"), use.get("input")))
        return None
    result = block.get("toolResult")
    if isinstance(result, dict):
        inner = result.get("content")
        text = text_of({"content": inner}) if isinstance(inner, list) else None
        folded.texts.append(text if text is not None else orjson.dumps(inner, default=str).decode())
        return as_str(result.get("toolUseId"))
    kind = block.get("type")
    if kind in REASONING_TYPES or "reasoningContent" in block:
        if text := text_of(block) or text_of(block.get("reasoningContent") or {}):
            folded.reasoning.append(text)
    elif (kind is None or kind in TEXT_TYPES) and (text := text_of(block)):
        folded.texts.append(text)
    return None


def tool_arguments(value: Any) -> Any:
    """A tool span's arguments from its ``gen_ai.tool.message`` event (Strands' default mode)."""
    for name, attributes in _events(value):
        if name == "gen_ai.tool.message" and attributes.get("content") is not None:
            return as_json(attributes["content"])
    return None


def tool_result(value: Any) -> Any:
    """A tool span's result from its ``gen_ai.choice`` event (Strands' default mode)."""
    for name, attributes in _events(value):
        if name == OUTPUT_EVENT and attributes.get("message") is not None:
            return as_json(attributes["message"])
    return None
