"""Rows of a vendor's export file, shaped as that vendor's connector shapes what its API returns.

What tools write, each checked against the SDK that writes it (``tests/data/exports/MANIFEST.toml``):

- LangSmith: ``Run`` objects of ``Client.list_runs`` dumped one a line (``run.model_dump_json()``)
  or as a JSON array (``json.dumps([r.model_dump() ...], default=str)``); a run read with
  ``read_run(..., load_child_runs=True)`` carries its subtree in ``child_runs``, read too.
- Phoenix: the REST spans of ``phoenix.client.Client().spans.get_spans()`` (``context.span_id``
  nested), or the rows of ``get_spans_dataframe()`` written with ``DataFrame.to_json`` (columns
  ``context.span_id``, ``attributes.llm.model_name``... flat; ``orient="records"``, with or
  without ``lines=True``, or the default ``columns`` orient), times as ISO text or epoch numbers.
- Braintrust: project-logs rows as BTQL answers them (``{"data": [...]}``), the SDK's
  ``ObjectFetcher.fetch()`` yields them and the UI's JSON export and ``bt sync pull`` write them.

Each becomes the record the vendor's own connector would hand its mapping (``shape_run``,
``shape_span``, ``shape_row``): the same mapping then reads a file and an API alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from traceready.model import Rejection

from ..braintrust import shape_row
from ..langsmith.shape import shape_run
from ..otel.sniff import column_rows, wrapped_rows
from ..phoenix import shape_span

Record = dict[str, Any] | Rejection

MAX_CHILD_DEPTH = 64
"""Nesting of LangSmith ``child_runs`` followed; deeper subtrees are rejected, not recursed into."""


def rows_of(value: Any) -> list[Any]:
    """The rows a parsed JSON value holds: a row, rows wrapped under a key, or a DataFrame's columns."""
    if isinstance(value, dict):
        wrapped = wrapped_rows(value)
        if wrapped is not None:
            return wrapped[1]
        columns = column_rows(value)
        if columns is not None:
            return columns
    return [value]


def langsmith_records(row: dict[str, Any], depth: int = 0) -> Iterator[Record]:
    """A run (and the runs of its ``child_runs`` subtree) as the LangSmith connector shapes them."""
    children = row.get("child_runs")
    run = {k: v for k, v in row.items() if k != "child_runs"}
    # v2 answers name the project ``project_id`` and list ancestors in ``parent_run_ids``.
    v2 = "parent_run_id" not in row and "parent_run_ids" in row
    yield shape_run(run, v2=v2, web_url=None)
    for child in children if isinstance(children, list) else ():
        if not isinstance(child, dict):
            yield Rejection(reason="not_an_object", detail="a child run that is not a JSON object")
        elif depth >= MAX_CHILD_DEPTH:
            yield Rejection(reason="too_deep", detail=f"child runs nested over {MAX_CHILD_DEPTH} levels")
        else:
            yield from langsmith_records(child, depth + 1)


def braintrust_records(row: dict[str, Any]) -> Iterator[Record]:
    """A logs row as the Braintrust connector shapes it (no link: the file does not name the org)."""
    yield shape_row(row)


def phoenix_records(row: dict[str, Any]) -> Iterator[Record]:
    """A REST span, or a ``get_spans_dataframe`` row, as the Phoenix connector shapes a REST span."""
    yield shape_span(row if isinstance(row.get("context"), dict) else rest_span(row))


def rest_span(row: dict[str, Any]) -> dict[str, Any]:
    """A ``get_spans_dataframe`` row (flat ``context.*``/``attributes.*`` columns) as a REST span.

    Attribute cells holding structures (``attributes.llm.input_messages`` as a list of
    ``{"message.role": ...}``) are flattened back to the dotted keys the instrumentation wrote
    (``llm.input_messages.0.message.role``), as the REST API returns them; lists of plain values
    stay lists (OTel array attributes). Epoch numbers (``to_json``'s default) become ISO times.
    """
    span: dict[str, Any] = {"context": {}, "attributes": {}}
    for key, value in row.items():
        if value is None:
            continue
        if key.startswith("context."):
            span["context"][key.removeprefix("context.")] = value
        elif key.startswith("attributes."):
            _flatten_into(span["attributes"], key.removeprefix("attributes."), value)
        elif key in ("start_time", "end_time"):
            span[key] = _iso_time(value)
        else:
            span[key] = value
    events = span.get("events")
    if isinstance(events, list):
        span["events"] = [_event(e) for e in events]
    return span


def _flatten_into(target: dict[str, Any], key: str, value: Any) -> None:
    if isinstance(value, dict):
        for inner, item in value.items():
            _flatten_into(target, f"{key}.{inner}", item)
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for index, item in enumerate(value):
            _flatten_into(target, f"{key}.{index}", item)
    elif value is not None:
        target[key] = value


def _event(event: Any) -> Any:
    if isinstance(event, dict) and "timestamp" in event:
        return {**event, "timestamp": _iso_time(event["timestamp"])}
    return event


def _iso_time(value: Any) -> Any:
    """Epoch seconds, milliseconds, microseconds or nanoseconds (by size) as ISO text; text as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    seconds = float(value)
    for _ in range(3):
        if abs(seconds) < 1e11:  # before the year 5138 in seconds
            break
        seconds /= 1000
    return datetime.fromtimestamp(seconds, UTC).isoformat()


SHAPERS: dict[str, Callable[[dict[str, Any]], Iterator[Record]]] = {
    "langsmith": langsmith_records,
    "braintrust": braintrust_records,
    "phoenix": phoenix_records,
}
"""Per vendor slug (``traceready.connectors.otel.sniff``), how one of its rows becomes records."""


def export_records(vendor: str, value: Any, quality: tuple[str, ...] = ()) -> Iterator[Record]:
    """The records of one parsed JSON value of ``vendor``'s export; rows that are not objects rejected.

    ``quality`` notes of the value (``invalid_utf8``, ``oversized_value``) ride on each record.
    """
    shape = SHAPERS[vendor]
    for row in rows_of(value):
        if not isinstance(row, dict):
            yield Rejection(reason="not_an_object", detail=f"a {type(row).__name__} where a row was expected")
            continue
        for record in shape(row):
            if quality and isinstance(record, dict):
                record["quality"] = [*(record.get("quality") or ()), *quality]
            yield record
