"""JSON Schemas of the public formats, generated from the models.

The shipped copies (``report.schema.json``, ``span.schema.json``, ``compare.schema.json`` beside this
file) are what users validate against; ``tests/test_schemas.py`` fails when a model changes and
they were not regenerated (``traceready schema report > src/traceready/schemas/report.schema.json``).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

import orjson

from traceready.compare import COMPARE_FORMAT_VERSION, CompareReport
from traceready.report.model import REPORT_FORMAT_VERSION, Report
from traceready.span_format import SPAN_FORMAT_VERSION, Span


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


def compare_schema() -> dict[str, Any]:
    """The compare report format's JSON Schema (each target's full report inside)."""
    schema = CompareReport.model_json_schema(mode="serialization")
    schema["$id"] = f"https://traceready.dev/schemas/compare-{COMPARE_FORMAT_VERSION}.json"
    return schema


def shipped_schema(name: str) -> dict[str, Any]:
    """The committed schema file for ``name`` (report, span or compare)."""
    text = (resources.files("traceready.schemas") / f"{name}.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = orjson.loads(text)
    return loaded


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "compare": compare_schema,
    "report": report_schema,
    "span": span_schema,
}
