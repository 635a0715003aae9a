"""LangChain serialised messages (``dumpd`` constructor form and the ``{"type", "data"}`` form).

```json
{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"],
 "kwargs": {"content": "", "tool_calls": [{"id": "call_1", "name": "get_weather", "args": {}}]}}
```
LangSmith nests them: ``{"messages": [[...]]}`` for chat-model inputs, ``generations`` for outputs.
"""

from __future__ import annotations

from typing import Any

from traceready.mapping.messages import openai_chat
from traceready.mapping.messages._parts import tool_call
from traceready.mapping.transforms import as_json, as_str
from traceready.model import Message

_ROLES = {
    "human": "user",
    "ai": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
    "HumanMessage": "user",
    "AIMessage": "assistant",
    "SystemMessage": "system",
    "ToolMessage": "tool",
    "AIMessageChunk": "assistant",
    "ChatMessage": "user",
}


def to_messages(value: Any) -> tuple[Message, ...] | None:
    """Messages from LangChain shapes, or None when the value is not one."""
    items = _items(as_json(value))
    if not items:
        return None
    messages = []
    for item in items:
        message = _message(item)
        if message is None:
            return None
        messages.append(message)
    return tuple(messages)


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        if isinstance(value.get("messages"), list):
            value = value["messages"]
        elif isinstance(value.get("generations"), list):
            value = [
                g.get("message", g)
                for row in value["generations"]
                for g in (row if isinstance(row, list) else [row])
                if isinstance(g, dict)
            ]
        else:
            value = [value]
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value = value[0]
    return value if isinstance(value, list) else []


def _message(item: Any) -> Message | None:
    if not isinstance(item, dict):
        return None
    if item.get("lc") == 1 and isinstance(item.get("kwargs"), dict):
        ids = item.get("id")
        role = _ROLES.get(ids[-1]) if isinstance(ids, list) and ids else None
        return _from_fields(role, item["kwargs"])
    if isinstance(item.get("data"), dict) and isinstance(item.get("type"), str):
        return _from_fields(_ROLES.get(item["type"]), item["data"])
    return None


def _from_fields(role: str | None, fields: dict[str, Any]) -> Message | None:
    if role is None:
        return None
    base = openai_chat.to_messages([{"role": role, "content": fields.get("content")}])
    calls = tuple(
        tool_call(call.get("id"), call.get("name"), call.get("args"))
        for call in fields.get("tool_calls") or ()
        if isinstance(call, dict)
    )
    additional = fields.get("additional_kwargs")
    extra: dict[str, Any] = additional if isinstance(additional, dict) else {}
    if not calls and extra.get("tool_calls"):
        legacy = openai_chat.to_messages([{"role": role, "tool_calls": extra["tool_calls"]}])
        calls = legacy[0].tool_calls if legacy else ()
    content = base[0].content if base else None
    reasoning = base[0].reasoning if base else None
    if isinstance(extra.get("reasoning_content"), str):
        reasoning = extra["reasoning_content"]
    return Message(
        role=role,
        content=content,
        reasoning=reasoning,
        tool_calls=calls,
        tool_call_id=as_str(fields.get("tool_call_id")),
    )
