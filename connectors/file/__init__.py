"""Trace files as tools write them: ``traceready audit file export.jsonl [more files or a folder]``.

Each file is recognised from its first JSON value: OTLP/JSON, or the export of LangSmith runs,
Phoenix spans or Braintrust logs (what their SDKs and UIs write; see ``exports.py``). Its rows then
go through that vendor's own shaping and mapping, and its gaps get that vendor's fixes, exactly as
if the vendor's connector had pulled them. The files are read as ``audit otel`` reads them
(streamed, bounded, each accounted for on its own; a bad file is counted and the audit goes on).

One audit reads one vendor's files: a report holds one source's verdicts and fixes. Files of
several vendors are a usage error naming which file is which, found before anything is scored.
An export holds spans only: the project facts a vendor's API shows (datasets, experiments, prompts,
retention) are unknown from a file; the report's window line says so, and where to get them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager, closing
from pathlib import Path
from typing import Any, ClassVar

from traceready.connector import Connector, Option, get_connector
from traceready.errors import UsageError
from traceready.files import display_path
from traceready.model import Rejection
from traceready.progress import ReadProgress
from traceready.settings import InputLimits

from ..otel import OtelConnector
from ..otel.otlp import iter_request
from ..otel.reader import FileRead, Records, iter_file
from ..otel.sniff import VENDOR_EXPORTS, export_vendor
from .exports import export_records

OTLP_FILES = "OTLP/JSON files"


class FileConnector(OtelConnector):
    """OTLP/JSON, or the exports of LangSmith, Phoenix and Braintrust, each read as its vendor's."""

    slug: ClassVar[str] = "file"
    title: ClassVar[str] = "Trace files"
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "FILE_OR_DIR",
            "paths",
            "OTLP/JSON files, or LangSmith runs, Phoenix spans or Braintrust logs exports "
            "(JSON, JSON Lines; .gz, .zst), or folders of them.",
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
        super().__init__(paths, limits=limits, progress=progress)
        self.vendors: dict[Path, str] = {}
        """The vendor each recognised file is an export of (``otel`` for OTLP/JSON)."""
        for path in self.files:
            vendor = sniff_file(path, self.limits)
            if vendor is not None:
                self.vendors[path] = vendor
        found = sorted(set(self.vendors.values()))
        if len(found) > 1:
            self.close()
            raise UsageError(
                f"these files come from different sources: {_by_vendor(self.vendors)}",
                hint="audit each source on its own, or side by side: traceready compare file:A file:B",
            )
        self.vendor = found[0] if found else "otel"

    @classmethod
    def demo(
        cls, sample: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[Connector] | None:
        """The demo's file is read by ``otel``, whose report it shows."""
        return None

    @classmethod
    def demo_before_after(
        cls, before: Path, after: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[tuple[Connector, Connector]] | None:
        """The before/after demo's files are read by ``otel`` too."""
        return None

    def records_of(self, path: Path) -> Records:
        """OTLP/JSON requests, or the rows of the vendor export the file was recognised as."""
        vendor = self.vendors.get(path, "otel")
        return iter_request if vendor == "otel" else functools.partial(export_records, vendor)

    def maps_as(self) -> type[Connector]:
        """The vendor the files are exports of: its mapping reads the rows, its catalog has the fixes."""
        return get_connector(self.vendor)

    def source_details(self) -> dict[str, dict[str, Any]]:
        """As ``audit otel``; a file read as the export it is does not 'look like' anything."""
        details = super().source_details()
        for read in self.reads:
            if read.path in self.vendors and read.name in details:
                details[read.name]["looks_like"] = None
        return details

    def describe_target(self) -> str:
        """What the files are, and their names."""
        what = OTLP_FILES if self.vendor == "otel" else VENDOR_EXPORTS[self.vendor]
        return f"{what}: {super().describe_target()}"

    def window(self) -> str:
        """Everything in the files; for an export, which facts only the vendor's API has."""
        if self.vendor == "otel":
            return super().window()
        cls = get_connector(self.vendor)
        subject = cls.subject()
        command = f"traceready audit {cls.slug}" + (f" {subject.flag} ..." if subject is not None else "")
        return (
            f"every span in the files; an export holds no {cls.title} project facts (datasets, "
            f"experiments, prompts, retention): they are unknown unless {command} reads them or "
            "--answers answers.toml gives them"
        )

    def nothing_mapped(self) -> UsageError:
        """Nothing could be mapped from any file: what the files are, and what is read."""
        error = super().nothing_mapped()
        error.hint = (
            "traceready audit file reads OTLP/JSON and the JSON or JSON Lines exports of LangSmith runs, "
            "Phoenix spans and Braintrust logs (CSV and Parquet are not read: write JSON Lines)"
        )
        return error


def sniff_file(path: Path, limits: InputLimits) -> str | None:
    """The vendor whose export ``path`` is (``otel`` for OTLP/JSON), from its first JSON value.

    Reads as the audit will, stopping at the first value: a line of JSON Lines, or the document.
    None when the file holds no JSON value or one no vendor writes (the audit then counts it).
    """
    found: list[str | None] = []

    def probe(value: Any, quality: tuple[str, ...]) -> Any:
        found.append(export_vendor(value))
        yield Rejection(reason="sniffed")

    with closing(iter_file(path, limits, FileRead(path), records=probe)) as items:
        for _ in items:
            if found:
                break
    return found[0] if found else None


def _by_vendor(vendors: dict[Path, str]) -> str:
    groups: dict[str, list[str]] = {}
    for path, vendor in vendors.items():
        groups.setdefault(vendor, []).append(display_path(path.name))
    parts = []
    for vendor, names in sorted(groups.items()):
        what = OTLP_FILES if vendor == "otel" else VENDOR_EXPORTS[vendor] + "s"
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{what} ({shown})")
    return "; ".join(parts)
