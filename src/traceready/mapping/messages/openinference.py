"""OpenInference flattened messages (``llm.input_messages.<i>.message.*``), after unflattening.

```json
[{"message": {"role": "assistant", "contents": [{"message_content": {"type": "reasoning", "text": "..."}}],
  "tool_calls": [{"tool_call": {"id": "call_1", "function": {"name": "get_weather", "arguments": "{}"}}}]}}]
```
Lists arrive as dicts keyed ``"0"``, ``"1"``... (see ``paths.unflatten``); both forms are read.
"""

from __future__ import annotations

from typing import Any

from traceready.mapping.messages._parts import REASONING_TYPES, Folded, tool_call
from traceready.mapping.messages.flat import FlatShape
from traceready.mapping.paths import indexed
from traceready.mapping.transforms import as_str
from traceready.model import Message


def to_messages(value: Any) -> tuple[Message, ...] | None:
    """Messages from the OpenInference shape, or None when the value has none."""
    items = indexed(value)
    if not items:
        return None
    messages = []
    for item in items:
        body = item.get("message") if isinstance(item, dict) else None
        if not isinstance(body, dict):
            return None
        messages.append(_message(body))
    return tuple(messages)


def _message(body: dict[str, Any]) -> Message:
    folded = Folded()
    if isinstance(body.get("content"), str):
        folded.texts.append(body["content"])
    for entry in indexed(body.get("contents")):
        part = entry.get("message_content") if isinstance(entry, dict) else None
        if not isinstance(part, dict):
            continue
        text = part.get("text")
        if isinstance(text, str):
            (folded.reasoning if part.get("type") in REASONING_TYPES else folded.texts).append(text)
    for entry in indexed(body.get("tool_calls")):
        call = entry.get("tool_call") if isinstance(entry, dict) else None
        if isinstance(call, dict):
            nested = call.get("function")
            function = nested if isinstance(nested, dict) else {}
            folded.tool_calls.append(
                tool_call(call.get("id"), function.get("name"), function.get("arguments"))
            )
    return folded.message(as_str(body.get("role")) or "unknown", as_str(body.get("tool_call_id")))


FLAT = FlatShape(
    message=("message",),
    call=("tool_call",),
    call_keys={("id",): "id", ("function", "name"): "name", ("function", "arguments"): "arguments"},
    empty_content=True,
)
"""Where ``to_messages`` reads each field, for ``flat_reader``."""
