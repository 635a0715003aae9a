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

from traceready.answers import Answers, load_answers
from traceready.connector import Connector, installed_connectors
from traceready.model import Rejection


class AnswersConnector(Connector):
    """An answers file written by ``traceready interview``; no traces."""

    slug: ClassVar[str] = "answers"
    title: ClassVar[str] = "Interview answers"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.answers: Answers = load_answers(path)

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Nothing: the answers are the whole audit."""
        return iter(())

    def describe_target(self) -> str:
        """The answers file."""
        return f"{self.path.name} (answers only: no traces audited)"

    def window(self) -> str:
        """No traces, so no window."""
        return "none: every finding rests on the answers file"

    def recommendations_path(self) -> Path:
        """The catalog of the source the answers name, else OpenTelemetry's."""
        connectors = installed_connectors()
        source = self.answers.logging.source
        chosen = connectors.get(source) if isinstance(source, str) and source != self.slug else None
        return (chosen or connectors["otel"]).package_dir() / "recommendations.yaml"
