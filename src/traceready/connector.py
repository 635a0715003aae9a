"""What every connector provides, and how connectors are found.

A connector knows one vendor: it yields raw records (plain dicts, lazily) or ``Rejection``s for
records it could not even read, and it collects an ``Inventory`` of project-level facts. It never
computes a verdict. Connectors register in the entry-point group ``traceready.connectors``; the
built-ins register the same way, so a third-party package adds one with no change here.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from datetime import datetime
from importlib.metadata import entry_points
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from traceready.errors import UsageError
from traceready.model import Rejection
from traceready.window import Window, reservoir_sample

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "traceready.connectors"

T = TypeVar("T")

VERDICT_LABELS = frozenset(
    {
        *("positive", "negative", "good", "bad", "yes", "no", "thumbs up", "thumbs down"),
        *("true", "false", "0", "1", "correct", "incorrect", "pass", "fail"),
    }
)
"""Labels of a verdict, not of a failure category: a categorical config using only these (an
evaluator's ``correctness``, a thumbs-up) is no failure taxonomy (``Inventory.failure_taxonomies``)."""


class Inventory(BaseModel):
    """Project-level facts a connector found beside the spans; None means "could not see"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    datasets: int | None = None
    dataset_examples: int | None = None
    experiments: int | None = None
    scored_experiments: int | None = None
    last_experiment_at: datetime | None = None
    automated_evaluators: int | None = None
    experiments_with_version: int | None = None
    experiment_versions: tuple[str, ...] = ()
    """Harness or prompt versions named in experiment metadata (links f's versions to scores)."""
    prompt_versions: int | None = None
    failure_taxonomies: tuple[str, ...] | None = None
    projects: tuple[str, ...] | None = None
    experiment_projects: int | None = None
    retention_days: int | None = None
    annotation_queues: int | None = None
    """Queues where people review and label traces (feeds g's categories and j's datasets)."""
    automation_rules: int | None = None
    """Enabled rules acting on new traces: online evaluators, routing to queues or datasets."""
    environments: tuple[str, ...] | None = None
    """Deployment environments the vendor keeps apart (e.g. prompt versions pinned per environment)."""


class Connector(ABC):
    """One vendor's source of raw records."""

    slug: ClassVar[str]
    """The vendor slug: CLI word, entry-point name, folder, mapping and cassette names."""

    title: ClassVar[str]
    """Human name of the vendor, for reports."""

    children_first: ClassVar[bool] = False
    """True when records arrive as their spans ended, children before their root (OTLP files, which
    exporters write span by span as each ends); vendor APIs page by start time or by trace."""

    @abstractmethod
    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Yield raw records lazily; unreadable ones as Rejections so they are counted."""

    def inventory(self) -> Inventory:
        """Project-level facts; the default knows nothing."""
        return Inventory()

    @abstractmethod
    def describe_target(self) -> str:
        """What is audited, in a few words (a project name, a file list)."""

    def window(self) -> str:
        """The audit window in a few words."""
        return "all spans in the input"

    def close(self) -> None:  # noqa: B027 - optional hook: most connectors hold nothing to release
        """Release what the connector opened (HTTP clients); the default holds nothing."""

    def sampled(self) -> tuple[int, int] | None:
        """(drawn, population) when the audit scored a uniform sample of a larger window."""
        return None

    def recommendations_path(self) -> Path:
        """The catalog of fixes for this audit's gaps: the package's ``recommendations.yaml``."""
        return self.package_dir() / "recommendations.yaml"

    @classmethod
    def package_dir(cls) -> Path:
        """The folder of the connector's package (holds ``recommendations.yaml``)."""
        import sys

        module = sys.modules[cls.__module__]
        return Path(module.__file__ or ".").parent


class WindowedConnector(Connector):
    """A vendor API audited over a time window: the newest ``limit`` traces, or a uniform sample."""

    def __init__(self, window: Window, *, limit: int, sample: int | None, seed: int) -> None:
        self.window_ = window
        self.limit = limit
        self.sample = sample
        self.seed = seed
        self.population: int | None = None
        """Traces in the window, known once a sample was drawn from all of them."""

    def window(self) -> str:
        """The window, the trace limit and any sampling."""
        text = self.window_.describe()
        if self.sample is not None:
            return f"{text}; uniform sample of {self.sample} traces (seed {self.seed})"
        return f"{text}; newest {self.limit} traces"

    def sampled(self) -> tuple[int, int] | None:
        """(drawn, population) when a sample was drawn from a larger window."""
        if self.sample is None or self.population is None or self.population <= self.sample:
            return None
        return min(self.sample, self.population), self.population

    def select(self, traces: Iterable[T]) -> list[T]:
        """The first ``limit`` of ``traces`` (newest first), or a uniform ``sample`` of all of them."""
        if self.sample is not None:
            chosen, self.population = reservoir_sample(traces, self.sample, self.seed)
            return chosen
        return list(islice(traces, self.limit))


def installed_connectors() -> dict[str, type[Connector]]:
    """Connectors registered under the entry-point group, by slug; broken ones logged, not fatal."""
    found: dict[str, type[Connector]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except (ImportError, AttributeError) as exc:
            logger.warning("connector plug-in %r failed to load: %s", entry.name, exc)
            continue
        if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
            logger.warning("connector plug-in %r is not a Connector subclass", entry.name)
            continue
        if loaded.slug != entry.name:
            logger.warning("connector plug-in %r declares slug %r", entry.name, loaded.slug)
            continue
        found[entry.name] = loaded
    return dict(sorted(found.items()))


def get_connector(slug: str) -> type[Connector]:
    """The installed connector for ``slug``; an unknown slug lists the installed ones."""
    connectors = installed_connectors()
    if slug not in connectors:
        known = ", ".join(connectors) or "none"
        raise UsageError(f"unknown connector {slug!r}", hint=f"installed: {known}")
    return connectors[slug]
