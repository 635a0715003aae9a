"""Self-reported facts that traces cannot show: the answers file ``traceready interview`` writes.

```toml
version = 2

[agent]
description = "Books trips: searches flights and hotels, then books them"
architecture = "single"          # single | multi
models = ["gpt-4o-mini"]
tools = ["search_flights", "book_hotel"]

[logging]
source = "langsmith"             # where the logs live; with project, the target to audit
project = "travel-agent"
reasoning = "steps"              # full | steps | final
tool_calls = "some"              # all | some | none | no_tools
tools_not_logged = ["crm_lookup"]

[sandbox]
experiments_isolated = "unknown" # "not sure" is recorded as unknown, never as no
```
Every key is optional; README.md lists them all. ``version = 2`` marks this layout; a file without
``version`` is the first format (sections sandbox, eval_harness, versioning, failures, retention),
which reads unchanged. Reports mark these facts self-reported; an observed fact wins over them and
a contradiction between the two is reported.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError

from traceready.errors import NotFoundError, UsageError, invalid

ANSWERS_FORMAT_VERSION: Literal[2] = 2

UNKNOWN = "unknown"
"""What "not sure" is recorded as: answered, and unknown (never a no)."""

Unknown = Literal["unknown"]
T = TypeVar("T")


def known(value: T | Unknown | None) -> T | None:
    """The answer, or None when it was not given or answered "not sure"."""
    if value is None or value == UNKNOWN:
        return None
    return value  # type: ignore[return-value]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AgentAnswers(_Section):
    """What the agent is: the report's header; chooses TRAIL or MAST for g."""

    description: str | None = None
    architecture: Literal["single", "multi"] | Unknown | None = None
    models: list[str] | Unknown | None = None
    tools: list[str] | Unknown | None = None
    harness: str | None = None


class LoggingAnswers(_Section):
    """What is logged today, where and in what shape (a, b, c, d, g, h)."""

    source: (
        Literal["langsmith", "braintrust", "phoenix", "otel", "text_files", "database", "other"]
        | Unknown
        | None
    ) = None
    project: str | None = None
    access: str | None = None
    format: Literal["spans", "json", "text"] | Unknown | None = None
    inputs_outputs: bool | Unknown | None = None
    reasoning: Literal["full", "steps", "final"] | Unknown | None = None
    tool_calls: Literal["all", "some", "none", "no_tools"] | Unknown | None = None
    tools_not_logged: list[str] | Unknown | None = None
    decisions: bool | Unknown | None = None
    errors: Literal["typed", "message", "none"] | Unknown | None = None
    usage: Literal["tokens_and_cost", "tokens", "none"] | Unknown | None = None


class RetentionAnswers(_Section):
    """Requirement e: how long traces are kept."""

    days: NonNegativeInt | Unknown | None = None


class EvalHarnessAnswers(_Section):
    """Requirement j: how performance is measured today."""

    how: str | None = None
    automated: bool | Unknown | None = None
    automated_evaluators: NonNegativeInt | Unknown | None = None
    datasets: NonNegativeInt | Unknown | None = None
    test_cases: NonNegativeInt | Unknown | None = None
    frequency: Literal["daily", "weekly", "per_release", "ad_hoc", "never"] | Unknown | None = None
    scored_experiments: NonNegativeInt | Unknown | None = None
    last_run: date | Unknown | None = None


class ReplayAnswers(_Section):
    """Requirement e: can a session be replayed from the logs."""

    possible: bool | Unknown | None = None
    how: list[Literal["recorded_tool_responses", "fixed_seeds", "replay_tool", "other"]] | Unknown | None = (
        None
    )
    deterministic: bool | Unknown | None = None


class SandboxAnswers(_Section):
    """Requirement i."""

    experiments_isolated: bool | Unknown | None = None
    how: str | None = None


class VersioningAnswers(_Section):
    """Requirement f."""

    harness_in_version_control: bool | Unknown | None = None
    version_on_traces: bool | Unknown | None = None


class FailureAnswers(_Section):
    """Requirement g: the failure taxonomy in use ("none" when there is none)."""

    taxonomy: str | None = None


class Answers(_Section):
    """The whole answers file."""

    version: Literal[1, 2] = ANSWERS_FORMAT_VERSION
    agent: AgentAnswers = AgentAnswers()
    logging: LoggingAnswers = LoggingAnswers()
    retention: RetentionAnswers = RetentionAnswers()
    eval_harness: EvalHarnessAnswers = EvalHarnessAnswers()
    replay: ReplayAnswers = ReplayAnswers()
    sandbox: SandboxAnswers = SandboxAnswers()
    versioning: VersioningAnswers = VersioningAnswers()
    failures: FailureAnswers = FailureAnswers()

    def flat(self) -> dict[str, Any]:
        """The given answers keyed ``section.key``, in file order."""
        data = self.model_dump(exclude_none=True, exclude={"version"})
        return {
            f"{section}.{key}": value for section, values in data.items() for key, value in values.items()
        }

    @classmethod
    def from_flat(cls, flat: dict[str, Any]) -> Answers:
        """Answers from ``section.key`` values (validated)."""
        nested: dict[str, Any] = {}
        for dotted, value in flat.items():
            section, key = dotted.split(".", 1)
            nested.setdefault(section, {})[key] = value
        return cls.model_validate(nested)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # A JSON string is a valid TOML basic string, once DEL (which TOML forbids bare) is escaped too.
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def dump_answers(answers: Answers) -> str:
    """The answers as TOML (``version = 2``), only the keys that were answered."""
    lines = [
        "# Self-reported facts for traceready --answers (written by traceready interview).",
        f"version = {ANSWERS_FORMAT_VERSION}",
    ]
    for section, values in answers.model_dump(exclude_none=True, exclude={"version"}).items():
        if not values:
            continue
        lines += ["", f"[{section}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def save_answers(path: Path, answers: Answers) -> None:
    """Write the answers atomically: a crash leaves the old file or the new one, never half of one."""
    text = dump_answers(answers)
    directory = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_answers(path: Path | None) -> Answers:
    """The answers file, validated (either format); none given means nothing self-reported."""
    if path is None:
        return Answers()
    if not path.is_file():
        raise NotFoundError(f"answers file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    written = data.get("version", 1)
    if isinstance(written, int) and written > ANSWERS_FORMAT_VERSION:
        raise UsageError(
            f"{path}: answers format version {written} is newer than this traceready reads "
            f"({ANSWERS_FORMAT_VERSION})",
            hint="upgrade traceready",
        )
    try:
        return Answers.model_validate({**data, "version": written})
    except ValidationError as exc:
        raise invalid(f"{path}", exc) from None
