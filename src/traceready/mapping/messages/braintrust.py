r"""What Braintrust's SDK wrappers log as an llm span's ``input`` and ``output``, and its other columns.

``wrap_openai`` (chat completions) logs the request messages as ``input`` and the response's
``choices`` list as ``output`` (verified on braintrust 0.48.1, cassettes/braintrust):

```json
[{"index": 0, "finish_reason": "tool_calls",
  "message": {"role": "assistant", "content": null,
              "tool_calls": [{"id": "call_1", "type": "function",
                              "function": {"name": "get_weather", "arguments": "{\"city\": \"Lisbon\"}"}}]}}]
```
The Responses API logs ``response.output`` items. ``wrap_anthropic`` logs the request messages (the
``system`` prompt appended as a ``{"role": "system"}`` message) and one output message
``{"role", "content": [blocks], "model", "stop_reason"}`` (``integrations/anthropic/tracing.py``
``_message_output``): content blocks decide between the Anthropic and the OpenAI reading, because
``tool_use`` and ``thinking`` blocks are invisible to the OpenAI one.

Also here: the transforms ``mappings/braintrust.yaml`` names (``metrics.start`` float seconds,
``span_parents`` lists, ``scores`` dicts, Python tracebacks in ``error``).
"""

from __future__ import annotations

import re
from typing import Any

from traceready.mapping.messages import anthropic, openai_chat
from traceready.mapping.transforms import as_float, as_json, as_str
from traceready.model import Message

_ANTHROPIC_BLOCKS = frozenset({"tool_use", "tool_result", "thinking", "redacted_thinking"})


def _has_anthropic_blocks(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    for item in items:
        content = item.get("content") if isinstance(item, dict) else None
        if isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") in _ANTHROPIC_BLOCKS for b in content
        ):
            return True
    return False


def _choices(value: Any) -> list[Any] | None:
    """The messages of an OpenAI ``choices`` list (``[{"index", "message", "finish_reason"}]``)."""
    if isinstance(value, list) and value and all(isinstance(c, dict) and "message" in c for c in value):
        return [c["message"] for c in value]
    return None


def to_messages(value: Any) -> tuple[Message, ...] | None:
    """Messages from what a Braintrust wrapper logged, or None when it is not a chat shape."""
    value = as_json(value)
    choices = _choices(value)
    if choices is not None:
        return openai_chat.to_messages(choices)
    if _has_anthropic_blocks(value):
        return anthropic.to_messages(value)
    return openai_chat.to_messages(value) or anthropic.to_messages(value)


def finish_reasons(value: Any) -> tuple[str, ...] | None:
    """``finish_reason`` of each OpenAI choice, or an Anthropic ``stop_reason``."""
    value = as_json(value)
    if isinstance(value, dict):
        reason = as_str(value.get("stop_reason")) or as_str(value.get("finish_reason"))
        return (reason,) if reason else None
    if isinstance(value, list):
        reasons = tuple(
            reason for c in value if isinstance(c, dict) and (reason := as_str(c.get("finish_reason")))
        )
        return reasons or None
    return None


def response_model(value: Any) -> str | None:
    """The model that answered, where the wrapper logged it (Anthropic output's ``model``)."""
    value = as_json(value)
    return as_str(value.get("model")) if isinstance(value, dict) and "role" in value else None


def seconds_to_ns(value: Any) -> int | None:
    """Unix nanoseconds from Unix seconds (``metrics.start``/``end`` are float seconds).

    A float near 1.8e9 holds about a quarter of a microsecond, so the fraction is rounded to whole
    microseconds rather than carried as float noise into the nanoseconds.
    """
    seconds = as_float(value)
    if seconds is None or seconds < 0:
        return None
    whole = int(seconds)
    return whole * 1_000_000_000 + round((seconds - whole) * 1_000_000) * 1000


def tool_name(value: Any) -> str | None:
    """A span's name when ``span_attributes`` says it is a tool (an untyped span is not one)."""
    if isinstance(value, dict) and value.get("type") == "tool":
        return as_str(value.get("name"))
    return None


def first(value: Any) -> Any:
    """The first item of a list (``span_parents``: the parent; later items are extra links)."""
    return value[0] if isinstance(value, list) and value else None


def scores(value: Any) -> list[dict[str, Any]] | None:
    """Braintrust's ``scores`` column (``{"name": 0.8, ...}``) as the mapper's score list."""
    if not isinstance(value, dict):
        return None
    return [
        {"name": name, "value": as_float(score), "source": "braintrust"}
        for name, score in sorted(value.items())
        if isinstance(name, str) and score is not None
    ] or None


def is_error(value: Any) -> str | None:
    """``"error"`` when the ``error`` column holds anything (the SDK logs a traceback or an object)."""
    if value is None or value == "" or value == {}:
        return None
    return "error"


_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::\s|:$|$)")


def exception_type(value: Any) -> str | None:
    """The exception class named by a Python traceback's last line, or an error object's type."""
    if isinstance(value, dict):
        return as_str(value.get("type")) or as_str(value.get("name")) or as_str(value.get("code"))
    if not isinstance(value, str) or "Traceback (most recent call last)" not in value:
        return None
    for line in reversed(value.strip().splitlines()):
        if line and not line.startswith(" "):
            match = _EXCEPTION_LINE.match(line)
            return match.group(1) if match else None
    return None


def error_message(value: Any) -> str | None:
    """The error text: a string as it is, or an error object's ``message``."""
    if isinstance(value, dict):
        return as_str(value.get("message")) or as_str(value.get("error"))
    return as_str(value)


def stacktrace(value: Any) -> str | None:
    """The traceback the SDK recorded, when the error carries one."""
    return value if isinstance(value, str) and "Traceback (most recent call last)" in value else None
