"""Reading OTLP/JSON trace files: plain, gzip or zstd; JSON Lines or one document.

The collector ``file`` exporter and ``opentelemetry-exporter-otlp-json-file`` write one
``ExportTraceServiceRequest`` per line, so a file is read line by line and a 1 GB file is never held
whole. A file whose first line is not a whole JSON value is read as one (pretty-printed) document
or a JSON array of requests: those are small by nature and are loaded whole.
"""

from __future__ import annotations

import gzip
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson
import zstandard

from traceready.errors import NotFoundError, UsageError
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


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    magic = raw.read(4)
    raw.seek(0)
    if magic[:2] == b"\x1f\x8b":
        return io.BufferedReader(gzip.GzipFile(fileobj=raw))
    if magic == b"\x28\xb5\x2f\xfd":
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return raw


def iter_file(path: Path) -> Iterator[dict[str, Any] | Rejection]:
    """Raw span records of one file; unreadable lines become counted Rejections."""
    try:
        with _open(path) as stream:
            yield from _iter_stream(stream, path.name)
    except (OSError, EOFError, zstandard.ZstdError) as exc:
        raise UsageError(f"cannot read {path}: {exc.__class__.__name__}: {exc}") from None


def _iter_stream(stream: IO[bytes], name: str) -> Iterator[dict[str, Any] | Rejection]:
    first = stream.readline()
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    head = first.lstrip()
    if not head:
        rest = stream.read(1)
        if not rest:
            return
        first, head = first + rest + stream.readline(), (first + rest).lstrip()
    if head[:1] not in (b"{", b"["):
        raise UsageError(
            f"{name}: not OTLP/JSON (first byte {head[:1]!r})",
            hint="protobuf or length-prefixed files are not read; export with format: json",
        )
    if head[:1] == b"[" or _parses(first) is None:
        yield from _iter_document(first + stream.read(), name)
        return
    yield from _iter_lines(first, stream, name)


def _parses(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _iter_lines(first: bytes, stream: IO[bytes], name: str) -> Iterator[dict[str, Any] | Rejection]:
    number = 0
    for line in _chain(first, stream):
        number += 1
        if not line.strip():
            continue
        quality: tuple[str, ...] = ()
        try:
            request = orjson.loads(line)
        except orjson.JSONDecodeError:
            try:
                request = orjson.loads(line.decode("utf-8", errors="replace"))
                quality = ("invalid_utf8",)
            except orjson.JSONDecodeError:
                yield Rejection(reason="invalid_json", detail=f"{name}:{number}")
                continue
        yield from iter_request(request, quality)


def _chain(first: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    yield first
    yield from stream


def _iter_document(data: bytes, name: str) -> Iterator[dict[str, Any] | Rejection]:
    quality: tuple[str, ...] = ()
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            document = orjson.loads(data.decode("utf-8", errors="replace"))
            quality = ("invalid_utf8",)
        except orjson.JSONDecodeError:
            yield Rejection(reason="invalid_json", detail=f"{name}: not JSON Lines nor one document")
            return
    for request in document if isinstance(document, list) else [document]:
        yield from iter_request(request, quality)
