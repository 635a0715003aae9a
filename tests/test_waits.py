"""The one wait reporter: a live countdown on a terminal, nothing per retry in a log, totals at the end."""

from __future__ import annotations

import io
import threading

from rich.console import Console

from traceready.waits import WaitReporter, reason_label


def test_on_a_terminal_the_wait_names_what_is_awaited() -> None:
    screen = io.StringIO()
    reporter = WaitReporter("Braintrust", console=Console(file=screen, force_terminal=True, width=100))
    reporter.wait(0.3, "429", "POST /btql", threading.Event())
    assert "Braintrust rate limit (429) on POST /btql: retrying in" in screen.getvalue()


def test_off_a_terminal_a_wait_prints_nothing() -> None:
    log = io.StringIO()
    reporter = WaitReporter("LangSmith", console=Console(file=log, force_terminal=False))
    reporter.wait(0.01, "503", "POST /runs/query", threading.Event())
    assert log.getvalue() == ""


def test_a_cancelled_wait_returns_at_once() -> None:
    cancel = threading.Event()
    cancel.set()
    screen = io.StringIO()
    reporter = WaitReporter("Phoenix", console=Console(file=screen, force_terminal=True))
    finished = threading.Event()
    worker = threading.Thread(
        target=lambda: (reporter.wait(600, "429", "GET /v1/spans", cancel), finished.set())
    )
    worker.start()
    worker.join(timeout=30)
    assert finished.is_set()


def test_totals_count_retries_and_seconds() -> None:
    reporter = WaitReporter("Phoenix")
    reporter.count(1.4)
    assert reporter.totals() == "1 retry, 1 s spent waiting"
    reporter.count(2.0)
    assert reporter.totals() == "2 retries, 3 s spent waiting"
    assert [reason_label(r) for r in ("429", "502", "ConnectError")] == [
        "rate limit (429)",
        "server error (502)",
        "unreachable (ConnectError)",
    ]
