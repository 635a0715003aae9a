"""A real Phoenix server for the end-to-end tests, started once per session and stopped by its pid.

``phoenix_server`` loads every bundled sample ``<scenario>.otlp.jsonl`` into a project named
``<scenario>`` (underscores are fine in Phoenix project names), waits until all spans are queryable
and seeds the demo extras (dataset, experiment, failure taxonomy, labelled failed span, tagged
prompt) on ``openinference_full``. ``phoenix_auth_server`` is a second server with auth on, started
only when a test asks for it. These tests are never skipped: without arize-phoenix they fail.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest

from traceready.connectors.phoenix.demo_seed import DemoExtras, seed_demo_extras
from traceready.connectors.phoenix.otlp_loader import load_otlp_file, wait_for_spans
from traceready.connectors.phoenix.server import LocalPhoenix

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "traceready" / "samples" / "otel"
EXTRAS_PROJECT = "openinference_full"
SUFFIX = ".otlp.jsonl"

# Network calls made while the session server is seeded, recorded by an audit hook (which cannot be
# removed once added, so it records only while this is a list).
_recorded: list[tuple[str, Any]] | None = None
_hook_added = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recorded is None:
        return
    if event in ("socket.connect", "socket.sendto"):
        _recorded.append((event, args[1]))
    elif event == "socket.getaddrinfo":
        _recorded.append((event, args[0]))


def _record_network() -> list[tuple[str, Any]]:
    global _recorded, _hook_added
    if not _hook_added:
        sys.addaudithook(_audit)
        _hook_added = True
    _recorded = []
    return _recorded


def _stop_recording() -> None:
    global _recorded
    _recorded = None


def require_phoenix() -> str:
    """The installed arize-phoenix version; a hard failure (never a skip) when it is missing."""
    try:
        return version("arize-phoenix")
    except PackageNotFoundError:
        pytest.fail(
            "arize-phoenix is not installed; the Phoenix end-to-end tests need it "
            "(scripts/setup installs it) and are never skipped"
        )


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (a zombie would still count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def scenarios() -> dict[str, Path]:
    """Bundled sample scenario name -> its OTLP/JSON file."""
    return {p.name.removesuffix(SUFFIX): p for p in sorted(SAMPLES.glob(f"*{SUFFIX}"))}


@dataclass
class PhoenixFixture:
    """The seeded session server."""

    server: LocalPhoenix
    base_url: str
    projects: dict[str, int]
    """Project name (= scenario) -> spans loaded into it."""
    files: dict[str, Path]
    extras: DemoExtras
    extras_project: str = EXTRAS_PROJECT
    network: list[tuple[str, Any]] = field(default_factory=list)
    """(audit event, address) of every connection made while loading and seeding."""


@dataclass
class AuthPhoenixFixture:
    """The auth-mode server."""

    server: LocalPhoenix
    base_url: str
    admin_secret: str
    system_key: str

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization`` with the system key."""
        return {"Authorization": f"Bearer {self.system_key}"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist (``scripts/test``) the tests here share one worker, so one seeded server each."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.xdist_group("phoenix"))


@pytest.fixture(scope="session")
def phoenix_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoenixFixture]:
    """One seeded Phoenix for the session (working dir kept under pytest's basetemp for its log)."""
    require_phoenix()
    files = scenarios()
    assert files, f"no samples in {SAMPLES}"
    server = LocalPhoenix(working_dir=tmp_path_factory.mktemp("phoenix"))
    with server:
        network = _record_network()
        try:
            projects = {name: load_otlp_file(server.base_url, name, path) for name, path in files.items()}
            for name, sent in projects.items():
                wait_for_spans(server.base_url, name, sent, timeout=120)
            extras = seed_demo_extras(server.base_url, EXTRAS_PROJECT)
        finally:
            _stop_recording()
        yield PhoenixFixture(
            server=server,
            base_url=server.base_url,
            projects=projects,
            files=files,
            extras=extras,
            network=list(network),
        )
    if pid_alive(server.pid):
        pytest.fail(f"Phoenix (pid {server.pid}) still runs after the session fixture stopped it")


@pytest.fixture(scope="session")
def phoenix_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthPhoenixFixture]:
    """A second Phoenix with ``PHOENIX_ENABLE_AUTH=true`` and a system API key; started on first use."""
    require_phoenix()
    server = LocalPhoenix(working_dir=tmp_path_factory.mktemp("phoenix-auth"), enable_auth=True)
    with server:
        assert server.admin_secret is not None
        yield AuthPhoenixFixture(
            server=server,
            base_url=server.base_url,
            admin_secret=server.admin_secret,
            system_key=server.create_system_api_key("traceready-tests"),
        )
    if pid_alive(server.pid):
        pytest.fail(f"Phoenix (pid {server.pid}) still runs after the auth fixture stopped it")
