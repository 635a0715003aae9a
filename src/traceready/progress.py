"""Progress of a long read, on stderr and only on a terminal (stdout is the report's)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

SHOW_AFTER_SECONDS = 1.0
"""A read that ends sooner shows nothing."""


class ReadProgress:
    """Which file is being read and how many bytes so far; stopped by ``stop`` (idempotent)."""

    def __init__(self, console: Console | None = None, show_after: float = SHOW_AFTER_SECONDS) -> None:
        self.console = console or Console(stderr=True)
        self.show_after = show_after
        self._started: float | None = None
        self._progress: Progress | None = None
        self._task = TaskID(0)

    def update(self, name: str, index: int, count: int, bytes_read: int) -> None:
        """File ``index`` of ``count`` (from 1), ``bytes_read`` decompressed bytes of it so far."""
        if not self.console.is_terminal:
            return
        now = time.monotonic()
        if self._started is None:
            self._started = now
        if self._progress is None:
            if now - self._started < self.show_after:
                return
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
            self._progress = Progress(*columns, console=self.console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task("", total=None)
        where = f" (file {index} of {count})" if count > 1 else ""
        self._progress.update(self._task, description=f"reading {name}{where}: {bytes_read / 1e6:,.0f} MB")

    def stop(self) -> None:
        """Remove the display."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
