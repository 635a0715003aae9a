"""The interview alone: ``traceready audit answers answers.toml``, for a team with no traces to reach.

It yields no records, so every check observes nothing and each finding takes the status the answers
support, marked self-reported (``checks.base.with_answers``): the same rule that lets answers fill
what an audit of traces could not observe. Its fixes are those of the source the answers name
(``[logging] source``), else OpenTelemetry's, the first step for a team with text logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from pydantic_settings import BaseSettings, SettingsConfigDict

from traceready.answers import Answers, load_answers
from traceready.connector import Connector, Option, Pull, installed_connectors
from traceready.errors import UsageError
from traceready.model import Rejection


class AnswersSettings(BaseSettings):
    """The answers file (a target ``answers:./answers.toml``, or the argument)."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    path: Path | None = None


class AnswersConnector(Connector):
    """the answers file traceready interview wrote, audited alone (no traces)."""

    slug: ClassVar[str] = "answers"
    title: ClassVar[str] = "Interview answers"
    reads_traces: ClassVar[bool] = False
    settings_model: ClassVar[type[BaseSettings]] = AnswersSettings
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "ANSWERS_FILE",
            "path",
            "The answers file traceready interview wrote.",
            type=Path,
            subject=True,
            argument=True,
        ),
    )

    def __init__(self, path: Path) -> None:
        self.path = path
        self.answers: Answers = load_answers(path)

    @classmethod
    def create(cls, settings: AnswersSettings, pull: Pull) -> AnswersConnector:
        """The answers file of ``settings``; no traces, so ``pull`` is not used."""
        if settings.path is None:
            raise UsageError("no answers file given", hint="traceready audit answers answers.toml")
        return cls(settings.path)

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Nothing: the answers are the whole audit."""
        return iter(())

    def describe_target(self) -> str:
        """The answers file."""
        return f"{self.path.name} (answers only: no traces audited)"

    def window(self) -> str:
        """No traces, so no window."""
        return "none: every finding rests on the answers file"

    def self_reported(self) -> Answers:
        """The file's answers: the whole audit rests on them."""
        return self.answers

    def recommendations_path(self) -> Path:
        """The catalog of the source the answers name, else OpenTelemetry's."""
        connectors = installed_connectors()
        source = self.answers.logging.source
        chosen = connectors.get(source) if isinstance(source, str) and source != self.slug else None
        return (chosen or connectors["otel"]).package_dir() / "recommendations.yaml"
