"""Loading OTLP/JSON trace files into a Phoenix server, and waiting until it can be queried.

Spans go to ``POST /v1/traces``, which accepts only protobuf (``application/x-protobuf``): OTLP/JSON
lines are converted with ``google.protobuf.json_format`` (ids hex to base64), keeping ids and
timestamps; the resource attribute ``openinference.project.name`` routes them to a project.
Verified on Phoenix 20.26.1.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from traceready.files import open_trace_file

from .server import loopback_client, raise_for_status

PROJECT_ATTRIBUTE = "openinference.project.name"


def iter_otlp_requests(path: Path) -> Iterator[dict[str, Any]]:
    """Each ``ExportTraceServiceRequest`` of an OTLP/JSON file (JSON Lines, or one document or array).

    Plain, gzip or zstd, like ``traceready audit otel``. Unlike the audit's reader, a line that is not
    JSON is an error here: a fixture that cannot be loaded whole must not load in part.
    """
    with open_trace_file(path) as stream:
        first = stream.readline()
        try:
            head = orjson.loads(first) if first.strip() else None
        except orjson.JSONDecodeError:
            head = orjson.loads(first + stream.read())  # one pretty-printed document or array
            yield from head if isinstance(head, list) else [head]
            return
        if head is not None:
            yield from head if isinstance(head, list) else [head]
        for number, line in enumerate(stream, start=2):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"{path.name} line {number} is not JSON: {exc}") from None


def _id_for_protobuf(value: Any) -> Any:
    """OTLP/JSON ids are hex; protobuf's JSON mapping wants base64 for ``bytes`` fields."""
    if isinstance(value, str) and len(value) in (16, 32):
        try:
            return base64.b64encode(bytes.fromhex(value)).decode("ascii")
        except ValueError:
            return value  # already base64 (a generic protobuf-to-JSON dump)
    return value


def _prepare_request(request: dict[str, Any], project: str) -> int:
    """Route ``request`` to ``project`` and make its ids base64, in place; the number of spans."""
    spans = 0
    resource_spans = request.get("resourceSpans", request.get("resource_spans")) or []
    for resource_span in resource_spans:
        resource = resource_span.setdefault("resource", {})
        attributes = [a for a in resource.get("attributes") or [] if a.get("key") != PROJECT_ATTRIBUTE]
        attributes.append({"key": PROJECT_ATTRIBUTE, "value": {"stringValue": project}})
        resource["attributes"] = attributes
        for scope_span in resource_span.get("scopeSpans", resource_span.get("scope_spans")) or []:
            for span in scope_span.get("spans") or []:
                spans += 1
                for key in ("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id"):
                    if key in span:
                        span[key] = _id_for_protobuf(span[key])
                for link in span.get("links") or []:
                    for key in ("traceId", "trace_id", "spanId", "span_id"):
                        if key in link:
                            link[key] = _id_for_protobuf(link[key])
    return spans


def _to_protobuf(request: dict[str, Any]) -> bytes:
    try:
        from google.protobuf.json_format import ParseDict  # type: ignore[import-untyped,unused-ignore]
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    except ImportError as exc:  # pragma: no cover - both come with arize-phoenix
        raise RuntimeError(
            f"loading spans into Phoenix needs opentelemetry-proto ({exc}); pip install 'traceready[phoenix]'"
        ) from None
    message = ParseDict(request, ExportTraceServiceRequest())
    data: bytes = message.SerializeToString()
    return data


def post_otlp_requests(
    base_url: str,
    project: str,
    requests: Iterator[dict[str, Any]] | list[dict[str, Any]],
    *,
    headers: Mapping[str, str] | None = None,
) -> int:
    """POST OTLP/JSON requests to ``/v1/traces`` as protobuf, routed to ``project``; spans sent."""
    sent = 0
    with loopback_client(base_url, headers) as http:
        for request in requests:
            spans = _prepare_request(request, project)
            if not spans:
                continue
            response = http.post(
                "/v1/traces",
                content=_to_protobuf(request),
                headers={"Content-Type": "application/x-protobuf"},
            )
            raise_for_status(response, f"take {spans} spans for project {project}")
            sent += spans
    return sent


def load_otlp_file(
    base_url: str, project: str, path: Path, *, headers: Mapping[str, str] | None = None
) -> int:
    """Send every span of an OTLP/JSON file to Phoenix's project ``project``; the number of spans sent.

    Ids, timestamps, attributes and events are kept; only the resource attribute
    ``openinference.project.name`` is set (replaced) to route the spans. Ingestion is asynchronous:
    follow with ``wait_for_spans``.
    """
    return post_otlp_requests(base_url, project, iter_otlp_requests(Path(path)), headers=headers)


def count_spans(base_url: str, project: str, *, headers: Mapping[str, str] | None = None) -> int:
    """Spans of ``project`` queryable now (0 if Phoenix has not created the project yet)."""
    total = 0
    cursor: str | None = None
    with loopback_client(base_url, headers) as http:
        while True:
            params: dict[str, Any] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            response = http.get(f"/v1/projects/{project}/spans", params=params)
            if response.status_code == 404:
                return 0
            raise_for_status(response, f"list the spans of {project}")
            body = response.json()
            total += len(body["data"])
            cursor = body.get("next_cursor")
            if not cursor:
                return total


def wait_for_spans(
    base_url: str,
    project: str,
    expected: int,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> int:
    """Poll until at least ``expected`` spans of ``project`` are queryable; the count seen.

    Raises:
        TimeoutError: naming how many spans were queryable when ``timeout`` ran out.
    """
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        seen = count_spans(base_url, project, headers=headers)
        if seen >= expected:
            return seen
        if time.monotonic() + delay > deadline:
            raise TimeoutError(
                f"only {seen} of {expected} spans of project {project} queryable after {timeout:.0f} s"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)
