"""What every requirement check shares: the trace it observes, counting, merging, levelling.

A check observes one assembled ``Trace`` at a time (most criteria are about a trace: does a requested
tool call have its span, does a parent link resolve), keeps only counters and bounded example lists,
and turns them into a ``Finding`` at the end. States merge by adding counters and concatenating
examples in order, so scoring a window in parts and merging gives exactly the one-pass result.

Levels (DESIGN.md §3): PRESENT when every scored criterion reaches its bar and the core ones were
measured; ABSENT when a core criterion is 0 or there is no evidence at all; PARTIAL otherwise;
UNKNOWN when no unit applies and nothing was reported. The score is the weighted mean of the scored ratios.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from mypy_extensions import mypyc_attr

from traceready.answers import Answers
from traceready.checks.thresholds import Thresholds
from traceready.connector import Inventory
from traceready.findings import Evidence, Example, Finding, Ratio, Status, rank
from traceready.model import KIND_AGENT, KIND_LLM, KIND_TOOL, KIND_UNKNOWN, Span, SpanKind


@dataclass(frozen=True, slots=True)
class Metric:
    """A criterion a check measures: id, the units it counts, the gap it reveals."""

    id: str
    label: str
    gap: str
    weight: float = 1.0
    core: bool = False
    scored: bool = True


class Trace:
    """The spans of one trace, assembled before the checks see them.

    A plain class, not a dataclass: compiled by mypyc, a dataclass keeps the interpreted
    ``__init__`` that ``dataclasses`` generates, a Python call per trace.
    """

    def __init__(self, *, trace_id: str, spans: list[Span]) -> None:
        self.trace_id = trace_id
        self.spans = spans
        self._by_id: dict[str, Span] | None = None
        self._roots: list[Span] | None = None
        self.memo: dict[str, Any] = {}
        """Results several checks derive from the trace (the matched tool calls), computed once."""
        # What several checks ask of every trace, computed once, in native attributes (a look-up
        # in ``memo`` by name cost ~150 instructions more per question, five checks asking).
        self._llm_spans: list[Span] | None = None
        self._empty_wrappers: frozenset[str] | None = None
        self._preparation_steps: frozenset[str] | None = None
        self._repeated_calls: frozenset[str] | None = None
        self._set_aside_calls: frozenset[str] | None = None
        self._tool_choosers: frozenset[str] | None = None
        self._model_calls: list[Span] | None = None

    @property
    def by_id(self) -> dict[str, Span]:
        """Spans by span id (the first wins when an id repeats)."""
        if self._by_id is None:
            self._by_id = {}
            for span in self.spans:
                self._by_id.setdefault(span.span_id, span)
        return self._by_id

    def of_kind(self, *kinds: SpanKind) -> Iterator[Span]:
        """Spans of the given kinds, in arrival order."""
        return (span for span in self.spans if span.kind in kinds)

    def llm_spans(self) -> list[Span]:
        """The model-kind spans, in arrival order (computed once; callers only read it)."""
        found = self._llm_spans
        if found is None:
            found = self._llm_spans = [span for span in self.spans if span.kind is KIND_LLM]
        return found

    def ancestors(self, span: Span) -> Iterator[Span]:
        """Parent, grandparent... inside this trace; stops at a missing parent or a cycle."""
        seen = {span.span_id}
        parent_id = span.parent_id
        while parent_id is not None and parent_id not in seen:
            parent = self.by_id.get(parent_id)
            if parent is None:
                return
            seen.add(parent_id)
            yield parent
            parent_id = parent.parent_id

    def empty_wrappers(self) -> frozenset[str]:
        """Ids of spans that only wrap others: no known kind, no content, no error, and children.

        Frameworks open such spans around their steps (a "running tools" span around the tool
        calls); they say nothing a requirement measures, so the ratios about spans set them aside.
        """
        found = self._empty_wrappers
        if found is None:
            candidates = [
                s
                for s in self.spans
                if s.kind is KIND_UNKNOWN
                and not s.has_input
                and not s.has_output
                and s.llm is None
                and s.tool is None
                and s.error is None
            ]
            if candidates:
                parents = {s.parent_id for s in self.spans}
                found = frozenset(s.span_id for s in candidates if s.span_id in parents)
            else:
                found = _NO_IDS
            self._empty_wrappers = found
        return found

    def preparation_steps(self) -> frozenset[str]:
        """Ids of model-kind spans that prepare a call and record none: set aside from model calls.

        OpenInference's LlamaIndex instrumentation gives every traced method of an LLM object the
        LLM kind (``OpenAI._prepare_chat_with_tools`` builds the request); messages, tokens and
        finish reasons come only from the events a real call emits. Such a span is set aside when
        it records nothing of a call, nothing was masked on it, it did not fail, and a model span
        beside it (same parent) or under it records a real call. Content hiding applies to every
        span of the process, so a hidden call has no recorded call beside it and stays counted.
        """
        found = self._preparation_steps
        if found is None:
            llm_spans = self.llm_spans()
            candidates = [s for s in llm_spans if not _records_call(s) and not s.redacted and not s.is_failed]
            if candidates:
                calls = [s for s in llm_spans if _records_call(s)]
                found = frozenset(
                    s.span_id
                    for s in candidates
                    if any(
                        (s.parent_id is not None and c.parent_id == s.parent_id)
                        or any(a is s for a in self.ancestors(c))
                        for c in calls
                    )
                )
            else:
                found = _NO_IDS
            self._preparation_steps = found
        return found

    def repeated_calls(self) -> frozenset[str]:
        """Ids of model-kind spans that only repeat the call their model-span parent records.

        Google ADK's legacy telemetry (schema 1) records a model call's messages on its ``call_llm``
        span and opens a ``generate_content`` span for the same call under it, with tokens and
        finish reasons but no messages. A model span is set aside when it records no messages,
        nothing was masked on it, it did not fail, and its parent is a model span that records the
        messages of the same call: the same model and token counts where both record them. A call
        whose content is hidden has its markers, or a parent that records no messages either, and
        stays counted.
        """
        found = self._repeated_calls
        if found is None:
            repeated = set()
            for span in self.llm_spans():
                if span.parent_id is None or _records_messages(span) or span.redacted or span.is_failed:
                    continue
                parent = self.by_id.get(span.parent_id)
                if (
                    parent is not None
                    and parent.kind is KIND_LLM
                    and _records_messages(parent)
                    and not parent.redacted
                    and _same_call(parent, span)
                ):
                    repeated.add(span.span_id)
            found = frozenset(repeated) if repeated else _NO_IDS
            self._repeated_calls = found
        return found

    def set_aside_calls(self) -> frozenset[str]:
        """Model-kind spans the ratios about model calls leave out: preparation steps, repeats."""
        found = self._set_aside_calls
        if found is None:
            steps, repeated = self.preparation_steps(), self.repeated_calls()
            found = steps | repeated if steps and repeated else steps or repeated
            self._set_aside_calls = found
        return found

    def tool_choosers(self) -> frozenset[str]:
        """Ids of model calls that tool spans beside them show to have chosen a tool.

        A tool span that starts after a model call ends, under the same parent and before that
        parent's next model call, ran what the call chose, whether or not the call's output records
        the tool call (the OTel project's first OpenAI Agents instrumentation writes it as text). A
        call whose recorded finish reason is not a tool call (``stop``) chose none: a tool run after
        it was the code's choice.
        """
        found = self._tool_choosers
        if found is None:
            siblings: dict[str | None, list[Span]] = {}
            tools = False
            for span in self.spans:
                if span.kind is KIND_TOOL:
                    tools = True
                    siblings.setdefault(span.parent_id, []).append(span)
                elif span.kind is KIND_LLM:
                    siblings.setdefault(span.parent_id, []).append(span)
            chosen: set[str] = set()
            for group in siblings.values() if tools else ():
                if len(group) < 2:
                    continue  # a call and a tool run after it make two
                last_call: Span | None = None
                for span in in_start_order(group, tools_last=True):
                    if span.kind is KIND_LLM:
                        last_call = span if _may_call_tools(span) else None
                    elif last_call is not None and (span.start_ns or 0) >= (last_call.end_ns or 0):
                        chosen.add(last_call.span_id)
            found = frozenset(chosen) if chosen else _NO_IDS
            self._tool_choosers = found
        return found

    def model_calls(self) -> list[Span]:
        """The trace's model-kind spans, its preparation steps and repeated calls set aside.

        Computed once; callers only read the list.
        """
        found = self._model_calls
        if found is None:
            steps = self.set_aside_calls()
            llm_spans = self.llm_spans()
            found = [s for s in llm_spans if s.span_id not in steps] if steps else llm_spans
            self._model_calls = found
        return found

    def is_agent_construction(self) -> bool:
        """True when the trace only builds an agent: it holds no run.

        The OTel GenAI ``create_agent`` operation (span ``create_agent {agent name}``) records the
        agent's definition; OpenLLMetry's LangChain instrumentation writes one such span, alone in
        its own trace, each time ``create_react_agent`` or ``create_agent`` is called. A trace
        counts as construction only when every span is such an agent span, with no model call,
        tool call, input message, output or error.
        """
        return all(
            s.kind is KIND_AGENT
            and s.name.split(" ", 1)[0] == "create_agent"
            and not s.has_output
            and not s.is_failed
            and (s.llm is None or not (s.llm.input_messages or s.llm.output_messages or _used_tokens(s)))
            for s in self.spans
        )

    def roots(self) -> list[Span]:
        """Spans with no parent, or whose parent is not in the trace (computed once)."""
        if self._roots is None:
            by_id = self.by_id
            self._roots = [s for s in self.spans if s.parent_id is None or s.parent_id not in by_id]
        return self._roots


_NO_IDS: frozenset[str] = frozenset()


def in_start_order(spans: list[Span], *, tools_last: bool = False) -> list[Span]:
    """The spans sorted stably by start, in place (``tools_last``: a tool after a call starting with it).

    Mostly a few spans (a trace's tool spans, a sibling group): a native insertion sort (stable,
    like ``sorted``) spares a Python key call and a tuple per span (~2,500-4,800 instructions a sort
    of the replicated file, measured).
    """
    if len(spans) > 32:
        spans.sort(key=lambda s: (s.start_ns or 0, tools_last and s.kind is KIND_TOOL))
        return spans
    for i in range(1, len(spans)):
        span = spans[i]
        j = i
        while j > 0 and _starts_before(span, spans[j - 1], tools_last):
            spans[j] = spans[j - 1]
            j -= 1
        spans[j] = span
    return spans


def _starts_before(one: Span, other: Span, tools_last: bool) -> bool:
    one_start, other_start = one.start_ns or 0, other.start_ns or 0
    return one_start < other_start or (
        tools_last and one_start == other_start and one.kind is not KIND_TOOL and other.kind is KIND_TOOL
    )


def has_latency(span: Span) -> bool:
    """``span.latency_ms is not None``, without computing the float (a new object a span)."""
    start, end = span.start_ns, span.end_ns
    return start is not None and end is not None and end >= start


def _used_tokens(span: Span) -> bool:
    usage = span.llm.usage if span.llm else None
    return usage is not None and any(
        n is not None for n in (usage.input_tokens, usage.output_tokens, usage.total_tokens)
    )


_TOOL_FINISH_REASONS = frozenset({"tool_calls", "tool_call", "function_call", "tool_use", "tool-calls"})


def _may_call_tools(span: Span) -> bool:
    """False when the model call's finish reasons are recorded and none is a tool call."""
    reasons = span.llm.finish_reasons if span.llm else ()
    return not reasons or any(r.lower() in _TOOL_FINISH_REASONS for r in reasons)


def _records_messages(span: Span) -> bool:
    info = span.llm
    return info is not None and bool(info.input_messages or info.output_messages)


def _same_call(parent: Span, child: Span) -> bool:
    """False when the two spans record different models or different token counts."""
    one, other = parent.llm, child.llm
    if one is None or other is None:
        return True
    if one.model and other.model and not _same_model(one.model, other.model):
        return False
    counts = (
        (one.usage.input_tokens, other.usage.input_tokens),
        (one.usage.output_tokens, other.usage.output_tokens),
    )
    return all(a is None or b is None or a == b for a, b in counts)


def _same_model(one: str, other: str) -> bool:
    """Equal names, or one the other with a provider prefix (``openai/gpt-4o-mini``)."""
    return one == other or one.endswith("/" + other) or other.endswith("/" + one)


def _records_call(span: Span) -> bool:
    """True when a model-kind span records any part of a model call: messages, tokens, an outcome."""
    info = span.llm
    return info is not None and bool(
        info.input_messages
        or info.output_messages
        or info.tools_offered
        or info.finish_reasons
        or info.cost_usd is not None
        or _used_tokens(span)
    )


def count_construction_when_alone(
    ratios: list[Ratio], facts: Counter[str], metric: str
) -> tuple[list[Ratio], Counter[str]]:
    """Ratios and facts with construction-only traces counted as runless when no run was seen.

    Setting them aside is right beside real runs; a window holding nothing but agent
    construction recorded no run, and must not look better for it.
    """
    built = facts["construction_traces"]
    if not built or any(r.metric == metric and r.denominator for r in ratios):
        return ratios, facts
    counted = [r.model_copy(update={"denominator": built}) if r.metric == metric else r for r in ratios]
    return counted, facts - Counter({"construction_traces": built})


def set_aside_notes(facts: Counter[str]) -> list[str]:
    """Notes naming the preparation steps and construction-only traces a check set aside."""
    notes = []
    if steps := facts["preparation_steps"]:
        notes.append(
            f"{steps} model-kind spans that record no call (no messages, tokens or outcome) beside"
            " a recorded call were set aside as preparation steps (LlamaIndex's"
            " _prepare_chat_with_tools)."
        )
    if repeated := facts["repeated_calls"]:
        notes.append(
            f"{repeated} model-kind spans without messages that repeat the call their model-span"
            " parent records (Google ADK's generate_content under call_llm) were set aside."
        )
    if built := facts["construction_traces"]:
        notes.append(
            f"{built} traces that only build an agent (create_agent, no model or tool call) were"
            " set aside: they hold no run."
        )
    return notes


@dataclass(frozen=True, slots=True)
class Reported:
    """What the answers file says about one requirement: the status it supports, why, its gaps."""

    status: Status
    reason: str
    gaps: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


_REPORTED_SCORE = {Status.PRESENT: 1.0, Status.PARTIAL: 0.5}


def with_answers(finding: Finding, reported: Reported | None) -> Finding:
    """The finding with what the answers say: they decide only what was not observed.

    An observed (or inventory) verdict wins and the answer becomes a note, a contradiction when it
    supports another status; an UNKNOWN finding (nothing applicable was observed, or no traces at
    all, as in ``traceready audit answers``) takes the status the answers support, self-reported.
    """
    if reported is None:
        return finding
    if finding.status is Status.UNKNOWN:
        return finding.model_copy(
            update={
                "status": reported.status,
                "score": _REPORTED_SCORE.get(reported.status, 0.0),
                "reason": reported.reason,
                "evidence": Evidence.SELF_REPORTED,
                "gaps": tuple(dict.fromkeys(reported.gaps)),
                "examples": (),
                "notes": (*finding.notes, *reported.notes),
            }
        )
    said = reported.reason.rstrip(".")
    if reported.status is Status.UNKNOWN:
        note = f"Self-reported: {said}."
    elif reported.status is finding.status:
        note = f"Self-reported, as observed: {said}."
    else:
        note = (
            f"Contradiction: self-reported {reported.status.value} ({said}), "
            f"but observed {finding.status.value}."
        )
    return finding.model_copy(update={"notes": (*finding.notes, note, *reported.notes)})


@dataclass(frozen=True, slots=True)
class Context:
    """What ``finish`` may consult besides the counters."""

    thresholds: Thresholds
    inventory: Inventory
    answers: Answers


def add_counts(counts: dict[str, int], added: dict[str, int]) -> None:
    """Add ``added`` into ``counts`` key by key (what ``Counter.update`` does, on plain dicts)."""
    for key, amount in added.items():
        counts[key] = counts.get(key, 0) + amount


class Count:
    """One metric's counters: units met, units counted, and whether its gap examples are full.

    Native attributes: compiled, ``total += 1`` is an add on a tagged int where a dict of boxed
    ints cost a look-up, a new int object and a store (~1,100 instructions a count, measured).
    """

    def __init__(self, metric: str) -> None:
        self.metric = metric
        self.met = 0
        self.total = 0
        self.full = False
        """Its gap's example list holds the limit already (lists only grow: it stays full)."""


def count_of(counts: dict[str, Count], key: str) -> Count:
    """The ``Count`` of ``key`` in ``counts``, added at zero the first time."""
    counted = counts.get(key)
    if counted is None:
        counted = counts[key] = Count(key)
    return counted


@dataclass(slots=True)
class Tally:
    """Mergeable counters and bounded example lists of one check.

    ``counts`` holds a ``Count`` per metric id counted; ``numerators`` and ``denominators`` read
    them as dicts (a metric is a key once a unit met it, or once a unit was counted).
    """

    counts: dict[str, Count] = field(default_factory=dict)
    examples: dict[str, list[Example]] = field(default_factory=dict)
    fact_counts: dict[str, Count] = field(default_factory=dict)
    """Per fact name, its count in ``total`` (read them as ``facts``)."""

    @property
    def facts(self) -> Counter[str]:
        """Counts that are not ratios (failure classes, spans set aside), by name."""
        return Counter({name: c.total for name, c in self.fact_counts.items()})

    @property
    def numerators(self) -> dict[str, int]:
        """Units met, per metric id."""
        return {key: c.met for key, c in self.counts.items() if c.met}

    @property
    def denominators(self) -> dict[str, int]:
        """Units counted, per metric id."""
        return {key: c.total for key, c in self.counts.items() if c.total}

    def merge(self, other: Tally, limit: int) -> None:
        """Add ``other`` (the later part of the window) into this tally."""
        for key, theirs in other.counts.items():
            mine = count_of(self.counts, key)
            mine.met += theirs.met
            mine.total += theirs.total
        for name, theirs in other.fact_counts.items():
            count_of(self.fact_counts, name).total += theirs.total
        for key, examples in other.examples.items():
            mine_examples = self.examples.setdefault(key, [])
            if key == "+" and mine_examples and examples and examples[0].span_id == mine_examples[-1].span_id:
                examples = examples[1:]  # one pass keeps a span cited twice in a row once (_example)
            mine_examples.extend(examples[: max(0, limit - len(mine_examples))])


@mypyc_attr(allow_interpreted_subclasses=True)  # compiled (setup.py); i_sandbox is not
class Check(ABC):
    """One requirement: observe traces, then ``finish`` into a Finding."""

    id: ClassVar[str]
    title: ClassVar[str]
    metrics: ClassVar[tuple[Metric, ...]]
    extra_gaps: ClassVar[tuple[str, ...]] = ()
    """Gap ids the check emits besides its metrics' gaps (inventory or self-report gaps)."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self.tally = Tally()
        self._limit = self.thresholds.examples
        self._plus_full = False
        """The list of examples that a criterion is met holds ``_limit`` examples already."""

    @classmethod
    def gap_ids(cls) -> tuple[str, ...]:
        """Every gap id this check can emit (recommendation catalogs must cover them all)."""
        return tuple(dict.fromkeys([m.gap for m in cls.metrics] + list(cls.extra_gaps)))

    @abstractmethod
    def observe(self, trace: Trace) -> None:
        """Count one assembled trace."""

    def merge(self, other: Self) -> None:
        """Add the state of the same check run over a later part of the window."""
        self.tally.merge(other.tally, self.thresholds.examples)

    def counter(self, metric: str) -> Count:
        """The counters of ``metric``: a check may take them once and count with ``count_into``."""
        return count_of(self.tally.counts, metric)

    def count(self, metric: str, met: bool, span: Span, detail: str | None = None) -> None:
        """Count one unit of ``metric``; an unmet one may become an example of its gap."""
        # count_of, not self.counter: on i_sandbox a method call would go through Python glue.
        _count_into(self, count_of(self.tally.counts, metric), met, span, detail)

    def count_into(self, counted: Count, met: bool, span: Span, detail: str | None = None) -> None:
        """``count`` into counters taken once in ``__init__`` (spares a look-up by id a unit)."""
        _count_into(self, counted, met, span, detail)

    def set_aside_calls(self, trace: Trace) -> frozenset[str]:
        """The trace's model spans that ratios about model calls leave out, counted as facts."""
        if steps := trace.preparation_steps():
            self.fact("preparation_steps", len(steps))
        if repeated := trace.repeated_calls():
            self.fact("repeated_calls", len(repeated))
        return trace.set_aside_calls()

    def fact(self, name: str, amount: int = 1) -> None:
        """Count something that is not a ratio (a failure class, a version seen)."""
        count_of(self.tally.fact_counts, name).total += amount

    def _example(self, key: str, span: Span, gap: str | None, detail: str | None) -> None:
        kept = self.tally.examples.setdefault(key, [])
        if key == "+" and kept and kept[-1].span_id == span.span_id:
            return
        if len(kept) < self.thresholds.examples:
            kept.append(
                Example(
                    span_id=span.span_id,
                    trace_id=span.trace_id,
                    gap=gap,
                    detail=detail,
                    url=span.source.url,
                )
            )

    @classmethod
    def _metric(cls, metric_id: str) -> Metric:
        for metric in cls.metrics:
            if metric.id == metric_id:
                return metric
        raise KeyError(metric_id)

    def ratios(self) -> list[Ratio]:
        """Every declared metric as a Ratio, in declaration order."""
        counts = self.tally.counts
        return [
            Ratio(
                metric=m.id,
                numerator=counts[m.id].met if m.id in counts else 0,
                denominator=counts[m.id].total if m.id in counts else 0,
                label=m.label,
                scored=m.scored,
                threshold=self.thresholds.bar(m.id) if m.scored else None,
            )
            for m in self.metrics
        ]

    @abstractmethod
    def finish(self, context: Context) -> Finding:
        """The Finding for everything observed."""

    def reported(self, answers: Answers) -> Reported | None:
        """The status the answers file supports for this requirement; None when it says nothing."""
        return None

    def verdict(
        self,
        ratios: list[Ratio],
        *,
        evidence: Evidence = Evidence.OBSERVED,
        empty_reason: str = "no applicable units were observed",
        breakdown: list[Ratio] | None = None,
        notes: list[str] | None = None,
        extra_gaps: list[str] | None = None,
        status_cap: Status | None = None,
    ) -> Finding:
        """Level the ratios by the DESIGN.md §3 rule and explain it in one sentence."""
        # A scored ratio always carries its bar: without one, 0 of N would "reach" a bar of 0.
        ratios = [
            r.model_copy(update={"threshold": self.thresholds.bar(r.metric)})
            if r.scored and r.threshold is None
            else r
            for r in ratios
        ]
        scored = [r for r in ratios if r.scored and r.applies]
        gaps = [self._metric(r.metric).gap for r in scored if (r.value or 0.0) < (r.threshold or 0.0)]
        gaps.extend(extra_gaps or [])
        if not scored:
            status, score = Status.UNKNOWN, 0.0
            reason = empty_reason
            evidence = Evidence.NONE if evidence is Evidence.OBSERVED else evidence
        else:
            weights = {m.id: m.weight for m in self.metrics}
            total = sum(weights[r.metric] for r in scored)
            score = sum(weights[r.metric] * (r.value or 0.0) for r in scored) / total
            core = [r for r in scored if self._metric(r.metric).core]
            core_declared = any(m.core for m in self.metrics)
            if any(r.numerator == 0 for r in core):
                status = Status.ABSENT
            elif (
                all((r.value or 0.0) >= (r.threshold or 0.0) for r in scored)
                and not extra_gaps
                and (core or not core_declared)
            ):
                # PRESENT needs the core criterion measured: side criteria alone never prove it.
                status = Status.PRESENT
            else:
                status = Status.PARTIAL
            reason = _sentence(status, scored, core, score)
        if status_cap is not None and rank(status) > rank(status_cap):
            status = status_cap
        # Informational criteria below the bar still earn their advice, without moving the status.
        gaps.extend(
            self._metric(r.metric).gap
            for r in ratios
            if not r.scored and r.applies and (r.value or 0.0) < self.thresholds.present
        )
        return Finding(
            requirement=self.id,
            title=self.title,
            status=status,
            score=round(score, 4),
            reason=reason,
            evidence=evidence,
            metrics=tuple(ratios),
            breakdown=tuple(breakdown or ()),
            thresholds={"present": self.thresholds.present}
            | {
                r.metric: r.threshold
                for r in ratios
                if r.threshold is not None and r.threshold != self.thresholds.present
            },
            examples=self._examples(gaps),
            gaps=tuple(dict.fromkeys(gaps)),
            notes=tuple(notes or ()),
        )

    def _examples(self, gaps: list[str]) -> tuple[Example, ...]:
        """Examples of the gaps found, most important gap first; else evidence that it is met.

        A span cited by several gaps (or twice by one) is an example once, where it first appears.
        """
        lists = [self.tally.examples.get(m.id, []) for m in self.metrics if m.gap in gaps]
        if not any(lists):
            lists = [self.tally.examples.get("+", [])]
        limit = self.thresholds.examples
        chosen: dict[str, Example] = {}
        for examples in lists:
            for example in examples:
                if len(chosen) >= limit:
                    return tuple(chosen.values())
                chosen.setdefault(example.span_id, example)
        return tuple(chosen.values())


def _count_into(check: Check, counted: Count, met: bool, span: Span, detail: str | None) -> None:
    """What ``Check.count_into`` does, for ``count`` and ``count_into`` alike.

    A function: ``count`` called on an interpreted subclass (i_sandbox) reaches it by a C call,
    where ``self.count_into`` would go through the method's Python glue (~1,800 instructions).
    """
    counted.total += 1
    # Called for every unit: once a key's examples are full, counting is all that is left.
    if met:
        counted.met += 1
        if check._plus_full:
            return
        kept = check.tally.examples.get("+")
        if kept is not None and len(kept) >= check._limit:
            check._plus_full = True
            return
        check._example("+", span, None, None)
    else:
        if counted.full:
            return
        metric = counted.metric
        kept = check.tally.examples.get(metric)
        if kept is not None and len(kept) >= check._limit:
            counted.full = True
            return
        check._example(metric, span, check._metric(metric).gap, detail)


def _sentence(status: Status, scored: list[Ratio], core: list[Ratio], score: float) -> str:
    """The reason in one sentence: what falls short first, with the bar it misses.

    An ABSENT row whose score is above 0 says why: a core criterion is 0, and the score counts the rest.
    """
    unmet_core = [r for r in core if r.numerator == 0]
    short = sorted(
        (r for r in scored if (r.value or 0.0) < (r.threshold or 0.0) and r not in unmet_core),
        key=lambda r: r.value or 0.0,
    )
    if status is Status.ABSENT and unmet_core:
        reason = f"Core criterion unmet: {'; '.join(r.describe() for r in unmet_core)}, so ABSENT"
        if score > 0:
            reason += f" (the score {score:.2f} counts the other criteria)"
        if short:
            reason += "; also " + "; ".join(_shortfall(r) for r in short[:2])
        return reason + "."
    if status is Status.PRESENT or not short:
        return _capital("; ".join(r.describe() for r in scored[:3]) + ".")
    return _capital("; ".join(_shortfall(r) for r in short[:2]) + ".")


def _shortfall(ratio: Ratio) -> str:
    """A criterion short of its bar: "only 8 of 10 model calls with cost (bar 90%)", or "0 of 10 ..."."""
    bar = f" (bar {ratio.threshold:.0%})" if ratio.threshold and ratio.summary is None else ""
    lead = "only " if ratio.numerator and ratio.summary is None else ""
    return f"{lead}{ratio.describe()}{bar}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
