"""How the LangSmith connector shapes a run before mapping, so one mapping reads v1 and v2 alike.

It runs once per run, on the pull's worker threads, so the package build compiles it with mypyc
(``setup.py``). What it does:

- v2 items become v1-shaped: ``project_id`` -> ``session_id``, ``parent_run_ids[-1]`` ->
  ``parent_run_id``, ``run_type``/``status`` lower-cased, ``metadata`` under ``extra.metadata``.
- Token and cost columns on chain/tool/other runs are the server's roll-ups of the subtree (v1
  always), not usage recorded twice: they move to ``subtree_usage`` so only model
  calls carry usage, as in every other vendor's spans.
- ``feedback_stats`` (per key: ``avg``, categorical ``values``) becomes ``feedback``: one score per
  key with its average, one label per categorical value seen.
- ``inputs``/``outputs`` that are ``{}`` while the run's metadata copies ``LANGSMITH_HIDE_INPUTS`` /
  ``LANGSMITH_HIDE_OUTPUTS`` = true are replaced by the marker ``__LANGSMITH_HIDDEN__``: hidden at
  the source, so the mapping marks them redacted instead of merely missing.
- ``error`` (``repr(exc)`` + traceback) gives ``error_type`` (the exception class), the model's
  outputs give ``finish_reasons``, and ``app_path`` a deep link on the web app's host.
"""

from __future__ import annotations

import re
from typing import Any, Final

HIDDEN: Final = "__LANGSMITH_HIDDEN__"
"""Marker for inputs/outputs the SDK hid (``LANGSMITH_HIDE_*``); ``mappings/langsmith.yaml`` names it."""

_USAGE_COLUMNS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "prompt_token_details",
    "completion_token_details",
    "prompt_cost",
    "completion_cost",
    "total_cost",
)
_EXCEPTION = re.compile(r"^\s*([A-Za-z_][\w.]*)\(")
_TRUE = ("true", "1", "yes")


def feedback_scores(stats: Any) -> list[dict[str, Any]]:
    """``feedback_stats`` as scores: the key's average, and one label per categorical value seen."""
    if not isinstance(stats, dict):
        return []
    scores: list[dict[str, Any]] = []
    for key, entry in stats.items():
        if not isinstance(entry, dict):
            continue
        raw_sources = entry.get("sources")
        source = raw_sources[0] if isinstance(raw_sources, list) and raw_sources else None
        if isinstance(entry.get("avg"), (int, float)):
            scores.append({"name": key, "score": entry["avg"], "source": source})
        values = entry.get("values")
        for label in values if isinstance(values, dict) else ():
            scores.append({"name": key, "label": label, "source": source})
    return scores


def finish_reasons(outputs: Any) -> list[str]:
    """Why the model stopped, from any of the shapes llm runs record.

    OpenAI ``choices[].finish_reason``, Anthropic ``stop_reason``, LangChain
    ``generations[][].generation_info.finish_reason``.
    """
    if not isinstance(outputs, dict):
        return []
    found = [c.get("finish_reason") for c in outputs.get("choices") or () if isinstance(c, dict)]
    found.append(outputs.get("stop_reason"))
    for row in outputs.get("generations") or ():
        for generation in row if isinstance(row, list) else (row,):
            info = generation.get("generation_info") if isinstance(generation, dict) else None
            if isinstance(info, dict):
                found.append(info.get("finish_reason"))
    return [r for r in found if isinstance(r, str) and r]


def shape_run(run: dict[str, Any], *, v2: bool, web_url: str | None) -> dict[str, Any]:
    """One run as the mapping reads it (see the module docstring); the input is not modified.

    ``web_url`` is the web app the run's ``app_path`` hangs off; None (a runs export file, which
    does not say its host) gives no link.
    """
    record = dict(run)
    if v2:
        for key in ("run_type", "status"):
            if isinstance(record.get(key), str):
                record[key] = record[key].lower()
        parents = record.get("parent_run_ids")
        record["parent_run_id"] = parents[-1] if isinstance(parents, list) and parents else None
        record.setdefault("session_id", record.get("project_id"))
        metadata = record.get("metadata")
        extra = record.get("extra")
        if isinstance(metadata, dict) and not (isinstance(extra, dict) and extra.get("metadata")):
            record["extra"] = {**(extra if isinstance(extra, dict) else {}), "metadata": metadata}
    if record.get("run_type") != "llm":
        rolled = {k: record.pop(k) for k in _USAGE_COLUMNS if k in record}
        record["subtree_usage"] = rolled
    extra = record.get("extra")
    metadata = extra.get("metadata") if isinstance(extra, dict) else None
    if isinstance(metadata, dict):
        for field, variable in (("inputs", "LANGSMITH_HIDE_INPUTS"), ("outputs", "LANGSMITH_HIDE_OUTPUTS")):
            if record.get(field) == {} and str(metadata.get(variable, "")).lower() in _TRUE:
                record[field] = HIDDEN
    error = record.get("error")
    if isinstance(error, str) and (match := _EXCEPTION.match(error)):
        record["error_type"] = match.group(1)
    if record.get("run_type") == "llm":
        record["finish_reasons"] = finish_reasons(record.get("outputs"))
    record["feedback"] = feedback_scores(record.get("feedback_stats"))
    app_path = record.get("app_path")
    linked = web_url is not None and isinstance(app_path, str) and app_path.startswith("/")
    record["url"] = f"{web_url}{app_path}" if linked else None
    return record
