"""OpenTelemetry trace files: ``traceready audit otel traces.otlp.jsonl [more files or a folder]``.

Reads OTLP/JSON as the Collector ``file`` exporter and ``opentelemetry-exporter-otlp-json-file``
write it (see ``reader.py``) and maps GenAI spans of every dialect through ``mappings/otel.yaml``.
Files hold no project facts (datasets, experiments, retention), so the inventory is empty and those
requirements rest on spans and on the answers file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from traceready.connector import Connector
from traceready.model import Rejection

from .reader import expand_paths, iter_file


class OtelConnector(Connector):
    """OTLP/JSON trace files on disk."""

    slug: ClassVar[str] = "otel"
    title: ClassVar[str] = "OpenTelemetry files"
    children_first: ClassVar[bool] = True

    def __init__(self, paths: list[Path]) -> None:
        self.files = expand_paths(paths)

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Raw span records of every file, in file then line order."""
        for path in self.files:
            yield from iter_file(path)

    def describe_target(self) -> str:
        """The file names."""
        names = [p.name for p in self.files]
        return ", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more files"
