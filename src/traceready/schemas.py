"""JSON Schemas of the public formats, generated from the models (shipped copies in ``schemas/``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from traceready.model import SPAN_FORMAT_VERSION, Span
from traceready.report.model import REPORT_FORMAT_VERSION, Report


def report_schema() -> dict[str, Any]:
    """The report format's JSON Schema."""
    schema = Report.model_json_schema(mode="serialization")
    schema["$id"] = f"https://traceready.dev/schemas/report-{REPORT_FORMAT_VERSION}.json"
    return schema


def span_schema() -> dict[str, Any]:
    """The span export format's JSON Schema (one span per line)."""
    schema = Span.model_json_schema(mode="serialization")
    schema["$id"] = f"https://traceready.dev/schemas/span-{SPAN_FORMAT_VERSION}.json"
    return schema


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {"report": report_schema, "span": span_schema}
