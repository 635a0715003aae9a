"""OpenTelemetry trace files: ``traceready audit otel traces.otlp.jsonl [more files or a folder]``.

Reads OTLP/JSON as the Collector ``file`` exporter and ``opentelemetry-exporter-otlp-json-file``
write it (see ``reader.py``) and maps GenAI spans of every dialect through ``mappings/otel.yaml``.
Files hold no project facts (datasets, experiments, retention), so the inventory is empty and those
requirements rest on spans and on the answers file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, ClassVar

from pydantic_settings import BaseSettings, SettingsConfigDict

from traceready.connector import Connector, Option, Pull
from traceready.errors import UsageError
from traceready.model import Rejection

from .reader import expand_paths, iter_file


class OtelSettings(BaseSettings):
    """The files to read (``[otel]`` of traceready.toml, a target ``otel:./exports``, the arguments)."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    paths: tuple[Path, ...] = ()


class OtelConnector(Connector):
    """OTLP/JSON trace files on disk."""

    slug: ClassVar[str] = "otel"
    title: ClassVar[str] = "OpenTelemetry files"
    children_first: ClassVar[bool] = True
    settings_model: ClassVar[type[BaseSettings]] = OtelSettings
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "FILE_OR_DIR",
            "paths",
            "OTLP/JSON files (.jsonl, .json, .gz, .zst) or folders of them.",
            type=Path,
            subject=True,
            argument=True,
            multiple=True,
        ),
    )

    def __init__(self, paths: list[Path]) -> None:
        self.files = expand_paths(paths)

    @classmethod
    def create(cls, settings: OtelSettings, pull: Pull) -> OtelConnector:
        """The files of ``settings``; a file has no window, so ``pull`` is not used."""
        if not settings.paths:
            raise UsageError("no OTLP/JSON file given", hint="pass FILE_OR_DIR, or write otel:./exports")
        return cls(list(settings.paths))

    @classmethod
    def demo(
        cls, sample: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[Connector] | None:
        """Without a server the demo reads the sample file itself."""
        return None if server else nullcontext(cls([sample]))

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Raw span records of every file, in file then line order."""
        for path in self.files:
            yield from iter_file(path)

    def describe_target(self) -> str:
        """The file names."""
        names = [p.name for p in self.files]
        return ", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more files"
