"""Names of the tools offered to a model, from any vendor's tool-definition list.

Accepts OTel GenAI ``gen_ai.tool.definitions`` (``[{"type": "function", "name": ...}]``), the OpenAI
wire shape (``{"type": "function", "function": {"name": ...}}``), OpenInference ``llm.tools.<i>.tool.
json_schema`` (JSON text per tool), OpenLLMetry ``llm.request.functions.<i>.name`` and Anthropic
``{"name", "input_schema"}``, and a plain list of names (Strands ``gen_ai.agent.tools``).
"""

from __future__ import annotations

from typing import Any

from traceready.mapping.paths import indexed
from traceready.mapping.transforms import as_json, as_str


def tool_names(value: Any) -> tuple[str, ...] | None:
    """The offered tool names, or None when the value is not a tool list."""
    items = indexed(as_json(value))
    if not items:
        return None
    names = []
    for item in items:
        name = _name(item)
        if name is None:
            return None
        names.append(name)
    return tuple(names)


_NAMES_OF_TEXT: dict[str, str | None] = {}
"""The name in a tool's text (JSON or a plain name), by the text. An agent offers the same tools on
every model call, so the same definitions are read again and again; this skips parsing them."""
TEXTS_KEPT = 1024
"""Texts remembered at most (then the memo starts afresh): a real agent offers tens of tools."""
TEXT_KEPT_CHARS = 8192
"""Longer texts are parsed each time: the memo holds at most ~8 MB."""


def _name(item: Any) -> str | None:
    if not isinstance(item, str) or len(item) > TEXT_KEPT_CHARS:
        return _name_of(item)
    if item in _NAMES_OF_TEXT:
        return _NAMES_OF_TEXT[item]
    if len(_NAMES_OF_TEXT) >= TEXTS_KEPT:
        _NAMES_OF_TEXT.clear()
    name = _NAMES_OF_TEXT[item] = _name_of(item)
    return name


def _name_of(item: Any) -> str | None:
    item = as_json(item)
    if isinstance(item, str):  # a plain list of names (Strands' gen_ai.agent.tools)
        return as_str(item)
    if not isinstance(item, dict):
        return None
    for nested in ("tool", "json_schema", "function"):
        if nested in item:
            found = _name(item[nested])
            if found is not None:
                return found
    return as_str(item.get("name"))
