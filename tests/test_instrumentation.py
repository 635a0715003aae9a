"""Instrumentations are counted per span, by scope, version and SDK, however the records share dicts."""

from __future__ import annotations

from typing import Any

from traceready.connectors.otel.otlp import iter_request
from traceready.instrumentation import InstrumentationTally


def _block(scope: str, version: str, sdk_version: str, spans: int) -> dict[str, Any]:
    resource = {"attributes": [{"key": "telemetry.sdk.version", "value": {"stringValue": sdk_version}}]}
    span = {"traceId": "a" * 32, "spanId": "b" * 16, "name": "s"}
    return {
        "resource": resource,
        "scopeSpans": [{"scope": {"name": scope, "version": version}, "spans": [span] * spans}],
    }


def test_spans_of_alternating_export_blocks_are_each_counted_under_their_own_scope() -> None:
    request = {
        "resourceSpans": [
            _block("openinference.instrumentation.openai", "0.1", "1.30", 3),
            _block("opentelemetry.instrumentation.openai", "0.40", "1.30", 2),
            _block("openinference.instrumentation.openai", "0.1", "1.31", 1),
            _block("openinference.instrumentation.openai", "0.1", "1.30", 4),
            _block("", "0.1", "1.30", 5),  # a scope without a name is not an instrumentation
        ]
    }
    tally = InstrumentationTally()
    for record in iter_request(request):
        assert isinstance(record, dict)
        tally.observe(record)
    assert tally.counts == {
        ("openinference.instrumentation.openai", "0.1", "1.30"): 7,
        ("opentelemetry.instrumentation.openai", "0.40", "1.30"): 2,
        ("openinference.instrumentation.openai", "0.1", "1.31"): 1,
    }


def test_one_scope_object_under_two_resources_is_told_apart_by_its_sdk() -> None:
    scope = {"name": "strands.telemetry.tracer", "version": None}
    tally = InstrumentationTally()
    for resource in ({"telemetry.sdk.version": "1.30"}, {"telemetry.sdk.version": "1.31"}) * 2:
        tally.observe({"scope": scope, "resource": resource})
    assert tally.counts == {
        ("strands.telemetry.tracer", None, "1.30"): 2,
        ("strands.telemetry.tracer", None, "1.31"): 2,
    }
