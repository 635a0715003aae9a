"""The JSON report: sorted keys and stable order, so the same input gives the same bytes."""

from __future__ import annotations

from typing import Any

import orjson

from traceready.report.model import Report


def render_json(report: Report) -> str:
    """The report as indented JSON with sorted keys."""
    # Optional parts absent from a report leave no key, as before those keys existed.
    exclude: dict[str, Any] = {}
    if not report.counts.sources:
        exclude["counts"] = {"sources"}
    if report.agent is None:
        exclude["agent"] = True
    if report.maps_as is None:
        exclude["maps_as"] = True
    data = report.model_dump(mode="json", exclude=exclude or None)
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n"
