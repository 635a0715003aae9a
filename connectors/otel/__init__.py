"""OpenTelemetry trace files: ``traceready audit otel traces.otlp.jsonl [more files or a folder]``.

Reads OTLP/JSON as the Collector ``file`` exporter and ``opentelemetry-exporter-otlp-json-file``
write it (see ``reader.py``) and maps GenAI spans of every dialect through ``mappings/otel.yaml``.
Files hold no project facts (datasets, experiments, retention), so the inventory is empty and those
requirements rest on spans and on the answers file. Each file is accounted for on its own (read,
mapped, rejected, lost); a bad file is counted and the audit goes on, unless nothing at all could be
mapped: then the audit is a usage error saying what the files look like.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ByteSize, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from traceready.connector import Connector, Option, Pull
from traceready.errors import UsageError
from traceready.files import display_path
from traceready.model import Rejection
from traceready.progress import ReadProgress
from traceready.settings import InputLimits

from .otlp import iter_request
from .reader import FileRead, Records, expand_paths, iter_file
from .sniff import OTLP, VENDOR_EXPORTS

logger = logging.getLogger(__name__)


class OtelSettings(BaseSettings):
    """The files to read (``[otel]`` of traceready.toml, a target ``otel:./exports``, the arguments)."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    paths: tuple[Path, ...] = ()
    max_request_bytes: ByteSize = Field(InputLimits().max_request_bytes, gt=0)
    """A line, or a whole JSON document, longer than this is skipped and rejected with its size."""
    max_value_bytes: ByteSize = Field(InputLimits().max_value_bytes, gt=0)
    """A string value longer than this is held as a prefix and its size."""


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

    def __init__(
        self,
        paths: list[Path],
        *,
        limits: InputLimits | None = None,
        progress: ReadProgress | None = None,
    ) -> None:
        self.files, self.unreadable = expand_paths(paths)
        self.limits = limits or InputLimits()
        self.progress = progress if progress is not None else ReadProgress()
        """Shows long reads on stderr when it is a terminal (nothing otherwise)."""
        self.reads: list[FileRead] = []
        """One entry per file read so far, in reading order."""

    @classmethod
    def create(cls, settings: OtelSettings, pull: Pull) -> OtelConnector:
        """The files of ``settings``; a file has no window, so ``pull`` is not used."""
        if not settings.paths:
            raise UsageError("no file given", hint=f"pass FILE_OR_DIR, or write {cls.slug}:./exports")
        limits = InputLimits(
            max_request_bytes=settings.max_request_bytes, max_value_bytes=settings.max_value_bytes
        )
        return cls(list(settings.paths), limits=limits)

    @classmethod
    def demo(
        cls, sample: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[Connector] | None:
        """Without a server the demo reads the sample file itself."""
        return None if server else nullcontext(cls([sample]))

    @classmethod
    def demo_before_after(
        cls, before: Path, after: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[tuple[Connector, Connector]] | None:
        """Without a server the before/after demo reads the two files themselves."""
        return None if server else nullcontext((cls([before]), cls([after])))

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Raw span records of every file, in file then line order; unreadable paths as rejections."""
        for problem in self.unreadable:
            self.reads.append(problem)
            yield Rejection(reason="unreadable_file", detail=f"{problem.name}: {problem.problem}")
        for index, path in enumerate(self.files, start=1):
            read = FileRead(path)
            self.reads.append(read)
            on_chunk = None if self.progress is None else functools.partial(self._show, index)
            records = self.records_of(path)
            for item in iter_file(path, self.limits, read, on_chunk, records):
                if read.first_rejection is None and isinstance(item, Rejection):
                    read.first_rejection = f"{item.reason}: {item.detail}" if item.detail else item.reason
                yield item
            if records is iter_request and _export_of(read) is not None:
                logger.warning(
                    "%s looks like %s: audit it with traceready audit file", read.name, read.looks_like
                )

    def records_of(self, path: Path) -> Records:
        """How the JSON values of ``path`` become raw records: as OTLP/JSON requests."""
        return iter_request

    def _show(self, index: int, read: FileRead) -> None:
        if self.progress is not None:
            self.progress.update(read.name, index, len(self.files), read.bytes_read)

    def close(self) -> None:
        """Remove the progress display, before the report is printed."""
        if self.progress is not None:
            self.progress.stop()

    def current_source(self) -> str | None:
        """The file the last record came from."""
        return self.reads[-1].name if self.reads else None

    def source_details(self) -> dict[str, dict[str, Any]]:
        """Per file: decompressed bytes read, what was lost, what it looks like when not OTLP/JSON."""
        return {
            read.name: {
                "bytes_read": read.bytes_read,
                "problem": read.problem,
                "looks_like": None if read.looks_like in (None, OTLP) else read.looks_like,
                "values_cut": read.values_cut,
            }
            for read in self.reads
        }

    def nothing_mapped(self) -> UsageError:
        """Nothing could be mapped from any file: what the files are, as one line."""
        reasons = []
        exports = 0
        for read in self.reads:
            if read.problem:
                reasons.append(f"{read.name}: {read.problem}")
            elif read.looks_like and read.looks_like != OTLP:
                reasons.append(f"{read.name} looks like {read.looks_like}")
                exports += _export_of(read) is not None
            elif read.bytes_read == 0 or read.bytes_read == read.bytes_blank:
                reasons.append(f"{read.name} is empty")
            elif read.first_rejection is not None:
                reasons.append(f"{read.name}: nothing mapped, first rejection {read.first_rejection}")
            else:
                reasons.append(f"{read.name}: no span could be mapped")
        shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
        hint = "traceready audit otel reads OTLP/JSON (the Collector file exporter's format)"
        if exports:
            hint = "audit a LangSmith, Phoenix or Braintrust export with traceready audit file PATH"
        return UsageError(f"no spans read: {shown}", hint=hint)

    def describe_target(self) -> str:
        """The file names."""
        names = [display_path(path.name) for path in self.files]
        return ", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more files"


def _export_of(read: FileRead) -> str | None:
    """The vendor whose export a file read as OTLP turned out to be, if any."""
    looks_like = read.looks_like or ""
    return next((slug for slug, words in VENDOR_EXPORTS.items() if looks_like.startswith(f"a {words}")), None)
