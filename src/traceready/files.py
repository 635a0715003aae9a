"""Opening trace files whatever their compression, by magic number rather than by name.

Reads stay bounded: gzip and zstd streams hand out at most the bytes asked for, however much a
small input expands to (a 28 KB zstd file may hold 10 GiB of newlines). A stream cut short is an
``EOFError`` for both: gzip checks its trailer itself; zstd would stop at the last whole block
without a word, so its frames are walked once the data ends (``check_zstd_frames``).
"""

from __future__ import annotations

import gzip
import io
import os
import struct
from pathlib import Path
from typing import IO, Any

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
        return io.BufferedReader(_ZstdStream(path))
    return path.open("rb", buffering=PLAIN_READ_BUFFER)


def display_path(path: Path | str) -> str:
    """A path as text that prints and encodes anywhere: bytes that are not UTF-8 shown as U+FFFD."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", errors="replace")


class _ZstdStream(io.RawIOBase):
    """The decompressed bytes of every frame of a zstd file; ``EOFError`` when the last is cut."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._source = path.open("rb")
        self._reader = zstandard.ZstdDecompressor().stream_reader(self._source, read_across_frames=True)
        self._checked = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._reader.read(len(buffer))
        if not data and not self._checked:
            self._checked = True
            check_zstd_frames(self._path)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._reader.close()  # type: ignore[no-untyped-call]
            self._source.close()
        super().close()


_SKIPPABLE_MAGIC = range(0x184D2A50, 0x184D2A60)


def check_zstd_frames(path: Path) -> None:
    """Raise ``EOFError`` when the zstd file ends inside a frame (walks block headers only)."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        position = 0
        while position < size:
            stream.seek(position)
            head = stream.read(18)  # the longest frame header
            if len(head) < 4:
                raise EOFError(f"zstd data ends inside a frame header at byte {position}")
            (magic,) = struct.unpack("<I", head[:4])
            if magic in _SKIPPABLE_MAGIC:
                if len(head) < 8:
                    raise EOFError(f"zstd data ends inside a frame header at byte {position}")
                position += 8 + struct.unpack("<I", head[4:8])[0]
                continue
            try:
                header_size = zstandard.frame_header_size(head)
                has_checksum = zstandard.get_frame_parameters(head).has_checksum
            except zstandard.ZstdError:
                raise EOFError(f"zstd data ends inside a frame header at byte {position}") from None
            position += header_size
            last = False
            while not last:
                stream.seek(position)
                block = stream.read(3)
                if len(block) < 3:
                    raise EOFError(f"zstd data ends inside a frame at byte {size}")
                (header,) = struct.unpack("<I", block + b"\0")
                last = bool(header & 1)
                kind = (header >> 1) & 3
                position += 3 + (1 if kind == 1 else header >> 3)
            position += 4 if has_checksum else 0
        if position > size:
            raise EOFError(f"zstd data ends inside a frame at byte {size}")
