"""Self-reported facts that traces cannot show, read from ``--answers answers.toml``.

```toml
[sandbox]                       # i: experiments run apart from production?
experiments_isolated = true
how = "staging project with its own API keys"

[eval_harness]                  # j: datasets and scored experiments that run programmatically
datasets = 2
scored_experiments = 14
automated_evaluators = 3
last_run = 2026-11-20

[versioning]                    # f: is the harness (code, prompts, config) under version control?
harness_in_version_control = true

[failures]                      # g: which failure taxonomy labels failures
taxonomy = "TRAIL"

[retention]                     # e: how long traces are kept
days = 30
```
Every key is optional. Reports mark these facts self-reported; an observed fact wins over them and a
contradiction between the two is reported.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError

from traceready.errors import NotFoundError, UsageError, invalid


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SandboxAnswers(_Section):
    """Requirement i."""

    experiments_isolated: bool | None = None
    how: str | None = None


class EvalHarnessAnswers(_Section):
    """Requirement j."""

    datasets: NonNegativeInt | None = None
    scored_experiments: NonNegativeInt | None = None
    automated_evaluators: NonNegativeInt | None = None
    last_run: date | None = None


class VersioningAnswers(_Section):
    """Requirement f."""

    harness_in_version_control: bool | None = None


class FailureAnswers(_Section):
    """Requirement g."""

    taxonomy: str | None = None


class RetentionAnswers(_Section):
    """Requirement e."""

    days: NonNegativeInt | None = None


class Answers(_Section):
    """The whole answers file."""

    sandbox: SandboxAnswers = SandboxAnswers()
    eval_harness: EvalHarnessAnswers = EvalHarnessAnswers()
    versioning: VersioningAnswers = VersioningAnswers()
    failures: FailureAnswers = FailureAnswers()
    retention: RetentionAnswers = RetentionAnswers()


QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "sandbox",
        "experiments_isolated",
        "Do experiments run apart from production (own project, keys, data)?",
    ),
    ("sandbox", "how", "How are they kept apart (one line)?"),
    ("eval_harness", "datasets", "How many evaluation datasets with examples exist?"),
    ("eval_harness", "scored_experiments", "How many scored experiments (runs over a dataset) exist?"),
    ("eval_harness", "automated_evaluators", "How many automated evaluators (code or LLM judges) run?"),
    ("eval_harness", "last_run", "When did the evaluation suite last run (YYYY-MM-DD)?"),
    (
        "versioning",
        "harness_in_version_control",
        "Is the harness (code, prompts, tools) under version control?",
    ),
    ("failures", "taxonomy", "Which failure taxonomy labels failures (e.g. TRAIL, MAST)?"),
    ("retention", "days", "How many days are traces kept?"),
)
"""(section, key, question) asked by ``traceready interview``, in file order."""


def dump_answers(answers: Answers) -> str:
    """The answers as TOML, only the keys that were answered."""
    lines: list[str] = ["# Self-reported facts for traceready --answers (written by traceready interview)."]
    for section, values in answers.model_dump(exclude_none=True).items():
        if not values:
            continue
        lines += ["", f"[{section}]"]
        for key, value in values.items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, int | date):
                text = str(value)
            else:
                text = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
            lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def load_answers(path: Path | None) -> Answers:
    """The answers file, validated; none given means nothing self-reported."""
    if path is None:
        return Answers()
    if not path.is_file():
        raise NotFoundError(f"answers file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    try:
        return Answers.model_validate(data)
    except ValidationError as exc:
        raise invalid(f"{path}", exc) from None
