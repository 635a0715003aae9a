"""What a file holds, in words, when it is not OTLP/JSON: the message a user can act on.

Read from the first JSON value (or the first bytes) the reader already has, so naming a stray export
costs no extra read: ``looks like a LangSmith runs export (JSON array of runs with run_type)``.
"""

from __future__ import annotations

from typing import Any

OTLP = "OTLP/JSON"

_VENDOR_SHAPES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("langsmith", "a LangSmith runs export", frozenset({"run_type", "trace_id"})),
    ("langsmith", "a LangSmith runs export", frozenset({"run_type", "inputs"})),
    ("braintrust", "a Braintrust logs export", frozenset({"span_id", "root_span_id"})),
    ("braintrust", "a Braintrust logs export", frozenset({"span_attributes", "span_id"})),
    ("phoenix", "a Phoenix spans export", frozenset({"context", "span_kind"})),
    ("phoenix", "a Phoenix spans export", frozenset({"context.span_id", "span_kind"})),
)
"""Keys that together mark one vendor's row (LangSmith ``Run``, Braintrust ``ProjectLogsEvent``,
Phoenix REST span / ``get_spans_dataframe`` row), checked in order: (vendor slug, words, keys)."""

VENDOR_EXPORTS = {vendor: words.removeprefix("a ") for vendor, words, _ in _VENDOR_SHAPES}
"""The export each vendor's rows come in, in words (``langsmith``: ``LangSmith runs export``)."""

WRAPPER_KEYS = ("runs", "spans", "events", "data", "rows")
"""Keys under which tools wrap a list of rows (``{"data": [...]}`` of a BTQL or Phoenix REST answer)."""

_SAMPLE_KEYS = 5


def is_otlp(value: Any) -> bool:
    """True for an ``ExportTraceServiceRequest`` object."""
    return isinstance(value, dict) and ("resourceSpans" in value or "resource_spans" in value)


def row_vendor(row: Any) -> tuple[str, str, frozenset[str]] | None:
    """(vendor slug, words, marking keys) of one export row, or None when no vendor's row is like it."""
    if not isinstance(row, dict):
        return None
    for vendor, words, keys in _VENDOR_SHAPES:
        if keys <= row.keys():
            return vendor, words, keys
    return None


def wrapped_rows(value: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """(key, rows) when ``value`` wraps a list of vendor rows (``{"runs": [...]}``), else None."""
    for key in WRAPPER_KEYS:
        inner = value.get(key)
        if isinstance(inner, list) and inner and row_vendor(inner[0]) is not None:
            return key, inner
    return None


def column_rows(value: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The rows of a pandas ``DataFrame.to_json()`` in its default ``columns`` orient, else None.

    ``{"name": {"0": "chat", "1": ...}, "context.span_id": {"0": ...}}``: each key a column, each
    value the column's cells by row index.
    """
    columns = [c for c in value.values() if isinstance(c, dict)]
    if not columns or len(columns) != len(value):
        return None
    index = list(columns[0])
    if not index or any(list(c) != index for c in columns):
        return None
    rows = [{name: column[i] for name, column in value.items()} for i in index]
    return rows if row_vendor(rows[0]) is not None else None


def export_vendor(value: Any) -> str | None:
    """The slug of the vendor whose export a parsed JSON value (a line or a document) is, else None.

    ``otel`` for OTLP/JSON; a row, a JSON array of rows, rows wrapped under ``runs``/``data``...,
    or a DataFrame's columns: the vendor of its first row.
    """
    if is_otlp(value):
        return "otel"
    if isinstance(value, list):
        first = next((item for item in value[:20] if isinstance(item, dict)), None)
        return export_vendor(first) if first is not None else None
    if not isinstance(value, dict):
        return None
    shape = row_vendor(value)
    if shape is not None:
        return shape[0]
    wrapped = wrapped_rows(value)
    if wrapped is not None:
        return export_vendor(wrapped[1][0])
    rows = column_rows(value)
    return export_vendor(rows[0]) if rows else None


def describe_json(value: Any) -> str:
    """What a parsed JSON value is: OTLP/JSON, a vendor export, or its shape."""
    if is_otlp(value):
        return OTLP
    if isinstance(value, list):
        rows = [item for item in value[:20] if isinstance(item, dict)]
        if rows and all(is_otlp(row) for row in rows):
            return OTLP
        shape = row_vendor(rows[0]) if rows else None
        if shape is not None:
            return f"{shape[1]} (JSON array of rows with {', '.join(sorted(shape[2]))})"
        if not value:
            return "an empty JSON array"
        kinds = sorted({type(item).__name__ for item in value[:20]})
        return f"a JSON array of {len(value)} {'/'.join(kinds)} values, not OTLP requests"
    if isinstance(value, dict):
        wrapped = wrapped_rows(value)
        if wrapped is not None:
            shape = row_vendor(wrapped[1][0])
            assert shape is not None
            return f"{shape[1]} (rows under {wrapped[0]!r})"
        columns = column_rows(value)
        if columns:
            shape = row_vendor(columns[0])
            assert shape is not None
            return f"{shape[1]} (a DataFrame's columns)"
        shape = row_vendor(value)
        if shape is not None:
            return f"{shape[1]} (JSON Lines of rows with {', '.join(sorted(shape[2]))})"
        shown = ", ".join(sorted(value)[:_SAMPLE_KEYS])
        more = "…" if len(value) > _SAMPLE_KEYS else ""
        return f"a JSON object with keys {shown}{more}, not an ExportTraceServiceRequest (no resourceSpans)"
    return f"a JSON {type(value).__name__}, not an ExportTraceServiceRequest"


def describe_bytes(head: bytes) -> str:
    """What a file is from its first bytes, when they cannot start JSON."""
    if head[:4] == b"PAR1":
        return "a Parquet file, not JSON (write the table with to_json(orient='records', lines=True))"
    if head[:4] == b"PK\x03\x04":
        return "a ZIP archive, not OTLP/JSON (unzip it first)"
    if head[:1] in (b"\x0a", b"\x00") or (head and head[0] < 0x09):
        return f"binary data, not OTLP/JSON (first byte {head[:1]!r}); if protobuf, export with format: json"
    if b"," in head[:200] and b"{" not in head[:200]:
        return f"CSV or plain text, not OTLP/JSON (first byte {head[:1]!r})"
    return f"text, not OTLP/JSON (first byte {head[:1]!r})"
