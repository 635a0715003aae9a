"""One audit: pull records, map them, assemble traces, score all ten checks in one pass, report.

```
connector.iter_records() ─▶ Mapper.map_record() ─▶ TraceAssembler ─▶ Scorer (ten checks) ─▶ Report
```
Nothing here holds the window in memory: records stream through, traces are scored as they close.
``Scorer`` states merge, so a window scored in parts (by trace id) gives the one-pass result.
"""

from __future__ import annotations

import gc
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from traceready.answers import Answers, known
from traceready.assemble import DEFAULT_IDLE_AFTER, ROOTED_IDLE_AFTER, TraceAssembler
from traceready.checks import ALL_CHECKS, Check, Context, Trace
from traceready.checks.base import with_answers
from traceready.checks.thresholds import Thresholds
from traceready.connector import Connector, Inventory
from traceready.findings import Finding
from traceready.instrumentation import InstrumentationTally, families
from traceready.mapping.mapper import Mapper
from traceready.model import Rejection, Span
from traceready.recommend import Catalog, attach
from traceready.report.model import Agent, Counts, Report, Sample, SourceCounts, overall_of
from traceready.window import wilson_interval

logger = logging.getLogger(__name__)

_COLLECT_EVERY = 100_000
"""Records between full garbage collections while the cyclic collector is off (see score_spans)."""


class Scorer:
    """The ten checks fed in one pass; mergeable."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self.checks: list[Check] = [cls(self.thresholds) for cls in ALL_CHECKS]

    def observe(self, trace: Trace) -> None:
        """Feed one assembled trace to every check."""
        for check in self.checks:
            check.observe(trace)

    def merge(self, other: Scorer) -> None:
        """Add the state of a scorer run over a later part of the window."""
        for mine, theirs in zip(self.checks, other.checks, strict=True):
            mine.merge(theirs)

    def finish(self, inventory: Inventory, answers: Answers) -> list[Finding]:
        """One Finding per requirement, a to j."""
        context = Context(thresholds=self.thresholds, inventory=inventory, answers=answers)
        return [with_answers(check.finish(context), check.reported(answers)) for check in self.checks]


@dataclass(slots=True)
class PullStats:
    """Counts that make pulled = mapped + rejected visible."""

    pulled: int = 0
    mapped: int = 0
    rejections: Counter[str] = field(default_factory=Counter)
    quality: Counter[str] = field(default_factory=Counter)
    by_source: dict[str, list[int]] = field(default_factory=dict)
    """Per input of several: [pulled, mapped] (``Connector.current_source``)."""

    def reject(self, rejection: Rejection) -> None:
        """Count a rejection by reason."""
        self.rejections[rejection.reason] += 1


def score_spans(
    records: Iterable[dict[str, Any] | Rejection],
    mapper: Mapper,
    scorer: Scorer,
    stats: PullStats,
    *,
    idle_after: int = DEFAULT_IDLE_AFTER,
    children_first: bool = False,
    on_span: Callable[[Span], None] | None = None,
    source: Callable[[], str | None] | None = None,
) -> TraceAssembler:
    """Map and score a record stream into ``scorer``; returns the assembler for its counts.

    ``children_first``: the records arrive as their spans ended (``Connector.children_first``), so a
    trace is handed on soon after its root arrives (see ``traceready.assemble``). ``source`` names
    the input each record came from, for per-input counts.
    """
    rooted_idle_after = min(ROOTED_IDLE_AFTER, idle_after) if children_first else None
    assembler = TraceAssembler(scorer.observe, idle_after=idle_after, rooted_idle_after=rooted_idle_after)
    # Spans and records are cycle-free, so the cyclic collector finds nothing on the hot loop, yet
    # each pass scans every span held in the open-trace window (~4 % of the run). It is off while
    # records stream; a full pass every _COLLECT_EVERY records bounds memory should a cycle appear.
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        if source is None:
            _feed(records, mapper, stats, assembler, on_span)
        else:
            _feed(_counted_by_source(records, stats, source), mapper, stats, assembler, on_span)
        # Inside: the traces still open are scored here, and in a vendor pull of a few thousand
        # spans (under the 5,000-span idle window) that is every trace of the window.
        assembler.flush()
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()
    if stats.rejections:
        logger.warning("%d records rejected: %s", sum(stats.rejections.values()), dict(stats.rejections))
    return assembler


def _feed(
    records: Iterable[dict[str, Any] | Rejection],
    mapper: Mapper,
    stats: PullStats,
    assembler: TraceAssembler,
    on_span: Callable[[Span], None] | None,
) -> None:
    for item in records:
        stats.pulled += 1
        if not stats.pulled % _COLLECT_EVERY:
            gc.collect()
        result = item if isinstance(item, Rejection) else mapper.map_record(item)
        if isinstance(result, Rejection):
            stats.reject(result)
            continue
        stats.mapped += 1
        for note in result.quality:
            stats.quality[note] += 1
        if on_span is not None:
            on_span(result)
        assembler.add(result)


def _counted_by_source(
    records: Iterable[dict[str, Any] | Rejection], stats: PullStats, source: Callable[[], str | None]
) -> Iterable[dict[str, Any] | Rejection]:
    """``records``, each counted under the input it came from once ``_feed`` has mapped it."""
    tally: list[int] | None = None
    mapped_before = 0
    for item in records:
        if tally is not None:
            tally[1] += stats.mapped - mapped_before
        name = source() or ""
        tally = stats.by_source.setdefault(name, [0, 0])
        tally[0] += 1
        mapped_before = stats.mapped
        yield item
    if tally is not None:
        tally[1] += stats.mapped - mapped_before


def _sources(stats: PullStats, connector: Connector) -> tuple[SourceCounts, ...]:
    """Per-input counts, when there were several inputs or one had a problem."""
    details = connector.source_details()
    names = list(dict.fromkeys([*details, *stats.by_source]))
    sources = tuple(
        SourceCounts(
            name=name,
            records_pulled=(tally := stats.by_source.get(name, [0, 0]))[0],
            spans_mapped=tally[1],
            records_rejected=tally[0] - tally[1],
            **details.get(name, {}),
        )
        for name in names
    )
    if len(sources) > 1 or any(s.problem or s.looks_like or s.values_cut for s in sources):
        return sources
    return ()


def with_intervals(finding: Finding) -> Finding:
    """The finding with a 95% interval on every measured ratio (the audit scored a sample)."""
    metrics = []
    for ratio in finding.metrics:
        if ratio.applies:
            low, high = wilson_interval(ratio.numerator, ratio.denominator)
            ratio = ratio.model_copy(update={"interval": (round(low, 4), round(high, 4))})
        metrics.append(ratio)
    return finding.model_copy(update={"metrics": tuple(metrics)})


def agent_of(answers: Answers) -> Agent | None:
    """The report header's agent description, from the answers file; None when it says nothing."""
    agent = answers.agent
    architecture = known(agent.architecture)
    described = Agent(
        description=known(agent.description),
        architecture=architecture,
        models=tuple(known(agent.models) or ()),
        tools=tuple(known(agent.tools) or ()),
        failure_taxonomy={"single": "TRAIL", "multi": "MAST"}.get(architecture or ""),
    )
    return None if described == Agent() else described


def _observed(
    records: Iterable[dict[str, Any] | Rejection], tally: InstrumentationTally
) -> Iterator[dict[str, Any] | Rejection]:
    """The records unchanged, each raw one counted by its instrumentation scope on the way."""
    for record in records:
        if isinstance(record, dict):
            tally.observe(record)
        yield record


def run_audit(
    connector: Connector,
    mapper: Mapper,
    *,
    catalog: Catalog,
    thresholds: Thresholds | None = None,
    answers: Answers | None = None,
    on_span: Callable[[Span], None] | None = None,
) -> Report:
    """Audit everything the connector yields."""
    scorer = Scorer(thresholds)
    stats = PullStats()
    logger.info("auditing %s via %s", connector.describe_target(), connector.slug)
    tally = InstrumentationTally()
    records, children_first = _observed(connector.iter_records(), tally), connector.children_first
    assembler = score_spans(
        records,
        mapper,
        scorer,
        stats,
        children_first=children_first,
        on_span=on_span,
        source=connector.current_source
        if type(connector).current_source is not Connector.current_source
        else None,
    )
    if stats.mapped == 0:
        error = connector.nothing_mapped()
        if error is not None:
            raise error
    inventory = connector.inventory()
    detected = tally.detected()
    findings = attach(scorer.finish(inventory, answers or Answers()), catalog, families(detected))
    sampled = connector.sampled()
    if sampled is not None:
        findings = [with_intervals(f) for f in findings]
    maps_as = connector.maps_as().slug
    return Report(
        tool_version=version("traceready"),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        connector=connector.slug,
        maps_as=maps_as if maps_as != connector.slug else None,
        vendor=connector.title,
        target=connector.describe_target(),
        window=connector.window(),
        counts=Counts(
            records_pulled=stats.pulled,
            spans_mapped=stats.mapped,
            records_rejected=sum(stats.rejections.values()),
            rejections=dict(sorted(stats.rejections.items())),
            traces=assembler.traces,
            late_spans=assembler.late_spans,
            data_quality=dict(sorted(stats.quality.items())),
            sources=_sources(stats, connector),
        ),
        inventory=inventory,
        instrumentations=detected,
        sample=Sample(traces_drawn=sampled[0], traces_in_window=sampled[1]) if sampled else None,
        agent=agent_of(answers or Answers()),
        overall=overall_of(findings),
        findings=tuple(findings),
    )
