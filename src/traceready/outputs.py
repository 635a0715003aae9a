"""Where reports and span exports go: checked before the audit starts, written atomically.

A long vendor pull must never be lost to an output path that could have been checked first, and a
failed write must never leave half a report behind. So every output path (``--out``,
``--export-spans``) passes ``check_output_path`` before anything is pulled, and is written through
``atomic_output``: a temporary file beside the target, renamed over it once complete. Paths that
are not regular files (``/dev/null``, ``/dev/stdout``, a FIFO) are written in place: renaming over
them would replace the device.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import orjson

from traceready.errors import UsageError
from traceready.model import Span
from traceready.span_format import export

FORMAT_BY_SUFFIX: dict[str, str] = {
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".txt": "table",
    ".html": "html",
    ".htm": "html",
}
"""Report format inferred from ``--out``'s extension when ``--format`` is not given (renderers
registered later add theirs, e.g. ``FORMAT_BY_SUFFIX[".html"] = "html"``)."""


def format_for_output(out: Path | None) -> str | None:
    """The report format ``out``'s extension implies, or None when it implies none."""
    return None if out is None else FORMAT_BY_SUFFIX.get(out.suffix.lower())


def check_output_path(path: Path, flag: str) -> None:
    """Raise a one-line UsageError when ``path`` cannot receive a file written by ``flag``.

    Run before the audit: a directory, a missing folder or a folder that refuses a new file are
    found here, not after a long pull. A full disk (``/dev/full``) shows only when written.
    """
    shown = f"{flag} {os.fsdecode(path)!r}"
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None  # the folder is looked at below
    except OSError as exc:
        raise UsageError(f"{shown}: cannot use this path ({exc.strerror})") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"{shown} is a directory", hint="give a file name inside it")
    if mode is not None and not stat.S_ISREG(mode):
        if not os.access(path, os.W_OK):
            raise UsageError(f"{shown} is not writable")
        return  # a device or FIFO: written in place
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{shown}: folder {os.fsdecode(folder)!r} {what}")
    try:
        # The very step atomic_output takes (a temporary file in the target's folder): os.access
        # would say yes to root on a read-only mount.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".check"):
            pass
    except OSError as exc:
        raise UsageError(
            f"{shown}: cannot write in folder {os.fsdecode(folder)!r} ({exc.strerror})"
        ) from None
    if mode is not None and not os.access(path, os.W_OK):
        raise UsageError(f"{shown} is not writable")


@contextlib.contextmanager
def atomic_output(path: Path, flag: str) -> Iterator[IO[bytes]]:
    """A binary stream whose content replaces ``path`` only when the block completes.

    On any failure the temporary file is removed and ``path`` is left as it was. A write error
    (disk full) is a UsageError naming the path.
    """
    shown = f"{flag} {os.fsdecode(path)!r}"
    if _is_special(path):
        try:
            with path.open("wb") as stream:
                yield stream
        except OSError as exc:
            raise UsageError(f"cannot write {shown} ({exc.strerror or exc})") from None
        return
    try:
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {shown} ({exc.strerror or exc})") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, _new_file_mode())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {shown} ({exc.strerror or exc})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes, flag: str) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_output``)."""
    with atomic_output(path, flag) as stream:
        stream.write(data)


def _is_special(path: Path) -> bool:
    """True for an existing path that is not a regular file (a device, a FIFO, a socket)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _new_file_mode() -> int:
    """The mode ``open()`` would give a new file (``mkstemp`` makes it 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class AuditOutputs:
    """The files one audit writes (``--out``, ``--export-spans``), checked as soon as they are named.

    ```python
    outputs = AuditOutputs(out, export_spans)       # UsageError now, before anything is pulled
    with outputs.span_export() as on_span:          # the export replaces its file only when done
        report = run_audit(connector, mapper, ..., on_span=on_span)
    outputs.write_report(text)                      # False when there is no --out: print it
    ```
    """

    def __init__(self, out: Path | None, export_spans: Path | None) -> None:
        self.out = out
        self.export_spans = export_spans
        for path, flag in ((out, "--out"), (export_spans, "--export-spans")):
            if path is not None:
                check_output_path(path, flag)

    @contextlib.contextmanager
    def span_export(self) -> Iterator[Callable[[Span], None] | None]:
        """A callback writing each mapped span as a JSON line, or None without ``--export-spans``."""
        if self.export_spans is None:
            yield None
            return
        with atomic_output(self.export_spans, "--export-spans") as stream:

            def write(span: Span) -> None:
                stream.write(orjson.dumps(export(span), option=orjson.OPT_SORT_KEYS) + b"\n")

            yield write

    def write_report(self, text: str) -> bool:
        """Write the rendered report to ``--out``; False when there is none (the caller prints it)."""
        if self.out is None:
            return False
        write_output(self.out, text.encode("utf-8"), "--out")
        return True
