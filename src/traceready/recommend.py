"""Vendor-specific fixes, keyed by gap id, from each connector's ``recommendations.yaml``.

```yaml
b.tool_spans_missing:
  title: Give every tool execution a span of its own
  how: sdk
  snippet: |
    with tracer.start_as_current_span(f"execute_tool {name}") as span: ...
  doc_url: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
  owner: vendor    # optional, default team
```

``owner`` says whose gap it is when the fix is needed: ``vendor`` when the vendor's own SDK or wrappers
cannot record the fact (the team must work around a limit, e.g. a chat-completion wrapper that never
traces the tool run), ``team`` when it is the team's instrumentation or a setting it can change.
``traceready compare`` reads it to say which gaps are the vendor's.
"""

from __future__ import annotations

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


class Owner(StrEnum):
    """Whose gap it is: the vendor's SDK or wrappers, or the team's instrumentation."""

    VENDOR = "vendor"
    TEAM = "team"


class Entry(BaseModel):
    """One catalog entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    how: How
    snippet: str | None = None
    doc_url: HttpUrl
    owner: Owner = Owner.TEAM


class Catalog(RootModel[dict[str, Entry]]):
    """A connector's recommendations by gap id."""

    def for_gaps(self, gaps: tuple[str, ...], families: tuple[str, ...] = ()) -> tuple[Recommendation, ...]:
        """Recommendations for the gaps present, in gap order.

        An entry keyed ``<gap>@<family>`` (``a.content_redacted@openinference``) is the fix for traces
        written by that instrumentation family; it wins over the plain ``<gap>`` entry when the family
        was detected (the first detected family with an entry, most spans first).
        """
        chosen = []
        for gap in gaps:
            entry = next(
                (e for family in families if (e := self.root.get(f"{gap}@{family}")) is not None),
                self.root.get(gap),
            )
            if entry is not None:
                chosen.append(
                    Recommendation(
                        gap=gap,
                        title=entry.title,
                        how=entry.how.value,
                        snippet=entry.snippet,
                        doc_url=str(entry.doc_url),
                    )
                )
        return tuple(chosen)

    def owner(self, gap: str) -> Owner:
        """Whose gap ``gap`` is (the team's when the catalog does not say)."""
        entry = self.root.get(gap)
        return entry.owner if entry is not None else Owner.TEAM


def load_catalog(path: Path) -> Catalog:
    """A validated catalog; a broken file is a UsageError naming the entry."""
    if not path.is_file():
        return Catalog({})
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Catalog.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise UsageError(f"{path}: invalid recommendations catalog ({exc.__class__.__name__})") from None


def attach(findings: list[Finding], catalog: Catalog, families: tuple[str, ...] = ()) -> list[Finding]:
    """Each finding with the recommendations for its gaps, fitted to the instrumentation families."""
    return [f.model_copy(update={"recommendations": catalog.for_gaps(f.gaps, families)}) for f in findings]
