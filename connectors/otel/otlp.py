"""OTLP/JSON ``ExportTraceServiceRequest`` into flat raw span records.

The OTel connector's decoder (``reader.py`` feeds it the parsed lines). It runs once per span,
before the mapper, so the package build compiles it with mypyc (``setup.py``).

The spec (proto3 JSON mapping) says lowerCamelCase keys, hex ids, integer enums and int64 as
strings. Real writers also produce snake_case keys, base64 ids and enum names (plain
protobuf-to-JSON dumps), and attributes as JSON strings or structured kvlist/array values: all are
read. One raw record per span:

```python
{"trace_id": "1bfd...", "span_id": "d6b2...", "parent_id": "cfaa..." | None, "name": "chat gpt-4o",
 "otel_kind": 3, "start_ns": 1795609528582294846, "end_ns": ..., "status": {"code": "error", ...},
 "attributes": {"gen_ai.operation.name": "chat", ...}, "resource": {"service.name": ...},
 "scope": {"name": ..., "version": ...}, "events": {"exception": {"exception.type": ...}},
 "event_list": [{"name": "exception", "attributes": {...}}, ...],
 "evaluations": [{"name": ..., "value": ..., "label": ...}], "quality": ["nonstandard_id"]}
```

Every span event is kept: ``event_list`` holds them all in order, and ``events`` holds per name the
attributes of all its events (where two events of one name share a key, the first one's value).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any, Final

import orjson

from traceready.model import Rejection

_STATUS = {0: "unset", 1: "ok", 2: "error"}
_VALUE_KEYS = (
    ("stringValue", "string_value"),
    ("boolValue", "bool_value"),
    ("intValue", "int_value"),
    ("doubleValue", "double_value"),
    ("bytesValue", "bytes_value"),
    ("arrayValue", "array_value"),
    ("kvlistValue", "kvlist_value"),
)


def _parsed_key(name: str) -> str:
    """The string object orjson gives for the object key ``name``.

    Its key cache hands out one object per key, so a look-up with that very object matches on
    identity instead of comparing the characters (-17 M instructions on the replicated benchmark's
    4,000 spans, callgrind). Any equal string finds the same entries (other parsers, a key orjson
    evicted): only the speed differs.
    """
    key = next(iter(orjson.loads(b'{"' + name.encode() + b'":0}')))
    return key if isinstance(key, str) else name


_KEY: Final = _parsed_key("key")
_VALUE: Final = _parsed_key("value")
_STRING_VALUE: Final = _parsed_key("stringValue")
_INT_VALUE: Final = _parsed_key("intValue")
_TRACE_ID: Final = _parsed_key("traceId")
_SPAN_ID: Final = _parsed_key("spanId")
_PARENT_SPAN_ID: Final = _parsed_key("parentSpanId")
_NAME: Final = _parsed_key("name")
_KIND: Final = _parsed_key("kind")
_START: Final = _parsed_key("startTimeUnixNano")
_END: Final = _parsed_key("endTimeUnixNano")
_STATUS_KEY: Final = _parsed_key("status")
_ATTRIBUTES: Final = _parsed_key("attributes")
_EVENTS: Final = _parsed_key("events")


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


_PLAIN_KINDS = frozenset(
    {"stringValue", "string_value", "boolValue", "bool_value", "doubleValue", "double_value"}
    | {"bytesValue", "bytes_value"}
)
"""Value kinds returned as they are (bytes stay base64 text)."""


def decode_value(value: Any) -> Any:
    """An OTLP ``AnyValue`` as a plain Python value (lists and dicts for array/kvlist)."""
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        # The usual case, one value kind: no precedence to settle, so no loop over the kinds.
        kind, raw = next(iter(value.items()))
        if raw is not None and kind in _PLAIN_KINDS:
            return raw
        if raw is not None and (kind == "intValue" or kind == "int_value"):
            return _int_value(raw)
    for camel, snake in _VALUE_KEYS:
        raw = _get(value, camel, snake)
        if raw is None:
            continue
        if camel == "intValue":
            return _int_value(raw)
        if camel == "arrayValue":
            items = raw.get("values") if isinstance(raw, dict) else None
            return [decode_value(item) for item in items or ()]
        if camel == "kvlistValue":
            pairs = raw.get("values") if isinstance(raw, dict) else None
            return decode_attributes(pairs or [])
        return raw
    return None


def _int_value(raw: Any) -> Any:
    """An ``intValue`` (int64, a decimal string in JSON) as an int; kept as it is when it is none."""
    try:
        if isinstance(raw, str):
            # Narrowed to str, mypyc parses it directly instead of calling ``int``.
            return int(raw)
        return int(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf
        return raw


def decode_attributes(attributes: Any) -> dict[str, Any]:
    """OTLP ``KeyValue`` list (or an already plain dict) as a flat dict."""
    return _decode_attributes(attributes)[0]


def _decode_attributes(attributes: Any) -> tuple[dict[str, Any], bool]:
    """The decoded attributes, and True when the list is of the wrong type or holds non-pairs."""
    if attributes is None:
        return {}, False
    if isinstance(attributes, dict):
        return attributes, False
    if not isinstance(attributes, list):
        return {}, True
    decoded: dict[str, Any] = {}
    malformed = False
    for pair in attributes:
        # Narrowed to a dict for the whole body: mypyc then reads it with the C dict API, where a
        # ``get`` on an untyped value is a method call by name.
        if not isinstance(pair, dict):
            malformed = True
            continue
        key = pair.get(_KEY)
        if not isinstance(key, str):
            malformed = True
            continue
        value = pair.get(_VALUE)
        # Most attributes are strings, then integers: read them without a call (decode_value does
        # the rest, the same way; ~2,700 fewer instructions an integer, callgrind).
        if isinstance(value, dict):
            text = value.get(_STRING_VALUE)
            if text is not None:
                decoded[key] = text
                continue
            if len(value) == 1:
                number = value.get(_INT_VALUE)
                if number is not None:
                    decoded[key] = _int_value(number)
                    continue
        decoded[key] = decode_value(value)
    return decoded, malformed


_SEEN_IDS: Final[dict[str, str]] = {}
"""Ids of the spec's form seen lately, each to itself: a trace id comes with every span of its
trace and a span id again as its children's parent id. A look-up costs a fifth of the regular
expression (~400 instructions against ~1,900, callgrind), and a trace's spans share one id string."""
_SEEN_IDS_MAX: Final = 8192


def normalise_id(raw: Any, size: int, quality: list[str]) -> str | None:
    """A lowercase hex id of ``size`` bytes; base64 ids are converted, odd ones noted and kept."""
    if not isinstance(raw, str) or not raw:
        return None
    if len(raw) == size * 2:
        seen = _SEEN_IDS.get(raw)
        if seen is not None:
            return seen
        if _LOWER_HEX.fullmatch(raw):  # the spec's form: no case or space fix-up
            if raw == "0" * len(raw):
                return None  # all zeros: "no id" in the spec
            if len(_SEEN_IDS) >= _SEEN_IDS_MAX:
                _SEEN_IDS.clear()
            _SEEN_IDS[raw] = raw
            return raw
    text = raw.strip().lower()
    if len(text) == size * 2 and _is_hex(text):
        return None if text.strip("0") == "" else text
    if len(raw) in (12, 24) or raw.endswith("="):
        try:
            decoded = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) == size:
            return None if not decoded.strip(b"\0") else decoded.hex()
    if "nonstandard_id" not in quality:
        quality.append("nonstandard_id")
    return raw.strip()


_HEX_DIGITS = frozenset("0123456789abcdef")
_LOWER_HEX = re.compile("[0-9a-f]+")


def _is_hex(text: str) -> bool:
    """Plain hex digits only (``int(text, 16)`` would also take ``0x``, ``_`` and signs)."""
    return bool(text) and set(text) <= _HEX_DIGITS


def _status(raw: Any) -> dict[str, Any]:
    if not raw or not isinstance(raw, dict):
        return {"code": "unset", "message": None}  # also ``{}``, the usual status: no look-ups
    code = raw.get("code", 0)
    if isinstance(code, int):
        code = _STATUS.get(code, "unset")
    elif isinstance(code, str):
        code = code.lower().removeprefix("status_code_")
    return {"code": code, "message": raw.get("message") or None}


def _kind(raw: Any) -> int:
    if isinstance(raw, int):
        return raw
    names = ["unspecified", "internal", "server", "client", "producer", "consumer"]
    if isinstance(raw, str):
        name = raw.lower().removeprefix("span_kind_")
        return names.index(name) if name in names else 0
    return 0


def span_record(
    span: Any, resource: dict[str, Any], scope: dict[str, Any], quality: tuple[str, ...]
) -> dict[str, Any] | Rejection:
    """One OTLP span as a raw record, or a Rejection when it has no usable ids."""
    if not isinstance(span, dict):
        return Rejection(reason="span_not_an_object", detail=type(span).__name__)
    notes = list(quality)
    # The spec's camelCase spelling read first and directly (the snake_case one only when it is
    # missing): as ``_get`` does, without the call.
    raw = span.get(_TRACE_ID)
    trace_id = normalise_id(span.get("trace_id") if raw is None else raw, 16, notes)
    raw = span.get(_SPAN_ID)
    span_id = normalise_id(span.get("span_id") if raw is None else raw, 8, notes)
    if trace_id is None or span_id is None:
        missing = "traceId" if trace_id is None else "spanId"
        return Rejection(reason="missing_id", detail=missing, raw_id=span_id)
    attributes, malformed = _decode_attributes(span.get(_ATTRIBUTES))
    if malformed:
        notes.append("malformed_attributes")
    events: dict[str, dict[str, Any]] = {}
    event_list: list[dict[str, Any]] = []
    evaluations = []
    raw_events = span.get(_EVENTS)
    for event in raw_events if isinstance(raw_events, list) else ():
        if not isinstance(event, dict) or not isinstance(event.get("name"), str):
            continue
        name = event["name"]
        attrs = decode_attributes(event.get("attributes"))
        event_list.append({"name": name, "attributes": attrs})
        if name == "gen_ai.evaluation.result":
            evaluations.append(
                {
                    "name": attrs.get("gen_ai.evaluation.name"),
                    "value": attrs.get("gen_ai.evaluation.score.value"),
                    "label": attrs.get("gen_ai.evaluation.score.label"),
                    "source": "gen_ai.evaluation.result",
                }
            )
        kept = events.get(name)
        # Several events of one name (the GenAI operation-details event, once for the system
        # instructions, once for the input, once for the output) all count: the first wins a key.
        events[name] = attrs if kept is None else {**attrs, **kept}
    parent = span.get(_PARENT_SPAN_ID)
    if parent is None:
        parent = span.get("parent_span_id")
    start = span.get(_START)
    end = span.get(_END)
    return {
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_id": normalise_id(parent, 8, notes),
        "name": span.get(_NAME),
        "otel_kind": _kind(span.get(_KIND)),
        "start_ns": span.get("start_time_unix_nano") if start is None else start,
        "end_ns": span.get("end_time_unix_nano") if end is None else end,
        "status": _status(span.get(_STATUS_KEY)),
        "attributes": attributes,
        "resource": resource,
        "scope": scope,
        "events": events,
        "event_list": event_list,
        "evaluations": evaluations,
        "quality": notes,
    }


def iter_request(request: Any, quality: tuple[str, ...] = ()) -> Iterator[dict[str, Any] | Rejection]:
    """Raw span records of one ``ExportTraceServiceRequest`` (or ``TracesData``) object."""
    if not isinstance(request, dict):
        yield Rejection(reason="not_an_export_request", detail=type(request).__name__)
        return
    resource_spans = _get(request, "resourceSpans", "resource_spans")
    if not isinstance(resource_spans, list):
        yield Rejection(reason="not_an_export_request", detail="no resourceSpans")
        return
    for block in resource_spans:
        if not isinstance(block, dict):
            yield Rejection(reason="not_an_export_request", detail="resourceSpans item")
            continue
        raw_resource = block.get("resource")
        resource = decode_attributes(raw_resource.get("attributes")) if isinstance(raw_resource, dict) else {}
        scope_blocks = (
            _get(block, "scopeSpans", "scope_spans")
            or _get(block, "instrumentationLibrarySpans", "instrumentation_library_spans")
            or []
        )
        if not isinstance(scope_blocks, list):
            yield Rejection(reason="not_an_export_request", detail="scopeSpans not a list")
            continue
        for scope_block in scope_blocks:
            if not isinstance(scope_block, dict):
                yield Rejection(reason="not_an_export_request", detail="scopeSpans item")
                continue
            raw_scope = (
                scope_block.get("scope")
                or _get(scope_block, "instrumentationLibrary", "instrumentation_library")
                or {}
            )
            scope = (
                {"name": raw_scope.get("name"), "version": raw_scope.get("version")}
                if isinstance(raw_scope, dict)
                else {}
            )
            spans = scope_block.get("spans")
            if spans is None:
                continue
            if not isinstance(spans, list):
                yield Rejection(reason="not_an_export_request", detail="spans not a list")
                continue
            for span in spans:
                yield span_record(span, resource, scope, quality)
