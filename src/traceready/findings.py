"""What a check concludes: ``Ratio`` evidence, ``Finding`` per requirement, and their statuses."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    """How well a requirement is met."""

    PRESENT = "PRESENT"
    PARTIAL = "PARTIAL"
    ABSENT = "ABSENT"
    UNKNOWN = "UNKNOWN"


_RANK = {Status.PRESENT: 3, Status.PARTIAL: 2, Status.ABSENT: 1, Status.UNKNOWN: 0}


def rank(status: Status) -> int:
    """How good a status is, to compare two: PRESENT 3, PARTIAL 2, ABSENT 1, UNKNOWN 0."""
    return _RANK[status]


class Evidence(StrEnum):
    """Where a verdict comes from; an observed fact always wins over a self-reported one."""

    OBSERVED = "observed"
    INVENTORY = "inventory"
    SELF_REPORTED = "self-reported"
    NONE = "none"


class Ratio(_Frozen):
    """One measured criterion: ``numerator`` of ``denominator`` units met it.

    ``Ratio(metric="b.tool_spans_with_arguments", numerator=41, denominator=50,
    label="tool spans with arguments").describe()`` gives "41 of 50 tool spans with arguments".
    """

    metric: str
    numerator: int
    denominator: int
    label: str
    scored: bool = True
    threshold: float | None = None
    interval: tuple[float, float] | None = None
    """95% interval of the ratio when the audit scored a sample (Wilson score interval)."""
    summary: str | None = None
    """The sentence for a criterion that is a presence, not a proportion ("2 datasets with examples"):
    its ratio is 1 of 1 or 0 of 1, which would read as a contradiction beside a count."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def value(self) -> float | None:
        """The ratio, or None when no unit applied."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def applies(self) -> bool:
        """True when at least one unit was measured."""
        return self.denominator > 0

    def describe(self) -> str:
        """Human sentence fragment: "41 of 50 tool spans with arguments" (or the ``summary``)."""
        if self.summary is not None:
            return self.summary
        if not self.denominator:
            return f"{self.label}: none to measure"
        return f"{self.numerator} of {self.denominator} {self.label}"


class Example(_Frozen):
    """A span that shows a gap (or, for a met requirement, the evidence)."""

    span_id: str
    trace_id: str
    gap: str | None = None
    detail: str | None = None
    url: str | None = None


class Recommendation(_Frozen):
    """A vendor-specific change that closes a gap."""

    gap: str
    title: str
    how: str
    snippet: str | None = None
    doc_url: str | None = None


class Finding(_Frozen):
    """The verdict on one requirement, with everything needed to explain it."""

    requirement: str
    title: str
    status: Status
    score: float
    reason: str
    evidence: Evidence
    metrics: tuple[Ratio, ...] = ()
    breakdown: tuple[Ratio, ...] = ()
    thresholds: dict[str, float] = {}
    examples: tuple[Example, ...] = ()
    gaps: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
