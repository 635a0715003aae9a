"""Waivers: accept a known gap for a while, declared in ``traceready.toml``.

```toml
[[waivers]]                 # the whole requirement, for one target
target = "prod-langsmith"
requirement = "j"
reason = "eval harness lands in Q2 (JIRA-123)"
expires = 2027-06-30

[[waivers]]                 # one gap id only: a new gap of h still counts
target = "*"                # every target
requirement = "h"
gap = "h.cost_missing"
reason = "the gateway prices calls; cost arrives in the billing export"
expires = 2027-03-31

[[waivers]]                 # lower the level i must reach: a batch agent has no sandbox to show
target = "nightly-batch"
requirement = "i"
level = "ABSENT"
reason = "batch agent, out of scope"
expires = 2027-12-31
```
A waived finding still shows, marked with its reason and expiry; until the waiver expires (the
expiry day included, in UTC) it stops counting toward ``--fail-under`` and regressions. Once expired it is
reported as such and counts again.
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from traceready.findings import Status, rank

REQUIREMENTS = "abcdefghij"


class Waiver(BaseModel):
    """One accepted gap: a requirement, or one gap id, of a target, or the level it must reach."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str = Field(min_length=1)
    """A target name as recorded in the history, or ``*`` for every target."""
    requirement: str
    gap: str | None = None
    """Waive only this gap id (``h.cost_missing``); the requirement counts again if another gap shows."""
    level: Status | None = None
    """Lower the bar instead: the level the requirement must reach (PARTIAL, or ABSENT = out of scope)."""
    reason: str = Field(min_length=1)
    expires: date

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.requirement not in REQUIREMENTS or len(self.requirement) != 1:
            raise ValueError(f"requirement must be one of a to j, not {self.requirement!r}")
        if self.gap is not None and not self.gap.startswith(f"{self.requirement}."):
            raise ValueError(f"gap {self.gap!r} is not a gap of requirement {self.requirement}")
        if self.gap is not None and self.level is not None:
            raise ValueError("a waiver either names a gap or lowers the level, not both")
        if self.level in (Status.PRESENT, Status.UNKNOWN):
            raise ValueError("level must be PARTIAL or ABSENT (the level the requirement must reach)")
        return self

    def applies_to(self, target: str, requirement: str) -> bool:
        """True when this waiver is about ``requirement`` of ``target``."""
        return self.requirement == requirement and self.target in ("*", target)

    def active(self, today: date) -> bool:
        """True until the end of the expiry day."""
        return today <= self.expires

    def describe(self) -> str:
        """The waiver in words: ``waived until 2027-06-30: reason``, with its gap or level."""
        what = f" {self.gap}" if self.gap else (f" (must reach {self.level.value})" if self.level else "")
        return f"waived{what} until {self.expires.isoformat()}: {self.reason}"


def meets(status: Status, bar: Status) -> bool:
    """True when ``status`` reaches ``bar``; a bar of ABSENT (out of scope) is met by anything."""
    return bar is Status.ABSENT or rank(status) >= rank(bar)
