"""Reading OTLP/JSON trace files: plain, gzip or zstd; JSON Lines or one document; memory bounded.

The collector ``file`` exporter and ``opentelemetry-exporter-otlp-json-file`` write one
``ExportTraceServiceRequest`` per line, so a file is read line by line and a 1 GB file is never held
whole. A file whose first line is not a whole JSON value is read as one (pretty-printed) document
or a JSON array of requests. A damaged first line of a JSON Lines file does not hide the lines after
it: they are still read one by one.

Memory is bounded by ``InputLimits`` (``[limits]`` in traceready.toml), counted in decompressed
bytes as the data streams:

- a line or document longer than ``max_request_bytes`` is skipped as it streams (never held) and
  rejected as ``request_too_large`` with its size;
- a string value longer than ``max_value_bytes`` is cut to its first ``KEPT_PREFIX`` characters and a
  marker with its size (a JSON document held in a string keeps its structure: only its long strings
  are cut), noted ``oversized_value``. The checks read only whether values are there, so they decide
  the same.

Nothing is lost silently: each file's bytes are accounted for in its ``FileRead`` (parsed, rejected,
blank), a compressed file cut short ends with a ``truncated_file`` rejection, and a file or folder
that cannot be read is an ``unreadable_file`` rejection named in the report; the audit goes on.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
import zstandard

from traceready.errors import NotFoundError, UsageError
from traceready.files import display_path, open_trace_file
from traceready.model import Rejection
from traceready.settings import InputLimits

from .otlp import iter_request
from .sniff import describe_bytes, describe_json

Records = Callable[[Any, tuple[str, ...]], Iterator[dict[str, Any] | Rejection]]
"""What one parsed JSON value (a line, or each element of a document) holds: raw records and
rejections, told the value's quality notes. OTLP/JSON by default (``iter_request``)."""

logger = logging.getLogger(__name__)

SUFFIXES = (".json", ".jsonl", ".ndjson")
COMPRESSIONS = ("", ".gz", ".zst")
CHUNK_BYTES = 1 << 20
"""Decompressed bytes read at a time; a line longer than this is assembled from pieces."""
KEPT_PREFIX = 1024
"""Characters kept of a string value cut for being over ``max_value_bytes``."""

_NON_BLANK = re.compile(rb"[^ \t\r\n\f\v]")
_BLANK_BYTES = frozenset(b" \t\r\n\f\v")
_BOM = b"\xef\xbb\xbf"
_HEAD_BYTES = 200


@dataclass(slots=True)
class FileRead:
    """What reading one input file gave: every decompressed byte parsed, rejected, blank or lost."""

    path: Path
    bytes_read: int = 0
    """Decompressed bytes taken from the file."""
    bytes_parsed: int = 0
    """Bytes of lines (or the document) that were JSON."""
    bytes_rejected: int = 0
    """Bytes of lines (or the document) rejected: not JSON, or over ``max_request_bytes``."""
    bytes_blank: int = 0
    """Whitespace between lines, line ends and a byte-order mark."""
    bytes_lost: int = 0
    """Bytes read but not yet parsed when the file broke off (a line or document cut short)."""
    values_cut: int = 0
    largest_value: int = 0
    """Characters of the largest value cut for being over ``max_value_bytes``."""
    problem: str | None = None
    """What was lost: the file could not be opened, or broke off (``truncated after N bytes``)."""
    looks_like: str | None = None
    """What the file holds, in words, when it is not OTLP/JSON."""
    first_rejection: str | None = None
    """The first rejection's reason and detail, to say why nothing of the file could be used."""

    @property
    def name(self) -> str:
        """The path as shown to a user (any bytes, printable)."""
        return display_path(self.path)

    @property
    def short(self) -> str:
        """The file name alone, as rejection details of its lines show it."""
        return display_path(self.path.name)


@dataclass(slots=True)
class _Line:
    number: int
    data: bytes | None
    """The line, or None when it was over the cap and skipped."""
    size: int
    head: bytes
    """The line's first bytes, kept even when it was skipped (to say what a file is)."""


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[FileRead]]:
    """Files to read, in name order below folders; and folders or files found but unreadable.

    A path given that does not exist is a NotFoundError; one that exists but is not a regular file
    or a folder (a FIFO, ``/dev/zero``, a socket) is a UsageError saying what it is.
    """
    files: list[Path] = []
    problems: list[FileRead] = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise NotFoundError(f"input not found: {display_path(path)}") from None
        except OSError as exc:
            raise UsageError(f"cannot read {display_path(path)} ({exc.strerror})") from None
        if stat.S_ISDIR(mode):
            found, unreadable = _walk(path)
            if not found and not unreadable:
                raise NotFoundError(
                    f"no trace files (*.json, *.jsonl, *.ndjson, .gz, .zst) in folder {display_path(path)}"
                )
            files.extend(found)
            problems.extend(unreadable)
        elif stat.S_ISREG(mode):
            files.append(path)
        else:
            raise UsageError(
                f"{display_path(path)} is {_kind_of(mode)}, not a trace file",
                hint="give OTLP/JSON files or folders; save a stream to a file first",
            )
    return files, problems


def _walk(folder: Path) -> tuple[list[Path], list[FileRead]]:
    """Trace files below ``folder``; subfolders and files that could not be read as problems."""
    found: list[Path] = []
    problems: list[FileRead] = []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        problems.append(FileRead(where, problem=f"folder unreadable ({exc.strerror})"))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs.sort()
        for name in names:
            if not any(name.endswith(s + c) for s in SUFFIXES for c in COMPRESSIONS):
                continue
            path = Path(root) / name
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                problems.append(FileRead(path, problem=f"unreadable ({exc.strerror})"))
                continue
            if stat.S_ISREG(mode):
                found.append(path)
            else:
                problems.append(FileRead(path, problem=f"not read: {_kind_of(mode)}"))
    return sorted(found), sorted(problems, key=lambda p: p.path)


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def iter_file(
    path: Path,
    limits: InputLimits | None = None,
    read: FileRead | None = None,
    on_chunk: Callable[[FileRead], None] | None = None,
    records: Records = iter_request,
) -> Generator[dict[str, Any] | Rejection, None, None]:
    """Raw span records of one file; what could not be read becomes counted Rejections.

    Nothing is raised for a bad file: a file that cannot be opened is one ``unreadable_file``
    rejection, a file that is not JSON one ``not_otlp_json`` rejection, compressed data that breaks
    off (a writer killed mid-file) keeps the records read so far and ends with a ``truncated_file``
    rejection. ``read`` receives the file's accounting; ``on_chunk`` is called with it after each
    chunk read (for a progress display). ``records`` turns each JSON value into records (OTLP
    requests by default; a vendor's export rows for ``traceready audit file``).
    """
    limits = limits or InputLimits()
    read = read if read is not None else FileRead(path)
    try:
        stream = open_trace_file(path)
    except OSError as exc:
        read.problem = f"unreadable ({exc.strerror or exc})"
        yield Rejection(reason="unreadable_file", detail=f"{read.name}: {exc.strerror or exc}")
        return
    with stream:
        items = _iter_stream(stream, read, limits, on_chunk, records)
        while True:
            try:
                record = next(items)
            except StopIteration:
                return
            except (OSError, EOFError, zstandard.ZstdError) as exc:
                read.bytes_lost = read.bytes_read - read.bytes_parsed - read.bytes_rejected - read.bytes_blank
                read.problem = f"truncated after {read.bytes_read} bytes ({exc.__class__.__name__}: {exc})"
                yield Rejection(reason="truncated_file", detail=f"{read.name}: {read.problem}")
                return
            yield record


def _iter_stream(
    stream: IO[bytes],
    read: FileRead,
    limits: InputLimits,
    on_chunk: Callable[[FileRead], None] | None,
    records: Records,
) -> Iterator[dict[str, Any] | Rejection]:
    cap = int(limits.max_request_bytes)
    lines = _iter_lines(stream, read, cap, on_chunk)
    first = next(lines, None)
    if first is None:
        return
    name = read.name
    data = first.data
    if first.head[:1] not in (b"{", b"["):
        read.bytes_rejected += first.size
        read.looks_like = describe_bytes(first.head)
        yield Rejection(reason="not_otlp_json", detail=f"{name}: {read.looks_like}")
        return
    if data is not None and data[:1] == b"[":
        yield from _iter_document(first, lines, read, limits, records)
        return
    if data is None or _parses(data) is not None:
        yield from _iter_lines_of_requests(first, lines, read, limits, records)
        return
    yield from _iter_undecided(first, lines, read, limits, records)


def _iter_undecided(
    first: _Line, lines: Iterator[_Line], read: FileRead, limits: InputLimits, records: Records
) -> Iterator[dict[str, Any] | Rejection]:
    """Read a file whose first line is not a whole JSON value.

    It is a pretty-printed document, or JSON Lines whose first lines are damaged. The first line
    that is a whole request settles it; until then lines are held, up to the request cap.
    """
    held: list[_Line] = [first]
    held_bytes = first.size
    for current in lines:
        if current.data is not None and _is_request_line(current.data):
            for damaged in held:
                read.bytes_rejected += damaged.size
                yield Rejection(reason="invalid_json", detail=f"{read.short}:{damaged.number}")
            yield from _iter_lines_of_requests(current, lines, read, limits, records)
            return
        held.append(current)
        held_bytes += current.size
        if held_bytes > int(limits.max_request_bytes):
            yield from _iter_document(held[0], _chain(held[1:], lines), read, limits, records)
            return
    yield from _iter_document(held[0], iter(held[1:]), read, limits, records)


def _iter_lines_of_requests(
    first: _Line, lines: Iterator[_Line], read: FileRead, limits: InputLimits, records: Records
) -> Iterator[dict[str, Any] | Rejection]:
    for current in _chain([first], lines):
        data = current.data
        if data is None:
            read.bytes_rejected += current.size
            yield _too_large(read, f"line {current.number}", current.size, limits)
            continue
        decoded = _decode(data)
        if decoded is None:
            read.bytes_rejected += current.size
            yield Rejection(reason="invalid_json", detail=f"{read.short}:{current.number}")
            continue
        read.bytes_parsed += current.size
        value, quality = decoded
        if read.looks_like is None and read.bytes_parsed == current.size:
            read.looks_like = describe_json(value)
        if current.size > int(limits.max_value_bytes):
            quality = _cut_long_values(value, read, limits, quality)
        yield from records(value, quality)


def _iter_document(
    first: _Line, lines: Iterator[_Line], read: FileRead, limits: InputLimits, records: Records
) -> Iterator[dict[str, Any] | Rejection]:
    """One JSON document (an object, or an array of requests) over several lines, up to the cap."""
    cap = int(limits.max_request_bytes)
    parts: list[bytes] | None = [] if first.data is not None else None
    size = 0
    for current in _chain([first], lines):
        size += current.size
        if parts is not None and current.data is not None and size <= cap:
            parts.append(current.data)
        else:
            parts = None  # over the cap: the rest is only counted
    if parts is None:
        read.bytes_rejected += size
        yield _too_large(read, "document", size, limits)
        return
    decoded = _decode(b"\n".join(parts))
    if decoded is None:
        read.bytes_rejected += size
        yield Rejection(reason="invalid_json", detail=f"{read.short}: not JSON Lines nor one document")
        return
    read.bytes_parsed += size
    document, quality = decoded
    read.looks_like = describe_json(document)
    if size > int(limits.max_value_bytes):
        quality = _cut_long_values(document, read, limits, quality)
    for request in document if isinstance(document, list) else [document]:
        yield from records(request, quality)


def _too_large(read: FileRead, what: str, size: int, limits: InputLimits) -> Rejection:
    detail = f"{read.short}: {what} of {size} bytes, over max_request_bytes {int(limits.max_request_bytes)}"
    return Rejection(reason="request_too_large", detail=detail)


def _iter_lines(
    stream: IO[bytes], read: FileRead, cap: int, on_chunk: Callable[[FileRead], None] | None = None
) -> Iterator[_Line]:
    """The non-blank lines of ``stream``, each whole when at most ``cap`` bytes, else only sized.

    Reads fixed chunks, so a line of 2 GiB or 10 GiB of newlines costs a chunk of memory; runs of
    blank lines are skipped at C speed. A first line that cannot start JSON ends the reading at
    the chunk it is in. Counts every byte into ``read``.
    """
    number = 1  # number of the line the next byte belongs to
    pieces: list[bytes] = []
    size = 0  # bytes of the line being assembled (pieces hold them while size <= cap)
    started = -1  # number of the line being assembled, -1 when none is
    head = b""
    first_chunk = True
    first_line = True
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            break
        read.bytes_read += len(chunk)
        if on_chunk is not None:
            on_chunk(read)
        position = 0
        if first_chunk:
            first_chunk = False
            if chunk.startswith(_BOM):
                read.bytes_blank += len(_BOM)
                position = len(_BOM)
        end_of_chunk = len(chunk)
        while position < end_of_chunk:
            if started < 0:
                if chunk[position] in _BLANK_BYTES:  # between lines; usually a line starts here
                    if position == 0 and chunk.isspace():  # a blank chunk: 5x faster than a search
                        read.bytes_blank += end_of_chunk
                        number += chunk.count(b"\n")
                        break
                    found = _NON_BLANK.search(chunk, position)
                    start = end_of_chunk if found is None else found.start()
                    read.bytes_blank += start - position
                    number += chunk.count(b"\n", position, start)
                    position = start
                    if found is None:
                        break
                started = number
                head = chunk[position : position + _HEAD_BYTES]
                if first_line and head[:1] not in (b"{", b"["):
                    # Not JSON at all (binary, text, a bomb of zeros): judged by its first bytes,
                    # the rest is not read.
                    size = end_of_chunk - position
                    yield _Line(started, None, size, head)
                    return
                first_line = False
            end = chunk.find(b"\n", position)
            stop = end_of_chunk if end < 0 else end
            piece = stop - position
            size += piece
            if size <= cap:
                pieces.append(chunk[position:stop])
            elif pieces:
                pieces = []
            if end < 0:
                break
            read.bytes_blank += 1  # the line end
            number += 1
            yield _Line(started, b"".join(pieces) if size <= cap else None, size, head)
            pieces, size, started = [], 0, -1
            position = end + 1
    if started >= 0:
        yield _Line(started, b"".join(pieces) if size <= cap else None, size, head)


def _chain(first: list[_Line], rest: Iterator[_Line]) -> Iterator[_Line]:
    yield from first
    yield from rest


def _parses(data: bytes) -> Any:
    """The JSON value in ``data`` (undecodable bytes replaced), or None when it is not JSON."""
    decoded = _decode(data)
    return None if decoded is None else decoded[0]


def _is_request_line(line: bytes) -> bool:
    value = _parses(line) if line[:1] == b"{" else None
    return isinstance(value, dict) and ("resourceSpans" in value or "resource_spans" in value)


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


def _cut_long_values(
    value: Any, read: FileRead, limits: InputLimits, quality: tuple[str, ...]
) -> tuple[str, ...]:
    """Cut every string in ``value`` longer than ``max_value_bytes``, in place; notes when any was."""
    cap = int(limits.max_value_bytes)
    cut_before = read.values_cut
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        keyed: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in list(keyed):
            if isinstance(item, str):
                if len(item) > cap:
                    node[key] = _cut_text(item, read)
            elif isinstance(item, dict | list):
                stack.append(item)
    if read.values_cut == cut_before:
        return quality
    return (*quality, "oversized_value")


def _cut_text(text: str, read: FileRead, depth: int = 0) -> str:
    """``text`` cut to its first characters and a size marker; JSON keeps its structure."""
    if depth == 0:  # a value; the strings of a JSON value cut with it are not counted again
        read.values_cut += 1
        read.largest_value = max(read.largest_value, len(text))
    if depth < 2 and text.lstrip()[:1] in ("{", "["):
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError:
            document = None
        if isinstance(document, dict | list):
            _shorten_strings(document, read, depth + 1)
            return orjson.dumps(document).decode()
    return f"{text[:KEPT_PREFIX]}…[cut by traceready: {len(text)} characters]"


def _shorten_strings(document: dict[str, Any] | list[Any], read: FileRead, depth: int) -> None:
    """Every string of ``document`` over ``KEPT_PREFIX`` characters cut, in place."""
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        keyed: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in list(keyed):
            if isinstance(item, str) and len(item) > KEPT_PREFIX:
                node[key] = _cut_text(item, read, depth)
            elif isinstance(item, dict | list):
                stack.append(item)
