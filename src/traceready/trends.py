"""Trends read from the history: per target, per requirement, scores over time and status changes."""

from __future__ import annotations

import difflib
from datetime import date, datetime
from itertools import pairwise

from pydantic import BaseModel, ConfigDict

from traceready.errors import NotFoundError
from traceready.findings import Status
from traceready.history import AuditRecord, History
from traceready.regressions import DEFAULT_TOLERANCE, Assessment, assess
from traceready.settings import Settings
from traceready.waivers import Waiver


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Point(_Frozen):
    """One audit's verdict on one requirement."""

    audited_at: datetime
    status: Status
    score: float


class StatusChange(_Frozen):
    """A requirement's status changed between two consecutive audits."""

    audited_at: datetime
    before: Status
    after: Status


class RequirementTrend(_Frozen):
    """One requirement of one target over the audits read."""

    requirement: str
    title: str
    points: tuple[Point, ...]
    changes: tuple[StatusChange, ...]

    @property
    def last_change(self) -> StatusChange | None:
        """The most recent status change, if any."""
        return self.changes[-1] if self.changes else None


class TargetTrend(_Frozen):
    """One target's audits: the trend of each requirement and the latest audit judged."""

    target: str
    audits: int
    first: datetime
    last: datetime
    scores: tuple[float, ...]
    """Overall score of each audit, oldest first."""
    requirements: tuple[RequirementTrend, ...]
    latest: Assessment
    """The newest audit against the one before it, with waivers applied."""


def build_trends(
    audits: list[AuditRecord],
    *,
    waivers: tuple[Waiver, ...] = (),
    today: date,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[TargetTrend]:
    """Group ``audits`` (oldest first) by target and build each one's trend."""
    by_target: dict[str, list[AuditRecord]] = {}
    for audit in audits:
        by_target.setdefault(audit.target, []).append(audit)
    trends = []
    for target, runs in sorted(by_target.items()):
        titles: dict[str, str] = {}
        points: dict[str, list[Point]] = {}
        for run in runs:
            for f in run.findings:
                titles[f.requirement] = f.title
                points.setdefault(f.requirement, []).append(
                    Point(audited_at=run.audited_at, status=f.status, score=f.score)
                )
        requirements = tuple(
            RequirementTrend(
                requirement=req,
                title=titles[req],
                points=tuple(series),
                changes=tuple(
                    StatusChange(audited_at=b.audited_at, before=a.status, after=b.status)
                    for a, b in pairwise(series)
                    if a.status is not b.status
                ),
            )
            for req, series in sorted(points.items())
        )
        previous = runs[-2] if len(runs) > 1 else None
        trends.append(
            TargetTrend(
                target=target,
                audits=len(runs),
                first=runs[0].audited_at,
                last=runs[-1].audited_at,
                scores=tuple(run.score for run in runs),
                requirements=requirements,
                latest=assess(runs[-1], previous, waivers=waivers, today=today, tolerance=tolerance),
            )
        )
    return trends


def read_trends(
    history: History,
    target: str | None,
    *,
    since: datetime | None,
    settings: Settings,
    today: date,
) -> list[TargetTrend]:
    """The trends of ``target`` (or every target) recorded from ``since`` on, waivers as of ``today``."""
    if target is not None and target not in (known := history.targets()):
        close = difflib.get_close_matches(target, known, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"recorded: {', '.join(known) or 'none yet'}"
        raise NotFoundError(f"no audit of {target!r} in the history at {history.path}", hint=hint)
    return build_trends(
        history.audits(target, since),
        waivers=settings.waivers,
        today=today,
        tolerance=settings.regression_tolerance,
    )
