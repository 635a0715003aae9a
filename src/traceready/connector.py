"""What every connector provides, and how connectors are found.

A connector knows one vendor: it yields raw records (plain dicts, lazily) or ``Rejection``s for
records it could not even read, and it collects an ``Inventory`` of project-level facts. It never
computes a verdict. Connectors register in the entry-point group ``traceready.connectors``; the
built-ins register the same way, so a third-party package adds one with no change here.

The contract the command line is built from (``traceready audit <slug>``)::

    class AcmeConnector(WindowedConnector):
        slug = "acme"
        title = "Acme"
        settings_model = AcmeSettings          # pydantic-settings: Acme's own env variables
        options = (Option("--project", "project", "Acme project.", subject=True),)
        required_key = "api_key"               # exit 3 before any request when unset

        @classmethod
        def create(cls, settings: AcmeSettings, pull: Pull) -> AcmeConnector:
            return cls(settings, pull.window, limit=pull.limit, sample=pull.sample, seed=pull.seed)

Settings are layered by ``traceready.targets.build_connector``: the ``[acme]`` table of
``traceready.toml``, then the variables the settings model reads, then the target and the flags.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic_settings import BaseSettings

from traceready.answers import Answers
from traceready.errors import TracereadyError, UsageError, unknown_name
from traceready.model import Rejection
from traceready.window import Window, parse_since, reservoir_sample

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


@dataclass(frozen=True, slots=True)
class Option:
    """One flag of ``traceready audit <slug>``: it fills one setting of the connector's settings model.

    ``subject`` marks the option a target string fills (``phoenix:my-agent`` fills ``--project``,
    ``otel:./exports`` the paths); ``argument`` makes it positional, ``multiple`` a list.
    """

    flag: str
    """``--project``; or the metavar of a positional argument (``FILE_OR_DIR``)."""
    setting: str
    """The field of the settings model the value fills."""
    help: str
    type: type[str] | type[int] | type[float] | type[Path] = str
    default: str | int | float | None = None
    """None: the setting's own default (traceready.toml, the environment, the model)."""
    subject: bool = False
    argument: bool = False
    multiple: bool = False

    @property
    def name(self) -> str:
        """The option's name without dashes (``--api-url`` -> ``api_url``), as target tables spell it."""
        return self.flag.lstrip("-").replace("-", "_").lower()

    def value(self, text: str) -> Any:
        """A target string's subject as this option's setting value."""
        value = self.type(text)
        return [value] if self.multiple else value


def _default_window() -> Window:
    return Window(start=parse_since("7d"))


@dataclass(frozen=True, slots=True)
class Pull:
    """How much one audit reads: the same window, limit and sample for every windowed source."""

    window: Window = field(default_factory=_default_window)
    limit: int = 500
    sample: int | None = None
    seed: int = 0
    sleep: Callable[[float], None] | None = None
    """How to wait between retries; None: ``traceready.waits`` (a countdown on a terminal, else quiet)."""
    on_wait: Callable[[float, str], None] | None = None
    """Told the delay and reason before each wait."""


class NoSettings(BaseSettings):
    """The settings of a connector that reads none."""


class Connector(ABC):
    """One vendor's source of raw records."""

    slug: ClassVar[str]
    """The vendor slug: CLI word, entry-point name, folder, mapping and cassette names."""

    title: ClassVar[str]
    """Human name of the vendor, for reports."""

    reads_traces: ClassVar[bool] = True
    """False for a source that holds no traces at all (the answers connector: the interview alone)."""

    children_first: ClassVar[bool] = False
    """True when records arrive as their spans ended, children before their root (OTLP files, which
    exporters write span by span as each ends); vendor APIs page by start time or by trace."""

    settings_model: ClassVar[type[BaseSettings]] = NoSettings
    """The connector's settings: the vendor's own environment variables as ``validation_alias``es."""

    options: ClassVar[tuple[Option, ...]] = ()
    """The flags of ``traceready audit <slug>`` beyond the shared ones."""

    required_key: ClassVar[str | None] = None
    """The settings field of an API key the source cannot work without (checked before any request)."""

    windowed: ClassVar[bool] = False
    """True when the audit reads a time window (``--since``, ``--limit``, ``--sample``, ``--seed``)."""

    @classmethod
    @abstractmethod
    def create(cls, settings: Any, pull: Pull) -> Connector:
        """The connector for ``settings`` (an instance of ``settings_model``) and one ``pull``."""

    @classmethod
    def demo(
        cls, sample: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[Connector] | None:
        """``traceready demo``: a connector over the bundled OTLP sample, or None when not this one's job.

        ``server`` asks for the sample loaded into a real local server; ``step`` reports progress.
        """
        return None

    @classmethod
    def demo_before_after(
        cls, before: Path, after: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[tuple[Connector, Connector]] | None:
        """``traceready demo --compare``: connectors over the same agent before and after the fixes.

        None when not this one's job; ``server`` and ``step`` as for ``demo``.
        """
        return None

    @classmethod
    def subject(cls) -> Option | None:
        """The option a target string fills (``phoenix:my-agent``), if any."""
        return next((o for o in cls.options if o.subject), None)

    @classmethod
    def env_variables(cls) -> dict[str, tuple[str, ...]]:
        """The environment variables the settings model reads, by settings field."""
        found: dict[str, tuple[str, ...]] = {}
        for name, info in cls.settings_model.model_fields.items():
            alias = info.validation_alias
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
            names = tuple(c for c in choices if isinstance(c, str) and c.isupper())
            if names:
                found[name] = names
        return found

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

    def current_source(self) -> str | None:
        """The input (a file of several) the last record came from; None for a single source."""
        return None

    def source_details(self) -> dict[str, dict[str, Any]]:
        """Per input named by ``current_source``: extra ``SourceCounts`` fields (bytes read, problem)."""
        return {}

    def nothing_mapped(self) -> TracereadyError | None:
        """The error to end the audit with when no span could be mapped; None when that is an answer."""
        return None

    def self_reported(self) -> Answers:
        """Self-reported facts the source itself holds (the answers connector's file); default none.

        ``--answers`` given on the command line takes their place.
        """
        return Answers()

    def maps_as(self) -> type[Connector]:
        """The connector whose mapping and fixes read this audit's records: this one's own.

        A reader of files another vendor wrote (``traceready audit file`` on a LangSmith runs
        export) answers that vendor's connector, so its rows go through that vendor's mapping.
        """
        return type(self)

    def recommendations_path(self) -> Path:
        """The catalog of fixes for this audit's gaps: ``recommendations.yaml`` of ``maps_as``'s package."""
        return self.maps_as().package_dir() / "recommendations.yaml"

    @classmethod
    def package_dir(cls) -> Path:
        """The folder of the connector's package (holds ``recommendations.yaml``)."""
        import sys

        module = sys.modules[cls.__module__]
        return Path(module.__file__ or ".").parent


class WindowedConnector(Connector):
    """A vendor API audited over a time window: the newest ``limit`` traces, or a uniform sample."""

    windowed: ClassVar[bool] = True

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
        raise unknown_name(UsageError(f"unknown connector {slug!r}"), slug, connectors, kind="installed")
    return connectors[slug]
