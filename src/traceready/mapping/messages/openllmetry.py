"""OpenLLMetry's indexed attributes (``gen_ai.prompt.<i>.*``, ``gen_ai.completion.<i>.*``).

```json
{"0": {"role": "assistant", "content": "", "finish_reason": "tool_calls",
       "tool_calls": {"0": {"id": "call_1", "name": "get_weather", "arguments": "{}"}}}}
```
"""

from __future__ import annotations

from typing import Any

from traceready.mapping.messages._parts import tool_call
from traceready.mapping.messages.flat import FlatShape
from traceready.mapping.paths import indexed
from traceready.mapping.transforms import as_str
from traceready.model import Message


def to_messages(value: Any) -> tuple[Message, ...] | None:
    """Messages from the indexed shape, or None when the value has none."""
    items = indexed(value)
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    messages = []
    for item in items:
        calls = tuple(
            tool_call(call.get("id"), call.get("name"), call.get("arguments"))
            for call in indexed(item.get("tool_calls"))
            if isinstance(call, dict)
        )
        content = item.get("content")
        messages.append(
            Message(
                role=as_str(item.get("role")) or "unknown",
                content=content if isinstance(content, str) and content else None,
                tool_calls=calls,
                tool_call_id=as_str(item.get("tool_call_id")),
            )
        )
    return tuple(messages)


FLAT = FlatShape(
    message=(),
    call=(),
    call_keys={("id",): "id", ("name",): "name", ("arguments",): "arguments"},
    empty_content=False,
)
"""Where ``to_messages`` reads each field, for ``flat_reader``."""
