"""OTel GenAI ``gen_ai.input.messages`` / ``gen_ai.output.messages`` (parts schema, v1.37+).

```json
[{"role": "assistant", "parts": [{"type": "reasoning", "content": "..."},
  {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}],
  "finish_reason": "tool_call"}]
```
Also the system-instructions shape: a bare list of parts.
"""

from __future__ import annotations

from typing import Any

import orjson

from traceready.mapping.messages._parts import REASONING_TYPES, Folded, text_of, tool_call
from traceready.mapping.transforms import as_json, as_str
from traceready.model import Message


def to_messages(value: Any) -> tuple[Message, ...] | None:
    """Messages from the parts schema, or None when the value is not in it."""
    value = as_json(value)
    if not isinstance(value, list):
        return None
    if value and all(isinstance(item, dict) and "type" in item and "role" not in item for item in value):
        return (_message("system", value, None),)
    messages = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("parts"), list):
            return None
        role, parts = as_str(item.get("role")) or "unknown", item["parts"]
        answers = [p for p in parts if isinstance(p, dict) and p.get("type") == "tool_call_response"]
        if len(answers) < 2:
            messages.append(_message(role, parts, item))
            continue
        # Several tool results in one message (Strands sends parallel results together): one tool
        # message each, so every result keeps the id of the call it answers.
        if others := [
            p for p in parts if not (isinstance(p, dict) and p.get("type") == "tool_call_response")
        ]:
            messages.append(_message(role, others, item))
        messages.extend(_message("tool", [answer], item) for answer in answers)
    return tuple(messages)


def _message(role: str, parts: list[Any], item: dict[str, Any] | None) -> Message:
    folded = Folded()
    tool_call_id = None
    for part in parts:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "tool_call":
            folded.tool_calls.append(tool_call(part.get("id"), part.get("name"), part.get("arguments")))
        elif kind == "tool_call_response":
            tool_call_id = as_str(part.get("id"))
            response = part.get("response", part.get("result"))
            if isinstance(response, str):
                folded.texts.append(response)
            elif response is not None:
                folded.texts.append(orjson.dumps(response, default=str).decode())
        elif kind in REASONING_TYPES:
            if text := text_of(part):
                folded.reasoning.append(text)
        elif text := text_of(part):
            folded.texts.append(text)
    del item
    return folded.message(role, tool_call_id)


def tool_call_arguments(value: Any) -> Any:
    """The arguments of the first ``tool_call`` part in parts-schema messages (a tool span's input)."""
    return _first_part(value, "tool_call", ("arguments",))


def tool_call_response(value: Any) -> Any:
    """The response of the first ``tool_call_response`` part (a tool span's output)."""
    return _first_part(value, "tool_call_response", ("response", "result"))


def _first_part(value: Any, kind: str, keys: tuple[str, ...]) -> Any:
    messages = as_json(value)
    for message in messages if isinstance(messages, list) else ():
        parts = message.get("parts") if isinstance(message, dict) else None
        for part in parts if isinstance(parts, list) else ():
            if isinstance(part, dict) and part.get("type") == kind:
                for key in keys:
                    if part.get(key) is not None:
                        return as_json(part[key])
    return None
