"""Opening trace files whatever their compression, by magic number rather than by name."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import IO

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PLAIN_READ_BUFFER = 1 << 20
"""Bytes read at a time from an uncompressed file. OTLP lines run to several KB (a span with its
request and response bodies), longer than the default 8 KB buffer, which cost a system call and a
copy per piece of every line (read stage ~10 % slower). Compressed files keep the default: a stream
cut short loses only what the last read held."""


def open_trace_file(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (``1f 8b``) or zstd (``28 b5 2f fd``)."""
    with path.open("rb") as probe:
        magic = probe.read(4)
    if magic[:2] == GZIP_MAGIC:
        return io.BufferedReader(gzip.open(path, "rb"))
    if magic == ZSTD_MAGIC:
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(path.open("rb"), closefd=True))
    return path.open("rb", buffering=PLAIN_READ_BUFFER)
