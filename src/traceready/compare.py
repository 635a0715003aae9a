"""Several targets audited with one window, limit, thresholds and answers file, side by side.

```
[(label, TargetAudit), ...] ─threads─▶ TargetResult per target (report, or error + exit code)
                                         ─▶ CompareReport: rows a-j, leader and what each other lacks,
                                            same-agent groups and their disagreements, the answer
```
Each ``TargetAudit`` gets a span hook (``on_span``) and returns a ``Report`` or raises a
``TracereadyError``; pulls wait on the network, so the targets run in threads. The report is a
public, versioned format (``COMPARE_FORMAT_VERSION``, JSON Schema ``traceready schema compare``)
holding every target's full report; only ``generated_at`` fields move between identical runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version

from pydantic import BaseModel, ConfigDict

from traceready.checks import ALL_CHECKS
from traceready.connector import get_connector
from traceready.errors import TracereadyError
from traceready.findings import Evidence, Finding, Recommendation, Status
from traceready.findings import rank as status_rank
from traceready.model import Span
from traceready.recommend import Catalog, Owner, load_catalog
from traceready.report.model import Report

logger = logging.getLogger(__name__)

COMPARE_FORMAT_VERSION = "1.1"
"""1.1 added a target's ``failed_gate``; its report may carry ``maps_as`` (report format 1.2)."""

SpanHook = Callable[[Span], None]


TargetAudit = Callable[[SpanHook], Report]
"""Audits one target, calling the hook with every mapped span; raises ``TracereadyError`` on failure."""


TRACE_FACTS = frozenset("abcde")
"""Requirements measured from the spans alone. Two sources holding the same agent must agree on
these; f-j also read what a vendor adds itself (prices, experiments, annotations), which differs."""

SPAN_NAMES_KEPT = 1000
"""Distinct span names kept per target (names only, never content), enough to match agents."""

METRIC_GAPS = {metric.id: metric.gap for check in ALL_CHECKS for metric in check.metrics}
"""The gap each criterion reveals when it falls short: the key into a recommendations catalog."""

BUG_EXIT_CODE = 70


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TargetError(_Frozen):
    """Why a target could not be audited, and the exit code ``traceready audit`` would have had."""

    message: str
    exit_code: int


class TargetResult(_Frozen):
    """One target: its full report, or its error. ``exit_code`` is what auditing it alone gives."""

    label: str
    exit_code: int
    report: Report | None = None
    error: TargetError | None = None
    span_names: tuple[str, ...] = ()
    """Distinct span names seen (sorted, at most ``SPAN_NAMES_KEPT``): how agents are matched."""
    failed_gate: tuple[str, ...] = ()
    """Why an audited target exits 1: below ``--fail-under`` (waivers applied), or regressed."""


class Cell(_Frozen):
    """One requirement of one target (None when the target could not be audited)."""

    target: str
    status: Status | None = None
    score: float | None = None
    evidence: Evidence | None = None


class Lack(_Frozen):
    """A criterion where a target records less than the requirement's leader, with its own fix."""

    target: str
    metric: str
    label: str
    numerator: int
    denominator: int
    leader: str
    leader_numerator: int
    leader_denominator: int
    gap: str
    owner: Owner
    """vendor: a limit of the target's SDK or wrappers; team: instrumentation the team can change."""
    fix: Recommendation | None = None

    def describe(self) -> str:
        """``langsmith:x: 0/40 tool calls ...; phoenix:y: 40/40``."""
        return (
            f"{self.target}: {self.numerator}/{self.denominator} {self.label}; "
            f"{self.leader}: {self.leader_numerator}/{self.leader_denominator}"
        )


class RequirementRow(_Frozen):
    """One requirement across the targets: who records the most, and what each other lacks."""

    requirement: str
    title: str
    cells: tuple[Cell, ...]
    leader: str | None
    """The target that records the most; None when all record alike (or none was audited)."""
    lacks: tuple[Lack, ...] = ()


class Measured(_Frozen):
    """One criterion as one target measured it."""

    target: str
    numerator: int
    denominator: int


class Disagreement(_Frozen):
    """Sources holding the same agent measure one criterion differently: a mapping or export bug."""

    requirement: str
    metric: str
    label: str
    measured: tuple[Measured, ...]


class SameAgent(_Frozen):
    """Targets that hold the same agent: the same trace count in the window and the same span names."""

    targets: tuple[str, ...]
    traces: int
    span_names: int
    disagreements: tuple[Disagreement, ...]


class CompareReport(_Frozen):
    """Several targets side by side (public format, ``COMPARE_FORMAT_VERSION``)."""

    format_version: str = COMPARE_FORMAT_VERSION
    kind: str = "compare"
    tool_version: str
    generated_at: str
    settings: dict[str, str]
    """What every target shared: window, limit, thresholds and answers file, as given."""
    targets: tuple[TargetResult, ...]
    requirements: tuple[RequirementRow, ...]
    same_agent: tuple[SameAgent, ...]
    readiest: str | None
    answer: str
    """Two or three sentences: which target is readier, which gaps are the vendor's or the team's."""
    exit_code: int
    """0 when every target was audited and passed the audit's gate (``--fail-under`` with waivers applied,
    ``--fail-on-regression``), else the highest target exit code."""


@dataclass(slots=True)
class _NameCollector:
    names: set[str] = field(default_factory=set)
    spans: int = 0

    def __call__(self, span: Span) -> None:
        self.spans += 1
        if len(self.names) < SPAN_NAMES_KEPT:
            self.names.add(span.name)


ProgressHook = Callable[[str, int, str], None]
"""Called with (label, spans mapped so far, state) as a target's audit advances: state is "pulling",
then "done" or "failed (exit N)"."""


def audit_targets(
    targets: Sequence[tuple[str, TargetAudit]],
    *,
    progress: ProgressHook | None = None,
) -> list[TargetResult]:
    """Audit every target in its own thread (pulls wait on the network); results in target order.

    A ``TracereadyError`` becomes the target's error with its exit code; any other exception is a bug
    (exit 70) of that target alone. The threads are daemons, so Ctrl-C ends the command at once.
    An audited target has exit 0 until ``gated`` applies the audit's gate to it.
    """
    results: list[TargetResult | None] = [None] * len(targets)

    def run(index: int, label: str, audit: TargetAudit) -> None:
        collector = _NameCollector()

        def on_span(span: Span) -> None:
            collector(span)
            if progress is not None and not collector.spans % 50:
                progress(label, collector.spans, "pulling")

        try:
            report = audit(on_span)
        except TracereadyError as exc:
            results[index] = TargetResult(
                label=label,
                exit_code=exc.exit_code,
                error=TargetError(message=exc.one_line(), exit_code=exc.exit_code),
            )
        except Exception as exc:
            logger.debug("target %s failed", label, exc_info=True)
            message = f"internal error: {exc.__class__.__name__}: {exc} (rerun with --debug)"
            results[index] = TargetResult(
                label=label,
                exit_code=BUG_EXIT_CODE,
                error=TargetError(message=message, exit_code=BUG_EXIT_CODE),
            )
        else:
            results[index] = TargetResult(
                label=label,
                exit_code=0,
                report=report,
                span_names=tuple(sorted(collector.names)),
            )
        finally:
            if progress is not None:
                result = results[index]
                error = result.error if result is not None else None
                state = "done" if error is None else f"failed (exit {error.exit_code})"
                progress(label, collector.spans, state)

    threads = [
        threading.Thread(target=run, args=(i, label, audit), name=f"traceready-{label}", daemon=True)
        for i, (label, audit) in enumerate(targets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.2)  # a bounded join keeps the main thread responsive to Ctrl-C
    return [result for result in results if result is not None]


def gated(results: Sequence[TargetResult], reasons: Mapping[str, Sequence[str]]) -> list[TargetResult]:
    """``results`` with exit 1 and the reasons for each audited target that has reasons to fail, by label.

    The reasons are the audit's own gate (``scheduled.gate``: ``--fail-under`` with waivers applied,
    ``--fail-on-regression``), so a target gets the exit code ``traceready audit`` gives it.
    """
    judged = []
    for result in results:
        why = tuple(r.removeprefix(f"{result.label}: ") for r in reasons.get(result.label, ()))
        if result.report is not None and why:
            result = result.model_copy(update={"exit_code": 1, "failed_gate": why})
        judged.append(result)
    return judged


def catalog_source(report: Report) -> str:
    """The connector whose catalog has ``report``'s fixes: ``maps_as`` (that read it), else its own."""
    return report.maps_as or report.connector


def catalog_of(report: Report) -> Catalog:
    """The recommendations catalog of the connector that read ``report`` (empty if not installed)."""
    try:
        return load_catalog(get_connector(catalog_source(report)).package_dir() / "recommendations.yaml")
    except TracereadyError:
        return Catalog({})


def compare_results(
    results: Sequence[TargetResult],
    *,
    settings: dict[str, str],
    catalogs: dict[str, Catalog] | None = None,
) -> CompareReport:
    """The side-by-side report of audited targets (``catalogs`` by ``catalog_source``, loaded if absent)."""
    audited = [r for r in results if r.report is not None]
    catalogs = dict(catalogs or {})
    for result in audited:
        assert result.report is not None
        if catalog_source(result.report) not in catalogs:
            catalogs[catalog_source(result.report)] = catalog_of(result.report)
    rows = tuple(_row(check.id, check.title, results, catalogs) for check in ALL_CHECKS)
    readiest = _readiest(audited)
    exit_code = max((r.exit_code for r in results), default=0)
    return CompareReport(
        tool_version=version("traceready"),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        settings=dict(sorted(settings.items())),
        targets=tuple(results),
        requirements=rows,
        same_agent=_same_agents(audited),
        readiest=readiest,
        answer=_answer(results, readiest, catalogs),
        exit_code=exit_code,
    )


def _finding(result: TargetResult, requirement: str) -> Finding | None:
    if result.report is None:
        return None
    return next((f for f in result.report.findings if f.requirement == requirement), None)


def _rank(finding: Finding) -> tuple[float, int, int]:
    recorded = sum(r.denominator for r in finding.metrics if r.scored)
    return (round(finding.score, 4), status_rank(finding.status), recorded)


def _row(
    requirement: str, title: str, results: Sequence[TargetResult], catalogs: dict[str, Catalog]
) -> RequirementRow:
    cells = []
    scored: list[tuple[TargetResult, Finding]] = []
    for result in results:
        finding = _finding(result, requirement)
        if finding is None:
            cells.append(Cell(target=result.label))
            continue
        cells.append(
            Cell(target=result.label, status=finding.status, score=finding.score, evidence=finding.evidence)
        )
        scored.append((result, finding))
    if not scored:
        return RequirementRow(requirement=requirement, title=title, cells=tuple(cells), leader=None)
    if len(scored) > 1 and len({_rank(f) for _, f in scored}) == 1:
        return RequirementRow(requirement=requirement, title=title, cells=tuple(cells), leader=None)
    # The first of the best wins a tie, so the order the user gave the targets decides it.
    best = max(_rank(f) for _, f in scored)
    leader, lead = next((r, f) for r, f in scored if _rank(f) == best)
    lacks: list[Lack] = []
    for result, finding in scored:
        if result is not leader:
            lacks.extend(_lacks(result, finding, leader.label, lead, catalogs))
    return RequirementRow(
        requirement=requirement, title=title, cells=tuple(cells), leader=leader.label, lacks=tuple(lacks)
    )


def _lacks(
    result: TargetResult, finding: Finding, leader: str, lead: Finding, catalogs: dict[str, Catalog]
) -> list[Lack]:
    assert result.report is not None
    catalog = catalogs.get(catalog_source(result.report), Catalog({}))
    mine = {r.metric: r for r in finding.metrics}
    lacks = []
    for theirs in lead.metrics:
        ratio = mine.get(theirs.metric)
        # Both must have measured the criterion: 0 of 0 failed steps means no failure happened, not
        # a failure recorded worse (a missing unit shows in the criterion that counts it: 0 of 5 calls).
        if not theirs.scored or ratio is None or not (ratio.applies and theirs.applies):
            continue
        if (ratio.value or 0.0) >= (theirs.value or 0.0):
            continue
        gap = METRIC_GAPS.get(theirs.metric, "")
        fix = next((rec for rec in finding.recommendations if rec.gap == gap), None)
        if fix is None:
            fix = next(iter(catalog.for_gaps((gap,))), None)
        lacks.append(
            Lack(
                target=result.label,
                metric=theirs.metric,
                label=theirs.label,
                numerator=ratio.numerator,
                denominator=ratio.denominator,
                leader=leader,
                leader_numerator=theirs.numerator,
                leader_denominator=theirs.denominator,
                gap=gap,
                owner=catalog.owner(gap),
                fix=fix,
            )
        )
    return lacks


def _same_agents(audited: Sequence[TargetResult]) -> tuple[SameAgent, ...]:
    groups: dict[tuple[int, tuple[str, ...]], list[TargetResult]] = {}
    for result in audited:
        assert result.report is not None
        if result.report.counts.traces and result.span_names:
            groups.setdefault((result.report.counts.traces, result.span_names), []).append(result)
    same = []
    for (traces, names), members in groups.items():
        if len(members) > 1:
            same.append(
                SameAgent(
                    targets=tuple(m.label for m in members),
                    traces=traces,
                    span_names=len(names),
                    disagreements=_disagreements(members),
                )
            )
    return tuple(same)


def _disagreements(members: Sequence[TargetResult]) -> tuple[Disagreement, ...]:
    found = []
    for check in ALL_CHECKS:
        if check.id not in TRACE_FACTS:
            continue
        for metric in check.metrics:
            measured = []
            for member in members:
                finding = _finding(member, check.id)
                ratio = next((r for r in finding.metrics if r.metric == metric.id), None) if finding else None
                if ratio is not None and ratio.applies:
                    measured.append(
                        Measured(
                            target=member.label, numerator=ratio.numerator, denominator=ratio.denominator
                        )
                    )
            if len(measured) > 1 and len({(m.numerator, m.denominator) for m in measured}) > 1:
                found.append(
                    Disagreement(
                        requirement=check.id, metric=metric.id, label=metric.label, measured=tuple(measured)
                    )
                )
    return tuple(found)


def _readiest(audited: Sequence[TargetResult]) -> str | None:
    def rank(result: TargetResult) -> tuple[float, int]:
        assert result.report is not None
        present = sum(f.status is Status.PRESENT for f in result.report.findings)
        return (round(result.report.overall.score, 4), present)

    if not audited:
        return None
    best = max(rank(r) for r in audited)
    return next(r.label for r in audited if rank(r) == best)


def _answer(results: Sequence[TargetResult], readiest: str | None, catalogs: dict[str, Catalog]) -> str:
    audited = [r for r in results if r.report is not None]
    failed = [r for r in results if r.error is not None]
    if not audited:
        return "No target could be audited; each column shows why."
    sentences = [_ranking(audited, readiest)]
    if failed:
        sentences[0] = sentences[0].removesuffix(".") + (
            f" ({', '.join(r.label for r in failed)} could not be audited)."
        )
    vendor: list[str] = []
    team: list[str] = []
    for result in audited:
        assert result.report is not None
        catalog = catalogs.get(catalog_source(result.report), Catalog({}))
        for finding in result.report.findings:
            for gap in finding.gaps:
                (vendor if catalog.owner(gap) is Owner.VENDOR else team).append(f"{result.label} {gap}")
    owned = f"{len(team)} are the team's instrumentation, settings it can change (fixes per target below)"
    if vendor and team:
        sentences.append(f"Gaps that are the vendor's (a limit of its SDK or wrappers): {', '.join(vendor)}.")
        sentences.append(f"The other {owned}.")
    elif vendor:
        sentences.append(f"Every gap is the vendor's (a limit of its SDK or wrappers): {', '.join(vendor)}.")
    elif team:
        sentences.append(f"No gap found is a limit of a vendor's SDK or wrappers: all {owned}.")
    else:
        sentences.append("No gap was found.")
    return " ".join(sentences)


def _ranking(audited: Sequence[TargetResult], readiest: str | None) -> str:
    def describe(result: TargetResult) -> str:
        assert result.report is not None
        present = sum(f.status is Status.PRESENT for f in result.report.findings)
        return f"score {result.report.overall.score:.2f}, {present} of 10 PRESENT"

    lead = next(r for r in audited if r.label == readiest)
    if len(audited) == 1:
        return f"Only {lead.label} was audited ({describe(lead)})."
    others = [r for r in audited if r is not lead]
    assert lead.report is not None
    tied = [r for r in others if r.report is not None and r.report.overall.score == lead.report.overall.score]
    if len(tied) == len(others):
        names = ", ".join(r.label for r in audited)
        return f"{names} are equally ready for an improvement loop ({describe(lead)})."
    rest = "; ".join(f"{r.label} {describe(r)}" for r in others)
    if lead.report.overall.ready:
        standing = "ready"
    else:
        standing = "the readier" if len(audited) == 2 else "the readiest"
    return f"{lead.label} is {standing} for an improvement loop ({describe(lead)}; {rest})."
