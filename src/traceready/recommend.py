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

from collections.abc import Collection
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, HttpUrl, RootModel, ValidationError

from traceready.errors import UsageError
from traceready.findings import Finding, Recommendation
from traceready.yaml_text import safe_load


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
    covers: tuple[str, ...] = ()
    """Gap ids this fix closes too: when one of them is also found, its own entry is not repeated."""
    shared_doc: bool = False
    """True when ``doc_url`` is, on purpose, the same page as another entry's (one page covers both)."""


class Catalog(RootModel[dict[str, Entry]]):
    """A connector's recommendations by gap id."""

    def entry_for(self, gap: str, families: tuple[str, ...] = ()) -> Entry | None:
        """The entry for ``gap``, fitted to the first detected family that has one.

        ``<gap>@<family>`` (``a.content_redacted@openinference``) wins over the plain ``<gap>`` entry.
        """
        return next(
            (e for family in families if (e := self.root.get(f"{gap}@{family}")) is not None),
            self.root.get(gap),
        )

    def covered(self, found: Collection[str], families: tuple[str, ...] = ()) -> set[str]:
        """The gaps among ``found`` whose fix another found gap's entry already gives."""
        return {
            gap
            for other in found
            if (entry := self.entry_for(other, families))
            for gap in entry.covers
            if gap in found
        }

    def for_gaps(
        self, gaps: tuple[str, ...], families: tuple[str, ...] = (), skip: Collection[str] = ()
    ) -> tuple[Recommendation, ...]:
        """Recommendations for the gaps present, in gap order, except those in ``skip``.

        Each is fitted to the detected instrumentation families (most spans first).
        """
        return tuple(
            Recommendation(
                gap=gap,
                title=entry.title,
                how=entry.how.value,
                snippet=entry.snippet,
                doc_url=str(entry.doc_url),
            )
            for gap in gaps
            if gap not in skip and (entry := self.entry_for(gap, families)) is not None
        )

    def owner(self, gap: str) -> Owner:
        """Whose gap ``gap`` is (the team's when the catalog does not say)."""
        entry = self.root.get(gap)
        return entry.owner if entry is not None else Owner.TEAM


def load_catalog(path: Path) -> Catalog:
    """A validated catalog; a broken file is a UsageError naming the entry."""
    if not path.is_file():
        return Catalog({})
    try:
        data = safe_load(path.read_text(encoding="utf-8")) or {}
        return Catalog.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise UsageError(f"{path}: invalid recommendations catalog ({exc.__class__.__name__})") from None


def attach(findings: list[Finding], catalog: Catalog, families: tuple[str, ...] = ()) -> list[Finding]:
    """Each finding with the recommendations for its gaps: one fix per gap, none given twice.

    Fixes are fitted to the instrumentation families detected.

    A gap whose fix another found gap's entry ``covers`` (``h.cost_missing`` under
    ``h.cost_unpriced``, in the same finding or another) gets no entry of its own.
    """
    covered = catalog.covered({gap for f in findings for gap in f.gaps}, families)
    return [
        f.model_copy(update={"recommendations": catalog.for_gaps(f.gaps, families, skip=covered)})
        for f in findings
    ]
