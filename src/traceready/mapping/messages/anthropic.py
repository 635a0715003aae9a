"""Anthropic Messages API content blocks.

```json
[{"role": "assistant", "content": [{"type": "thinking", "thinking": "..."},
  {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]}]
```
``tool_result`` blocks in a user message become a tool message linked by ``tool_use_id``.
"""

from __future__ import annotations

from typing import Any

from traceready.mapping.messages._parts import REASONING_TYPES, Folded, text_of, tool_call
from traceready.mapping.transforms import as_json, as_str
from traceready.model import Message


def to_messages(value: Any) -> tuple[Message, ...] | None:
    """Messages from Anthropic content blocks, or None when the value has none."""
    value = as_json(value)
    if isinstance(value, dict):
        value = value.get("messages") if isinstance(value.get("messages"), list) else [value]
    if not isinstance(value, list) or not value:
        return None
    messages: list[Message] = []
    has_blocks = False
    for item in value:
        role = as_str(item.get("role")) if isinstance(item, dict) else None
        if role is None:
            return None
        content = item.get("content")
        if isinstance(content, str):
            messages.append(Message(role=role, content=content))
            continue
        if not isinstance(content, list):
            return None
        has_blocks = True
        messages.extend(_messages(role, content))
    return tuple(messages) if has_blocks else None


def _messages(role: str, blocks: list[Any]) -> list[Message]:
    folded = Folded()
    results = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "tool_use":
            folded.tool_calls.append(tool_call(block.get("id"), block.get("name"), block.get("input")))
        elif kind == "tool_result":
            results.append(
                Message(
                    role="tool",
                    content=text_of(block),
                    tool_call_id=as_str(block.get("tool_use_id")),
                )
            )
        elif kind in REASONING_TYPES:
            folded.reasoning.append(text_of(block) or "")
        elif text := text_of(block):
            folded.texts.append(text)
    if folded.texts or folded.reasoning or folded.tool_calls or not results:
        results.insert(0, folded.message(role))
    return results
