"""Hypothesis properties: any input yields a Span or a Rejection, and every span entry is counted."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from traceready.connectors.otel.otlp import iter_request
from traceready.connectors.otel.reader import iter_file
from traceready.errors import UsageError
from traceready.mapping.mapper import Mapper
from traceready.mapping.messages import MESSAGE_FORMATS
from traceready.mapping.messages.tools import tool_names
from traceready.mapping.spec import load_mapping
from traceready.mapping.transforms import TRANSFORMS
from traceready.model import Message, Rejection, Span
from traceready.span_format import export

MAPPER = Mapper(load_mapping("otel"))
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _attribute_keys() -> list[str]:
    """Every attribute the built-in mapping reads, plus flattened list entries the dialects write."""
    spec = load_mapping("otel")
    sources = [s for group in (*spec.fields.values(), *spec.params.values(), spec.kind) for s in group]
    keys = {s.path.removeprefix("attributes.") for s in sources if s.path.startswith("attributes.")}
    keys |= {
        "llm.input_messages.0.message.role",
        "llm.input_messages.0.message.content",
        "llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments",
        "llm.output_messages.0.message.contents.0.message_content.type",
        "llm.tools.0.tool.json_schema",
        "gen_ai.prompt.0.content",
        "gen_ai.prompt.0.role",
        "gen_ai.completion.0.tool_calls.0.arguments",
        "gen_ai.completion.0.tool_calls",
        "llm.request.functions.0.name",
        "metadata.harness_version",
    }
    return sorted(keys)


KEYS = st.one_of(st.sampled_from(_attribute_keys()), st.text(max_size=20))
# Keys the message normalisers and tool-name readers look at, so nested values take their shapes.
SHAPE_KEYS = st.sampled_from([
    "role", "content", "parts", "type", "text", "id", "name", "arguments", "tool_calls", "tool_call_id",
    "message", "contents", "message_content", "tool_call", "function", "lc", "kwargs", "data", "response",
    "tool_use_id", "input", "call_id", "output", "choices", "messages", "generations", "thinking", "summary",
    "tool", "json_schema", "0", "1", "additional_kwargs", "function_call", "reasoning_content",
])  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=10**400) | st.integers(max_value=-(2**63), min_value=-(10**400)),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
    st.sampled_from(
        [
            "",
            "__REDACTED__",
            "{",
            "[1,",
            '"x"',
            "null",
            "1e400",
            "2026-11-25T12:00:00Z",
            "-",
            "0x1f",
            '{"role": "user", "parts": 3}',
            '[{"role": 5, "content": [1]}]',
            '[{"type": "function"}]',
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.one_of(SHAPE_KEYS, KEYS, TEXT), inner, max_size=4)
    ),
    max_leaves=12,
)


def _any_value(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda v: {"arrayValue": {"values": v}}, st.lists(inner, max_size=4)),
        st.builds(
            lambda kv: {"kvlistValue": {"values": [{"key": k, "value": v} for k, v in kv]}},
            st.lists(st.tuples(st.one_of(KEYS, TEXT), inner), max_size=4),
        ),
        st.builds(lambda v: {"arrayValue": v}, JSON),
        st.builds(lambda v: {"kvlistValue": v}, JSON),
    )


ANY_VALUE = st.recursive(
    st.one_of(
        st.builds(lambda v: {"stringValue": v}, st.one_of(TEXT, SCALARS)),
        st.builds(lambda v: {"intValue": v}, st.one_of(st.integers(), st.integers().map(str), SCALARS)),
        st.builds(lambda v: {"doubleValue": v}, st.floats()),
        st.builds(lambda v: {"boolValue": v}, st.booleans()),
        st.builds(lambda v: {"bytesValue": v}, TEXT),
        JSON,
    ),
    _any_value,
    max_leaves=10,
)
HEX16 = st.binary(min_size=16, max_size=16).map(bytes.hex)
HEX8 = st.binary(min_size=8, max_size=8).map(bytes.hex)
IDS = st.one_of(HEX8, HEX16, TEXT, SCALARS)


@st.composite
def raw_records(draw: st.DrawFn) -> dict[str, Any]:
    """A raw record as the reader hands it on, with arbitrary values where the mapping looks."""
    return {
        "trace_id": draw(st.one_of(HEX16, IDS)),
        "span_id": draw(st.one_of(HEX8, IDS)),
        "parent_id": draw(st.one_of(st.none(), HEX8, IDS)),
        "name": draw(JSON),
        "otel_kind": draw(JSON),
        "start_ns": draw(st.one_of(st.integers(min_value=0), JSON)),
        "end_ns": draw(st.one_of(st.integers(min_value=0), JSON)),
        "status": draw(st.one_of(st.fixed_dictionaries({"code": JSON, "message": JSON}), JSON)),
        "attributes": draw(st.dictionaries(KEYS, JSON, max_size=8)),
        "resource": draw(st.dictionaries(KEYS, JSON, max_size=3)),
        "scope": draw(JSON),
        "events": draw(
            st.dictionaries(
                st.sampled_from(["exception", "gen_ai.client.inference.operation.details"]),
                st.dictionaries(
                    st.one_of(
                        KEYS,
                        st.sampled_from(
                            [
                                "exception.type",
                                "exception.message",
                                "exception.stacktrace",
                                "gen_ai.input.messages",
                                "gen_ai.output.messages",
                            ]
                        ),
                    ),
                    JSON,
                    max_size=3,
                ),
                max_size=2,
            )
        ),
        "evaluations": draw(
            st.one_of(
                st.lists(
                    st.dictionaries(st.sampled_from(["name", "value", "label", "source", "score"]), JSON),
                    max_size=3,
                ),
                JSON,
            )
        ),
        "quality": draw(st.one_of(st.lists(TEXT, max_size=2), st.just([]))),
    }


def otlp_span(draw: Callable[[st.SearchStrategy[Any]], Any], attributes: Any) -> dict[str, Any]:
    return {
        "traceId": draw(st.one_of(HEX16, IDS)),
        "spanId": draw(st.one_of(HEX8, IDS)),
        "parentSpanId": draw(st.one_of(st.none(), HEX8, IDS)),
        "name": draw(JSON),
        "kind": draw(
            st.one_of(st.integers(0, 5), st.sampled_from(["SPAN_KIND_CLIENT", "SPAN_KIND_INTERNAL"]), JSON)
        ),
        "startTimeUnixNano": draw(st.one_of(st.integers(min_value=0).map(str), JSON)),
        "endTimeUnixNano": draw(st.one_of(st.integers(min_value=0).map(str), JSON)),
        "attributes": attributes,
        "events": draw(
            st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "name": st.sampled_from(["exception", "gen_ai.evaluation.result"]) | JSON,
                            "attributes": st.lists(
                                st.builds(
                                    lambda k, v: {"key": k, "value": v},
                                    st.one_of(
                                        KEYS,
                                        st.sampled_from(
                                            [
                                                "exception.type",
                                                "gen_ai.evaluation.name",
                                                "gen_ai.evaluation.score.value",
                                            ]
                                        ),
                                    ),
                                    ANY_VALUE,
                                ),
                                max_size=3,
                            )
                            | JSON,
                        }
                    ),
                    max_size=2,
                ),
                JSON,
            )
        ),
        "status": draw(
            st.one_of(st.fixed_dictionaries({"code": st.integers(0, 2) | JSON, "message": JSON}), JSON)
        ),
    }


@st.composite
def otlp_spans(draw: st.DrawFn) -> dict[str, Any]:
    """An OTLP/JSON span whose attributes hold arbitrary AnyValue shapes (and plain JSON)."""
    attributes = draw(
        st.one_of(
            st.lists(st.builds(lambda k, v: {"key": k, "value": v}, KEYS, ANY_VALUE), max_size=8),
            JSON,
        )
    )
    return otlp_span(draw, attributes)


@st.composite
def span_entries(draw: st.DrawFn) -> Any:
    """Anything that may sit in a ``spans`` list: well-formed spans, odd spans, non-objects."""
    return draw(st.one_of(otlp_spans(), JSON))


def request(spans: list[Any]) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {"resource": {"attributes": []}, "scopeSpans": [{"scope": {"name": "t"}, "spans": spans}]}
        ]
    }


# --- (a) any attribute values: a Span or a Rejection, never an exception -------------------------


IDS_OK = {"trace_id": "1" * 32, "span_id": "2" * 16}


@PROPERTY
@given(raw_records())
@example({**IDS_OK, "attributes": {"openinference.span.kind": "LLM", "llm.cost.total": 10**400}})
@example({**IDS_OK, "evaluations": [{"name": "relevance", "value": 10**400}]})
@example(
    {
        **IDS_OK,
        "attributes": {
            "gen_ai.operation.name": "chat",
            "gen_ai.output.messages": [{"role": 0, "content": []}],
        },
    }
)
def test_mapper_returns_a_span_or_a_rejection_for_any_raw_record(record: dict[str, Any]) -> None:
    result = MAPPER.map_record(record)
    assert isinstance(result, Span | Rejection)
    if isinstance(result, Span):
        export(result)  # every mapped span is a valid span export


@given(st.none() | st.integers() | st.text() | st.lists(st.integers()))
def test_a_record_that_is_no_object_is_rejected_not_raised(record: Any) -> None:
    # The compiled mapper (mypyc) checks argument types at its boundary: this must stay a Rejection.
    result = MAPPER.map_record(record)
    assert isinstance(result, Rejection)
    assert result.reason == "unmappable"


@PROPERTY
@given(otlp_spans())
def test_reader_and_mapper_turn_any_otlp_span_into_a_span_or_a_rejection(span: dict[str, Any]) -> None:
    (record,) = list(iter_request(request([span])))
    result = record if isinstance(record, Rejection) else MAPPER.map_record(record)
    assert isinstance(result, Span | Rejection)


@PROPERTY
@given(JSON, st.sampled_from(sorted(MESSAGE_FORMATS)))
@example([{"role": 0, "content": [{"type": "text", "text": "hi"}]}], "anthropic")
def test_message_normalisers_return_messages_or_none_for_any_value(value: Any, name: str) -> None:
    result = MESSAGE_FORMATS[name](value)
    assert result is None or all(isinstance(m, Message) for m in result)


@PROPERTY
@given(JSON, st.sampled_from(sorted(TRANSFORMS)))
@example(10**400, "float")
def test_transforms_never_raise(value: Any, name: str) -> None:
    TRANSFORMS[name](value)


@PROPERTY
@given(JSON)
@example({"\u00b9": None})
def test_tool_names_return_names_or_none_for_any_value(value: Any) -> None:
    result = tool_names(value)
    assert result is None or all(isinstance(n, str) for n in result)


# --- (b) every span entry is counted -------------------------------------------------------------


@PROPERTY
@given(st.lists(span_entries(), max_size=6))
def test_every_span_entry_is_counted_as_mapped_or_rejected(spans: list[Any]) -> None:
    records = list(iter_request(request(spans)))
    mapped = rejected = 0
    for record in records:
        result = record if isinstance(record, Rejection) else MAPPER.map_record(record)
        if isinstance(result, Span):
            mapped += 1
        else:
            rejected += 1
    assert len(records) == len(spans)
    assert mapped + rejected == len(records)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(HEX16, HEX8), max_size=6), st.data())
def test_well_formed_spans_are_never_rejected(ids: list[tuple[str, str]], data: st.DataObject) -> None:
    ids = [(t, s) for t, s in ids if t.strip("0") and s.strip("0")]
    spans = [{**otlp_span(data.draw, []), "traceId": t, "spanId": s} for t, s in ids]
    results = [r if isinstance(r, Rejection) else MAPPER.map_record(r) for r in iter_request(request(spans))]
    assert [(r.trace_id, r.span_id) if isinstance(r, Span) else r for r in results] == ids


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40), st.just(b'{"resourceSpans": []}')), max_size=6))
def test_any_lines_after_a_valid_first_line_are_read_or_rejected(lines: list[bytes]) -> None:
    first = (
        b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "'
        + b"1" * 32
        + b'", "spanId": "'
        + b"2" * 16
        + b'"}]}]}]}\n'
    )
    body = first + b"\n".join(line.replace(b"\n", b" ") for line in lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "traces.jsonl"
        path.write_bytes(body)
        try:
            items = list(iter_file(path))
        except UsageError:  # pragma: no cover - a valid first line never makes the file unreadable
            raise AssertionError("a file with a valid first line was refused") from None
    assert isinstance(items[0], dict)
    assert all(isinstance(i, dict | Rejection) for i in items)


PLAIN = Mapper(load_mapping("otel"), shortcuts=False)
"""The same mapping without its shortcuts: JSON decoded at once, flattened messages unflattened."""

JSON_TEXT = st.one_of(
    st.builds(json.dumps, JSON),
    st.sampled_from(['{"a": 1', "[1, 2", '{ "a": 1}', "{ }", "[\n]", '"{\\"a\\": 1}"', "{}", "[]", "{x"]),
    TEXT,
)
# Flattened OpenInference message keys, plain and odd: indices written oddly, a value where a list
# goes, a key both a value and a prefix, content parts, unknown fields.
_FLAT_INDEX = st.sampled_from(["0", "1", "2", "10", "01", "x"])
_CALL = ("id", "name", "arguments")
_PLAIN_TAILS = [
    "message.role",
    "message.content",
    "message.tool_call_id",
    "message.name",
    "message.tool_calls.{j}.tool_call.id",
    "message.tool_calls.{j}.tool_call.function.name",
    "message.tool_calls.{j}.tool_call.function.arguments",
]
_FLAT_TAIL = st.sampled_from(
    [
        *_PLAIN_TAILS,
        "message.tool_calls.{j}.tool_call.function",
        "message.tool_calls.{j}.other",
        "message.tool_calls",
        "message.contents.{j}.message_content.text",
        "message.contents.{j}.message_content.type",
        "message.role.extra",
        "message",
        "other",
        "",
    ]
)


_OPENLLMETRY_PLAIN = [
    "role",
    "content",
    "tool_call_id",
    "finish_reason",
    *(f"tool_calls.{{j}}.{f}" for f in _CALL),
]
_OPENLLMETRY_TAIL = st.sampled_from(
    [
        *_OPENLLMETRY_PLAIN,
        "tool_calls.{j}",
        "tool_calls",
        "contents.{j}.text",
        "role.extra",
        "",
        "tool_calls.{j}.x.y",
    ]
)


@st.composite
def flat_messages(draw: st.DrawFn) -> dict[str, Any]:
    """Attributes with flattened OpenInference or OpenLLMetry messages and JSON text inputs and outputs."""
    attributes: dict[str, Any] = {"openinference.span.kind": draw(st.sampled_from(["LLM", "CHAIN", "TOOL"]))}
    plain = draw(st.booleans())  # only the shape read straight from the flat keys
    indices = st.sampled_from(["0", "1", "2", "10"]) if plain else _FLAT_INDEX
    dialects = {
        "llm.input_messages": st.sampled_from(_PLAIN_TAILS) if plain else _FLAT_TAIL,
        "llm.output_messages": st.sampled_from(_PLAIN_TAILS) if plain else _FLAT_TAIL,
        "gen_ai.prompt": st.sampled_from(_OPENLLMETRY_PLAIN) if plain else _OPENLLMETRY_TAIL,
        "gen_ai.completion": st.sampled_from(_OPENLLMETRY_PLAIN) if plain else _OPENLLMETRY_TAIL,
    }
    for prefix in draw(st.lists(st.sampled_from(sorted(dialects)), max_size=2, unique=True)):
        for _ in range(draw(st.integers(0, 8))):
            tail = draw(dialects[prefix]).format(j=draw(indices))
            key = ".".join(p for p in (prefix, draw(indices), tail) if p)
            attributes[key] = draw(st.one_of(TEXT, JSON_TEXT, st.none(), st.integers()))
    for key in ("input.value", "output.value", "gen_ai.input.messages", "traceloop.entity.input"):
        if draw(st.booleans()):
            attributes[key] = draw(JSON_TEXT)
    return attributes


def _same_span(record: dict[str, Any]) -> None:
    fast, plain = MAPPER.map_record(record), PLAIN.map_record(record)
    assert repr(fast) == repr(plain)
    if isinstance(fast, Span) and isinstance(plain, Span):
        assert (fast.has_input, fast.has_output) == (plain.input is not None, plain.output is not None)


@PROPERTY
@given(raw_records())
def test_the_shortcuts_map_any_record_as_the_plain_way_does(record: dict[str, Any]) -> None:
    _same_span(record)


@PROPERTY
@given(flat_messages())
@example({"openinference.span.kind": "LLM", "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": ""})
def test_flattened_messages_and_json_text_map_as_the_plain_way_does(attributes: dict[str, Any]) -> None:
    _same_span({**IDS_OK, "name": "ChatOpenAI", "start_ns": 1, "end_ns": 2, "attributes": attributes})
