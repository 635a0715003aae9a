"""``traceready demo``: a real local Phoenix holding the sample agent's traces, gone when the demo ends.

The server is stopped by pid and its temporary working dir removed on a clean exit, on an error, on
Ctrl-C and on SIGTERM (turned into an exit with code 143 that runs the clean-up); a server that
crashes mid-demo ends the demo with a one-line ``VendorUnavailableError`` and is cleaned up the same
way. Only SIGKILL of traceready itself leaves the dir, which the next start removes
(``server.remove_stale_dirs``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import httpx

from traceready.connector import Connector
from traceready.errors import TracereadyError, VendorUnavailableError
from traceready.window import Window, parse_since

from . import AFTER_PROJECT, BEFORE_PROJECT, DEMO_PROJECT, PhoenixConnector, PhoenixSettings
from .demo_seed import seed_demo_extras
from .otlp_loader import load_otlp_file, wait_for_spans
from .server import LocalPhoenix, _tail

SIGTERM_EXIT = 128 + signal.SIGTERM


class DemoConnector(PhoenixConnector):
    """The demo's Phoenix: its window is every trace the demo loaded, said in those words."""

    def __init__(self, settings: PhoenixSettings, window: Window, *, loaded: str) -> None:
        super().__init__(settings, window)
        self.loaded = loaded

    def window(self) -> str:
        """What the demo audits, not the ten-year window it reads it through."""
        return self.loaded


@contextlib.contextmanager
def exit_on_sigterm() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``SystemExit(143)``, so ``finally`` clean-ups run."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(SIGTERM_EXIT)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def demo_server() -> Iterator[LocalPhoenix]:
    """A local Phoenix for the demo: a server that dies under it ends the demo in one line (exit 5)."""
    with exit_on_sigterm(), LocalPhoenix() as server:
        try:
            yield server
        except (TracereadyError, httpx.HTTPError, RuntimeError, TimeoutError) as exc:
            # A connection the dying server dropped can fail before its process is reaped.
            if not server.exited_within(2.0):
                raise
            # The server died under us: say so in one line, with its last words (the log goes
            # with the working dir).
            code = server.returncode
            last = (_tail(server.log_path, 5).strip().splitlines() or ["(empty log)"])[-1][:300]
            raise VendorUnavailableError(
                f"the demo's Phoenix server (pid {server.pid}) stopped with code {code}",
                hint=f"last log line: {last}",
            ) from exc


def _load(server: LocalPhoenix, project: str, path: Path) -> None:
    sent = load_otlp_file(server.base_url, project, path)
    wait_for_spans(server.base_url, project, sent)


def _demo_connector(server: LocalPhoenix, project: str, loaded: str) -> DemoConnector:
    settings = PhoenixSettings(endpoint=server.base_url, project=project)
    return DemoConnector(settings, Window(start=parse_since("3650d")), loaded=loaded)


@contextlib.contextmanager
def demo_project(path: Path, step: Callable[[str], None] = lambda _: None) -> Iterator[Connector]:
    """A connector to a fresh local Phoenix project holding ``path``'s spans and the demo extras.

    ``step`` is told what is happening (for a progress line). Everything started is stopped and
    removed when the block exits, however it exits.
    """
    with demo_server() as server:
        step(f"loading the sample agent's traces (server pid {server.pid})")
        _load(server, DEMO_PROJECT, path)
        step("adding a dataset, a scored experiment and a failure taxonomy")
        seed_demo_extras(server.base_url, DEMO_PROJECT)
        connector = _demo_connector(
            server,
            DEMO_PROJECT,
            f"every trace of the sample agent's file, loaded into the local project {DEMO_PROJECT} "
            "with a dataset, a scored experiment and failure labels added",
        )
        try:
            yield connector
        finally:
            connector.close()


@contextlib.contextmanager
def before_after_projects(
    before: Path, after: Path, step: Callable[[str], None] = lambda _: None
) -> Iterator[tuple[Connector, Connector]]:
    """Connectors to two projects of one fresh local Phoenix: the agent before and after the fixes.

    Both projects share the server's dataset, scored experiment and failure taxonomy (Phoenix keeps
    them per server, not per project); the failed tool span that gets a failure label exists only
    after the fixes, which trace tools. Stopped and removed however the block exits.
    """
    with demo_server() as server:
        step(f"loading the agent's traces before and after the fixes (server pid {server.pid})")
        _load(server, BEFORE_PROJECT, before)
        _load(server, AFTER_PROJECT, after)
        step("adding a dataset, a scored experiment and a failure taxonomy")
        seed_demo_extras(server.base_url, AFTER_PROJECT)
        shared = "the server's dataset, scored experiment and failure taxonomy"
        connectors = (
            _demo_connector(
                server,
                BEFORE_PROJECT,
                f"the agent before the fixes: every trace of its file, in the local project "
                f"{BEFORE_PROJECT}, with {shared}",
            ),
            _demo_connector(
                server,
                AFTER_PROJECT,
                f"the same agent after the fixes: every trace of its file, in the local project "
                f"{AFTER_PROJECT}, with {shared}",
            ),
        )
        try:
            yield connectors
        finally:
            for connector in connectors:
                connector.close()
