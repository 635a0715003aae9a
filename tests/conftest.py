"""Shared test options: golden files change only with an explicit ``--update-golden``.

Also the bundled OTLP samples mapped through the built-in OTel mapping (``sample_spans``), shared
by the mapping tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from traceready.connectors.otel.reader import iter_file
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Rejection, Span

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "traceready" / "samples" / "otel"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files from the current output instead of comparing.",
    )


@pytest.fixture(autouse=True)
def _isolated_history(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Audits in tests record into a temporary history, never the user's; no CI step summary."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("TRACEREADY_HISTORY", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


def compare_golden(path: Path, actual: str, update: bool) -> None:
    """Assert ``actual`` equals the golden file, or rewrite it when updating."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"golden file {path.name} is missing; run pytest --update-golden and review it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.name} differs (pytest --update-golden to accept)"
    )


@pytest.fixture(scope="session")
def otel_mapper() -> Mapper:
    """The built-in OTel mapping, compiled."""
    return Mapper(load_mapping("otel"))


@pytest.fixture(scope="session")
def sample_spans(otel_mapper: Mapper) -> Callable[[str], list[Span]]:
    """Mapped spans of a bundled sample (``"otel_genai"``), in file order; any rejection fails."""
    cache: dict[str, list[Span]] = {}

    def load(name: str) -> list[Span]:
        if name not in cache:
            spans = []
            for record in iter_file(SAMPLES / f"{name}.otlp.jsonl"):
                assert not isinstance(record, Rejection), record
                span = otel_mapper.map_record(record)
                assert isinstance(span, Span), span
                spans.append(span)
            cache[name] = spans
        return cache[name]

    return load
