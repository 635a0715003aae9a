"""The one wait reporter: how a retry's pause looks, the same for every connector.

On a terminal a rich live line on stderr names what is awaited and counts down; off a terminal (cron,
CI) nothing is shown per retry, and the totals (``retries``, ``seconds``) go into the final line:
the error's hint, or the summary ``VendorClient.close`` logs. Every wait ends early when the audit
is cancelled (Ctrl-C, or the connector closed), so no pause holds the process.
"""

from __future__ import annotations

import threading
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn


def reason_label(reason: str) -> str:
    """A retry reason in words: ``429`` is the rate limit, another status a server error."""
    if reason == "429":
        return "rate limit (429)"
    if reason.isdigit():
        return f"server error ({reason})"
    return f"unreachable ({reason})"


class WaitReporter:
    """Counts and shows the waits a vendor asked for (429 ``Retry-After``, 5xx backoff)."""

    def __init__(self, vendor: str, *, console: Console | None = None) -> None:
        self.vendor = vendor
        self.retries = 0
        self.seconds = 0.0
        self._console = console
        self._lock = threading.Lock()

    def wait(self, seconds: float, reason: str, what: str, cancel: threading.Event) -> None:
        """Pause ``seconds`` before retrying ``what``; returns at once when ``cancel`` is set."""
        console = self._console or Console(stderr=True)
        if not console.is_terminal:
            cancel.wait(seconds)
            return
        description = f"{self.vendor} {reason_label(reason)} on {what}: retrying in"
        columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(description, total=seconds)
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0 and not cancel.wait(min(0.25, left)):
                progress.update(task, completed=seconds - max(0.0, end - time.monotonic()))

    def count(self, seconds: float) -> None:
        """Add one retry and its pause to the totals."""
        with self._lock:
            self.retries += 1
            self.seconds += seconds

    def totals(self) -> str:
        """``3 retries, 14 s spent waiting``."""
        plural = "retry" if self.retries == 1 else "retries"
        return f"{self.retries} {plural}, {self.seconds:.0f} s spent waiting"
