"""The JSON report: sorted keys and stable order, so the same input gives the same bytes."""

from __future__ import annotations

import orjson

from traceready.report.model import Report


def render_json(report: Report) -> str:
    """The report as indented JSON with sorted keys."""
    # A report without an agent description has no "agent" key, as before the key existed.
    data = report.model_dump(mode="json", exclude={"agent"} if report.agent is None else None)
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n"
