"""Folding a list of content parts into text, reasoning and tool calls."""

from __future__ import annotations

from typing import Any

from traceready.mapping.transforms import as_json, as_str
from traceready.model import Message, ToolCall

TEXT_TYPES = frozenset({"text", "input_text", "output_text"})
REASONING_TYPES = frozenset({"reasoning", "thinking", "redacted_thinking", "reasoning_text"})


class Folded:
    """Text, reasoning and tool calls collected from parts.

    A plain class, not a dataclass: compiled by mypyc, a dataclass keeps the interpreted
    ``__init__`` that ``dataclasses`` generates, a Python call per message.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.reasoning: list[str] = []
        self.tool_calls: list[ToolCall] = []

    def text(self) -> str | None:
        """Joined text, or None when there was none."""
        return "\n".join(self.texts) if self.texts else None

    def reasoning_text(self) -> str | None:
        """Joined reasoning, or None when there was none."""
        return "\n".join(self.reasoning) if self.reasoning else None

    def message(self, role: str, tool_call_id: str | None = None) -> Message:
        """One message of ``role`` holding what was collected."""
        return Message(
            role=role,
            content=self.text(),
            reasoning=self.reasoning_text(),
            tool_calls=tuple(self.tool_calls),
            tool_call_id=tool_call_id,
        )


def tool_call(call_id: Any, name: Any, arguments: Any) -> ToolCall:
    """A ToolCall with arguments decoded from JSON text where they are JSON."""
    return ToolCall(id=as_str(call_id), name=as_str(name), arguments=as_json(arguments))


def text_of(part: dict[str, Any]) -> str | None:
    """The text a part carries under any of the usual keys."""
    for key in ("text", "content", "thinking", "summary"):
        value = part.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            joined = "\n".join(t for item in value if isinstance(item, dict) and (t := text_of(item)))
            if joined:
                return joined
    return None
