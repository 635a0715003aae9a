"""The in-memory model and the span export format stay in step (see ``traceready.span_format``)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from tests.factories import llm, tool
from traceready import model, span_format

REQUIRED: dict[str, dict[str, Any]] = {
    "Message": {"role": "user"},
    "Score": {"name": "helpful"},
    "SourceRef": {"vendor": "otel"},
    "Span": {"span_id": "s", "trace_id": "t", "source": model.SourceRef(vendor="otel")},
}
CLASSES = [
    "ErrorInfo",
    "ToolCall",
    "Message",
    "Usage",
    "LlmInfo",
    "ToolInfo",
    "Score",
    "Versions",
    "SourceRef",
    "Span",
]
PAIRS = [(getattr(model, name), getattr(span_format, name)) for name in CLASSES]


@pytest.mark.parametrize(("native", "exported"), PAIRS, ids=lambda c: c.__name__)
def test_every_model_class_exports_the_same_fields_with_the_same_defaults(
    native: type[model.Value], exported: type[BaseModel]
) -> None:
    required = REQUIRED.get(native.__name__, {})
    built = native(**required)
    assert list(built.fields()) == list(exported.model_fields)
    defaults = exported.model_validate(required).model_dump(mode="json")
    assert exported.model_validate(built).model_dump(mode="json") == defaults


def test_export_is_plain_json_of_every_nested_part() -> None:
    exported = span_format.export(llm(calls=[("call_1", "get_weather")], tool_results=["call_0"]))
    assert exported["kind"] == "llm"
    assert exported["llm"]["output_messages"][0]["tool_calls"] == [
        {"id": "call_1", "name": "get_weather", "arguments": {}}
    ]
    assert exported["llm"]["usage"]["input_tokens"] == 10
    assert exported["metadata"] == {}


def test_export_rejects_a_span_that_breaks_the_format() -> None:
    broken = tool().replace(tags=("ok", 3))
    with pytest.raises(ValidationError):
        span_format.export(broken)


def test_replace_copies_and_equality_compares_fields() -> None:
    first = tool(span_id="s1")
    changed = first.replace(name="other")
    assert changed != first and changed.name == "other" and first.name == "s1"
    assert changed.replace(name="s1") == first
    assert hash(model.Usage(input_tokens=1)) == hash(model.Usage(input_tokens=1))
