r"""OpenAI chat messages, chat-completion responses and Responses-API items.

```json
[{"role": "assistant", "content": null, "reasoning_content": "...",
  "tool_calls": [{"id": "call_1", "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]}]
```
A request body (``{"messages": [...]}``) or a response (``{"choices": [{"message": ...}]}``) is
unwrapped first.
"""

from __future__ import annotations

from typing import Any

from traceready.mapping.messages._parts import (
    REASONING_TYPES,
    TEXT_TYPES,
    Folded,
    text_of,
    tool_call,
)
from traceready.mapping.transforms import as_json, as_str
from traceready.model import Message


def to_messages(value: Any) -> tuple[Message, ...] | None:
    """Messages from OpenAI shapes, or None when the value is not one."""
    value = _unwrap(as_json(value))
    if not isinstance(value, list) or not value:
        return None
    messages = []
    for item in value:
        if not isinstance(item, dict):
            return None
        message = _message(item)
        if message is None:
            return None
        messages.append(message)
    return tuple(messages)


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if isinstance(value.get("messages"), list):
            return value["messages"]
        if isinstance(value.get("choices"), list):
            return [c.get("message") for c in value["choices"] if isinstance(c, dict)]
        if isinstance(value.get("output"), list):
            return value["output"]
        if "role" in value:
            return [value]
    return value


def _message(item: dict[str, Any]) -> Message | None:
    kind = item.get("type")
    if kind == "function_call":
        call = tool_call(item.get("call_id") or item.get("id"), item.get("name"), item.get("arguments"))
        return Message(role="assistant", tool_calls=(call,))
    if kind == "function_call_output":
        return Message(
            role="tool",
            content=as_str(item.get("output")),
            tool_call_id=as_str(item.get("call_id")),
        )
    if kind == "reasoning":
        return Message(role="assistant", reasoning=text_of(item) or "")
    role = as_str(item.get("role"))
    if role is None:
        return None
    folded = Folded()
    content = item.get("content")
    if isinstance(content, str):
        folded.texts.append(content)
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, str):
                folded.texts.append(part)
            elif isinstance(part, dict) and (text := text_of(part)):
                if part.get("type") in REASONING_TYPES:
                    folded.reasoning.append(text)
                elif part.get("type") in TEXT_TYPES or "text" in part:
                    folded.texts.append(text)
    for key in ("reasoning_content", "reasoning"):
        if isinstance(item.get(key), str) and item[key]:
            folded.reasoning.append(item[key])
    for raw_call in item.get("tool_calls") or ():
        if isinstance(raw_call, dict):
            nested = raw_call.get("function")
            function = nested if isinstance(nested, dict) else raw_call
            folded.tool_calls.append(
                tool_call(raw_call.get("id"), function.get("name"), function.get("arguments"))
            )
    if isinstance(item.get("function_call"), dict):
        legacy = item["function_call"]
        folded.tool_calls.append(tool_call(None, legacy.get("name"), legacy.get("arguments")))
    return folded.message(role, as_str(item.get("tool_call_id")))
