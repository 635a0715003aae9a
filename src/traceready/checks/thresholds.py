"""The one object that holds every scoring threshold, overridable from ``traceready.toml``.

```toml
[thresholds]
present = 0.95                            # every scored criterion must reach this for PRESENT
examples = 5                              # example spans kept per finding
recent_days = 30                          # an experiment newer than this counts as recent (j)
"b.tool_spans_with_arguments" = 0.8       # a single criterion's own bar
```
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Thresholds(BaseModel):
    """Scoring thresholds (DESIGN.md §3 defaults)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    present: float = Field(0.9, ge=0.0, le=1.0)
    examples: int = Field(5, ge=0, le=100)
    recent_days: int = Field(30, ge=1)

    @model_validator(mode="after")
    def _criterion_bars(self) -> Self:
        for name, value in (self.model_extra or {}).items():
            if "." not in name:
                raise ValueError(f"unknown threshold {name!r}")
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"threshold {name!r} must be a number from 0 to 1")
        return self

    def bar(self, metric: str) -> float:
        """The bar a criterion must reach: its own override, else ``present``."""
        extra = self.model_extra or {}
        value = extra.get(metric, self.present)
        return float(value)
