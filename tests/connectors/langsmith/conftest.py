"""LangSmith replay: the cassettes served as LangSmith's read API on 127.0.0.1 (v1 or v2 backend).

``replay.py`` answers any run query from ``cassettes/langsmith/``
with the same code that rendered the recorded pages, so the connector is tested through its real
HTTP client against every query it makes. Workspace facts (datasets, experiments) are workspace-wide,
as in LangSmith: a server built from a subset of scenario folders is a workspace without them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.cassettes import CASSETTES
from tests.connectors.langsmith.replay import ReplayServer

LANGSMITH = CASSETTES / "langsmith"
SINCE = "2026-11-13T09:00:00Z"
"""The rendered requests' window start: the cassettes' runs start at 2026-11-20T09:00:00Z."""


CASSETTE_DAY = date(2026, 11, 21)
"""The day after the cassettes' runs and experiments (2026-11-20)."""


class _CassetteDay(date):
    @classmethod
    def today(cls) -> _CassetteDay:
        return cls(CASSETTE_DAY.year, CASSETTE_DAY.month, CASSETTE_DAY.day)


@pytest.fixture(autouse=True)
def _today_is_the_cassette_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """j's "recent runs" counts experiments of the last 30 days from today: read it as of the cassettes."""
    import traceready.checks.j_eval_harness as harness

    monkeypatch.setattr(harness, "date", _CassetteDay)


def project(scenario: str) -> str:
    """The LangSmith project a scenario was traced into."""
    return "travel-agent-" + scenario.replace("_", "-")


@pytest.fixture(scope="module", params=["v1", "v2"])
def replay(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(API base URL, backend) of a replay server holding every scenario."""
    with ReplayServer(backend=request.param) as url:
        yield url, request.param


@pytest.fixture(scope="module")
def replay_v1() -> Iterator[ReplayServer]:
    """A v1 replay server (its ``requests`` show what the connector sent)."""
    server = ReplayServer(backend="v1")
    server.start()
    yield server
    server.stop()


def workspace_of(tmp: Path, *scenarios: str) -> Path:
    """A cassette root holding only these scenario folders (and ``info.json``)."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(LANGSMITH / "info.json", tmp / "info.json")
    for scenario in scenarios:
        shutil.copytree(LANGSMITH / scenario, tmp / scenario)
    return tmp
