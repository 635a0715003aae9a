"""Reading OTLP/JSON trace files: plain, gzip or zstd; JSON Lines or one document.

The collector ``file`` exporter and ``opentelemetry-exporter-otlp-json-file`` write one
``ExportTraceServiceRequest`` per line, so a file is read line by line and a 1 GB file is never held
whole. A file whose first line is not a whole JSON value is read as one (pretty-printed) document
or a JSON array of requests: those are small by nature and are loaded whole. A damaged first line
of a JSON Lines file does not hide the lines after it: they are still read one by one.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson
import zstandard

from traceready.errors import NotFoundError, UsageError
from traceready.files import open_trace_file
from traceready.model import Rejection

from .otlp import iter_request

logger = logging.getLogger(__name__)

SUFFIXES = (".json", ".jsonl", ".ndjson")
COMPRESSIONS = ("", ".gz", ".zst")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files to read: the files given, and trace files found below folders, in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and any(p.name.endswith(s + c) for s in SUFFIXES for c in COMPRESSIONS)
            )
            if not found:
                raise NotFoundError(f"no trace files (*.json, *.jsonl, .gz, .zst) in folder {path}")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise NotFoundError(f"input not found: {path}")
    return files


def iter_file(path: Path) -> Iterator[dict[str, Any] | Rejection]:
    """Raw span records of one file; unreadable lines become counted Rejections.

    A file that cannot be opened, or read from its start, is a UsageError. Compressed data that
    breaks off later (a writer killed mid-file) keeps the records read so far and ends with a
    ``truncated_file`` Rejection, so the audit goes on and the loss is counted.
    """
    try:
        stream = open_trace_file(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.__class__.__name__}: {exc}") from None
    with stream:
        records = _iter_stream(stream, path.name)
        started = False
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except (OSError, EOFError, zstandard.ZstdError) as exc:
                if not started:
                    raise UsageError(f"cannot read {path}: {exc.__class__.__name__}: {exc}") from None
                detail = f"{path.name}: {exc.__class__.__name__}: {exc}"
                yield Rejection(reason="truncated_file", detail=detail)
                return
            started = True
            yield record


def _iter_stream(stream: IO[bytes], name: str) -> Iterator[dict[str, Any] | Rejection]:
    first = stream.readline()
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    skipped = 0
    while first and not first.strip():
        skipped += 1
        first = stream.readline()
    head = first.lstrip()
    if not head:
        return
    if head[:1] not in (b"{", b"["):
        raise UsageError(
            f"{name}: not OTLP/JSON (first byte {head[:1]!r})",
            hint="protobuf or length-prefixed files are not read; export with format: json",
        )
    if head[:1] == b"[":
        yield from _iter_document(first + stream.read(), name)
        return
    if _parses(first) is not None:
        yield from _iter_lines(first, stream, name, skipped)
        return
    # The first line is not a whole JSON value: a pretty-printed document, or JSON Lines whose
    # first line is damaged. A second line that is a whole request settles it without loading.
    second = stream.readline()
    if _is_request_line(second):
        yield from _iter_lines(first, _chain(second, stream), name, skipped)
        return
    data = first + second + stream.read()
    if _parses(data) is None and any(_is_request_line(line) for line in data.splitlines()):
        yield from _iter_lines(first, io.BytesIO(data[len(first) :]), name, skipped)
        return
    yield from _iter_document(data, name)


def _parses(data: bytes) -> Any:
    """The JSON value in ``data`` (undecodable bytes replaced), or None when it is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        return orjson.loads(data.decode("utf-8", errors="replace"))
    except orjson.JSONDecodeError:
        return None


def _is_request_line(line: bytes) -> bool:
    value = _parses(line) if line.lstrip()[:1] == b"{" else None
    return isinstance(value, dict) and ("resourceSpans" in value or "resource_spans" in value)


def _iter_lines(
    first: bytes, stream: Iterable[bytes], name: str, skipped: int = 0
) -> Iterator[dict[str, Any] | Rejection]:
    number = skipped
    for line in _chain(first, stream):
        number += 1
        if not line or line.isspace():  # not strip(): that copies every (long) line
            continue
        decoded = _decode(line)
        if decoded is None:
            yield Rejection(reason="invalid_json", detail=f"{name}:{number}")
            continue
        yield from iter_request(*decoded)


def _decode(data: bytes) -> tuple[Any, tuple[str, ...]] | None:
    """The JSON value and its quality notes (``invalid_utf8`` when bytes had to be replaced)."""
    try:
        return orjson.loads(data), ()
    except orjson.JSONDecodeError:
        pass
    try:
        return orjson.loads(data.decode("utf-8", errors="replace")), ("invalid_utf8",)
    except orjson.JSONDecodeError:
        return None


def _chain(first: bytes, stream: Iterable[bytes]) -> Iterator[bytes]:
    yield first
    yield from stream


def _iter_document(data: bytes, name: str) -> Iterator[dict[str, Any] | Rejection]:
    decoded = _decode(data)
    if decoded is None:
        yield Rejection(reason="invalid_json", detail=f"{name}: not JSON Lines nor one document")
        return
    document, quality = decoded
    for request in document if isinstance(document, list) else [document]:
        yield from iter_request(request, quality)
