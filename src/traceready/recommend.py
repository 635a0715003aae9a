"""Vendor-specific fixes, keyed by gap id, from each connector's ``recommendations.yaml``.

```yaml
b.tool_spans_missing:
  title: Give every tool execution a span of its own
  how: sdk
  snippet: |
    with tracer.start_as_current_span(f"execute_tool {name}") as span: ...
  doc_url: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
```
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, HttpUrl, RootModel, ValidationError

from traceready.errors import UsageError
from traceready.findings import Finding, Recommendation


class How(StrEnum):
    """Where the change is made."""

    ENV = "env"
    SDK = "sdk"
    UI = "ui"
    CONFIG = "config"
    PROCESS = "process"


class Entry(BaseModel):
    """One catalog entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    how: How
    snippet: str | None = None
    doc_url: HttpUrl
    covers: tuple[str, ...] = ()
    """Gap ids this fix closes too: when one of them is also found, its own entry is not repeated."""
    shared_doc: bool = False
    """True when ``doc_url`` is, on purpose, the same page as another entry's (one page covers both)."""


class Catalog(RootModel[dict[str, Entry]]):
    """A connector's recommendations by gap id."""

    def covered(self, found: Collection[str]) -> set[str]:
        """The gaps among ``found`` whose fix another found gap's entry already gives."""
        return {
            gap for other in found if (entry := self.root.get(other)) for gap in entry.covers if gap in found
        }

    def for_gaps(self, gaps: tuple[str, ...], skip: Collection[str] = ()) -> tuple[Recommendation, ...]:
        """Recommendations for the gaps present, in gap order, except those in ``skip``."""
        return tuple(
            Recommendation(
                gap=gap,
                title=entry.title,
                how=entry.how.value,
                snippet=entry.snippet,
                doc_url=str(entry.doc_url),
            )
            for gap in gaps
            if gap not in skip and (entry := self.root.get(gap)) is not None
        )


def load_catalog(path: Path) -> Catalog:
    """A validated catalog; a broken file is a UsageError naming the entry."""
    if not path.is_file():
        return Catalog({})
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Catalog.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise UsageError(f"{path}: invalid recommendations catalog ({exc.__class__.__name__})") from None


def attach(findings: list[Finding], catalog: Catalog) -> list[Finding]:
    """Each finding with the recommendations for its gaps: one fix per gap, none given twice.

    A gap whose fix another found gap's entry ``covers`` (``h.cost_missing`` under
    ``h.cost_unpriced``, in the same finding or another) gets no entry of its own.
    """
    covered = catalog.covered({gap for f in findings for gap in f.gaps})
    return [
        f.model_copy(update={"recommendations": catalog.for_gaps(f.gaps, skip=covered)}) for f in findings
    ]
