"""What a Braintrust server does to ``/logs3`` write rows before they can be read.

Stdlib only; shared by ``recorder.py`` (which plays the server while the real SDK
writes, e.g. to answer ``/v1/dataset/{id}/fetch``) and ``convert.py`` (which turns
the recorded writes into read cassettes).

Sources for each rule:

* Merge: rows with the same object key and ``id`` are versions of one row. A row
  with ``_is_merge: true`` deep-merges into the current version (dicts merge
  recursively, ``tags`` is a set union, ``created``/``span_id``/``root_span_id``/
  ``span_parents`` keep their first value); any other row replaces it. This is the
  SDK's own client-side rule (``braintrust/merge_row_batch.py`` and
  ``braintrust/util.py`` ``merge_dicts_with_paths``, 0.48.1), applied here
  across ``/logs3`` requests the way the server applies it across transactions.
* ``_xact_id``: ``(0x0DE1 << 48) | (unix_seconds << 16) | counter``. The top bits
  are ``TOP_BITS`` in ``braintrust/xact_ids.py``; the seconds/counter layout
  matches public ids such as ``1000194776110029234`` (a prompt ``created`` at
  2025-03-18T14:16:28.539Z decodes to 14:16:29, counter 22962). One value per
  ``/logs3`` request: every row of a request shares the transaction.
* ``_pagination_key``: opaque, time-ordered string. Ours is ``"p"`` + 20 digits
  built from the transaction that first wrote the row and the row's position in
  it. Real keys are opaque too; never parse them.
* Columns: ``ProjectLogsEvent`` / ``ExperimentEvent`` / ``DatasetEvent`` of the
  OpenAPI spec (``braintrust/_generated_types.py``). ``select *`` returns every
  column, so columns the SDK never wrote are ``null``; ``is_root`` is computed;
  write-only fields (``_is_merge``, ``_merge_paths``, ``_parent_id``,
  ``_object_delete``) are dropped.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

TOP_BITS = 0x0DE1 << 48
ORG_ID = "5b0c5a4e-7f3d-5e51-9c8f-0c1a7d2e9b10"  # fixed, fake
ORG_NAME = "traceready-local"
USER_ID = "0d9e3f6a-2b1c-5d4e-8f7a-6b5c4d3e2f10"  # fixed, fake

WRITE_ONLY_FIELDS = ("_is_merge", "_merge_paths", "_parent_id", "_object_delete", "_audit_source")
SKIP_ON_MERGE = ("created", "span_id", "root_span_id", "span_parents", "_parent_id")
SET_UNION_FIELDS = ("tags",)

PROJECT_LOGS_COLUMNS = (
    "id",
    "_xact_id",
    "_pagination_key",
    "created",
    "org_id",
    "project_id",
    "log_id",
    "input",
    "output",
    "expected",
    "error",
    "scores",
    "metadata",
    "tags",
    "metrics",
    "context",
    "span_id",
    "span_parents",
    "root_span_id",
    "is_root",
    "span_attributes",
    "origin",
    "comments",
    "audit_data",
    "_async_scoring_state",
    "facets",
    "classifications",
)
EXPERIMENT_COLUMNS = (
    "id",
    "_xact_id",
    "created",
    "_pagination_key",
    "project_id",
    "experiment_id",
    "input",
    "output",
    "expected",
    "error",
    "scores",
    "metadata",
    "tags",
    "metrics",
    "context",
    "span_id",
    "span_parents",
    "root_span_id",
    "span_attributes",
    "is_root",
    "origin",
    "comments",
    "audit_data",
    "facets",
    "classifications",
)
DATASET_COLUMNS = (
    "id",
    "_xact_id",
    "created",
    "_pagination_key",
    "project_id",
    "dataset_id",
    "input",
    "expected",
    "metadata",
    "tags",
    "span_id",
    "root_span_id",
    "is_root",
    "origin",
    "comments",
    "audit_data",
    "facets",
    "classifications",
)


def make_xact_id(unix_seconds: float, counter: int) -> str:
    """A Braintrust-shaped transaction id (numeric string)."""
    return str(TOP_BITS | (int(unix_seconds) << 16) | (counter & 0xFFFF))


def xact_time(xact_id: str) -> dt.datetime:
    """Wall-clock second encoded in a transaction id."""
    return dt.datetime.fromtimestamp((int(xact_id) - TOP_BITS) >> 16, tz=dt.UTC)


def iso_ms(when: float | dt.datetime) -> str:
    """``2026-11-25T12:25:14.295Z``, the form the REST API uses for object ``created``."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.fromtimestamp(when, tz=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_time(value: str) -> dt.datetime:
    """Parse ``created`` as written by the SDK (``+00:00``) or the API (``Z``)."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def object_kind(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """``("project_logs", project_id)`` / ``("experiment", id)`` / ``("dataset", id)``."""
    if row.get("experiment_id"):
        return ("experiment", str(row["experiment_id"]))
    if row.get("dataset_id"):
        return ("dataset", str(row["dataset_id"]))
    if row.get("log_id") == "g" and row.get("project_id"):
        return ("project_logs", str(row["project_id"]))
    return None


def _merge(into: dict[str, Any], other: Mapping[str, Any], top: bool = True) -> None:
    for key, value in other.items():
        current = into.get(key)
        if top and key in SET_UNION_FIELDS and isinstance(current, list) and isinstance(value, list):
            seen: set[str] = set()
            combined = []
            for item in [*current, *value]:
                marker = json.dumps(item, sort_keys=True) if isinstance(item, (dict, list)) else str(item)
                if marker not in seen:
                    seen.add(marker)
                    combined.append(item)
            into[key] = combined
        elif isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value, top=False)
        else:
            into[key] = copy.deepcopy(value)


class RowStore:
    """Every version of every row, as a server keeps them.

    ``apply(rows, xact_id)`` ingests one ``/logs3`` request. ``latest()`` gives the
    merged current version of each row; ``versions`` lists every intermediate
    merged version with the transaction that produced it.
    """

    def __init__(self) -> None:
        self.current: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.first_xact: dict[tuple[str, str, str], tuple[str, int]] = {}
        self.last_xact: dict[tuple[str, str, str], str] = {}
        self.versions: list[dict[str, Any]] = []

    def apply(self, rows: Iterable[Mapping[str, Any]], xact_id: str) -> None:
        """Ingest the rows of one write transaction."""
        for position, raw in enumerate(rows):
            kind = object_kind(raw)
            if kind is None or not raw.get("id"):
                continue
            key = (kind[0], kind[1], str(raw["id"]))
            existing = self.current.get(key)
            if existing is not None and raw.get("_is_merge"):
                kept = {f: existing[f] for f in SKIP_ON_MERGE if f in existing}
                _merge(existing, raw)
                for f in SKIP_ON_MERGE:
                    existing.pop(f, None)
                    if f in kept:
                        existing[f] = kept[f]
                row = existing
            else:
                row = copy.deepcopy(dict(raw))
                self.current[key] = row
            self.first_xact.setdefault(key, (xact_id, position))
            self.last_xact[key] = xact_id
            self.versions.append(
                {"object_type": kind[0], "object_id": kind[1], "_xact_id": xact_id, "row": copy.deepcopy(row)}
            )

    def keys(self, object_type: str, object_id: str) -> list[tuple[str, str, str]]:
        """Row keys of one object."""
        return [k for k in self.current if k[0] == object_type and k[1] == object_id]

    def pagination_key(self, key: tuple[str, str, str]) -> str:
        """Opaque, time-ordered key of a row (see module docstring)."""
        xact_id, position = self.first_xact[key]
        return "p" + f"{((int(xact_id) - TOP_BITS) << 12) | (position & 0xFFF):020d}"

    def read_row(
        self,
        key: tuple[str, str, str],
        *,
        project_id: str | None = None,
        xact_id: str | None = None,
        row: Mapping[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """The row as a read returns it (``None`` if deleted)."""
        source = dict(row if row is not None else self.current[key])
        if source.get("_object_delete"):
            return None
        object_type = key[0]
        columns = {
            "project_logs": PROJECT_LOGS_COLUMNS,
            "experiment": EXPERIMENT_COLUMNS,
            "dataset": DATASET_COLUMNS,
        }[object_type]
        xact = xact_id or self.last_xact[key]
        out: dict[str, Any] = {}
        for column in columns:
            out[column] = copy.deepcopy(source.get(column))
        out["_xact_id"] = xact
        out["_pagination_key"] = self.pagination_key(key)
        if out["created"] is None:
            out["created"] = iso_ms(xact_time(self.first_xact[key][0]))
        if object_type == "project_logs":
            out["org_id"] = ORG_ID
        if out.get("project_id") is None and project_id is not None:
            out["project_id"] = project_id
        if object_type == "dataset" and out["span_id"] is None:
            # DatasetEvent requires span ids; Dataset.insert sends none. Ours: the row id.
            out["span_id"] = out["id"]
        if out.get("root_span_id") is None and out.get("span_id") is not None:
            out["root_span_id"] = out["span_id"]
        out["is_root"] = not out.get("span_parents")
        # Columns the spec does not list but the SDK wrote (kept, never invented).
        for extra, value in source.items():
            if extra not in out and extra not in WRITE_ONLY_FIELDS:
                out[extra] = copy.deepcopy(value)
        return out

    def read_rows(
        self, object_type: str, object_id: str, project_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Current rows of one object, newest ``_pagination_key`` first."""
        rows = []
        for key in self.keys(object_type, object_id):
            row = self.read_row(key, project_id=project_id)
            if row is not None:
                rows.append(row)
        rows.sort(key=lambda r: r["_pagination_key"], reverse=True)
        return rows
