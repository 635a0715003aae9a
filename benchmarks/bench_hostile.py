"""Peak memory and time of ``traceready audit otel`` on the hostile files of issue 17, at full size.

Each file is generated here (compressed bombs as concatenated gzip members or zstd frames of one
small compressed block, so making a 10 GiB bomb takes no time), then audited by the real command in
a child process; its peak RSS comes from ``wait4``. The caps are the defaults
(``InputLimits``: 32 MiB per line or document, 1 MiB per value). The bound asked for: under 500 MB
and a few minutes each.

```bash
.venv/bin/python benchmarks/bench_hostile.py                 # every case, files in a temp dir
.venv/bin/python benchmarks/bench_hostile.py --case gzip_bomb --keep /tmp/hostile
```
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import zstandard

GIB = 1 << 30
MIB = 1 << 20
TRACEREADY = Path(sys.executable).with_name("traceready")
BOUND_MB = 500


def _gzip_members(path: Path, block: bytes, total: int) -> None:
    """``total`` bytes of ``block`` repeated, as one gzip member per block (multi-member gzip)."""
    member = gzip.compress(block, compresslevel=9)
    with path.open("wb") as out:
        for _ in range(total // len(block)):
            out.write(member)


def _zstd_frames(path: Path, block: bytes, total: int) -> None:
    frame = zstandard.ZstdCompressor(level=19).compress(block)
    with path.open("wb") as out:
        for _ in range(total // len(block)):
            out.write(frame)


def endless_gzip_line(folder: Path) -> Path:
    """``{"resourceSpans":[`` then 2 GiB of spaces, one line, gzip (~2 MB)."""
    path = folder / "endless.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(b'{"resourceSpans":[')
        chunk = b" " * (16 * MIB)
        for _ in range(2 * GIB // len(chunk)):
            out.write(chunk)
    return path


def gzip_bomb(folder: Path) -> Path:
    """10 GiB of zeros in ~10 MB of gzip."""
    path = folder / "bomb.jsonl.gz"
    _gzip_members(path, b"\0" * (16 * MIB), 10 * GIB)
    return path


def zstd_bomb(folder: Path) -> Path:
    """10 GiB of zeros in a few hundred KB of zstd."""
    path = folder / "bomb.jsonl.zst"
    _zstd_frames(path, b"\0" * (128 * MIB), 10 * GIB)
    return path


def plain_line(folder: Path) -> Path:
    """A 2 GiB plain line (a sparse file: ``{"resourceSpans":[`` then NUL bytes)."""
    path = folder / "line.jsonl"
    with path.open("wb") as out:
        out.write(b'{"resourceSpans":[')
        out.truncate(2 * GIB)
    return path


def zstd_newlines(folder: Path) -> Path:
    """10 GiB of newlines in ~30 KB of zstd, then one request."""
    path = folder / "newlines.jsonl.zst"
    _zstd_frames(path, b"\n" * (128 * MIB), 10 * GIB)
    with path.open("ab") as out:
        out.write(zstandard.ZstdCompressor().compress(_request(_span(1, {})) + b"\n"))
    return path


def damaged_first_lines(folder: Path) -> Path:
    """A 454 MB JSON Lines file whose first two lines are damaged."""
    path = folder / "damaged.otlp.jsonl"
    source = folder / "replicated.otlp.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("make_otlp.py")),
            "--spans",
            "160000",
            "--out",
            str(source),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with path.open("wb") as out, source.open("rb") as lines:
        out.write(b'{"resourceSpans": [\n{"broken\n')
        shutil.copyfileobj(lines, out, 16 * MIB)
    source.unlink()
    return path


def large_values(folder: Path) -> Path:
    """60 spans, each with two 10 MB string values, one span per line (1.2 GB), gzip."""
    path = folder / "large_values.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        for number in range(1, 61):
            attributes = {"input.value": "x" * (10 * 10**6), "output.value": "y" * (10 * 10**6)}
            out.write(_request(_span(number, attributes)) + b"\n")
    return path


def dense_line_under_the_cap(folder: Path) -> Path:
    """One legitimate request line just under the 32 MiB cap, of ~75,000 small spans: the worst a
    line that is read (not rejected) costs, since the JSON parser builds the whole request."""
    path = folder / "dense.jsonl"
    spans = []
    size = 0
    number = 0
    while size < 31 * MIB:
        number += 1
        span = _span(number, {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"})
        size += len(json.dumps(span)) + 1
        spans.append(span)
    path.write_bytes(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}).encode() + b"\n")
    return path


def _span(number: int, attributes: dict[str, str]) -> dict[str, object]:
    return {
        "traceId": f"{number:032x}",
        "spanId": f"{number:016x}",
        "name": "chat",
        "kind": 3,
        "startTimeUnixNano": "1795609528582294846",
        "endTimeUnixNano": "1795609528582363047",
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes.items()],
    }


def _request(span: dict[str, object]) -> bytes:
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}).encode()


CASES: dict[str, Callable[[Path], Path]] = {
    "endless_gzip_line": endless_gzip_line,
    "gzip_bomb": gzip_bomb,
    "zstd_bomb": zstd_bomb,
    "plain_2gib_line": plain_line,
    "zstd_10gib_newlines": zstd_newlines,
    "damaged_first_lines_454mb": damaged_first_lines,
    "large_values_60x2x10mb": large_values,
    "dense_31mib_line": dense_line_under_the_cap,
}


def audit(path: Path) -> tuple[int, float, float, str]:
    """(exit code, peak RSS in MB, wall seconds, the last stderr line) of one audit.

    Measured by GNU time (``/usr/bin/time``), a small parent: a child forked from this script would
    start with this script's resident size as its high-water mark (Linux keeps it across exec).
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as measured:
        command = ["/usr/bin/time", "-f", "%M %e", "-o", measured.name, str(TRACEREADY), "audit", "otel"]
        result = subprocess.run(
            [*command, str(path), "--format", "json", "--out", os.devnull],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        peak_kb, seconds = measured.read().split()[-2:]
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return result.returncode, int(peak_kb) / 1024, float(seconds), lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--keep", type=Path, help="generate the files here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="traceready-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    print("| case | file size | exit | peak RSS | wall | last message |\n|---|---:|---:|---:|---:|---|")
    try:
        for name in args.case or CASES:
            path = CASES[name](folder)
            code, rss_mb, seconds, last = audit(path)
            verdict = "" if rss_mb < BOUND_MB else f" **over {BOUND_MB} MB**"
            size = path.stat().st_blocks * 512  # on disk: the sparse file is ~4 KB
            row = (
                name,
                f"{size / 1e6:,.1f} MB",
                code,
                f"{rss_mb:,.0f} MB{verdict}",
                f"{seconds:,.0f} s",
                last[:160],
            )
            print("| " + " | ".join(map(str, row)) + " |")
            sys.stdout.flush()
            if args.keep is None:
                path.unlink()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
