"""What a file holds, in words, when it is not OTLP/JSON: the message a user can act on.

Read from the first JSON value (or the first bytes) the reader already has, so naming a stray export
costs no extra read: ``looks like a LangSmith runs export (JSON array of runs with run_type)``.
"""

from __future__ import annotations

from typing import Any

OTLP = "OTLP/JSON"

_VENDOR_SHAPES: tuple[tuple[str, frozenset[str]], ...] = (
    ("a LangSmith runs export", frozenset({"run_type", "trace_id"})),
    ("a LangSmith runs export", frozenset({"run_type", "inputs"})),
    ("a Braintrust logs export", frozenset({"span_id", "root_span_id"})),
    ("a Braintrust logs export", frozenset({"span_attributes", "span_id"})),
    ("a Phoenix spans export", frozenset({"context", "span_kind"})),
    ("a Phoenix spans export", frozenset({"context.span_id", "span_kind"})),
)
"""Keys that together mark one vendor's row (LangSmith ``Run``, Braintrust ``ProjectLogsEvent``,
Phoenix ``get_spans_dataframe``/span JSON), checked in order."""

_SAMPLE_KEYS = 5


def describe_json(value: Any) -> str:
    """What a parsed JSON value is: OTLP/JSON, a vendor export, or its shape."""
    if isinstance(value, dict) and ("resourceSpans" in value or "resource_spans" in value):
        return OTLP
    if isinstance(value, list):
        rows = [item for item in value[:20] if isinstance(item, dict)]
        if rows and all("resourceSpans" in row or "resource_spans" in row for row in rows):
            return OTLP
        for vendor, keys in _VENDOR_SHAPES:
            if rows and keys <= rows[0].keys():
                return f"{vendor} (JSON array of rows with {', '.join(sorted(keys))})"
        if not value:
            return "an empty JSON array"
        kinds = sorted({type(item).__name__ for item in value[:20]})
        return f"a JSON array of {len(value)} {'/'.join(kinds)} values, not OTLP requests"
    if isinstance(value, dict):
        for key in ("runs", "spans", "events", "data", "rows"):
            inner = value.get(key)
            if isinstance(inner, list) and inner:
                described = describe_json(inner)
                if described != OTLP and not described.startswith("a JSON array"):
                    return f"{described.split(' (')[0]} (rows under {key!r})"
        for vendor, keys in _VENDOR_SHAPES:
            if keys <= value.keys():
                return f"{vendor} (JSON Lines of rows with {', '.join(sorted(keys))})"
        shown = ", ".join(sorted(value)[:_SAMPLE_KEYS])
        more = "…" if len(value) > _SAMPLE_KEYS else ""
        return f"a JSON object with keys {shown}{more}, not an ExportTraceServiceRequest (no resourceSpans)"
    return f"a JSON {type(value).__name__}, not an ExportTraceServiceRequest"


def describe_bytes(head: bytes) -> str:
    """What a file is from its first bytes, when they cannot start JSON."""
    if head[:4] == b"PK\x03\x04":
        return "a ZIP archive, not OTLP/JSON (unzip it first)"
    if head[:1] in (b"\x0a", b"\x00") or (head and head[0] < 0x09):
        return f"binary data, not OTLP/JSON (first byte {head[:1]!r}); if protobuf, export with format: json"
    if b"," in head[:200] and b"{" not in head[:200]:
        return f"CSV or plain text, not OTLP/JSON (first byte {head[:1]!r})"
    return f"text, not OTLP/JSON (first byte {head[:1]!r})"
