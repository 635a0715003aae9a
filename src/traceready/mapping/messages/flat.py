"""Flattened messages read straight from their flat keys, without unflattening them first.

OpenInference (``llm.input_messages.<i>.message.role``) and OpenLLMetry (``gen_ai.prompt.<i>.role``)
spell every field of every message as one attribute, so a model call carrying a long history has a
hundred keys or more. The plain way nests them into dicts (``paths.unflatten``) and hands those to
the dialect's normaliser. A ``FlatReader`` is worked out once per key set (``Mapper`` layouts) and
then builds each span's ``Message`` tuple from the attribute values directly: the same messages as
the plain way, for the plain shape only (``flat_reader`` returns None for anything else).
"""

from __future__ import annotations

from typing import Any

from traceready.mapping.messages._parts import tool_call
from traceready.mapping.transforms import as_str
from traceready.model import Message


class FlatShape:
    """Where a dialect's normaliser reads the fields of one message, below its list index."""

    def __init__(
        self,
        *,
        message: tuple[str, ...],
        call: tuple[str, ...],
        call_keys: dict[tuple[str, ...], str],
        empty_content: bool,
    ) -> None:
        self.message = message
        """The parts between the index and a field (``("message",)`` in OpenInference)."""
        self.call = call
        """The parts between a tool call's index and its fields (``("tool_call",)``)."""
        self.call_keys = call_keys
        """A tool call's field parts, to ``id``, ``name`` or ``arguments``."""
        self.empty_content = empty_content
        """True when an empty content string is kept as content (else it is none)."""


class _FlatCall:
    """The flat keys of one tool call (None: not recorded)."""

    def __init__(self) -> None:
        self.id: str | None = None
        self.name: str | None = None
        self.arguments: str | None = None


class _FlatMessage:
    """The flat keys of one message (None: not recorded)."""

    def __init__(self) -> None:
        self.role: str | None = None
        self.content: str | None = None
        self.tool_call_id: str | None = None
        self.calls: list[_FlatCall] = []


def _get(base: dict[str, Any], key: str | None) -> Any:
    return base[key] if key is not None else None


class FlatReader:
    """The messages of one key set: ``read(attributes)`` for each span that has those keys."""

    def __init__(self, messages: list[_FlatMessage], empty_content: bool) -> None:
        self.messages = messages
        self.empty_content = empty_content

    def read(self, base: dict[str, Any]) -> tuple[Message, ...] | None:
        """The messages held in ``base`` (a dict with every key this reader was made for)."""
        messages = []
        for flat in self.messages:
            content = _get(base, flat.content)
            if not isinstance(content, str) or not (content or self.empty_content):
                content = None
            calls = tuple(
                tool_call(_get(base, call.id), _get(base, call.name), _get(base, call.arguments))
                for call in flat.calls
            )
            messages.append(
                Message(
                    role=as_str(_get(base, flat.role)) or "unknown",
                    content=content,
                    reasoning=None,
                    tool_calls=calls,
                    tool_call_id=as_str(_get(base, flat.tool_call_id)),
                )
            )
        return tuple(messages) if messages else None


def _index(part: str) -> int | None:
    """A list index as ``paths.indexed`` orders it, when written plainly (``0``, ``12``)."""
    if part.isascii() and part.isdigit() and (part == "0" or part[0] != "0"):
        return int(part)
    return None


def flat_reader(shape: FlatShape, keys: list[tuple[str, tuple[str, ...]]]) -> FlatReader | None:
    """A reader of the messages below ``keys`` (each a flat key and its parts below the prefix).

    Only for the plain shape: per message its role, content, tool call id and tool calls (id,
    name, arguments), other single fields ignored as the normalisers ignore them. Anything else
    (content parts, a value where a list or a field goes, an index such as ``01``) gives None:
    those keys are unflattened and read the plain way.
    """
    skip = len(shape.message)
    fields: dict[int, list[tuple[tuple[str, ...], str]]] = {}
    for key, parts in keys:
        head = parts[0]
        if not (head.isascii() and head.isdigit()):
            continue  # not a list item: the normalisers skip it
        index = _index(head)
        if index is None or len(parts) < 2 + skip or parts[1 : 1 + skip] != shape.message:
            return None
        fields.setdefault(index, []).append((parts[1 + skip :], key))
    messages = []
    for index in sorted(fields):
        flat = _FlatMessage()
        calls: dict[int, _FlatCall] = {}
        for field, key in fields[index]:
            if len(field) == 1:
                name = field[0]
                if name in ("contents", "tool_calls"):
                    return None
                if name == "role":
                    flat.role = key
                elif name == "content":
                    flat.content = key
                elif name == "tool_call_id":
                    flat.tool_call_id = key
                continue  # other fields are not read
            call_index = _index(field[1]) if field[0] == "tool_calls" else None
            at = 2 + len(shape.call)
            slot = shape.call_keys.get(field[at:]) if field[2:at] == shape.call else None
            if call_index is None or slot is None:
                return None
            call = calls.setdefault(call_index, _FlatCall())
            if slot == "id":
                call.id = key
            elif slot == "name":
                call.name = key
            else:
                call.arguments = key
        flat.calls = [calls[i] for i in sorted(calls)]
        messages.append(flat)
    return FlatReader(messages, shape.empty_content)
