"""Reading OTLP/JSON files: every odd input is read, or counted and reported; nothing is lost silently."""

from __future__ import annotations

import base64
import gzip
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import zstandard

from tests.conftest import SAMPLES
from traceready.connectors.otel import OtelConnector, otlp, reader
from traceready.connectors.otel.otlp import iter_request
from traceready.connectors.otel.reader import expand_paths, iter_file
from traceready.errors import NotFoundError
from traceready.mapping.mapper import Mapper
from traceready.model import Rejection, Span, StatusCode

TRACE_ID = "1bfdfc42db9303102f0d573eaf202109"
SPAN_ID = "d6b2f1c0c41a274c"
PARENT_ID = "cfaac3dda0143e08"
GENAI = SAMPLES / "otel_genai.otlp.jsonl"


def otlp_span(**fields: Any) -> dict[str, Any]:
    """A minimal valid OTLP/JSON span as the spec writes it; ``fields`` override or add keys."""
    span: dict[str, Any] = {
        "traceId": TRACE_ID,
        "spanId": SPAN_ID,
        "parentSpanId": PARENT_ID,
        "name": "chat gpt-4o-mini",
        "kind": 3,
        "startTimeUnixNano": "1795609528582294846",
        "endTimeUnixNano": "1795609528582363047",
        "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}],
        "status": {},
    }
    span.update(fields)
    return span


def request(*spans: Any) -> dict[str, Any]:
    """An ExportTraceServiceRequest holding ``spans`` under one resource and scope."""
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "demo-agent"}}]},
                "scopeSpans": [{"scope": {"name": "demo", "version": "0.1.0"}, "spans": list(spans)}],
            }
        ]
    }


def line(*spans: Any) -> bytes:
    return json.dumps(request(*spans), separators=(",", ":")).encode() + b"\n"


def read(path: Path) -> tuple[list[dict[str, Any]], list[Rejection]]:
    records: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
    for item in iter_file(path):
        (rejections if isinstance(item, Rejection) else records).append(item)
    return records, rejections


def only(items: list[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]


def span_ids(path: Path) -> list[str]:
    return [r["span_id"] for r in iter_file(path) if not isinstance(r, Rejection)]


# --- the real sample, as a baseline -------------------------------------------------------------


def test_each_line_of_a_real_file_yields_its_spans_with_resource_and_scope() -> None:
    records, rejections = read(GENAI)
    assert rejections == []
    assert len(records) == 21
    assert len({r["trace_id"] for r in records}) == 6
    first = records[0]
    assert first["span_id"] == "bf95ca5c8cdfabf9"
    assert first["trace_id"] == "1064eb06d76e30b1eca51a48b98c64fe"
    assert first["parent_id"] == "e24c2a07f3c9851b"
    assert first["otel_kind"] == 3
    assert first["attributes"]["gen_ai.request.model"] == "gpt-4o-mini"
    assert first["attributes"]["gen_ai.usage.input_tokens"] == 328
    assert first["resource"]["service.name"] == "travel-agent"
    assert first["scope"] == {"name": "opentelemetry.util.genai.handler", "version": "0.4b0"}
    assert first["quality"] == []


# --- damaged lines ------------------------------------------------------------------------------


def test_truncated_last_line_is_rejected_and_earlier_lines_kept(tmp_path: Path) -> None:
    lines = GENAI.read_bytes().splitlines(keepends=True)
    path = tmp_path / "traces.jsonl"
    path.write_bytes(b"".join(lines) + lines[0][: len(lines[0]) // 2])

    records, rejections = read(path)

    assert len(records) == 21
    assert only(rejections) == Rejection(reason="invalid_json", detail="traces.jsonl:7")


def test_invalid_json_line_in_the_middle_is_rejected_and_later_lines_read(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_bytes(
        line(otlp_span(spanId="00000000000000a1"))
        + b'{"resourceSpans": [}\n'
        + line(otlp_span(spanId="00000000000000a3"))
    )

    records, rejections = read(path)

    assert [r["span_id"] for r in records] == ["00000000000000a1", "00000000000000a3"]
    assert only(rejections) == Rejection(reason="invalid_json", detail="traces.jsonl:2")


def test_damaged_first_line_does_not_hide_the_lines_after_it(tmp_path: Path) -> None:
    lines = GENAI.read_bytes().splitlines(keepends=True)
    path = tmp_path / "traces.jsonl"
    path.write_bytes(lines[0][:100] + b"\n" + b"".join(lines[1:]))

    records, rejections = read(path)

    assert len(records) == 21 - 4  # the first line held the four spans of the first trace
    assert only(rejections) == Rejection(reason="invalid_json", detail="traces.jsonl:1")


def test_two_damaged_lines_at_the_start_are_each_rejected(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_bytes(b'{"resourceSpans": [\n{"broken\n' + line(otlp_span()))

    records, rejections = read(path)

    assert [r["span_id"] for r in records] == [SPAN_ID]
    assert [r.detail for r in rejections] == ["traces.jsonl:1", "traces.jsonl:2"]


def test_line_numbers_in_rejections_count_leading_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_bytes(b"\n\n" + line(otlp_span()) + b"not json\n")

    records, rejections = read(path)

    assert len(records) == 1
    assert only(rejections).detail == "traces.jsonl:4"


# --- wrong types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "reason", "detail"),
    [
        pytest.param(request("not a span"), "span_not_an_object", "str", id="span_is_a_string"),
        pytest.param(request(None), "span_not_an_object", "NoneType", id="span_is_null"),
        pytest.param(
            {"resourceSpans": {"scopeSpans": []}},
            "not_an_export_request",
            "no resourceSpans",
            id="resource_spans_not_a_list",
        ),
        pytest.param(
            {"resourceSpans": ["x"]},
            "not_an_export_request",
            "resourceSpans item",
            id="resource_spans_item_not_an_object",
        ),
        pytest.param(
            {"resourceSpans": [{"scopeSpans": "x"}]},
            "not_an_export_request",
            "scopeSpans not a list",
            id="scope_spans_not_a_list",
        ),
        pytest.param(
            {"resourceSpans": [{"scopeSpans": [7]}]},
            "not_an_export_request",
            "scopeSpans item",
            id="scope_spans_item_not_an_object",
        ),
        pytest.param(
            {"resourceSpans": [{"scopeSpans": [{"spans": {"a": 1}}]}]},
            "not_an_export_request",
            "spans not a list",
            id="spans_not_a_list",
        ),
        pytest.param(
            {"traces": []}, "not_an_export_request", "no resourceSpans", id="object_without_resource_spans"
        ),
        pytest.param(42, "not_an_export_request", "int", id="line_is_a_number"),
    ],
)
def test_wrong_types_are_rejected_with_a_reason(document: Any, reason: str, detail: str) -> None:
    assert list(iter_request(document)) == [Rejection(reason=reason, detail=detail)]


def test_a_bad_span_does_not_take_its_neighbours_with_it() -> None:
    items = list(
        iter_request(request(otlp_span(spanId="00000000000000a1"), [], otlp_span(spanId="00000000000000a3")))
    )
    assert [i.reason if isinstance(i, Rejection) else i["span_id"] for i in items] == [
        "00000000000000a1",
        "span_not_an_object",
        "00000000000000a3",
    ]


@pytest.mark.parametrize(
    "attributes",
    [
        pytest.param("gen_ai.operation.name=chat", id="string"),
        pytest.param(17, id="number"),
        pytest.param([{"value": {"stringValue": "no key"}}], id="entry_without_key"),
        pytest.param(["gen_ai.operation.name"], id="entry_not_an_object"),
    ],
)
def test_malformed_attributes_keep_the_span_with_a_quality_note(attributes: Any, otel_mapper: Mapper) -> None:
    record = only(list(iter_request(request(otlp_span(attributes=attributes)))))

    span = otel_mapper.map_record(record)

    assert isinstance(span, Span)
    assert span.span_id == SPAN_ID
    assert span.quality == ("malformed_attributes",)


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan"), "1e999"])
def test_an_int_value_that_is_no_integer_is_kept_as_it_is(number: Any, otel_mapper: Mapper) -> None:
    # Found by the property tests: int(inf) raises OverflowError, which was not caught.
    attributes = [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": number}}]
    record = only(list(iter_request(request(otlp_span(attributes=attributes)))))
    assert isinstance(record, dict)
    assert record["attributes"]["gen_ai.usage.input_tokens"] is number
    assert isinstance(otel_mapper.map_record(record), Span)


def test_events_of_the_wrong_type_are_ignored_not_fatal() -> None:
    record = only(list(iter_request(request(otlp_span(events=5)))))
    assert record["events"] == {}


# --- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "trace_id", "span_id", "parent_id", "quality"),
    [
        pytest.param({}, TRACE_ID, SPAN_ID, PARENT_ID, [], id="hex_ids"),
        pytest.param(
            {"traceId": TRACE_ID.upper(), "spanId": SPAN_ID.upper()},
            TRACE_ID,
            SPAN_ID,
            PARENT_ID,
            [],
            id="uppercase_hex_is_lowercased",
        ),
        pytest.param(
            {
                "traceId": base64.b64encode(bytes.fromhex(TRACE_ID)).decode(),
                "spanId": base64.b64encode(bytes.fromhex(SPAN_ID)).decode(),
                "parentSpanId": base64.b64encode(bytes.fromhex(PARENT_ID)).decode(),
            },
            TRACE_ID,
            SPAN_ID,
            PARENT_ID,
            [],
            id="base64_ids_are_converted_to_hex",
        ),
        pytest.param(
            {"spanId": "abc123"},
            TRACE_ID,
            "abc123",
            PARENT_ID,
            ["nonstandard_id"],
            id="short_span_id_is_kept_and_noted",
        ),
        pytest.param(
            {"traceId": TRACE_ID + "ff"},
            TRACE_ID + "ff",
            SPAN_ID,
            PARENT_ID,
            ["nonstandard_id"],
            id="long_trace_id_is_kept_and_noted",
        ),
        pytest.param(
            {"traceId": "trace-1", "spanId": "span-1"},
            "trace-1",
            "span-1",
            PARENT_ID,
            ["nonstandard_id"],
            id="two_odd_ids_give_one_note",
        ),
        pytest.param(
            {"spanId": "0x" + SPAN_ID[2:]},
            TRACE_ID,
            "0x" + SPAN_ID[2:],
            PARENT_ID,
            ["nonstandard_id"],
            id="0x_prefix_is_not_hex",
        ),
        pytest.param({"parentSpanId": ""}, TRACE_ID, SPAN_ID, None, [], id="empty_parent_is_a_root"),
        pytest.param({"parentSpanId": "0" * 16}, TRACE_ID, SPAN_ID, None, [], id="all_zero_parent_is_a_root"),
    ],
)
def test_ids_are_normalised_or_noted(
    fields: dict[str, Any], trace_id: str, span_id: str, parent_id: str | None, quality: list[str]
) -> None:
    record = only(list(iter_request(request(otlp_span(**fields)))))
    assert (record["trace_id"], record["span_id"], record["parent_id"], record["quality"]) == (
        trace_id, span_id, parent_id, quality,
    )  # fmt: skip


def test_an_id_seen_before_is_normalised_by_its_own_size() -> None:
    """Ids are remembered once seen (a trace id comes with every span): a span id read before is
    still no trace id, and the same ids read again give the same records."""
    first = only(list(iter_request(request(otlp_span()))))
    odd = only(list(iter_request(request(otlp_span(traceId=SPAN_ID, parentSpanId=TRACE_ID)))))
    again = only(list(iter_request(request(otlp_span()))))
    assert (odd["trace_id"], odd["span_id"], odd["parent_id"]) == (SPAN_ID, SPAN_ID, TRACE_ID)
    assert odd["quality"] == ["nonstandard_id"]
    assert first == again


def test_remembered_ids_are_bounded() -> None:
    for number in range(otlp._SEEN_IDS_MAX + 10):
        assert otlp.normalise_id(f"{number + 1:032x}", 16, []) == f"{number + 1:032x}"
    assert len(otlp._SEEN_IDS) <= otlp._SEEN_IDS_MAX


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        pytest.param({"traceId": None}, "traceId", id="no_trace_id"),
        pytest.param({"spanId": ""}, "spanId", id="empty_span_id"),
        pytest.param({"traceId": "0" * 32}, "traceId", id="all_zero_trace_id"),
        pytest.param({"spanId": 12345}, "spanId", id="span_id_not_a_string"),
    ],
)
def test_missing_ids_are_rejected(fields: dict[str, Any], detail: str) -> None:
    rejection = only(list(iter_request(request(otlp_span(**fields)))))
    assert isinstance(rejection, Rejection)
    assert (rejection.reason, rejection.detail) == ("missing_id", detail)


# --- protobuf-to-JSON dumps and snake_case ------------------------------------------------------


def test_plain_protobuf_json_dump_is_read_like_spec_json(tmp_path: Path, otel_mapper: Mapper) -> None:
    # What google.protobuf.json_format.MessageToJson(ExportTraceServiceRequest) writes:
    # base64 ids, enum names, int64 as strings (vendors/otel.md §1.3).
    dump = request(
        {
            "traceId": base64.b64encode(bytes.fromhex(TRACE_ID)).decode(),
            "spanId": base64.b64encode(bytes.fromhex(SPAN_ID)).decode(),
            "parentSpanId": base64.b64encode(bytes.fromhex(PARENT_ID)).decode(),
            "name": "execute_tool get_weather",
            "kind": "SPAN_KIND_CLIENT",
            "startTimeUnixNano": "1795609528582294846",
            "endTimeUnixNano": "1795609528582363047",
            "attributes": [
                {"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}},
                {"key": "gen_ai.tool.name", "value": {"stringValue": "get_weather"}},
            ],
            "status": {"code": "STATUS_CODE_ERROR", "message": "upstream timeout"},
        }
    )
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump, indent=2))

    record = only(read(path)[0])
    span = otel_mapper.map_record(record)

    assert (record["trace_id"], record["span_id"], record["parent_id"]) == (TRACE_ID, SPAN_ID, PARENT_ID)
    assert record["otel_kind"] == 3
    assert record["status"] == {"code": "error", "message": "upstream timeout"}
    assert isinstance(span, Span)
    assert span.status is StatusCode.ERROR
    assert span.error is not None and span.error.message == "upstream timeout"
    assert span.start_ns == 1795609528582294846
    assert span.quality == ()


@pytest.mark.parametrize(
    ("kind", "number"),
    [
        pytest.param("SPAN_KIND_INTERNAL", 1, id="internal"),
        pytest.param("SPAN_KIND_SERVER", 2, id="server"),
        pytest.param("SPAN_KIND_CLIENT", 3, id="client"),
        pytest.param("SPAN_KIND_CONSUMER", 5, id="consumer"),
        pytest.param(4, 4, id="integer_stays"),
    ],
)
def test_span_kind_names_are_read_as_their_numbers(kind: Any, number: int) -> None:
    assert only(list(iter_request(request(otlp_span(kind=kind)))))["otel_kind"] == number


@pytest.mark.parametrize(
    ("status", "code"),
    [
        pytest.param({"code": "STATUS_CODE_ERROR"}, "error", id="error_name"),
        pytest.param({"code": "STATUS_CODE_OK"}, "ok", id="ok_name"),
        pytest.param({"code": 2}, "error", id="error_number"),
        pytest.param({"code": 1}, "ok", id="ok_number"),
        pytest.param({}, "unset", id="default_omitted"),
    ],
)
def test_status_codes_are_read_from_names_and_numbers(status: dict[str, Any], code: str) -> None:
    assert only(list(iter_request(request(otlp_span(status=status)))))["status"]["code"] == code


def test_snake_case_keys_read_the_same_as_camel_case() -> None:
    camel = request(
        otlp_span(
            attributes=[
                {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}},
                {
                    "key": "gen_ai.tool.call.arguments",
                    "value": {
                        "kvlistValue": {"values": [{"key": "city", "value": {"stringValue": "Paris"}}]}
                    },
                },
            ]
        )
    )
    snake = {
        "resource_spans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"string_value": "demo-agent"}}]
                },
                "scope_spans": [
                    {
                        "scope": {"name": "demo", "version": "0.1.0"},
                        "spans": [
                            {
                                "trace_id": TRACE_ID,
                                "span_id": SPAN_ID,
                                "parent_span_id": PARENT_ID,
                                "name": "chat gpt-4o-mini",
                                "kind": 3,
                                "start_time_unix_nano": "1795609528582294846",
                                "end_time_unix_nano": "1795609528582363047",
                                "attributes": [
                                    {"key": "gen_ai.request.model", "value": {"string_value": "gpt-4o-mini"}},
                                    {"key": "gen_ai.usage.input_tokens", "value": {"int_value": "42"}},
                                    {
                                        "key": "gen_ai.tool.call.arguments",
                                        "value": {
                                            "kvlist_value": {
                                                "values": [
                                                    {"key": "city", "value": {"string_value": "Paris"}}
                                                ]
                                            }
                                        },
                                    },
                                ],
                                "status": {},
                            }
                        ],
                    }
                ],
            }
        ]
    }
    from_snake = only(list(iter_request(snake)))
    assert from_snake == only(list(iter_request(camel)))
    assert from_snake["attributes"] == {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 42,
        "gen_ai.tool.call.arguments": {"city": "Paris"},
    }


def test_a_request_parsed_by_orjson_or_json_gives_the_same_records() -> None:
    # The decoder looks keys up with orjson's own key strings (a speed-up); any equal string works.
    import orjson

    attributes = [
        {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}},
        {"key": "gen_ai.request.stream", "value": {"boolValue": True}},
    ]
    text = json.dumps(request(otlp_span(attributes=attributes, status={})))
    from_orjson = only(list(iter_request(orjson.loads(text))))
    assert from_orjson == only(list(iter_request(json.loads(text))))
    assert from_orjson["attributes"]["gen_ai.usage.input_tokens"] == 42
    assert from_orjson["status"] == {"code": "unset", "message": None}
    assert (from_orjson["trace_id"], from_orjson["parent_id"]) == (TRACE_ID, PARENT_ID)


def test_old_instrumentation_library_spans_are_read() -> None:
    old = {
        "resourceSpans": [
            {
                "instrumentationLibrarySpans": [
                    {"instrumentationLibrary": {"name": "old-lib", "version": "0.9"}, "spans": [otlp_span()]}
                ]
            }
        ]
    }
    record = only(list(iter_request(old)))
    assert (record["span_id"], record["scope"]) == (SPAN_ID, {"name": "old-lib", "version": "0.9"})


# --- attribute value shapes ---------------------------------------------------------------------


def _tool_and_chat_spans(
    arguments: dict[str, Any], messages: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    return otlp_span(
        attributes=[
            {"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}},
            {"key": "gen_ai.tool.name", "value": {"stringValue": "get_weather"}},
            {"key": "gen_ai.tool.call.arguments", "value": arguments},
        ]
    ), otlp_span(
        spanId="00000000000000b2",
        attributes=[
            {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
            {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
            {"key": "gen_ai.input.messages", "value": messages},
        ],
    )


KVLIST_ARGUMENTS = {
    "kvlistValue": {
        "values": [
            {"key": "city", "value": {"stringValue": "Paris"}},
            {"key": "days", "value": {"intValue": "3"}},
            {"key": "metric", "value": {"boolValue": True}},
            {
                "key": "tags",
                "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"doubleValue": 1.5}]}},
            },
        ]
    }
}
ARRAY_MESSAGES = {
    "arrayValue": {
        "values": [
            {
                "kvlistValue": {
                    "values": [
                        {"key": "role", "value": {"stringValue": "user"}},
                        {
                            "key": "parts",
                            "value": {
                                "arrayValue": {
                                    "values": [
                                        {
                                            "kvlistValue": {
                                                "values": [
                                                    {"key": "type", "value": {"stringValue": "text"}},
                                                    {
                                                        "key": "content",
                                                        "value": {"stringValue": "Weather in Paris?"},
                                                    },
                                                ]
                                            }
                                        }
                                    ]
                                }
                            },
                        },
                    ]
                }
            }
        ]
    }
}
ARGUMENTS = {"city": "Paris", "days": 3, "metric": True, "tags": ["a", 1.5]}
MESSAGES_JSON = json.dumps([{"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]}])


@pytest.mark.parametrize(
    ("arguments", "messages"),
    [
        pytest.param(
            {"stringValue": json.dumps(ARGUMENTS)}, {"stringValue": MESSAGES_JSON}, id="json_strings"
        ),
        pytest.param(KVLIST_ARGUMENTS, ARRAY_MESSAGES, id="kvlist_and_array_values"),
        pytest.param(
            {"stringValue": json.dumps(json.dumps(ARGUMENTS))},
            {"stringValue": json.dumps(MESSAGES_JSON)},
            id="double_encoded_json_strings",
        ),
    ],
)
def test_structured_attributes_map_the_same_as_json_strings(
    arguments: dict[str, Any], messages: dict[str, Any], otel_mapper: Mapper
) -> None:
    tool, llm = (
        otel_mapper.map_record(r) for r in iter_request(request(*_tool_and_chat_spans(arguments, messages)))
    )

    assert isinstance(tool, Span) and tool.tool is not None
    assert tool.tool.arguments == ARGUMENTS
    assert isinstance(llm, Span) and llm.llm is not None and llm.llm.input_messages is not None
    assert [(m.role, m.content) for m in llm.llm.input_messages] == [("user", "Weather in Paris?")]


def test_bytes_values_stay_base64_text() -> None:
    value = {"bytesValue": base64.b64encode(b"\x00\x01raw").decode()}
    record = only(list(iter_request(request(otlp_span(attributes=[{"key": "blob", "value": value}])))))
    assert record["attributes"]["blob"] == "AAFyYXc="


TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        pytest.param("input.value", "x" * TEN_MB, "input", id="text_in_input_value"),
        pytest.param("output.value", "y" * TEN_MB, "output", id="text_in_output_value"),
        pytest.param(
            "output.value", json.dumps({"text": "z" * TEN_MB}), "output", id="json_object_in_output_value"
        ),
    ],
)
def test_ten_megabyte_value_is_cut_to_a_prefix_mapped_and_noted(
    tmp_path: Path, key: str, value: str, field: str, otel_mapper: Mapper
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(line(otlp_span(attributes=[{"key": key, "value": {"stringValue": value}}])))

    span = otel_mapper.map_record(only(read(path)[0]))

    assert isinstance(span, Span)
    assert getattr(span, field), "the value is still there for the checks"
    assert len(json.dumps(getattr(span, field))) < 4096, "but only a prefix and its size are held"
    assert f"cut by traceready: {TEN_MB} characters" in json.dumps(getattr(span, field))
    assert "oversized_value" in span.quality


def test_non_utf8_bytes_in_a_line_are_replaced_and_noted(tmp_path: Path, otel_mapper: Mapper) -> None:
    bad = line(
        otlp_span(
            spanId="00000000000000a1", attributes=[{"key": "input.value", "value": {"stringValue": "caf@"}}]
        )
    ).replace(b"caf@", b"caf\xe9")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(bad + line(otlp_span(spanId="00000000000000a2")))

    first, second = (otel_mapper.map_record(r) for r in read(path)[0])

    assert isinstance(first, Span) and isinstance(second, Span)
    assert first.input == "caf\ufffd"
    assert first.quality == ("invalid_utf8",)
    assert second.quality == ()


# --- containers: compression, documents, BOM, empty, folders ------------------------------------


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [
        pytest.param(".gz", gzip.compress, id="gzip"),
        pytest.param(".zst", lambda data: zstandard.ZstdCompressor().compress(data), id="zstd"),
    ],
)
def test_compressed_files_read_like_the_plain_file(tmp_path: Path, suffix: str, compress: Any) -> None:
    path = tmp_path / f"traces.jsonl{suffix}"
    path.write_bytes(compress(GENAI.read_bytes()))
    assert list(iter_file(path)) == list(iter_file(GENAI))


def test_gzip_file_cut_short_keeps_what_was_read_and_counts_the_loss(tmp_path: Path) -> None:
    data = b"".join(line(otlp_span(spanId=f"{i:016x}")) for i in range(1, 20001))
    packed = gzip.compress(data)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])

    records, rejections = read(path)

    assert 0 < len(records) < 20000
    assert [r["span_id"] for r in records] == [f"{i:016x}" for i in range(1, len(records) + 1)]
    assert only(rejections).reason == "truncated_file"


def test_pretty_printed_single_document_is_read(tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    path.write_text(
        json.dumps(
            request(otlp_span(spanId="00000000000000a1"), otlp_span(spanId="00000000000000a2")), indent=2
        )
    )
    assert span_ids(path) == ["00000000000000a1", "00000000000000a2"]


def test_pretty_printed_document_with_a_one_line_resource_block_is_one_document(tmp_path: Path) -> None:
    block = json.dumps(request(otlp_span())["resourceSpans"][0])
    path = tmp_path / "trace.json"
    path.write_text('{"resourceSpans": [\n' + block + "\n]}\n")
    assert span_ids(path) == [SPAN_ID]


def test_truncated_pretty_printed_document_is_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(request(otlp_span()), indent=2)[:-40])

    records, rejections = read(path)

    assert records == []
    assert only(rejections) == Rejection(
        reason="invalid_json", detail="trace.json: not JSON Lines nor one document"
    )


@pytest.mark.parametrize("indent", [pytest.param(None, id="one_line"), pytest.param(2, id="pretty")])
def test_json_array_of_requests_is_read(tmp_path: Path, indent: int | None) -> None:
    path = tmp_path / "requests.json"
    path.write_text(
        json.dumps(
            [request(otlp_span(spanId="00000000000000a1")), request(otlp_span(spanId="00000000000000a2"))],
            indent=indent,
        )
    )
    assert span_ids(path) == ["00000000000000a1", "00000000000000a2"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(line(otlp_span()) + line(otlp_span(spanId="00000000000000a2")), id="json_lines"),
        pytest.param(json.dumps(request(otlp_span()), indent=2).encode(), id="pretty_document"),
    ],
)
def test_utf8_bom_is_skipped(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + body)
    records, rejections = read(path)
    assert rejections == []
    assert records[0]["span_id"] == SPAN_ID


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\n\n  \n", id="blank_lines"),
        pytest.param(b"\xef\xbb\xbf", id="bom_only"),
    ],
)
def test_empty_file_yields_nothing(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    assert list(iter_file(path)) == []


def test_blank_lines_before_the_first_request_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_bytes(b"\n\n\n" + line(otlp_span()))
    assert span_ids(path) == [SPAN_ID]


@pytest.mark.parametrize(
    ("content", "first_byte"),
    [
        pytest.param(b"hello, these are not traces\nat all\n", "b'h'", id="text"),
        pytest.param(b"\x00\x00\x01\x2a\x0a\x24resource", "b'\\x00'", id="length_prefixed_protobuf"),
        pytest.param(gzip.compress(b"name,trace_id\nchat,1\n"), "b'n'", id="gzipped_csv"),
    ],
)
def test_file_that_is_not_json_is_one_rejection_saying_what_it_looks_like(
    tmp_path: Path, content: bytes, first_byte: str
) -> None:
    path = tmp_path / "notes.json"
    path.write_bytes(content)

    records, rejections = read(path)

    assert records == []
    rejection = only(rejections)
    assert rejection.reason == "not_otlp_json"
    assert "\n" not in rejection.detail
    assert rejection.detail.startswith(f"{path}: ")
    assert f"(first byte {first_byte})" in rejection.detail


def test_folder_input_expands_to_its_trace_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_bytes(line(otlp_span(spanId="00000000000000b1")))
    (tmp_path / "a.json").write_bytes(line(otlp_span(spanId="00000000000000a1")))
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "c.ndjson.gz").write_bytes(
        gzip.compress(line(otlp_span(spanId="00000000000000c1")))
    )
    (tmp_path / "d.jsonl.zst").write_bytes(
        zstandard.ZstdCompressor().compress(line(otlp_span(spanId="00000000000000d1")))
    )
    (tmp_path / "README.md").write_text("not traces")
    (tmp_path / "config.yaml").write_text("a: 1")

    files, unreadable = expand_paths([tmp_path])
    assert unreadable == []
    connector = OtelConnector([tmp_path])

    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "a.json", "b.jsonl", "d.jsonl.zst", "nested/c.ndjson.gz",
    ]  # fmt: skip
    assert [r["span_id"] for r in connector.iter_records() if not isinstance(r, Rejection)] == [
        "00000000000000a1", "00000000000000b1", "00000000000000d1", "00000000000000c1",
    ]  # fmt: skip


def test_folder_without_trace_files_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing here")
    with pytest.raises(NotFoundError, match="no trace files"):
        expand_paths([tmp_path])


def test_missing_input_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="input not found"):
        expand_paths([tmp_path / "nope.jsonl"])


def test_connector_counts_every_record_across_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(line(otlp_span()) + b"{oops\n" + line("x"))
    connector = OtelConnector([GENAI, bad])

    kinds = Counter(r.reason if isinstance(r, Rejection) else "record" for r in connector.iter_records())

    assert kinds == {"record": 22, "invalid_json": 1, "span_not_an_object": 1}


# --- streaming ----------------------------------------------------------------------------------


class _CountingStream(io.RawIOBase):
    """A file whose bytes handed to the reader are counted."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._file.readinto(buffer)
        self.consumed += count or 0
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


def test_reading_the_first_record_does_not_read_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.jsonl"
    one = line(otlp_span())
    path.write_bytes(one * (8 * 1024 * 1024 // len(one)))
    opened: list[_CountingStream] = []

    def counting_open(p: Path) -> io.BufferedReader:
        raw = _CountingStream(p)
        opened.append(raw)
        return io.BufferedReader(raw)

    monkeypatch.setattr(reader, "open_trace_file", counting_open)

    records = iter_file(path)
    first = next(records)
    consumed = opened[0].consumed
    records.close()

    assert isinstance(first, dict) and first["span_id"] == SPAN_ID
    assert consumed <= reader.CHUNK_BYTES < path.stat().st_size
