"""Regressions between two audits of a target, and each requirement's outcome with waivers applied.

A regression is a requirement that dropped a level (PRESENT to PARTIAL, PARTIAL to ABSENT...) or a
scored criterion whose ratio fell by more than the tolerance. UNKNOWN has no level: a requirement
that became UNKNOWN lost its evidence (shown as a status change), not its quality.

Default tolerance, 0.10: the default window is 500 traces. A ratio over n units has a binomial
standard error sqrt(p(1 - p) / n), largest at p = 0.5: 0.5 / sqrt(500) = 0.022. The difference of
two independent audits has sqrt(2) times that, 0.032. A drop of 0.10 is 3.16 of those: sampling
noise of an unchanged agent passes it for about 1 criterion in 1,280 (one-sided normal tail), so an
audit of ~30 scored criteria raises a false regression about once in 43 runs at worst, and far less
for ratios near 0 or 1 or over spans (more units than traces). Smaller windows are noisier: raise
``regression_tolerance`` in ``traceready.toml`` for them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from traceready.findings import Status, rank
from traceready.history import AuditRecord, Criterion, FindingRecord
from traceready.waivers import Waiver, meets

DEFAULT_TOLERANCE = 0.10
"""Largest fall of a criterion's ratio that is not a regression (derivation in the module docstring)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Regression(_Frozen):
    """A requirement that dropped a level, or a criterion whose ratio fell by more than the tolerance."""

    target: str
    requirement: str
    kind: Literal["level", "criterion"]
    before: str
    after: str
    metric: str | None = None
    before_ratio: float | None = None
    after_ratio: float | None = None

    def describe(self) -> str:
        """One line naming what fell and both values."""
        if self.kind == "level":
            return f"{self.requirement} dropped {self.before} -> {self.after}"
        return f"{self.metric} fell from {self.before} to {self.after}"


def _ratio_text(criterion: Criterion) -> str:
    return f"{criterion.value:.2f} ({criterion.numerator} of {criterion.denominator})"


def find_regressions(previous: AuditRecord, current: AuditRecord, tolerance: float) -> list[Regression]:
    """What got worse from ``previous`` to ``current``, requirement by requirement."""
    found: list[Regression] = []
    for now in current.findings:
        before = previous.finding(now.requirement)
        if before is not None:
            found += _finding_regressions(current.target, before, now, tolerance)
    return found


def _finding_regressions(
    target: str, before: FindingRecord, now: FindingRecord, tolerance: float
) -> list[Regression]:
    found = []
    known = Status.UNKNOWN not in (before.status, now.status)
    if known and rank(now.status) < rank(before.status):
        found.append(
            Regression(
                target=target,
                requirement=now.requirement,
                kind="level",
                before=before.status.value,
                after=now.status.value,
            )
        )
    earlier = {c.metric: c for c in before.criteria}
    for criterion in now.criteria:
        old = earlier.get(criterion.metric)
        if not criterion.scored or old is None or old.value is None or criterion.value is None:
            continue
        # A small epsilon: a fall of exactly the tolerance is not more than it.
        if old.value - criterion.value > tolerance + 1e-9:
            found.append(
                Regression(
                    target=target,
                    requirement=now.requirement,
                    kind="criterion",
                    metric=criterion.metric,
                    before=_ratio_text(old),
                    after=_ratio_text(criterion),
                    before_ratio=round(old.value, 4),
                    after_ratio=round(criterion.value, 4),
                )
            )
    return found


class Outcome(_Frozen):
    """One requirement of one target: its finding, the bar it must reach, regressions and waivers."""

    target: str
    finding: FindingRecord
    bar: Status = Status.PRESENT
    regressions: tuple[Regression, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    """Active waivers that apply."""
    expired: tuple[Waiver, ...] = ()
    """Waivers that applied and have expired: reported, and the finding counts again."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def meets_bar(self) -> bool:
        """True when the status reaches the bar."""
        return meets(self.finding.status, self.bar)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def waived(self) -> bool:
        """Stops counting toward --fail-under and regressions.

        Wholly waived, every gap it shows waived, or a lowered bar that it meets.
        """
        if any(w.gap is None and w.level is None for w in self.waivers):
            return True
        if any(w.level is not None for w in self.waivers) and self.meets_bar:
            return True
        waived_gaps = {w.gap for w in self.waivers if w.gap is not None}
        return bool(self.finding.gaps) and set(self.finding.gaps) <= waived_gaps

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failed(self) -> bool:
        """Below its bar or regressed, and not waived."""
        return not self.waived and (not self.meets_bar or bool(self.regressions))

    def why(self) -> str:
        """The reason in one line: regressions first, then the bar, then the finding's own reason."""
        parts = [r.describe() for r in self.regressions]
        if not self.meets_bar:
            parts.append(f"{self.finding.status.value}, must reach {self.bar.value}")
        parts.append(self.finding.reason)
        parts += [w.describe() for w in self.waivers]
        parts += [f"waiver expired {w.expires.isoformat()}: {w.reason}" for w in self.expired]
        return "; ".join(parts)


class Assessment(_Frozen):
    """One audit of one target judged against the previous one (or a baseline) and the waivers."""

    record: AuditRecord
    previous: AuditRecord | None = None
    outcomes: tuple[Outcome, ...]

    @property
    def regressions(self) -> list[Regression]:
        """Regressions that count (waived requirements left out)."""
        return [r for o in self.outcomes if not o.waived for r in o.regressions]

    @property
    def gated_score(self) -> float:
        """The overall score over the requirements that count (waived ones left out), for --fail-under."""
        counted = [o.finding.score for o in self.outcomes if not o.waived]
        return round(sum(counted) / len(counted), 4) if counted else 1.0


def assess(
    record: AuditRecord,
    previous: AuditRecord | None,
    *,
    waivers: tuple[Waiver, ...] = (),
    today: date,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Assessment:
    """Judge ``record``: regressions since ``previous``, waivers as of ``today``."""
    regressions = find_regressions(previous, record, tolerance) if previous else []
    outcomes = []
    for finding in record.findings:
        matching = [w for w in waivers if w.applies_to(record.target, finding.requirement)]
        active = tuple(w for w in matching if w.active(today))
        lowered = [w.level for w in active if w.level is not None]
        outcomes.append(
            Outcome(
                target=record.target,
                finding=finding,
                bar=min(lowered, key=rank) if lowered else Status.PRESENT,
                regressions=tuple(r for r in regressions if r.requirement == finding.requirement),
                waivers=active,
                expired=tuple(w for w in matching if not w.active(today)),
            )
        )
    return Assessment(record=record, previous=previous, outcomes=tuple(outcomes))
